"""What the rabbitmq_definitions module decides to run, from an export of RabbitMQ's definitions."""

from __future__ import annotations

import base64
import hashlib

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.host._rabbitmq import (
    check_params,
    expected,
    password_matches,
    plan,
    summary,
)

USER = {"name": "openstack", "password": "s3cret", "vhost": "openstack", "configure": ".*", "write": ".*", "read": ".*"}
POLICY = {"name": "expire-unused", "vhost": "openstack", "pattern": ".*", "apply_to": "queues",
          "definition": {"expires": 3600000}, "priority": 0}
PARAMS = {"users": [USER], "absent_users": ["guest"], "policies": [POLICY]}


def hashed(password, salt=b"\x01\x02\x03\x04", digest=hashlib.sha256):
    return base64.b64encode(salt + digest(salt + password.encode()).digest()).decode()


# As `rabbitmqctl export_definitions -` prints them on a deployed node (queues and the rest left out).
IN_STEP = {
    "users": [{"name": "openstack", "password_hash": hashed("s3cret"),
               "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": [], "limits": {}}],
    "vhosts": [{"name": "/"}, {"name": "openstack"}],
    "permissions": [{"user": "openstack", "vhost": "openstack", "configure": ".*", "write": ".*", "read": ".*"}],
    "policies": [{"vhost": "openstack", "name": "expire-unused", "pattern": ".*", "apply-to": "queues",
                  "definition": {"expires": 3600000}, "priority": 0}],
}
# A fresh Debian install: guest on /, nothing else.
FRESH = {"users": [{"name": "guest", "password_hash": hashed("guest"),
                    "hashing_algorithm": "rabbit_password_hashing_sha256"}],
         "vhosts": [{"name": "/"}],
         "permissions": [{"user": "guest", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],
         "policies": []}


def by_hash(user, exported):
    return password_matches(user["password"], exported)


def commands(steps):
    return [" ".join(argv) for argv, _stdin in steps]


def test_nothing_to_do_when_in_step():
    assert plan(PARAMS, IN_STEP, by_hash) == []


def test_fresh_node_gets_everything_in_order():
    steps = plan(PARAMS, FRESH, by_hash)
    assert commands(steps) == [
        "add_vhost openstack",
        "add_user openstack",
        "set_permissions -p openstack openstack .* .* .*",
        "set_policy -p openstack --priority 0 --apply-to queues expire-unused .* {\"expires\": 3600000}",
        "delete_user guest",
    ]
    # The password goes to standard input only.
    assert [stdin for _argv, stdin in steps] == [None, "s3cret", None, None, None]
    assert not any("s3cret" in argv for argv, _stdin in steps)


def test_wrong_password_is_changed_through_stdin():
    definitions = dict(IN_STEP, users=[dict(IN_STEP["users"][0], password_hash=hashed("old"))])
    assert plan(PARAMS, definitions, by_hash) == [(["change_password", "openstack"], "s3cret")]


@pytest.mark.parametrize("change", [
    {"configure": ""},
    {"vhost": "/"},
])
def test_permissions_that_differ_are_set(change):
    definitions = dict(IN_STEP, permissions=[dict(IN_STEP["permissions"][0], **change)])
    assert commands(plan(PARAMS, definitions, by_hash)) == ["set_permissions -p openstack openstack .* .* .*"]


@pytest.mark.parametrize("change", [
    {"definition": {"expires": 60000}},
    {"apply-to": "all"},
    {"priority": 1},
    {"pattern": "^nova"},
])
def test_policy_that_differs_in_any_field_is_set(change):
    definitions = dict(IN_STEP, policies=[dict(IN_STEP["policies"][0], **change)])
    assert [argv[0] for argv, _stdin in plan(PARAMS, definitions, by_hash)] == ["set_policy"]


def test_other_policies_users_and_vhosts_are_left_alone():
    definitions = dict(IN_STEP, vhosts=IN_STEP["vhosts"] + [{"name": "other"}],
                       users=IN_STEP["users"] + [{"name": "monitor", "password_hash": "", "hashing_algorithm": "x"}],
                       policies=IN_STEP["policies"] + [dict(IN_STEP["policies"][0], name="ha")])
    assert plan(PARAMS, definitions, by_hash) == []


@pytest.mark.parametrize(("algorithm", "digest"), [
    ("rabbit_password_hashing_sha256", hashlib.sha256),
    ("rabbit_password_hashing_sha512", hashlib.sha512),
    ("rabbit_password_hashing_md5", hashlib.md5),
])
def test_password_hashes(algorithm, digest):
    user = {"hashing_algorithm": algorithm, "password_hash": hashed("pw", b"\xff\x00\x10\x20", digest)}
    assert password_matches("pw", user) is True
    assert password_matches("pw2", user) is False


def test_unknown_hash_algorithm_is_left_to_rabbitmq():
    assert password_matches("pw", {"hashing_algorithm": "rabbit_password_hashing_bcrypt", "password_hash": "x"}) is None


def test_hash_from_a_real_node():
    # RabbitMQ 3.10.8 (Debian 12), `add_user nimbus-hash-probe` given "nimbus-test-password".
    user = {"hashing_algorithm": "rabbit_password_hashing_sha256",
            "password_hash": "nu+N92ZSQaJc5tFEgy+62GGYCl10gokcnnTaZrM4GW9GxKMY"}
    assert password_matches("nimbus-test-password", user) is True


@pytest.mark.parametrize(("params", "message"), [
    (dict(PARAMS, absent_users=["openstack"]), "users and absent_users both name openstack"),
    (dict(PARAMS, users=[USER, USER]), "users: openstack given more than once"),
    (dict(PARAMS, policies=[POLICY, POLICY]), "policies: openstack/expire-unused given more than once"),
])
def test_bad_params(params, message):
    with pytest.raises(ValueError, match=message):
        check_params(params)


def test_diff_has_no_password_hashes_and_predicts_the_change():
    before = summary(FRESH)
    assert "password" not in str(before)
    after = expected(before, PARAMS)
    assert after == summary(IN_STEP) | {"vhosts": ["/", "openstack"]}

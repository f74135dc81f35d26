"""The key_repository filter (new repositories, keystone-manage's rotation) and key_files."""

from __future__ import annotations

import base64
import hashlib

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.nimbus.openstack.plugins.filter.key_files import key_files
from ansible_collections.nimbus.openstack.plugins.filter.key_repository import key_repository


def assert_fernet_key(key):
    assert len(base64.urlsafe_b64decode(key)) == 32


@pytest.mark.parametrize("empty", [None, {}])
def test_new_repository_has_staged_and_primary_keys(empty):
    made = key_repository(empty)
    assert sorted(made) == ["0", "1"]
    assert made["0"] != made["1"]
    for key in made.values():
        assert_fernet_key(key)


def test_existing_repository_unchanged_without_rotate():
    given = {"0": "staged", "3": "primary", "2": "old"}
    assert key_repository(given) == {"0": "staged", "2": "old", "3": "primary"}


def test_rotation_promotes_staged_key_and_makes_a_new_one():
    rotated = key_repository({"0": "staged", "1": "primary"}, rotate=True)
    assert sorted(rotated, key=int) == ["0", "1", "2"]
    assert rotated["2"] == "staged" and rotated["1"] == "primary"
    assert rotated["0"] not in ("staged", "primary")
    assert_fernet_key(rotated["0"])


def test_rotation_drops_oldest_keys_beyond_max_active():
    given = {"0": "s", "1": "a", "2": "b", "3": "c"}
    rotated = key_repository(given, rotate=True, max_active=3)
    assert sorted(rotated, key=int) == ["0", "3", "4"]
    assert (rotated["3"], rotated["4"]) == ("c", "s")
    kept = key_repository(given, rotate=True, max_active=5)
    assert sorted(kept, key=int) == ["0", "1", "2", "3", "4"]


def test_token_key_survives_one_rotation_not_two():
    repository = key_repository({})
    primary = repository["1"]
    once = key_repository(repository, rotate=True)
    assert primary in once.values()
    twice = key_repository(once, rotate=True)
    assert primary not in twice.values()


@pytest.mark.parametrize(("given", "kwargs", "message"), [
    (["a"], {}, "must be a dict"),
    ({"x": "a"}, {}, "whole number"),
    ({"1": "a"}, {}, "no staged key"),
    ({"0": "a", "1": "b"}, {"max_active": 1}, "at least 2"),
])
def test_bad_input_is_refused(given, kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message):
        key_repository(given, **kwargs)


def test_key_files_list_highest_index_first():
    repositories = {"fernet": {"0": "s", "10": "p", "9": "o"}, "credential": {"0": "c0", "1": "c1"}}
    directories = {"fernet": "/etc/keystone/fernet-keys/", "credential": "/etc/keystone/credential-keys"}
    files = key_files(directories, repositories)
    assert [(f["path"], f["key"]) for f in files] == [
        ("/etc/keystone/fernet-keys/10", "p"),
        ("/etc/keystone/fernet-keys/9", "o"),
        ("/etc/keystone/fernet-keys/0", "s"),
        ("/etc/keystone/credential-keys/1", "c1"),
        ("/etc/keystone/credential-keys/0", "c0"),
    ]
    # What find says of a right file: its path, SHA-1 checksum, mode and owner.
    assert files[2]["state"] == "/etc/keystone/fernet-keys/0:%s:0600:keystone" % hashlib.sha1(b"s").hexdigest()

# Private to this collection: not a public API, may change without notice.
"""RabbitMQ's users, vhosts, permissions and policies, read with one rabbitmqctl call and changed where they differ.

Every rabbitmqctl call starts an Erlang VM (0.7-0.8 s here). Listing users,
vhosts, each user's permissions and each vhost's policies, and checking each
password with authenticate_user, took five to ten such calls on a re-run that
changed nothing. `export_definitions` gives all of it at once, with each user's
salted password hash, which is checked here without another call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from ansible.module_utils.basic import AnsibleModule

PERMISSION_KEYS = ("configure", "write", "read")
POLICY_KEYS = ("pattern", "apply-to", "definition", "priority")
ARGUMENT_SPEC = {
    "users": {"type": "list", "elements": "dict", "default": [], "options": {
        "name": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
        "vhost": {"type": "str", "default": "/"},
        "configure": {"type": "str", "default": ".*"},
        "write": {"type": "str", "default": ".*"},
        "read": {"type": "str", "default": ".*"},
    }},
    "absent_users": {"type": "list", "elements": "str", "default": []},
    "policies": {"type": "list", "elements": "dict", "default": [], "options": {
        "name": {"type": "str", "required": True},
        "vhost": {"type": "str", "default": "/"},
        "pattern": {"type": "str", "required": True},
        "apply_to": {"type": "str", "default": "queues", "choices": ["queues", "exchanges", "all"]},
        "definition": {"type": "dict", "required": True},
        "priority": {"type": "int", "default": 0},
    }},
}
# RabbitMQ's hash: base64 of a 4-byte salt and the digest of salt + UTF-8 password.
HASHES = {
    "rabbit_password_hashing_sha256": hashlib.sha256,
    "rabbit_password_hashing_sha512": hashlib.sha512,
    "rabbit_password_hashing_md5": hashlib.md5,
}
# authenticate_user's exit status for a wrong password.
WRONG_PASSWORD = 65
# Seconds to wait for a node that is booting.
STARTUP_TIMEOUT = 300


def password_matches(password, user):
    """True or False from an exported user's hash; None when its algorithm is not one of HASHES."""
    digest = HASHES.get(user.get("hashing_algorithm"))
    if digest is None:
        return None
    raw = base64.b64decode(user.get("password_hash") or "")
    salt, expected = raw[:4], raw[4:]
    return hmac.compare_digest(digest(salt + password.encode("utf-8")).digest(), expected)


def check_params(params):
    """ValueError naming the option when a user is both wanted and absent, or a name repeats."""
    wanted = [user["name"] for user in params["users"]]
    both = sorted(set(wanted) & set(params["absent_users"]))
    if both:
        raise ValueError("users and absent_users both name %s" % ", ".join(both))
    for option, keys in (("users", ("name",)), ("policies", ("vhost", "name"))):
        seen = [tuple(item[key] for key in keys) for item in params[option]]
        repeated = sorted({"/".join(key) for key in seen if seen.count(key) > 1})
        if repeated:
            raise ValueError("%s: %s given more than once" % (option, ", ".join(repeated)))


def _permission(user):
    return {key: user[key] for key in PERMISSION_KEYS}


def _policy(policy):
    return {"pattern": policy["pattern"], "apply-to": policy["apply_to"],
            "definition": policy["definition"], "priority": policy["priority"]}


def _wanted_vhosts(params):
    """The vhosts that the users and policies name, once each, in order."""
    return list(dict.fromkeys([user["vhost"] for user in params["users"]]
                              + [policy["vhost"] for policy in params["policies"]]))


def summary(definitions):
    """What the module manages of an export, without password hashes: for the diff."""
    return {
        "users": sorted(user["name"] for user in definitions.get("users", [])),
        "vhosts": sorted(vhost["name"] for vhost in definitions.get("vhosts", [])),
        "permissions": {"%s@%s" % (p["user"], p["vhost"]): _permission(p) for p in definitions.get("permissions", [])},
        "policies": {"%s/%s" % (p["vhost"], p["name"]): {key: p.get(key) for key in POLICY_KEYS}
                     for p in definitions.get("policies", [])},
    }


def plan(params, definitions, check_password):
    """The rabbitmqctl calls, as (argv, stdin) with stdin None or a password, that bring `definitions` to `params`.

    check_password(user_param, exported_user) says whether the password is right.
    """
    users = {user["name"]: user for user in definitions.get("users", [])}
    vhosts = {vhost["name"] for vhost in definitions.get("vhosts", [])}
    permissions = {(p["user"], p["vhost"]): _permission(p) for p in definitions.get("permissions", [])}
    policies = {(p["vhost"], p["name"]): {key: p.get(key) for key in POLICY_KEYS} for p in definitions.get("policies", [])}
    steps = []
    for vhost in _wanted_vhosts(params):
        if vhost not in vhosts:
            steps.append((["add_vhost", vhost], None))
    for user in params["users"]:
        name = user["name"]
        if name not in users:
            steps.append((["add_user", name], user["password"]))
        elif not check_password(user, users[name]):
            steps.append((["change_password", name], user["password"]))
        if permissions.get((name, user["vhost"])) != _permission(user):
            steps.append((["set_permissions", "-p", user["vhost"], name] + [user[k] for k in PERMISSION_KEYS], None))
    for policy in params["policies"]:
        want = _policy(policy)
        if policies.get((policy["vhost"], policy["name"])) != want:
            steps.append((["set_policy", "-p", policy["vhost"], "--priority", str(policy["priority"]),
                           "--apply-to", policy["apply_to"], policy["name"], policy["pattern"],
                           json.dumps(policy["definition"], sort_keys=True)], None))
    for name in params["absent_users"]:
        if name in users:
            steps.append((["delete_user", name], None))
    return steps


def expected(before, params):
    """The summary once the node holds what `params` ask for (the diff's after side)."""
    absent = set(params["absent_users"])
    permissions = {key: value for key, value in before["permissions"].items()
                   if not any(key.startswith(name + "@") for name in absent)}
    permissions.update({"%s@%s" % (user["name"], user["vhost"]): _permission(user) for user in params["users"]})
    policies = dict(before["policies"])
    policies.update({"%s/%s" % (policy["vhost"], policy["name"]): _policy(policy) for policy in params["policies"]})
    return {"users": sorted((set(before["users"]) | {user["name"] for user in params["users"]}) - absent),
            "vhosts": sorted(set(before["vhosts"]) | set(_wanted_vhosts(params))),
            "permissions": permissions, "policies": policies}


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        check_params(module.params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    rabbitmqctl = module.get_bin_path("rabbitmqctl", required=True)

    def ctl(argv, stdin=None, allowed=(0,)):
        rc, out, err = module.run_command([rabbitmqctl, "-q"] + argv, data=stdin, binary_data=True)
        if rc not in allowed:
            module.fail_json(msg="rabbitmqctl %s failed (rc=%d): %s" % (argv[0], rc, (err or out).strip()))
        return rc, out

    # A node that is still booting (its host has just started) refuses; wait for it once.
    rc, out = ctl(["export_definitions", "-"], allowed=range(256))
    if rc != 0:
        ctl(["await_startup", "--timeout", str(STARTUP_TIMEOUT)])
        rc, out = ctl(["export_definitions", "-"])
    definitions = json.loads(out)

    def check_password(user, exported):
        matches = password_matches(user["password"], exported)
        if matches is None:  # an algorithm this module does not know: RabbitMQ checks it
            matches = ctl(["authenticate_user", user["name"]], user["password"], (0, WRONG_PASSWORD))[0] == 0
        return matches

    steps = plan(module.params, definitions, check_password)
    if not module.check_mode:
        for argv, stdin in steps:
            ctl(argv, stdin)
    result = {"changed": bool(steps), "commands": [" ".join(argv) for argv, _stdin in steps]}
    if module._diff:
        before = summary(definitions)
        result["diff"] = {"before": before, "after": expected(before, module.params) if steps else before}
    module.exit_json(**result)

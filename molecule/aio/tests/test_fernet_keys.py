"""Keystone's fernet and credential keys live in the secrets file, and each
controller has exactly those. playbooks/fernet_rotate.yml rotates the fernet
keys as keystone-manage would: a token issued before a rotation stays valid
through it, and not through a second one (3 keys kept, the default).

memcached restarts before each token check, so that Keystone decrypts the
token with the keys on disk instead of answering from its cache of validated
tokens, which would pass whatever the keys. Keystone's retry client takes the
restart without a failed request."""

from __future__ import annotations

import openstack
import pytest
import yaml
from cloudtest import API_TIMEOUT, CLOUD, playbook, secrets_file, token_status

DIRECTORIES = {"keystone_fernet_keys": "/etc/keystone/fernet-keys",
               "keystone_credential_keys": "/etc/keystone/credential-keys"}


def repositories(request, host):
    """Keystone's key repositories in the secrets file."""
    with open(secrets_file(request, host.check_output("uname -n"))) as handle:
        secrets = yaml.safe_load(handle)
    return {name: secrets[name] for name in DIRECTORIES}


def on_disk(host):
    """The key repositories in the controller's directories, as the secrets file holds them."""
    found = {}
    for name, directory in DIRECTORIES.items():
        listing = host.check_output("cd %s && for f in *; do printf '%%s %%s\\n' $f $(cat $f); done", directory)
        found[name] = dict(line.split(" ", 1) for line in listing.splitlines())
    return found


def fresh_token():
    """A token issued now, to the admin."""
    connection = openstack.connect(cloud=CLOUD, api_timeout=API_TIMEOUT)
    try:
        return connection.auth_token
    finally:
        connection.close()


def token_status_from_keys(host, token):
    """Keystone's answer (HTTP status) to the validation of token, made with
    the keys on disk: the token cache emptied first."""
    host.run_expect([0], "systemctl restart memcached")
    return token_status(token)


def test_controller_has_the_keys_of_the_secrets_file(host, request):
    kept = repositories(request, host)
    assert on_disk(host) == kept
    assert len(kept["keystone_fernet_keys"]) >= 2 and len(kept["keystone_credential_keys"]) >= 2
    for directory in DIRECTORIES.values():
        assert host.file(directory).mode == 0o700 and host.file(directory).user == "keystone"
        assert host.check_output("stat -c '%%a %%U' %s/*", directory).splitlines() == \
            ["600 keystone"] * len(host.check_output("ls %s", directory).split())


@pytest.mark.disruptive
@pytest.mark.timeout(600)
def test_rotation_keeps_tokens_valid_through_one_rotation(host, request):
    before = repositories(request, host)
    token = fresh_token()
    assert token_status_from_keys(host, token) == 200

    rc, out = playbook(request, "fernet_rotate.yml", timeout=300)
    assert rc == 0, out[-3000:]
    after = repositories(request, host)
    fernet, old = after["keystone_fernet_keys"], before["keystone_fernet_keys"]
    # keystone-manage's rotation: the staged key is the primary one now, a new
    # staged key, the old primary kept, the credential keys untouched.
    primary = max(fernet, key=int)
    assert int(primary) == max(map(int, old)) + 1 and fernet[primary] == old["0"]
    assert fernet["0"] not in old.values()
    assert old[max(old, key=int)] in fernet.values()
    assert after["keystone_credential_keys"] == before["keystone_credential_keys"]
    assert on_disk(host) == after
    assert token_status_from_keys(host, token) == 200, "a token issued before one rotation is no longer valid"
    newer = fresh_token()

    rc, out = playbook(request, "fernet_rotate.yml", timeout=300)
    assert rc == 0, out[-3000:]
    assert on_disk(host) == repositories(request, host)
    assert token_status_from_keys(host, token) == 404, "a token is still valid after its key was rotated out"
    assert token_status_from_keys(host, newer) == 200

# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Filter that makes or rotates a Keystone key repository (fernet or credential keys)."""

from __future__ import annotations

import base64
import os

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: key_repository
short_description: Make or rotate a Keystone key repository, as keystone-manage would
version_added: 0.1.0
description:
  - A key repository is a dict of file name (the key's index, a string) to key
    (32 random bytes, URL-safe base64), as Keystone keeps it in
    C(/etc/keystone/fernet-keys/) and C(/etc/keystone/credential-keys/). Key
    C(0) is the staged key, the highest index the primary one, the others are
    secondary keys that still decrypt.
  - An empty repository gets a staged and a primary key, as C(keystone-manage
    fernet_setup) makes them. Any other is returned unchanged unless
    I(rotate) is true.
  - Rotation is that of C(keystone-manage fernet_rotate). The staged key becomes the
    primary one under the next index, a new staged key is made, and the
    oldest secondary keys go until I(max_active) keys are left. Tokens made
    with the old primary key stay valid until a later rotation drops it.
positional: _input
options:
  _input:
    description: The repository; empty or null for a new one.
    type: dict
    required: true
  rotate:
    description: Rotate the keys.
    type: bool
    default: false
  max_active:
    description: How many keys a rotation keeps, the staged one included (Keystone's C(max_active_keys)).
    type: int
    default: 3
"""

EXAMPLES = r"""
fernet_keys: "{{ nimbus_secrets.keystone_fernet_keys | default({}) | nimbus.openstack.key_repository(rotate=true) }}"
"""

RETURN = r"""
_value:
  description: The new repository, its indexes as strings.
  type: dict
"""


def new_key():
    """A fresh key in the form Keystone and cryptography's Fernet read."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def key_repository(repository, rotate=False, max_active=3):
    repository = repository or {}
    if not isinstance(repository, dict):
        raise AnsibleFilterError("key_repository: the repository must be a dict of index to key, got %r" % type(repository).__name__)
    if max_active < 2:
        raise AnsibleFilterError("key_repository: max_active must be at least 2 (a staged and a primary key), got %r" % max_active)
    try:
        keys = {int(index): key for index, key in repository.items()}
    except (TypeError, ValueError) as error:
        raise AnsibleFilterError("key_repository: every index must be a whole number: %s" % error) from error
    if keys and 0 not in keys:
        raise AnsibleFilterError("key_repository: the repository has no staged key (index 0): %s" % sorted(keys))
    if not keys:
        keys = {0: new_key(), 1: new_key()}
    elif rotate:
        primary = max(keys) + 1
        keys[primary] = keys.pop(0)
        # The old keys without the new primary: the oldest go first.
        older = sorted(index for index in keys if index != primary)
        for index in older[:max(0, len(older) - (max_active - 2))]:
            del keys[index]
        keys[0] = new_key()
    return {str(index): keys[index] for index in sorted(keys)}


class FilterModule:
    def filters(self):
        return {"key_repository": key_repository}

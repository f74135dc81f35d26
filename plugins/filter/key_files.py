# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Filter that lists the files of Keystone key repositories."""

from __future__ import annotations

import hashlib

DOCUMENTATION = r"""
name: key_files
short_description: The files that hold Keystone key repositories, the newest key of each first
version_added: 0.1.0
description:
  - Turns key repositories (see P(nimbus.openstack.key_repository#filter))
    into the files Keystone reads, each repository's highest index first.
    Written in that order during a rotation, the new primary key is on disk
    before the staged key it was is replaced.
positional: _input, repositories
options:
  _input:
    description: Name of each repository in I(repositories), and the directory of its files.
    type: dict
    required: true
  repositories:
    description: The repositories by name, each a dict of index to key.
    type: dict
    required: true
"""

EXAMPLES = r"""
loop: "{{ {'keystone_fernet_keys': '/etc/keystone/fernet-keys'} | nimbus.openstack.key_files(nimbus_secrets) }}"
"""

RETURN = r"""
_value:
  description:
    - One C({path, key, state}) per key. C(state) is C(<path>:<SHA-1 of the
      key>:0600:keystone), to compare with what M(ansible.builtin.find) says of
      the files on disk (C(path), C(checksum), C(mode), C(pw_name)), so that only
      files that differ are written.
  type: list
  elements: dict
"""


def key_files(directories, repositories):
    files = []
    for name, directory in directories.items():
        for index in sorted(repositories[name], key=int, reverse=True):
            path = "%s/%s" % (directory.rstrip("/"), index)
            key = repositories[name][index]
            state = "%s:%s:0600:keystone" % (path, hashlib.sha1(key.encode()).hexdigest())
            files.append({"path": path, "key": key, "state": state})
    return files


class FilterModule:
    def filters(self):
        return {"key_files": key_files}

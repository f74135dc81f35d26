#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

# Its action plugin (plugins/action/config_file.py) runs this module on the host
# and masks the secrets in the diff it returns.

from __future__ import annotations

DOCUMENTATION = r"""
module: config_file
short_description: Write a service's configuration file, with a diff that masks its secrets
version_added: 0.1.0
description:
  - Writes rendered configuration text to a file on the host, as
    M(ansible.builtin.copy) with O(content) does, so that the task need not be
    C(no_log). One module run on the host compares, writes when the content
    differs (atomically) and sets what differs of owner, group and mode; copy
    needs two runs for a file that is already right.
  - With C(--diff), shows the lines that change, with the value of every option
    whose name says it holds a secret (C(password), C(*secret*), C(*token*),
    C(*_key), C(transport_url), C(connection)) and the password of every URL
    replaced by C(********). The task's options and the file's content are
    never part of its result.
options:
  content:
    description: The file's whole content.
    type: str
    required: true
  dest:
    description: Path of the file on the host.
    type: path
    required: true
  owner:
    description: Owner of the file.
    type: str
  group:
    description: Group of the file.
    type: str
  mode:
    description: Mode of the file, as a quoted octal string (V("0640")).
    type: raw
extends_documentation_fragment:
  - nimbus.openstack.attributes
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Write glance-api.conf
  nimbus.openstack.config_file:
    content: "{{ lookup('ansible.builtin.template', 'glance-api.conf.j2') }}"
    dest: /etc/glance/glance-api.conf
    owner: root
    group: glance
    mode: "0640"
"""

RETURN = r"""
dest:
  description: Path of the file.
  returned: success
  type: str
checksum:
  description: SHA1 checksum of the content.
  returned: success
  type: str
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.host._config_file import run_module


def main():
    run_module()


if __name__ == "__main__":
    main()

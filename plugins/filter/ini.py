# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Filter that merges `<role>_<file>_overrides` into a rendered INI file."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.nimbus.openstack.plugins.module_utils.config._ini import merge_ini

DOCUMENTATION = r"""
name: ini_merge
short_description: Merge a dict of sections and keys into INI text
version_added: 0.1.0
description:
  - Every service role renders its configuration from a template, then merges
    the operator's C(<role>_<file>_overrides) on top with this filter, so any
    option can be set without changing a template.
  - A key that exists in its section is replaced in place; a new key goes at
    the end of its section; a new section at the end of the file. Comments and
    order are kept. A value of V(null) removes the key.
  - The section name C("") stands for the lines before the first section
    header, for files of plain C(key = value) lines such as rabbitmq.conf.
  - Booleans become C(true)/C(false); lists are joined with commas.
positional: _input, overrides
options:
  _input:
    description: Rendered INI text.
    type: str
    required: true
  overrides:
    description: Sections (C(DEFAULT) included) mapping option names to values.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Write keystone.conf with the operator's overrides on top
  ansible.builtin.copy:
    content: "{{ lookup('ansible.builtin.template', 'keystone.conf.j2') | nimbus.openstack.ini_merge(keystone_keystone_conf_overrides) }}"
    dest: /etc/keystone/keystone.conf
    mode: "0640"
"""

RETURN = r"""
_value:
  description: The merged INI text.
  type: str
"""


def ini_merge(text, overrides):
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise AnsibleFilterError("ini_merge: overrides must map section names to dicts of options, got %r"
                                 % (overrides,))
    return merge_ini(str(text), overrides)


class FilterModule:
    def filters(self):
        return {"ini_merge": ini_merge}

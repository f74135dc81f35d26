#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: domain
short_description: Create, update and delete OpenStack identity domains
version_added: 0.1.0
description:
  - Makes sure a Keystone domain exists with the given properties, or is absent.
  - A domain is identified by its O(name). Options left unset are left as they
    are on an existing domain.
  - Keystone deletes only a disabled domain, and with it every project, user
    and group it holds; O(state=absent) disables the domain first.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the domain.
    type: str
    required: true
  description:
    description:
      - Description of the domain.
    type: str
  is_enabled:
    description:
      - Whether the domain is enabled. Keystone enables new domains unless told
        otherwise.
    type: bool
    aliases: [enabled]
  state:
    description:
      - V(present) creates the domain or updates it; V(absent) disables and
        deletes it.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: The domain Heat makes its stack users in
  nimbus.openstack.domain:
    cloud: admin
    name: heat
    description: Users and projects of Heat stacks

- name: Delete a domain with all it holds
  nimbus.openstack.domain:
    cloud: admin
    name: old-partner
    state: absent
"""

RETURN = r"""
domain:
  description:
    - The domain as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the domain; V(null) when it is to be created in check mode.
      type: str
      sample: 5a75994a383c449184053ff7270c4e91
    name:
      description: Name of the domain.
      type: str
      sample: heat
    description:
      description: Description of the domain.
      type: str
    is_enabled:
      description: Whether the domain is enabled.
      type: bool
    links:
      description: Links to the domain in the API.
      type: dict
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._identity import DomainResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    description=dict(type="str"),
    is_enabled=dict(type="bool", aliases=["enabled"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = DomainResource(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

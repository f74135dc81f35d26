#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: role
short_description: Create, update and delete OpenStack identity roles
version_added: 0.1.0
description:
  - Makes sure a global Keystone role exists, or is absent.
  - A role is identified by its O(name). Options left unset are left as they
    are on an existing role.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the role.
    type: str
    required: true
  description:
    description:
      - Description of the role.
    type: str
  state:
    description:
      - V(present) creates the role or updates it; V(absent) deletes it, and
        with it every assignment of it.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Make sure the service role exists
  nimbus.openstack.role:
    cloud: admin
    name: service

- name: Delete a role
  nimbus.openstack.role:
    cloud: admin
    name: obsolete
    state: absent
"""

RETURN = r"""
role:
  description:
    - The role as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the role; V(null) when it is to be created in check mode.
      type: str
      sample: 9fe2ff9ee4384b1894a90878d3e92bab
    name:
      description: Name of the role.
      type: str
      sample: service
    description:
      description: Description of the role.
      type: str
    domain_id:
      description: Domain of a domain-specific role; V(null) for a global role.
      type: str
    options:
      description: Resource options of the role.
      type: dict
    links:
      description: Links to the role in the API.
      type: dict
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._identity import RoleResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    description=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = RoleResource(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: role_assignment
short_description: Grant and revoke OpenStack identity roles
version_added: 0.1.0
description:
  - Makes sure a user or a group has a role on a project, on a domain or on the
    system, or does not have it.
  - Manages direct assignments only; roles inherited from a parent project or
    a domain (C(OS-INHERIT)) are neither counted nor changed.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  role:
    description:
      - The role, by name or ID.
    type: str
    required: true
  user:
    description:
      - The user who gets the role, by name or ID.
      - Exactly one of O(user) and O(group) is required.
    type: str
  user_domain:
    description:
      - Domain, by name or ID, in which to look up O(user).
    type: str
  group:
    description:
      - The group that gets the role, by name or ID.
    type: str
  group_domain:
    description:
      - Domain, by name or ID, in which to look up O(group).
    type: str
  project:
    description:
      - The project on which the role is given, by name or ID.
      - Exactly one of O(project), O(domain) and O(system) is required.
    type: str
  project_domain:
    description:
      - Domain, by name or ID, in which to look up O(project).
    type: str
  domain:
    description:
      - The domain on which the role is given, by name or ID.
    type: str
  system:
    description:
      - Gives the role on the whole system.
    type: str
    choices: [all]
  state:
    description:
      - V(present) grants the role; V(absent) revokes it.
      - With V(absent), a role, user, group, project or domain that does not
        exist means there is nothing to revoke.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Give the nova user the admin role on the service project
  nimbus.openstack.role_assignment:
    cloud: admin
    role: admin
    user: nova
    user_domain: Default
    project: service
    project_domain: Default

- name: Make a group reader of the whole system
  nimbus.openstack.role_assignment:
    cloud: admin
    role: reader
    group: auditors
    group_domain: Default
    system: all

- name: Revoke a role on a domain
  nimbus.openstack.role_assignment:
    cloud: admin
    role: member
    user: alice
    domain: Default
    state: absent
"""

RETURN = r"""
role_assignment:
  description:
    - The assignment, by IDs; the fields that do not apply are V(null).
  returned: when O(state=present)
  type: dict
  contains:
    role_id:
      description: ID of the role.
      type: str
    user_id:
      description: ID of the user.
      type: str
    group_id:
      description: ID of the group.
      type: str
    project_id:
      description: ID of the project.
      type: str
    domain_id:
      description: ID of the domain the role is given on.
      type: str
    system:
      description: The system the role is given on.
      type: str
      sample: all
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._identity import RoleAssignmentResource

ARGUMENT_SPEC = dict(
    role=dict(type="str", required=True),
    user=dict(type="str"),
    user_domain=dict(type="str"),
    group=dict(type="str"),
    group_domain=dict(type="str"),
    project=dict(type="str"),
    project_domain=dict(type="str"),
    domain=dict(type="str"),
    system=dict(type="str", choices=["all"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


REQUIRED_ONE_OF = [("user", "group"), ("project", "domain", "system")]
MUTUALLY_EXCLUSIVE = [("user", "group"), ("project", "domain", "system"), ("user_domain", "group"), ("group_domain", "user")]


def main():
    module = RoleAssignmentResource(ARGUMENT_SPEC, supports_check_mode=True, required_one_of=REQUIRED_ONE_OF, mutually_exclusive=MUTUALLY_EXCLUSIVE)
    module.execute()


if __name__ == "__main__":
    main()

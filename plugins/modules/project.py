#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: project
short_description: Create, update and delete OpenStack identity projects
version_added: 0.1.0
description:
  - Makes sure a Keystone project exists with the given properties, or is absent.
  - A project is identified by its O(name) and O(domain). Options left unset
    are left as they are on an existing project.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the project.
    type: str
    required: true
  domain:
    description:
      - Domain of the project, by name or ID.
      - Without it, the project is looked for in every domain (the task fails
        if several domains have a project of that name) and created in the
        domain of the credentials.
    type: str
    aliases: [domain_id]
  description:
    description:
      - Description of the project.
    type: str
  is_enabled:
    description:
      - Whether the project is enabled. Keystone enables new projects unless
        told otherwise.
    type: bool
    aliases: [enabled]
  state:
    description:
      - V(present) creates the project or updates it; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Create a project
  nimbus.openstack.project:
    cloud: admin
    name: demo
    domain: Default
    description: Demo project
    enabled: true

- name: Disable it, leaving everything else as it is
  nimbus.openstack.project:
    cloud: admin
    name: demo
    domain: Default
    enabled: false

- name: Delete it
  nimbus.openstack.project:
    cloud: admin
    name: demo
    domain: Default
    state: absent
"""

RETURN = r"""
project:
  description:
    - The project as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the project; V(null) when it is to be created in check mode.
      type: str
      sample: 3c1bd3a1d4f44d3fa3bdf8e4f4fd6ae5
    name:
      description: Name of the project.
      type: str
      sample: demo
    description:
      description: Description of the project.
      type: str
    domain_id:
      description: ID of the domain of the project.
      type: str
      sample: default
    is_enabled:
      description: Whether the project is enabled.
      type: bool
    is_domain:
      description: Whether the project is a domain.
      type: bool
    parent_id:
      description: ID of the parent project (the domain for a top-level project).
      type: str
    options:
      description: Resource options of the project.
      type: dict
    tags:
      description: Tags of the project.
      type: list
      elements: str
    links:
      description: Links to the project in the API.
      type: dict
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._identity import ProjectResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    domain=dict(type="str", aliases=["domain_id"]),
    description=dict(type="str"),
    is_enabled=dict(type="bool", aliases=["enabled"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = ProjectResource(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

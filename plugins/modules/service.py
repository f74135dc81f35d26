#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: service
short_description: Create, update and delete services in the OpenStack service catalog
version_added: 0.1.0
description:
  - Makes sure a service of the Keystone catalog exists with the given
    properties, or is absent.
  - A service is identified by its O(name) and O(type). Options left unset are
    left as they are on an existing service.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the service, for example C(nova).
    type: str
    required: true
  type:
    description:
      - Type of the service, for example C(compute).
    type: str
    required: true
    aliases: [service_type]
  description:
    description:
      - Description of the service.
    type: str
  is_enabled:
    description:
      - Whether the service is enabled. Keystone enables new services unless
        told otherwise.
    type: bool
    aliases: [enabled]
  state:
    description:
      - V(present) creates the service or updates it; V(absent) deletes it, and
        with it its endpoints.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Register the compute service
  nimbus.openstack.service:
    cloud: admin
    name: nova
    type: compute
    description: OpenStack Compute

- name: Remove it from the catalog
  nimbus.openstack.service:
    cloud: admin
    name: nova
    type: compute
    state: absent
"""

RETURN = r"""
service:
  description:
    - The service as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the service; V(null) when it is to be created in check mode.
      type: str
      sample: 1999c3a6a5c04b3f9a4c0b0a1c2d3e4f
    name:
      description: Name of the service.
      type: str
      sample: nova
    type:
      description: Type of the service.
      type: str
      sample: compute
    description:
      description: Description of the service.
      type: str
    is_enabled:
      description: Whether the service is enabled.
      type: bool
    links:
      description: Links to the service in the API.
      type: dict
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._identity import ServiceResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    type=dict(type="str", required=True, aliases=["service_type"]),
    description=dict(type="str"),
    is_enabled=dict(type="bool", aliases=["enabled"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = ServiceResource(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

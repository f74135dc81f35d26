#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: endpoint
short_description: Create, update and delete endpoints in the OpenStack service catalog
version_added: 0.1.0
description:
  - Makes sure an endpoint of a service in the Keystone catalog exists with the
    given properties, or is absent.
  - An endpoint is identified by its O(service), O(endpoint_interface) and
    O(region).
    Options left unset are left as they are on an existing endpoint.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  service:
    description:
      - The service of the endpoint, by name or ID.
    type: str
    required: true
    aliases: [service_id]
  endpoint_interface:
    description:
      - Interface of the endpoint (the C(interface) attribute of an endpoint
        in openstacksdk and Keystone).
      - Not to be confused with O(interface), the interface this module uses
        to reach the cloud.
    type: str
    required: true
    choices: [admin, internal, public]
  url:
    description:
      - URL of the endpoint.
      - Required with O(state=present).
    type: str
  region:
    description:
      - ID of the region of the endpoint, for example C(RegionOne). The region
        must exist (C(keystone-manage bootstrap) creates one).
      - Without it, the endpoint is looked for in every region (the task fails
        if the service has that interface in several regions) and created
        without a region.
    type: str
    aliases: [region_id]
  is_enabled:
    description:
      - Whether the endpoint is enabled. Keystone enables new endpoints unless
        told otherwise.
    type: bool
    aliases: [enabled]
  state:
    description:
      - V(present) creates the endpoint or updates it; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Register the endpoints of the compute service
  nimbus.openstack.endpoint:
    cloud: admin
    service: nova
    endpoint_interface: "{{ item.interface }}"
    url: "{{ item.url }}"
    region: RegionOne
  loop:
    - {interface: public, url: "http://controller:8774/v2.1"}
    - {interface: internal, url: "http://controller:8774/v2.1"}
    - {interface: admin, url: "http://controller:8774/v2.1"}

- name: Remove the admin endpoint
  nimbus.openstack.endpoint:
    cloud: admin
    service: nova
    endpoint_interface: admin
    region: RegionOne
    state: absent
"""

RETURN = r"""
endpoint:
  description:
    - The endpoint as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the endpoint; V(null) when it is to be created in check mode.
      type: str
      sample: 6f4d4e0d7b5a4c3e8f9a0b1c2d3e4f5a
    service_id:
      description: ID of the service of the endpoint.
      type: str
    interface:
      description: Interface of the endpoint.
      type: str
      sample: public
    url:
      description: URL of the endpoint.
      type: str
      sample: http://controller:8774/v2.1
    region_id:
      description: ID of the region of the endpoint.
      type: str
      sample: RegionOne
    is_enabled:
      description: Whether the endpoint is enabled.
      type: bool
    links:
      description: Links to the endpoint in the API.
      type: dict
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._identity import EndpointResource

ARGUMENT_SPEC = dict(
    service=dict(type="str", required=True, aliases=["service_id"]),
    endpoint_interface=dict(type="str", required=True, choices=["admin", "internal", "public"]),
    url=dict(type="str"),
    region=dict(type="str", aliases=["region_id"]),
    is_enabled=dict(type="bool", aliases=["enabled"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = EndpointResource(ARGUMENT_SPEC, supports_check_mode=True, required_if=[("state", "present", ["url"])])
    module.execute()


if __name__ == "__main__":
    main()

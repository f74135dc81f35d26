#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: router
short_description: Create, update and delete OpenStack routers, their gateway and interfaces
version_added: 0.1.0
description:
  - Makes sure a Neutron router exists with the given properties, external
    gateway and interfaces, or is absent.
  - A router is identified by its O(name) and O(project). Options left unset
    are left as they are on an existing router.
  - Interfaces (router ports on subnets) are added and removed to match
    O(interfaces); see O(purge_interfaces).
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the router.
    type: str
    required: true
  project:
    description:
      - Project that owns the router, by name or ID; only set when the router
        is created.
      - Without it, the router is looked for among every router the
        credentials can see (the task fails if several have that name) and
        created in the project of the credentials.
    type: str
    aliases: [project_id]
  description:
    description:
      - Description of the router.
    type: str
  is_admin_state_up:
    description:
      - Administrative state of the router. Neutron makes new routers up
        unless told otherwise.
    type: bool
    aliases: [admin_state_up]
  external_gateway_network:
    description:
      - External network of the router's gateway, by name or ID.
      - The empty string removes the gateway. Unset, the gateway is left as it is.
    type: str
    aliases: [network, external_network]
  enable_snat:
    description:
      - Whether the router translates the source address of traffic leaving
        through its gateway. Requires O(external_gateway_network).
      - Neutron enables it unless told otherwise; by default only
        administrators may set it.
    type: bool
  external_fixed_ips:
    description:
      - Addresses of the gateway on the external network; the whole list.
        Requires O(external_gateway_network). Unset, Neutron picks them.
      - By default only administrators may set them.
    type: list
    elements: dict
    suboptions:
      subnet:
        description: Subnet of the external network, by name or ID.
        type: str
        required: true
      ip_address:
        description: Address on that subnet; unset, any address of it.
        type: str
  interfaces:
    description:
      - Subnets the router has an interface on. An entry is a subnet's name or
        ID (the interface takes the subnet's gateway address), or a dictionary
        with C(subnet) and C(ip_address) (a port with that address is made for
        the interface).
      - Unset, the interfaces are left as they are.
    type: list
    elements: raw
  purge_interfaces:
    description:
      - Remove the interfaces that O(interfaces) does not list. With V(false),
        O(interfaces) are only added.
      - Has no effect when O(interfaces) is unset.
    type: bool
    default: true
  state:
    description:
      - V(present) creates the router or updates it; V(absent) removes its
        interfaces and deletes it.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Router with its gateway on the external network and an interface on a subnet
  nimbus.openstack.router:
    cloud: demo
    name: router1
    external_gateway_network: public
    interfaces:
      - private-v4

- name: A second interface at a chosen address, keeping the others
  nimbus.openstack.router:
    cloud: demo
    name: router1
    interfaces:
      - subnet: backend-v4
        ip_address: 10.20.0.254
    purge_interfaces: false

- name: Gateway without source NAT, at a fixed address (administrators)
  nimbus.openstack.router:
    cloud: admin
    name: router1
    external_gateway_network: public
    enable_snat: false
    external_fixed_ips:
      - subnet: public-v4
        ip_address: 203.0.113.10

- name: Remove the gateway
  nimbus.openstack.router:
    cloud: demo
    name: router1
    external_gateway_network: ""

- name: Delete the router (its interfaces first)
  nimbus.openstack.router:
    cloud: demo
    name: router1
    state: absent
"""

RETURN = r"""
router:
  description:
    - The router as it is after the task (as predicted, in check mode), with
      its interfaces.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the router; V(null) when it is to be created in check mode.
      type: str
      sample: 8d7c1f0e-4b2a-4e8b-9a35-2c6f1d9e0b11
    name:
      description: Name of the router.
      type: str
      sample: router1
    description:
      description: Description of the router.
      type: str
    project_id:
      description: ID of the project that owns the router.
      type: str
    status:
      description: Status of the router, such as V(ACTIVE).
      type: str
    is_admin_state_up:
      description: Administrative state of the router.
      type: bool
    external_gateway_info:
      description:
        - The gateway, V(null) without one.
      type: dict
      contains:
        network_id:
          description: ID of the external network.
          type: str
        enable_snat:
          description: Whether source NAT is on.
          type: bool
        external_fixed_ips:
          description: Addresses of the gateway.
          type: list
          elements: dict
          sample: [{"subnet_id": "5e1f...", "ip_address": "203.0.113.10"}]
    interfaces:
      description:
        - The router's interfaces, one per address of each interface port,
          sorted by subnet.
        - In check mode, interfaces still to be made have a C(port_id) of
          V(null), and a C(ip_address) of V(null) when Neutron is to pick it.
      type: list
      elements: dict
      contains:
        subnet_id:
          description: ID of the subnet.
          type: str
        ip_address:
          description: Address of the router on the subnet.
          type: str
          sample: 10.10.0.1
        port_id:
          description: ID of the interface's port.
          type: str
    is_distributed:
      description: Whether the router is distributed (DVR).
      type: bool
    is_ha:
      description: Whether the router is highly available (L3 HA).
      type: bool
    routes:
      description: Extra routes of the router.
      type: list
      elements: dict
    availability_zones:
      description: Availability zones of the router.
      type: list
      elements: str
    tags:
      description: Tags of the router.
      type: list
      elements: str
    revision_number:
      description: Revision of the router, raised by each change.
      type: int
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._network import RouterResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    project=dict(type="str", aliases=["project_id"]),
    description=dict(type="str"),
    is_admin_state_up=dict(type="bool", aliases=["admin_state_up"]),
    external_gateway_network=dict(type="str", aliases=["network", "external_network"]),
    enable_snat=dict(type="bool"),
    external_fixed_ips=dict(type="list", elements="dict", options=dict(
        subnet=dict(type="str", required=True),
        ip_address=dict(type="str"),
    )),
    interfaces=dict(type="list", elements="raw"),
    purge_interfaces=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)

# The gateway's details only make sense with the gateway's network.
REQUIRED_BY = {"enable_snat": "external_gateway_network", "external_fixed_ips": "external_gateway_network"}


def main():
    module = RouterResource(ARGUMENT_SPEC, supports_check_mode=True, required_by=REQUIRED_BY)
    module.execute()


if __name__ == "__main__":
    main()

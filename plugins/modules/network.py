#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: network
short_description: Create, update and delete OpenStack networks
version_added: 0.1.0
description:
  - Makes sure a Neutron network exists with the given properties, or is absent.
  - A network is identified by its O(name) and O(project). Options left unset
    are left as they are on an existing network.
  - The provider options (O(provider_network_type), O(provider_physical_network),
    O(provider_segmentation_id)) and O(project) can only be set when the
    network is created; asking to change them on an existing network fails
    the task. Neutron lets only administrators set them.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the network.
    type: str
    required: true
  project:
    description:
      - Project that owns the network, by name or ID.
      - Without it, the network is looked for among every network the
        credentials can see (the task fails if several have that name) and
        created in the project of the credentials.
    type: str
    aliases: [project_id]
  description:
    description:
      - Description of the network.
    type: str
  is_admin_state_up:
    description:
      - Administrative state of the network. Neutron makes new networks up
        unless told otherwise.
    type: bool
    aliases: [admin_state_up]
  is_router_external:
    description:
      - Whether routers can have their external gateway on this network
        (floating IPs come from it).
    type: bool
    aliases: [external, router_external]
  is_shared:
    description:
      - Whether every project can use the network.
    type: bool
    aliases: [shared]
  is_port_security_enabled:
    description:
      - Default of port security (security groups, anti-spoofing) for ports
        made on the network.
    type: bool
    aliases: [port_security_enabled]
  mtu:
    description:
      - MTU of the network. Neutron derives it from the network type unless told
        otherwise (1450 for VXLAN on a 1500-byte underlay).
    type: int
  provider_network_type:
    description:
      - Type of the network's segment, such as V(flat), V(vlan) or V(vxlan).
      - Without it, Neutron makes a tenant network of its default type.
    type: str
    aliases: [network_type, provider_type]
  provider_physical_network:
    description:
      - Physical network of a V(flat) or V(vlan) network, as named in the
        deployment's bridge or interface mappings (for example V(external)).
    type: str
    aliases: [physical_network]
  provider_segmentation_id:
    description:
      - VLAN ID or VXLAN VNI of the network.
    type: int
    aliases: [segmentation_id]
  state:
    description:
      - V(present) creates the network or updates it; V(absent) deletes it.
      - Neutron refuses to delete a network that still has ports in use
        (servers, router interfaces).
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: External network on the physical network "external"
  nimbus.openstack.network:
    cloud: admin
    name: public
    external: true
    provider_network_type: flat
    provider_physical_network: external

- name: Tenant network of the credentials' project (VXLAN by default)
  nimbus.openstack.network:
    cloud: demo
    name: private

- name: Delete it
  nimbus.openstack.network:
    cloud: demo
    name: private
    state: absent
"""

RETURN = r"""
network:
  description:
    - The network as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the network; V(null) when it is to be created in check mode.
      type: str
      sample: 0b7e1a5c-29f8-4c9e-9a8e-1bcb2d4a6f10
    name:
      description: Name of the network.
      type: str
      sample: public
    description:
      description: Description of the network.
      type: str
    project_id:
      description: ID of the project that owns the network.
      type: str
    status:
      description: Status of the network, such as V(ACTIVE).
      type: str
    is_admin_state_up:
      description: Administrative state of the network.
      type: bool
    is_router_external:
      description: Whether the network is external.
      type: bool
    is_shared:
      description: Whether the network is shared with every project.
      type: bool
    is_port_security_enabled:
      description: Default port security of its ports.
      type: bool
    mtu:
      description: MTU of the network.
      type: int
      sample: 1450
    provider_network_type:
      description: Type of the network's segment (V(null) for non-administrators).
      type: str
      sample: vxlan
    provider_physical_network:
      description: Physical network of the segment.
      type: str
    provider_segmentation_id:
      description: VLAN ID or VNI of the segment.
      type: int
    subnet_ids:
      description: IDs of the network's subnets.
      type: list
      elements: str
    availability_zones:
      description: Availability zones of the network.
      type: list
      elements: str
    tags:
      description: Tags of the network.
      type: list
      elements: str
    revision_number:
      description: Revision of the network, raised by each change.
      type: int
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._network import NetworkResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    project=dict(type="str", aliases=["project_id"]),
    description=dict(type="str"),
    is_admin_state_up=dict(type="bool", aliases=["admin_state_up"]),
    is_router_external=dict(type="bool", aliases=["external", "router_external"]),
    is_shared=dict(type="bool", aliases=["shared"]),
    is_port_security_enabled=dict(type="bool", aliases=["port_security_enabled"]),
    mtu=dict(type="int"),
    provider_network_type=dict(type="str", aliases=["network_type", "provider_type"]),
    provider_physical_network=dict(type="str", aliases=["physical_network"]),
    provider_segmentation_id=dict(type="int", aliases=["segmentation_id"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = NetworkResource(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

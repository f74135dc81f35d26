#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: subnet
short_description: Create, update and delete OpenStack subnets
version_added: 0.1.0
description:
  - Makes sure a Neutron subnet exists with the given properties, or is absent.
  - A subnet is identified by its O(name) and its O(network). Options left unset
    are left as they are on an existing subnet; a list that is set
    (O(allocation_pools), O(dns_nameservers), O(host_routes)) is the whole list.
  - O(network), O(cidr), O(ip_version) and the IPv6 modes can only be set when
    the subnet is created; asking to change them on an existing subnet fails
    the task.
  - Addresses are compared in canonical form, so V(2001:DB8::/64) and
    V(2001:db8::/64) are the same.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the subnet.
    type: str
    required: true
  network:
    description:
      - The network of the subnet, by name or ID.
    type: str
    required: true
    aliases: [network_id, network_name]
  cidr:
    description:
      - Addresses of the subnet, such as V(192.0.2.0/24).
      - Required to create a subnet.
    type: str
  ip_version:
    description:
      - IP version of the subnet. Without it, the version of O(cidr).
    type: int
    choices: [4, 6]
  gateway_ip:
    description:
      - Gateway address of the subnet. Neutron takes the first address of
        O(cidr) unless told otherwise.
    type: str
  disable_gateway_ip:
    description:
      - Give the subnet no gateway (removes the gateway of an existing subnet).
      - Unset or V(false), the gateway is as O(gateway_ip) says.
    type: bool
  is_dhcp_enabled:
    description:
      - Whether Neutron serves DHCP on the subnet. Neutron enables it on new
        subnets unless told otherwise.
    type: bool
    aliases: [enable_dhcp, dhcp_enabled]
  allocation_pools:
    description:
      - Ranges from which Neutron gives addresses to ports. Neutron takes the
        whole of O(cidr) but the gateway unless told otherwise.
      - Compared without regard to order.
    type: list
    elements: dict
    suboptions:
      start:
        description: First address of the range.
        type: str
        required: true
      end:
        description: Last address of the range.
        type: str
        required: true
  dns_nameservers:
    description:
      - DNS servers that DHCP hands out, in order.
    type: list
    elements: str
  host_routes:
    description:
      - Routes that DHCP hands out. Compared without regard to order.
    type: list
    elements: dict
    suboptions:
      destination:
        description: Destination network, such as V(198.51.100.0/24).
        type: str
        required: true
      nexthop:
        description: Address of the next hop.
        type: str
        required: true
  ipv6_address_mode:
    description:
      - How IPv6 addresses are given to ports.
    type: str
    choices: [dhcpv6-stateful, dhcpv6-stateless, slaac]
  ipv6_ra_mode:
    description:
      - How IPv6 router advertisements are sent.
    type: str
    choices: [dhcpv6-stateful, dhcpv6-stateless, slaac]
  description:
    description:
      - Description of the subnet.
    type: str
  state:
    description:
      - V(present) creates the subnet or updates it; V(absent) deletes it.
      - With V(absent), a network that does not exist means there is nothing
        to delete.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Subnet of an external network, for router gateways and floating IPs
  nimbus.openstack.subnet:
    cloud: admin
    name: public-v4
    network: public
    cidr: 203.0.113.0/24
    gateway_ip: 203.0.113.1
    enable_dhcp: false
    allocation_pools:
      - start: 203.0.113.100
        end: 203.0.113.200

- name: Tenant subnet with DNS servers
  nimbus.openstack.subnet:
    cloud: demo
    name: private-v4
    network: private
    cidr: 10.10.0.0/24
    dns_nameservers: [192.0.2.53]

- name: Delete it
  nimbus.openstack.subnet:
    cloud: demo
    name: private-v4
    network: private
    state: absent
"""

RETURN = r"""
subnet:
  description:
    - The subnet as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the subnet; V(null) when it is to be created in check mode.
      type: str
      sample: 3c6b2e1a-7d0f-4a55-8d1b-6f0a8c2e9b47
    name:
      description: Name of the subnet.
      type: str
    network_id:
      description: ID of its network.
      type: str
    project_id:
      description: ID of the project that owns the subnet.
      type: str
    cidr:
      description: Addresses of the subnet.
      type: str
      sample: 10.10.0.0/24
    ip_version:
      description: IP version.
      type: int
      sample: 4
    gateway_ip:
      description: Gateway address; V(null) without a gateway.
      type: str
      sample: 10.10.0.1
    is_dhcp_enabled:
      description: Whether DHCP is served.
      type: bool
    allocation_pools:
      description: Ranges of addresses given to ports.
      type: list
      elements: dict
      sample: [{"start": "10.10.0.2", "end": "10.10.0.254"}]
    dns_nameservers:
      description: DNS servers handed out by DHCP.
      type: list
      elements: str
    host_routes:
      description: Routes handed out by DHCP.
      type: list
      elements: dict
    ipv6_address_mode:
      description: IPv6 address mode.
      type: str
    ipv6_ra_mode:
      description: IPv6 router advertisement mode.
      type: str
    description:
      description: Description of the subnet.
      type: str
    revision_number:
      description: Revision of the subnet, raised by each change.
      type: int
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._network import SubnetResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    network=dict(type="str", required=True, aliases=["network_id", "network_name"]),
    cidr=dict(type="str"),
    ip_version=dict(type="int", choices=[4, 6]),
    gateway_ip=dict(type="str"),
    disable_gateway_ip=dict(type="bool"),
    is_dhcp_enabled=dict(type="bool", aliases=["enable_dhcp", "dhcp_enabled"]),
    allocation_pools=dict(type="list", elements="dict", options=dict(
        start=dict(type="str", required=True),
        end=dict(type="str", required=True),
    )),
    dns_nameservers=dict(type="list", elements="str"),
    host_routes=dict(type="list", elements="dict", options=dict(
        destination=dict(type="str", required=True),
        nexthop=dict(type="str", required=True),
    )),
    ipv6_address_mode=dict(type="str", choices=["dhcpv6-stateful", "dhcpv6-stateless", "slaac"]),
    ipv6_ra_mode=dict(type="str", choices=["dhcpv6-stateful", "dhcpv6-stateless", "slaac"]),
    description=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = SubnetResource(ARGUMENT_SPEC, supports_check_mode=True,
                            mutually_exclusive=[("gateway_ip", "disable_gateway_ip")])
    module.execute()


if __name__ == "__main__":
    main()

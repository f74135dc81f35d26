#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: port
short_description: Create, update and delete OpenStack ports
version_added: 0.1.0
description:
  - Makes sure a Neutron port exists with the given properties, or is absent.
  - A port is identified by its O(name), its O(network) and its O(project)
    (those set). Options left unset are left as they are on an existing
    port; a list that is set (O(fixed_ips), O(security_groups)) is the whole
    list.
  - O(network) and O(project) can only be set when the port is created.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the port.
    type: str
    required: true
  network:
    description:
      - Network of the port, by name or ID. Needed to create a port.
      - Without it, the port is looked for among every port the credentials
        can see (the task fails if several have that name).
    type: str
    aliases: [network_id]
  project:
    description:
      - Project that owns the port, by name or ID; only set when the port is
        created. Without it, the port is made in the project of the credentials.
    type: str
    aliases: [project_id]
  description:
    description:
      - Description of the port.
    type: str
  fixed_ips:
    description:
      - Addresses of the port; the whole list (V([]) for none). Unset,
        Neutron gives a new port an address on each subnet of its network,
        and leaves those of an existing port as they are.
      - An entry without C(ip_address) is satisfied by any address on its
        subnet; an existing port keeps the address it has there.
    type: list
    elements: dict
    suboptions:
      subnet:
        description:
          - Subnet of the address, by name or ID (among the subnets of
            O(network) when it is set).
        type: str
      ip_address:
        description:
          - The address. Unset, Neutron picks one on O(fixed_ips[].subnet).
        type: str
  security_groups:
    description:
      - Security groups of the port, by name or ID; the whole list, compared
        without regard to order. V([]) means none.
      - Names are looked up in the port's project (O(project), or the project
        of the credentials), as every project has its own V(default) group.
      - Unset, Neutron gives a new port (with port security) the V(default)
        group of its project, and leaves those of an existing port as they are.
    type: list
    elements: str
  is_port_security_enabled:
    description:
      - Whether Neutron filters the port's traffic (security groups, address
        spoofing). Unset, a new port takes its network's setting.
      - Neutron disables it only on a port without security groups; set
        O(security_groups=[]) with it.
    type: bool
    aliases: [port_security_enabled]
  is_admin_state_up:
    description:
      - Administrative state of the port. Neutron makes new ports up unless
        told otherwise.
    type: bool
    aliases: [admin_state_up]
  state:
    description:
      - V(present) creates the port or updates it; V(absent) deletes it.
      - With V(absent), a network or project that does not exist means there
        is nothing to delete.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Port with a fixed address and the project's default security group
  nimbus.openstack.port:
    cloud: demo
    name: web1-port
    network: private
    fixed_ips:
      - subnet: private-v4
        ip_address: 10.10.0.10
    security_groups: [default]

- name: Port without filtering (for a router or firewall guest)
  nimbus.openstack.port:
    cloud: demo
    name: fw1-inside
    network: private
    security_groups: []
    port_security_enabled: false

- name: Delete it
  nimbus.openstack.port:
    cloud: demo
    name: web1-port
    network: private
    state: absent
"""

RETURN = r"""
port:
  description:
    - The port as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the port; V(null) when it is to be created in check mode.
      type: str
      sample: 0c4d8a52-2b4e-4d9c-9a8e-1f3b5d7e9a21
    name:
      description: Name of the port.
      type: str
    network_id:
      description: ID of its network.
      type: str
    project_id:
      description: ID of the project that owns the port.
      type: str
    description:
      description: Description of the port.
      type: str
    fixed_ips:
      description:
        - Addresses of the port. In check mode, an entry still to be given an
          address has no C(ip_address).
      type: list
      elements: dict
      sample: [{"subnet_id": "3c6b...", "ip_address": "10.10.0.10"}]
    security_group_ids:
      description: IDs of the port's security groups.
      type: list
      elements: str
    is_port_security_enabled:
      description: Whether port security is on.
      type: bool
    is_admin_state_up:
      description: Administrative state of the port.
      type: bool
    mac_address:
      description: MAC address of the port.
      type: str
      sample: fa:16:3e:12:34:56
    device_id:
      description: ID of what uses the port (a server, a router), or empty.
      type: str
    device_owner:
      description: Kind of what uses the port, such as V(compute:nova).
      type: str
    status:
      description: Status of the port, such as V(ACTIVE) or V(DOWN).
      type: str
    revision_number:
      description: Revision of the port, raised by each change.
      type: int
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._port import PortResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    network=dict(type="str", aliases=["network_id"]),
    project=dict(type="str", aliases=["project_id"]),
    description=dict(type="str"),
    fixed_ips=dict(type="list", elements="dict", options=dict(
        subnet=dict(type="str"),
        ip_address=dict(type="str"),
    )),
    security_groups=dict(type="list", elements="str"),
    is_port_security_enabled=dict(type="bool", aliases=["port_security_enabled"]),
    is_admin_state_up=dict(type="bool", aliases=["admin_state_up"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = PortResource(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: floating_ip
short_description: Allocate, attach, detach and release OpenStack floating IPs
version_added: 0.1.0
description:
  - Makes sure a Neutron floating IP is allocated and attached to a server or
    a port, allocated and attached to nothing, or released.
  - A floating IP is identified by O(floating_ip_address) when the task gives
    it; otherwise by the fixed address it is attached to (of O(server) or
    O(port)), among the floating IPs of O(network) when that is set. A re-run
    for a server that has a floating IP from O(network) finds it and changes
    nothing; it never allocates a second one.
  - The fixed address is one port and one IPv4 address of it. A server with
    several ports needs O(fixed_network) or O(fixed_address); a port with
    several IPv4 addresses needs O(fixed_address).
  - The router of the port's subnet must have its gateway on O(network);
    otherwise Neutron refuses to attach the address, and the task fails with
    its message.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  network:
    description:
      - The external network of the floating IP, by name or ID. Needed to
        allocate one.
      - Unset, a floating IP of any network counts when the task looks for
        the one of a server or port.
    type: str
    aliases: [floating_network]
  floating_ip_address:
    description:
      - The floating address. It identifies the floating IP; when it does not
        exist it is allocated from O(network) (Neutron lets only
        administrators choose the address, by default).
      - With O(state=present) and O(server) or O(port), the address is
        attached there, even when it is attached elsewhere.
    type: str
    aliases: [address]
  server:
    description:
      - Server to attach the floating IP to, by name or ID (the server's
        port is found through Neutron).
    type: str
  fixed_network:
    description:
      - Network of the server's port to attach to, by name or ID, for a
        server with several ports.
    type: str
    aliases: [nat_destination]
  port:
    description:
      - Port to attach the floating IP to, by name or ID.
    type: str
  fixed_address:
    description:
      - Fixed address of the server or port to attach to. Unset, the only
        IPv4 address of the port.
    type: str
    aliases: [fixed_ip_address]
  reuse:
    description:
      - When the server or port has no floating IP yet, attach a free one
        (attached to nothing) of the project of the credentials, from
        O(network), before allocating a new one. The lowest such address is
        taken.
      - With V(false), a new address is allocated. Free addresses of other
        projects are never taken.
    type: bool
    default: false
  description:
    description:
      - Description of the floating IP.
    type: str
  state:
    description:
      - V(present) allocates the floating IP, and attaches it to O(server) or
        O(port) when set (without them, O(floating_ip_address) is needed and
        its attachment is left as it is).
      - V(detached) keeps the floating IP allocated but attached to nothing.
        With O(floating_ip_address) alone, that address (allocated if
        needed); with O(server) or O(port), the floating IP attached there,
        if any (and only if it is O(floating_ip_address) when set).
      - V(absent) releases the floating IP, found as for V(detached); a
        server or port without one, or that does not exist, means there is
        nothing to release.
    type: str
    choices: [present, detached, absent]
    default: present
notes:
  - With O(wait=true), the task waits after a change until Neutron shows the
    floating IP V(ACTIVE) (attached, its NAT set up) or V(DOWN) (attached to
    nothing).
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Give a server a floating IP (once, however often it runs)
  nimbus.openstack.floating_ip:
    cloud: demo
    network: public
    server: web1
  register: fip

- name: A server with two ports, on its port of the private network
  nimbus.openstack.floating_ip:
    cloud: demo
    network: public
    server: gw1
    fixed_network: private

- name: Attach a free address of the project to a port, or allocate one
  nimbus.openstack.floating_ip:
    cloud: demo
    network: public
    port: vip-port
    reuse: true

- name: Detach the server's floating IP, keeping the address
  nimbus.openstack.floating_ip:
    cloud: demo
    network: public
    server: web1
    state: detached

- name: Release an address
  nimbus.openstack.floating_ip:
    cloud: demo
    floating_ip_address: 203.0.113.25
    state: absent
"""

RETURN = r"""
floating_ip:
  description:
    - The floating IP as it is after the task (as predicted, in check mode).
    - V(null) with O(state=detached) when the server or port had none.
  returned: when O(state=present) or O(state=detached)
  type: dict
  contains:
    id:
      description: ID of the floating IP; V(null) when it is to be allocated in check mode.
      type: str
      sample: 5b2a1c9e-8d4f-4e7a-b3c6-0f1e2d3c4b5a
    floating_ip_address:
      description: The floating address; absent from check mode's prediction of a new one.
      type: str
      sample: 203.0.113.25
    floating_network_id:
      description: ID of its external network.
      type: str
    port_id:
      description: ID of the port it is attached to, V(null) when attached to nothing.
      type: str
    fixed_ip_address:
      description: Fixed address it is attached to.
      type: str
      sample: 10.10.0.10
    router_id:
      description: ID of the router that does its NAT.
      type: str
    status:
      description: V(ACTIVE) when attached and set up, V(DOWN) otherwise.
      type: str
      sample: ACTIVE
    project_id:
      description: ID of the project that owns it.
      type: str
    description:
      description: Description of the floating IP.
      type: str
    port_details:
      description: Details of the port it is attached to.
      type: dict
    revision_number:
      description: Revision of the floating IP, raised by each change.
      type: int
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._floating_ip import FloatingIpResource

ARGUMENT_SPEC = dict(
    network=dict(type="str", aliases=["floating_network"]),
    floating_ip_address=dict(type="str", aliases=["address"]),
    server=dict(type="str"),
    fixed_network=dict(type="str", aliases=["nat_destination"]),
    port=dict(type="str"),
    fixed_address=dict(type="str", aliases=["fixed_ip_address"]),
    reuse=dict(type="bool", default=False),
    description=dict(type="str"),
    state=dict(type="str", choices=["present", "detached", "absent"], default="present"),
)


def main():
    module = FloatingIpResource(ARGUMENT_SPEC, supports_check_mode=True,
                                mutually_exclusive=[("server", "port")],
                                required_by={"fixed_network": "server"})
    module.execute()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_group_rule
short_description: Create and delete rules of OpenStack security groups
version_added: 0.1.0
description:
  - Makes sure a Neutron security group has a rule, or does not have it.
  - Neutron cannot change a rule, only create and delete it, and refuses a
    rule equal to one the group has. This module puts the rule in the form
    Neutron stores and compares it the way Neutron decides that two rules are
    the same, so a re-run finds the rule instead of failing with
    C(Security group rule already exists).
  - A prefix without netmask has one (V(192.0.2.1) is V(192.0.2.1/32));
    IPv6 addresses are compared in canonical form;
    V(0.0.0.0/0) and V(::/0) are the same as no O(remote_ip_prefix);
    a protocol number is the protocol's name (V(6) is V(tcp));
    V(any), V(-1) and no O(protocol) are every protocol;
    ICMP of an IPv6 rule is V(ipv6-icmp);
    ports 1 to 65535 are every port, and so is V(-1).
  - The O(description) is not part of what makes two rules the same. A rule
    cannot get another description; when the group has the rule with another
    one, the task fails (delete the rule first to create it again).
  - Every option is checked before the cloud is asked anything; a value
    Neutron would refuse or read otherwise fails the task, naming the option.
  - To give a group all its rules at once, see the O(nimbus.openstack.security_group#module:rules)
    option of M(nimbus.openstack.security_group).
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  security_group:
    description:
      - The group of the rule, by name or ID.
      - With O(state=absent), a group that does not exist means there is
        nothing to delete.
    type: str
    required: true
    aliases: [security_group_id]
  project:
    description:
      - Project of O(security_group), by name or ID, when the name alone is
        ambiguous (administrators see every project's groups).
    type: str
    aliases: [project_id]
  direction:
    description:
      - V(ingress) (traffic to the ports of the group) or V(egress) (from them).
      - Unset, V(ingress).
    type: str
    choices: [ingress, egress]
  ether_type:
    description:
      - IP version of the traffic, V(IPv4) or V(IPv6).
      - Unset, the version of O(remote_ip_prefix); without a prefix, V(IPv6)
        for an IPv6 protocol such as V(ipv6-icmp), else V(IPv4). A version
        that differs from the prefix's fails the task.
    type: str
    choices: [IPv4, IPv6]
    aliases: [ethertype]
  protocol:
    description:
      - IP protocol, by name (V(tcp), V(udp), V(icmp), V(ipv6-icmp), V(icmpv6),
        V(sctp), V(gre), ...) or number (V(0) to V(255)).
      - V(any), V(-1) or unset match every protocol.
      - V(icmp) in an IPv6 rule is V(ipv6-icmp), as Neutron stores it.
      - V(0) is protocol number 0 (V(ip)) for Neutron, a different rule from
        V(any); V(hopopt), also number 0, is yet another one.
    type: str
  port:
    description:
      - One port, the same as equal O(port_range_min) and O(port_range_max).
      - Only for V(tcp), V(udp), V(sctp), V(dccp) and V(udplite).
    type: int
  port_range_min:
    description:
      - For V(tcp), V(udp), V(sctp), V(dccp) and V(udplite), the first port;
        alone, it is a single port. V(-1), or unset with O(port_range_max)
        unset too, means every port.
      - For V(icmp) and V(ipv6-icmp), the ICMP type (0 to 255); unset or V(-1),
        every type.
      - Other protocols have no ports; setting them fails the task.
    type: int
  port_range_max:
    description:
      - For V(tcp), V(udp), V(sctp), V(dccp) and V(udplite), the last port;
        requires O(port_range_min).
      - For V(icmp) and V(ipv6-icmp), the ICMP code (0 to 255); requires the
        type in O(port_range_min). Unset or V(-1), every code.
    type: int
  remote_ip_prefix:
    description:
      - Addresses the traffic comes from (O(direction=ingress)) or goes to
        (O(direction=egress)), in CIDR notation; an address without netmask
        is that one address.
      - A prefix with host bits set, such as V(10.0.0.5/24), fails the task.
        Give the network (V(10.0.0.0/24)) or the address (V(10.0.0.5/32)).
      - Unset, V(0.0.0.0/0) or V(::/0) mean any address.
    type: str
  remote_group:
    description:
      - Group, by name or ID, whose ports the traffic comes from or goes to.
        A name is looked for in the project of O(security_group).
      - The name or ID of O(security_group) itself is that group.
    type: str
    aliases: [remote_group_id]
  description:
    description:
      - Description of the rule, set when it is created. Unset, any
        description of an existing rule is accepted.
    type: str
  state:
    description:
      - V(present) creates the rule unless the group has it; V(absent)
        deletes it.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: SSH from one network
  nimbus.openstack.security_group_rule:
    cloud: demo
    security_group: web
    protocol: tcp
    port: 22
    remote_ip_prefix: 192.0.2.0/24

- name: HTTP and HTTPS ports from anywhere
  nimbus.openstack.security_group_rule:
    cloud: demo
    security_group: web
    protocol: tcp
    port_range_min: 80
    port_range_max: 443

- name: Ping (ICMP echo request, type 8) from one host
  nimbus.openstack.security_group_rule:
    cloud: demo
    security_group: web
    protocol: icmp
    port_range_min: 8
    remote_ip_prefix: 198.51.100.7

- name: Any ICMPv6 from a network (the ether type follows from the prefix)
  nimbus.openstack.security_group_rule:
    cloud: demo
    security_group: web
    protocol: icmp
    remote_ip_prefix: 2001:db8::/64

- name: Everything between the ports of the group
  nimbus.openstack.security_group_rule:
    cloud: demo
    security_group: web
    protocol: any
    remote_group: web

- name: No more SSH from that network
  nimbus.openstack.security_group_rule:
    cloud: demo
    security_group: web
    protocol: tcp
    port: 22
    remote_ip_prefix: 192.0.2.0/24
    state: absent
"""

RETURN = r"""
security_group_rule:
  description:
    - The rule as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the rule; V(null) when it is to be created in check mode.
      type: str
      sample: 6c1e3a0b-9f2d-4b8e-a4c7-2d5f0e1b3a98
    security_group_id:
      description: ID of the group of the rule.
      type: str
    direction:
      description: V(ingress) or V(egress).
      type: str
    ether_type:
      description: V(IPv4) or V(IPv6).
      type: str
    protocol:
      description:
        - Protocol as Neutron keeps it, V(null) for every protocol. A rule
          this module creates has the protocol's name; one made otherwise
          may have a number.
      type: str
      sample: tcp
    port_range_min:
      description: First port, or ICMP type; V(null) for any.
      type: int
      sample: 22
    port_range_max:
      description: Last port, or ICMP code; V(null) for any.
      type: int
      sample: 22
    remote_ip_prefix:
      description: Remote addresses, V(null) for any.
      type: str
      sample: 192.0.2.0/24
    remote_group_id:
      description: ID of the remote group, V(null) for none.
      type: str
    remote_address_group_id:
      description: ID of the remote address group, V(null) for none.
      type: str
    description:
      description: Description of the rule.
      type: str
    project_id:
      description: ID of the project that owns the rule.
      type: str
    revision_number:
      description: Revision of the rule.
      type: int
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._security import (
    RULE_MUTUALLY_EXCLUSIVE,
    RULE_OPTIONS,
    SecurityGroupRuleResource,
)

ARGUMENT_SPEC = dict(
    security_group=dict(type="str", required=True, aliases=["security_group_id"]),
    project=dict(type="str", aliases=["project_id"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    **RULE_OPTIONS,
)


def main():
    module = SecurityGroupRuleResource(ARGUMENT_SPEC, supports_check_mode=True,
                                       mutually_exclusive=RULE_MUTUALLY_EXCLUSIVE)
    module.execute()


if __name__ == "__main__":
    main()

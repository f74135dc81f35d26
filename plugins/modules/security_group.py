#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_group
short_description: Create, update and delete OpenStack security groups and their rules
version_added: 0.1.0
description:
  - Makes sure a Neutron security group exists with the given properties and,
    when O(rules) is set, exactly those rules; or that it is absent.
  - A group is identified by its O(name) and O(project). Options left unset
    are left as they are on an existing group; without O(rules), so are its
    rules.
  - Rules are compared the way M(nimbus.openstack.security_group_rule)
    compares them (the way Neutron decides that two rules are the same), so
    V(192.0.2.1) is V(192.0.2.1/32), V(6) is V(tcp), V(any) is no protocol,
    V(0.0.0.0/0) is no prefix, and so on.
  - B(Neutron's default rules.) Neutron gives every new group two rules that
    let all traffic out (egress, IPv4 and IPv6, to anywhere). With O(rules)
    and O(purge_rules=true), they are rules like any other. A list without
    them removes them, and the group then lets no traffic out. To keep them,
    list the rules C(direction=egress, ether_type=IPv4) and
    C(direction=egress, ether_type=IPv6) (see the examples); or set
    O(purge_rules=false) to only add rules.
  - Every rule is checked before the cloud is asked anything; a value Neutron
    would refuse or read otherwise fails the task, naming the entry and the
    option (C(rules[2].remote_ip_prefix)).
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the group. Neutron refuses to create a group called
        V(default) (each project has one), but this module can manage the
        description and rules of that one.
    type: str
    required: true
  project:
    description:
      - Project that owns the group, by name or ID; only set when the group is
        created.
      - Without it, the group is looked for among every group the
        credentials can see (the task fails if several have that name) and
        created in the project of the credentials.
      - Names in C(remote_group) of O(rules) are looked for in this project.
    type: str
    aliases: [project_id]
  description:
    description:
      - Description of the group.
    type: str
  stateful:
    description:
      - Whether the group tracks connections, so that replies to allowed
        traffic are allowed. Neutron makes new groups stateful unless told
        otherwise, and changes this only while no port uses the group.
    type: bool
  rules:
    description:
      - All the rules of the group. Missing ones are created (in one request,
        all or none), and, with O(purge_rules), the others deleted (after the
        new ones are made). Unset, the rules are left as they are.
      - A rule that differs only in its description from one the group has is
        that rule; Neutron cannot change its description, so the task fails
        (but on a group it has just created, where it replaces the rule).
      - Two entries that are the same rule for Neutron fail the task.
    type: list
    elements: dict
    suboptions:
      direction:
        description:
          - V(ingress) (traffic to the ports of the group) or V(egress) (from them).
          - Unset, V(ingress).
        type: str
        choices: [ingress, egress]
      ether_type:
        description:
          - IP version of the traffic, V(IPv4) or V(IPv6).
          - Unset, the version of C(remote_ip_prefix); without a prefix,
            V(IPv6) for an IPv6 protocol such as V(ipv6-icmp), else V(IPv4).
            A version that differs from the prefix's fails the task.
        type: str
        choices: [IPv4, IPv6]
        aliases: [ethertype]
      protocol:
        description:
          - IP protocol, by name (V(tcp), V(udp), V(icmp), V(ipv6-icmp),
            V(icmpv6), V(sctp), V(gre), ...) or number (V(0) to V(255)).
          - V(any), V(-1) or unset match every protocol.
          - V(icmp) in an IPv6 rule is V(ipv6-icmp), as Neutron stores it.
          - V(0) is protocol number 0 (V(ip)) for Neutron, a different rule
            from V(any).
        type: str
      port:
        description:
          - One port, the same as equal C(port_range_min) and C(port_range_max).
          - Only for V(tcp), V(udp), V(sctp), V(dccp) and V(udplite).
        type: int
      port_range_min:
        description:
          - For V(tcp), V(udp), V(sctp), V(dccp) and V(udplite), the first
            port; alone, it is a single port. V(-1), or unset with
            C(port_range_max) unset too, means every port.
          - For V(icmp) and V(ipv6-icmp), the ICMP type (0 to 255); unset or
            V(-1), every type.
          - Other protocols have no ports; setting them fails the task.
        type: int
      port_range_max:
        description:
          - For V(tcp), V(udp), V(sctp), V(dccp) and V(udplite), the last
            port; requires C(port_range_min).
          - For V(icmp) and V(ipv6-icmp), the ICMP code (0 to 255); requires
            the type in C(port_range_min). Unset or V(-1), every code.
        type: int
      remote_ip_prefix:
        description:
          - Addresses the traffic comes from (ingress) or goes to (egress), in
            CIDR notation; an address without netmask is that one address.
          - A prefix with host bits set, such as V(10.0.0.5/24), fails the
            task. Give the network (V(10.0.0.0/24)) or the address
            (V(10.0.0.5/32)).
          - Unset, V(0.0.0.0/0) or V(::/0) mean any address.
        type: str
      remote_group:
        description:
          - Group, by name or ID, whose ports the traffic comes from or goes
            to. O(name) is this group, even before it exists (check mode).
        type: str
        aliases: [remote_group_id]
      description:
        description:
          - Description of the rule, set when it is created. Unset, any
            description of an existing rule is accepted.
        type: str
  purge_rules:
    description:
      - Delete the rules that O(rules) does not list, Neutron's default egress
        rules included. With V(false), O(rules) are only added.
      - Has no effect when O(rules) is unset.
    type: bool
    default: true
  state:
    description:
      - V(present) creates the group or updates it; V(absent) deletes it with
        its rules (Neutron refuses while a port uses it).
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: A group with exactly these rules; Neutron's egress rules are kept
  nimbus.openstack.security_group:
    cloud: demo
    name: web
    description: Web servers
    rules:
      - direction: egress
        ether_type: IPv4
      - direction: egress
        ether_type: IPv6
      - protocol: tcp
        port: 443
      - protocol: tcp
        port: 22
        remote_ip_prefix: 192.0.2.0/24
      - protocol: icmp
        port_range_min: 8
      - protocol: any
        remote_group: web

- name: Add a rule, keeping the others
  nimbus.openstack.security_group:
    cloud: demo
    name: web
    rules:
      - protocol: udp
        port_range_min: 60000
        port_range_max: 61000
    purge_rules: false

- name: A group that lets nothing in or out
  nimbus.openstack.security_group:
    cloud: demo
    name: quarantine
    rules: []

- name: Delete a group
  nimbus.openstack.security_group:
    cloud: demo
    name: web
    state: absent
"""

RETURN = r"""
security_group:
  description:
    - The group as it is after the task (as predicted, in check mode), with
      its rules.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the group; V(null) when it is to be created in check mode.
      type: str
      sample: 2f9d0c4e-5b1a-4e7f-8c3d-6a0b9e2f1d57
    name:
      description: Name of the group.
      type: str
      sample: web
    description:
      description: Description of the group.
      type: str
    project_id:
      description: ID of the project that owns the group.
      type: str
    stateful:
      description: Whether the group tracks connections.
      type: bool
    is_shared:
      description: Whether the group is shared with other projects.
      type: bool
    tags:
      description: Tags of the group.
      type: list
      elements: str
    revision_number:
      description: Revision of the group, raised by each change.
      type: int
    security_group_rules:
      description:
        - The rules of the group, in a normalised form (protocols by name,
          prefixes canonical), sorted by direction, ether type, protocol,
          ports and remote.
        - In check mode, rules still to be made have an C(id) of V(null);
          a group to be created is predicted with Neutron's default egress
          rules, unless O(rules) removes them.
      type: list
      elements: dict
      contains:
        id:
          description: ID of the rule.
          type: str
        direction:
          description: V(ingress) or V(egress).
          type: str
        ether_type:
          description: V(IPv4) or V(IPv6).
          type: str
        protocol:
          description: Protocol name (or number without a name); V(null) for every protocol.
          type: str
          sample: tcp
        port_range_min:
          description: First port, or ICMP type; V(null) for any.
          type: int
        port_range_max:
          description: Last port, or ICMP code; V(null) for any.
          type: int
        remote_ip_prefix:
          description: Remote addresses; V(null) for any.
          type: str
        remote_group_id:
          description:
            - ID of the remote group; V(null) for none.
            - In check mode, for a group still to be created, a rule whose
              remote group is the group itself has V((this security group)).
          type: str
        remote_address_group_id:
          description: ID of the remote address group; V(null) for none.
          type: str
        description:
          description: Description of the rule.
          type: str
      sample:
        - {"id": "0c5e...", "direction": "egress", "ether_type": "IPv4", "protocol": null,
           "port_range_min": null, "port_range_max": null, "remote_ip_prefix": null,
           "remote_group_id": null, "remote_address_group_id": null, "description": null}
        - {"id": "7d21...", "direction": "ingress", "ether_type": "IPv4", "protocol": "tcp",
           "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "192.0.2.0/24",
           "remote_group_id": null, "remote_address_group_id": null, "description": ""}
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._security import (
    RULE_MUTUALLY_EXCLUSIVE,
    RULE_OPTIONS,
    SecurityGroupResource,
)

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    project=dict(type="str", aliases=["project_id"]),
    description=dict(type="str"),
    stateful=dict(type="bool"),
    rules=dict(type="list", elements="dict", options=RULE_OPTIONS, mutually_exclusive=RULE_MUTUALLY_EXCLUSIVE),
    purge_rules=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = SecurityGroupResource(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

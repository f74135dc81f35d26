"""Security groups' pure parts: a rule in the form Neutron stores it, rules
compared the way Neutron decides duplicates, and the plan for a group's rules."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _security as s

# -- remote_ip_prefix


@pytest.mark.parametrize(("value", "expected"), [
    (None, (None, None)),
    ("", (None, None)),
    ("10.0.0.1", ("10.0.0.1/32", 4)),
    (" 10.0.0.0/24 ", ("10.0.0.0/24", 4)),
    ("10.0.0.0/255.255.255.0", ("10.0.0.0/24", 4)),
    ("0.0.0.0/0", ("0.0.0.0/0", 4)),
    ("2001:DB8:0:0::/64", ("2001:db8::/64", 6)),
    ("2001:db8::1", ("2001:db8::1/128", 6)),
    ("::/0", ("::/0", 6)),
])
def test_canonical_prefix(value, expected):
    assert s.canonical_prefix(value) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("10.0.0.5/24", "remote_ip_prefix: 10.0.0.5/24 has host bits set: give the network (10.0.0.0/24)"
                    " or the one address (10.0.0.5/32)"),
    ("2001:db8::1/64", "(2001:db8::/64) or the one address (2001:db8::1/128)"),
    ("10.0.0.0/33", "is no IP address or network"),
    ("10.0.0.256", "is no IP address or network"),
    ("example.org", "remote_ip_prefix: 'example.org' is no IP address"),
    ("010.0.0.1", "is no IP address or network"),
])
def test_canonical_prefix_refuses(value, message):
    with pytest.raises(s.RuleError, match=None) as info:
        s.canonical_prefix(value)
    assert message in str(info.value)


@pytest.mark.parametrize(("value", "expected"), [
    (None, None),
    ("10.0.0.5/24", "10.0.0.5/24"),
    ("2001:DB8::1/64", "2001:db8::1/64"),
    ("0.0.0.0/0", "0.0.0.0/0"),
    ("junk", "junk"),
])
def test_stored_prefix(value, expected):
    assert s.stored_prefix(value) == expected


# -- protocol


@pytest.mark.parametrize(("value", "ether_type", "expected"), [
    (None, "IPv4", None),
    ("any", "IPv4", None),
    ("ANY", "IPv6", None),
    ("-1", "IPv4", None),
    (-1, "IPv4", None),
    ("", "IPv4", None),
    ("tcp", "IPv4", "tcp"),
    ("TCP", "IPv4", "tcp"),
    ("6", "IPv4", "tcp"),
    (6, "IPv6", "tcp"),
    ("06", "IPv4", "tcp"),
    ("17", "IPv4", "udp"),
    ("icmp", "IPv4", "icmp"),
    ("1", "IPv4", "icmp"),
    # Neutron stores ICMP of an IPv6 rule as ipv6-icmp.
    ("icmp", "IPv6", "ipv6-icmp"),
    ("1", "IPv6", "ipv6-icmp"),
    ("icmpv6", "IPv6", "ipv6-icmp"),
    ("58", "IPv6", "ipv6-icmp"),
    ("ipv6-icmp", "IPv6", "ipv6-icmp"),
    # Number 0 is Neutron's 'ip', hopopt a different rule.
    ("0", "IPv4", "ip"),
    ("ip", "IPv4", "ip"),
    ("hopopt", "IPv4", "hopopt"),
    ("112", "IPv4", "vrrp"),
    ("253", "IPv4", "253"),
    ("255", "IPv6", "255"),
])
def test_canonical_protocol(value, ether_type, expected):
    assert s.canonical_protocol(value, ether_type) == expected


@pytest.mark.parametrize(("value", "ether_type", "message"), [
    ("256", "IPv4", "protocol: 256 is no IP protocol number"),
    ("-2", "IPv4", "protocol: -2 is no IP protocol number"),
    ("tcpp", "IPv4", "protocol: unknown protocol 'tcpp'; use any, a number 0-255 or one of ah,"),
    ("all", "IPv4", "unknown protocol 'all'"),
    ("ipv6-icmp", "IPv4", "protocol ipv6-icmp is an IPv6 protocol, but ether_type is IPv4"),
    ("icmpv6", "IPv4", "protocol icmpv6 is an IPv6 protocol"),
    ("58", "IPv4", "protocol 58 is an IPv6 protocol"),
    ("ipv6-frag", "IPv4", "is an IPv6 protocol"),
])
def test_canonical_protocol_refuses(value, ether_type, message):
    with pytest.raises(s.RuleError) as info:
        s.canonical_protocol(value, ether_type)
    assert message in str(info.value)


@pytest.mark.parametrize(("value", "expected"), [
    ("ipv6-icmp", True), ("icmpv6", True), ("58", True), ("IPV6-ROUTE", True),
    ("icmp", False), ("tcp", False), ("6", False), (None, False), ("any", False), ("junk", False),
])
def test_is_ipv6_protocol(value, expected):
    assert s.is_ipv6_protocol(value) is expected


def test_protocol_names_follow_neutron():
    # Neutron's IP_PROTOCOL_NUM_TO_NAME_MAP: the last name of a number, never the legacy icmpv6.
    assert s.PROTOCOL_NAMES[0] == "ip"
    assert s.PROTOCOL_NAMES[58] == "ipv6-icmp"
    assert s.protocol_number("tcp") == 6
    assert s.protocol_number("253") == 253
    assert s.protocol_number(None) is None


# -- ports


@pytest.mark.parametrize(("protocol", "port", "low", "high", "expected"), [
    ("tcp", None, None, None, (None, None)),
    ("tcp", 22, None, None, (22, 22)),
    # A min alone is one port.
    ("tcp", None, 22, None, (22, 22)),
    ("udp", None, 1000, 2000, (1000, 2000)),
    # The whole range is stored as no range; -1 is any.
    ("tcp", None, 1, 65535, (None, None)),
    ("tcp", None, -1, -1, (None, None)),
    ("tcp", -1, None, None, (None, None)),
    ("tcp", None, -1, None, (None, None)),
    ("sctp", None, 1, 1024, (1, 1024)),
    ("udplite", None, 5, 5, (5, 5)),
    ("dccp", 65535, None, None, (65535, 65535)),
    # ICMP: type and code.
    ("icmp", None, 8, None, (8, None)),
    ("icmp", None, 8, 0, (8, 0)),
    ("icmp", None, 0, 255, (0, 255)),
    ("icmp", None, -1, -1, (None, None)),
    ("icmp", None, 3, -1, (3, None)),
    ("ipv6-icmp", None, 128, 0, (128, 0)),
    # No ports, and the "no value" of the nova convention.
    (None, None, None, None, (None, None)),
    (None, None, -1, -1, (None, None)),
    ("gre", None, -1, None, (None, None)),
    ("gre", -1, None, None, (None, None)),
])
def test_canonical_ports(protocol, port, low, high, expected):
    assert s.canonical_ports(protocol, port, low, high) == expected


@pytest.mark.parametrize(("protocol", "port", "low", "high", "message"), [
    ("tcp", None, None, 80, "port_range_max needs port_range_min"),
    ("tcp", None, -1, 80, "port_range_max needs port_range_min"),
    ("tcp", None, 0, 80, "port_range_min: 0 is no port (1-65535"),
    ("tcp", None, 80, 65536, "port_range_max: 65536 is no port"),
    ("tcp", 0, None, None, "port_range_min: 0 is no port"),
    ("tcp", None, 90, 80, "port_range_min 90 is above port_range_max 80"),
    ("tcp", 22, 22, None, "port cannot be set with port_range_min or port_range_max"),
    ("icmp", 8, None, None, "port: protocol icmp has no ports; set the ICMP type in port_range_min"),
    ("icmp", None, 256, None, "port_range_min: ICMP type 256 is not 0-255"),
    ("icmp", None, 8, 256, "port_range_max: ICMP code 256 is not 0-255"),
    ("icmp", None, None, 0, "port_range_max (the ICMP code) needs port_range_min (the ICMP type)"),
    ("icmp", None, -1, 0, "port_range_max (the ICMP code) needs port_range_min"),
    (None, None, 22, 22, "a rule for every protocol has no ports"),
    (None, 22, None, None, "a rule for every protocol has no ports"),
    ("gre", None, 1, 2, "protocol gre has no ports; they go with tcp, udp"),
    ("ip", None, None, 5, "protocol ip has no ports"),
])
def test_canonical_ports_refuses(protocol, port, low, high, message):
    with pytest.raises(s.RuleError) as info:
        s.canonical_ports(protocol, port, low, high)
    assert message in str(info.value)


def test_canonical_ports_names_the_entry():
    with pytest.raises(s.RuleError, match=r"^rules\[3\]\.port_range_min: 0 is no port"):
        s.canonical_ports("tcp", None, 0, 1, where="rules[3].")


# -- a whole rule

BASE = {"direction": "ingress", "ether_type": "IPv4", "protocol": None, "port_range_min": None,
        "port_range_max": None, "remote_ip_prefix": None, "remote_group": None, "description": None}


@pytest.mark.parametrize(("entry", "expected"), [
    ({}, {}),
    ({"direction": "egress"}, {"direction": "egress"}),
    ({"remote_ip_prefix": "10.0.0.1"}, {"remote_ip_prefix": "10.0.0.1/32"}),
    # The ether type follows from the prefix, else from an IPv6 protocol.
    ({"remote_ip_prefix": "2001:DB8::/32"}, {"ether_type": "IPv6", "remote_ip_prefix": "2001:db8::/32"}),
    ({"remote_ip_prefix": "::/0"}, {"ether_type": "IPv6", "remote_ip_prefix": "::/0"}),
    ({"protocol": "ipv6-icmp"}, {"ether_type": "IPv6", "protocol": "ipv6-icmp"}),
    ({"protocol": "icmpv6"}, {"ether_type": "IPv6", "protocol": "ipv6-icmp"}),
    ({"protocol": "icmp", "ether_type": "IPv6"}, {"ether_type": "IPv6", "protocol": "ipv6-icmp"}),
    ({"protocol": "icmp", "remote_ip_prefix": "fd00::/8"},
     {"ether_type": "IPv6", "protocol": "ipv6-icmp", "remote_ip_prefix": "fd00::/8"}),
    ({"ether_type": "ipv6"}, {"ether_type": "IPv6"}),
    ({"protocol": "6", "port": 22}, {"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}),
    ({"protocol": "tcp", "port_range_min": 1, "port_range_max": 65535}, {"protocol": "tcp"}),
    ({"protocol": "any", "port_range_min": -1, "port_range_max": -1}, {}),
    ({"protocol": "icmp", "port_range_min": 8, "port_range_max": 0},
     {"protocol": "icmp", "port_range_min": 8, "port_range_max": 0}),
    ({"remote_group": "web", "description": "x"}, {"remote_group": "web", "description": "x"}),
])
def test_normalize_rule(entry, expected):
    assert s.normalize_rule(entry) == dict(BASE, **expected)


@pytest.mark.parametrize(("entry", "message"), [
    ({"remote_ip_prefix": "10.0.0.0/8", "ether_type": "IPv6"},
     "rules[0].ether_type IPv6 does not match rules[0].remote_ip_prefix 10.0.0.0/8, an IPv4 prefix"),
    ({"remote_ip_prefix": "::/0", "ether_type": "IPv4"}, "ether_type IPv4 does not match rules[0].remote_ip_prefix ::/0"),
    ({"remote_ip_prefix": "10.1.2.3/16"}, "rules[0].remote_ip_prefix: 10.1.2.3/16 has host bits set"),
    ({"remote_ip_prefix": "10.0.0.0/8", "remote_group": "web"}, "remote_group and rules[0].remote_ip_prefix cannot both"),
    ({"ether_type": "IPv5"}, "rules[0].ether_type: 'IPv5' is none of IPv4, IPv6"),
    ({"direction": "both"}, "rules[0].direction: 'both' is none of ingress, egress"),
    ({"protocol": "icmpv6", "ether_type": "IPv4"}, "rules[0].protocol icmpv6 is an IPv6 protocol"),
    ({"protocol": "icmpv6", "remote_ip_prefix": "10.0.0.0/8"}, "rules[0].protocol icmpv6 is an IPv6 protocol"),
    ({"protocol": "udp", "port_range_max": 53}, "rules[0].port_range_max needs rules[0].port_range_min"),
    ({"port": 22}, "rules[0].port_range_min/rules[0].port_range_max (or rules[0].port): a rule for every protocol"),
    ({"protocol": "gre", "port_range_min": 1}, "protocol gre has no ports"),
])
def test_normalize_rule_refuses(entry, message):
    with pytest.raises(s.RuleError) as info:
        s.normalize_rule(entry, "rules[0].")
    assert message in str(info.value)


# -- rules as a group has them, and Neutron's duplicates

DEFAULT_V4 = {"id": "d4", "direction": "egress", "ethertype": "IPv4", "protocol": None, "port_range_min": None,
              "port_range_max": None, "remote_ip_prefix": None, "remote_group_id": None,
              "remote_address_group_id": None, "description": None, "tenant_id": "p", "normalized_cidr": None}


def rule(**values):
    """A normalised rule: ingress IPv4, any protocol, from anywhere, unless said."""
    return dict(dict.fromkeys(s.RULE_FIELDS), **dict({"direction": "ingress", "ether_type": "IPv4"}, **values))


def test_current_rule_from_the_api_and_the_sdk():
    assert s.current_rule(DEFAULT_V4) == rule(id="d4", direction="egress")
    sdk = dict(DEFAULT_V4, ether_type="IPv6", protocol="icmp", remote_ip_prefix="2001:DB8::/64")
    del sdk["ethertype"]
    assert s.current_rule(sdk) == rule(id="d4", direction="egress", ether_type="IPv6", protocol="ipv6-icmp",
                                       remote_ip_prefix="2001:db8::/64")
    assert s.current_rule(dict(DEFAULT_V4, protocol="6"))["protocol"] == "tcp"
    # What this module would refuse, an existing rule may have: kept as it is.
    assert s.current_rule(dict(DEFAULT_V4, protocol="weird"))["protocol"] == "weird"
    assert s.current_rule(dict(DEFAULT_V4, remote_ip_prefix="10.0.0.5/24"))["remote_ip_prefix"] == "10.0.0.5/24"


def wanted(**entry):
    return dict(s.normalize_rule(entry), remote_group_id=entry.get("remote_group"))


@pytest.mark.parametrize(("entry", "stored"), [
    # Neutron's duplicate check takes 0.0.0.0/0 and ::/0 for no prefix.
    ({"direction": "egress", "remote_ip_prefix": "0.0.0.0/0"}, DEFAULT_V4),
    ({"direction": "egress"}, DEFAULT_V4),
    ({"direction": "egress", "remote_ip_prefix": "::/0"}, dict(DEFAULT_V4, ethertype="IPv6")),
    ({"direction": "egress", "protocol": "any"}, DEFAULT_V4),
    ({"direction": "egress", "protocol": "-1", "port_range_min": -1, "port_range_max": -1}, DEFAULT_V4),
    ({"protocol": "tcp", "port": 22, "remote_ip_prefix": "10.0.0.1"},
     dict(DEFAULT_V4, direction="ingress", protocol="6", port_range_min=22, port_range_max=22,
          remote_ip_prefix="10.0.0.1/32")),
    ({"protocol": "tcp", "port_range_min": 1, "port_range_max": 65535}, dict(DEFAULT_V4, direction="ingress", protocol="tcp")),
    ({"protocol": "icmp", "ether_type": "IPv6"}, dict(DEFAULT_V4, direction="ingress", ethertype="IPv6", protocol="icmp")),
    ({"protocol": "0"}, dict(DEFAULT_V4, direction="ingress", protocol="ip")),
    # The description is not compared.
    ({"direction": "egress", "description": "out"}, DEFAULT_V4),
    ({"remote_group": "g1"}, dict(DEFAULT_V4, direction="ingress", remote_group_id="g1")),
])
def test_same_rule_for_neutron(entry, stored):
    assert s.rule_key(wanted(**entry)) == s.rule_key(s.current_rule(stored))


@pytest.mark.parametrize(("entry", "stored"), [
    ({"direction": "ingress"}, DEFAULT_V4),
    ({"direction": "egress", "ether_type": "IPv6"}, DEFAULT_V4),
    ({"direction": "egress", "protocol": "tcp"}, DEFAULT_V4),
    ({"direction": "egress", "remote_ip_prefix": "10.0.0.0/24"}, dict(DEFAULT_V4, remote_ip_prefix="10.0.0.5/24")),
    ({"direction": "egress", "protocol": "hopopt"}, dict(DEFAULT_V4, protocol="0")),
    ({"direction": "egress", "protocol": "tcp", "port": 22}, dict(DEFAULT_V4, protocol="tcp", port_range_min=22, port_range_max=23)),
    ({"direction": "egress"}, dict(DEFAULT_V4, remote_group_id="g1")),
    ({"direction": "egress"}, dict(DEFAULT_V4, remote_address_group_id="ag1")),
    ({"direction": "egress", "protocol": "icmp", "port_range_min": 8}, dict(DEFAULT_V4, protocol="icmp")),
])
def test_different_rules_for_neutron(entry, stored):
    assert s.rule_key(wanted(**entry)) != s.rule_key(s.current_rule(stored))


def test_duplicate_rules():
    rules = [wanted(protocol="tcp", port=22), wanted(protocol="6", port_range_min=22),
             wanted(protocol="udp", port=22), wanted(remote_ip_prefix="0.0.0.0/0"), wanted()]
    assert s.duplicate_rules(rules) == [(0, 1), (3, 4)]
    assert s.duplicate_rules(rules[:1]) == []


def test_sort_rules_is_stable_and_mixes_types():
    rules = [rule(id="b", protocol="udp", port_range_min=53, port_range_max=53),
             rule(id="c", protocol="tcp", port_range_min=443, port_range_max=443),
             rule(id="d", protocol="tcp", port_range_min=22, port_range_max=22),
             rule(id="a", direction="egress"),
             rule(id="e")]
    assert [r["id"] for r in s.sort_rules(rules)] == ["a", "e", "d", "c", "b"]


@pytest.mark.parametrize(("normal", "words"), [
    (rule(), "ingress IPv4 any protocol from anywhere"),
    (rule(direction="egress", ether_type="IPv6"), "egress IPv6 any protocol to anywhere"),
    (rule(protocol="tcp", port_range_min=22, port_range_max=22, remote_ip_prefix="10.0.0.0/8"),
     "ingress IPv4 tcp port 22 from 10.0.0.0/8"),
    (rule(protocol="udp", port_range_min=1000, port_range_max=2000), "ingress IPv4 udp ports 1000-2000 from anywhere"),
    (rule(protocol="icmp", port_range_min=8, port_range_max=0), "ingress IPv4 icmp type 8 code 0 from anywhere"),
    (rule(protocol="icmp", port_range_min=3), "ingress IPv4 icmp type 3 from anywhere"),
    (rule(remote_group_id="g1"), "ingress IPv4 any protocol from group g1"),
])
def test_describe_rule(normal, words):
    assert s.describe_rule(normal) == words


# -- a group's rules

D4 = s.current_rule(DEFAULT_V4)
D6 = s.current_rule(dict(DEFAULT_V4, id="d6", ethertype="IPv6"))
SSH = rule(id="r1", protocol="tcp", port_range_min=22, port_range_max=22, remote_ip_prefix="10.0.0.0/8", description="")


def test_plan_rules_keeps_equal_rules_and_purges_the_others():
    want = [wanted(protocol="tcp", port=22, remote_ip_prefix="10.0.0.0/8"), wanted(protocol="icmp")]
    to_create, to_delete, conflicts = s.plan_rules(want, [D4, D6, SSH], purge=True)
    assert to_create == [want[1]]
    assert to_delete == [D4, D6]
    assert conflicts == []


def test_plan_rules_without_purge_only_adds():
    want = [wanted(protocol="icmp")]
    assert s.plan_rules(want, [D4, D6, SSH], purge=False) == (want, [], [])


def test_plan_rules_nothing_to_do():
    want = [wanted(direction="egress", remote_ip_prefix="0.0.0.0/0"), wanted(direction="egress", ether_type="IPv6"),
            wanted(protocol="6", port=22, remote_ip_prefix="10.0.0.0/8", description="")]
    assert s.plan_rules(want, [D4, D6, SSH], purge=True) == ([], [], [])


def test_plan_rules_empty_list_purges_everything():
    assert s.plan_rules([], [D4, D6], purge=True) == ([], [D4, D6], [])
    assert s.plan_rules([], [D4, D6], purge=False) == ([], [], [])


def test_plan_rules_description():
    # Unset matches any description; None and "" are the same.
    assert s.plan_rules([wanted(direction="egress")], [D4], purge=True) == ([], [], [])
    assert s.plan_rules([wanted(direction="egress", description="")], [D4], purge=True) == ([], [], [])
    # Another one is a conflict: Neutron cannot change it.
    out = wanted(direction="egress", description="all out")
    assert s.plan_rules([out], [D4], purge=True) == ([], [], [(0, out, D4)])
    # ... unless the rule may be replaced (a group just made).
    assert s.plan_rules([out], [D4, D6], purge=False, replace=True) == ([out], [D4], [])


def test_plan_rules_one_current_rule_per_wanted_rule():
    twin = dict(SSH, id="r2")
    want = [wanted(protocol="tcp", port=22, remote_ip_prefix="10.0.0.0/8")]
    assert s.plan_rules(want, [SSH, twin], purge=True) == ([], [twin], [])


def test_bind_self():
    want = [wanted(remote_group="web"), wanted()]
    want[0]["remote_group_id"] = s.SELF
    assert s.bind_self(want, "g9")[0]["remote_group_id"] == "g9"
    assert s.bind_self(want, None)[0]["remote_group_id"] is None
    assert s.bind_self(want, "g9")[1] is want[1]
    assert want[0]["remote_group_id"] == s.SELF


def test_predict_rules():
    new = wanted(protocol="tcp", port=443)
    after = s.predict_rules([D4, D6, SSH], [new], [D6])
    assert after == s.sort_rules([D4, SSH, rule(protocol="tcp", port_range_min=443, port_range_max=443, description="")])
    assert [r["id"] for r in after] == ["d4", "r1", None]
    assert set(after[2]) == set(s.RULE_FIELDS)


def test_new_group_prediction():
    # What check mode predicts for a new group: Neutron's defaults, then the plan.
    defaults = [dict(r) for r in s.DEFAULT_RULES]
    to_create, to_delete, _after = s.plan_rules([wanted(protocol="icmp")], defaults, purge=True, replace=True)
    assert s.predict_rules(defaults, to_create, to_delete) == [rule(protocol="icmp", description="")]
    to_create, to_delete, _after = s.plan_rules([wanted(direction="egress")], defaults, purge=True, replace=True)
    assert s.predict_rules(defaults, to_create, to_delete) == [rule(direction="egress")]
    # A rule to the group itself is not the default rule to anywhere.
    mine = dict(wanted(direction="egress"), remote_group_id=s.SELF)
    to_create, to_delete, _after = s.plan_rules([mine], defaults, purge=True, replace=True)
    assert (to_create, to_delete) == ([mine], defaults)
    assert s.predict_rules(defaults, to_create, to_delete) == [rule(direction="egress", remote_group_id=s.SELF, description="")]


def test_rule_body():
    body = s.rule_body(dict(wanted(protocol="tcp", port=22, description="ssh"), id=None), "g1")
    assert body == {"security_group_id": "g1", "direction": "ingress", "ether_type": "IPv4", "protocol": "tcp",
                    "port_range_min": 22, "port_range_max": 22, "description": "ssh"}
    assert s.rule_body(wanted(remote_group="x"), "g1")["remote_group_id"] == "x"


def test_conflict_message():
    message = s.conflict_message("rules[1]", wanted(direction="egress", description="out"), None)
    assert message == ("rules[1]: the rule egress IPv4 any protocol to anywhere exists with description None, and the"
                       " task asks for 'out'; Neutron cannot change a rule's description: delete the rule"
                       " (state=absent) to create it again")


# -- the calls the resources make (their declarations are checked in test_resource.py)


def test_proxy_has_the_calls():
    proxy = pytest.importorskip("openstack.network.v2._proxy").Proxy
    for name in ("security_groups", "create_security_group", "update_security_group", "delete_security_group",
                 "get_security_group", "find_security_group", "security_group_rules", "create_security_group_rule",
                 "create_security_group_rules", "delete_security_group_rule"):
        assert callable(getattr(proxy, name)), name

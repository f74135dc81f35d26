"""The networking resources' pure parts: canonical addresses, a router's gateway
and interfaces (their declarations are checked with the others in test_resource.py)."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _network as n

# -- addresses


@pytest.mark.parametrize(("value", "expected"), [
    ("10.0.0.0/24", "10.0.0.0/24"),
    ("2001:DB8::/64", "2001:db8::/64"),
    ("2001:db8:0:0::/64", "2001:db8::/64"),
    # Not a network: left for Neutron to refuse.
    ("10.0.0.5/24", "10.0.0.5/24"),
    ("nonsense", "nonsense"),
])
def test_canonical_cidr(value, expected):
    assert n.canonical_cidr(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("10.0.0.1", "10.0.0.1"),
    ("FD00::FE", "fd00::fe"),
    ("fd00:0:0::1", "fd00::1"),
    ("gateway", "gateway"),
])
def test_canonical_ip(value, expected):
    assert n.canonical_ip(value) == expected


@pytest.mark.parametrize(("cidr", "expected"), [
    ("192.0.2.0/24", 4),
    ("192.0.2.7/24", 4),
    ("2001:db8::/64", 6),
    (None, None),
    ("x", None),
])
def test_ip_version_of(cidr, expected):
    assert n.ip_version_of(cidr) == expected


def test_canonical_pools_and_routes():
    assert n.canonical_pools([{"start": "FD00::2", "end": "FD00::FF"}]) == [{"start": "fd00::2", "end": "fd00::ff"}]
    assert n.canonical_routes([{"destination": "FD00:1::/64", "nexthop": "FD00::1"}]) == [
        {"destination": "fd00:1::/64", "nexthop": "fd00::1"}]


# -- a router's external gateway

NET, OTHER, SUB = "net-1", "net-2", "sub-1"
GW = {"network_id": NET, "enable_snat": True,
      "external_fixed_ips": [{"subnet_id": SUB, "ip_address": "203.0.113.10"}]}


@pytest.mark.parametrize(("want", "have", "expected"), [
    ([], [], True),
    ([{"subnet_id": SUB}], [{"subnet_id": SUB, "ip_address": "203.0.113.10"}], True),
    ([{"subnet_id": SUB, "ip_address": "203.0.113.10"}], [{"subnet_id": SUB, "ip_address": "203.0.113.10"}], True),
    ([{"subnet_id": SUB, "ip_address": "203.0.113.11"}], [{"subnet_id": SUB, "ip_address": "203.0.113.10"}], False),
    # The whole list: an extra address differs.
    ([{"subnet_id": SUB}], [{"subnet_id": SUB, "ip_address": "a"}, {"subnet_id": SUB, "ip_address": "b"}], False),
    ([{"subnet_id": SUB}, {"subnet_id": SUB}], [{"subnet_id": SUB, "ip_address": "a"}], False),
    # The specific entry gets its address even when listed after an "any" entry.
    ([{"subnet_id": SUB}, {"subnet_id": SUB, "ip_address": "a"}],
     [{"subnet_id": SUB, "ip_address": "a"}, {"subnet_id": SUB, "ip_address": "b"}], True),
    ([{"subnet_id": "other"}], [{"subnet_id": SUB, "ip_address": "a"}], False),
    ([{"subnet_id": SUB}], None, False),
])
def test_fixed_ips_match(want, have, expected):
    assert n.fixed_ips_match(want, have) is expected


@pytest.mark.parametrize(("want", "have", "expected"), [
    # Left alone.
    (None, GW, None),
    (None, None, None),
    # No gateway wanted.
    ({}, GW, {}),
    ({}, None, None),
    # Same network, nothing else asked for.
    ({"network_id": NET}, GW, None),
    # A new gateway, or another network: what the task says, nothing more.
    ({"network_id": NET}, None, {"network_id": NET}),
    ({"network_id": OTHER, "enable_snat": False}, GW, {"network_id": OTHER, "enable_snat": False}),
    # Same network, SNAT changes.
    ({"network_id": NET, "enable_snat": False}, GW, {"network_id": NET, "enable_snat": False}),
    ({"network_id": NET, "enable_snat": True}, GW, None),
    # Same network, addresses change: the current SNAT setting is kept.
    ({"network_id": NET, "external_fixed_ips": [{"subnet_id": SUB, "ip_address": "203.0.113.20"}]},
     dict(GW, enable_snat=False),
     {"network_id": NET, "enable_snat": False,
      "external_fixed_ips": [{"subnet_id": SUB, "ip_address": "203.0.113.20"}]}),
    ({"network_id": NET, "external_fixed_ips": [{"subnet_id": SUB}]}, GW, None),
])
def test_gateway_update(want, have, expected):
    assert n.gateway_update(want, have) == expected


# -- a router's interfaces

def port(port_id, owner, *fixed_ips):
    return {"id": port_id, "device_owner": owner,
            "fixed_ips": [{"subnet_id": s, "ip_address": ip} for s, ip in fixed_ips]}


def iface(subnet, ip=None, port_id=None):
    return {"subnet_id": subnet, "ip_address": ip, "port_id": port_id}


def test_router_interfaces_from_ports():
    ports = [
        port("p2", "network:router_interface", ("s2", "10.2.0.1")),
        port("gw", "network:router_gateway", ("ext", "203.0.113.10")),
        port("p1", "network:router_interface", ("s1", "10.1.0.1"), ("s6", "fd00::1")),
        port("p3", "network:ha_router_replicated_interface", ("s3", "10.3.0.1")),
        port("dhcp", "network:dhcp", ("s1", "10.1.0.2")),
    ]
    assert n.router_interfaces(ports) == [
        iface("s1", "10.1.0.1", "p1"), iface("s2", "10.2.0.1", "p2"),
        iface("s3", "10.3.0.1", "p3"), iface("s6", "fd00::1", "p1")]


HAVE = [iface("s1", "10.1.0.1", "p1"), iface("s2", "10.2.0.1", "p2")]


@pytest.mark.parametrize(("want", "purge", "to_add", "to_remove"), [
    ([], False, [], []),
    ([], True, [], HAVE),
    ([iface("s1")], True, [], [HAVE[1]]),
    ([iface("s1")], False, [], []),
    ([iface("s1"), iface("s2")], True, [], []),
    ([iface("s3")], False, [{"subnet_id": "s3", "ip_address": None}], []),
    # A wanted address the current interface does not have: a new one, the old one goes.
    ([iface("s1", "10.1.0.254"), iface("s2")], True, [{"subnet_id": "s1", "ip_address": "10.1.0.254"}], [HAVE[0]]),
    ([iface("s1", "10.1.0.1")], True, [], [HAVE[1]]),
    # Repeats count once.
    ([iface("s3"), iface("s3")], False, [{"subnet_id": "s3", "ip_address": None}], []),
])
def test_plan_interfaces(want, purge, to_add, to_remove):
    assert n.plan_interfaces(want, HAVE, purge) == (to_add, to_remove)


def test_predict_interfaces():
    to_add = [{"subnet_id": "s0", "ip_address": None}]
    assert n.predict_interfaces(HAVE, to_add, [HAVE[1]]) == [iface("s0"), HAVE[0]]
    assert n.predict_interfaces([], [], []) == []


def test_unique_interfaces_keeps_order():
    wanted = [iface("s2"), iface("s1", "a"), iface("s2"), iface("s1", "a", "ignored-port")]
    assert n.unique_interfaces(wanted) == [{"subnet_id": "s2", "ip_address": None},
                                           {"subnet_id": "s1", "ip_address": "a"}]


# -- a subnet's addresses, checked before any call


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1",
      "allocation_pools": [{"start": "10.0.0.10", "end": "10.0.0.20"}]}, []),
    ({"cidr": "2001:DB8::/64", "ip_version": 6, "gateway_ip": "2001:db8::1"}, []),
    ({"cidr": "10.0.0.0/33"}, ["cidr: '10.0.0.0/33' is no network"]),
    ({"cidr": "nonsense"}, ["cidr: 'nonsense' is no network"]),
    ({"cidr": "10.0.0.5/24"}, ["cidr: 10.0.0.5/24 has host bits set; the network is 10.0.0.0/24"]),
    ({"cidr": "10.0.0.0"}, ["cidr: 10.0.0.0 has no prefix length"]),
    ({"cidr": "10.0.0.0/24", "ip_version": 6}, ["ip_version is 6 but cidr 10.0.0.0/24 is IPv4"]),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0"}, ["gateway_ip: '10.0.0' is no IP address"]),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "fd00::1"}, ["gateway_ip: fd00::1 is an IPv6 address, the subnet is IPv4"]),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.255"}, ["gateway_ip: 10.0.0.255 is the network or broadcast"]),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.20", "end": "10.0.0.10"}]},
     ["allocation_pools[0]: start 10.0.0.20 is after end 10.0.0.10"]),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.250", "end": "10.0.1.5"}]},
     ["allocation_pools[0]: 10.0.0.250-10.0.1.5 is not inside cidr 10.0.0.0/24"]),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.15",
      "allocation_pools": [{"start": "10.0.0.10", "end": "10.0.0.20"}]},
     ["allocation_pools[0]: 10.0.0.10-10.0.0.20 holds gateway_ip 10.0.0.15"]),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.10", "end": "10.0.0.20"},
                                                  {"start": "10.0.0.20", "end": "10.0.0.30"}]},
     ["allocation_pools[1] overlaps allocation_pools[0]"]),
    ({"host_routes": [{"destination": "10.1.0.1/16", "nexthop": "10.0.0.1"}]},
     ["host_routes[0].destination: '10.1.0.1/16' is no network"]),
    ({"host_routes": [{"destination": "10.1.0.0/16", "nexthop": "x"}]}, ["host_routes[0].nexthop: 'x' is no IP"]),
    ({"dns_nameservers": ["192.0.2.53", "dns.example.org"]}, ["dns_nameservers[1]: 'dns.example.org' is no IP"]),
])
def test_subnet_problems(kwargs, expected):
    problems = n.subnet_problems(**kwargs)
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), problem


# -- a router's interfaces change without leaving it stripped


def test_interface_steps_add_before_removing():
    a = {"subnet_id": "a", "ip_address": None}
    b_old = {"subnet_id": "b", "ip_address": "10.0.1.1", "port_id": "p1"}
    b_new = {"subnet_id": "b", "ip_address": "10.0.1.9"}
    c_old = {"subnet_id": "c", "ip_address": "10.0.2.1", "port_id": "p2"}
    assert n.interface_steps([a, b_new], [b_old, c_old]) == [
        ("add", a), ("remove", b_old), ("remove", c_old), ("add", b_new)]

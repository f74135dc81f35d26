"""The floating IP's pure parts: which port and fixed address of a server it is
for, which free address to reuse, its attachment and status; and the
resource's declarations against openstacksdk and the module."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _floating_ip as f


def port(port_id, network, *addresses):
    return {"id": port_id, "network_id": network,
            "fixed_ips": [{"subnet_id": "s-" + network, "ip_address": a} for a in addresses]}


P1 = port("p1", "n1", "10.1.0.5")
P2 = port("p2", "n2", "10.2.0.5", "fd00::5")
P6 = port("p6", "n6", "fd06::5")
PMULTI = port("pm", "n1", "10.1.0.7", "10.1.0.8")


def test_ipv4_addresses():
    assert f.ipv4_addresses(P2) == ["10.2.0.5"]
    assert f.ipv4_addresses(P6) == []
    assert f.ipv4_addresses({"fixed_ips": None}) == []


@pytest.mark.parametrize(("ports", "network", "address", "expected"), [
    ([P1], None, None, P1),
    # An IPv6-only port cannot have a floating IP: the other one it is.
    ([P1, P6], None, None, P1),
    ([P1, P2], "n2", None, P2),
    ([P1, P2], None, "10.2.0.5", P2),
    ([P1, P2], "n2", "fd00::5", P2),
])
def test_choose_port(ports, network, address, expected):
    assert f.choose_port(ports, network, address) == expected


@pytest.mark.parametrize(("ports", "network", "address", "message"), [
    ([P1, P2], None, None, "has 2 ports with an IPv4 address (p1 on network n1 (10.1.0.5); p2 on network n2"
                           " (10.2.0.5, fd00::5)): say which with fixed_network or fixed_address"),
    ([], None, None, "has no port with an IPv4 address (its ports: none)"),
    ([P6], None, None, "has no port with an IPv4 address (its ports: p6 on network n6 (fd06::5))"),
    ([P1], "n2", None, "has no port with an IPv4 address on network n2 (its ports: p1 on network n1 (10.1.0.5))"),
    ([P1], None, "10.9.9.9", "has no port with an IPv4 address holding 10.9.9.9"),
])
def test_choose_port_says_why_not(ports, network, address, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        f.choose_port(ports, network, address)


@pytest.mark.parametrize(("the_port", "address", "expected"), [
    (P1, None, "10.1.0.5"),
    (P2, None, "10.2.0.5"),
    (PMULTI, "10.1.0.8", "10.1.0.8"),
])
def test_choose_fixed_address(the_port, address, expected):
    assert f.choose_fixed_address(the_port, address) == expected


@pytest.mark.parametrize(("the_port", "address", "message"), [
    (PMULTI, None, "has 2 IPv4 addresses (10.1.0.7, 10.1.0.8): say which with fixed_address"),
    (P6, None, "has no IPv4 address for a floating IP"),
    (P1, "10.1.0.6", "has no address 10.1.0.6 (its addresses: 10.1.0.5)"),
])
def test_choose_fixed_address_says_why_not(the_port, address, message):
    with pytest.raises(ValueError) as caught:
        f.choose_fixed_address(the_port, address)
    assert str(caught.value) == message


def fip(address, project="me", network="ext", port_id=None):
    return {"floating_ip_address": address, "project_id": project, "floating_network_id": network, "port_id": port_id}


@pytest.mark.parametrize(("fips", "network", "expected"), [
    ([], "ext", None),
    # The lowest free address of the project, compared as addresses.
    ([fip("203.0.113.20"), fip("203.0.113.9"), fip("203.0.113.3", port_id="p")], "ext", "203.0.113.9"),
    # Never another project's, never one attached, never one of another network.
    ([fip("203.0.113.5", project="other"), fip("203.0.113.6", port_id="p1")], "ext", None),
    ([fip("198.51.100.5", network="ext2")], "ext", None),
    ([fip("198.51.100.5", network="ext2")], None, "198.51.100.5"),
])
def test_select_free(fips, network, expected):
    chosen = f.select_free(fips, "me", network)
    assert (chosen and chosen["floating_ip_address"]) == expected


ATTACHED = {"port_id": "p1", "fixed_ip_address": "10.1.0.5"}
FREE = {"port_id": None, "fixed_ip_address": None}


@pytest.mark.parametrize(("target", "current", "expected"), [
    (None, ATTACHED, {}),
    (None, FREE, {}),
    (ATTACHED, ATTACHED, {}),
    (ATTACHED, FREE, ATTACHED),
    ({"port_id": "p2", "fixed_ip_address": "10.2.0.5"}, ATTACHED, {"port_id": "p2", "fixed_ip_address": "10.2.0.5"}),
    ({"port_id": "p1", "fixed_ip_address": "10.1.0.6"}, ATTACHED, {"port_id": "p1", "fixed_ip_address": "10.1.0.6"}),
    # Detach.
    ({}, ATTACHED, FREE),
    ({}, FREE, {}),
])
def test_attachment_update(target, current, expected):
    assert f.attachment_update(target, current) == expected


def test_expected_status():
    assert f.expected_status(ATTACHED) == "ACTIVE"
    assert f.expected_status(FREE) == "DOWN"


def test_find_filters_by_what_identifies_an_attachment():
    # The declarations at large are checked with the others in test_resource.py.
    floating_ip = pytest.importorskip("openstack.network.v2.floating_ip").FloatingIP
    queries = set(floating_ip._query_mapping._mapping)
    assert {"floating_ip_address", "floating_network_id", "port_id", "fixed_ip_address", "project_id"} <= queries

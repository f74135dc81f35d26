"""Neutron as a tenant and an operator see it: agents alive, the external network
made by site.yml, and a tenant network, subnet and router that really work.

The router's gateway on the external network is pinged from this machine
through the test cloud's external bridge (nb-<test cloud>-ext, which holds the
gateway address of the cloud's external range); the DHCP namespace of the
tenant network is checked on the host with testinfra. Everything the tests
make they delete.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
import time

import pytest
from cloudtest import EXTERNAL_NETWORK, tenant_network, wait_for

TENANT_CIDR = "10.213.0.0/24"
# neutron-api and its port: test_infra.py.
SERVER_UNITS = ["neutron-rpc-server"]
AGENT_UNITS = ["neutron-linuxbridge-agent", "neutron-dhcp-agent", "neutron-l3-agent", "neutron-metadata-agent"]


def icmp_checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def icmp_echo(address: str, device: str, timeout: float = 1.0) -> bool:
    """One ICMP echo to address, sent out of device only (root: a raw socket
    bound to the device); True when the reply comes back in time."""
    ident, payload = os.getpid() & 0xFFFF, b"nimbus-openstack"
    header = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    packet = struct.pack("!BBHHH", 8, 0, icmp_checksum(header + payload), ident, 1) + payload
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        sock.settimeout(timeout)
        sock.sendto(packet, (address, 0))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply, sender = sock.recvfrom(1024)
            except TimeoutError:
                return False
            header_length = (reply[0] & 0x0F) * 4
            kind, reply_ident = struct.unpack("!B3xH", reply[header_length:header_length + 6])
            if sender[0] == address and kind == 0 and reply_ident == ident:
                return True
    return False


def test_icmp_checksum():
    # RFC 1071's example words, and a header whose checksum field is filled in sums to zero.
    assert icmp_checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D
    header = struct.pack("!BBHHH", 8, 0, 0, 7, 1)
    filled = struct.pack("!BBHHH", 8, 0, icmp_checksum(header), 7, 1)
    assert icmp_checksum(filled) == 0


@pytest.mark.parametrize("unit", SERVER_UNITS + AGENT_UNITS)
def test_neutron_unit_enabled_and_running(host, unit):
    service = host.service(unit)
    assert service.is_running and service.is_enabled


def test_every_agent_alive(conn, host):
    node = host.check_output("uname -n")

    def alive():
        agents = [a for a in conn.network.agents() if a.host == node]
        binaries = {a.binary for a in agents if a.is_alive}
        return binaries if binaries >= set(AGENT_UNITS) else None

    # After a restart the agents report down for about a minute.
    assert wait_for(alive, 150, 5), "agents of %s not all alive: %s" % (
        node, [(a.binary, a.is_alive) for a in conn.network.agents() if a.host == node])


def test_external_network_made_by_site(conn, cloud_vars):
    network = conn.network.find_network(EXTERNAL_NETWORK)
    assert network is not None
    assert network.is_router_external
    assert network.provider_network_type == "flat"
    assert network.provider_physical_network == "external"
    subnets = [conn.network.get_subnet(s) for s in network.subnet_ids]
    assert [s.cidr for s in subnets] == [cloud_vars["nimbus_external_cidr"]]
    assert subnets[0].gateway_ip == cloud_vars["nimbus_external_gateway"]
    assert not subnets[0].is_dhcp_enabled
    assert subnets[0].allocation_pools == [{"start": cloud_vars["nimbus_external_pool_start"],
                                            "end": cloud_vars["nimbus_external_pool_end"]}]


@pytest.fixture(scope="module")
def tenant(conn):
    with tenant_network(conn, TENANT_CIDR) as made:
        yield made


def test_router_gateway_answers_ping_through_external_bridge(tenant, cloud_vars):
    gateway = tenant["router"].external_gateway_info
    addresses = [ip["ip_address"] for ip in gateway["external_fixed_ips"]]
    assert len(addresses) == 1
    address = addresses[0]
    # Only ever an address of the test cloud's own external range.
    assert ipaddress.ip_address(address) in ipaddress.ip_network(cloud_vars["nimbus_external_cidr"])
    bridge = "nb-%s-ext" % cloud_vars["nimbus_testcloud_name"]
    assert wait_for(lambda: icmp_echo(address, bridge), 90, 1), \
        "router gateway %s does not answer ping through %s" % (address, bridge)


def test_dhcp_namespace_serves_tenant_subnet(tenant, host):
    network_id = tenant["network"].id
    namespace = "qdhcp-" + network_id

    def serving():
        namespaces = host.check_output("ip netns list").split()
        dnsmasq = [p for p in host.process.filter(comm="dnsmasq") if network_id in p.args]
        return namespace in namespaces and dnsmasq

    assert wait_for(serving, 90, 3), "no %s namespace with a dnsmasq for the network" % namespace
    # The DHCP port has an address on the tenant subnet, inside the namespace.
    addresses = host.check_output("ip netns exec %s ip -4 -o addr show" % namespace)
    assert any(ipaddress.ip_interface(word).ip in ipaddress.ip_network(TENANT_CIDR)
               for word in addresses.split() if "/" in word and word[0].isdigit())

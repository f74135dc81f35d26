"""What the Vagrant cloud gets from the test-cloud plan: hosts, NICs, files, the management network."""

from __future__ import annotations

import base64
import re
import subprocess

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _model as model
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _vagrant as vagrant

SOURCES = [{"uris": ["http://deb.example/debian"], "suites": ["bookworm"], "components": ["main"], "signed_by": None}]
PLAN = model.plan(vagrant.NAME, vagrant.TOPOLOGY, vagrant.SLOT)
SETTINGS = vagrant.settings(PLAN, "nimbus-debian12-0", "/k/id_ed25519", "ssh-ed25519 AAAA key\n", SOURCES,
                            "http://172.29.236.225:3142")


def _files(script):
    """Path -> (content, mode) of what a provisioning script writes."""
    found = {}
    for data, mode, path in re.findall(r"^printf %s (\S+) \| base64 -d .* install -D -m (\d+) \S+ (\S+)$", script, re.M):
        found[path] = (base64.b64decode(data).decode(), int(mode, 8))
    return found


def test_hosts_are_the_multinode_topology_with_preflight_memory():
    hosts = {h["name"]: h for h in SETTINGS["hosts"]}
    assert list(hosts) == [h["name"] for h in model.TOPOLOGIES["multinode"]]
    assert {n: h["memory_mib"] for n, h in hosts.items()} == {
        "controller": 4096, "network": 1024, "compute1": 2048, "compute2": 2048, "storage": 2048}
    # NIC2 and NIC3 in the tool's order: overlay (eth1), then external (eth2).
    assert [n["bridge"] for n in hosts["network"]["bridges"]] == ["nb-vagrant-vxln", "nb-vagrant-ext"]
    assert [n["bridge"] for n in hosts["compute2"]["bridges"]] == ["nb-vagrant-vxln"]
    assert hosts["controller"]["bridges"] == [] and hosts["storage"]["bridges"] == []
    assert len({h["mgmt_mac"] for h in hosts.values()}) == len(hosts)


@pytest.mark.parametrize("host", ["network", "compute1", "storage"])
def test_provisioning_writes_the_tools_files_but_leaves_eth0_and_machine_id(host):
    script = next(h["provision"] for h in SETTINGS["hosts"] if h["name"] == host)
    assert subprocess.run(["sh", "-n"], input=script, text=True, check=False).returncode == 0
    files = _files(script)
    assert files["/etc/hostname"] == (host + "\n", 0o644)
    assert files["/root/.ssh/authorized_keys"] == ("ssh-ed25519 AAAA key\n", 0o600)
    assert "http://172.29.236.225:3142" in files["/etc/apt/apt.conf.d/00nimbus-proxy"][0]
    assert "/etc/machine-id" not in files and "/etc/systemd/network/10-eth0.network" not in files
    planned = next(h for h in PLAN["hosts"] if h["name"] == host)
    if "overlay" in planned["interfaces"]:
        address = planned["interfaces"]["overlay"]["address"]
        assert "Address=%s/27" % address in files["/etc/systemd/network/10-eth1.network"][0]
    else:
        assert "/etc/systemd/network/10-eth1.network" not in files


def test_management_network_is_isolated_with_one_lease_per_host():
    macs = {h["name"]: h["mgmt_mac"] for h in SETTINGS["hosts"]}
    xml = vagrant._mgmt_xml(PLAN, macs)
    assert "<forward" not in xml and "<dns enable='no'/>" in xml
    assert "<ip address='172.29.236.225' netmask='255.255.255.224'>" in xml
    leases = re.findall(r"<host mac='([^']+)' name='([^']+)' ip='([^']+)'/>", xml)
    assert leases == [(macs[h["name"]], h["name"], h["interfaces"]["mgmt"]["address"]) for h in PLAN["hosts"]]
    assert [ip for _mac, _name, ip in leases] == ["172.29.236.%d" % n for n in range(235, 240)]


def test_the_box_dhcp_takes_no_route_dns_or_gateway():
    assert "UseRoutes=no" in vagrant.DHCP_ETH0 and "UseDNS=no" in vagrant.DHCP_ETH0

"""Servers spread over the compute hosts, as a tenant and an operator see them.

One server of the guest image boots on each compute host (forced with the
availability zone nova:<host>) on one tenant network behind a router, each with
a floating IP routed by the network host. From inside each guest, over SSH, it
pings the other's fixed address: east-west traffic between two compute hosts,
which only the VXLAN overlay carries (each host's VXLAN device has learned the
other's overlay address). Then a volume that the storage host serves is
attached to the server on the second compute host and seen from inside it.
Last, playbooks/verify.yml passes beside these servers, as on the all-in-one
cloud, and leaves nothing behind: Placement's usage and the RBD images of
Ceph's pools (on the storage host) are as they were.

Everything is made with the collection's modules; openstacksdk only checks
what they did. Everything is deleted afterwards, also when a test fails.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from cloudtest import cloud_usage, playbook
from conftest import boot, delete_server, login, run_module

testinfra_hosts = ["ansible://controller"]


@pytest.fixture(scope="module")
def spread(tenant, cloud, guest_image):
    """One server on each of the first two compute hosts; deleted afterwards."""
    names = ["%s-%s" % (tenant["prefix"], compute) for compute in cloud["computes"]]
    try:
        # Both boot at once: under TCG a boot takes a minute.
        with ThreadPoolExecutor(len(names)) as pool:
            servers = list(pool.map(lambda pair: boot(tenant, pair[0], pair[1], guest_image),
                                    zip(names, cloud["computes"], strict=True)))
        yield dict(tenant, servers=servers)
    finally:
        for name in names:
            delete_server(name)


def test_each_server_runs_on_its_compute_host(conn, spread, cloud):
    placed = {s["compute"]: conn.compute.get_server(s["id"]) for s in spread["servers"]}
    assert {host: (server.compute_host, server.status) for host, server in placed.items()} == {
        host: (host, "ACTIVE") for host in cloud["computes"]}
    # libvirt on that host runs it, and not on the other one.
    for host, server in placed.items():
        assert server.instance_name in cloud["hosts"][host].check_output("virsh list --name").split()


def test_each_server_answers_ssh_on_its_floating_ip(spread, cloud):
    for server in spread["servers"]:
        result = login(spread, server, cloud["bridge"], "ip -4 -o addr show dev eth0")
        assert " %s/" % server["fixed"] in result.stdout


def test_east_west_between_compute_hosts_over_vxlan(conn, spread, cloud):
    first, second = spread["servers"]
    for source, target in ((first, second), (second, first)):
        result = login(spread, source, cloud["bridge"], "ping -c 3 -W 2 %s" % target["fixed"])
        assert " 0% packet loss" in result.stdout, result.stdout
    # The tenant network is a VXLAN segment; each compute host's VXLAN device
    # forwards to the other's overlay address (l2population's entries).
    network = conn.network.find_network(spread["network"], ignore_missing=False)
    assert network.provider_network_type == "vxlan"
    device = "vxlan-%d" % network.provider_segmentation_id
    overlay = {name: cloud["hosts"][name].ansible.get_variables()["nimbus_overlay_address"] for name in cloud["computes"]}
    for name in cloud["computes"]:
        fdb = cloud["hosts"][name].check_output("bridge fdb show dev %s", device)
        others = [address for other, address in overlay.items() if other != name]
        assert all("dst %s " % address in fdb for address in others), fdb


def test_volume_from_the_storage_host_on_the_second_compute_host(conn, spread, cloud):
    server = spread["servers"][1]
    name = "%s-volume" % spread["prefix"]
    volume = run_module("volume", name=name, size=1)["volume"]
    try:
        run_module("server_volume", server=server["id"], volume=volume["id"])
        # cinder-volume runs on the storage host only, and the volume is in
        # Ceph's volumes pool there.
        storage = cloud["vars"]["groups"]["storage"][0]
        running = {name: host.service("cinder-volume").is_running for name, host in cloud["hosts"].items()}
        assert running == {name: name == storage for name in cloud["hosts"]}
        assert "volume-" + volume["id"] in cloud["hosts"][storage].check_output("rbd --pool volumes ls").split()
        # The guest sees a second disk of 1 GiB (1048576 blocks of 1 KiB).
        partitions = login(spread, server, cloud["bridge"], "cat /proc/partitions").stdout
        assert any(line.split()[2:] == ["1048576", "vdb"] for line in partitions.splitlines()), partitions
    finally:
        run_module("server_volume", server=server["id"], volume=volume["id"], state="absent")
        run_module("volume", name=name, state="absent")


@pytest.mark.timeout(1500)
def test_verify_playbook_beside_these_servers(conn, spread, cloud, request):
    storage = cloud["hosts"][cloud["vars"]["groups"]["storage"][0]]
    before = cloud_usage(conn, storage)
    rc, out = playbook(request, "verify.yml", timeout=1400)
    assert rc == 0, out[-6000:]
    assert "Cloud verified as tenant verify-" in out
    assert cloud_usage(conn, storage) == before
    assert [conn.compute.get_server(s["id"]).status for s in spread["servers"]] == ["ACTIVE"] * len(spread["servers"])

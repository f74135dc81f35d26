"""Block storage on Ceph, as an operator and a tenant see it: the cluster is
healthy with its pools and narrow client users, Cinder has only its RBD
backend, and a guest's attached volume keeps working, with its data, across a
restart of every Ceph daemon. (A volume that keeps its data across a restart
of the storage host is test_faults.py's host restart.)"""

from __future__ import annotations

import json

import pytest
from cloudtest import run_module, ssh, wait_for

TENANT_CIDR = "10.213.0.0/24"
POOLS = ("volumes", "images", "vms")


def test_ceph_health_ok(host):
    assert host.check_output("ceph health") == "HEALTH_OK"


@pytest.mark.parametrize("pool", POOLS)
def test_pool_for_rbd(host, pool):
    detail = json.loads(host.check_output("ceph osd pool get %s all --format json", pool))
    applications = json.loads(host.check_output("ceph osd pool application get %s --format json", pool))
    assert "rbd" in applications and detail["size"] >= 1


def test_client_users_have_narrow_caps(host):
    users = {entry["entity"]: entry["caps"]
             for entry in json.loads(host.check_output("ceph auth ls --format json"))["auth_dump"]}
    assert users["client.glance"]["osd"] == "profile rbd pool=images"
    assert users["client.cinder"]["osd"] == (
        "profile rbd pool=volumes, profile rbd pool=vms, profile rbd-read-only pool=images")


def test_cinder_has_only_its_rbd_backend(conn):
    services = [(s.binary, s.host, s.state) for s in conn.block_storage.services()]
    assert sorted(binary for binary, _host, _state in services) == ["cinder-scheduler", "cinder-volume"], services
    assert ("cinder-volume", "rbd:volumes@ceph", "up") in services
    assert all(state == "up" for _binary, _host, state in services), services


@pytest.mark.timeout(900)
def test_attached_volume_survives_ceph_restart(conn, server, host):
    cloud_vars = host.ansible.get_variables()
    bridge = "nb-%s-ext" % cloud_vars["nimbus_testcloud_name"]
    made = conn.compute.wait_for_server(server["server"], status="ACTIVE", failures=["ERROR"], wait=300)
    port = next(conn.network.ports(device_id=made.id))
    server["fip"] = conn.network.create_ip(floating_network_id=server["external"].id, port_id=port.id)
    address = server["fip"].floating_ip_address
    name = server["prefix"] + "-vol"
    volume = run_module("volume", name=name, size=1)["volume"]
    try:
        run_module("server_volume", server=made.id, volume=volume["id"])
        # The guest's disk whose serial is the volume's id (its first 20 characters).
        disk = ('disk=$(for d in /sys/block/vd*; do [ "$(cat $d/serial)" = "%s" ] && echo ${d##*/}; done);'
                ' [ -n "$disk" ]' % volume["id"][:20])

        def write_and_read(marker):
            result = ssh(server["key"], address, bridge, disk + " && echo %s | dd of=/dev/$disk bs=512 count=1"
                         " conv=sync,fsync 2>/dev/null && head -c 64 /dev/$disk" % marker)
            return result if result.returncode == 0 and marker in result.stdout else None

        assert wait_for(lambda: write_and_read("before-restart"), 180, 5), "no write to the volume's disk in the guest"
        host.run_expect([0], "systemctl restart ceph.target")
        assert wait_for(lambda: host.run("ceph health").stdout.strip() == "HEALTH_OK", 120, 3), \
            host.run("ceph health detail").stdout
        # Still attached, and the disk takes writes and reads them back.
        assert wait_for(lambda: write_and_read("after-restart"), 120, 5), "the guest's volume stopped working"
        assert conn.block_storage.get_volume(volume["id"]).status == "in-use"
    finally:
        run_module("server_volume", server=made.id, volume=volume["id"], state="absent")
        run_module("volume", name=name, state="absent")

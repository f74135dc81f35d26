"""A cluster on a whole device (ceph1), and a cloud's storage host (client1)
that uses it as a cluster the cloud does not own (nimbus_ceph_external)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import testinfra
import yaml

REPO = Path(__file__).resolve().parents[3]
ANSIBLE_BIN = Path(sys.executable).parent
SCENARIO = Path(__file__).resolve().parents[1]
CLIENT_PLAYBOOK = SCENARIO / "client.yml"
# The inventory the test-cloud tool wrote for the scenario's hosts.
TOOL_INVENTORY = SCENARIO / "inventory" / "testcloud.yml"
# A playbook run of the client's deploy may take this long (packages included).
PLAYBOOK_TIMEOUT = 600
GROUPS = ["controller", "network", "compute", "storage"]


@pytest.fixture(scope="module")
def inventory(request):
    return request.config.option.ansible_inventory


@pytest.fixture(scope="module")
def ceph1(inventory):
    return testinfra.get_host("ansible://ceph1", ansible_inventory=inventory)


@pytest.fixture(scope="module")
def client1(inventory):
    return testinfra.get_host("ansible://client1", ansible_inventory=inventory)


@pytest.fixture(scope="module")
def cluster(ceph1):
    """What an operator knows of the cluster: fsid, monitor address, the client users' keys."""
    return {
        "fsid": ceph1.check_output("ceph fsid"),
        "mons": [ceph1.ansible.get_variables()["nimbus_mgmt_address"]],
        "keys": {user: ceph1.check_output("ceph auth get-key client.%s" % user) for user in ("cinder", "glance")},
    }


def deploy_client(tmp_path, cluster, **overrides):
    """Run client.yml on client1 as every group of a cloud that uses `cluster`
    externally (`overrides` replace its values); return the finished process."""
    with open(TOOL_INVENTORY) as handle:
        tool = yaml.safe_load(handle)["all"]
    values = {
        "nimbus_ceph_external": True,
        "nimbus_ceph_fsid": cluster["fsid"],
        "nimbus_ceph_mon_addresses": cluster["mons"],
        "nimbus_ceph_client_keys": cluster["keys"],
        "nimbus_secrets_file": str(tmp_path / "secrets.yml"),
    }
    values.update(overrides)
    cloud = {"all": {
        "vars": dict(tool["vars"], **values),
        "hosts": {"client1": tool["hosts"]["client1"]},
        "children": {group: {"hosts": {"client1": {}}} for group in GROUPS},
    }}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(cloud))
    env = dict(os.environ, ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    return subprocess.run([str(ANSIBLE_BIN / "ansible-playbook"), "-i", str(path), str(CLIENT_PLAYBOOK)],
                          capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT, env=env, check=False, cwd=REPO)


def recap(done):
    """The PLAY RECAP counts of client1 ({"ok": n, "changed": n, ...})."""
    line = [line for line in done.stdout.splitlines() if line.startswith("client1 ")][-1]
    return {key: int(value) for key, value in (item.split("=") for item in line.split(":", 1)[1].split())}


def etc_ceph(client1):
    """Checksums of client1's Ceph client files (empty when there are none)."""
    return client1.run("cd /etc/ceph 2>/dev/null && md5sum ceph.conf ceph.client.*.keyring 2>/dev/null").stdout


def test_osd_is_on_the_device(ceph1):
    device = ceph1.check_output("readlink /var/lib/ceph/osd/ceph-0/block")
    assert device.startswith("/dev/loop"), device
    metadata = json.loads(ceph1.check_output("ceph osd metadata 0 -f json"))
    assert metadata["bluestore_bdev_type"] in ("hdd", "ssd") and metadata["devices"] == device[len("/dev/"):]
    assert ceph1.file(device).user == "ceph"
    health = json.loads(ceph1.check_output("ceph health -f json"))
    assert health["status"] == "HEALTH_OK", health


def test_osd_takes_its_device_back_when_it_starts(ceph1):
    # After a boot the device node is root's again, as it is here after the chown.
    device = ceph1.check_output("readlink -f /var/lib/ceph/osd/ceph-0/block")
    ceph1.check_output("chown root:disk %s && systemctl restart ceph-osd@0", device)
    up = ceph1.run("timeout 120 sh -c 'until ceph osd dump -f json | grep -q \"\\\"up\\\":1\"; do sleep 2; done'")
    assert up.rc == 0, ceph1.run("systemctl status ceph-osd@0 --no-pager").stdout
    assert ceph1.file(device).user == "ceph"


def test_device_with_data_is_refused(ceph1):
    ids = ceph1.check_output("ceph osd ls")
    disk = ceph1.check_output("truncate --size 1G /root/used.img && losetup --find --show /root/used.img")
    try:
        ceph1.check_output("mkfs.ext4 -q %s", disk)
        made = ceph1.run("/usr/local/sbin/nimbus-ceph-osd-create 2b8d36c6-0c76-4f38-9d1b-0d5b8bfe0a11 %s", disk)
        assert made.rc == 2 and "ceph_osd_devices: %s holds a partition table or file system" % disk in made.stderr
        assert "TYPE=ext4" in made.stderr
        assert ceph1.check_output("ceph osd ls") == ids
        assert ceph1.check_output("blkid -p -o value -s TYPE %s", disk) == "ext4"
    finally:
        ceph1.run("losetup --detach %s; rm -f /root/used.img", disk)


@pytest.mark.parametrize("overrides, message", [
    ({"nimbus_ceph_client_keys": {"cinder": "x"}}, "nimbus_ceph_client_keys (a key for each of the users cinder, glance; "
                                                   "missing or empty: glance)"),
    ({"nimbus_ceph_fsid": "not-a-uuid"}, "nimbus_ceph_fsid (its fsid, a lowercase UUID; now not-a-uuid)"),
    ({"nimbus_ceph_mon_addresses": "10.0.0.1"}, "nimbus_ceph_mon_addresses (a list of its monitors' addresses"),
    ({"nimbus_ceph_client_keys": {"cinder": "AQBJx2tlAAAAABAAk0VjNW5Mu6Eq3iMrzU1ZOw==", "glance": "y"}},
     "did not let client.cinder (its key from nimbus_ceph_client_keys) list the pools volumes, images, vms"),
], ids=["missing-key", "bad-fsid", "mons-not-a-list", "wrong-key"])
def test_bad_description_fails_before_anything_changes(tmp_path, cluster, client1, overrides, message):
    before = etc_ceph(client1)
    done = deploy_client(tmp_path, cluster, **overrides)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert message in " ".join(output.split()), output[-3000:]
    assert etc_ceph(client1) == before


def test_client_uses_the_cluster_and_runs_no_ceph_daemon(tmp_path, cluster, client1):
    done = deploy_client(tmp_path, cluster)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    for package in ("ceph-mon", "ceph-mgr", "ceph-osd"):
        assert not client1.package(package).is_installed, package
    assert client1.run("pgrep -f 'ceph-(mon|mgr|osd)'").rc == 1
    conf = client1.file("/etc/ceph/ceph.conf").content_string
    assert "fsid = %s" % cluster["fsid"] in conf and "mon_host = %s" % cluster["mons"][0] in conf
    for user in ("cinder", "glance"):
        keyring = client1.file("/etc/ceph/ceph.client.%s.keyring" % user)
        assert (keyring.user, keyring.group, keyring.mode) == ("root", "ceph", 0o640)
    # cinder writes volumes and reads images; glance writes images.
    rbd = "rbd --client-mount-timeout 30 --rados-osd-op-timeout 30 "
    client1.check_output(rbd + "--id cinder create --size 64M volumes/external-test")
    client1.check_output(rbd + "--id glance create --size 64M images/external-test")
    try:
        assert "external-test" in client1.check_output(rbd + "--id cinder ls images")
        assert client1.run(rbd + "--id cinder create --size 64M images/refused").rc != 0
    finally:
        client1.run(rbd + "--id cinder rm volumes/external-test")
        client1.run(rbd + "--id glance rm images/external-test")
    # A second run changes nothing.
    again = deploy_client(tmp_path, cluster)
    assert again.returncode == 0 and recap(again)["changed"] == 0, again.stdout[-3000:]

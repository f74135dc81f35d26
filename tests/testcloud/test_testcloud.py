"""The test-cloud tool on this machine, for real: bad input, leftovers, re-runs, removal."""

from __future__ import annotations

import os
import subprocess
import tempfile

import pytest
import yaml
from conftest import STATE_ROOT, guard_rules, interfaces, namespaces, playbook, ssh

ALL_GROUPS = ["controller", "network", "compute", "storage"]


@pytest.mark.parametrize(("extra", "message"), [
    ({"testcloud_topology": "huge"}, "value of testcloud_topology must be one of: aio, multinode, got: huge"),
    ({"testcloud_hosts": [{"name": "bad_host", "groups": ALL_GROUPS}]}, "'bad_host' is not a valid hostname"),
    ({"testcloud_hosts": [{"name": "h1", "groups": ALL_GROUPS, "mgmt_address": "172.29.237.5"}]},
     "mgmt address 172.29.237.5 is outside 172.29.236."),
    ({"testcloud_hosts": [{"name": "h1", "groups": ["controller"]}]}, "leave group 'network' empty"),
    ({"testcloud_slot": 9}, "testcloud_slot 9 is out of range; use 0 to 7"),
    ({"testcloud_backend": "docker"}, "value of testcloud_backend must be one of: nspawn, libvirt"),
])
def test_bad_input_fails_before_anything_is_made(extra, message):
    result = playbook(dict({"testcloud_name": "tcbad"}, **extra))
    assert result.rc != 0
    assert message in result.output.replace("\n    ", " ").replace("\n", " ")
    assert not (STATE_ROOT / "tcbad").exists()
    assert interfaces("tcbad") == [] and namespaces("tcbad") == [] and guard_rules("tcbad") == []


def test_bad_cloud_name_is_named():
    result = playbook({"testcloud_name": "Bad_Name"})
    assert result.rc != 0
    assert "testcloud_name 'Bad_Name' is not allowed" in result.output


def test_root_is_required():
    home = tempfile.mkdtemp(prefix="nimbus-nobody-")
    os.chmod(home, 0o777)
    env = ["env", "HOME=" + home, "ANSIBLE_LOCAL_TEMP=" + home]
    nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    result = playbook({"testcloud_name": "tcuser"}, prefix=nobody + env)
    assert result.rc != 0
    assert "needs root" in result.output
    assert not (STATE_ROOT / "tcuser").exists()


def _leave_leftovers(name):
    """What an interrupted run leaves: a namespace with a veth, a misaddressed bridge, a half disk."""
    netns = "nimbus-%s-aio1" % name
    for cmd in (
        ["ip", "netns", "add", netns],
        ["ip", "link", "add", "nb-%s-1e0" % name, "type", "veth", "peer", "name", "eth0", "netns", netns],
        ["ip", "link", "add", "nb-%s-mgmt" % name, "type", "bridge"],
        ["ip", "addr", "add", "172.29.236.61/26", "dev", "nb-%s-mgmt" % name],
    ):
        subprocess.run(cmd, check=True)
    half = STATE_ROOT / name / "hosts" / "aio1" / "rootfs" / "etc"
    half.mkdir(parents=True)
    (half / "half-made").write_text("an interrupted copy\n")


def test_leftovers_rerun_and_removal(cloud):
    name, inventory = cloud("tcl")
    _leave_leftovers(name)
    # An interface of another cloud whose name starts alike must survive removal.
    subprocess.run(["ip", "link", "add", "nb-%sx-mgmt" % name, "type", "bridge"], check=True)
    try:
        first = playbook({"testcloud_name": name, "testcloud_inventory": str(inventory)})
        assert first.rc == 0, first.output
        assert first.changed == 1

        second = playbook({"testcloud_name": name, "testcloud_inventory": str(inventory)})
        assert second.rc == 0, second.output
        assert second.changed == 0

        ssh_result = ssh(inventory, "ls /etc/half-made")
        assert ssh_result.returncode != 0, "the half-made disk was reused"
        hosts = yaml.safe_load(inventory.read_text())["all"]["hosts"]
        mgmt = hosts["aio1"]["nimbus_mgmt_address"]
        addr = subprocess.run(["ip", "-o", "-4", "addr", "show", "nb-%s-mgmt" % name],
                              capture_output=True, text=True, check=True).stdout
        assert "172.29.236.61" not in addr and mgmt.rsplit(".", 1)[0] in addr
        assert len(guard_rules(name)) == 2

        gone = playbook({"testcloud_name": name, "testcloud_state": "absent"})
        assert gone.rc == 0, gone.output
        assert gone.changed == 1
        assert interfaces(name) == [] and namespaces(name) == [] and guard_rules(name) == []
        assert not (STATE_ROOT / name).exists() and not inventory.exists()
        assert interfaces(name + "x") == ["nb-%sx-mgmt" % name]

        again = playbook({"testcloud_name": name, "testcloud_state": "absent"})
        assert again.rc == 0 and again.changed == 0
    finally:
        subprocess.run(["ip", "link", "del", "nb-%sx-mgmt" % name], check=False)


def test_two_clouds_side_by_side_one_multinode(cloud):
    aio, aio_inventory = cloud("tca")
    multi, multi_inventory = cloud("tcm")
    first = playbook({"testcloud_name": aio, "testcloud_inventory": str(aio_inventory)})
    assert first.rc == 0, first.output
    second = playbook({"testcloud_name": multi, "testcloud_topology": "multinode",
                       "testcloud_inventory": str(multi_inventory)})
    assert second.rc == 0, second.output

    aio_inv = yaml.safe_load(aio_inventory.read_text())["all"]
    multi_inv = yaml.safe_load(multi_inventory.read_text())["all"]
    assert set(multi_inv["hosts"]) == {"controller", "network", "compute1", "compute2", "storage"}
    assert set(multi_inv["children"]["compute"]["hosts"]) == {"compute1", "compute2"}
    addresses = [h["ansible_host"] for inv in (aio_inv, multi_inv) for h in inv["hosts"].values()]
    assert len(set(addresses)) == 6
    assert aio_inv["vars"]["nimbus_external_cidr"] != multi_inv["vars"]["nimbus_external_cidr"]

    for inv_path, count in ((aio_inventory, 1), (multi_inventory, 5)):
        result = ssh(inv_path, "ip -br link")
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.count("CHANGED") == count
    network = ssh(multi_inventory, "ip -br link", "network").stdout
    assert "eth1" in network and "eth2" in network
    controller = ssh(multi_inventory, "ip -br link", "controller").stdout
    assert "eth0" in controller and "eth1" not in controller and "eth2" not in controller

    # Removing one leaves the other running.
    gone = playbook({"testcloud_name": multi, "testcloud_state": "absent"})
    assert gone.rc == 0, gone.output
    assert ssh(aio_inventory, "true").returncode == 0

"""playbooks/preflight.yml (site.yml's first stage) on a real host: the
scenario's inventory passes, and each bad input fails with a message that
names the variable (and the host), before anything on the host changes.

Each case is an inventory made from the test-cloud tool's one (the all-in-one
host aio1), with one thing wrong in it. Nothing outside ansible's own working
directory is newer on the host afterwards than a mark made before the cases.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
INVENTORY = Path(__file__).resolve().parents[1] / "inventory" / "testcloud.yml"
MARK = "/var/tmp/nimbus-preflight-mark"
# Where a host changes when anything is deployed (not /var/log, /tmp, /run,
# /var/lib/apt and /var/lib/systemd, which the system itself touches, nor
# ansible's own working directory).
WATCHED = "/etc /usr /opt /srv /var/lib /root"
CHANGED = ("find %s -xdev -newer %s -not -path '/root/.ansible*' -not -path '/var/lib/apt/*' "
           "-not -path '/var/lib/systemd/*' -print" % (WATCHED, MARK))


def host_of(inventory):
    return inventory["all"]["hosts"]["aio1"]


def without_group(group):
    def change(inventory):
        inventory["all"]["children"][group]["hosts"] = {}
    return change


def host_var(name, value):
    def change(inventory):
        if value is None:
            host_of(inventory).pop(name, None)
        else:
            host_of(inventory)[name] = value
    return change


def all_var(name, value):
    def change(inventory):
        inventory["all"]["vars"][name] = value
    return change


def pool_reversed(inventory):
    """The external pool's ends swapped: both inside the CIDR of whichever slot
    the cloud has, the start after the end."""
    ext = inventory["all"]["vars"]
    ext["nimbus_external_pool_start"], ext["nimbus_external_pool_end"] = (
        ext["nimbus_external_pool_end"], ext["nimbus_external_pool_start"])


def second_host(**hostvars):
    """A second inventory host in the compute group: aio1 under another name
    (same address, so the same machine answers), or one that does not answer."""
    def change(inventory):
        inventory["all"]["hosts"]["twin"] = dict(host_of(inventory), **hostvars)
        inventory["all"]["children"]["compute"]["hosts"]["twin"] = {}
    return change


def secrets(changes, mode):
    """The valid secrets file with `changes`, as a copy of `mode`."""
    def change(inventory, workdir):
        valid = yaml.safe_load(Path(inventory["all"]["vars"]["nimbus_secrets_file"]).read_text())
        path = workdir / "secrets.yml"
        path.write_text(yaml.safe_dump(dict(valid, **changes)))
        path.chmod(mode)
        inventory["all"]["vars"]["nimbus_secrets_file"] = str(path)
    return change


# (case id, change to the inventory, what the message must say)
CASES = [
    ("no-controller", without_group("controller"), "group controller"),
    ("no-compute", without_group("compute"), "group compute"),
    ("no-network", without_group("network"), "group network"),
    ("no-mgmt-address", host_var("nimbus_mgmt_address", None), "nimbus_mgmt_address"),
    ("mgmt-address-not-ip", host_var("nimbus_mgmt_address", "controller.example"), "nimbus_mgmt_address"),
    ("mgmt-address-not-on-interface", host_var("nimbus_mgmt_address", "172.29.236.60"), "nimbus_mgmt_interface"),
    ("mgmt-interface-missing", host_var("nimbus_mgmt_interface", "eth9"), "eth9"),
    ("mgmt-address-twice", second_host(), "nimbus_mgmt_address"),
    ("overlay-interface-missing", host_var("nimbus_overlay_interface", "eth7"), "nimbus_overlay_interface"),
    ("external-interface-missing", host_var("nimbus_external_interface", "eth8"), "nimbus_external_interface"),
    ("external-cidr-invalid", all_var("nimbus_external_cidr", "172.29.248.0/33"), "nimbus_external_cidr"),
    ("external-cidr-host-bits", all_var("nimbus_external_cidr", "172.29.248.5/27"), "nimbus_external_cidr"),
    ("gateway-outside-cidr", all_var("nimbus_external_gateway", "10.9.9.1"), "nimbus_external_gateway"),
    ("pool-start-after-end", pool_reversed, "nimbus_external_pool_start"),
    ("pool-outside-cidr", all_var("nimbus_external_pool_end", "172.29.249.30"), "nimbus_external_pool_end"),
    ("region-characters", all_var("nimbus_region", "Region One!"), "nimbus_region"),
    ("cloud-name-characters", all_var("nimbus_cloud_name", "my cloud"), "nimbus_cloud_name"),
    ("virt-type-unknown", host_var("nova_compute_virt_type", "xen"), "nova_compute_virt_type"),
    ("keystone-port", all_var("nimbus_keystone_port", 70000), "nimbus_keystone_port"),
    ("heartbeat-timeout", all_var("nimbus_rabbitmq_heartbeat_timeout", 0), "nimbus_rabbitmq_heartbeat_timeout"),
    ("service-workers", all_var("nimbus_service_workers", "many"), "nimbus_service_workers"),
    ("too-little-memory", all_var("preflight_requirements", {"controller": {"memory_mb": 10 ** 7, "disk_mb": 1}}),
     "memory"),
    ("too-little-disk", all_var("preflight_requirements", {"storage": {"memory_mb": 1, "disk_mb": 10 ** 9}}),
     "disk"),
    ("unreachable-host", second_host(ansible_host="127.0.0.1", ansible_port=1, nimbus_mgmt_address="172.29.236.61"),
     "unreachable"),
    ("ceph-external-fsid", lambda inv: inv["all"]["vars"].update(
        nimbus_ceph_external=True, nimbus_ceph_fsid="not-a-uuid", nimbus_ceph_mon_addresses=["172.29.236.11"]),
     "nimbus_ceph_fsid"),
    ("secret-characters", secrets({"keystone_admin_password": "pa@ss word"}, 0o600), "keystone_admin_password"),
    ("secrets-file-readable", secrets({}, 0o644), "nimbus_secrets_file"),
]


def preflight(tmp_path, secrets_file, change=None):
    """Run playbooks/preflight.yml with the tool's inventory and secrets_file,
    changed: (rc, output)."""
    inventory = copy.deepcopy(yaml.safe_load(INVENTORY.read_text()))
    inventory["all"]["vars"]["nimbus_secrets_file"] = str(secrets_file)
    if change is not None:
        if change.__code__.co_argcount == 2:
            change(inventory, tmp_path)
        else:
            change(inventory)
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_CALLBACKS_ENABLED="nimbus.openstack.timing", NIMBUS_TIMING_OUTPUT=str(tmp_path / "timing.json"))
    done = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(path), str(REPO / "playbooks" / "preflight.yml")],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope="module")
def mark(host):
    host.check_output("touch %s" % MARK)
    yield
    host.run("rm -f %s" % MARK)


@pytest.fixture(scope="module")
def valid_secrets(tmp_path_factory, mark):
    """The secrets file that the first run, with the tool's inventory, generates."""
    workdir = tmp_path_factory.mktemp("preflight")
    rc, out = preflight(workdir, workdir / "secrets.yml")
    assert rc == 0, out[-3000:]
    return workdir / "secrets.yml"


def test_the_tool_inventory_passes(tmp_path, valid_secrets):
    rc, out = preflight(tmp_path, valid_secrets)
    assert rc == 0, out[-3000:]
    assert "Check the inventory and every host before anything changes" in out


@pytest.mark.parametrize(("change", "said"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_fails_before_anything_changes(tmp_path, valid_secrets, change, said):
    rc, out = preflight(tmp_path, valid_secrets, change)
    assert rc != 0, out[-3000:]
    assert "Check the inventory and every host before anything changes" in out
    failure = out[out.index("fatal:"):] if "fatal:" in out else out
    assert said in failure, failure[-3000:]
    timing = json.loads((tmp_path / "timing.json").read_text())
    assert sum(stage["changed"] for stage in timing["stages"]) == 0, timing["stages"]


def test_nothing_changed_on_the_host(host, mark):
    assert host.check_output(CHANGED) == ""

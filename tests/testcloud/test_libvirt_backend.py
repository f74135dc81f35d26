"""The libvirt backend of the test-cloud tool, for real: a one-host cloud of a QEMU VM.

The name `lv` is this test's own; the tool gives it a free address slot, so it
runs beside the nspawn clouds of other tests. The guest boots under TCG where KVM cannot run guests;
with the VM layer cached the whole test takes about a minute, on a fresh machine
(base image, kernel layer, KVM probe) about three.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml
from conftest import STATE_ROOT, interfaces, playbook, ssh

NAME = "lv"
DOMAIN = "nimbus-lv-aio1"
SETTINGS = {"testcloud_name": NAME, "testcloud_backend": "libvirt"}


def _domains():
    import libvirt  # from the venv (requirements-dev.txt), as the module uses it

    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open("qemu:///system")
    try:
        return [dom.name() for dom in conn.listAllDomains()]
    finally:
        conn.close()


def _qemu_running():
    return subprocess.run(["pgrep", "-f", "guest=%s," % DOMAIN], capture_output=True, check=False).returncode == 0


@pytest.fixture
def lv_cloud(tmp_path):
    inventory = tmp_path / "inventory.yml"
    yield inventory
    playbook(dict(SETTINGS, testcloud_state="absent", testcloud_inventory=str(inventory)))


def test_libvirt_host_boots_answers_and_is_removed(lv_cloud):
    inventory = lv_cloud
    made = playbook(dict(SETTINGS, testcloud_inventory=str(inventory)))
    assert made.rc == 0, made.output
    assert DOMAIN in _domains() and _qemu_running()
    # Taps carry the cloud's prefix, in the order of the guest's eth0, eth1, eth2.
    assert {"nb-lv-1e0", "nb-lv-1e1", "nb-lv-1e2"} <= set(interfaces(NAME))

    host = yaml.safe_load(inventory.read_text())["all"]["hosts"]["aio1"]
    name = ssh(inventory, "hostname")
    assert name.returncode == 0, name.stdout + name.stderr
    assert name.stdout.strip().splitlines()[-1] == "aio1"
    eth0 = ssh(inventory, "ip -4 -o addr show dev eth0")
    assert eth0.returncode == 0, eth0.stdout + eth0.stderr
    assert " %s/27 " % host["nimbus_mgmt_address"] in eth0.stdout
    eth1 = ssh(inventory, "ip -4 -o addr show dev eth1")
    assert " %s/27 " % host["nimbus_overlay_address"] in eth1.stdout

    again = playbook(dict(SETTINGS, testcloud_inventory=str(inventory)))
    assert again.rc == 0 and again.changed == 0, again.output

    gone = playbook(dict(SETTINGS, testcloud_state="absent", testcloud_inventory=str(inventory)))
    assert gone.rc == 0, gone.output
    assert gone.changed == 1
    assert DOMAIN not in _domains() and not _qemu_running()
    assert interfaces(NAME) == []
    assert not (STATE_ROOT / NAME).exists() and not inventory.exists()

"""The shared cloud-test helpers (molecule/shared/tests/cloudtest.py), and what
this scenario's tests share: the hosts, a tenant network with a key that logs
in, and servers booted on a given compute host with a floating IP. Everything
is made with the collection's modules and deleted afterwards."""

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared" / "tests"))

from cloudtest import (  # noqa: E402
    EXTERNAL_NETWORK,
    FLAVOR,
    cloud_vars,
    conn,
    guest_image,
    pytest_collection_modifyitems,
    run_module,
    ssh,
    wait_for,
)

# What pytest must find here (the test modules import the rest from here).
__all__ = ["cloud_vars", "conn", "guest_image", "pytest_collection_modifyitems"]

TENANT_CIDR = "10.215.0.0/24"
# Seconds a server may take to become ACTIVE (TCG guests, two booting at once).
BOOT_TIMEOUT = 420


@pytest.fixture(scope="module")
def cloud(host, request):
    """The cloud's inventory variables, a testinfra host for each of its hosts,
    the external bridge that reaches floating IPs, and the first two compute hosts."""
    variables = host.ansible.get_variables()
    inventory = request.config.getoption("ansible_inventory")
    hosts = {name: testinfra.get_host("ansible://" + name, ansible_inventory=inventory)
             for name in variables["groups"]["all"]}
    return {"vars": variables, "hosts": hosts, "computes": sorted(variables["groups"]["compute"])[:2],
            "bridge": "nb-%s-ext" % variables["nimbus_testcloud_name"]}


@pytest.fixture(scope="session")
def tenant():
    """A network behind a router, a security group that lets SSH and ping in,
    and a keypair whose private key is in tenant["key"]."""
    prefix = "mn-%s" % uuid.uuid4().hex[:8]
    made = {"prefix": prefix, "network": prefix + "-net", "subnet": prefix + "-subnet",
            "router": prefix + "-router", "group": prefix + "-group", "keypair": prefix + "-key"}
    with tempfile.TemporaryDirectory() as keydir:
        made["key"] = os.path.join(keydir, "id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", made["key"]], check=True)
        try:
            run_module("keypair", name=made["keypair"], public_key_file=made["key"] + ".pub")
            run_module("network", name=made["network"])
            run_module("subnet", name=made["subnet"], network=made["network"], cidr=TENANT_CIDR)
            run_module("router", name=made["router"], external_gateway_network=EXTERNAL_NETWORK,
                       interfaces=[{"subnet": made["subnet"]}])
            run_module("security_group", name=made["group"], rules=[
                {"protocol": "tcp", "port": 22}, {"protocol": "icmp"},
                {"direction": "egress", "ether_type": "IPv4"}])
            yield made
        finally:
            run_module("router", name=made["router"], state="absent")
            run_module("network", name=made["network"], state="absent")
            run_module("security_group", name=made["group"], state="absent")
            run_module("keypair", name=made["keypair"], state="absent")


def boot(tenant, name, compute, image):
    """A server of the guest image on host `compute` (availability zone
    nova:<host>, admin only), with a floating IP: {name, compute, id, fixed, floating}."""
    server = run_module("server", name=name, image=image.id, flavor=FLAVOR,
                        networks=[{"network": tenant["network"]}], key_name=tenant["keypair"],
                        security_groups=[tenant["group"]], availability_zone="nova:" + compute,
                        timeout=BOOT_TIMEOUT)["server"]
    fip = run_module("floating_ip", network=EXTERNAL_NETWORK, server=server["id"])["floating_ip"]
    return {"name": name, "compute": compute, "id": server["id"],
            "fixed": fip["fixed_ip_address"], "floating": fip["floating_ip_address"]}


def delete_server(name):
    """The server and its floating IP (which would outlive it), if they exist."""
    run_module("floating_ip", server=name, state="absent")
    run_module("server", name=name, state="absent")


def login(tenant, server, bridge, command, timeout=180):
    """command's result on the server, through its floating IP, once SSH lets in."""
    def attempt():
        result = ssh(tenant["key"], server["floating"], bridge, command)
        return result if result.returncode == 0 else None

    result = wait_for(attempt, timeout, 5)
    assert result, "no SSH to %s (%s) through %s: %s" % (
        server["name"], server["floating"], bridge, ssh(tenant["key"], server["floating"], bridge, command).stderr)
    return result

"""What the scenarios' cloud tests share: the cloud's clouds.yaml entry, the
hosts' inventory variables, a wait helper, a module runner, a tenant network,
the guest image, a server that lets SSH in, a playbook runner, the secrets
file, and a timeout on every request to the cloud. Each scenario's conftest.py imports the fixtures and the hook."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import openstack
import pytest

# The test cloud's clouds.yaml entry; NIMBUS_TEST_CLOUD runs the tests against another one.
CLOUD = os.environ.get("NIMBUS_TEST_CLOUD", "nimbus-molaio")
# The repository, and the ansible commands of the virtualenv the tests run in.
REPO = Path(__file__).resolve().parents[3]
ANSIBLE_BIN = Path(sys.executable).parent
EXTERNAL_NETWORK = "public"
# Seconds any one HTTP request to the cloud may take: a request that hangs fails
# with the URL it was sent to (keystoneauth's "Request to ... timed out").
API_TIMEOUT = 60
# Seconds a module run may take (each test's own limit is in pytest.ini).
MODULE_TIMEOUT = 600
# What the guest_image role uploads: images tagged so, and this flavor.
IMAGE_TAG = "nimbus-guest"
FLAVOR = "nimbus.guest"
# The guest's console line once DHCP and metadata worked (plugins/module_utils/guest_image/_build.py).
MARKER = "NIMBUS-GUEST-READY"


def pytest_collection_modifyitems(items):
    """Tests that restart what the others need run last, in their own order."""
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)


def tool_inventory(request):
    """The inventory file the test-cloud tool wrote for the cloud: the one the
    tests run with (make cloud-verify), or, under Molecule, whose inventory
    option is a directory of its own, the scenario's."""
    given = Path(request.config.getoption("ansible_inventory"))
    return given if given.is_file() else Path(request.path).resolve().parents[1] / "inventory" / "testcloud.yml"


def wait_for(probe, timeout, interval=2.0):
    """probe() until it returns something true (returned) or timeout seconds pass (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def ansible_env():
    """The environment for an ansible command run by a test: results as JSON,
    no colours (Molecule forces them on)."""
    return dict(os.environ, ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")


def run_module(module, **args):
    """Run the collection's module `module` with `args` against the test cloud, on
    this machine, as a playbook task would; return its result (a dict). The
    module's own api_timeout bounds each of its requests."""
    args = dict({"cloud": CLOUD, "api_timeout": API_TIMEOUT}, **args)
    command = [str(ANSIBLE_BIN / "ansible"), "localhost", "-i", "localhost,",
               "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
               "-m", "nimbus.openstack." + module, "-a", json.dumps(args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=MODULE_TIMEOUT, env=ansible_env(), check=False)
    # "localhost | CHANGED => {...}" (or SUCCESS, FAILED!)
    body = done.stdout.partition(" => ")[2]
    assert body, "module %s printed no result: %s %s" % (module, done.stdout, done.stderr)
    result = json.loads(body)
    assert done.returncode == 0 and not result.get("failed"), "module %s %s failed: %s" % (module, args, result)
    return result


def playbook(request, name, *args, timeout=1500):
    """ansible-playbook playbooks/<name> with the scenario's inventory: (rc, output)."""
    done = subprocess.run(
        [str(ANSIBLE_BIN / "ansible-playbook"), "-i", request.config.getoption("ansible_inventory"),
         str(REPO / "playbooks" / name), *args],
        capture_output=True, text=True, env=ansible_env(), timeout=timeout, check=False)
    return done.returncode, done.stdout + done.stderr


def secrets_file(request, node):
    """The deployment's secrets file, found as the secrets role finds it (node: a host of the inventory)."""
    done = subprocess.run(
        [str(ANSIBLE_BIN / "ansible"), "-i", request.config.getoption("ansible_inventory"), node,
         "-m", "ansible.builtin.debug", "-a", "msg={{ nimbus_secrets_file | default(inventory_dir ~ '/secrets.yml') }}"],
        capture_output=True, text=True, env=ansible_env(), timeout=120, check=True)
    return Path(json.loads(done.stdout.partition(" => ")[2])["msg"])


def token_status(token):
    """Keystone's answer (HTTP status) to the validation of token, asked with a new token."""
    connection = openstack.connect(cloud=CLOUD, api_timeout=API_TIMEOUT)
    try:
        return connection.session.get("/auth/tokens", endpoint_filter={"service_type": "identity"},
                                      headers={"X-Subject-Token": token}, raise_exc=False).status_code
    finally:
        connection.close()


@pytest.fixture(scope="module")
def conn():
    connection = openstack.connect(cloud=CLOUD, api_timeout=API_TIMEOUT)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def cloud_vars(host):
    return host.ansible.get_variables()


@pytest.fixture(scope="module")
def guest_image(conn):
    """The newest machine image of the guest_image role, with its kernel and ramdisk."""
    images = [i for i in conn.image.images(tag=IMAGE_TAG) if i.disk_format == "raw"]
    assert images, "no raw image tagged %s" % IMAGE_TAG
    return max(images, key=lambda i: i.created_at)


def placement_usages(conn):
    """Placement's usage of every resource provider: {provider name: {resource class: amount}}."""
    usages = {}
    for provider in conn.placement.resource_providers():
        response = conn.placement.get("/resource_providers/%s/usages" % provider.id)
        response.raise_for_status()
        usages[provider.name] = response.json()["usages"]
    return usages


def cloud_usage(conn, ceph_host):
    """What the cloud's resources hold: Placement's usage of each resource
    provider, and the RBD images of each of Ceph's pools (listed on ceph_host,
    a testinfra host with Ceph's admin key)."""
    pools = {pool: sorted(ceph_host.check_output("rbd --pool %s ls", pool).split())
             for pool in ("volumes", "images", "vms")}
    return {"placement": placement_usages(conn), "ceph pools": pools}


def delete_made(conn, made):
    """Delete what a test made on a network, in the order the cloud needs: the
    floating IP ("fip"), the server (waited for), its keypair, port and
    security group ("group"); keys that are not in `made` are skipped."""
    if "fip" in made:
        conn.network.delete_ip(made["fip"], ignore_missing=True)
    if "server" in made:
        conn.compute.delete_server(made["server"], ignore_missing=True)
        conn.compute.wait_for_delete(made["server"], wait=180)
    if "keypair" in made:
        conn.compute.delete_keypair(made["keypair"], ignore_missing=True)
    if "port" in made:
        conn.network.delete_port(made["port"], ignore_missing=True)
    if "group" in made:
        conn.network.delete_security_group(made["group"], ignore_missing=True)


@contextlib.contextmanager
def tenant_network(conn, cidr):
    """A tenant network with a subnet of cidr and a router with its gateway on
    the external network, named verify-<random>-*: yields {prefix, external,
    network, subnet, router} and deletes them afterwards whatever happens (the
    caller deletes what it adds to them first)."""
    made = {"prefix": "verify-%s" % uuid.uuid4().hex[:8]}
    try:
        made["external"] = conn.network.find_network(EXTERNAL_NETWORK, ignore_missing=False)
        made["network"] = conn.network.create_network(name=made["prefix"] + "-net")
        made["subnet"] = conn.network.create_subnet(
            name=made["prefix"] + "-subnet", network_id=made["network"].id, ip_version=4, cidr=cidr)
        made["router"] = conn.network.create_router(
            name=made["prefix"] + "-router", external_gateway_info={"network_id": made["external"].id})
        conn.network.add_interface_to_router(made["router"], subnet=made["subnet"].id)
        made["router"] = conn.network.get_router(made["router"].id)
        yield made
    finally:
        if "router" in made:
            if "subnet" in made:
                try:
                    conn.network.remove_interface_from_router(made["router"], subnet=made["subnet"].id)
                except openstack.exceptions.NotFoundException:
                    pass
            conn.network.delete_router(made["router"], ignore_missing=True)
        if "subnet" in made:
            conn.network.delete_subnet(made["subnet"], ignore_missing=True)
        if "network" in made:
            # The DHCP port goes with the network.
            conn.network.delete_network(made["network"], ignore_missing=True)


def ssh(key, address, bridge, command):
    """Run command on the guest as root, with key, through the bridge only."""
    return subprocess.run(
        ["ssh", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "ConnectTimeout=5", "-o", "BindInterface=" + bridge, "root@" + address, command],
        capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def server(conn, guest_image, request):
    """A server of the guest image on a tenant network (the test module's
    TENANT_CIDR) behind a router, with a keypair and a security group that lets
    SSH in; all deleted afterwards."""
    with tenant_network(conn, request.module.TENANT_CIDR) as made, tempfile.TemporaryDirectory() as keydir:
        prefix = made["prefix"]
        made["key"] = os.path.join(keydir, "id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", made["key"]], check=True)
        try:
            made["group"] = conn.network.create_security_group(name=prefix + "-ssh")
            conn.network.create_security_group_rule(
                security_group_id=made["group"].id, direction="ingress", ethertype="IPv4",
                protocol="tcp", port_range_min=22, port_range_max=22, remote_ip_prefix="0.0.0.0/0")
            # What other servers of the cloud hold, for the tests that count this one's.
            made["usages_before"] = placement_usages(conn)
            with open(made["key"] + ".pub") as handle:
                made["keypair"] = conn.compute.create_keypair(name=prefix + "-key", public_key=handle.read())
            flavor = conn.compute.find_flavor(FLAVOR, ignore_missing=False)
            made["server"] = conn.compute.create_server(
                name=prefix + "-server", image_id=guest_image.id, flavor_id=flavor.id,
                networks=[{"uuid": made["network"].id}], key_name=made["keypair"].name,
                security_groups=[{"name": made["group"].name}])
            yield made
        finally:
            delete_made(conn, made)

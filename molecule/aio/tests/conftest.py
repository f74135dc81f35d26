"""What the aio scenario's tests share: the cloud's clouds.yaml entry, the
host's inventory variables, a wait helper and a tenant network."""

from __future__ import annotations

import contextlib
import os
import time
import uuid

import openstack
import pytest

# The test cloud's clouds.yaml entry; NIMBUS_TEST_CLOUD runs the tests against another one.
CLOUD = os.environ.get("NIMBUS_TEST_CLOUD", "nimbus-molaio")
EXTERNAL_NETWORK = "public"


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


@pytest.fixture(scope="module")
def conn():
    connection = openstack.connect(cloud=CLOUD)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def cloud_vars(host):
    return host.ansible.get_variables()


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

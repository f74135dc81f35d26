"""What the aio scenario's tests share: the cloud's clouds.yaml entry, the
host's inventory variables, and a wait helper."""

from __future__ import annotations

import os
import time

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

"""The infrastructure services of the all-in-one cloud (testinfra on the host)."""

from __future__ import annotations

import json

import pytest

# service -> ports it must listen on, on the management address only
SERVICES = {
    "mariadb": [3306],
    "rabbitmq-server": [5672, 25672],
    "memcached": [11211],
    "keystone": [5000],
    "neutron-api": [9696],
    "glance-api": [9292],
    "placement-api": [8778],
    "nova-api": [8774, 8775],
    "nova-novncproxy": [6080],
    "heat-api": [8004],
    "heat-engine": [],
    "apache2": [80],
    "cinder-api": [8776],
    "cinder-scheduler": [],
    "cinder-volume": [],
    "ceph-mon@aio1": [3300, 6789],
    "ceph-mgr@aio1": [],
    "ceph-osd@0": [],
}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_service_enabled_and_running(host, service):
    unit = host.service(service)
    assert unit.is_running and unit.is_enabled


def _listeners(host):
    """(address, port) of every TCP listener on the host."""
    found = set()
    for line in host.check_output("ss -Htln").splitlines():
        local = line.split()[3]
        address, port = local.rsplit(":", 1)
        found.add((address.strip("[]"), int(port)))
    return found


@pytest.mark.parametrize(("service", "port"), [(s, p) for s, ports in SERVICES.items() for p in ports])
def test_listens_on_management_address_only(host, service, port):
    mgmt = host.ansible.get_variables()["nimbus_mgmt_address"]
    addresses = {address for address, p in _listeners(host) if p == port}
    assert addresses == {mgmt}, "%s port %d listens on %s" % (service, port, addresses)


def test_epmd_listens_on_management_and_loopback_only(host):
    mgmt = host.ansible.get_variables()["nimbus_mgmt_address"]
    addresses = {address for address, p in _listeners(host) if p == 4369}
    assert addresses and addresses <= {mgmt, "127.0.0.1"}


def test_rabbitmq_queues_durable_and_unused_ones_expire(host):
    # The services' topic queues outlive a restart of the broker or their server,
    # so a call sent before its server consumes again waits instead of being lost.
    vhost = "openstack"
    queues = json.loads(host.check_output("rabbitmqctl list_queues -q -p %s --formatter json name durable", vhost))
    by_name = {queue["name"]: queue["durable"] for queue in queues}
    for topic in ("conductor", "scheduler", "q-plugin", "q-reports-plugin", "q-l3-plugin", "engine",
                  "cinder-scheduler"):
        assert by_name.get(topic) is True, "queue %s on vhost %s: durable %s" % (topic, vhost, by_name.get(topic))
    policies = json.loads(host.check_output("rabbitmqctl list_policies -q -p %s --formatter json", vhost))
    # rabbitmqctl lists a definition as a JSON string.
    assert [(p["name"], p["apply-to"], json.loads(p["definition"])) for p in policies] == [
        ("expire-unused", "queues", {"expires": 3600000})]

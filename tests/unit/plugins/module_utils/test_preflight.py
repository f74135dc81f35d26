"""The preflight's checks: a valid aio and multinode input give no problem, and
each kind of problem gives a message naming the host and the variable."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils import _preflight as p

REQUIREMENTS = {"controller": {"memory_mb": 6000, "disk_mb": 20000}, "network": {"memory_mb": 1000, "disk_mb": 5000},
                "compute": {"memory_mb": 2000, "disk_mb": 10000}, "storage": {"memory_mb": 3000, "disk_mb": 30000}}
SECRETS = {"keystone_admin_password": "Zq3xVt9LmR2pK8sWc4Ny7Hb1Gf6Dj0Ae", "ceph_seed": "abcDEF123"}
DEPLOYMENT = {
    "nimbus_region": "RegionOne", "nimbus_cloud_name": "nimbus-aio", "nimbus_keystone_port": 5000,
    "nimbus_rabbitmq_port": "5672", "nimbus_memcached_port": 11211, "nimbus_rabbitmq_heartbeat_timeout": "60",
    "nimbus_service_workers": "1", "nimbus_internal_address": "172.29.236.11",
    "nimbus_external_cidr": "172.29.248.0/27", "nimbus_external_gateway": "172.29.248.1",
    "nimbus_external_pool_start": "172.29.248.8", "nimbus_external_pool_end": "172.29.248.30",
    "nimbus_ceph_external": False, "nimbus_ceph_fsid": None, "nimbus_ceph_mon_addresses": None,
}


def host(groups, last, external=True, overlay=True):
    interfaces = {"lo": {"ipv4": ["127.0.0.1/8"], "ipv6": ["::1/128"]},
                  "eth0": {"ipv4": ["172.29.236.%d/22" % last], "ipv6": ["fe80::1/64"]}}
    variables = {"nimbus_mgmt_interface": "eth0", "nimbus_mgmt_address": "172.29.236.%d" % last}
    if overlay:
        interfaces["eth1"] = {"ipv4": ["172.29.240.%d" % last], "ipv6": []}
        variables.update(nimbus_overlay_interface="eth1", nimbus_overlay_address="172.29.240.%d" % last)
    if external:
        interfaces["eth2"] = {"ipv4": [], "ipv6": []}
        variables["nimbus_external_interface"] = "eth2"
    return {"groups": groups, "vars": variables,
            "facts": {"reachable": True, "distribution": "Debian", "distribution_major_version": "12",
                      "memtotal_mb": 7951, "root_free_mb": 50000, "interfaces": interfaces}}


AIO = {"aio1": host(["controller", "network", "compute", "storage"], 11)}
MULTINODE = {
    "controller1": host(["controller"], 11, external=False, overlay=False),
    "network1": host(["network"], 12),
    "compute1": host(["compute"], 13, external=False),
    "compute2": host(["compute"], 14, external=False),
    "storage1": host(["storage"], 15, external=False, overlay=False),
}


def run(hosts=None, deployment=None, secrets=None, mode="0600", requirements=None):
    return p.check(copy.deepcopy(AIO if hosts is None else hosts), dict(DEPLOYMENT, **(deployment or {})),
                   SECRETS if secrets is None else secrets, mode, REQUIREMENTS if requirements is None else requirements)


def aio(**changes):
    """The aio input with some of aio1's vars (or, under key 'facts', facts) changed."""
    hosts = copy.deepcopy(AIO)
    hosts["aio1"]["facts"].update(changes.pop("facts", {}))
    hosts["aio1"]["vars"].update(changes)
    return hosts


def one(problems, *words):
    """The one problem, checked to hold each of words."""
    assert len(problems) == 1, problems
    for word in words:
        assert word in problems[0], (word, problems[0])
    return problems[0]


# -- valid inputs


def test_valid_aio():
    assert run() == []


def test_valid_multinode():
    assert run(MULTINODE, {"nimbus_cloud_name": "nimbus-multi"}) == []


def test_valid_without_facts_secrets_or_optional_values():
    hosts = aio(facts={})
    hosts["aio1"]["facts"] = {}
    assert p.check(hosts, {"nimbus_internal_address": "controller.example.org"}, {}, None, {}) == []


def test_counts():
    assert p.counts(MULTINODE, SECRETS) == {"hosts": 5, "secrets": 2, "controller": 1, "network": 1, "compute": 2, "storage": 1}


# -- groups


@pytest.mark.parametrize("group", ["controller", "network", "compute"])
def test_empty_group(group):
    hosts = {name: h for name, h in MULTINODE.items() if group not in h["groups"]}
    one(run(hosts), "inventory group %s" % group, "no host")


def test_empty_storage_is_fine():
    assert run({name: h for name, h in MULTINODE.items() if name != "storage1"}) == []


# -- addresses and interfaces of a host


@pytest.mark.parametrize("kind", ["mgmt", "overlay"])
def test_address_missing(kind):
    one(run(aio(**{"nimbus_%s_address" % kind: None})), "host aio1", "nimbus_%s_address is not set" % kind)


@pytest.mark.parametrize("kind", ["mgmt", "overlay"])
def test_address_not_an_ip(kind):
    one(run(aio(**{"nimbus_%s_address" % kind: "172.29.236.11/22"})), "host aio1", "nimbus_%s_address 172.29.236.11/22" % kind, "not an IP")


@pytest.mark.parametrize("kind", ["mgmt", "overlay", "external"])
def test_interface_missing(kind):
    one(run(aio(**{"nimbus_%s_interface" % kind: None})), "host aio1", "nimbus_%s_interface is not set" % kind, "eth0, eth1, eth2, lo")


@pytest.mark.parametrize("kind", ["mgmt", "overlay", "external"])
def test_interface_not_on_host(kind):
    one(run(aio(**{"nimbus_%s_interface" % kind: "ens9"})), "host aio1", "nimbus_%s_interface ens9 is not an interface" % kind, "eth0, eth1, eth2, lo")


def test_address_not_on_interface():
    assert one(run(aio(nimbus_mgmt_address="172.29.236.99"))) == (
        "host aio1: nimbus_mgmt_address 172.29.236.99 is not on nimbus_mgmt_interface eth0, which has 172.29.236.11/22, fe80::1/64;"
        " give one of the addresses the interface has")
    one(run(aio(nimbus_overlay_address="172.29.240.99")), "host aio1", "nimbus_overlay_address 172.29.240.99",
        "nimbus_overlay_interface eth1, which has 172.29.240.11; give the address the interface has")


def test_address_on_an_interface_without_address():
    one(run(aio(nimbus_overlay_interface="eth2")), "host aio1", "nimbus_overlay_address", "which has no address")


def test_overlay_and_external_only_where_needed():
    hosts = copy.deepcopy(MULTINODE)
    for name in ("controller1", "storage1"):
        hosts[name]["vars"]["nimbus_overlay_address"] = "nonsense"
    hosts["compute1"]["vars"]["nimbus_external_interface"] = "nonsense"
    assert run(hosts) == []


@pytest.mark.parametrize("kind", ["mgmt", "overlay"])
def test_same_address_on_two_hosts(kind):
    hosts = copy.deepcopy(MULTINODE)
    var = "nimbus_%s_address" % kind
    hosts["network1"]["vars"][var] = hosts["compute2"]["vars"][var]
    hosts["network1"]["facts"] = {}
    one(run(hosts), "host network1", var, "also the %s of host compute2" % var)


# -- other host variables and facts


def test_virt_type():
    one(run(aio(nova_compute_virt_type="xen")), "host aio1", "nova_compute_virt_type xen", "auto, kvm, qemu")
    assert run(aio(nova_compute_virt_type="qemu")) == []
    hosts = copy.deepcopy(MULTINODE)
    hosts["network1"]["vars"]["nova_compute_virt_type"] = "xen"
    assert run(hosts) == []


def test_distribution():
    one(run(aio(facts={"distribution": "Ubuntu", "distribution_major_version": "22"})), "host aio1", "Ubuntu 22", "Debian 12")
    one(run(aio(facts={"distribution_major_version": 11})), "host aio1", "Debian 11")


def test_memory_takes_the_largest_group():
    problem = one(run(aio(facts={"memtotal_mb": 5000})), "host aio1", "ansible_memtotal_mb is 5000", "6000 MB", "group controller")
    assert "storage" not in problem


def test_disk():
    one(run(aio(facts={"root_free_mb": "25000.5"})), "host aio1", "25000 MB free", "30000 MB", "group storage")


def test_unreachable_leaves_out_the_facts():
    hosts = aio(facts={"reachable": False, "memtotal_mb": 1})
    hosts["aio1"]["vars"]["nimbus_mgmt_interface"] = "ens9"
    assert one(run(hosts)).startswith("host aio1 is unreachable")


def test_messages_by_host_name_deployment_first():
    hosts = copy.deepcopy(MULTINODE)
    hosts["storage1"]["vars"]["nimbus_mgmt_address"] = None
    hosts["compute1"]["vars"]["nimbus_mgmt_address"] = None
    problems = run(hosts, {"nimbus_region": ""})
    assert [problem.split(" ")[:2] for problem in problems] == [["nimbus_region", "''"], ["host", "compute1:"], ["host", "storage1:"]]


# -- deployment-wide values


@pytest.mark.parametrize(("var", "value", "reason"), [
    ("nimbus_region", "Region One", "characters other than"),
    ("nimbus_region", "", "is empty"),
    ("nimbus_cloud_name", "x" * 65, "65 characters"),
    ("nimbus_cloud_name", "nimbüs", "characters other than"),
])
def test_names(var, value, reason):
    one(run(deployment={var: value}), var, reason)


@pytest.mark.parametrize(("var", "value"), [
    ("nimbus_keystone_port", 0), ("nimbus_rabbitmq_port", "65536"), ("nimbus_memcached_port", "eleven"),
    ("nimbus_memcached_port", True), ("nimbus_rabbitmq_heartbeat_timeout", "0"), ("nimbus_rabbitmq_heartbeat_timeout", 1.5),
    ("nimbus_service_workers", 65), ("nimbus_service_workers", "-1"),
])
def test_numbers(var, value):
    one(run(deployment={var: value}), var, "give a")


@pytest.mark.parametrize(("deployment", "words"), [
    ({"nimbus_internal_address": None}, ["nimbus_internal_address is not set"]),
    ({"nimbus_internal_address": "fd00::11"}, ["nimbus_internal_address fd00::11", "IPv6"]),
    ({"nimbus_public_address": "300.1.1.1"}, ["nimbus_public_address 300.1.1.1", "neither"]),
    ({"nimbus_public_address": ""}, ["nimbus_public_address", "is empty"]),
])
def test_endpoint_addresses(deployment, words):
    one(run(deployment=deployment), *words)


@pytest.mark.parametrize(("deployment", "words"), [
    ({"nimbus_external_cidr": "172.29.248.5/27"}, ["nimbus_external_cidr 172.29.248.5/27", "host bits set", "172.29.248.0/27"]),
    ({"nimbus_external_cidr": "172.29.248.0"}, ["nimbus_external_cidr 172.29.248.0", "CIDR"]),
    ({"nimbus_external_gateway": "gw"}, ["nimbus_external_gateway gw", "not an IP address"]),
    ({"nimbus_external_gateway": "172.29.249.1"}, ["nimbus_external_gateway 172.29.249.1", "not inside"]),
    ({"nimbus_external_gateway": "172.29.248.0"}, ["nimbus_external_gateway 172.29.248.0", "network address"]),
    ({"nimbus_external_gateway": "172.29.248.31"}, ["nimbus_external_gateway 172.29.248.31", "broadcast address"]),
    ({"nimbus_external_pool_end": "172.29.248.32"}, ["nimbus_external_pool_end 172.29.248.32", "not inside"]),
    ({"nimbus_external_pool_start": "fd00::8"}, ["nimbus_external_pool_start fd00::8", "not inside"]),
    ({"nimbus_external_pool_start": "172.29.248.20", "nimbus_external_pool_end": "172.29.248.10"}, ["nimbus_external_pool_start", "after"]),
    ({"nimbus_external_gateway": "172.29.248.9"}, ["nimbus_external_gateway 172.29.248.9", "inside the pool"]),
    ({"nimbus_external_gateway": None}, ["nimbus_external_gateway not set"]),
])
def test_external_network(deployment, words):
    one(run(deployment=deployment), *words)


def test_external_network_unset():
    assert run(deployment=dict.fromkeys(p.EXTERNAL)) == []


@pytest.mark.parametrize(("deployment", "words"), [
    ({"nimbus_ceph_fsid": "E7F1C5A2-0000-4000-8000-000000000001"}, ["nimbus_ceph_fsid", "lowercase UUID"]),
    ({"nimbus_ceph_fsid": None}, ["nimbus_ceph_fsid is not set"]),
    ({"nimbus_ceph_mon_addresses": []}, ["nimbus_ceph_mon_addresses", "non-empty list"]),
    ({"nimbus_ceph_mon_addresses": None}, ["nimbus_ceph_mon_addresses is not set"]),
    ({"nimbus_ceph_mon_addresses": "10.0.0.1"}, ["nimbus_ceph_mon_addresses", "non-empty list"]),
    ({"nimbus_ceph_mon_addresses": ["10.0.0.1", "mon2:6789", "[fd00::1]:99999"]}, ["nimbus_ceph_mon_addresses has mon2:6789, '[fd00::1]:99999'"]),
])
def test_ceph_external(deployment, words):
    ceph = {"nimbus_ceph_external": "true", "nimbus_ceph_fsid": "e7f1c5a2-0000-4000-8000-000000000001",
            "nimbus_ceph_mon_addresses": ["10.0.0.1", "10.0.0.2:6789", "[fd00::1]:3300", "[fd00::2]", "fd00::3"]}
    assert run(deployment=ceph) == []
    one(run(deployment=dict(ceph, **deployment)), *words)


def test_secrets_file_mode():
    one(run(mode="0644"), "nimbus_secrets_file", "0644", "chmod 600")
    one(run(mode="rw-r--r--"), "secrets_file_mode", "octal")
    assert run(mode="0400") == [] and run(mode=None) == []


@pytest.mark.parametrize("value", ["pass word", "it's", 'a"b', "100%", "a@b", "a:b", "a/b", "a#b", "a\\b", "€uro", "a$b", "tab\there"])
def test_secret_characters_never_shown(value):
    problem = one(run(secrets=dict(SECRETS, rabbitmq_openstack_password=value)), "secret rabbitmq_openstack_password", "value not shown")
    assert value not in problem


def test_secret_empty():
    one(run(secrets=dict(SECRETS, nova_db_password="")), "secret nova_db_password", "empty")


FERNET = {"0": "x" * 43 + "=", "1": "_wbcUL8cBTqRZ1vFhiOXHPUuxjIt0PV_VxP6t4x2lnc="}


def test_key_repository():
    assert run(secrets=dict(SECRETS, keystone_fernet_keys=FERNET)) == []
    one(run(secrets=dict(SECRETS, keystone_fernet_keys={"1": FERNET["1"]})), "secret keystone_fernet_keys", "0 among them")
    one(run(secrets=dict(SECRETS, keystone_fernet_keys={"0": FERNET["1"], "x": FERNET["1"]})), "whole-number indexes")
    problem = one(run(secrets=dict(SECRETS, keystone_credential_keys=dict(FERNET, **{"2": "short"}))),
                  "secret keystone_credential_keys", "URL-safe base64 at index 2", "value not shown")
    assert "short" not in problem


def test_shape():
    one(p.check({"aio1": ["controller"]}, {}, {}, None, {}), "hosts.aio1")
    one(p.check({"aio1": {"groups": "controller"}}, {}, {}, None, {}), "hosts.aio1.groups", "list")
    one(p.check(AIO, {}, {}, None, {"compute": {"memory_mb": "lots"}}), "requirements.compute.memory_mb", "lots")

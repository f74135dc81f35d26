"""The test-cloud plan: names, address slots, validation and the inventory."""

from __future__ import annotations

import ipaddress

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _model as model


def test_aio_host_is_in_every_group_with_every_interface():
    plan = model.plan("aio", "aio", 0)
    (host,) = plan["hosts"]
    assert host["groups"] == list(model.GROUPS)
    assert host["interfaces"]["mgmt"] == {
        "name": "eth0", "address": "172.29.236.11", "veth": "nb-aio-1e0", "bridge": "nb-aio-mgmt"}
    assert host["interfaces"]["overlay"]["address"] == "172.29.240.11"
    # A provider interface carries no host address.
    assert host["interfaces"]["external"] == {
        "name": "eth2", "address": None, "veth": "nb-aio-1e2", "bridge": "nb-aio-ext"}
    assert plan["networks"]["mgmt"]["gateway"] == "172.29.236.1"
    assert plan["networks"]["overlay"]["gateway"] is None


@pytest.mark.parametrize(("name", "interfaces"), [
    ("controller", ["mgmt"]),
    ("network", ["mgmt", "overlay", "external"]),
    ("compute1", ["mgmt", "overlay"]),
    ("compute2", ["mgmt", "overlay"]),
    ("storage", ["mgmt"]),
])
def test_multinode_interfaces_follow_groups(name, interfaces):
    hosts = {h["name"]: h for h in model.plan("multi", "multinode", 1)["hosts"]}
    assert sorted(hosts[name]["interfaces"]) == sorted(interfaces)


@pytest.mark.parametrize("slot", range(model.SLOTS))
def test_slots_never_overlap_and_stay_in_design_ranges(slot):
    plan = model.plan("c%d" % slot, "multinode", slot)
    for net, spec in plan["networks"].items():
        subnet = ipaddress.ip_network(spec["cidr"])
        assert subnet.subnet_of(model.RANGES[net])
        for other in range(model.SLOTS):
            if other != slot:
                assert not subnet.overlaps(model.slot_network(net, other))
    for host in plan["hosts"]:
        for net, iface in host["interfaces"].items():
            if iface["address"]:
                assert ipaddress.ip_address(iface["address"]) in ipaddress.ip_network(plan["networks"][net]["cidr"])


def test_floating_pool_is_inside_external_slot_and_above_the_gateway():
    ext = model.plan("aio", "aio", 2)["networks"]["external"]
    subnet = ipaddress.ip_network(ext["cidr"])
    start, end = ipaddress.ip_address(ext["pool_start"]), ipaddress.ip_address(ext["pool_end"])
    assert start in subnet and end in subnet and int(end) - int(start) >= 16
    assert start > ipaddress.ip_address(ext["gateway"]) and end < subnet.broadcast_address


def test_last_host_fits_its_slot():
    hosts = [{"name": "h%d" % i, "groups": list(model.GROUPS)} for i in range(model.MAX_HOSTS)]
    last = model.plan("big", "custom", 7, hosts)["hosts"][-1]["interfaces"]["mgmt"]["address"]
    assert ipaddress.ip_address(last) < ipaddress.ip_network(model.slot_network("mgmt", 7)).broadcast_address


@pytest.mark.parametrize("cloud", ["aio", "a", "molaio1", "multi"])
def test_interface_names_fit_the_kernel_limit(cloud):
    plan = model.plan(cloud, "multinode", 0)
    names = [n["bridge"] for n in plan["networks"].values()]
    names += [i["veth"] for h in plan["hosts"] for i in h["interfaces"].values()]
    assert all(len(n) <= 15 and n.startswith(model.prefix(cloud)) for n in names)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"cloud": "Aio"}, "testcloud_name 'Aio' is not allowed"),
    ({"cloud": "toolongname"}, "testcloud_name 'toolongname' is not allowed"),
    ({"topology": "huge"}, "testcloud_topology 'huge' is unknown; choose one of aio, multinode"),
    ({"slot": 8}, "testcloud_slot 8 is out of range; use 0 to 7"),
    ({"hosts": [{"name": "bad_name", "groups": list(model.GROUPS)}]}, "'bad_name' is not a valid hostname"),
    ({"hosts": [{"name": "-x", "groups": list(model.GROUPS)}]}, "'-x' is not a valid hostname"),
    ({"hosts": [{"name": "a", "groups": ["controller", "db"]}]}, "host 'a' has groups"),
    ({"hosts": [{"name": "a", "groups": ["controller"]}]}, "leave group 'network' empty"),
    ({"hosts": [{"name": "a", "groups": list(model.GROUPS)}, {"name": "a", "groups": ["compute"]}]},
     "'a' appears twice"),
    ({"hosts": [{"name": "a", "groups": list(model.GROUPS), "mgmt_address": "10.0.0.5"}]},
     "mgmt address 10.0.0.5 is outside 172.29.236.0/27"),
    ({"hosts": [{"name": "a", "groups": list(model.GROUPS), "mgmt_address": "172.29.236.1"}]},
     "mgmt address 172.29.236.1 is outside 172.29.236.0/27 or reserved"),
    ({"hosts": [{"name": "a", "groups": list(model.GROUPS), "overlay_address": "172.29.240.70"}]},
     "overlay address 172.29.240.70 is outside 172.29.240.0/27"),
    ({"hosts": [{"name": "a", "groups": list(model.GROUPS), "mgmt_address": "nope"}]}, "is not an IPv4 address"),
    ({"hosts": [{"name": "a", "groups": list(model.GROUPS)},
                {"name": "b", "groups": ["compute"], "mgmt_address": "172.29.236.11"}]},
     "hosts 'a' and 'b' share mgmt address 172.29.236.11"),
])
def test_bad_input_is_named(kwargs, message):
    args = {"cloud": "aio", "topology": "aio", "slot": 0, "hosts": None}
    args.update(kwargs)
    with pytest.raises(model.PlanError, match=None) as err:
        model.plan(**args)
    assert message in str(err.value)


def test_given_addresses_are_used():
    hosts = [{"name": "one", "groups": list(model.GROUPS), "mgmt_address": "172.29.236.40",
              "overlay_address": "172.29.240.60"}]
    (host,) = model.plan("x", "custom", 1, hosts)["hosts"]
    assert host["interfaces"]["mgmt"]["address"] == "172.29.236.40"
    assert host["interfaces"]["overlay"]["address"] == "172.29.240.60"


@pytest.mark.parametrize(("requested", "taken", "expected"), [
    (None, {}, 0),
    (None, {0: "aio"}, 1),
    (None, {0: "aio", 1: "me"}, 1),  # keeps the slot it has
    (2, {0: "aio"}, 2),
    (0, {0: "me"}, 0),
])
def test_pick_slot(requested, taken, expected):
    assert model.pick_slot(requested, "me", taken) == expected


def test_pick_slot_refuses_a_slot_of_another_cloud():
    with pytest.raises(model.PlanError, match="testcloud_slot 0 is used by test cloud 'aio'"):
        model.pick_slot(0, "me", {0: "aio"})


def test_pick_slot_when_full():
    with pytest.raises(model.PlanError, match="all 8 test-cloud slots are in use"):
        model.pick_slot(None, "me", {slot: "c%d" % slot for slot in range(8)})


def test_inventory_groups_and_host_vars():
    plan = model.plan("multi", "multinode", 1)
    inv = model.inventory(plan, "/k", "/kh", "http://172.29.236.33:3142")["all"]
    assert inv["children"]["compute"]["hosts"] == {"compute1": {}, "compute2": {}}
    assert inv["hosts"]["network"] == {
        "ansible_host": "172.29.236.44", "ansible_python_interpreter": "/usr/bin/python3",
        "nimbus_mgmt_interface": "eth0", "nimbus_mgmt_address": "172.29.236.44",
        "nimbus_overlay_interface": "eth1", "nimbus_overlay_address": "172.29.240.44",
        "nimbus_external_interface": "eth2",
    }
    assert inv["vars"]["ansible_ssh_private_key_file"] == "/k"
    assert "UserKnownHostsFile=/kh" in inv["vars"]["ansible_ssh_common_args"]
    assert inv["vars"]["nimbus_external_cidr"] == "172.29.248.32/27"
    assert inv["vars"]["nimbus_external_gateway"] == "172.29.248.33"
    assert inv["vars"]["nimbus_internal_address"] == "172.29.236.43"  # the controller
    assert inv["vars"]["nimbus_cloud_name"] == "nimbus-multi"


def test_a_cloud_grows_by_hosts_listed_after_its_own():
    current = model.hosts_of("multinode", None)
    third = {"name": "compute3", "groups": ["compute"]}
    assert model.extends(current, current + [third])
    # The module's argument spec fills unset suboptions with None.
    assert model.extends(current, [dict(h, mgmt_address=None) for h in current] + [third])
    # Its addresses follow from the index, so the others keep theirs.
    before = model.plan("m", "multinode", 2)["hosts"]
    after = model.plan("m", "custom", 2, current + [third])["hosts"]
    assert after[:-1] == before and after[-1]["interfaces"]["mgmt"]["address"] == "172.29.236.80"


@pytest.mark.parametrize("requested", [
    [],  # nothing
    [{"name": "controller", "groups": ["controller"]}],  # fewer hosts
    [{"name": "compute3", "groups": ["compute"]}] + model.TOPOLOGIES["multinode"],  # new host first
    [dict(model.TOPOLOGIES["multinode"][0], groups=["controller", "network"])]
    + model.TOPOLOGIES["multinode"][1:] + [{"name": "compute3", "groups": ["compute"]}],  # other groups
])
def test_any_other_change_of_hosts_is_not_growth(requested):
    assert not model.extends(model.TOPOLOGIES["multinode"], requested)

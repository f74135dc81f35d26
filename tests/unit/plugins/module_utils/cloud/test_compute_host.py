"""The compute_host module's pure parts: the checks, what to do with the
host's servers, the messages, and the views."""

from __future__ import annotations

import re

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _compute_host as c

HOST = "compute2"


def server(number, status="ACTIVE", host=HOST, task_state=None, **extra):
    return dict(id="srv-%d" % number, name="vm%d" % number, status=status, compute_host=host,
                task_state=task_state, **extra)


def service(status="enabled", reason=None, state="up"):
    return {"id": "svc-1", "binary": "nova-compute", "host": HOST, "status": status, "state": state,
            "disabled_reason": reason, "zone": "nova"}


# -- validation


@pytest.mark.parametrize("params", [
    {"host": "compute2", "state": "enabled", "reason": c.DEFAULT_REASON, "migrate": False},
    {"host": "compute2", "state": "enabled", "reason": "", "migrate": False},
    {"host": "compute2", "state": "disabled", "reason": "maintenance", "migrate": False},
    {"host": "compute2", "state": "absent", "reason": c.DEFAULT_REASON, "migrate": True},
    {"host": "compute2", "state": "disabled", "reason": "maintenance", "migrate": True},
])
def test_validate_accepts(params):
    c.validate(params)


@pytest.mark.parametrize("params, words", [
    ({"host": " ", "state": "enabled", "reason": c.DEFAULT_REASON, "migrate": False}, "host must"),
    ({"host": HOST, "state": "enabled", "reason": c.DEFAULT_REASON, "migrate": True},
     "migrate=true goes with state=disabled (move the servers off a host that stays) or state=absent"),
    ({"host": HOST, "state": "disabled", "reason": "  ", "migrate": False}, "reason must be a non-empty"),
    ({"host": HOST, "state": "disabled", "reason": "x" * 256, "migrate": False}, "at most 255 characters"),
])
def test_validate_refuses(params, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        c.validate(params)


# -- listed data


def test_on_host_keeps_exact_host_only():
    items = [{"id": 1, "host": HOST}, {"id": 2, "host": HOST + ".example"}, {"id": 3, "host": "compute20"}]
    assert c.on_host(items, HOST) == [{"id": 1, "host": HOST}]


def test_servers_on_host_checks_compute_host():
    listed = [server(1), server(2, host="compute3"), server(3, host=None)]
    assert [s["id"] for s in c.servers_on_host(listed, HOST)] == ["srv-1"]


@pytest.mark.parametrize("state, current, reason, updates", [
    ("enabled", service(), None, {}),
    ("enabled", service("disabled", "old"), None, {"status": "enabled"}),
    # An enabled service with a stale reason: enabling again clears it.
    ("enabled", service("enabled", "old"), None, {"status": "enabled"}),
    ("disabled", service(), "why", {"status": "disabled", "disabled_reason": "why"}),
    ("disabled", service("disabled", "why"), "why", {}),
    ("disabled", service("disabled", "other"), "why", {"status": "disabled", "disabled_reason": "why"}),
])
def test_service_updates(state, current, reason, updates):
    assert c.service_updates(current, state, reason) == updates


def test_apply_updates_predicts_the_service():
    assert c.apply_updates(service("disabled", "old"), {"status": "enabled"}) == service()
    assert c.apply_updates(service(), {"status": "disabled", "disabled_reason": "why"}) == service("disabled", "why")


# -- the servers


def test_plan_moves_sorts_by_status():
    servers = [server(1), server(2, "PAUSED"), server(3, "SHUTOFF"), server(4, "MIGRATING", task_state="migrating"),
               server(5, "ERROR"), server(6, "SUSPENDED"), server(7, "ACTIVE", task_state="rebooting"),
               server(8, "VERIFY_RESIZE"), server(9, "SHUTOFF", task_state="resize_prep")]
    plan = c.plan_moves(servers)
    assert {key: [s["id"] for s in value] for key, value in plan.items()} == {
        "live": ["srv-1", "srv-2"], "cold": ["srv-3"], "moving": ["srv-4", "srv-9"],
        "stuck": ["srv-5", "srv-6", "srv-7", "srv-8"]}


def test_plan_moves_of_no_server():
    assert c.plan_moves([]) == {"live": [], "cold": [], "moving": [], "stuck": []}


def test_refusal_names_host_count_and_servers():
    msg = c.refusal(HOST, [server(1), {"id": "srv-x", "name": ""}])
    assert msg.startswith("host compute2 still runs 2 servers: vm1 (srv-1), srv-x.")
    assert "migrate=true" in msg and "nothing was changed" in msg


def test_refusal_shows_the_first_ten():
    msg = c.refusal(HOST, [server(number) for number in range(12)])
    assert "12 servers" in msg and "vm9 (srv-9), and 2 more." in msg and "vm10" not in msg


def test_refusal_of_one_server():
    assert c.refusal(HOST, [server(1)]).startswith("host compute2 still runs 1 server: vm1 (srv-1).")


def test_unmovable_says_why():
    msg = c.unmovable(HOST, [server(5, "ERROR"), server(7, task_state="rebooting")])
    assert "host compute2 has 2 servers that cannot be migrated as they are:" in msg
    assert "vm5 (srv-5): ERROR, vm7 (srv-7): ACTIVE (task rebooting)." in msg
    assert "nothing was changed" in msg


@pytest.mark.parametrize("current, outcome", [
    (None, "done"),
    (server(1, host="compute3"), "done"),
    (server(1, "SHUTOFF", host="compute3"), "done"),
    (server(1, "MIGRATING", task_state="migrating"), None),
    (server(1, "ACTIVE", task_state="migrating"), None),
    (server(1, "RESIZE", task_state="resize_migrating"), None),
    (server(1, "VERIFY_RESIZE", host="compute3"), "confirm"),
    (server(1, "ERROR", fault={"message": "NoValidHost"}), "is in ERROR: NoValidHost"),
    (server(1, "ERROR", host="compute3"), "is in ERROR"),
])
def test_move_outcome(current, outcome):
    assert c.move_outcome(current, HOST) == outcome


def test_move_outcome_back_on_the_host_is_a_failure():
    # Live migration that found no destination: ACTIVE again on the host, no task.
    outcome = c.move_outcome(server(1), HOST)
    assert outcome.startswith("is still on the host, ACTIVE: the migration failed")
    assert "--server srv-1" in outcome


# -- resource providers


def test_provider_names_are_the_hypervisor_hostnames():
    assert c.provider_names(HOST, [{"name": "compute2.example.org"}, {"name": None}]) == {
        HOST, "compute2.example.org"}


def test_stale_providers():
    providers = [{"id": "p1", "name": HOST}, {"id": "p2", "name": "compute2.example.org"},
                 {"id": "p3", "name": "compute20"}, {"id": "p4", "name": "compute2.lab"},
                 {"id": "p5", "name": "compute2:Open vSwitch agent"}, {"id": "p6", "name": "odd-name"},
                 {"id": "p7", "name": None}]
    stale = c.stale_providers(providers, HOST, own_names={HOST, "odd-name"}, other_names={"compute2.lab"})
    assert [p["id"] for p in stale] == ["p1", "p2", "p6"]


# -- views and messages


def test_host_not_found_lists_known_hosts():
    listed = [{"host": "compute3"}, {"host": "compute1"}, {"host": "compute1"}, {"host": None}]
    assert c.host_not_found(HOST, listed) == (
        "no nova-compute service on host compute2; known compute hosts: compute1, compute3")
    assert c.host_not_found(HOST, []).endswith("known compute hosts: none")


def test_diff_view():
    agents = [{"id": "a2", "binary": "neutron-ovn-metadata-agent"}, {"id": "a1", "binary": "neutron-dhcp-agent"}]
    assert c.diff_view([service("disabled", "why")], agents, [server(2), server(1)]) == {
        "service": {"status": "disabled", "state": "up", "disabled_reason": "why"},
        "agents": ["neutron-dhcp-agent", "neutron-ovn-metadata-agent"],
        "servers": ["srv-1", "srv-2"]}
    assert c.diff_view([], [], []) == {"service": None, "agents": [], "servers": []}


def test_host_view():
    agents = [{"id": "a1", "binary": "neutron-openvswitch-agent", "is_alive": True, "host": HOST}]
    assert c.host_view(HOST, [service()], agents, [server(1)], ["srv-9", "srv-3"]) == {
        "host": HOST,
        "services": [{"id": "svc-1", "binary": "nova-compute", "status": "enabled", "state": "up",
                      "disabled_reason": None}],
        "agents": [{"id": "a1", "binary": "neutron-openvswitch-agent", "alive": True}],
        "servers": ["srv-1"],
        "migrated": ["srv-3", "srv-9"]}


def test_unfinished_migrations_hold_the_deletion():
    migrations = [{"id": 1, "status": "completed"}, {"id": 2, "status": "running"},
                  {"id": 3, "status": "post-migrating"}, {"id": 4, "status": "error"}, {"id": 5, "status": "confirmed"}]
    assert [m["id"] for m in c.unfinished(migrations)] == [2, 3]

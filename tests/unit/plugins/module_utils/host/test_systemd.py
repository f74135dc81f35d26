"""What the daemons module decides for a unit, from what systemd and the files say."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.host._systemd import parse_show, plan, started_at, state_of

RUNNING = {"Id": "nova-api.service", "LoadState": "loaded", "ActiveState": "active",
           "UnitFileState": "enabled", "InactiveExitTimestampMonotonic": "5000000", "NeedDaemonReload": "no"}
SERVICE = {"name": "nova-api", "reads": ["/etc/nova/nova.conf"], "enabled": True, "state": "started"}


def verbs(steps):
    return [verb for verb, _reason in steps]


def test_parse_show_splits_units_in_order():
    text = "Id=a.service\nActiveState=active\n\nId=b.service\nActiveState=failed\nUnitFileState=\n"
    assert parse_show(text) == [{"Id": "a.service", "ActiveState": "active"},
                                {"Id": "b.service", "ActiveState": "failed", "UnitFileState": ""}]


def test_started_at_converts_the_monotonic_stamp():
    assert started_at(RUNNING, now_realtime=1000.0, now_monotonic=15.0) == pytest.approx(990.0)
    assert started_at(dict(RUNNING, InactiveExitTimestampMonotonic="0"), 1000.0, 15.0) is None


@pytest.mark.parametrize(("props", "mtimes", "expected"), [
    (RUNNING, {"/etc/nova/nova.conf": 989.0}, []),
    (RUNNING, {"/etc/nova/nova.conf": 991.0}, ["restart"]),
    (RUNNING, {}, []),
    (dict(RUNNING, ActiveState="inactive", UnitFileState="disabled"), {"/etc/nova/nova.conf": 991.0},
     ["enable", "start"]),
    (dict(RUNNING, ActiveState="failed"), {}, ["start"]),
    (dict(RUNNING, UnitFileState="generated"), {}, []),
])
def test_started(props, mtimes, expected):
    assert verbs(plan(SERVICE, props, mtimes, since=990.0)) == expected


def test_the_reason_names_the_newer_files():
    steps = plan(dict(SERVICE, reads=["/a", "/b"]), RUNNING, {"/b": 995.0, "/a": 980.0}, since=990.0)
    assert steps == [("restart", "changed since it started: /b")]


def test_stopped_and_disabled():
    service = dict(SERVICE, enabled=False, state="stopped")
    assert verbs(plan(service, RUNNING, {"/etc/nova/nova.conf": 999.0}, 990.0)) == ["disable", "stop"]
    stopped = dict(RUNNING, ActiveState="inactive", UnitFileState="disabled")
    assert plan(service, stopped, {}, None) == []


def test_an_unknown_unit_is_an_error():
    with pytest.raises(ValueError, match="no unit nova-api"):
        plan(SERVICE, dict(RUNNING, LoadState="not-found"), {}, None)
    with pytest.raises(ValueError, match="no unit nova-api"):
        plan(dict(SERVICE, state="stopped"), dict(RUNNING, LoadState="not-found"), {}, None)


def test_an_unknown_unit_would_be_started_in_check_mode():
    unknown = dict(RUNNING, LoadState="not-found")
    assert verbs(plan(SERVICE, unknown, {}, None, check_mode=True)) == ["enable", "start"]
    stopped = dict(SERVICE, state="stopped")
    assert verbs(plan(stopped, unknown, {}, None, check_mode=True)) == ["enable"]


def test_an_unknown_unit_is_already_stopped_and_disabled():
    service = dict(SERVICE, enabled=False, state="stopped")
    assert plan(service, dict(RUNNING, LoadState="not-found"), {}, None) == []


def test_state_of_reports_before_and_after():
    before, after = state_of(RUNNING, [("restart", "changed since it started: /a")])
    assert before == {"enabled": "enabled", "active": "active"}
    assert after == {"enabled": "enabled", "active": "restarted, changed since it started: /a"}

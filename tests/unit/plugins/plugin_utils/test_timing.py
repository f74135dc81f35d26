from __future__ import annotations

import json

import pytest

from ansible_collections.nimbus.openstack.plugins.plugin_utils._timing import (
    Timer,
    ended_line,
    format_duration,
    report,
    slowest,
    slowest_table,
    stage_name,
    stage_table,
    started_line,
)


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0.0s"),
    (41.34, "41.3s"),
    (59.94, "59.9s"),
    (59.96, "1m00s"),
    (125.4, "2m05s"),
    (3599.4, "59m59s"),
    (3725, "1h02m05s"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(("path", "name", "stage"), [
    ("/c/playbooks/identity.yml:10", "Identity", "identity"),
    ("/c/playbooks/block_storage.yaml:2", "Cinder", "block_storage"),
    ("/c:x/playbooks/infra.yml", "Infra", "infra"),
    ("", "Identity", "Identity"),
    (None, "", "play"),
])
def test_stage_name(path, name, stage):
    assert stage_name(path, name) == stage


def run():
    """Two stages, the first of two plays; each event one second after the last."""
    timer = Timer(100)
    timer.play("infra", 100)
    timer.task("a", "common", "Install packages", 101)
    timer.result("a", 104, changed=True)
    timer.result("a", 109, changed=False)
    timer.play("infra", 110)
    timer.task("b", "", "Wait", 110)
    timer.result("b", 111, changed=True)
    timer.play("identity", 112)
    timer.task("c", "keystone", "Bootstrap", 112)
    timer.result("c", 115, changed=True)
    timer.task("d", "keystone", "Not run", 116)
    timer.finish(120)
    return timer


def test_play_starts_a_stage_only_when_the_stage_changes():
    timer = Timer(0)
    first = timer.play("infra", 1)
    assert first[0] is None and first[1].name == "infra"
    assert timer.play("infra", 5) == (None, None)
    ended, started = timer.play("identity", 7)
    assert (ended.name, ended.seconds, started.name, started.start) == ("infra", 6, "identity", 7)
    assert timer.play("infra", 9)[1].name == "infra", "a file imported again is a new stage"
    assert [stage.name for stage in timer.stages] == ["infra", "identity", "infra"]


def test_tasks_span_first_start_to_last_result():
    timer = run()
    assert [(t.stage, t.label, t.seconds, t.changed, t.hosts) for t in timer.tasks] == [
        ("infra", "common : Install packages", 8, 1, 2),
        ("infra", "Wait", 1, 1, 1),
        ("identity", "keystone : Bootstrap", 3, 1, 1),
        ("identity", "keystone : Not run", 0, 0, 0),
    ]


def test_rerun_of_a_task_is_timed_apart():
    timer = Timer(0)
    timer.play("p", 0)
    timer.task("handler", "", "Restart", 1)
    timer.result("handler", 2, changed=True)
    timer.task("handler", "", "Restart", 10)
    timer.result("handler", 13, changed=True)
    timer.result("unknown", 14, changed=True)
    assert [(t.seconds, t.changed) for t in timer.tasks] == [(1, 1), (3, 1)]


def test_finish_ends_the_last_stage_once():
    timer = run()
    assert [(s.name, s.seconds) for s in timer.stages] == [("infra", 12), ("identity", 8)]
    assert timer.seconds == 20
    assert timer.finish(120) is None
    assert Timer(0).finish(1) is None


def test_stage_lines():
    stage = run().stages[1]
    assert started_line(stage, 72.2) == "[timing] identity: started (+1m12s)"
    assert ended_line(stage) == "[timing] identity: 8.0s"


def test_stage_table():
    assert stage_table(run()) == [
        "stage      time  tasks  changed",
        "infra     12.0s      2        2",
        "identity   8.0s      2        1",
        "total     20.0s      4        3",
    ]


@pytest.mark.parametrize(("count", "labels"), [
    (2, ["common : Install packages", "keystone : Bootstrap"]),
    (10, ["common : Install packages", "keystone : Bootstrap", "Wait", "keystone : Not run"]),
    (0, []),
    (-1, []),
])
def test_slowest(count, labels):
    assert [t.label for t in slowest(run().tasks, count)] == labels


def test_slowest_keeps_order_of_equal_times():
    timer = Timer(0)
    timer.play("p", 0)
    for key in "xyz":
        timer.task(key, "", key, 0)
    assert [t.name for t in slowest(timer.tasks, 3)] == ["x", "y", "z"]


def test_slowest_table():
    assert slowest_table(run().tasks, 3) == [
        "8.0s  common : Install packages",
        "3.0s  keystone : Bootstrap",
        "1.0s  Wait",
    ]
    assert slowest_table(run().tasks, 0) == []


def test_report_is_json_with_every_task():
    data = json.loads(json.dumps(report(run())))
    assert data["total"] == 20
    assert data["stages"] == [
        {"name": "infra", "seconds": 12, "tasks": 2, "changed": 2},
        {"name": "identity", "seconds": 8, "tasks": 2, "changed": 1},
    ]
    assert len(data["tasks"]) == 4
    assert data["tasks"][0] == {"stage": "infra", "role": "common", "name": "Install packages", "seconds": 8, "changed": 1, "hosts": 2}

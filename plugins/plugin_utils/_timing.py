# Private to this collection: not a public API, may change without notice.
"""Where a playbook run spends its time: stages and tasks timed from the
callback's events, and the report printed and written at the end.

Every method takes the time of its event, so that no clock is read here."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

PREFIX = "[timing] "
# Play.get_path() is "<file>:<line>".
_LINE_SUFFIX = re.compile(r":\d+$")


def format_duration(seconds):
    """41.3s under a minute, then 2m05s, then 1h02m05s."""
    if round(seconds, 1) < 60:
        return "%.1fs" % seconds
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return "%dm%02ds" % (minutes, secs)
    return "%dh%02dm%02ds" % (*divmod(minutes, 60), secs)


def stage_name(play_path, play_name):
    """A play's stage: the name of the playbook file it is written in (site.yml's
    imports are flattened into one list of plays), else the play's own name."""
    path = _LINE_SUFFIX.sub("", play_path or "")
    if path:
        return os.path.splitext(os.path.basename(path))[0]
    return play_name or "play"


@dataclass
class Task:
    stage: str
    role: str
    name: str
    start: float
    end: float
    changed: int = 0
    hosts: int = 0

    @property
    def seconds(self):
        return self.end - self.start

    @property
    def label(self):
        return "%s : %s" % (self.role, self.name) if self.role else self.name


@dataclass
class Stage:
    name: str
    start: float
    end: float | None = None
    tasks: list = field(default_factory=list)

    @property
    def seconds(self):
        return (self.start if self.end is None else self.end) - self.start

    @property
    def changed(self):
        return sum(task.changed for task in self.tasks)


class Timer:
    """The stages and tasks of one run; a stage is a run of consecutive plays
    with the same stage name, so a file imported twice gives two stages."""

    def __init__(self, now):
        self.start = now
        self.end = None
        self.stages = []
        self.tasks = []
        # The latest run of each task, by its uuid: a handler can run twice.
        self._running = {}

    def play(self, name, now):
        """(the stage that ended, the stage that started), or (None, None)
        when the play continues the current stage."""
        current = self.stages[-1] if self.stages else None
        if current and current.name == name:
            return None, None
        if current:
            current.end = now
        self.stages.append(Stage(name, now))
        return current, self.stages[-1]

    def task(self, key, role, name, now):
        stage = self.stages[-1]
        task = Task(stage.name, role, name, now, now)
        stage.tasks.append(task)
        self.tasks.append(task)
        self._running[key] = task

    def result(self, key, now, changed):
        task = self._running.get(key)
        if task:
            task.end = max(task.end, now)
            task.hosts += 1
            task.changed += bool(changed)

    def finish(self, now):
        """The stage that ended with the run, if any."""
        self.end = now
        current = self.stages[-1] if self.stages else None
        if current and current.end is None:
            current.end = now
            return current
        return None

    @property
    def seconds(self):
        return (self.start if self.end is None else self.end) - self.start


def started_line(stage, offset):
    return "%s%s: started (+%s)" % (PREFIX, stage.name, format_duration(offset))


def ended_line(stage):
    return "%s%s: %s" % (PREFIX, stage.name, format_duration(stage.seconds))


def _columns(rows, align):
    """rows as text in columns, each aligned as `align` says ("<" left, ">" right).
    Controller-side only, so Python 3.10 features are fine."""
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    return ["  ".join("{:{}{}}".format(*cell) for cell in zip(row, align, widths, strict=True)).rstrip() for row in rows]


def stage_table(timer):
    rows = [("stage", "time", "tasks", "changed")]
    rows += [(s.name, format_duration(s.seconds), str(len(s.tasks)), str(s.changed)) for s in timer.stages]
    rows.append(("total", format_duration(timer.seconds), str(len(timer.tasks)), str(sum(s.changed for s in timer.stages))))
    return _columns(rows, "<>>>")


def slowest(tasks, count):
    """The `count` longest tasks, longest first; equal ones in the order they ran."""
    return sorted(tasks, key=lambda task: task.seconds, reverse=True)[:max(count, 0)]


def slowest_table(tasks, count):
    rows = [(format_duration(t.seconds), t.label) for t in slowest(tasks, count)]
    return _columns(rows, "><") if rows else []


def report(timer):
    """The whole report as JSON-ready data, for benchmarks."""
    return {
        "total": round(timer.seconds, 3),
        "stages": [{"name": s.name, "seconds": round(s.seconds, 3), "tasks": len(s.tasks), "changed": s.changed} for s in timer.stages],
        "tasks": [
            {"stage": t.stage, "role": t.role, "name": t.name, "seconds": round(t.seconds, 3), "changed": t.changed, "hosts": t.hosts}
            for t in timer.tasks
        ],
    }

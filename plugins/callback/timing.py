# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Callback plugin: where the time of a deployment goes, stage by stage and task by task."""

from __future__ import annotations

DOCUMENTATION = r"""
name: timing
type: aggregate
short_description: Times each stage and task of a deployment
version_added: 0.1.0
description:
  - Runs beside the stdout callback. A stage is the playbook file the plays come
    from, so C(site.yml) reports one stage per playbook it imports
    (C(infra), C(ceph), C(identity), ...); plays whose file is unknown are
    grouped by play name.
  - Prints a line when each stage starts, with the time since the run began, and
    its duration when it ends.
  - Times every task and handler from its start to the last host's result, with
    the number of hosts it changed.
  - At the end, prints a table of the stages (time, tasks, changed) with the
    total time of the run, then the slowest tasks.
author:
  - nimbus.openstack contributors (@nimbus-openstack)
requirements:
  - enabled in C(callbacks_enabled) (C(callbacks_enabled = nimbus.openstack.timing)
    in C(ansible.cfg), or C(ANSIBLE_CALLBACKS_ENABLED=nimbus.openstack.timing))
options:
  slowest:
    description: How many of the slowest tasks to list at the end; C(0) lists none.
    type: int
    default: 10
    env:
      - name: NIMBUS_TIMING_SLOWEST
    ini:
      - section: callback_timing
        key: slowest
  output:
    description:
      - A file to write the whole report to as JSON, for benchmarks.
      - 'Its keys: C(total) (seconds of the run), C(stages) (a list of C(name),
        C(seconds), C(tasks), C(changed)) and C(tasks) (every task run, each with
        C(stage), C(role), C(name), C(seconds), C(changed) (hosts it changed) and
        C(hosts) (hosts that returned a result)).'
      - Unset, nothing is written.
    type: path
    env:
      - name: NIMBUS_TIMING_OUTPUT
    ini:
      - section: callback_timing
        key: output
"""

import json
import time

from ansible.plugins.callback import CallbackBase

from ansible_collections.nimbus.openstack.plugins.plugin_utils._timing import (
    Timer,
    ended_line,
    report,
    slowest_table,
    stage_name,
    stage_table,
    started_line,
)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "nimbus.openstack.timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # From the callback's loading, so that several playbooks on one command line add up.
        self._timer = Timer(time.monotonic())

    def v2_playbook_on_play_start(self, play):
        now = time.monotonic()
        ended, started = self._timer.play(stage_name(play.get_path(), play.get_name()), now)
        if ended:
            self._display.display(ended_line(ended))
        if started:
            self._display.display(started_line(started, now - self._timer.start))

    def v2_playbook_on_task_start(self, task, is_conditional):
        role = task._role.get_name(include_role_fqcn=False) if task._role else ""
        self._timer.task(task._uuid, role, task.name or task.action, time.monotonic())

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _result(self, result):
        self._timer.result(result._task._uuid, time.monotonic(), result._result.get("changed"))

    def v2_runner_on_ok(self, result):
        self._result(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result)

    def v2_runner_on_skipped(self, result):
        self._result(result)

    def v2_runner_on_unreachable(self, result):
        self._result(result)

    def v2_playbook_on_stats(self, stats):
        ended = self._timer.finish(time.monotonic())
        if ended:
            self._display.display(ended_line(ended))
        self._display.banner("TIMING")
        lines = stage_table(self._timer)
        slowest = slowest_table(self._timer.tasks, self.get_option("slowest"))
        if slowest:
            lines += ["", "slowest tasks:"] + slowest
        self._display.display("\n".join(lines))
        self._write(self.get_option("output"))

    def _write(self, path):
        if not path:
            return
        try:
            with open(path, "w") as output:
                json.dump(report(self._timer), output, indent=2)
        except OSError as error:
            self._display.warning("nimbus.openstack.timing: cannot write %s: %s" % (path, error))

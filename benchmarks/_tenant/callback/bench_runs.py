"""Callback of benchmarks/tenant: writes, to the file named by NIMBUS_BENCH_RUNS,
one JSON record per module run (each loop item is one): the task, the item,
ok/failed/skipped, changed, the failure message, and when it started and ended
(so that the requests logged by the sitecustomize hook can be put to it: the
benchmark's play has one host, so module runs never overlap)."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_runs
type: aggregate
short_description: records each module run of a benchmarks/tenant play
description: Writes one JSON record per module run to the file named by NIMBUS_BENCH_RUNS.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_runs"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._runs = []
        self._since = time.time()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._since = time.time()

    def _record(self, result, status, item=None):
        now = time.time()
        self._runs.append({
            "task": result._task.get_name(),
            "item": item,
            "status": status,
            "changed": bool(result._result.get("changed")),
            "msg": result._result.get("msg") if status == "failed" else None,
            "start": self._since,
            "end": now,
        })
        self._since = now

    def _record_task(self, result, status):
        # A loop's items were recorded one by one as they ended.
        if "results" not in result._result:
            self._record(result, status)

    def _record_item(self, result, status):
        self._record(result, status, str(result._result.get("_ansible_item_label", result._result.get("item"))))

    def v2_runner_on_ok(self, result):
        self._record_task(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record_task(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record_task(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record_task(result, "failed")

    def v2_runner_item_on_ok(self, result):
        self._record_item(result, "ok")

    def v2_runner_item_on_failed(self, result):
        self._record_item(result, "failed")

    def v2_runner_item_on_skipped(self, result):
        self._record_item(result, "skipped")

    def v2_playbook_on_stats(self, stats):
        with open(os.environ["NIMBUS_BENCH_RUNS"], "w", encoding="utf-8") as out:
            json.dump(self._runs, out, indent=1)

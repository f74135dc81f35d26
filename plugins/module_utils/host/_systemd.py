# Private to this collection: not a public API, may change without notice.
"""A role's systemd services: enabled, running, and restarted when a file they read changed since they started.

A service is stale when one of the files it reads at start has a modification
time later than the moment systemd began to start it (InactiveExitTimestamp).
Unlike a handler, this survives a run that failed between writing a file and
restarting: the next run still finds the service older than its file.
"""

from __future__ import annotations

import os
import time

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = {
    "services": {
        "type": "list", "elements": "dict", "required": True,
        "options": {
            "name": {"type": "str", "required": True},
            "reads": {"type": "list", "elements": "path", "default": []},
            "enabled": {"type": "bool", "default": True},
            "state": {"type": "str", "default": "started", "choices": ["started", "stopped"]},
        },
    },
}

PROPERTIES = ("Id", "LoadState", "ActiveState", "UnitFileState", "InactiveExitTimestampMonotonic", "NeedDaemonReload")
# `systemctl is-enabled` states that start the unit at boot, and those that cannot be changed by enable/disable.
ENABLED = {"enabled", "enabled-runtime", "alias", "indirect"}
FIXED = {"static", "generated", "transient", ""}
RUNNING = {"active", "activating", "reloading", "deactivating"}


def parse_show(text):
    """`systemctl show -p …` output for several units: one dict per unit, in order."""
    units, current = [], {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                units.append(current)
            current = {}
            continue
        key, _sep, value = line.partition("=")
        current[key] = value
    if current:
        units.append(current)
    return units


def unit_id(name):
    """The unit's full name, as systemctl show's Id gives it."""
    return name if "." in name else name + ".service"


def started_at(props, now_realtime, now_monotonic):
    """The wall-clock time systemd began to start the unit, or None if it never did."""
    mono = int(props.get("InactiveExitTimestampMonotonic") or 0)
    if not mono:
        return None
    return now_realtime - (now_monotonic - mono / 1e6)


def plan(service, props, mtimes, since, check_mode=False):
    """The systemctl verbs, with the reason for each, that take one unit to what `service` asks for.

    `mtimes` maps each file the service reads (that exists) to its modification time;
    `since` is when the running unit started (see started_at). In check mode a
    unknown unit may be one whose file an earlier task would have written.
    """
    name = service["name"]
    if props.get("LoadState") == "not-found":
        if service["state"] == "stopped" and not service["enabled"]:
            return []  # neither runs nor starts at boot: what was asked
        if check_mode:
            unknown = "systemd does not know it yet"
            return [("enable", unknown)] * service["enabled"] + [("start", unknown)] * (service["state"] == "started")
    if props.get("LoadState") != "loaded":
        raise ValueError("systemd has no unit %s (LoadState=%s)" % (name, props.get("LoadState")))
    steps = []
    enabled_now = props.get("UnitFileState", "")
    if enabled_now not in FIXED:
        if service["enabled"] and enabled_now not in ENABLED:
            steps.append(("enable", "it is %s" % enabled_now))
        elif not service["enabled"] and enabled_now in ENABLED:
            steps.append(("disable", "it is %s" % enabled_now))
    running = props.get("ActiveState") in RUNNING
    if service["state"] == "stopped":
        if running:
            steps.append(("stop", "it runs"))
    elif not running:
        steps.append(("start", "it is %s" % props.get("ActiveState")))
    else:
        newer = sorted(path for path, mtime in mtimes.items() if since is None or mtime > since)
        if newer:
            steps.append(("restart", "changed since it started: %s" % ", ".join(newer)))
    return steps


def state_of(props, steps):
    """The unit's (enabled, active) state before and after the steps, for the diff."""
    before = {"enabled": props.get("UnitFileState", ""), "active": props.get("ActiveState", "")}
    after = dict(before)
    for verb, reason in steps:
        if verb in ("enable", "disable"):
            after["enabled"] = verb + "d"
        elif verb == "start":
            after["active"] = "active"
        elif verb == "restart":
            after["active"] = "restarted, %s" % reason
        elif verb == "stop":
            after["active"] = "inactive"
    return before, after


def _mtimes(paths):
    found = {}
    for path in paths:
        try:
            found[path] = os.stat(path).st_mtime
        except FileNotFoundError:
            continue
    return found


class Systemd:
    def __init__(self, module):
        self.module = module
        self.systemctl = module.get_bin_path("systemctl", required=True)

    def run(self, *args):
        rc, out, err = self.module.run_command([self.systemctl] + list(args))
        if rc != 0:
            self.module.fail_json(msg="systemctl %s failed: %s" % (" ".join(args), (err or out).strip()),
                                  rc=rc, stdout=out, stderr=err)
        return out

    def show(self, names):
        out = self.run("show", "-p", ",".join(PROPERTIES), "--", *names)
        by_id = {props.get("Id"): props for props in parse_show(out)}
        return {name: by_id.get(unit_id(name), {}) for name in names}

    def explain_failure(self, name, verb):
        _rc, out, _err = self.module.run_command(
            ["journalctl", "-u", name, "-n", "20", "--no-pager", "-o", "cat"])
        self.module.fail_json(msg="systemctl %s %s failed; its last log lines:\n%s" % (verb, name, out.strip()))


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    services = module.params["services"]
    systemd = Systemd(module)
    names = [service["name"] for service in services]
    units = systemd.show(names)
    reloaded = False
    if any(props.get("NeedDaemonReload") == "yes" for props in units.values()):
        reloaded = True
        if not module.check_mode:
            systemd.run("daemon-reload")
            units = systemd.show(names)
    now_realtime, now_monotonic = time.time(), time.clock_gettime(time.CLOCK_MONOTONIC)
    actions, diff = {}, {"before": {}, "after": {}}
    for service in services:
        props = units[service["name"]]
        try:
            steps = plan(service, props, _mtimes(service["reads"]),
                         started_at(props, now_realtime, now_monotonic), module.check_mode)
        except ValueError as exc:
            module.fail_json(msg=str(exc))
        if steps:
            actions[service["name"]] = ["%s (%s)" % step for step in steps]
            before, after = state_of(props, steps)
            diff["before"][service["name"]], diff["after"][service["name"]] = before, after
        if module.check_mode:
            continue
        for verb, _reason in steps:
            rc, _out, _err = module.run_command([systemd.systemctl, verb, service["name"]])
            if rc != 0:
                systemd.explain_failure(service["name"], verb)
    result = {"changed": bool(actions) or reloaded, "actions": actions, "daemon_reloaded": reloaded}
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)

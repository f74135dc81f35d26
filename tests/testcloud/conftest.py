"""Helpers for tests that make real test clouds on this machine (root needed)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STATE_ROOT = Path("/var/lib/nimbus/testcloud")


class Result:
    def __init__(self, proc):
        self.rc, self.output = proc.returncode, proc.stdout + proc.stderr
        recap = re.search(r"localhost\s*:\s*ok=\d+\s+changed=(\d+)", self.output)
        self.changed = int(recap.group(1)) if recap else None


def playbook(extra, playbook="playbooks/testcloud.yml", prefix=()):
    """Run a playbook of the collection with extra vars; the output is kept for asserts."""
    cmd = list(prefix) + ["ansible-playbook", playbook, "-e", json.dumps(extra)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    return Result(proc)


def interfaces(cloud):
    """Names of the machine's interfaces that belong to `cloud`."""
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    return [m.split("@")[0] for m in re.findall(r"^\d+: ([^:]+):", out, re.M) if m.startswith("nb-%s-" % cloud)]


def namespaces(cloud):
    return [n for n in os.listdir("/run/netns") if n.startswith("nimbus-%s-" % cloud)] \
        if os.path.isdir("/run/netns") else []


def guard_rules(cloud):
    out = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if "nb-%s-" % cloud in line]


def ssh(inventory, command, pattern="all"):
    """Run `command` on the hosts of an inventory with ansible's own connection settings."""
    return subprocess.run(["ansible", "-i", str(inventory), pattern, "-m", "ansible.builtin.command", "-a", command],
                          cwd=REPO, capture_output=True, text=True, check=False)


@pytest.fixture
def cloud(request, tmp_path):
    """A cloud name owned by one test, removed afterwards whatever happened."""
    names = []

    def make(name):
        names.append(name)
        return name, tmp_path / name / "inventory.yml"

    yield make
    for name in names:  # the tool knows each cloud's backend and hosts from its state
        playbook({"testcloud_name": name, "testcloud_state": "absent"})


def pytest_collection_modifyitems(items):
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="makes test clouds: needs root")
        for item in items:
            item.add_marker(skip)

"""The Vagrantfile in vagrant/, for real: the multinode cloud as vagrant-libvirt VMs.

Needs root and Debian's vagrant and vagrant-libvirt (`make vagrant-test` installs
them). Builds the box (cached under /var/cache/nimbus/vagrant), brings the five
hosts up, reaches them with the generated inventory, converges the
infrastructure stage (playbooks/infra.yml) on them, and destroys everything
again, whatever happened. Each step's time and the machine's peak memory go to
tests/output/vagrant-timings.json.

libvirtd starts the VMs, so they would not inherit this test's CPU priority:
the test gives every thread of their QEMUs its own (make test runs it at nice
19, beside the Molecule scenarios), and their autogroup too. With the kernel's
autogroup scheduling, threads of different sessions share the CPU by session
first, whatever their nice value: without it the VMs would take half the
machine from the other lanes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VAGRANT_DIR = REPO / "vagrant"
HOSTS = ["controller", "network", "compute1", "compute2", "storage"]
TOOL = ["python", str(REPO / "vagrant" / "nimbus_vagrant.py")]
# Under TCG, and more so at a low priority, a VM may take long to answer SSH:
# a longer connection timeout, and connections kept across slow tasks.
ENV = dict(os.environ, VAGRANT_CHECKPOINT_DISABLE="1", PYTHONPATH=str(REPO / ".ansible" / "collections"),
           ANSIBLE_TIMEOUT="120", ANSIBLE_SSH_ARGS="-C -o ControlMaster=auto -o ControlPersist=30m")


def run(cmd, what, timeout, cwd=REPO):
    """Run `cmd`; fail naming `what` it waited for when it takes longer than `timeout` seconds."""
    try:
        return subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail("timed out after %ds waiting for %s (%s)\n%s" % (timeout, what, " ".join(cmd), exc.stdout or ""))


def vagrant(args, what, timeout):
    return run(["vagrant"] + args, what, timeout, cwd=VAGRANT_DIR)


def output(proc):
    return "rc=%d\n%s\n%s" % (proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:])


class Watcher(threading.Thread):
    """Every 2 s: keeps the peaks (MiB) of the machine's used memory and of the RSS
    of this cloud's QEMUs, and gives their threads this test's CPU priority."""

    def __init__(self):
        super().__init__(daemon=True)
        self.done = threading.Event()
        self.machine = self.qemu = 0
        self.nice = os.nice(0)

    def run(self):
        while not self.done.wait(2):
            info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
            used = (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) // 1024
            self.machine = max(self.machine, used)
            self.qemu = max(self.qemu, self._watch_qemus())

    def _watch_qemus(self):
        """The RSS of this cloud's QEMUs; their threads get this test's priority on the way."""
        total = 0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if b"guest=nimbus-vagrant-" not in Path("/proc/%s/cmdline" % pid).read_bytes():
                    continue
                rss = re.search(r"^VmRSS:\s+(\d+)", Path("/proc/%s/status" % pid).read_text(), re.M)
                total += int(rss.group(1)) // 1024 if rss else 0
                for tid in os.listdir("/proc/%s/task" % pid):
                    if os.getpriority(os.PRIO_PROCESS, int(tid)) < self.nice:
                        os.setpriority(os.PRIO_PROCESS, int(tid), self.nice)
                autogroup = Path("/proc/%s/autogroup" % pid)  # "/autogroup-N nice K", absent without autogroups
                if autogroup.exists() and int(autogroup.read_text().split()[-1]) < self.nice:
                    autogroup.write_text("%d\n" % self.nice)
            except OSError:
                continue
        return total


def destroy():
    """Vagrant's VMs, then what `prepare` made (networks, bridges, box volume); the box cache stays."""
    gone = vagrant(["destroy", "-f"], "vagrant destroy of the five hosts", 600)
    cleaned = run(TOOL + ["clean"], "removal of the Vagrant cloud's networks", 300)
    return gone, cleaned


@pytest.fixture(scope="module")
def timings():
    steps = {}
    watcher = Watcher()
    watcher.start()
    destroy()  # leftovers of an interrupted run
    yield steps
    started = time.monotonic()
    gone, cleaned = destroy()
    steps["destroy"] = round(time.monotonic() - started, 1)
    watcher.done.set()
    watcher.join()
    steps["peak_machine_used_mib"], steps["peak_qemu_rss_mib"] = watcher.machine, watcher.qemu
    steps["nice"] = watcher.nice
    (REPO / "tests" / "output").mkdir(exist_ok=True)
    (REPO / "tests" / "output" / "vagrant-timings.json").write_text(json.dumps(steps, indent=1) + "\n")
    sys.stderr.write("\nvagrant test timings (s) and peak memory (MiB): %s\n" % json.dumps(steps))
    assert gone.returncode == 0 and cleaned.returncode == 0, output(gone) + output(cleaned)


def timed(steps, name, func):
    started = time.monotonic()
    result = func()
    steps[name] = round(time.monotonic() - started, 1)
    return result


def per_host(text):
    """Host -> what the ad-hoc command printed there."""
    parts = re.split(r"^(\S+) \| \w+ \| rc=\d+ >>$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def recap(text):
    return {m.group(1): {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
            for m in re.finditer(r"^(\S+)\s+:\s+(ok=.*)$", text, re.M)}


# About 15 minutes here (TCG); an empty cache adds the base image and kernel layer.
@pytest.mark.timeout(7200)
def test_vagrant_cloud_comes_up_and_converges_infra(timings, tmp_path_factory):
    inventory = tmp_path_factory.mktemp("vagrant") / "inventory.yml"
    prepared = timed(timings, "box_and_networks", lambda: run(
        TOOL + ["prepare", str(inventory)], "the Vagrant box build and networks", 1800))
    assert prepared.returncode == 0, output(prepared)

    up = timed(timings, "vagrant_up", lambda: vagrant(["up"], "vagrant up of the five hosts", 1500))
    assert up.returncode == 0, output(up)
    status = vagrant(["status", "--machine-readable"], "vagrant status", 120)
    states = dict(re.findall(r"^\d+,([^,]+),state,(\w+)$", status.stdout, re.M))
    assert states == dict.fromkeys(HOSTS, "running"), output(status)

    ping = timed(timings, "ansible_ping", lambda: run(
        ["ansible", "-i", str(inventory), "all", "-m", "ansible.builtin.ping"], "ansible ping of the hosts", 300))
    assert ping.returncode == 0, output(ping)
    assert sorted(re.findall(r"^(\S+) \| SUCCESS =>", ping.stdout, re.M)) == sorted(HOSTS), output(ping)
    # Each host has its name and the plan's address, and no way out of the machine.
    facts = run(["ansible", "-i", str(inventory), "all", "-m", "ansible.builtin.shell",
                 "-a", "hostname; ip -4 -o addr show dev eth0; ip route show default"], "the hosts' names", 300)
    assert facts.returncode == 0, output(facts)
    seen = per_host(facts.stdout)
    for index, host in enumerate(HOSTS):
        assert seen[host].split()[0] == host and " 172.29.236.%d/27 " % (235 + index) in seen[host], seen
        assert "default" not in seen[host], seen

    infra = timed(timings, "infra_converge", lambda: run(
        ["ansible-playbook", "-i", str(inventory), "playbooks/infra.yml"], "the infrastructure stage", 3600))
    assert infra.returncode == 0, output(infra)
    results = recap(infra.stdout)
    assert sorted(results) == sorted(HOSTS), output(infra)
    assert all(r["failed"] == 0 and r["unreachable"] == 0 for r in results.values()), results
    db = run(["ansible", "-i", str(inventory), "controller", "-m", "ansible.builtin.command",
              "-a", "mariadb -N -B -e 'SELECT 40 + 2'"], "MariaDB on the controller", 120)
    assert db.returncode == 0 and per_host(db.stdout)["controller"].split() == ["42"], output(db)

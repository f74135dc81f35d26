"""benchmarks/deploy: deploy the all-in-one test cloud on this machine and print
what it took (wall time, tasks and changed tasks of each run, the slowest
tasks) and the memory the cloud uses at rest (PSS by service). See
benchmarks/README.md."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BENCH_HOME = Path(os.environ.get("NIMBUS_BENCH_HOME", "/var/cache/nimbus/bench"))
ANSIBLE_BIN = Path(sys.executable).parent
# Seconds one ansible-playbook run may take.
RUN_TIMEOUT = 3600
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)")


def playbook(name, inventory, workdir, label, extra=()):
    """Run playbooks/<name> (or the test-cloud tool when inventory is None) and
    return {label, seconds, ok, changed, failed, timing}; its output goes to
    workdir/<label>.log and the timing callback's report to <label>.json."""
    report = workdir / (label + ".json")
    env = dict(os.environ, NIMBUS_TIMING_OUTPUT=str(report), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_COLLECTIONS_PATH=str(REPO / ".ansible" / "collections"),
               PATH="%s:%s" % (ANSIBLE_BIN, os.environ.get("PATH", "")))
    command = [str(ANSIBLE_BIN / "ansible-playbook"), str(REPO / "playbooks" / name), *extra]
    if inventory:
        command[1:1] = ["-i", str(inventory)]
    print("... %s" % label, flush=True)
    started = time.monotonic()
    with open(workdir / (label + ".log"), "w") as log:
        done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO,
                              timeout=RUN_TIMEOUT, check=False)
    seconds = time.monotonic() - started
    output = (workdir / (label + ".log")).read_text()
    counts = [RECAP.match(line) for line in output.splitlines()]
    counts = [m for m in counts if m and m.group(1) != "localhost"]
    if done.returncode != 0:
        sys.exit("benchmarks/deploy: %s failed (rc=%d); see %s" % (label, done.returncode, workdir / (label + ".log")))
    return {
        "label": label, "seconds": round(seconds, 1),
        "ok": sum(int(m.group(2)) for m in counts), "changed": sum(int(m.group(3)) for m in counts),
        "timing": json.loads(report.read_text()) if report.exists() else None,
    }


def on_host(inventory, host, script):
    """stdout of the shell script `script` (a file) run on the host."""
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACK_RESULT_FORMAT="json",
               ANSIBLE_COLLECTIONS_PATH=str(REPO / ".ansible" / "collections"))
    done = subprocess.run([str(ANSIBLE_BIN / "ansible"), "-i", str(inventory), host, "-m", "ansible.builtin.script",
                           "-a", str(script)], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=300, check=True)
    return json.loads(done.stdout.partition(" => ")[2])["stdout"]


def memory(inventory, host):
    """PSS of each running service of the host, in MiB, largest first: [(MiB, unit, processes)]."""
    rows = []
    for line in on_host(inventory, host, HERE / "pss.sh").splitlines():
        mib, unit, processes = line.split()
        rows.append((int(mib), unit, int(processes)))
    return rows


def config_sums(inventory, host):
    """{path: md5} of the services' configuration files on the host."""
    return dict(reversed(line.split(None, 1)) for line in on_host(inventory, host, HERE / "config-sums.sh").splitlines())


def table(rows, headers):
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    return "\n".join("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
                     for row in [headers, *rows])


def deploy(args, workdir, variant, last):
    """Make the cloud from `variant` (bare or preinstalled), deploy, verify and
    re-run; return its runs, its configuration checksums and (last) its memory."""
    home = workdir / variant
    home.mkdir()
    inventory = home / "inventory.yml"
    tool = ["-e", "testcloud_name=" + args.cloud, "-e", "testcloud_topology=aio",
            "-e", "testcloud_inventory=%s" % inventory, "-e", "testcloud_host_image=" + variant]
    # One secrets file for both variants, so that their configuration can be compared.
    secrets = ["-e", "nimbus_secrets_file=%s" % (args.secrets or workdir / "secrets.yml")]
    playbook("testcloud.yml", None, home, "remove-old", [*tool, "-e", "testcloud_state=absent"])
    runs = [playbook("testcloud.yml", None, home, "hosts", [*tool, "-e", "testcloud_state=present"])]
    runs.append(playbook("site.yml", inventory, home, "deploy", secrets))
    runs.append(playbook("guest_image.yml", inventory, home, "guest", secrets))
    runs.append(playbook("verify.yml", inventory, home, "verify", secrets))
    runs.append(playbook("site.yml", inventory, home, "rerun", secrets))
    result = {"variant": variant, "runs": runs, "sums": config_sums(inventory, "aio1"),
              "memory": memory(inventory, "aio1") if last else []}
    if not (args.keep and last):
        playbook("testcloud.yml", None, home, "remove", [*tool, "-e", "testcloud_state=absent"])
    return result


def report_lines(result, slowest):
    runs = result["runs"]
    lines = ["== from the %s host image" % result["variant"],
             table([(r["label"], "%.1f" % r["seconds"], r["ok"], r["changed"]) for r in runs],
                   ("run", "seconds", "tasks ok", "changed")),
             "", "verified deploy (hosts + deploy + guest + verify): %.1f s" % sum(r["seconds"] for r in runs[:4]), ""]
    for run in runs[1:]:
        stages = (run["timing"] or {}).get("stages", [])
        if stages and run["label"] in ("deploy", "rerun"):
            lines += ["stages of %s:" % run["label"],
                      table([(s["name"], "%.1f" % s["seconds"], s["tasks"], s["changed"]) for s in stages],
                            ("stage", "seconds", "tasks", "changed")), ""]
        tasks = sorted((run["timing"] or {}).get("tasks", []), key=lambda t: -t["seconds"])[:slowest]
        if tasks and run["label"] in ("deploy", "rerun"):
            lines += ["slowest tasks of %s:" % run["label"],
                      table([("%s : %s" % (t["role"], t["name"]) if t["role"] else t["name"], "%.1f" % t["seconds"])
                             for t in tasks], ("task", "seconds")), ""]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cloud", default="bench", help="test cloud to make and deploy (default bench; removed first)")
    parser.add_argument("--image", choices=["both", "bare", "preinstalled"], default="both",
                        help="host image(s) to deploy from, one after the other (default both)")
    parser.add_argument("--keep", action="store_true", help="keep the (last) cloud afterwards")
    parser.add_argument("--secrets", help="secrets file of the deploys (default a new one), e.g. an earlier run's")
    parser.add_argument("--slowest", type=int, default=10, help="slowest tasks to list per run")
    args = parser.parse_args()
    workdir = BENCH_HOME / "deploy" / time.strftime("%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True)
    variants = ["bare", "preinstalled"] if args.image == "both" else [args.image]
    results = [deploy(args, workdir, variant, variant == variants[-1]) for variant in variants]

    lines = ["Deploy of the aio test cloud on this machine (%d CPUs), %s" % (os.cpu_count(), time.strftime("%Y-%m-%d %H:%M")), ""]
    for result in results:
        lines += report_lines(result, args.slowest)
    if len(results) == 2:
        sums = [r["sums"] for r in results]
        differ = sorted(path for path in set(sums[0]) | set(sums[1]) if sums[0].get(path) != sums[1].get(path))
        lines += ["configuration files compared (bare vs preinstalled): %d, differing: %d" % (len(sums[0]), len(differ))]
        lines += ["  " + path for path in differ] + [""]
    rows = results[-1]["memory"]
    total = sum(mib for mib, _unit, _processes in rows)
    lines += ["memory at rest after verify (PSS): %d MiB = %.2f GiB" % (total, total / 1024),
              table([(unit, mib, processes) for mib, unit, processes in rows], ("service", "MiB", "processes"))]
    report = "\n".join(lines) + "\n"
    (workdir / "report.txt").write_text(report)
    print(report + "\n(all output in %s)" % workdir)


if __name__ == "__main__":
    main()

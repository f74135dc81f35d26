"""benchmarks/tenant: the same tenant scenario, run by nimbus.openstack's modules and
by openstack.cloud's against one cloud; prints wall time, HTTP requests (token
requests apart) and changed module runs for each phase. See benchmarks/README.md."""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import openstack
import scenario
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
REQUIREMENTS = REPO / "benchmarks" / "requirements-openstack-cloud.txt"
BENCH_HOME = Path(os.environ.get("NIMBUS_BENCH_HOME", "/var/cache/nimbus/bench"))
OPENSTACK_CLOUD_VENV = BENCH_HOME / "openstack-cloud-venv"
IMAGE_TAG = "nimbus-guest"
API_TIMEOUT = 60
# Seconds one ansible-playbook run may take (a server boot is allowed 600 of them).
PHASE_TIMEOUT = 1800
PHASES = ("create", "rerun", "delete")
TOKEN = re.compile(r"/auth/tokens$")
# Version discovery: GET of a service's root or version document ("/", "/v3", "/v2.1/").
DISCOVERY = re.compile(r"^/(v\d+(\.\d+)?/?)?$")


def openstack_cloud_venv():
    """The virtualenv of `ansible` (with openstack.cloud) as the requirements file
    pins it, made or remade when the file changed; never the project's .venv."""
    stamp = OPENSTACK_CLOUD_VENV / ".requirements"
    wanted = REQUIREMENTS.read_text()
    if not (stamp.exists() and stamp.read_text() == wanted and (OPENSTACK_CLOUD_VENV / "bin" / "ansible-playbook").exists()):
        print("installing %s into %s ..." % (REQUIREMENTS.name, OPENSTACK_CLOUD_VENV), flush=True)
        # The base interpreter of the project's .venv: both sides run the same Python.
        subprocess.run([sys._base_executable, "-m", "venv", "--clear", str(OPENSTACK_CLOUD_VENV)], check=True)
        subprocess.run([str(OPENSTACK_CLOUD_VENV / "bin" / "pip"), "install", "--quiet", "--quiet", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(wanted)
    return OPENSTACK_CLOUD_VENV


def side_setup(collection, workdir):
    """bin directory and ansible.cfg of one collection's runs."""
    workdir.mkdir(parents=True)
    collections_path = workdir / "collections"
    collections_path.mkdir()
    if collection == "nimbus.openstack":
        venv = REPO / ".venv"
        (collections_path / "ansible_collections" / "nimbus").mkdir(parents=True)
        (collections_path / "ansible_collections" / "nimbus" / "openstack").symlink_to(REPO)
    else:
        # An empty collections path: only the collections bundled with `ansible` are seen.
        venv = openstack_cloud_venv()
    config = workdir / "ansible.cfg"
    config.write_text("\n".join([
        "[defaults]",
        "collections_path = %s" % collections_path,
        "callback_plugins = %s" % (HERE / "callback"),
        "callbacks_enabled = bench_runs",
        "stdout_callback = ansible.builtin.default",
        "interpreter_python = %s" % (venv / "bin" / "python"),
        "retry_files_enabled = false",
        "",
    ]))
    return venv / "bin", config


def ansible_env(bin_dir, config, http_log, runs_file, ksa_log=None):
    env = dict(os.environ, ANSIBLE_CONFIG=str(config), ANSIBLE_NOCOLOR="1", PYTHONPATH=str(HERE / "hook"),
               PATH="%s:%s" % (bin_dir, os.environ["PATH"]), NIMBUS_BENCH_HTTP_LOG=str(http_log),
               NIMBUS_BENCH_RUNS=str(runs_file))
    if ksa_log:
        env["NIMBUS_BENCH_KSA_LOG"] = str(ksa_log)
    return env


def read_requests(path):
    """[(time, method, path)] of the hook's log."""
    requests = []
    for line in path.read_text().splitlines() if path.exists() else []:
        stamp, _pid, method, url = line.split(" ", 3)
        requests.append((float(stamp), method, "/" + url.split("/", 1)[1] if "/" in url else "/"))
    return requests


def kind(method, path):
    if method == "POST" and TOKEN.search(path):
        return "token"
    if method == "GET" and DISCOVERY.match(path):
        return "discovery"
    return "api"


def run_phase(phase, playbook, bin_dir, config, workdir):
    """Runs one playbook; returns the phase's figures."""
    http_log, runs_file = workdir / (phase + ".http"), workdir / (phase + ".runs.json")
    command = [str(bin_dir / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
    cpu_before, started = _children_cpu(), time.monotonic()
    with open(workdir / (phase + ".log"), "w") as out:
        try:
            rc = subprocess.run(command, cwd=workdir, env=ansible_env(bin_dir, config, http_log, runs_file),
                                stdout=out, stderr=subprocess.STDOUT, timeout=PHASE_TIMEOUT, check=False).returncode
        except subprocess.TimeoutExpired:
            out.write("\nbenchmarks/tenant: stopped after %d s\n" % PHASE_TIMEOUT)
            rc = 124
    seconds, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    requests = read_requests(http_log)
    runs = json.loads(runs_file.read_text()) if runs_file.exists() else []
    for run in runs:
        inside = [r for r in requests if run["start"] <= r[0] <= run["end"]]
        run["requests"] = len(inside)
        run["tokens"] = sum(kind(*r[1:]) == "token" for r in inside)
    kinds = collections.Counter(kind(*r[1:]) for r in requests)
    return {
        "phase": phase, "rc": rc, "seconds": seconds, "cpu": cpu, "requests": len(requests),
        "token": kinds["token"], "discovery": kinds["discovery"], "api": kinds["api"],
        "runs": runs, "changed": sum(r["changed"] for r in runs), "failed": [r for r in runs if r["status"] == "failed"],
        "log": str(workdir / (phase + ".log")),
    }


def _children_cpu():
    """User + system CPU seconds of the finished child processes and all theirs
    (ansible-playbook, its workers, the modules' processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floating_ips_of(conn, server_name):
    server = conn.compute.find_server(server_name, ignore_missing=True)
    if server is None:
        return set()
    return {ip.id for port in conn.network.ports(device_id=server.id) for ip in conn.network.ips(port_id=port.id)}


def clean_up(conn, n, floating_ips):
    """Deletes what is left of one run (by its names, and the floating IPs seen on
    its server); returns what there was. The safety net behind the delete phase."""
    left = []
    floating_ips |= floating_ips_of(conn, n["server"])
    for ip_id in floating_ips:
        if _exists(conn.network.get_ip, ip_id):
            conn.network.delete_ip(ip_id, ignore_missing=True)
            left.append("floating IP " + ip_id)
    server = conn.compute.find_server(n["server"], ignore_missing=True)
    if server:
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=scenario.SERVER_TIMEOUT)
        left.append(n["server"])
    if conn.compute.find_keypair(n["key"], ignore_missing=True):
        conn.compute.delete_keypair(n["key"], ignore_missing=True)
        left.append(n["key"])
    router = conn.network.find_router(n["router"], ignore_missing=True)
    if router:
        for port in conn.network.ports(device_id=router.id, device_owner="network:router_interface"):
            conn.network.remove_interface_from_router(router, port_id=port.id)
        conn.network.delete_router(router)
        left.append(n["router"])
    network = conn.network.find_network(n["net"], ignore_missing=True)
    for subnet in conn.network.subnets(name=n["subnet"]):
        conn.network.delete_subnet(subnet)
        left.append(n["subnet"])
    if network:
        conn.network.delete_network(network)
        left.append(n["net"])
    group = conn.network.find_security_group(n["sg"], ignore_missing=True)
    if group:
        conn.network.delete_security_group(group)
        left.append(n["sg"])
    return left


def _exists(get, resource_id):
    try:
        get(resource_id)
    except openstack.exceptions.NotFoundException:
        return False
    return True


def public_key():
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode() + " benchmarks-tenant"


def bench(collection, conn, args, image_id, workdir):
    """The three phases of one collection, then the safety-net clean-up."""
    prefix = "bench-%s-%s" % (collection.split(".")[0], uuid.uuid4().hex[:6])
    n = scenario.names(prefix)
    bin_dir, config = side_setup(collection, workdir)
    cidr = "10.%d.%d.0/24" % (200 + uuid.uuid4().int % 50, uuid.uuid4().int % 256)
    create = scenario.create_tasks(collection, n, image_id, args.flavor, args.external_network,
                                   cidr, public_key(), args.rules == "inline")
    books = {"create": ("Tenant scenario", create),
             "delete": ("Tenant scenario deleted", scenario.delete_tasks(collection, n, args.external_network))}
    for name, (title, tasks) in books.items():
        (workdir / (name + ".yml")).write_text(yaml.safe_dump(
            scenario.playbook(collection, title, tasks, args.cloud, API_TIMEOUT), sort_keys=False))
    print("%s: names %s-*, playbooks and logs in %s" % (collection, prefix, workdir), flush=True)
    results, floating_ips = [], set()
    try:
        for phase in PHASES:
            if phase == "rerun" and results[0]["rc"] != 0:
                continue
            book = workdir / (("delete" if phase == "delete" else "create") + ".yml")
            results.append(run_phase(phase, book, bin_dir, config, workdir))
            print("  %-6s %6.1f s (cpu %5.1f s) %4d requests  %2d changed%s" % (
                phase, results[-1]["seconds"], results[-1]["cpu"], results[-1]["requests"], results[-1]["changed"],
                "  FAILED (rc %d)" % results[-1]["rc"] if results[-1]["rc"] else ""), flush=True)
            if phase != "delete":
                floating_ips |= floating_ips_of(conn, n["server"])
    finally:
        left = clean_up(conn, n, floating_ips)
        if left:
            print("  left after the run, deleted by the benchmark: %s" % ", ".join(left), flush=True)
    return {"collection": collection, "prefix": prefix, "phases": results, "left": left}


def check_counting(args, rundir):
    """One read-only module per collection: the requests the hook counts must be
    those of keystoneauth's debug log (its REQ lines, and its lines for token
    requests, whose REQ lines it leaves out)."""
    ok = True
    modules = {"nimbus.openstack": "network_info", "openstack.cloud": "networks_info"}
    for collection, module in modules.items():
        workdir = rundir / ("check-" + collection)
        bin_dir, config = side_setup(collection, workdir)
        http_log, ksa_log = workdir / "check.http", workdir / "check.ksa"
        command = [str(bin_dir / "ansible"), "localhost", "-i", "localhost,", "-c", "local", "-m", collection + "." + module,
                   "-a", json.dumps({"cloud": args.cloud, "name": args.external_network})]
        env = ansible_env(bin_dir, config, http_log, workdir / "check.runs.json", ksa_log)
        done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False)
        hooked = [r[1:] for r in read_requests(http_log)]
        debug = ksa_log.read_text() if ksa_log.exists() else ""
        logged = re.findall(r'REQ: curl -g -i (?:--insecure )?-X (\w+) "?https?://[^/\s"]+(/[^\s?"]*)', debug)
        logged += [("POST", path) for path in re.findall(r"Making authentication request to https?://[^/\s]+(/\S*)", debug)]
        same = done.returncode == 0 and sorted(hooked) == sorted(logged)
        ok &= same
        print("%s.%s: the hook counted %d requests (%d token), keystoneauth logged %d: %s" % (
            collection, module, len(hooked), sum(kind(*r) == "token" for r in hooked), len(logged), "same" if same else "DIFFERENT"))
        for method, path in hooked:
            print("    %-4s %s%s" % (method, path, "" if (method, path) in logged else "  (not in keystoneauth's log)"))
        if done.returncode:
            print(done.stdout[-2000:], done.stderr[-2000:])
    return ok


def _phase_values(rounds, phase, key):
    """The phase's `key` in each round that ran it ("total": the sum over the phases)."""
    values = []
    for bench_round in rounds:
        phases = bench_round["phases"] if phase == "total" else [p for p in bench_round["phases"] if p["phase"] == phase]
        if phases:
            values.append(sum(len(p[key]) if key == "runs" else p[key] for p in phases))
    return values


def table(results):
    """Phases down, collections across: medians over the rounds."""
    cell = "%7s %6s %9s %7s %8s"
    head = [c.center(41) for c in results]
    lines = ["%-7s" % "" + "   ".join(head),
             "%-7s" % "phase" + "   ".join(cell % ("wall s", "cpu s", "requests", "tokens", "changed") for c in results)]
    for phase in PHASES + ("total",):
        cells = []
        for rounds in results.values():
            seconds = _phase_values(rounds, phase, "seconds")
            if not seconds:
                cells.append("%-41s" % "  not run")
                continue
            failed = any(_phase_values(rounds, phase, "rc"))
            cells.append(cell % (
                "%.1f" % statistics.median(seconds), "%.1f" % statistics.median(_phase_values(rounds, phase, "cpu")),
                "%g" % statistics.median(_phase_values(rounds, phase, "requests")),
                "%g" % statistics.median(_phase_values(rounds, phase, "token")),
                "%d/%d" % (max(_phase_values(rounds, phase, "changed")), max(_phase_values(rounds, phase, "runs"))))
                + (" FAIL" if failed else ""))
        lines.append("%-7s" % phase + "   ".join(cells))
    rounds = max(len(r) for r in results.values())
    lines.append("wall and cpu seconds (ansible-playbook and every process under it), HTTP requests of which token requests%s;\n"
                 "changed: module runs that reported a change / module runs (a loop item is one run)" % (
                     ": medians of %d rounds, changed the most of any round" % rounds if rounds > 1 else ""))
    return "\n".join(lines)


def rerun_changes(results):
    lines = ["re-run, module runs that reported a change:"]
    for collection, rounds in results.items():
        changed = sorted({run["task"] + (" [%s]" % run["item"] if run["item"] else "")
                          for r in rounds for p in r["phases"] if p["phase"] == "rerun" for run in p["runs"] if run["changed"]})
        lines.append("  %s: %s" % (collection, ", ".join(changed) or "none"))
    return "\n".join(lines)


def failures(results):
    failed = ["  %s %s: %s%s: %s" % (r["collection"], p["phase"], run["task"], " [%s]" % run["item"] if run["item"] else "",
                                     (run["msg"] or "")[:500])
              for rounds in results.values() for r in rounds for p in r["phases"] for run in p["failed"]]
    failed += ["  %s %s: ansible-playbook exited %d with no failed module run, see %s" % (r["collection"], p["phase"], p["rc"], p["log"])
               for rounds in results.values() for r in rounds for p in r["phases"] if p["rc"] and not p["failed"]]
    left = ["  %s (%s-*): %s" % (r["collection"], r["prefix"], ", ".join(r["left"]))
            for rounds in results.values() for r in rounds if r["left"]]
    return "\n".join((["failed:"] + failed if failed else []) + (["left by the delete phase:"] + left if left else []))


def details(results):
    lines = []
    for rounds in results.values():
        for r in rounds:
            lines.append("%s (names %s-*)" % (r["collection"], r["prefix"]))
            for phase in r["phases"]:
                lines.append("  %s: %.1f s (cpu %.1f s), %d requests: %d token, %d version discovery, %d other; log %s" % (
                    phase["phase"], phase["seconds"], phase["cpu"], phase["requests"], phase["token"], phase["discovery"],
                    phase["api"], phase["log"]))
                for run in phase["runs"]:
                    lines.append("    %-44s %6.1f s %4d req  %s" % (
                        run["task"] + (" [%s]" % run["item"] if run["item"] else ""), run["end"] - run["start"], run["requests"],
                        "FAILED: " + (run["msg"] or "")[:300] if run["status"] == "failed" else
                        "changed" if run["changed"] else run["status"]))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(prog="benchmarks/tenant", description=__doc__)
    parser.add_argument("--cloud", default="nimbus-aio", help="clouds.yaml entry (default %(default)s)")
    parser.add_argument("--external-network", default="public", help="network of the floating IP and router gateway (default %(default)s)")
    parser.add_argument("--flavor", default="nimbus.guest", help="flavor of the server (default %(default)s)")
    parser.add_argument("--image", help="image of the server (default: the newest raw image tagged %s)" % IMAGE_TAG)
    parser.add_argument("--rules", choices=["tasks", "inline"], default="tasks",
                        help="the group's rules as security_group_rule tasks (default) or in the security_group task")
    parser.add_argument("--only", choices=scenario.COLLECTIONS, help="run one collection only")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each collection once a round, which first alternating (default 1)")
    parser.add_argument("--check-counting", action="store_true", help="only check that the request counting sees every request")
    parser.add_argument("--details", action="store_true", help="also print each module run's time, requests and result")
    args = parser.parse_args()

    rundir = BENCH_HOME / "runs" / time.strftime("%Y%m%d-%H%M%S")
    rundir.mkdir(parents=True)
    if args.check_counting:
        return 0 if check_counting(args, rundir) else 1
    conn = openstack.connect(cloud=args.cloud, api_timeout=API_TIMEOUT)
    image = conn.image.find_image(args.image, ignore_missing=False) if args.image else max(
        (i for i in conn.image.images(tag=IMAGE_TAG) if i.disk_format == "raw"), key=lambda i: i.created_at, default=None)
    if image is None:
        sys.exit("no raw image tagged %s on %s" % (IMAGE_TAG, args.cloud))
    conn.compute.find_flavor(args.flavor, ignore_missing=False)
    conn.network.find_network(args.external_network, ignore_missing=False)
    print("cloud %s, image %s (%s), flavor %s, rules as %s; run directory %s" % (
        args.cloud, image.name, image.id, args.flavor, args.rules, rundir), flush=True)
    order = [c for c in scenario.COLLECTIONS if args.only in (None, c)]
    results = {c: [] for c in order}
    for number in range(args.rounds):
        # Which collection goes first alternates: neither always meets the cloud as the other left it.
        for collection in order if number % 2 == 0 else order[::-1]:
            workdir = rundir / ("%s-%d" % (collection, number + 1) if args.rounds > 1 else collection)
            results[collection].append(bench(collection, conn, args, image.id, workdir))
    report = "\n\n".join(part for part in (table(results), rerun_changes(results), failures(results)) if part)
    (rundir / "report.txt").write_text(report + "\n\n" + details(results) + "\n")
    (rundir / "results.json").write_text(json.dumps(results, indent=1))
    print("\n" + report)
    if args.details:
        print("\n" + details(results))
    print("\n(all of it in %s)" % (rundir / "report.txt"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

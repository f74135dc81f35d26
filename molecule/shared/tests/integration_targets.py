"""The modules' integration targets (tests/integration/targets/<module>/), each
run as a role by ansible-playbook on this machine against the test cloud. The
scenarios' test_integration_targets.py import the test from here. Under
Molecule, the aio scenario runs AIO_TARGETS and the multinode one the others,
so that both halves of make test take about as long; make integration runs
every target against make cloud's cloud.

Every target gets, as extra vars:
  nimbus_cloud             the clouds.yaml entry of the cloud's admin
  resource_prefix          a random prefix for every name the target makes
  nimbus_external_network  the external (floating IP) network
  nimbus_external_bridge   the interface through which this machine reaches floating IPs
  nimbus_guest_image       the id of the guest image (logs in, prints MARKER on its console)
  nimbus_guest_flavor      the flavor for that image
and every module of group/nimbus.openstack.openstack gets cloud and api_timeout
through module_defaults. NIMBUS_TARGETS=a,b runs those targets only. Two targets
run at a time (NIMBUS_TARGET_JOBS), so none may count on an otherwise idle cloud.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import uuid

import pytest
import yaml
from cloudtest import ANSIBLE_BIN, API_TIMEOUT, CLOUD, EXTERNAL_NETWORK, FLAVOR, REPO, ansible_env

TARGETS_DIR = REPO / "tests" / "integration" / "targets"
# The aio scenario's share: about half of the targets' time (the ones that boot
# servers or build networks are the longest). The multinode scenario runs the rest.
AIO_TARGETS = {"server", "stack", "floating_ip", "router", "security_group_rule", "port"}


def selected(target):
    """Whether this run has the target: NIMBUS_TARGETS names it, or, unset,
    Molecule's scenario has it, or, outside Molecule, every target."""
    if os.environ.get("NIMBUS_TARGETS"):
        return target in os.environ["NIMBUS_TARGETS"].split(",")
    scenario = os.environ.get("MOLECULE_SCENARIO_NAME")
    return scenario is None or (target in AIO_TARGETS) == (scenario == "aio")


TARGETS = sorted(path.name for path in TARGETS_DIR.iterdir()
                 if (path / "tasks" / "main.yml").is_file() and selected(path.name))
# Seconds one target may take; a target that boots servers says more in its aliases ("timeout/SECONDS").
TARGET_TIMEOUT = 600


def target_timeout(target):
    aliases = TARGETS_DIR / target / "aliases"
    for line in aliases.read_text().splitlines() if aliases.exists() else []:
        if line.startswith("timeout/"):
            return int(line.split("/", 1)[1])
    return TARGET_TIMEOUT


@pytest.fixture(scope="module")
def target_vars(guest_image, cloud_vars):
    return {
        "nimbus_cloud": CLOUD,
        "nimbus_external_network": EXTERNAL_NETWORK,
        "nimbus_external_bridge": "nb-%s-ext" % cloud_vars["nimbus_testcloud_name"],
        "nimbus_guest_image": guest_image.id,
        "nimbus_guest_flavor": FLAVOR,
    }


def run_target(target, target_vars, work):
    """Run one target; return (ansible-playbook's exit code or None when it ran too long, its output)."""
    playbook = [{
        "name": "Integration target " + target,
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/nimbus.openstack.openstack": {
            "cloud": "{{ nimbus_cloud }}", "api_timeout": API_TIMEOUT}},
        "roles": [target],
    }]
    (work / "run.yml").write_text(yaml.safe_dump(playbook))
    extra = dict(target_vars, resource_prefix="it-%s-%s" % (target.replace("_", "-"), uuid.uuid4().hex[:6]))
    (work / "vars.yml").write_text(yaml.safe_dump(extra))
    command = [str(ANSIBLE_BIN / "ansible-playbook"), "-i", "localhost,",
               "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
               "-e", "@" + str(work / "vars.yml"), str(work / "run.yml")]
    env = dict(ansible_env(), ANSIBLE_ROLES_PATH=str(TARGETS_DIR), ANSIBLE_CALLBACK_RESULT_FORMAT="yaml")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=target_timeout(target), env=env,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        return None, exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
    return done.returncode, done.stdout + done.stderr


def first_failure(output):
    """The task that failed (not one whose failure was ignored) and what follows, or the end of the output."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith(("fatal:", "failed:")):
            continue
        rest = lines[index + 1:]
        end = next((i for i, later in enumerate(rest) if later.startswith(("TASK [", "PLAY RECAP"))), len(rest))
        if not any("...ignoring" in later for later in rest[:end]):
            begin = max(i for i in range(index + 1) if i == 0 or lines[i].startswith("TASK ["))
            return "\n".join(lines[begin:index + 1 + end])
    return output[-6000:]


@pytest.fixture(scope="module")
def target_runs(target_vars, tmp_path_factory):
    """Every target, started at once on NIMBUS_TARGET_JOBS workers (2 by default), in the
    order of the tests; a test waits for its own. A target's test begins only once the
    one before it ended, so the wait is at most the target's own run."""
    jobs = int(os.environ.get("NIMBUS_TARGET_JOBS") or 2)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        yield {target: pool.submit(run_target, target, target_vars, tmp_path_factory.mktemp(target))
               for target in TARGETS}


# pytest-timeout's limit for each target: its own, and a minute for the test around it.
@pytest.mark.parametrize("target", [pytest.param(target, marks=pytest.mark.timeout(target_timeout(target) + 60))
                                    for target in TARGETS])
def test_target(target, target_runs):
    returncode, output = target_runs[target].result()
    if returncode is None:
        pytest.fail("target %s ran longer than %d s; its output so far:\n%s" % (
            target, target_timeout(target), output[-6000:]))
    assert returncode == 0, "target %s failed:\n%s" % (target, first_failure(output))

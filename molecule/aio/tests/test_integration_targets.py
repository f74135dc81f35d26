"""The modules' integration targets (tests/integration/targets/<module>/), each
run as a role by ansible-playbook on this machine against the test cloud.

Every target gets, as extra vars:
  nimbus_cloud             the clouds.yaml entry of the cloud's admin
  resource_prefix          a random prefix for every name the target makes
  nimbus_external_network  the external (floating IP) network
  nimbus_external_bridge   the interface through which this machine reaches floating IPs
  nimbus_guest_image       the id of the guest image (logs in, prints MARKER on its console)
  nimbus_guest_flavor      the flavor for that image
and every module of group/nimbus.openstack.openstack gets cloud and api_timeout
through module_defaults. NIMBUS_TARGETS=a,b runs those targets only.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import uuid

import pytest
import yaml
from conftest import API_TIMEOUT, CLOUD, EXTERNAL_NETWORK, FLAVOR, ansible_env

TARGETS_DIR = pathlib.Path(__file__).resolve().parents[3] / "tests" / "integration" / "targets"
TARGETS = sorted(path.name for path in TARGETS_DIR.iterdir() if (path / "tasks" / "main.yml").is_file()
                 if path.name in (os.environ.get("NIMBUS_TARGETS") or path.name).split(","))
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


@pytest.mark.parametrize("target", TARGETS)
def test_target(target, target_vars, tmp_path):
    timeout = target_timeout(target)
    playbook = [{
        "name": "Integration target " + target,
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/nimbus.openstack.openstack": {
            "cloud": "{{ nimbus_cloud }}", "api_timeout": API_TIMEOUT}},
        "roles": [target],
    }]
    (tmp_path / "run.yml").write_text(yaml.safe_dump(playbook))
    extra = dict(target_vars, resource_prefix="it-%s-%s" % (target.replace("_", "-"), uuid.uuid4().hex[:6]))
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(extra))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
               "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
               "-e", "@" + str(tmp_path / "vars.yml"), str(tmp_path / "run.yml")]
    env = dict(ansible_env(), ANSIBLE_ROLES_PATH=str(TARGETS_DIR), ANSIBLE_CALLBACK_RESULT_FORMAT="yaml")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        pytest.fail("target %s ran longer than %d s; its output so far:\n%s" % (target, timeout, output[-6000:]))
    assert done.returncode == 0, "target %s failed:\n%s\n%s" % (target, done.stdout[-8000:], done.stderr[-2000:])

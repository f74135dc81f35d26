"""No secret of the deployment appears in what a deploy prints, at any verbosity.

A converge of the deployed cloud with -vvv and --diff (the most Ansible prints:
module arguments, results, diffs of configuration files) runs from this
machine; none of the values of the deployment's secrets file may be in its
output. The configuration files' diffs show their options with secrets masked.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml
from cloudtest import ANSIBLE_BIN, REPO, ansible_env, secrets_file


@pytest.fixture(scope="module")
def inventory(request):
    return request.config.getoption("ansible_inventory")


def leaves(value):
    """The strings of a secrets file's value: itself, or those of a key repository (a dict)."""
    return [str(v) for v in value.values()] if isinstance(value, dict) else [str(value)]


@pytest.fixture(scope="module")
def secrets(host, request):
    """Every value of the deployment's secrets file, Keystone's keys one by one."""
    path = secrets_file(request, host.check_output("uname -n"))
    with open(path) as handle:
        values = [leaf for value in yaml.safe_load(handle).values() for leaf in leaves(value)]
    assert len(values) >= 10 and all(len(v) >= 16 for v in values), path
    return values


@pytest.mark.long
@pytest.mark.timeout(1500)
def test_converge_at_full_verbosity_prints_no_secret(inventory, secrets, tmp_path):
    log = tmp_path / "converge.log"
    with open(log, "w") as out:
        done = subprocess.run(
            [str(ANSIBLE_BIN / "ansible-playbook"), "-i", inventory, str(REPO / "playbooks" / "site.yml"),
             "-vvv", "--diff"],
            stdout=out, stderr=subprocess.STDOUT, env=ansible_env(), timeout=1400, check=False)
    text = log.read_text()
    assert done.returncode == 0, text[-5000:]
    assert "PLAY RECAP" in text and len(text) > 100000
    leaked = sorted({name for name, value in enumerate(secrets) if value in text})
    assert not leaked, "%d secret values appear in the -vvv output" % len(leaked)

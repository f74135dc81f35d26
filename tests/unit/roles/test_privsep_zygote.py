"""The argument checks of the privsep zygote's spawn and rootwrap, which run as root
through sudo for a service's user: only privsep-helper's own options, values
as the rootwrap filters for privsep-helper allow, a context of the packages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "roles" / "privsep_zygote" / "files" / "privsep_zygote.py"
PKG = "neutron.privileged"


@pytest.fixture(scope="module")
def zygote():
    spec = importlib.util.spec_from_file_location("privsep_zygote", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def helper_args(*extra, context=PKG + ".default"):
    return ["--config-file", "/etc/neutron/neutron.conf", "--config-file", "/etc/neutron/l3_agent.ini",
            *extra, "--privsep_context", context, "--privsep_sock_path", "/tmp/tmpab12/privsep.sock"]


def test_what_an_agent_passes_is_taken(zygote):
    assert zygote.checked_args(PKG, helper_args()) == helper_args()


def test_a_context_of_any_of_the_packages_is_taken(zygote):
    packages = "nova.privsep,os_brick.privileged,vif_plug_linux_bridge.privsep"
    for context in ("nova.privsep.sys_admin_pctxt", "vif_plug_linux_bridge.privsep.vif_plug"):
        assert zygote.checked_args(packages, helper_args(context=context)) == helper_args(context=context)


@pytest.mark.parametrize("args, says", [
    (helper_args(context="os.system"), "inside neutron.privileged"),
    (helper_args(context="neutron.privilegedx.default"), "inside neutron.privileged"),
    (helper_args("--privsep_context", PKG + ".link_cmd"), "exactly one --privsep_context"),
    (helper_args("--config-file", "/tmp/evil.conf"), "--config-file '/tmp/evil.conf' is not allowed"),
    (helper_args("--config-file", "/etc/neutron/../../tmp/x"), "is not allowed"),
    (helper_args("--config-file", "/etc/../tmp/x"), "is not allowed"),
    (helper_args("--log-file", "/etc/shadow"), "option --log-file is not one of"),
    (helper_args("--config-dir"), "do not pair up"),
    (helper_args()[:-2], "--privsep_sock_path is needed"),
])
def test_anything_else_is_refused(zygote, capsys, args, says):
    with pytest.raises(SystemExit) as exc:
        zygote.checked_args(PKG, args)
    assert exc.value.code == 2
    assert says in capsys.readouterr().err


def test_packages_must_be_python_names(zygote, capsys):
    with pytest.raises(SystemExit):
        zygote.checked_args("neutron.privileged,../tmp", helper_args())
    assert "not a comma-separated list of Python package names" in capsys.readouterr().err


@pytest.mark.parametrize("config", ["/tmp/rootwrap.conf", "/etc/neutron/../../tmp/x", "etc/neutron/rootwrap.conf"])
def test_rootwrap_takes_a_configuration_in_etc_only(zygote, capsys, config):
    with pytest.raises(SystemExit) as exc:
        zygote.rootwrap(PKG, config)
    assert exc.value.code == 2
    assert "is not a file in /etc" in capsys.readouterr().err


def test_rootwrap_takes_one_configuration(zygote, capsys):
    with pytest.raises(SystemExit):
        zygote.main(["privsep_zygote.py", "rootwrap", PKG, "/etc/neutron/rootwrap.conf", "--more"])
    assert "usage:" in capsys.readouterr().err

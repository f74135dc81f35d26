"""The collection's layout agrees with meta/runtime.yml.

Every OpenStack API module in plugins/modules belongs to the `openstack` action
group (so `module_defaults: group/nimbus.openstack.openstack` reaches it), the
test-cloud modules do not, and every name in the group has a module file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
MODULES_DIR = COLLECTION_ROOT / "plugins" / "modules"
NON_OPENSTACK_PREFIXES = ("testcloud", "mariadb")


def module_names() -> list[str]:
    return sorted(p.stem for p in MODULES_DIR.glob("*.py") if p.stem != "__init__")


def openstack_group() -> list:
    runtime = yaml.safe_load((COLLECTION_ROOT / "meta" / "runtime.yml").read_text())
    return runtime["action_groups"]["openstack"]


def is_openstack_module(name: str) -> bool:
    return not name.startswith(NON_OPENSTACK_PREFIXES)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("project", True),
        ("role_assignment", True),
        ("server_info", True),
        ("testcloud", False),
        ("testcloud_info", False),
    ],
)
def test_is_openstack_module(name: str, expected: bool) -> None:
    assert is_openstack_module(name) is expected


def test_requires_ansible() -> None:
    runtime = yaml.safe_load((COLLECTION_ROOT / "meta" / "runtime.yml").read_text())
    assert runtime["requires_ansible"] == ">=2.16.0"


def test_group_entries_are_short_names() -> None:
    group = openstack_group()
    assert group, "the openstack action group is empty"
    for entry in group:
        assert isinstance(entry, str), f"unexpected entry in action group: {entry!r}"
        assert "." not in entry, f"{entry}: list modules of this collection by short name"


def test_group_has_no_duplicates() -> None:
    group = openstack_group()
    assert len(group) == len(set(group))


@pytest.mark.parametrize("name", [n for n in module_names() if is_openstack_module(n)])
def test_openstack_module_is_in_group(name: str) -> None:
    assert name in openstack_group(), f"plugins/modules/{name}.py is missing from action_groups.openstack in meta/runtime.yml"


@pytest.mark.parametrize("name", [n for n in module_names() if not is_openstack_module(n)])
def test_testcloud_module_is_not_in_group(name: str) -> None:
    assert name not in openstack_group(), f"{name} does not call an OpenStack API: remove it from action_groups.openstack"


@pytest.mark.parametrize("name", openstack_group())
def test_group_entry_has_module_file(name: str) -> None:
    assert (MODULES_DIR / f"{name}.py").is_file(), f"action_groups.openstack names {name}, but plugins/modules/{name}.py does not exist"

"""The collection's modules agree with meta/runtime.yml.

A module is an OpenStack API module when its documentation extends the common
auth fragment `nimbus.openstack.openstack`. Exactly those modules belong to the
`openstack` action group (so `module_defaults: group/nimbus.openstack.openstack`
reaches them): the test-cloud and helper modules stay out, and every name in the
group has a module file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
MODULES_DIR = COLLECTION_ROOT / "plugins" / "modules"
OPENSTACK_FRAGMENT = "nimbus.openstack.openstack"


def module_names() -> list[str]:
    return sorted(p.stem for p in MODULES_DIR.glob("*.py") if p.stem != "__init__")


def openstack_group() -> list:
    runtime = yaml.safe_load((COLLECTION_ROOT / "meta" / "runtime.yml").read_text())
    return runtime["action_groups"]["openstack"]


def documentation(source: str) -> dict:
    """The parsed DOCUMENTATION string of a module's source, as ansible-doc reads it."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "DOCUMENTATION" for t in node.targets):
            return yaml.safe_load(ast.literal_eval(node.value))
    raise ValueError("no DOCUMENTATION")


def extended_fragments(doc: dict) -> list[str]:
    fragments = doc.get("extends_documentation_fragment") or []
    return [fragments] if isinstance(fragments, str) else list(fragments)


def is_openstack_module(name: str) -> bool:
    doc = documentation((MODULES_DIR / f"{name}.py").read_text())
    return OPENSTACK_FRAGMENT in extended_fragments(doc)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('DOCUMENTATION = r"""\nmodule: a\nextends_documentation_fragment:\n  - nimbus.openstack.openstack\n"""\n', [OPENSTACK_FRAGMENT]),
        ('X = 1\nDOCUMENTATION = """\nmodule: b\nextends_documentation_fragment: nimbus.openstack.openstack\n"""\n', [OPENSTACK_FRAGMENT]),
        ('DOCUMENTATION = """\nmodule: c\nextends_documentation_fragment: [other.col.auth, nimbus.openstack.openstack]\n"""\n',
         ["other.col.auth", OPENSTACK_FRAGMENT]),
        ('DOCUMENTATION = """\nmodule: d\noptions: {}\n"""\n', []),
    ],
)
def test_extended_fragments(source: str, expected: list[str]) -> None:
    assert extended_fragments(documentation(source)) == expected


def test_documentation_missing() -> None:
    with pytest.raises(ValueError):
        documentation("EXAMPLES = ''\n")


def test_requires_ansible() -> None:
    runtime = yaml.safe_load((COLLECTION_ROOT / "meta" / "runtime.yml").read_text())
    assert runtime["requires_ansible"] == ">=2.16.0"


def test_group_entries_are_unique_short_names() -> None:
    group = openstack_group()
    assert group, "the openstack action group is empty"
    for entry in group:
        assert isinstance(entry, str), f"unexpected entry in action group: {entry!r}"
        assert "." not in entry, f"{entry}: list modules of this collection by short name"
    assert len(group) == len(set(group)), "duplicate names in action_groups.openstack"


@pytest.mark.parametrize("name", module_names())
def test_module_in_group_exactly_when_openstack(name: str) -> None:
    in_group = name in openstack_group()
    if is_openstack_module(name):
        assert in_group, f"plugins/modules/{name}.py extends {OPENSTACK_FRAGMENT} but is missing from action_groups.openstack in meta/runtime.yml"
    else:
        assert not in_group, f"{name} is in action_groups.openstack but does not extend {OPENSTACK_FRAGMENT}: it is no OpenStack API module"


@pytest.mark.parametrize("name", [n for n in module_names() if n.startswith("testcloud")])
def test_testcloud_module_is_not_in_group(name: str) -> None:
    assert name not in openstack_group(), f"{name} does not call an OpenStack API: remove it from action_groups.openstack"
    assert not is_openstack_module(name), f"{name} must not extend {OPENSTACK_FRAGMENT}"


@pytest.mark.parametrize("name", openstack_group())
def test_group_entry_has_module_file(name: str) -> None:
    assert (MODULES_DIR / f"{name}.py").is_file(), f"action_groups.openstack names {name}, but plugins/modules/{name}.py does not exist"

"""The flavor resource: what a create needs, its extra specs as a string
mapping (the engine's string-mapping helpers, which image properties share),
and its declarations checked against openstacksdk and the module."""

from __future__ import annotations

import importlib

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _compute as c
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _resource as r

# -- string mappings: values as the service keeps them


@pytest.mark.parametrize(("value", "expected"), [
    ("dedicated", "dedicated"),
    ("", ""),
    (True, "true"),
    (False, "false"),
    (2, "2"),
    (0, "0"),
    (1.5, "1.5"),
    (None, None),
])
def test_string_value(value, expected):
    assert r.string_value(value) == expected


@pytest.mark.parametrize("value", [["a"], {"a": "b"}, object()])
def test_string_value_refuses_structures(value):
    with pytest.raises(TypeError):
        r.string_value(value)


def test_string_mapping_names_the_bad_key():
    assert r.string_mapping({"hw:cpu_policy": "dedicated", "hw:numa_nodes": 2, "gone": None}, "extra_specs") == {
        "hw:cpu_policy": "dedicated", "hw:numa_nodes": "2", "gone": None}
    assert r.string_mapping(None, "extra_specs") == {}
    with pytest.raises(ValueError, match=r"extra_specs\.bad: .*list"):
        r.string_mapping({"ok": "1", "bad": [1]}, "extra_specs")


HAVE = {"a": "1", "b": "2"}


@pytest.mark.parametrize(("desired", "purge", "to_set", "to_remove", "after"), [
    # Nothing asked, nothing done (purge only with the option set: see the resources).
    ({}, False, {}, [], HAVE),
    ({"a": "1"}, False, {}, [], HAVE),
    # A changed and a new key.
    ({"a": "9", "c": "3"}, False, {"a": "9", "c": "3"}, [], {"a": "9", "b": "2", "c": "3"}),
    # Purge removes what the task does not name.
    ({"a": "1"}, True, {}, ["b"], {"a": "1"}),
    ({}, True, {}, ["a", "b"], {}),
    # None removes a key; a key that is not there is no change.
    ({"b": None}, False, {}, ["b"], {"a": "1"}),
    ({"z": None}, False, {}, [], HAVE),
    ({"z": None}, True, {}, ["a", "b"], {}),
    # An empty string is a value, not an absence.
    ({"c": ""}, False, {"c": ""}, [], {"a": "1", "b": "2", "c": ""}),
])
def test_plan_mapping(desired, purge, to_set, to_remove, after):
    assert r.plan_mapping(HAVE, desired, purge) == (to_set, to_remove, after)


def test_plan_mapping_compares_canonical_values_and_sends_the_task_s():
    # The service shows "True" as "true": no change; a changed value is sent
    # as the task wrote it, and predicted as the service will show it.
    current = {"flag": "true", "n": "2"}
    assert r.plan_mapping(current, {"flag": "True"}, False, canonical={"flag": "true"}) == ({}, [], current)
    assert r.plan_mapping(current, {"n": "03"}, False, canonical={"n": "3"}) == (
        {"n": "03"}, [], {"flag": "true", "n": "3"})


def test_plan_mapping_without_current():
    assert r.plan_mapping(None, {"a": "1", "b": None}, True) == ({"a": "1"}, [], {"a": "1"})


# -- what Nova needs to create a flavor


@pytest.mark.parametrize(("desired", "expected"), [
    ({"name": "m1", "ram": 512, "vcpus": 1, "disk": 1}, []),
    # Zero is a value (a root disk the size of the image).
    ({"name": "m1", "ram": 512, "vcpus": 1, "disk": 0}, []),
    ({"name": "m1", "ram": 512}, ["vcpus", "disk"]),
    ({"name": "m1", "vcpus": None, "disk": 1, "ram": 1}, ["vcpus"]),
    ({"name": "m1"}, ["ram", "vcpus", "disk"]),
])
def test_missing_for_create(desired, expected):
    assert c.missing_for_create(desired, c.FLAVOR_REQUIRED) == expected


# -- declarations, checked against openstacksdk and the module


def flavor_class():
    return pytest.importorskip("openstack.compute.v2.flavor").Flavor


def module_spec():
    return importlib.import_module("ansible_collections.nimbus.openstack.plugins.modules.flavor").ARGUMENT_SPEC


def test_flavor_declarations_are_sdk_attributes():
    engine = c.FlavorResource
    known = set(flavor_class()().to_dict(computed=False))
    for declared in (engine.attributes, engine.identity, engine.create_only, c.FLAVOR_REQUIRED, ("extra_specs",)):
        assert set(declared) <= known, declared
    assert set(engine.server_filters) <= set(flavor_class()._query_mapping._mapping)


def test_flavor_options():
    spec = module_spec()
    engine = c.FlavorResource
    assert set(engine.attributes) <= set(spec)
    assert spec["state"] == {"type": "str", "choices": ["present", "absent"], "default": "present"}
    for name in engine.attributes + ("flavor_id", "extra_specs"):
        assert "default" not in spec[name], name
    # Every size option is create-only: Nova changes only the description and extra specs.
    assert set(engine.attributes) - set(engine.create_only) == {"name", "description"}
    assert spec["flavor_id"]["aliases"] == ["id"]
    assert spec["is_public"]["aliases"] == ["public"]


def test_compute_proxy_has_the_calls_the_resource_makes():
    proxy = pytest.importorskip("openstack.compute.v2._proxy").Proxy
    for name in ("flavors", "create_flavor", "update_flavor", "delete_flavor", "get_flavor",
                 "fetch_flavor_extra_specs", "create_flavor_extra_specs",
                 "delete_flavor_extra_specs_property"):
        assert callable(getattr(proxy, name)), name

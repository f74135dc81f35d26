"""Merging `<role>_<file>_overrides` into rendered INI files."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.config._ini import format_value, merge_ini

BASE = """# keystone.conf, rendered
[DEFAULT]
debug = false

[database]
connection = mysql+pymysql://keystone:x@db/keystone
# max_retries = 10

[token]
provider = fernet
"""


def test_no_overrides_keeps_the_text():
    assert merge_ini(BASE, {}) == BASE


def test_existing_key_is_replaced_in_place():
    out = merge_ini(BASE, {"DEFAULT": {"debug": True}})
    assert out == BASE.replace("debug = false", "debug = true")


def test_new_key_goes_to_the_end_of_its_section():
    out = merge_ini(BASE, {"database": {"max_retries": 5}})
    assert "# max_retries = 10\nmax_retries = 5\n\n[token]" in out


def test_new_section_goes_to_the_end():
    out = merge_ini(BASE, {"cache": {"enabled": True, "backend": "dogpile.cache.pymemcache"}})
    assert out.endswith("provider = fernet\n\n[cache]\nenabled = true\nbackend = dogpile.cache.pymemcache\n")


def test_none_removes_a_key_and_commented_keys_are_not_keys():
    out = merge_ini(BASE, {"token": {"provider": None}, "database": {"# max_retries": None}})
    assert "provider" not in out
    assert "# max_retries = 10" in out


def test_repeated_key_collapses_to_one():
    out = merge_ini("[a]\nx = 1\nx = 2\n", {"a": {"x": 3}})
    assert out == "[a]\nx = 3\n"


@pytest.mark.parametrize(("value", "text"), [
    (True, "true"), (False, "false"), (["a", "b"], "a,b"), (3, "3"), ("s", "s"),
])
def test_format_value(value, text):
    assert format_value(value) == text


RABBITMQ = """# rabbitmq.conf, rendered
listeners.tcp.default = 10.0.0.1:5672
distribution.listener.interface = 10.0.0.1
"""


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"": {"listeners.tcp.default": "10.0.0.2:5672"}},
     RABBITMQ.replace("10.0.0.1:5672", "10.0.0.2:5672")),
    ({"": {"vm_memory_high_watermark.relative": 0.5}},
     RABBITMQ + "vm_memory_high_watermark.relative = 0.5\n"),
    ({"": {"distribution.listener.interface": None}},
     "# rabbitmq.conf, rendered\nlisteners.tcp.default = 10.0.0.1:5672\n"),
    ({"": {}}, RABBITMQ),
])
def test_file_without_sections_merges_through_the_empty_section_name(overrides, expected):
    assert merge_ini(RABBITMQ, overrides) == expected


def test_empty_section_name_on_empty_text():
    assert merge_ini("", {"": {"a": 1, "b": None}}) == "a = 1\n"


def test_keys_before_the_first_header_go_there_and_stay_apart_from_sections():
    text = "x = 1\n[a]\nx = 2\n"
    assert merge_ini(text, {"a": {"x": 3}}) == "x = 1\n[a]\nx = 3\n"
    assert merge_ini(text, {"": {"x": 0}}) == "x = 0\n[a]\nx = 2\n"
    assert merge_ini(text, {"": {"y": 5}}) == "x = 1\ny = 5\n\n[a]\nx = 2\n"


def test_new_top_level_key_goes_after_the_leading_comments_not_into_a_section():
    out = merge_ini(BASE, {"": {"include": "/etc/extra.conf"}})
    assert out == BASE.replace("rendered\n", "rendered\ninclude = /etc/extra.conf\n\n", 1)

"""The block storage modules' pure parts: sizes, attachments, Cinder's reasons."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _volume as v


@pytest.mark.parametrize(("current", "wanted", "expected"), [
    (1, None, None),
    (1, 1, None),
    (1, 2, None),
    (None, 1, None),
    (2, 1, "volume 'x' has 2 GiB and the task asks for 1: volumes cannot shrink"),
])
def test_size_problem(current, wanted, expected):
    problem = v.size_problem("volume 'x'", current, wanted)
    assert problem == expected or problem.startswith(expected)


VOLUME = {"attachments": [
    {"server_id": "s2", "volume_id": "v", "device": "/dev/vdb", "attachment_id": "a2", "host_name": "h",
     "attached_at": "2026-01-01T00:00:00", "id": "v"},
    {"server_id": "s1", "volume_id": "v", "device": "/dev/vdc", "attachment_id": "a1"},
]}


def test_attachment_of_and_view():
    assert v.attachment_of(VOLUME, "s1")["attachment_id"] == "a1"
    assert v.attachment_of(VOLUME, "s3") is None
    assert v.attachment_of({"attachments": None}, "s1") is None
    assert v.attachment_view(v.attachment_of(VOLUME, "s2")) == {
        "server_id": "s2", "volume_id": "v", "device": "/dev/vdb", "attachment_id": "a2", "host_name": "h",
        "attached_at": "2026-01-01T00:00:00"}
    # Keys the entry lacks are null: every attachment has the same fields.
    assert v.attachment_view({"server_id": "s1"})["device"] is None


def test_attached_servers():
    assert v.attached_servers(VOLUME) == ["s1", "s2"]
    assert v.attached_servers({"attachments": [{"server_id": "s1"}, {"server_id": "s1"}, {}]}) == ["s1"]
    assert v.attached_servers({}) == []


@pytest.mark.parametrize(("messages", "expected"), [
    ([], None),
    ([{"created_at": "2026-01-02T00:00:00",
       "user_message": "create volume:Could not find any available weighted backend."},
      {"created_at": "2026-01-01T00:00:00", "user_message": "older"}],
     "create volume:Could not find any available weighted backend."),
    ([{"created_at": "2026-01-01T00:00:00", "user_message": "only"}, {"created_at": "2026-01-03T00:00:00"}],
     "only"),
])
def test_latest_reason(messages, expected):
    assert v.latest_reason(messages) == expected


@pytest.mark.parametrize(("volume", "expected"), [
    ({"volume_image_metadata": {"image_id": "i1", "min_disk": "0"}}, "i1"),
    ({"volume_image_metadata": None}, None),
    ({}, None),
])
def test_volume_image_id(volume, expected):
    assert v.volume_image_id(volume) == expected

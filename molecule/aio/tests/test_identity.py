"""Keystone as an operator sees it: the clouds.yaml entry works from the deployer."""

from __future__ import annotations

import os

import yaml
from conftest import CLOUD


def test_clouds_yaml_entry_is_private():
    path = os.path.expanduser("~/.config/openstack/clouds.yaml")
    assert os.stat(path).st_mode & 0o077 == 0
    with open(path) as handle:
        assert CLOUD in yaml.safe_load(handle)["clouds"]


def test_token_is_issued(conn):
    token = conn.auth_token
    assert token and len(token) > 100  # a fernet token


def test_catalog_lists_identity_endpoints(conn):
    services = {s.id: s for s in conn.identity.services()}
    identity = [s for s in services.values() if s.type == "identity"]
    assert len(identity) == 1
    endpoints = list(conn.identity.endpoints(service_id=identity[0].id))
    assert sorted(e.interface for e in endpoints) == ["admin", "internal", "public"]
    for endpoint in endpoints:
        assert endpoint.url.endswith(":5000/v3")


def test_service_project_and_roles_exist(conn):
    assert conn.identity.find_project("service") is not None
    assert conn.identity.find_role("service") is not None
    assert conn.identity.find_role("admin") is not None

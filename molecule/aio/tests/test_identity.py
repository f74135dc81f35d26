"""Keystone as an operator sees it: the clouds.yaml entry works from the deployer."""

from __future__ import annotations

import os

import yaml
from cloudtest import CLOUD


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
    # Listed by name: a find_* asks for the name as an id first, and Keystone
    # logs a traceback for that 404 (test_rpc_after_idle.py reads its log).
    assert [p.name for p in conn.identity.projects(name="service")] == ["service"]
    assert {r.name for r in conn.identity.roles()} >= {"service", "admin"}

"""What the mariadb_database module decides to run, from what it found."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.host._mariadb import has_grant, plan

PARAMS = {"name": "keystone", "user": "keystone", "password": "pw", "user_host": "%",
          "encoding": "utf8mb4", "state": "present"}
NOTHING = {"database": False, "user": False, "password": False, "grant": False}
ALL = {"database": True, "user": True, "password": True, "grant": True}


def verbs(steps):
    return [" ".join(step[0].split(" ")[:2]) for step in steps]


@pytest.mark.parametrize(("before", "expected"), [
    (NOTHING, ["CREATE DATABASE", "CREATE USER", "GRANT ALL"]),
    (ALL, []),
    (dict(ALL, password=False), ["ALTER USER"]),
    (dict(ALL, grant=False), ["GRANT ALL"]),
    (dict(NOTHING, database=True), ["CREATE USER", "GRANT ALL"]),
])
def test_present(before, expected):
    assert verbs(plan(PARAMS, before)) == expected


def test_password_never_in_the_statement_text():
    steps = plan(PARAMS, NOTHING)
    assert all("pw" not in step[0] for step in steps)
    assert any("pw" in step[1] for step in steps)


def test_absent_drops_what_exists_only():
    assert verbs(plan(dict(PARAMS, state="absent"), ALL)) == ["DROP USER", "DROP DATABASE"]
    assert plan(dict(PARAMS, state="absent"), NOTHING) == []


def test_database_without_user():
    assert verbs(plan(dict(PARAMS, user=None), NOTHING)) == ["CREATE DATABASE"]


def test_odd_names_are_quoted():
    statement = plan(dict(PARAMS, name="we`ird", user=None), NOTHING)[0][0]
    assert statement.startswith("CREATE DATABASE `we``ird`")


@pytest.mark.parametrize(("grants", "expected"), [
    (["GRANT USAGE ON *.* TO `keystone`@`%` IDENTIFIED BY PASSWORD '*X'",
      "GRANT ALL PRIVILEGES ON `keystone`.* TO `keystone`@`%`"], True),
    (["GRANT USAGE ON *.* TO `keystone`@`%`"], False),
    (["GRANT ALL PRIVILEGES ON `keystone2`.* TO `keystone`@`%`"], False),
])
def test_has_grant(grants, expected):
    assert has_grant(grants, "keystone") is expected

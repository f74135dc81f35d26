#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: mariadb_database
short_description: A service's database, user and grant in MariaDB
version_added: 0.1.0
description:
  - Makes sure a database exists, and with O(user) that its user exists with
    O(password) and all privileges on it. Runs on the database host and talks
    to MariaDB as root over the unix socket (Debian's default root login), so
    no root password exists anywhere.
  - A user whose password differs is given O(password); nothing else changes
    on a re-run.
  - Used by the collection's internal database role for every OpenStack service.
extends_documentation_fragment:
  - nimbus.openstack.attributes
options:
  name:
    description: Database name.
    type: str
    required: true
  user:
    description: User that owns the database.
    type: str
  password:
    description: Password of O(user); required with O(user) when O(state=present).
    type: str
  user_host:
    description: Host part of the user account.
    type: str
    default: "%"
  encoding:
    description: Character set of a new database.
    type: str
    default: utf8mb4
  state:
    description:
      - V(absent) drops the user and the database with all its data.
    type: str
    choices: [present, absent]
    default: present
  login_unix_socket:
    description: MariaDB's unix socket.
    type: path
    default: /run/mysqld/mysqld.sock
requirements:
  - PyMySQL on the database host (Debian package python3-pymysql)
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Database for Keystone
  nimbus.openstack.mariadb_database:
    name: keystone
    user: keystone
    password: "{{ keystone_db_password }}"
"""

RETURN = r"""
database:
  description: Name of the database and its user.
  returned: always
  type: dict
  sample: {"name": "keystone", "user": "keystone"}
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.host._mariadb import run_module


def main():
    run_module()


if __name__ == "__main__":
    main()

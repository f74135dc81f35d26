#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: user
short_description: Create, update and delete OpenStack identity users
version_added: 0.1.0
description:
  - Makes sure a Keystone user exists with the given properties, or is absent.
  - A user is identified by its O(name) and O(domain). Options left unset are
    left as they are on an existing user.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the user.
    type: str
    required: true
  domain:
    description:
      - Domain of the user, by name or ID.
      - Without it, the user is looked for in every domain (the task fails if
        several domains have a user of that name) and created in the domain of
        the credentials.
    type: str
    aliases: [domain_id]
  password:
    description:
      - Password of the user.
      - Set when the user is created; on an existing user only with
        O(update_password=always), since Keystone never shows a password to
        compare with.
    type: str
  update_password:
    description:
      - V(on_create) sets O(password) only when the user is created.
      - V(always) sets it at every run, which then always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  email:
    description:
      - Email address of the user.
    type: str
  description:
    description:
      - Description of the user.
    type: str
  default_project:
    description:
      - Project the user's tokens are scoped to by default, by name or ID.
      - A name is looked up in O(domain) when that is given.
    type: str
    aliases: [default_project_id]
  is_enabled:
    description:
      - Whether the user is enabled. Keystone enables new users unless told
        otherwise.
    type: bool
    aliases: [enabled]
  state:
    description:
      - V(present) creates the user or updates it; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
attributes:
  idempotent:
    description: Run twice with the same options, the second run reports no change.
    support: partial
    details: With O(update_password=always) the password is set, and a change reported, at every run.
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Create the nova service user
  nimbus.openstack.user:
    cloud: admin
    name: nova
    domain: Default
    password: "{{ nova_keystone_password }}"
    default_project: service
    description: Compute service user
  no_log: true

- name: Keep its password in step with the vault
  nimbus.openstack.user:
    cloud: admin
    name: nova
    domain: Default
    password: "{{ nova_keystone_password }}"
    update_password: always
  no_log: true

- name: Delete a user
  nimbus.openstack.user:
    cloud: admin
    name: alice
    domain: Default
    state: absent
"""

RETURN = r"""
user:
  description:
    - The user as it is after the task (as predicted, in check mode), without
      its password.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the user; V(null) when it is to be created in check mode.
      type: str
      sample: 5d8c6c3b2a7e4f0c9b1a2d3e4f5a6b7c
    name:
      description: Name of the user.
      type: str
      sample: nova
    domain_id:
      description: ID of the domain of the user.
      type: str
      sample: default
    default_project_id:
      description: ID of the user's default project.
      type: str
    description:
      description: Description of the user.
      type: str
    email:
      description: Email address of the user.
      type: str
    is_enabled:
      description: Whether the user is enabled.
      type: bool
    password_expires_at:
      description: When the password expires, if it does.
      type: str
    options:
      description: Resource options of the user.
      type: dict
    federated:
      description: Federated identities of the user.
      type: list
      elements: dict
    links:
      description: Links to the user in the API.
      type: dict
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._identity import UserResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    domain=dict(type="str", aliases=["domain_id"]),
    password=dict(type="str", no_log=True),
    update_password=dict(type="str", choices=["always", "on_create"], default="on_create", no_log=False),
    email=dict(type="str"),
    description=dict(type="str"),
    default_project=dict(type="str", aliases=["default_project_id"]),
    is_enabled=dict(type="bool", aliases=["enabled"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = UserResource(ARGUMENT_SPEC, supports_check_mode=True, required_if=[("update_password", "always", ["password"])])
    module.execute()


if __name__ == "__main__":
    main()

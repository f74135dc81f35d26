#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: rabbitmq_definitions
short_description: RabbitMQ's users, vhosts, permissions and policies, kept in step
version_added: 0.1.0
description:
  - Reads the node's definitions with one C(rabbitmqctl export_definitions) and
    changes only what differs from the options. Each rabbitmqctl call starts an
    Erlang VM, so a run that finds nothing to do costs one such start.
  - Passwords are checked against the exported salted hashes (SHA-256, SHA-512
    or MD5, RabbitMQ's hashing modules); for any other algorithm RabbitMQ checks
    them with C(authenticate_user). Passwords reach rabbitmqctl on its standard
    input, never on a command line.
  - Adds the vhosts that O(users) and O(policies) name. Never deletes a vhost,
    a permission or a policy that the options do not name.
  - Runs on the RabbitMQ host as root. Used by the collection's rabbitmq role.
extends_documentation_fragment:
  - nimbus.openstack.attributes
options:
  users:
    description: Users to have, each with its password and its permissions on one vhost.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: User name.
        type: str
        required: true
      password:
        description: Its password; a different one is replaced.
        type: str
        required: true
      vhost:
        description: The vhost of its permissions, added when missing.
        type: str
        default: /
      configure:
        description: Regular expression of the resources it may configure.
        type: str
        default: .*
      write:
        description: Regular expression of the resources it may write to.
        type: str
        default: .*
      read:
        description: Regular expression of the resources it may read from.
        type: str
        default: .*
  absent_users:
    description: Users to delete where they exist (Debian's package makes C(guest)).
    type: list
    elements: str
    default: []
  policies:
    description: Policies to have; one that differs in any field is set again.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Policy name.
        type: str
        required: true
      vhost:
        description: Its vhost, added when missing.
        type: str
        default: /
      pattern:
        description: Regular expression of the queue or exchange names it applies to.
        type: str
        required: true
      apply_to:
        description: What it applies to.
        type: str
        choices: [queues, exchanges, all]
        default: queues
      definition:
        description: Its keys and values, such as C(expires) (milliseconds) for an expiry of unused queues.
        type: dict
        required: true
      priority:
        description: Its priority among the policies that match.
        type: int
        default: 0
requirements:
  - rabbitmqctl of RabbitMQ 3.8.2 or later (export_definitions); Debian 12 has 3.10
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: The services' user on their vhost, without the guest user
  nimbus.openstack.rabbitmq_definitions:
    users:
      - name: openstack
        password: "{{ rabbitmq_password }}"
        vhost: openstack
    absent_users: [guest]
    policies:
      - name: expire-unused
        vhost: openstack
        pattern: .*
        definition: {expires: 3600000}
"""

RETURN = r"""
commands:
  description: The rabbitmqctl commands run (or, in check mode, that would run), without passwords.
  returned: always
  type: list
  elements: str
  sample: ["add_vhost openstack", "set_permissions -p openstack openstack .* .* .*"]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.host._rabbitmq import run_module


def main():
    run_module()


if __name__ == "__main__":
    main()

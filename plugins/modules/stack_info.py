#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: stack_info
short_description: List Heat stacks with their outputs
version_added: 0.1.0
description:
  - Stacks (Heat) of the project of the credentials, each with its outputs
    and parameters. Nested stacks are not listed.
  - Returns them under RV(stacks), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  status:
    description:
      - Only stacks in this status, either whole (V(CREATE_COMPLETE)) or only
        its outcome (V(COMPLETE), V(FAILED), V(IN_PROGRESS)).
    type: str
  tags:
    description: Only stacks that have all these tags.
    type: list
    elements: str
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: The outputs of the stack called app-network
  nimbus.openstack.stack_info:
    cloud: mycloud
    name: app-network
  register: _found

- name: Show the network's ID
  ansible.builtin.debug:
    msg: "{{ _found.stacks[0].outputs.network_id }}"
  when: _found.stacks | length == 1

- name: Every failed stack tagged app
  nimbus.openstack.stack_info:
    cloud: mycloud
    status: FAILED
    tags: [app]
"""

RETURN = r"""
stacks:
  description:
    - The matching stacks, each as the M(nimbus.openstack.stack) module returns
      one (see its RV(nimbus.openstack.stack#module:stack)).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 3f3b6a9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b
      name: app-network
      status: CREATE_COMPLETE
      status_reason: Stack CREATE completed successfully
      parameters: {"cidr": "10.20.0.0/24"}
      outputs: {"network_id": "4a1f6c3e-..."}
      outputs_list: [{"output_key": "network_id", "output_value": "4a1f6c3e-..."}]
      tags: [app, network]
      is_rollback_disabled: true
      timeout_mins: 60
      created_at: "2026-11-30T12:00:00Z"
      updated_at: null
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._stack import StackInfo, stack_info_argument_spec


def main():
    StackInfo(stack_info_argument_spec()).execute()


if __name__ == "__main__":
    main()

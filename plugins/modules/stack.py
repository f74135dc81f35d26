#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: stack
short_description: Create, update and delete OpenStack Heat stacks
version_added: 0.1.0
description:
  - Makes sure a Heat stack exists, made from a HOT template with the given
    parameters, environment and tags, or is absent.
  - A stack is identified by its O(name), in the project of the credentials.
  - An existing stack is updated only when something the task sets differs
    from it; a re-run with the same options reports no change and makes no
    update. Compared are the template (as data, so formatting and comments do not
    count), the files it and the environment include, the parameters the task
    sets (by their type in the template, so V(3) equals V("3")), the
    environment's C(parameters), C(parameter_defaults), C(resource_registry),
    C(event_sinks) and C(parameter_merge_strategies), the tags (as a set) and
    O(rollback).
  - An update is a PATCH (Heat's C(existing) update) that sends the whole
    template, files and environment, and the task's parameters. Parameters the
    task leaves out keep the values the stack has, so leaving one out is no
    change; environment entries are added or changed, never removed (Heat
    merges the update's environment into the stack's).
  - A stack whose last operation failed (status C(*_FAILED), or C(ROLLBACK_*))
    is updated on a re-run even when nothing else differs, so that Heat tries
    again; with O(wait=true) the task fails if it fails again.
  - A stack in an operation (C(*_IN_PROGRESS)) is waited for, up to O(timeout),
    before it is compared.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the stack.
    type: str
    required: true
    aliases: [stack_name]
  template:
    description:
      - Path of the HOT template, on the host that runs the module. A
        relative path is relative to the module's working directory there, so
        prefer absolute ones, such as C({{ playbook_dir }}/files/app.yaml).
      - Files the template includes (C(get_file), nested templates given as
        a C(type)) are read relative to it and sent with it. As with Heat's
        client, the template then names them by absolute C(file://) URL, so
        the same template read from another directory is a change.
      - One of O(template) and O(template_content) is required with
        O(state=present).
    type: path
  template_content:
    description:
      - The HOT template itself, as a dictionary or as YAML or JSON text.
      - Relative C(get_file) paths are read relative to the module's working
        directory, so use absolute paths.
    type: raw
  parameters:
    description:
      - Values of the template's parameters. Each must be declared by the
        template.
      - Parameters left out keep their value on an update (their default on a
        create).
      - The values of C(hidden) parameters cannot be read back (Heat masks
        them), so they are sent with every create and update but never make
        one by themselves, unless O(update_hidden_parameters=true). Their
        values are masked in the result, the diff and anywhere else in the
        task's output.
    type: dict
    default: {}
  update_hidden_parameters:
    description:
      - Update the stack on every run that sets a hidden parameter, since the
        module cannot tell whether its value changed. The task then always
        reports a change.
    type: bool
    default: false
  environment:
    description:
      - Paths of environment files, on the host that runs the module (as for
        O(template), prefer absolute paths), applied in order, so later files
        win. Files their C(resource_registry) names are read relative to them
        and sent with them.
    type: list
    elements: path
  environment_content:
    description:
      - An environment given inline (a dictionary or YAML text), applied after
        the O(environment) files.
    type: raw
  tags:
    description:
      - Tags of the stack, the whole set; unset, the tags are left as they are.
    type: list
    elements: str
  rollback:
    description:
      - Whether Heat rolls back a create or update that fails (Heat's
        C(disable_rollback) is its negation).
      - Unset, a new stack has Heat's default, no rollback, and an existing
        stack keeps its setting.
    type: bool
  timeout:
    description:
      - Seconds to wait for the stack's create, update or delete when
        O(wait=true) before failing.
      - Also sent as the stack's own timeout (C(timeout_mins), rounded up to
        minutes) with each create and update, after which Heat fails the
        operation. A change of O(timeout) alone does not update the stack.
    type: int
    default: 3600
  state:
    description:
      - V(present) creates or updates the stack; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - With O(wait=true), a create or update that ends in any status but
    C(CREATE_COMPLETE) or C(UPDATE_COMPLETE) (C(*_FAILED), C(ROLLBACK_*)), or a
    delete that ends in C(DELETE_FAILED), fails the task with the stack's
    status reason and the name, type and reason of each resource that failed
    (the deepest ones, in nested stacks too; when a rollback has removed
    them, the last one that failed, from the stack's events).
  - A wait that times out fails the task, naming the stack and the status it
    was in. A task that fails after its create, update or delete call reports
    a change.
  - Heat does not update a stack whose delete failed (C(DELETE_FAILED)), so
    delete it again with O(state=absent).
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: A network stack from a template file
  nimbus.openstack.stack:
    cloud: demo
    name: app-network
    template: "{{ playbook_dir }}/files/network.yaml"
    parameters:
      cidr: 10.20.0.0/24
    tags: [app, network]
  register: _net

- name: Use an output
  ansible.builtin.debug:
    msg: "network {{ _net.stack.outputs.network_id }}"

- name: A stack from an inline template, with rollback on failure
  nimbus.openstack.stack:
    cloud: demo
    name: app-secgroup
    rollback: true
    template_content:
      heat_template_version: 2018-08-31
      resources:
        group:
          type: OS::Neutron::SecurityGroup
          properties:
            rules:
              - {protocol: tcp, port_range_min: 22, port_range_max: 22}

- name: With environment files, waiting up to two hours
  nimbus.openstack.stack:
    cloud: demo
    name: app
    template: "{{ playbook_dir }}/files/app.yaml"
    environment:
      - "{{ playbook_dir }}/files/env-common.yaml"
      - "{{ playbook_dir }}/files/env-production.yaml"
    timeout: 7200

- name: Delete the stack
  nimbus.openstack.stack:
    cloud: demo
    name: app-network
    state: absent
"""

RETURN = r"""
stack:
  description:
    - The stack as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the stack; V(null) when it is to be created in check mode.
      type: str
      sample: 3f3b6a9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b
    name:
      description: Name of the stack.
      type: str
      sample: app-network
    description:
      description: Description of the stack (its template's).
      type: str
    template_description:
      description: Description of the stack's template.
      type: str
    status:
      description:
        - Status of the stack, such as V(CREATE_COMPLETE) or V(UPDATE_COMPLETE);
          an C(*_IN_PROGRESS) status with O(wait=false). V(null) when it is to be
          created in check mode.
      type: str
      sample: CREATE_COMPLETE
    status_reason:
      description: Why the stack is in its status.
      type: str
      sample: Stack CREATE completed successfully
    parameters:
      description:
        - The stack's parameters, Heat's own (C(OS::stack_id), ...) left out.
          Heat returns their values as strings; hidden ones are masked.
      type: dict
      sample: {"cidr": "10.20.0.0/24", "db_password": "******"}
    outputs:
      description:
        - The stack's outputs, output key to value.
        - Empty in check mode for a stack still to be created. With
          O(wait=false), as Heat shows them while it works on the stack
          (values not known yet are V(null)).
      type: dict
      sample: {"network_id": "4a1f6c3e-..."}
    outputs_list:
      description: The stack's outputs as Heat lists them.
      type: list
      elements: dict
      sample: [{"output_key": "network_id", "output_value": "4a1f6c3e-...", "description": "ID of the network"}]
    tags:
      description: Tags of the stack.
      type: list
      elements: str
      sample: [app, network]
    is_rollback_disabled:
      description: Whether Heat does not roll back a failed operation (Heat's C(disable_rollback)).
      type: bool
    timeout_mins:
      description: The stack's timeout, in minutes.
      type: int
      sample: 60
    created_at:
      description: When the stack was created.
      type: str
      sample: "2026-11-30T12:00:00Z"
    updated_at:
      description: When the stack was last updated; V(null) if never.
      type: str
    parent_id:
      description: ID of the parent stack of a nested stack; V(null) for others.
      type: str
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._stack import StackModule

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True, aliases=["stack_name"]),
    template=dict(type="path"),
    template_content=dict(type="raw"),
    parameters=dict(type="dict", default={}),
    update_hidden_parameters=dict(type="bool", default=False),
    environment=dict(type="list", elements="path"),
    environment_content=dict(type="raw"),
    tags=dict(type="list", elements="str"),
    rollback=dict(type="bool"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = StackModule(
        ARGUMENT_SPEC, supports_check_mode=True,
        mutually_exclusive=[("template", "template_content")],
        required_if=[("state", "present", ("template", "template_content"), True)])
    module.execute()


if __name__ == "__main__":
    main()

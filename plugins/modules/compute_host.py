#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: compute_host
short_description: Take an OpenStack compute host out of service, or out of the cloud
version_added: 0.1.0
description:
  - Enables or disables the nova-compute service of a compute host, or takes
    the host out of the cloud (its servers migrated away on request, then its
    nova-compute service, leftover Placement resource providers and Neutron
    agents deleted).
  - Needs administrator credentials.
  - Everything that stops the task (servers left on the host, servers that
    cannot be migrated) is checked before the first change.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  host:
    description:
      - Name of the compute host as Nova knows it, the C(host) of its
        nova-compute service (C(openstack compute service list)).
    type: str
    required: true
  state:
    description:
      - V(enabled) enables the host's nova-compute service (and clears its
        disabled reason).
      - V(disabled) disables it with O(reason); no new server is scheduled to
        the host, the servers on it keep running.
      - V(absent) takes the host out of the cloud. The task fails, before any
        change, when servers are on the host and O(migrate=false). Otherwise
        the service is disabled, the servers are migrated (with
        O(migrate=true)), then the nova-compute service is deleted (Nova
        deletes the compute node, its resource provider and the host mapping
        with it), resource providers named after the host that remain are
        deleted, and so are the host's Neutron agents.
      - With V(enabled) or V(disabled), a host without a nova-compute service
        fails the task.
    type: str
    choices: [enabled, disabled, absent]
    default: enabled
  reason:
    description:
      - Why the service is disabled, with O(state=disabled), and while the
        servers are moved away with O(state=absent). A disabled service with
        another reason gets this one.
    type: str
    default: disabled by nimbus.openstack.compute_host
  migrate:
    description:
      - With O(state=disabled) (drain a host that stays) or O(state=absent),
        migrate the host's servers to other hosts, as the scheduler picks them. ACTIVE and PAUSED servers are
        live-migrated (block migration when the disks are not shared),
        SHUTOFF servers cold-migrated and the migration confirmed. Servers in
        another status fail the task before any change.
      - The task waits up to O(timeout) for every server to be elsewhere,
        whatever O(wait) says (the service cannot be deleted before). A
        server in ERROR, or still on the host then, fails the task, which
        names it; the service stays disabled.
      - Not with O(state=enabled).
    type: bool
    default: false
  timeout:
    description:
      - Seconds to wait for the servers to be migrated away before failing.
    type: int
    default: 1800
notes:
  - Stop the host's nova-compute service and Neutron agents once the task has
    deleted them (they must run while the servers are live-migrated). While
    they run, the agents register again at their next report and nova-compute
    when it restarts. The task warns when they are still up.
  - Nova refuses to delete a compute service with servers or migrations in
    progress on the host; the task reports the API's answer.
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Take compute2 out of service for maintenance, keeping its servers
  nimbus.openstack.compute_host:
    cloud: admin
    host: compute2
    state: disabled
    reason: kernel update, ticket OPS-1234

- name: Or move its servers to the other hosts first (live migration)
  nimbus.openstack.compute_host:
    cloud: admin
    host: compute2
    state: disabled
    reason: hardware repair, ticket OPS-1235
    migrate: true

- name: Back in service
  nimbus.openstack.compute_host:
    cloud: admin
    host: compute2

- name: Take compute3 out of the cloud, its servers migrated to the other hosts
  nimbus.openstack.compute_host:
    cloud: admin
    host: compute3
    state: absent
    migrate: true
    timeout: 3600
"""

RETURN = r"""
compute_host:
  description:
    - The host as it is after the task (as predicted, in check mode).
  returned: success
  type: dict
  contains:
    host:
      description: Name of the host.
      type: str
      sample: compute2
    services:
      description:
        - The host's nova-compute service; empty when it is absent.
      type: list
      elements: dict
      contains:
        id:
          description: ID of the service.
          type: str
        binary:
          description: Always C(nova-compute).
          type: str
        status:
          description: V(enabled) or V(disabled).
          type: str
        state:
          description: Whether the service reports, V(up) or V(down).
          type: str
        disabled_reason:
          description: Why it is disabled; V(null) when enabled.
          type: str
    agents:
      description:
        - The Neutron agents of the host; empty when it is absent.
      type: list
      elements: dict
      contains:
        id:
          description: ID of the agent.
          type: str
        binary:
          description: Its program, such as C(neutron-openvswitch-agent).
          type: str
        alive:
          description: Whether it reports.
          type: bool
    servers:
      description: IDs of the servers on the host.
      type: list
      elements: str
    migrated:
      description: IDs of the servers the task migrated away (would migrate, in check mode).
      type: list
      elements: str
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._compute_host import (
    DEFAULT_REASON,
    ComputeHostModule,
)

ARGUMENT_SPEC = dict(
    host=dict(type="str", required=True),
    state=dict(type="str", choices=["enabled", "disabled", "absent"], default="enabled"),
    reason=dict(type="str", default=DEFAULT_REASON),
    migrate=dict(type="bool", default=False),
)


def main():
    module = ComputeHostModule(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

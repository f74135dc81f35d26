#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: daemons
short_description: A role's systemd services, running on the configuration they read
version_added: 0.1.0
description:
  - Enables and starts each service in O(services), in the order given, and
    restarts a running one when a file it reads was modified after systemd
    began to start it.
  - This replaces restart handlers. A handler's restart is lost when a run
    fails between writing a file and flushing handlers; here the next run
    still finds the service older than its file and restarts it. A service
    started by its package before its configuration was written is restarted
    for the same reason.
  - Reloads systemd first when a unit file changed on disk.
options:
  services:
    description: The services, each started, stopped, restarted in list order.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The systemd unit, such as V(nova-api).
        type: str
        required: true
      reads:
        description:
          - Files the service reads when it starts. Missing files are ignored.
        type: list
        elements: path
        default: []
      enabled:
        description:
          - Whether the unit starts at boot. Static and generated units are
            left as they are.
        type: bool
        default: true
      state:
        description:
          - Whether the unit runs.
          - A unit that systemd does not know is an error, unless it is to be
            V(stopped) and not O(services[].enabled), which it already is. In
            check mode it is reported as to be enabled and started, as an
            earlier task may have been about to write it.
        type: str
        choices: [started, stopped]
        default: started
notes:
  - In check mode the module predicts from the files as they are on the host,
    so a restart that a file changed in the same check-mode run would cause
    is not predicted; the task that would change the file reports it.
attributes:
  check_mode:
    description: Can run in check mode.
    support: full
  diff_mode:
    description: Returns details on what changed.
    support: full
    details: Each unit's enabled and active state before and after.
  idempotent:
    description: A second run with the same arguments changes nothing.
    support: full
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Run Placement on its current configuration
  nimbus.openstack.daemons:
    services:
      - name: placement-api
        reads: [/etc/placement/placement.conf, /etc/placement/placement-api-uwsgi.ini]
      - name: nova-spicehtml5proxy
        enabled: false
        state: stopped
"""

RETURN = r"""
actions:
  description: What was done (or in check mode would be done) to each unit that changed, with the reason.
  returned: always
  type: dict
  sample: {"nova-api": ["restart (changed since it started: /etc/nova/nova.conf)"]}
daemon_reloaded:
  description: Whether systemd reloaded its unit files first.
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.host._systemd import run_module


def main():
    run_module()


if __name__ == "__main__":
    main()

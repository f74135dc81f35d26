#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: packages
short_description: Debian packages installed, with no apt run when they already are
version_added: 0.1.0
description:
  - Makes sure each package in O(names) is installed on a Debian host. One
    C(dpkg-query) call finds the missing ones; when none is missing the module
    returns at once without running apt, so a re-run costs a fraction of
    M(ansible.builtin.apt)'s second per task.
  - Installs the missing packages in one C(apt-get install) transaction,
    non-interactively, keeping configuration files changed on the host.
  - A package left unpacked or half-configured by an interrupted run counts as
    missing; C(apt-get install) finishes it. When apt refuses to run because
    dpkg was interrupted (killed, or the host lost power, mid-install), the
    module runs C(dpkg --configure --pending) as apt asks, then installs.
  - Updates the package lists first (C(apt-get update)) only when something is
    missing and the lists are older than O(cache_valid_time), or apt knows no
    installable version of a missing package.
  - Never removes or upgrades a package.
options:
  names:
    description:
      - Debian package names, without version or architecture.
    type: list
    elements: str
    required: true
    aliases: [name]
  install_recommends:
    description: Whether apt also installs the packages' recommended packages.
    type: bool
    default: false
  cache_valid_time:
    description:
      - How old, in seconds, the package lists may be before a run that installs
        something updates them first. Their age is read as M(ansible.builtin.apt)
        reads it, from C(/var/lib/apt/periodic/update-success-stamp) where it
        exists, else from C(/var/lib/apt/lists). The module's own update
        touches that stamp (as Ubuntu's apt hook does), since the lists
        directory keeps its time when no list changed.
      - V(0) updates them before every install.
    type: int
    default: 3600
  state:
    description: Only V(present); removing packages is left to M(ansible.builtin.apt).
    type: str
    choices: [present]
    default: present
notes:
  - Waits up to 10 minutes for another apt or dpkg to release its lock (an
    apt-get left running by a deploy that was killed may need minutes).
  - A virtual package name is refused; name the package that provides it.
attributes:
  check_mode:
    description: Can run in check mode.
    support: full
    details: Does not update the package lists; warns about a package they do not know yet.
  diff_mode:
    description: Returns details on what changed.
    support: full
    details: The packages to install, one a line, as the after text.
  idempotent:
    description: A second run with the same arguments changes nothing.
    support: full
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Install Keystone
  nimbus.openstack.packages:
    names: [keystone, python3-openstackclient]

- name: Install a tool with what it recommends, from lists at most a day old
  nimbus.openstack.packages:
    names: qemu-utils
    install_recommends: true
    cache_valid_time: 86400
"""

RETURN = r"""
installed:
  description: The packages of O(names) that were installed (or in check mode would be), not their dependencies.
  returned: always
  type: list
  elements: str
  sample: ["keystone"]
cache_updated:
  description: Whether the package lists were updated first.
  returned: always
  type: bool
  sample: false
dpkg_recovered:
  description: Whether dpkg had been interrupted and the module finished its pending work before installing.
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.host._packages import run_module


def main():
    run_module()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: kvm_info
short_description: Whether KVM really runs guests on this host
version_added: 0.1.0
description:
  - Tells whether the host's KVM runs guests on the CPU, so that libvirt and
    Nova can use C(virt_type=kvm) there and C(qemu) (TCG) everywhere else.
  - A C(/dev/kvm) is not enough. Nested KVM may have one whose guests hang,
    fail, or run only emulated, far too slowly for a guest kernel to boot.
  - The probe needs neither QEMU nor a guest kernel. Through the KVM ioctl API
    it makes a virtual machine with one page of memory and one vCPU, and runs
    a few real-mode instructions there. The guest writes to an I/O port, runs
    10 million iterations of a two-instruction loop, writes again and halts.
    KVM is usable when that happens and the loop takes less than a second.
    Hardware-assisted KVM needs milliseconds for the loop.
  - The probe runs in a child process that is killed after O(timeout).
  - An unusable KVM is an answer (RV(kvm_usable=false) and RV(reason)), not a
    failure. The module fails only on bad options.
  - Knows x86_64 only; on any other architecture it answers
    RV(kvm_usable=false) without probing.
extends_documentation_fragment:
  - nimbus.openstack.attributes.read_only
options:
  device:
    description: The KVM device.
    type: path
    default: /dev/kvm
  timeout:
    description:
      - Seconds the probe may take before it is killed and KVM is
        called unusable. Must be greater than 0.
    type: float
    default: 10
  cache:
    description:
      - File that keeps the answer for later runs, on a file system that a
        boot empties (C(/run)), so a new kernel or KVM module is probed anew.
        An empty string probes every time.
    type: path
    default: /run/nimbus/kvm_info.json
notes:
  - Needs read and write access to O(device) (root, or the C(kvm) group on
    Debian).
  - Changes nothing but its O(cache) file (not written in check mode), so it
    runs in check mode as well.
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find out whether KVM runs guests here
  nimbus.openstack.kvm_info:
  register: _nova_compute_kvm

- name: Use KVM where it works, TCG elsewhere
  ansible.builtin.set_fact:
    _nova_compute_virt_type: "{{ _nova_compute_kvm.virt_type }}"
"""

RETURN = r"""
kvm_usable:
  description: Whether KVM ran the test guest on the CPU.
  returned: always
  type: bool
  sample: false
reason:
  description: Why KVM is usable or not, in words.
  returned: always
  type: str
  sample: /dev/kvm is missing
virt_type:
  description: The libvirt domain type to use, V(kvm) or V(qemu).
  returned: always
  type: str
  sample: kvm
elapsed:
  description: Seconds the probe took (the earlier probe's, when cached).
  returned: always
  type: float
  sample: 0.012
cached:
  description: Whether the answer came from O(cache), written by an earlier probe since the host booted.
  returned: always
  type: bool
  sample: true
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.host._kvm import run_module


def main():
    run_module()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: testcloud
short_description: Create and remove test-cloud hosts on this machine
version_added: 0.1.0
description:
  - Makes the hosts of a test cloud on the machine Ansible runs on, as
    systemd-nspawn containers that boot systemd, each in its own network
    namespace, from a cached debootstrapped Debian 12 image.
  - Each host gets C(eth0) on the cloud's management bridge, C(eth1) on its
    overlay bridge (network and compute hosts) and C(eth2) on its external
    bridge (network hosts), SSH with a generated key, python3,
    C(/dev/net/tun), C(/dev/kvm), loop devices on storage hosts, and a
    writable C(/proc/sys/net).
  - Hosts install packages through an apt-cacher-ng on the machine, listening
    only on the management bridges, that fetches from the mirror the
    machine's own apt sources name.
  - A cloud takes one of eight address slots (a /27 of each range of
    DESIGN.md), so several clouds live side by side.
  - Runs on the machine itself (C(connection=local)) as root.
options:
  name:
    description:
      - Name of the test cloud; part of interface names, so 1-7 lowercase
        letters and digits, starting with a letter.
    type: str
    required: true
  topology:
    description:
      - Built-in set of hosts. C(aio) is one host in every group;
        C(multinode) is controller, network, compute1, compute2 and storage.
      - Ignored when O(hosts) is given. Defaults to what the cloud was
        created with, or C(aio).
    type: str
    choices: [aio, multinode]
  hosts:
    description:
      - Own list of hosts instead of a topology.
      - An existing cloud keeps its hosts; it grows when this lists its hosts
        (same names and groups, in order) followed by new ones, which are made
        and started without touching the others.
    type: list
    elements: dict
    suboptions:
      name:
        description: Host name (a valid hostname).
        type: str
        required: true
      groups:
        description: Groups the host belongs to.
        type: list
        elements: str
        required: true
        choices: [controller, network, compute, storage]
      mgmt_address:
        description: Management address; must lie in the cloud's management /27.
        type: str
      overlay_address:
        description: Overlay address; must lie in the cloud's overlay /27.
        type: str
  slot:
    description:
      - Address slot (0-7). Defaults to the one the cloud has, else the
        lowest free one.
    type: int
  state:
    description:
      - V(present) creates what is missing and starts stopped hosts;
        V(stopped) shuts hosts down and drops their network namespaces;
        V(restarted) stops and starts every host (like a reboot, kernel network
        state starts empty); V(absent) removes the hosts, namespaces,
        interfaces and firewall rules of this cloud, and nothing else.
    type: str
    choices: [present, stopped, restarted, absent]
    default: present
  inventory:
    description:
      - Path of the Ansible inventory to write for the cloud's hosts
        (removed again with O(state=absent)).
    type: path
  mirror:
    description:
      - Debian mirror URL to use instead of the one the machine's apt
        sources name.
    type: str
  backend:
    description:
      - What a host is. V(nspawn) is a systemd-nspawn container;
        V(libvirt) is a QEMU/KVM virtual machine made by libvirt from the
        same base image (TCG where KVM cannot run guests).
      - Defaults to what the cloud was created with, else V(nspawn).
    type: str
    choices: [nspawn, libvirt]
  image_packages:
    description:
      - Debian packages to unpack (not configure) in a host image made from the
        base image, for new hosts that are in every group (the aio topology).
        Their deploy's first package install configures what it would
        otherwise download and unpack. The role passes every role's
        C(*_packages) list.
      - Hosts of fewer groups, hosts of the libvirt backend (its VM image
        installs a kernel in a chroot), and every host when this is empty,
        start from the base image.
    type: list
    elements: str
notes:
  - The base image is kept under C(/var/cache/nimbus/images), the host image
    under C(/var/cache/nimbus/host-images), the package
    cache under C(/var/cache/nimbus/apt-cacher-ng), and the hosts' disks,
    SSH key and known_hosts under C(/var/lib/nimbus/testcloud/<name>).
attributes:
  check_mode:
    description: Can run in check mode and return the changed status without changing anything.
    support: partial
    details: Validates the input and reports whether anything would change, without details.
  diff_mode:
    description: Returns details on what changed.
    support: none
  idempotent:
    description: A second run with the same arguments changes nothing.
    support: full
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Create the all-in-one test cloud
  nimbus.openstack.testcloud:
    name: aio
    topology: aio
    inventory: "{{ playbook_dir }}/.testcloud/aio/inventory.yml"

- name: Reboot every host of it
  nimbus.openstack.testcloud:
    name: aio
    state: restarted

- name: Remove it
  nimbus.openstack.testcloud:
    name: aio
    state: absent
"""

RETURN = r"""
testcloud:
  description: The cloud as planned; empty when it did not exist.
  returned: always
  type: dict
  contains:
    name:
      description: Cloud name.
      type: str
    slot:
      description: Address slot.
      type: int
    networks:
      description: Per network, its CIDR, machine bridge and bridge address.
      type: dict
    hosts:
      description: Hosts with groups, namespace and interfaces.
      type: list
      elements: dict
timings:
  description: Seconds spent on the slow steps (image, disks, boot) in this run.
  returned: always
  type: dict
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._module import run_module


def main():
    run_module()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: preflight
short_description: Check an inventory and its hosts' facts before a deployment
version_added: 0.1.0
description:
  - Checks what the inventory says and what each host's facts show before
    C(site.yml) changes anything, and lists every problem it finds at once,
    each as one line that names the host (when it is about one), the
    variable, what it holds and what is allowed.
  - Runs on the machine that runs Ansible, on data the calling role gathers
    from C(hostvars); it talks to no host and no cloud.
  - "Checks the inventory groups (controller, network and compute each need a
    host); each host's management address and interface, the overlay ones of
    network and compute hosts, the external interface of network hosts, and
    C(nova_compute_virt_type) of compute hosts; addresses used by two hosts;
    the external network's range; the region and cloud names; ports, heartbeat
    timeout and worker count; an external Ceph cluster's fsid and monitors; the
    secrets file's mode and characters in the secrets; and each host's
    reachability, distribution, memory and free disk space."
  - Fails with all the problems, one per line, in C(msg) and in RV(problems),
    deployment-wide ones first, then by host name.
extends_documentation_fragment:
  - nimbus.openstack.attributes.read_only
options:
  hosts:
    description:
      - The cloud's hosts, by inventory name. Each is a dictionary with
        C(groups) (its groups among C(controller), C(network), C(compute) and
        C(storage)), C(vars) (its C(nimbus_mgmt_interface),
        C(nimbus_mgmt_address), C(nimbus_overlay_interface),
        C(nimbus_overlay_address), C(nimbus_external_interface) and
        C(nova_compute_virt_type), any of them missing or null) and C(facts).
      - C(facts) holds C(distribution), C(distribution_major_version),
        C(memtotal_mb), C(interfaces) (interface name to a dictionary with the
        lists C(ipv4) and C(ipv6) of its addresses, with or without their
        prefix length), C(root_free_mb) and C(reachable); it is empty when the
        facts were not gathered, and the checks on facts are then left out.
    type: dict
    required: true
  deployment:
    description:
      - The deployment-wide variables C(nimbus_region), C(nimbus_cloud_name),
        C(nimbus_keystone_port), C(nimbus_rabbitmq_port),
        C(nimbus_memcached_port), C(nimbus_rabbitmq_heartbeat_timeout),
        C(nimbus_service_workers), C(nimbus_external_cidr),
        C(nimbus_external_gateway), C(nimbus_external_pool_start),
        C(nimbus_external_pool_end), C(nimbus_internal_address),
        C(nimbus_public_address), C(nimbus_ceph_external), C(nimbus_ceph_fsid)
        and C(nimbus_ceph_mon_addresses). A missing one is not checked, except
        C(nimbus_internal_address), which must be set.
      - Numbers may be strings of digits, as templating makes them.
    type: dict
    default: {}
  secrets:
    description:
      - The secrets file's contents, secret name to value; empty before the
        first run made the file. Messages name a secret, never show its value.
    type: dict
    default: {}
  secrets_file_mode:
    description:
      - Octal mode of the secrets file (C(nimbus_secrets_file)), such as
        V(0600); unset when the file does not exist yet.
    type: str
  requirements:
    description:
      - What a host of each group needs, group name to a dictionary with
        C(memory_mb) and C(disk_mb) (free on C(/)). A host needs the largest
        of its groups' values, not their sum.
    type: dict
    default: {}
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Check the inventory and the hosts before deploying
  nimbus.openstack.preflight:
    hosts:
      aio1:
        groups: [controller, network, compute, storage]
        vars:
          nimbus_mgmt_interface: eth0
          nimbus_mgmt_address: 172.29.236.11
          nimbus_overlay_interface: eth1
          nimbus_overlay_address: 172.29.240.11
          nimbus_external_interface: eth2
        facts:
          reachable: true
          distribution: Debian
          distribution_major_version: "12"
          memtotal_mb: 15990
          root_free_mb: 80000
          interfaces:
            eth0: {ipv4: [172.29.236.11/24], ipv6: []}
            eth1: {ipv4: [172.29.240.11/24], ipv6: []}
            eth2: {ipv4: [], ipv6: []}
    deployment:
      nimbus_cloud_name: nimbus-aio
      nimbus_internal_address: 172.29.236.11
      nimbus_external_cidr: 172.29.248.0/27
      nimbus_external_gateway: 172.29.248.1
      nimbus_external_pool_start: 172.29.248.8
      nimbus_external_pool_end: 172.29.248.30
    secrets: "{{ _preflight_secrets }}"
    secrets_file_mode: "{{ _preflight_secrets_stat.stat.mode | default(omit) }}"
    requirements:
      controller: {memory_mb: 6000, disk_mb: 20000}
      compute: {memory_mb: 2000, disk_mb: 10000}
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
checked:
  description: How much was checked.
  returned: success
  type: dict
  contains:
    hosts:
      description: Number of hosts.
      type: int
    controller:
      description: Number of hosts in the controller group.
      type: int
    network:
      description: Number of hosts in the network group.
      type: int
    compute:
      description: Number of hosts in the compute group.
      type: int
    storage:
      description: Number of hosts in the storage group.
      type: int
    secrets:
      description: Number of secrets.
      type: int
  sample: {hosts: 1, controller: 1, network: 1, compute: 1, storage: 1, secrets: 20}
problems:
  description: Every problem found, one message each; C(msg) has them one per line.
  returned: failure
  type: list
  elements: str
  sample:
    - "host compute1: nimbus_mgmt_address 10.0.0.5 is not on nimbus_mgmt_interface eth0, which has 10.0.0.7/24; give the address the interface has"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nimbus.openstack.plugins.module_utils._preflight import check, counts

ARGUMENT_SPEC = {
    "hosts": {"type": "dict", "required": True},
    "deployment": {"type": "dict", "default": {}},
    "secrets": {"type": "dict", "default": {}, "no_log": True},
    # A file's mode, not a secret (its name only looks like one).
    "secrets_file_mode": {"type": "str", "no_log": False},
    "requirements": {"type": "dict", "default": {}},
}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    problems = check(params["hosts"], params["deployment"], params["secrets"], params["secrets_file_mode"], params["requirements"])
    if problems:
        module.fail_json(msg="\n".join(problems), problems=problems)
    module.exit_json(changed=False, checked=counts(params["hosts"], params["secrets"]))


if __name__ == "__main__":
    main()

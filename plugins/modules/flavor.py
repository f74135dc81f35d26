#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: flavor
short_description: Create, update and delete OpenStack flavors and their extra specs
version_added: 0.1.0
description:
  - Makes sure a Nova flavor exists with the given size and extra specs, or is
    absent.
  - A flavor is identified by its O(name) (Nova keeps flavor names unique).
    Options left unset are left as they are on an existing flavor.
  - Nova never changes a flavor but for its O(description) and O(extra_specs).
    O(ram), O(vcpus), O(disk), O(ephemeral), O(swap), O(rxtx_factor),
    O(is_public) and O(flavor_id) can only be set when the flavor is created;
    asking to change them on an existing flavor fails the task (the flavor is
    never deleted and made anew behind the servers that use it).
  - Nova lets only administrators create, change and delete flavors.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the flavor.
    type: str
    required: true
  flavor_id:
    description:
      - ID of the flavor; only set when the flavor is created. Without it,
        Nova makes a UUID.
    type: str
    aliases: [id]
  ram:
    description:
      - Memory of the flavor's servers in MiB. Needed to create a flavor.
    type: int
  vcpus:
    description:
      - Number of virtual CPUs of the flavor's servers. Needed to create a flavor.
    type: int
  disk:
    description:
      - Size of the root disk in GB; V(0) means the size of the image. Needed
        to create a flavor.
    type: int
  ephemeral:
    description:
      - Size of the ephemeral disk in GB. Nova gives none unless told otherwise.
    type: int
  swap:
    description:
      - Size of the swap disk in MiB. Nova gives none unless told otherwise.
    type: int
  rxtx_factor:
    description:
      - Network bandwidth factor of the flavor's servers.
    type: float
  is_public:
    description:
      - Whether every project can use the flavor. Nova makes flavors public
        unless told otherwise.
    type: bool
    aliases: [public]
  description:
    description:
      - Description of the flavor.
    type: str
  extra_specs:
    description:
      - Extra specs of the flavor, such as C(hw:cpu_policy) or
        C(quota:disk_read_bytes_sec).
      - Values are strings; numbers and booleans are sent as strings (V(true)
        as C(true)). An extra spec whose value is V(null) is removed.
    type: dict
  purge_extra_specs:
    description:
      - Remove the extra specs that O(extra_specs) does not name. With
        V(false), O(extra_specs) are only added or changed.
      - Has no effect when O(extra_specs) is unset.
    type: bool
    default: false
  state:
    description:
      - V(present) creates the flavor or updates it; V(absent) deletes it.
      - Deleting a flavor does not touch the servers made with it.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Small flavor for test servers
  nimbus.openstack.flavor:
    cloud: admin
    name: m1.tiny
    ram: 512
    vcpus: 1
    disk: 1

- name: Flavor with dedicated CPUs, leaving other extra specs alone
  nimbus.openstack.flavor:
    cloud: admin
    name: c1.dedicated
    ram: 2048
    vcpus: 2
    disk: 10
    description: Pinned CPUs
    extra_specs:
      hw:cpu_policy: dedicated

- name: Exactly these extra specs
  nimbus.openstack.flavor:
    cloud: admin
    name: c1.dedicated
    extra_specs:
      hw:cpu_policy: dedicated
      hw:mem_page_size: large
    purge_extra_specs: true

- name: Delete it
  nimbus.openstack.flavor:
    cloud: admin
    name: c1.dedicated
    state: absent
"""

RETURN = r"""
flavor:
  description:
    - The flavor as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the flavor; V(null) when it is to be created in check mode without O(flavor_id).
      type: str
      sample: 8f1d3c2e-0b5a-4b7e-9a51-2d6c4e7f9a10
    name:
      description: Name of the flavor.
      type: str
      sample: m1.tiny
    description:
      description: Description of the flavor.
      type: str
    ram:
      description: Memory in MiB.
      type: int
      sample: 512
    vcpus:
      description: Number of virtual CPUs.
      type: int
      sample: 1
    disk:
      description: Size of the root disk in GB.
      type: int
      sample: 1
    ephemeral:
      description: Size of the ephemeral disk in GB.
      type: int
    swap:
      description: Size of the swap disk in MiB (V(0) for none).
      type: int
    rxtx_factor:
      description: Network bandwidth factor.
      type: float
    is_public:
      description: Whether every project can use the flavor.
      type: bool
    is_disabled:
      description: Whether the flavor is disabled.
      type: bool
    extra_specs:
      description: Extra specs of the flavor.
      type: dict
      sample: {"hw:cpu_policy": "dedicated"}
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._compute import FlavorResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    flavor_id=dict(type="str", aliases=["id"]),
    ram=dict(type="int"),
    vcpus=dict(type="int"),
    disk=dict(type="int"),
    ephemeral=dict(type="int"),
    swap=dict(type="int"),
    rxtx_factor=dict(type="float"),
    is_public=dict(type="bool", aliases=["public"]),
    description=dict(type="str"),
    extra_specs=dict(type="dict"),
    purge_extra_specs=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = FlavorResource(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: subnet_info
short_description: List subnets
version_added: 0.1.0
description:
  - Subnets (Neutron).
  - Returns them under RV(subnets), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  network:
    description: Only subnets of this network (name or ID).
    type: str
  project:
    description: Only subnets of this project (name or ID).
    type: str
  cidr:
    description: Only the subnet of this CIDR.
    type: str
  ip_version:
    description: Only IPv4 (V(4)) or IPv6 (V(6)) subnets.
    type: int
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the subnet called web1, if there is one
  nimbus.openstack.subnet_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
subnets:
  description: The matching subnets, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "8c2d…", "name": "tenant", "cidr": "10.0.0.0/24", "network_id": "…", "gateway_ip": "10.0.0.1"}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class SubnetInfo(InfoModule):
    plural = 'subnets'
    service = 'network'
    get_call = 'get_subnet'
    references = (('network', 'network_id', 'network', 'network'), ('project', 'project_id', 'project', 'identity'))
    plain = (('cidr', 'cidr', 'str'), ('ip_version', 'ip_version', 'int'))


def main():
    SubnetInfo(info_argument_spec(SubnetInfo.references, SubnetInfo.plain)).execute()


if __name__ == "__main__":
    main()

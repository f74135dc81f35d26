#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: port_info
short_description: List ports
version_added: 0.1.0
description:
  - Ports (Neutron).
  - Returns them under RV(ports), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  network:
    description: Only ports of this network (name or ID).
    type: str
  project:
    description: Only ports of this project (name or ID).
    type: str
  device_id:
    description: Only ports of this device (a server's ID, a router's ID).
    type: str
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the port called web1, if there is one
  nimbus.openstack.port_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
ports:
  description: The matching ports, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "9a8c…", "name": "", "network_id": "…", "device_id": "…", "fixed_ips": [{"subnet_id": "…", "ip_address": "10.0.0.5"}]}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class PortInfo(InfoModule):
    plural = 'ports'
    service = 'network'
    get_call = 'get_port'
    references = (('network', 'network_id', 'network', 'network'), ('project', 'project_id', 'project', 'identity'))
    plain = (('device_id', 'device_id', 'str'),)


def main():
    PortInfo(info_argument_spec(PortInfo.references, PortInfo.plain)).execute()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: router_info
short_description: List routers
version_added: 0.1.0
description:
  - Routers (Neutron), with their interfaces on subnets.
  - Returns them under RV(routers), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  project:
    description: Only routers of this project (name or ID).
    type: str
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the router called web1, if there is one
  nimbus.openstack.router_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
routers:
  description: The matching routers, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample:
    - {"id": "1b7e…", "name": "edge", "external_gateway_info": {"network_id": "…"},
       "interfaces": [{"subnet_id": "…", "ip_address": "10.0.0.1", "port_id": "…"}]}
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._network import RouterResource


class RouterInfo(InfoModule):
    # The same form as the router module's result.
    detail = RouterResource.present
    plural = 'routers'
    service = 'network'
    get_call = 'get_router'
    references = (('project', 'project_id', 'project', 'identity'),)


def main():
    RouterInfo(info_argument_spec(RouterInfo.references, RouterInfo.plain)).execute()


if __name__ == "__main__":
    main()

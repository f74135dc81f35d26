#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: network_info
short_description: List networks
version_added: 0.1.0
description:
  - Networks (Neutron).
  - Returns them under RV(networks), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  project:
    description: Only networks of this project (name or ID).
    type: str
  external:
    description: Only external networks (V(true)) or only the others (V(false)).
    type: bool
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the network called web1, if there is one
  nimbus.openstack.network_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
networks:
  description: The matching networks, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "4a1f…", "name": "public", "is_router_external": true, "subnet_ids": ["…"]}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class NetworkInfo(InfoModule):
    plural = 'networks'
    service = 'network'
    get_call = 'get_network'
    references = (('project', 'project_id', 'project', 'identity'),)
    plain = (('external', 'is_router_external', 'bool'),)


def main():
    NetworkInfo(info_argument_spec(NetworkInfo.references, NetworkInfo.plain)).execute()


if __name__ == "__main__":
    main()

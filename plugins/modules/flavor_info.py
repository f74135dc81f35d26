#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: flavor_info
short_description: List flavors
version_added: 0.1.0
description:
  - Flavors (Nova), with their extra specs where the policy shows them.
  - Returns them under RV(flavors), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the flavor called web1, if there is one
  nimbus.openstack.flavor_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
flavors:
  description: The matching flavors, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "1", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20, "extra_specs": {}}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._compute import FlavorResource
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class FlavorInfo(InfoModule):
    # The same form as the flavor module's result.
    detail = FlavorResource.present
    plural = 'flavors'
    service = 'compute'
    name_filter = False
    get_call = 'get_flavor'


def main():
    FlavorInfo(info_argument_spec(FlavorInfo.references, FlavorInfo.plain)).execute()


if __name__ == "__main__":
    main()

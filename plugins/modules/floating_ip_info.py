#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: floating_ip_info
short_description: List floating ips
version_added: 0.1.0
description:
  - Floating IP addresses. O(name) is the floating address or the ID.
  - Returns them under RV(floating_ips), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  network:
    description: Only addresses of this external network (name or ID).
    type: str
  port:
    description: Only the address attached to this port (name or ID).
    type: str
  project:
    description: Only addresses of this project (name or ID).
    type: str
  floating_ip_address:
    description: Only this floating address.
    type: str
  fixed_ip_address:
    description: Only the address attached to this fixed address.
    type: str
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the floating ip called web1, if there is one
  nimbus.openstack.floating_ip_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
floating_ips:
  description: The matching floating ips, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "0d6b…", "floating_ip_address": "172.29.248.20", "port_id": "9a8c…", "status": "ACTIVE"}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class FloatingIpInfo(InfoModule):
    plural = 'floating_ips'
    service = 'network'
    list_call = 'ips'
    name_filter = False
    get_call = 'get_ip'
    references = (('network', 'floating_network_id', 'network', 'network'),
                  ('port', 'port_id', 'port', 'network'),
                  ('project', 'project_id', 'project', 'identity'))
    plain = (('floating_ip_address', 'floating_ip_address', 'str'),
             ('fixed_ip_address', 'fixed_ip_address', 'str'))


def main():
    FloatingIpInfo(info_argument_spec(FloatingIpInfo.references, FloatingIpInfo.plain)).execute()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_group_info
short_description: List security groups
version_added: 0.1.0
description:
  - Security groups, with their rules.
  - Returns them under RV(security_groups), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  project:
    description: Only groups of this project (name or ID).
    type: str
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the security group called web1, if there is one
  nimbus.openstack.security_group_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
security_groups:
  description: The matching security groups, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "3f1e…", "name": "web", "security_group_rules": [{"direction": "ingress", "protocol": "tcp", "port_range_min": 22}]}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class SecurityGroupInfo(InfoModule):
    plural = 'security_groups'
    service = 'network'
    get_call = 'get_security_group'
    references = (('project', 'project_id', 'project', 'identity'),)


def main():
    SecurityGroupInfo(info_argument_spec(SecurityGroupInfo.references, SecurityGroupInfo.plain)).execute()


if __name__ == "__main__":
    main()

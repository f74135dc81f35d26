#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: server_info
short_description: List servers
version_added: 0.1.0
description:
  - Servers (Nova instances), with their addresses, flavor, image, metadata and tags.
  - Returns them under RV(servers), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  project:
    description:
      - Only servers of this project (name or ID); needs O(all_projects) for
        another project than the credentials'.
    type: str
  all_projects:
    description:
      - Servers of every project (administrators only). Unset, the servers of
        the credentials' project.
    type: bool
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the server called web1, if there is one
  nimbus.openstack.server_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
servers:
  description: The matching servers, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "5b2f…", "name": "web1", "status": "ACTIVE", "addresses": {"net": [{"addr": "10.0.0.5", "OS-EXT-IPS:type": "fixed"}]}}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class ServerInfo(InfoModule):
    plural = 'servers'
    service = 'compute'
    get_call = 'get_server'
    references = (('project', 'project_id', 'project', 'identity'),)
    plain = (('all_projects', 'all_projects', 'bool'),)


def main():
    ServerInfo(info_argument_spec(ServerInfo.references, ServerInfo.plain)).execute()


if __name__ == "__main__":
    main()

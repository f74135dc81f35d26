#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: project_info
short_description: List projects
version_added: 0.1.0
description:
  - Projects (Keystone).
  - Returns them under RV(projects), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  domain:
    description: Only projects of this domain (name or ID).
    type: str
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the project called web1, if there is one
  nimbus.openstack.project_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
projects:
  description: The matching projects, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "9e0c…", "name": "demo", "domain_id": "default", "is_enabled": true}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class ProjectInfo(InfoModule):
    plural = 'projects'
    service = 'identity'
    get_call = 'get_project'
    references = (('domain', 'domain_id', 'domain', 'identity'),)


def main():
    ProjectInfo(info_argument_spec(ProjectInfo.references, ProjectInfo.plain)).execute()


if __name__ == "__main__":
    main()

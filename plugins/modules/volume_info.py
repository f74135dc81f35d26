#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: volume_info
short_description: List volumes
version_added: 0.1.0
description:
  - Volumes (Cinder), with their size, status, type, metadata and attachments.
  - Returns them under RV(volumes), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  status:
    description: Only volumes in this status, such as V(available) or V(in-use).
    type: str
  project:
    description:
      - Only volumes of this project (name or ID); needs O(all_projects) for
        another project than the credentials'.
    type: str
  all_projects:
    description:
      - Volumes of every project (administrators only). Unset, the volumes
        of the credentials' project.
    type: bool
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the volume called db-data, if there is one
  nimbus.openstack.volume_info:
    cloud: mycloud
    name: db-data
  register: _found

- name: Volumes that no server uses
  nimbus.openstack.volume_info:
    cloud: mycloud
    status: available
  register: _unused
"""

RETURN = r"""
volumes:
  description:
    - The matching volumes, as the API shows them (openstacksdk's attribute
      names), each with the C(image_id) of the image it was made from (or
      V(null)).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "0c1e…", "name": "db-data", "size": 10, "status": "in-use", "volume_type": "__DEFAULT__",
            "attachments": [{"server_id": "5b2f…", "device": "/dev/vdb"}], "metadata": {"role": "db"}}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._volume import volume_image_id


class VolumeInfo(InfoModule):
    plural = 'volumes'
    service = 'block_storage'
    get_call = 'get_volume'
    references = (('project', 'project_id', 'project', 'identity'),)
    plain = (('status', 'status', 'str'), ('all_projects', 'all_projects', 'bool'))

    def detail(self, item):
        # As the volume module returns it.
        return dict(item, image_id=volume_image_id(item))


def main():
    VolumeInfo(info_argument_spec(VolumeInfo.references, VolumeInfo.plain)).execute()


if __name__ == "__main__":
    main()

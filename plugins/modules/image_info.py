#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_info
short_description: List images
version_added: 0.1.0
description:
  - Images (Glance).
  - Returns them under RV(images), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  owner:
    description: Only images owned by this project (name or ID).
    type: str
  visibility:
    description: Only images of this visibility (V(public), V(private), V(shared), V(community)).
    type: str
  tag:
    description: Only images with this tag.
    type: str
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the image called web1, if there is one
  nimbus.openstack.image_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
images:
  description: The matching images, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "e1c9…", "name": "debian-12", "disk_format": "qcow2", "status": "active", "tags": []}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class ImageInfo(InfoModule):
    plural = 'images'
    service = 'image'
    get_call = 'get_image'
    references = (('owner', 'owner', 'project', 'identity'),)
    plain = (('visibility', 'visibility', 'str'), ('tag', 'tag', 'str'))


def main():
    ImageInfo(info_argument_spec(ImageInfo.references, ImageInfo.plain)).execute()


if __name__ == "__main__":
    main()

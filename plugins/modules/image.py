#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: image
short_description: Create, update and delete OpenStack images
version_added: 0.1.0
description:
  - Makes sure a Glance image exists with the given data and properties, or is
    absent.
  - An image is identified by its O(name) and, when it is set, O(project). It
    is looked for among every image the credentials can see, community and
    hidden images included; the task fails if several match.
  - Options left unset are left as they are on an existing image.
  - The data of an image, read from O(filename), is uploaded only when the
    image is created. Glance images are immutable - when the image exists and
    O(filename) is set, the file's MD5 is compared with the image's C(checksum)
    (and its C(os_hash_algo) hash with C(os_hash_value)); a different file
    fails the task. To replace the data, give the new image a new name, or
    delete the old one first.
  - O(project), O(disk_format) and O(container_format) can only be set when
    the image is created; asking to change them on an existing image fails
    the task.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the image.
    type: str
    required: true
  project:
    description:
      - Project that owns the image, by name or ID; only set when the image is
        created. Glance lets only administrators create an image for another
        project.
      - Without it, the image is looked for among every image the credentials
        can see (the task fails if several have that name) and created in the
        project of the credentials.
    type: str
    aliases: [owner]
  filename:
    description:
      - Path of the image's data, on the host the module runs on.
      - Uploaded when the image is created, which then needs O(disk_format)
        and O(container_format). Without it, a new image has no data (status
        C(queued)).
      - When the image exists, the file must have the same content as the
        image's data, or the task fails.
    type: path
  disk_format:
    description:
      - Format of the image's disk, such as V(qcow2), V(raw), V(iso), V(aki) or
        V(ari), as the cloud's Glance allows.
    type: str
  container_format:
    description:
      - Container format of the image, such as V(bare), V(ovf), V(aki) or V(ari).
    type: str
  visibility:
    description:
      - Who can see and use the image. Glance makes new images V(shared)
        unless told otherwise; only administrators can make an image V(public).
    type: str
    choices: [public, private, shared, community]
  min_disk:
    description:
      - Disk size in GB that a server booted from the image needs at least.
    type: int
  min_ram:
    description:
      - RAM in MiB that a server booted from the image needs at least.
    type: int
  is_protected:
    description:
      - Whether the image is protected from deletion. Glance refuses to delete
        a protected image, so set it to V(false) before O(state=absent).
    type: bool
    aliases: [protected]
  properties:
    description:
      - Extra properties of the image, by their Glance names, such as
        C(kernel_id), C(ramdisk_id), C(os_command_line), C(hw_disk_bus) or
        C(hw_qemu_guest_agent).
      - Values are strings; numbers and booleans are sent as strings (V(true)
        as C(true)). A property whose value is V(null) is removed.
      - Compared as Glance shows them, so C(hw_vif_multiqueue_enabled=True)
        and C(hw_vif_multiqueue_enabled=true) are the same.
      - Glance's own attributes (C(name), C(visibility), C(min_disk), ...)
        are not properties, but options of their own.
    type: dict
  purge_properties:
    description:
      - Remove the properties that O(properties) does not name (but those
        Glance keeps for itself). With V(false), O(properties) are only added
        or changed.
      - Has no effect when O(properties) is unset.
    type: bool
    default: false
  tags:
    description:
      - Tags of the image. Compared without regard to order.
    type: list
    elements: str
  purge_tags:
    description:
      - Remove the tags that O(tags) does not list. With V(false), O(tags) are
        only added.
      - Has no effect when O(tags) is unset.
    type: bool
    default: false
  state:
    description:
      - V(present) creates the image or updates it; V(absent) deletes it.
      - With V(absent), a project that does not exist means there is nothing
        to delete.
    type: str
    choices: [present, absent]
    default: present
notes:
  - With O(wait=true), the task waits after the upload until the image is
    C(active).
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Guest image, public, with a kernel command line for direct kernel boot
  nimbus.openstack.image:
    cloud: admin
    name: guest-debian-12
    filename: /var/cache/guest/debian-12.qcow2
    disk_format: qcow2
    container_format: bare
    visibility: public
    min_disk: 2
    properties:
      hw_disk_bus: virtio
      hw_qemu_guest_agent: true
      os_command_line: console=ttyS0 root=/dev/vda1
    tags: [nimbus]

- name: Change one property, leaving the others and the data as they are
  nimbus.openstack.image:
    cloud: admin
    name: guest-debian-12
    properties:
      os_command_line: console=ttyS0 root=/dev/vda1 quiet

- name: Make sure the image holds this file (fails if it holds another)
  nimbus.openstack.image:
    cloud: admin
    name: guest-debian-12
    filename: /var/cache/guest/debian-12.qcow2

- name: Delete it
  nimbus.openstack.image:
    cloud: admin
    name: guest-debian-12
    state: absent
"""

RETURN = r"""
image:
  description:
    - The image as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the image; V(null) when it is to be created in check mode.
      type: str
      sample: 6c3c4ff6-2a1e-4d5e-8d7c-9b1f5d7a0e21
    name:
      description: Name of the image.
      type: str
      sample: guest-debian-12
    owner:
      description: ID of the project that owns the image.
      type: str
    status:
      description: Status of the image, such as V(active) or V(queued) (no data yet).
      type: str
      sample: active
    visibility:
      description: Visibility of the image.
      type: str
      sample: public
    is_protected:
      description: Whether the image is protected from deletion.
      type: bool
    is_hidden:
      description: Whether the image is left out of default image lists.
      type: bool
    disk_format:
      description: Disk format of the image.
      type: str
      sample: qcow2
    container_format:
      description: Container format of the image.
      type: str
      sample: bare
    min_disk:
      description: Disk size in GB a server booted from it needs at least.
      type: int
    min_ram:
      description: RAM in MiB a server booted from it needs at least.
      type: int
    size:
      description: Size of the image's data in bytes.
      type: int
    virtual_size:
      description: Virtual size of the image's disk in bytes, when Glance knows it.
      type: int
    checksum:
      description: MD5 of the image's data.
      type: str
    hash_algo:
      description: Algorithm of RV(image.hash_value) (Glance's C(os_hash_algo)).
      type: str
      sample: sha512
    hash_value:
      description: Hash of the image's data (Glance's C(os_hash_value)).
      type: str
    properties:
      description:
        - Every extra property of the image, by its Glance name, as a string.
      type: dict
      sample: {"hw_disk_bus": "virtio", "os_command_line": "console=ttyS0"}
    tags:
      description: Tags of the image.
      type: list
      elements: str
    created_at:
      description: When the image was created.
      type: str
    updated_at:
      description: When the image was last changed.
      type: str
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._image import ImageResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    project=dict(type="str", aliases=["owner"]),
    filename=dict(type="path"),
    disk_format=dict(type="str"),
    container_format=dict(type="str"),
    visibility=dict(type="str", choices=["public", "private", "shared", "community"]),
    min_disk=dict(type="int"),
    min_ram=dict(type="int"),
    is_protected=dict(type="bool", aliases=["protected"]),
    properties=dict(type="dict"),
    purge_properties=dict(type="bool", default=False),
    tags=dict(type="list", elements="str"),
    purge_tags=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = ImageResource(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

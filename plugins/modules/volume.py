#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: volume
short_description: Create, extend, update and delete OpenStack volumes (Cinder)
version_added: 0.1.0
description:
  - Makes sure a Cinder volume with the given name exists, empty or made from
    an image, a snapshot or another volume, or is absent.
  - A volume is identified by its O(name) among the volumes the credentials
    can see; several volumes of that name fail the task.
  - A larger O(size) extends the volume in place, also while it is attached
    when the cloud allows it (block storage API 3.42 and a compute driver
    that supports it), and waits for the new size. A smaller size fails the
    task, as volumes cannot shrink.
  - What the volume is made from (O(image), O(snapshot), O(source_volume)),
    its O(volume_type) and its O(availability_zone) cannot change. On an
    existing volume the module compares each of these options that the task
    sets, and fails naming those that differ.
  - O(description), O(metadata) and O(is_bootable) change in place. Metadata
    keys that the task does not name are kept unless O(purge_metadata) is set.
  - Deleting a volume that is attached to a server, or that has snapshots,
    fails naming them, before anything changes.
  - With O(wait), the task waits until the volume is available (in-use when
    attached); a volume that goes to an error status fails the task with
    Cinder's reason when it gives one.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description: Name of the volume.
    type: str
    required: true
    aliases: [display_name]
  size:
    description:
      - Size of the volume in GiB.
      - Needed to create a volume, unless it is made from a O(snapshot) or a
        O(source_volume) (it then has the size of its source, or this size
        if it is larger).
      - On an existing volume, a larger size extends it; a smaller one fails
        the task.
    type: int
  volume_type:
    description:
      - Volume type, by name or ID. Unset, Cinder's default type.
      - Only set when the volume is created.
    type: str
  image:
    description:
      - Image to copy into the new volume, by name or ID. Needs O(size),
        which must hold the image.
      - Only set when the volume is created; compared with the image Cinder
        remembers for the volume.
    type: str
  snapshot:
    description:
      - Snapshot to make the new volume from, by name or ID.
      - Only set when the volume is created.
    type: str
    aliases: [snapshot_id]
  source_volume:
    description:
      - Volume to copy into the new volume, by name or ID.
      - Only set when the volume is created.
    type: str
    aliases: [volume]
  availability_zone:
    description:
      - Availability zone of the volume. Only set when the volume is created.
    type: str
  description:
    description: Description of the volume.
    type: str
    aliases: [display_description]
  metadata:
    description:
      - Metadata keys and values (strings; numbers and booleans are turned
        into strings). A null value removes the key.
    type: dict
  purge_metadata:
    description: Remove the metadata keys that O(metadata) does not name.
    type: bool
    default: false
  is_bootable:
    description:
      - Whether Nova may boot from the volume. Unset, as Cinder decides (a
        volume made from an image is bootable).
      - On a new volume the flag is set once the volume is available, so the
        task then waits for it even without O(wait).
    type: bool
    aliases: [bootable]
  state:
    description: Whether the volume should exist.
    type: str
    choices: [present, absent]
    default: present
notes:
  - O(timeout) bounds each wait (for a new volume, an extend or a delete);
    copying a large image into a volume can take longer than the default.
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: An empty 10 GiB volume for a database
  nimbus.openstack.volume:
    cloud: mycloud
    name: db-data
    size: 10
    metadata:
      role: db

- name: Grow it to 20 GiB (in place, also while attached)
  nimbus.openstack.volume:
    cloud: mycloud
    name: db-data
    size: 20

- name: A bootable volume with an image's contents
  nimbus.openstack.volume:
    cloud: mycloud
    name: root-disk
    image: debian-12
    size: 8

- name: A copy of a snapshot
  nimbus.openstack.volume:
    cloud: mycloud
    name: db-data-restored
    snapshot: db-data-before-upgrade

- name: Gone
  nimbus.openstack.volume:
    cloud: mycloud
    name: db-data
    state: absent
"""

RETURN = r"""
volume:
  description:
    - The volume as Cinder shows it (openstacksdk's attribute names), as it is
      after the task.
    - In check mode, a volume to be created is predicted from the options,
      with a null C(id).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the volume; V(null) when it is to be created in check mode.
      type: str
      sample: 0c1e7a52-9d44-4c2b-a6e1-37d2f5c8b9a0
    name:
      description: Name of the volume.
      type: str
      sample: db-data
    size:
      description: Size in GiB.
      type: int
      sample: 10
    status:
      description: Status, such as V(available), V(in-use), V(extending).
      type: str
      sample: available
    volume_type:
      description: Name of the volume type.
      type: str
      sample: __DEFAULT__
    availability_zone:
      description: Availability zone.
      type: str
      sample: nova
    description:
      description: Description.
      type: str
    metadata:
      description: Metadata.
      type: dict
      sample: {"role": "db"}
    is_bootable:
      description: Whether Nova may boot from it.
      type: bool
    is_multiattach:
      description: Whether it can be attached to several servers at once.
      type: bool
    image_id:
      description: ID of the image it was made from, if any.
      type: str
    snapshot_id:
      description: ID of the snapshot it was made from, if any.
      type: str
    source_volume_id:
      description: ID of the volume it was copied from, if any.
      type: str
    attachments:
      description: Where it is attached.
      type: list
      elements: dict
      sample: [{"server_id": "5b2f…", "device": "/dev/vdb", "attachment_id": "e1c…"}]
    project_id:
      description: ID of its project (shown to administrators).
      type: str
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._volume import VolumeResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True, aliases=["display_name"]),
    size=dict(type="int"),
    volume_type=dict(type="str"),
    image=dict(type="str"),
    snapshot=dict(type="str", aliases=["snapshot_id"]),
    source_volume=dict(type="str", aliases=["volume"]),
    availability_zone=dict(type="str"),
    description=dict(type="str", aliases=["display_description"]),
    metadata=dict(type="dict"),
    purge_metadata=dict(type="bool", default=False),
    is_bootable=dict(type="bool", aliases=["bootable"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    VolumeResource(ARGUMENT_SPEC, supports_check_mode=True,
                   mutually_exclusive=[("image", "snapshot", "source_volume")]).execute()


if __name__ == "__main__":
    main()

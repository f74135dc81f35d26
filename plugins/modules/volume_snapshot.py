#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: volume_snapshot
short_description: Create, update and delete snapshots of OpenStack volumes (Cinder)
version_added: 0.1.0
description:
  - Makes sure a snapshot of a Cinder volume exists with the given name, or
    is absent.
  - A snapshot is identified by its O(name) and, when the task sets it, its
    O(volume); so each volume can have a snapshot of the same name. Without
    O(volume), several snapshots of that name fail the task.
  - O(description) and O(metadata) change in place. Metadata keys that the
    task does not name are kept unless O(purge_metadata) is set.
  - With O(wait), the task waits until the snapshot is available; a snapshot
    that goes to an error status fails the task with Cinder's reason when it
    gives one.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description: Name of the snapshot.
    type: str
    required: true
    aliases: [display_name]
  volume:
    description:
      - The volume of the snapshot, by name or ID. Needed to create it.
      - With O(state=absent), only that volume's snapshot is deleted; a
        volume that does not exist means there is nothing to delete.
    type: str
    aliases: [volume_id]
  description:
    description: Description of the snapshot.
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
  force:
    description:
      - Snapshot the volume even while it is attached (in-use). The data is
        then only as consistent as a power cut leaves it.
      - Cinder before block storage API 3.66 refuses to snapshot an attached
        volume without it; newer Cinder does not need it.
      - Only used when the snapshot is created.
    type: bool
    default: false
  state:
    description: Whether the snapshot should exist.
    type: str
    choices: [present, absent]
    default: present
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Snapshot the database volume before an upgrade
  nimbus.openstack.volume_snapshot:
    cloud: mycloud
    name: before-upgrade
    volume: db-data
    force: true
    metadata:
      ticket: OPS-42

- name: Gone
  nimbus.openstack.volume_snapshot:
    cloud: mycloud
    name: before-upgrade
    volume: db-data
    state: absent
"""

RETURN = r"""
snapshot:
  description:
    - The snapshot as Cinder shows it (openstacksdk's attribute names), as it
      is after the task.
    - In check mode, a snapshot to be created is predicted from the options,
      with a null C(id).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: ID of the snapshot; V(null) when it is to be created in check mode.
      type: str
      sample: 7f3d2a10-5b6c-4e8f-9a1b-2c3d4e5f6a7b
    name:
      description: Name of the snapshot.
      type: str
      sample: before-upgrade
    volume_id:
      description: ID of its volume.
      type: str
    size:
      description: Size in GiB (that of the volume).
      type: int
      sample: 10
    status:
      description: Status, such as V(available).
      type: str
      sample: available
    description:
      description: Description.
      type: str
    metadata:
      description: Metadata.
      type: dict
      sample: {"ticket": "OPS-42"}
    created_at:
      description: When it was taken.
      type: str
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._volume import SnapshotResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True, aliases=["display_name"]),
    volume=dict(type="str", aliases=["volume_id"]),
    description=dict(type="str", aliases=["display_description"]),
    metadata=dict(type="dict"),
    purge_metadata=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    SnapshotResource(ARGUMENT_SPEC, supports_check_mode=True).execute()


if __name__ == "__main__":
    main()

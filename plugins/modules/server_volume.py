#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: server_volume
short_description: Attach OpenStack volumes to servers and detach them
version_added: 0.1.0
description:
  - Makes sure a Cinder volume is attached to a Nova server, or is not.
  - A volume already attached to the server is left as it is. A volume
    attached to another server fails the task, unless it is a multiattach
    volume.
  - With O(wait), the task waits until the volume is attached (in-use) or
    detached; an attach or detach that Nova gives up on fails the task.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  server:
    description: The server, by name or ID.
    type: str
    required: true
  volume:
    description: The volume, by name or ID.
    type: str
    required: true
  device:
    description:
      - Device name to ask for, such as V(/dev/vdb).
      - Only a hint, used when the volume is attached. The libvirt driver
        picks the next free device whatever is asked, and the guest names
        its disks itself. It is never compared with the device of an
        existing attachment; use RV(attachment.device) to see what Nova chose.
    type: str
  state:
    description: V(present) attaches the volume, V(absent) detaches it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - With O(state=absent), a server or volume that does not exist means there
    is nothing to detach.
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Attach the data volume to the database server
  nimbus.openstack.server_volume:
    cloud: mycloud
    server: db1
    volume: db-data
  register: _attached

- name: Detach it
  nimbus.openstack.server_volume:
    cloud: mycloud
    server: db1
    volume: db-data
    state: absent
"""

RETURN = r"""
attachment:
  description:
    - The attachment, as Cinder shows it once done (with O(wait=false), as
      Nova answered the request to attach).
    - In check mode, an attachment to be made is predicted from the options,
      with a null C(attachment_id).
  returned: when O(state=present)
  type: dict
  contains:
    server_id:
      description: ID of the server.
      type: str
      sample: 5b2f4a9e-55a1-4d5e-9f66-8b3d1c3f6d0a
    volume_id:
      description: ID of the volume.
      type: str
      sample: 0c1e7a52-9d44-4c2b-a6e1-37d2f5c8b9a0
    device:
      description: Device that Nova gave the volume (not necessarily the name the guest uses).
      type: str
      sample: /dev/vdb
    attachment_id:
      description: ID of Cinder's attachment.
      type: str
    host_name:
      description: Compute host of the attachment (shown to administrators).
      type: str
    attached_at:
      description: When the volume was attached.
      type: str
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._volume import AttachmentResource

ARGUMENT_SPEC = dict(
    server=dict(type="str", required=True),
    volume=dict(type="str", required=True),
    device=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    AttachmentResource(ARGUMENT_SPEC, supports_check_mode=True).execute()


if __name__ == "__main__":
    main()

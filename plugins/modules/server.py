#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: server
short_description: Create, update and delete OpenStack servers (Nova instances)
version_added: 0.1.0
description:
  - Makes sure a server with the given name exists in the project of the
    credentials, booted from an image with a flavor on the given networks, or
    is absent.
  - A server is identified by its O(name) in the credentials' project;
    several servers of that name fail the task.
  - What makes the server (O(image), O(flavor), O(networks), O(key_name),
    O(user_data), O(config_drive), O(availability_zone), and O(boot_from_volume)
    with O(volume_size) and O(terminate_volume)) cannot change in place. On an existing server the module compares each option the task
    sets, and fails naming those that differ; it never rebuilds, resizes or
    re-creates a server by itself.
  - O(metadata), O(tags), O(security_groups) and O(description) change in
    place. Metadata keys and tags that the task does not name are kept unless
    O(purge_metadata) or O(purge_tags) is set.
  - The module never gives the server a floating IP; use
    M(nimbus.openstack.floating_ip) for that.
  - With O(wait), a new server is waited for until it is ACTIVE; a server that
    goes to ERROR fails the task with Nova's fault message. A server found in
    ERROR fails the task the same way.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description: Name of the server.
    type: str
    required: true
  image:
    description:
      - Image to boot from, by name or ID. Needed to create the server.
      - With O(boot_from_volume), the image copied into the root volume; on
        an existing server it is compared with the image of its root volume.
    type: str
  boot_from_volume:
    description:
      - Boot from a new volume that Nova has Cinder make from O(image), of
        O(volume_size), instead of from a local disk of the flavor's size.
      - On an existing server, V(true) or V(false) is compared with how it
        was booted.
    type: bool
  volume_size:
    description:
      - Size in GiB of the root volume. Needed with O(boot_from_volume); it
        must hold the image.
    type: int
  terminate_volume:
    description:
      - Delete the root volume with the server. Goes with O(boot_from_volume).
      - Unset, V(false) (Nova's default) for a new server, so the volume
        stays when the server is deleted. Not compared on an existing server
        unless set.
    type: bool
  flavor:
    description:
      - Flavor, by name or ID. Needed to create the server.
      - On an existing server it is compared by name with the flavor the
        server was made with.
    type: str
  networks:
    description:
      - The server's network interfaces, in order. Needed to create the server.
      - Each entry names a O(networks[].network) (optionally with a
        O(networks[].fixed_ip)) or an existing O(networks[].port).
      - On an existing server, its ports must be those the entries ask for.
    type: list
    elements: dict
    suboptions:
      network:
        description: A network, by name or ID, on which Nova makes a port.
        type: str
      fixed_ip:
        description: The address of the port on O(networks[].network).
        type: str
      port:
        description: An existing port, by name or ID.
        type: str
  key_name:
    description: Name of the keypair whose public key the guest gets.
    type: str
  security_groups:
    description:
      - Security groups of the server's ports, by name or ID (of the
        credentials' project). Changed in place.
      - Unset, Nova gives a new server the project's C(default) group and an
        existing server keeps what it has. V([]) removes every group.
      - Nova applies them to the ports it makes; a port given in O(networks)
        keeps its own groups when the server is created.
    type: list
    elements: str
  user_data:
    description:
      - User data (cloud-init's, for example), as text. Only administrators
        can read it back, so other users' re-runs do not compare it.
    type: str
  config_drive:
    description: Whether the guest gets a config drive with its metadata.
    type: bool
  availability_zone:
    description: Availability zone (or C(zone:host) for administrators) to boot in.
    type: str
  metadata:
    description:
      - Metadata keys and values (strings; numbers and booleans are turned
        into strings). A null value removes the key.
    type: dict
  purge_metadata:
    description: Remove the metadata keys that O(metadata) does not name.
    type: bool
    default: false
  tags:
    description: Tags of the server.
    type: list
    elements: str
  purge_tags:
    description: Remove the tags that O(tags) does not list.
    type: bool
    default: false
  description:
    description: Description of the server.
    type: str
  state:
    description: Whether the server should exist.
    type: str
    choices: [present, absent]
    default: present
notes:
  - O(timeout) bounds the wait for ACTIVE (and for the deletion to finish);
    booting can take minutes on emulated (TCG) compute hosts.
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: A web server on the tenant network, reachable with the deployer's key
  nimbus.openstack.server:
    cloud: mycloud
    name: web1
    image: debian-12
    flavor: m1.small
    networks:
      - network: tenant
    key_name: deployer
    security_groups: [web, ssh]
    metadata:
      role: web
    tags: [production]
    user_data: |
      #cloud-config
      packages: [nginx]
  register: _web1

- name: A server whose root disk is a 20 GiB volume, deleted with it
  nimbus.openstack.server:
    cloud: mycloud
    name: db1
    image: debian-12
    flavor: m1.small
    networks:
      - network: tenant
    boot_from_volume: true
    volume_size: 20
    terminate_volume: true

- name: Then a floating IP for it
  nimbus.openstack.floating_ip:
    cloud: mycloud
    server: web1
    network: public

- name: Gone
  nimbus.openstack.server:
    cloud: mycloud
    name: web1
    state: absent
"""

RETURN = r"""
server:
  description:
    - The server as Nova shows it (openstacksdk's attribute names), with its
      Neutron C(ports) and the C(security_group_ids) of those ports. Null
      when O(state=absent).
    - In check mode, a server to be created is predicted from the options,
      with a null C(id).
  returned: always
  type: dict
  sample:
    id: 5b2f4a9e-55a1-4d5e-9f66-8b3d1c3f6d0a
    name: web1
    status: ACTIVE
    addresses: {"tenant": [{"addr": "10.0.0.5", "version": 4, "OS-EXT-IPS:type": "fixed"}]}
    metadata: {"role": "web"}
    tags: [production]
    ports: [{"id": "9a8c…", "network_id": "…", "fixed_ips": [{"subnet_id": "…", "ip_address": "10.0.0.5"}]}]
    security_group_ids: ["3f1e…"]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._server import ServerResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    image=dict(type="str"),
    boot_from_volume=dict(type="bool"),
    volume_size=dict(type="int"),
    terminate_volume=dict(type="bool"),
    flavor=dict(type="str"),
    networks=dict(type="list", elements="dict", options=dict(
        network=dict(type="str"),
        fixed_ip=dict(type="str"),
        port=dict(type="str"),
    )),
    key_name=dict(type="str", no_log=False),
    security_groups=dict(type="list", elements="str"),
    user_data=dict(type="str"),
    config_drive=dict(type="bool"),
    availability_zone=dict(type="str"),
    metadata=dict(type="dict"),
    purge_metadata=dict(type="bool", default=False),
    tags=dict(type="list", elements="str"),
    purge_tags=dict(type="bool", default=False),
    description=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    ServerResource(ARGUMENT_SPEC, supports_check_mode=True).execute()


if __name__ == "__main__":
    main()

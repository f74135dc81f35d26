#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: guest_image
short_description: Build a tiny OpenStack test guest from Debian packages
version_added: 0.1.0
description:
  - Builds, on the host it runs on, a kernel, an initramfs and a small raw disk
    that together make an OpenStack test guest which boots in seconds, even
    under QEMU TCG with 128 MiB of memory, and needs nothing from the internet.
  - The kernel is Debian's cloud kernel. The initramfs holds busybox, dropbear,
    the virtio network drivers and those of an IDE cdrom with ISO 9660; its
    C(/init) gets an address by DHCP (honouring classless static routes and the
    MTU option), mounts the server's config drive (label C(config-2)) read-only
    at C(/mnt/config) when it has one, reads the instance ID and the SSH key
    from the metadata service at C(169.254.169.254), starts dropbear on port 22
    for C(root) with that key, and prints marker lines on the serial console
    (see RV(marker)). It never exits.
  - The packages come with C(apt-get download) through the host's own apt
    configuration, at the versions apt would install; nothing is installed on
    the host. The initramfs is written by the module itself (no C(cpio) needed).
  - Each image is kept in O(cache_dir) under a directory named after its
    recipe (the packages and their versions, the scripts, the driver list and
    the module's format version), built in a temporary directory there and
    renamed into place when complete. A recipe already built is not built
    again; runs sharing the cache wait for each other.
  - Boot it with the kernel and ramdisk of RV(kernel) and RV(ramdisk), kernel
    command line RV(command_line), and RV(disk) as the machine image.
options:
  cache_dir:
    description:
      - Directory that holds the images, created if missing. Builds happen in
        a temporary directory inside it; nothing is written elsewhere.
    type: path
    default: /var/cache/nimbus/guest-image
  kernel_package:
    description:
      - Debian kernel package, a C(linux-image-<version>) package or a
        metapackage that depends on one.
    type: str
    default: linux-image-cloud-amd64
  force:
    description:
      - Build the image again even when it is in the cache.
    type: bool
    default: false
notes:
  - Needs C(apt-get), C(apt-cache) and C(dpkg-deb) (a Debian or Ubuntu host),
    with apt lists that are up to date enough for their packages to download.
  - The guest prints, on its console, C(NIMBUS-GUEST-ADDRESS eth0 <address>/<prefix>)
    (or C(NIMBUS-GUEST-DHCP-FAILED eth0)); only when the server has a config drive,
    C(NIMBUS-GUEST-CONFIG-DRIVE uuid=<uuid of its openstack/latest/meta_data.json>)
    (or C(NIMBUS-GUEST-CONFIG-DRIVE-FAILED device=<device> error=<last error>));
    C(NIMBUS-GUEST-HOSTKEY <public host key>),
    and then either C(NIMBUS-GUEST-READY instance-id=<uuid> address=<address>) once
    SSH works with the key from the metadata, or
    C(NIMBUS-GUEST-METADATA-FAILED <what> instance-id=<uuid or unknown> address=<address or none> error=<last error>)
    after trying the metadata service for about a minute.
  - The config drive is found as Nova attaches it on x86_64 by default, an IDE
    cdrom of the C(pc) (i440fx) machine type, in ISO 9660. Debian's cloud kernel
    has no AHCI driver, so the guest does not see the SATA cdrom of a C(q35)
    machine (C(hw_machine_type)); nor does it read a C(vfat) config drive.
attributes:
  check_mode:
    description: Can run in check mode and predict the change without making it.
    support: full
    details: Reads the apt lists and the cache to tell whether a build is due; downloads nothing.
  diff_mode:
    description: Returns details on what changed.
    support: none
  idempotent:
    description: Run twice with the same options, the second run reports no change.
    support: full
    details: A new package version in the host's apt lists is a new recipe, hence a new build.
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Build the test guest on the deployer
  nimbus.openstack.guest_image:
  delegate_to: localhost
  register: guest

- name: Upload its kernel, ramdisk and disk to Glance (names are examples)
  ansible.builtin.debug:
    msg: >-
      kernel {{ guest.kernel }} (md5 {{ guest.checksums.kernel.md5 }}),
      ramdisk {{ guest.ramdisk }}, disk {{ guest.disk }},
      os_command_line {{ guest.command_line }}

- name: Rebuild it in another cache
  nimbus.openstack.guest_image:
    cache_dir: /srv/images/guest
    force: true
"""

RETURN = r"""
image_dir:
  description: Directory of the image in the cache.
  returned: success
  type: str
  sample: /var/cache/nimbus/guest-image/3f1c0d6e2b5a4c17
kernel:
  description: Path of the kernel.
  returned: success
  type: str
  sample: /var/cache/nimbus/guest-image/3f1c0d6e2b5a4c17/vmlinuz
ramdisk:
  description: Path of the initramfs (a gzip-compressed newc cpio archive).
  returned: success
  type: str
  sample: /var/cache/nimbus/guest-image/3f1c0d6e2b5a4c17/initrd.img
disk:
  description: Path of the raw machine image (1 MiB of zeros; the guest runs from its ramdisk).
  returned: success
  type: str
  sample: /var/cache/nimbus/guest-image/3f1c0d6e2b5a4c17/disk.raw
checksums:
  description:
    - Size and checksums of each file, by role (C(kernel), C(ramdisk), C(disk)).
      Glance's C(checksum) is the md5, its C(os_hash_value) the sha512.
    - Empty in check mode when the image is still to be built.
  returned: success
  type: dict
  contains:
    kernel:
      description: Of the kernel.
      type: dict
      contains:
        md5:
          description: MD5 hex digest.
          type: str
        sha256:
          description: SHA-256 hex digest.
          type: str
        sha512:
          description: SHA-512 hex digest.
          type: str
        size:
          description: Size in bytes.
          type: int
    ramdisk:
      description: Of the initramfs, as for the kernel.
      type: dict
    disk:
      description: Of the raw disk, as for the kernel.
      type: dict
kernel_package:
  description: The C(linux-image-<version>) package the kernel comes from.
  returned: success
  type: str
  sample: linux-image-6.1.0-56-cloud-amd64
kernel_version:
  description: Version of the kernel.
  returned: success
  type: str
  sample: 6.1.0-56-cloud-amd64
packages:
  description: Every package the image is made of, with its version.
  returned: success
  type: dict
  sample: {"busybox-static": "1:1.35.0-4+deb12u1+b1", "dropbear-bin": "2022.83-1+deb12u3"}
recipe:
  description: Hash of the recipe; the name of the image's directory.
  returned: success
  type: str
  sample: 3f1c0d6e2b5a4c17
marker:
  description:
    - The word that starts the console line of a guest that is up, followed by
      C(instance-id=<the server's ID>) and C(address=<its address>).
  returned: success
  type: str
  sample: NIMBUS-GUEST-READY
metadata_failed_marker:
  description: The word that starts the console line of a guest that could not read its metadata.
  returned: success
  type: str
  sample: NIMBUS-GUEST-METADATA-FAILED
config_drive_marker:
  description:
    - The word that starts the console line of a guest that mounted its config
      drive, followed by C(uuid=<the server's ID, as the config drive has it>).
      A guest without a config drive prints no such line; it comes before the
      line of RV(marker).
  returned: success
  type: str
  sample: NIMBUS-GUEST-CONFIG-DRIVE
command_line:
  description: Kernel command line to boot the guest with (Glance property C(os_command_line)).
  returned: success
  type: str
  sample: console=ttyS0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nimbus.openstack.plugins.module_utils.guest_image._build import (
    DEFAULT_CACHE_DIR,
    DEFAULT_KERNEL_PACKAGE,
    run_module,
)

ARGUMENT_SPEC = dict(
    cache_dir=dict(type="path", default=DEFAULT_CACHE_DIR),
    kernel_package=dict(type="str", default=DEFAULT_KERNEL_PACKAGE),
    force=dict(type="bool", default=False),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module)


if __name__ == "__main__":
    main()

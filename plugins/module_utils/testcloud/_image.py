# Private to this collection: not a public API, may change without notice.
"""The cached Debian 12 base image that every test-cloud host starts from.

Built once with debootstrap (through the package cache, so a rebuild downloads
nothing) and kept under /var/cache/nimbus/images/<suite>-<recipe hash>; a change
to the recipe below gives a new hash, hence a new image.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._sys import run, write_file

IMAGE_ROOT = "/var/cache/nimbus/images"
# In a host's directory once its disk is complete (every backend): its base image is no longer needed.
DISK_DONE = "disk-complete"

PACKAGES = [
    "systemd", "systemd-sysv", "dbus", "openssh-server", "python3", "python3-apt",
    "iproute2", "iputils-ping", "procps", "ca-certificates", "less",
]

# Run in the image once debootstrap is done: what every host needs and no host
# may share (host keys, machine id), and nothing that starts work on its own.
CUSTOMIZE = [
    ["systemctl", "enable", "systemd-networkd"],
    ["systemctl", "mask", "systemd-networkd-wait-online.service", "apt-daily.timer",
     "apt-daily-upgrade.timer", "e2scrub_all.timer", "fstrim.timer"],
    ["apt-get", "clean"],
]
REMOVE = ["etc/ssh/ssh_host_*", "var/lib/apt/lists/*_*", "etc/hostname"]
# What a Debian installer leaves and debootstrap does not.
FILES = {"etc/hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"}

RECIPE = {"suite": "bookworm", "variant": "minbase", "packages": PACKAGES,
          "customize": CUSTOMIZE, "remove": REMOVE, "files": FILES, "version": 2}


def recipe_id():
    digest = hashlib.sha256(json.dumps(RECIPE, sort_keys=True).encode()).hexdigest()[:12]
    return "%s-%s" % (RECIPE["suite"], digest)


def image_path():
    return os.path.join(IMAGE_ROOT, recipe_id())


def ensure_image(mirror, proxy):
    """Return (rootfs path, changed): the base image of the current recipe, built if missing."""
    return cached_build(IMAGE_ROOT, image_path(), lambda tmp: _build(tmp, mirror, proxy))


def _build(tmp, mirror, proxy):
    rootfs = os.path.join(tmp, "rootfs")
    run(["debootstrap", "--variant=" + RECIPE["variant"], "--include=" + ",".join(PACKAGES),
         RECIPE["suite"], rootfs, mirror],
        env={"http_proxy": proxy} if proxy else None)
    for cmd in CUSTOMIZE:
        run(["chroot", rootfs] + cmd)
    for pattern in REMOVE:
        for found in glob.glob(os.path.join(rootfs, pattern)):
            os.remove(found)
    for name, content in FILES.items():
        write_file(os.path.join(rootfs, name), content)
    forget_package_lists(rootfs)
    write_file(os.path.join(tmp, "recipe.json"), json.dumps(RECIPE, indent=1, sort_keys=True) + "\n")


def forget_package_lists(rootfs):
    """Remove the package lists; their directory's old time makes the first install fetch them anew."""
    for found in glob.glob(os.path.join(rootfs, "var/lib/apt/lists/*_*")):
        os.remove(found)
    os.utime(os.path.join(rootfs, "var/lib/apt/lists"), (0, 0))


def cached_build(root, path, build):
    """Return (path's rootfs, changed): made once by build(directory), in a
    directory renamed to `path` when complete. Everything else under `root`
    (half-built, or of another recipe) is only cache, and goes first."""
    rootfs = os.path.join(path, "rootfs")
    if os.path.exists(os.path.join(path, "complete")):
        return rootfs, False
    os.makedirs(root, exist_ok=True)
    for stale in glob.glob(os.path.join(root, "*")):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = path + ".building"
    os.makedirs(tmp)
    build(tmp)
    write_file(os.path.join(tmp, "complete"), "")
    os.rename(tmp, path)
    return rootfs, True

# Private to this collection: not a public API, may change without notice.
"""The host image: the base image with every package the deployment's roles
install already unpacked, and nothing configured or started.

The first package install of a deploy (the common role's, after its debconf
answers and policy-rc.d are in place) configures them all, as it would on a
bare host; only the download, the unpacking and the byte-compiling are saved.
The packages' Python files are compiled here, as their postinst's py3compile
would do it, which then finds them up to date and skips them (about 20 s of
the configure's 90 s here); bytecode is a cache, not configuration. Kept under
/var/cache/nimbus/host-images/<hash of base image, packages and apt sources>;
any change to those gives a new image, and the old one is removed.
"""

from __future__ import annotations

import hashlib
import json
import os

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._apt import render_deb822
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._image import cached_build, forget_package_lists
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._sys import run, write_file

HOST_IMAGE_ROOT = "/var/cache/nimbus/host-images"
VERSION = 2
# Unpacked in one dpkg run: Pre-Depends are only on packages of the same run,
# which the first install configures before anything uses them. Then the Python
# files of the unpacked packages (not their docs) are byte-compiled.
BUILD = (
    "set -e; export DEBIAN_FRONTEND=noninteractive; "
    "apt-get -q update >/dev/null; "
    "apt-get -q -y --download-only --no-install-recommends install \"$@\" >/dev/null; "
    "if ls /var/cache/apt/archives/*.deb >/dev/null 2>&1; then "
    "dpkg --unpack --force-depends /var/cache/apt/archives/*.deb >/dev/null; fi; "
    "apt-get clean; "
    "dpkg-query -W -f='${Package}\\t${Status}\\n' | awk -F'\\t' '$2 ~ / unpacked$/ {print $1}' "
    "| xargs -r dpkg -L | grep '[.]py$' | grep -v '^/usr/share/doc/' "
    "| python3 -m compileall -q -j 0 -i - >/dev/null 2>&1 || true"
)


def host_image_id(base_rootfs, packages, sources):
    recipe = {"base": os.path.basename(os.path.dirname(base_rootfs)), "packages": sorted(set(packages)),
              "sources": sources, "version": VERSION}
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]


def ensure_host_image(base_rootfs, packages, sources, proxy):
    """Return (rootfs path, changed): the host image for `packages`, built from the base image if missing."""
    path = os.path.join(HOST_IMAGE_ROOT, host_image_id(base_rootfs, packages, sources))
    return cached_build(HOST_IMAGE_ROOT, path, lambda tmp: _build(tmp, base_rootfs, sorted(set(packages)), sources, proxy))


def _build(tmp, base_rootfs, packages, sources, proxy):
    rootfs = os.path.join(tmp, "rootfs")
    run(["cp", "-a", "--reflink=auto", base_rootfs, rootfs])
    # The sources the hosts get; the package cache as proxy, for the build only.
    write_file(os.path.join(rootfs, "etc/apt/sources.list"), "# See sources.list.d/debian.sources\n")
    write_file(os.path.join(rootfs, "etc/apt/sources.list.d/debian.sources"), render_deb822(sources))
    run(["systemd-nspawn", "--directory", rootfs, "--quiet", "--pipe", "--register=no", "--keep-unit",
         "--setenv=http_proxy=" + proxy, "--resolv-conf=off", "--timezone=off",
         "/bin/sh", "-c", BUILD, "build"] + packages)
    forget_package_lists(rootfs)
    write_file(os.path.join(tmp, "packages.txt"), "\n".join(packages) + "\n")

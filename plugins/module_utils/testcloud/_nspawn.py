# Private to this collection: not a public API, may change without notice.
"""Test-cloud hosts as systemd-nspawn containers that boot systemd.

The machine's PID 1 is not systemd, so the flags are the measured ones of
DESIGN.md: no registration, keep our own unit, and a network namespace that
is made anew at every start.
"""

from __future__ import annotations

import glob
import json
import os
import shutil

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._image import DISK_DONE
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._net import delete_netns, fresh_netns
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._sys import (
    find_processes,
    run,
    spawn,
    stop_process,
    write_file,
)

STOP_TIMEOUT = 90
# A disk is a copy of its image's tree, used as it is: the host image fits.
HOST_IMAGE = True
HOSTS = "127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n"


def _rootfs(host_dir):
    return os.path.join(host_dir, "rootfs")


def _pids(host_dir):
    # Found by command line, not a pid file: a container whose pid file was lost
    # (or a stray one from an interrupted run) must never get a twin on its disk.
    return find_processes(["systemd-nspawn", "--directory", _rootfs(host_dir)])


def running(host_dir):
    return bool(_pids(host_dir))


def create_disk(host_dir, base_rootfs):
    """Copy the base image to the host's own disk once; True if it was made now."""
    rootfs = _rootfs(host_dir)
    if os.path.exists(os.path.join(host_dir, DISK_DONE)):
        return False
    shutil.rmtree(rootfs, ignore_errors=True)  # half-made by an interrupted run
    os.makedirs(host_dir, exist_ok=True)
    run(["cp", "-a", "--reflink=auto", base_rootfs, rootfs])
    # As a Debian installer leaves it: the host's own name (its directory's)
    # resolves, which postinst scripts ask for, until the deployment's common
    # role writes the cloud's names. Written once, with the disk.
    write_file(os.path.join(rootfs, "etc/hosts"), HOSTS % os.path.basename(host_dir))
    write_file(os.path.join(host_dir, DISK_DONE), "")
    return True


def configure(host_dir, files):
    """Write the host's own files (path in the host -> (content, mode)); True if any changed.

    Host SSH keys are made once, here, so every host has its own.
    """
    rootfs = _rootfs(host_dir)
    changed = False
    for path, (content, mode) in sorted(files.items()):
        changed |= write_file(os.path.join(rootfs, path.lstrip("/")), content, mode)
    if not glob.glob(os.path.join(rootfs, "etc/ssh/ssh_host_*_key")):
        run(["ssh-keygen", "-A", "-f", rootfs])
        changed = True
    return changed


def host_public_key(host_dir):
    with open(os.path.join(_rootfs(host_dir), "etc/ssh/ssh_host_ed25519_key.pub")) as handle:
        return " ".join(handle.read().split()[:2])


def start(host_dir, host):
    """Boot the container in a fresh network namespace."""
    fresh_netns(host)
    cmd = [
        "systemd-nspawn", "--directory", _rootfs(host_dir), "--quiet", "--boot",
        "--machine", host["netns"], "--hostname", host["name"],
        "--register=no", "--keep-unit", "--link-journal=no", "--resolv-conf=off",
        "--timezone=off", "--console=read-only", "--capability=all",
        "--network-namespace-path=/run/netns/" + host["netns"],
        "--bind=/dev/net/tun", "--bind=/dev/kvm",
    ]
    if "storage" in host["groups"]:
        cmd += ["--bind=" + dev for dev in ["/dev/loop-control"] + sorted(glob.glob("/dev/loop[0-9]*"))]
    # Neutron's agents set sysctls inside their namespaces: /proc/sys/net must be writable.
    spawn(cmd, os.path.join(host_dir, "console.log"), env={"SYSTEMD_NSPAWN_API_VFS_WRITABLE": "network"})


def stop(host_dir, host):
    """Shut the container down cleanly (killed after STOP_TIMEOUT) and drop its namespace."""
    pids = _pids(host_dir)
    for pid in pids:
        stop_process(pid, STOP_TIMEOUT)  # nspawn turns SIGTERM into a clean poweroff
    return delete_netns(host["netns"]) or bool(pids)


def remove(host_dir, host):
    """Delete a stopped host's disk, and the loop devices it set up on files of it."""
    del host
    detach_loops(_rootfs(host_dir))
    shutil.rmtree(host_dir, ignore_errors=True)


def detach_loops(root):
    """Detach loop devices (a storage host's, such as an OSD's) backed by files under `root`.

    A loop device made inside a container is the machine's, and keeps its file
    after the container is gone; the file is found by device and inode, as the
    path the kernel keeps is the one the container saw.
    """
    try:
        root_dev = os.stat(root).st_dev
    except FileNotFoundError:
        return
    listed = json.loads(run(["losetup", "--list", "--json", "--output", "NAME,BACK-MAJ:MIN,BACK-INO"])[1] or "{}")
    on_root = "%d:%d" % (os.major(root_dev), os.minor(root_dev))
    wanted = {int(loop["back-ino"]): loop["name"] for loop in listed.get("loopdevices", [])
              if str(loop.get("back-maj:min")).strip() == on_root and str(loop.get("back-ino")).isdigit()}
    if not wanted:
        return
    for top, _dirs, files in os.walk(root):
        for file_name in files:
            path = os.path.join(top, file_name)
            ino = os.lstat(path).st_ino
            if ino in wanted and os.path.isfile(path) and not os.path.islink(path):
                run(["losetup", "--detach", wanted.pop(ino)])

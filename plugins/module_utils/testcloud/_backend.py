# Private to this collection: not a public API, may change without notice.
"""What a test-cloud backend is: a module of these functions. The nspawn
(containers) and libvirt (VMs) backends both provide every one, so the tool
makes, starts and removes hosts the same way with either."""

from __future__ import annotations

# name -> what it does; host_dir is the host's state directory, host its plan.
FUNCTIONS = {
    "create_disk": "create_disk(host_dir, base_rootfs) -> bool: make the host's disk from the base image if it is missing (True when made)",
    "configure": "configure(host_dir, files) -> bool: put {path: content} files on the host's disk (True when any changed)",
    "host_public_key": "host_public_key(host_dir) -> str: the host's SSH host key",
    "running": "running(host_dir) -> bool: whether the host runs",
    "start": "start(host_dir, host): boot the host with its network interfaces",
    "stop": "stop(host_dir, host): shut the host down, and force it off after a timeout",
    "remove": "remove(host_dir, host): stop the host and delete everything it has",
}
# Optional: BOOT_TIMEOUT (seconds to SSH after start), preflight() (checks run
# before anything changes), HOST_IMAGE (True: an all-in-one host's disk may be
# made from the host image, whose unpacked packages a chroot install would
# configure).


def missing_functions(backend):
    """Names of FUNCTIONS that the module `backend` lacks."""
    return sorted(name for name in FUNCTIONS if not callable(getattr(backend, name, None)))


def checked(backend):
    """`backend` itself, once it is known to provide every function."""
    missing = missing_functions(backend)
    if missing:
        raise TypeError("test-cloud backend %s lacks %s" % (backend.__name__, ", ".join(missing)))
    return backend

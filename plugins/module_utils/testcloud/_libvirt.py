# Private to this collection: not a public API, may change without notice.
"""Test-cloud hosts as QEMU virtual machines made by libvirt (libvirt-python).

The same contract as the nspawn backend, for machines where a host must be a
real VM (its own kernel, modules, sysctls):

- Disk: a raw, sparse ext4 image per host, copied from a cached "VM layer" of
  the base image (the base rootfs plus Debian's cloud kernel, installed through
  the package cache). The image is made with ``mkfs.ext4 -d``: no loop device,
  no mount, no device-mapper.
- Boot: libvirt direct kernel boot with the kernel and initramfs of that layer
  (copied next to the disk, so a newer layer never mismatches a host's modules).
  TCG (domain type ``qemu``) unless a probe shows that KVM really runs a guest.
- NICs: virtio on the cloud's bridges, in the order eth0, eth1, eth2 (the guest
  boots with ``net.ifnames=0``); tap devices are named after the host's veth
  names, so they carry the cloud's interface prefix.
- Files: configure() records what the host's files must be; start() writes what
  changed into the stopped disk with ``debugfs`` (after ``e2fsck`` has replayed
  the journal). Files are compared with what was last written, not with the
  disk's current content (a running guest's disk cannot be read reliably), so
  a guest's own edits to those files stay until the orchestrator's files change.
- Daemons: on a machine whose PID 1 is not systemd, virtlogd and libvirtd are
  started here (detached, found again by their process) when nothing answers on
  ``qemu:///system``; without libvirt-daemon-system that needs the libvirt-qemu
  user and a qemu.conf (see _ensure_qemu_settings). QEMU runs as root (static
  DAC label, no relabelling): the nspawn hosts are no less privileged.
- Limits: the kernel is the layer's, outside the guest's disk, so a kernel
  upgraded inside a guest is not booted; memory and vCPUs are MEMORY_MIB and
  VCPUS unless the host dict names its own.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.nimbus.openstack.plugins.module_utils.host import _kvm as kvm
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._image import DISK_DONE
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._model import PlanError
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._sys import (
    SysError,
    find_processes,
    run,
    write_file,
)

try:
    import libvirt
except ImportError:  # reported by preflight(), with what to install
    libvirt = None

URI = "qemu:///system"
LAYER_ROOT = "/var/cache/nimbus/libvirt"
MEMORY_MIB = 1024  # per host; a host dict may carry its own "memory_mib"
VCPUS = 2  # per host; a host dict may carry its own "vcpus"
DISK_SIZE = "20G"  # sparse: only what the guest writes takes space
# QEMU's TCG keeps translated code in a buffer of 1 GiB by default, which a busy
# guest fills: that would double a host's memory on the machine.
TCG_TB_CACHE_MIB = 256
STOP_TIMEOUT = 60  # clean ACPI shutdown, then the domain is destroyed
# Used by the orchestrator instead of its own: one guest reaches SSH in 20-40 s
# under TCG here, five side by side on two cores in about 110 s.
BOOT_TIMEOUT = 300
CMDLINE = "root=/dev/vda rw console=ttyS0 net.ifnames=0 biosdevname=0 panic=-1"
NAMESPACE = "urn:nimbus-openstack:testcloud"  # of the domain metadata that names the host
QEMU_CONF = "/etc/libvirt/qemu.conf"
QEMU_USER = "libvirt-qemu"

# Machine tools the backend runs: name -> Debian package.
TOOLS = {
    "libvirtd": "libvirt-daemon", "virtlogd": "libvirt-daemon", "qemu-system-x86_64": "qemu-system-x86",
    "mkfs.ext4": "e2fsprogs", "debugfs": "e2fsprogs", "e2fsck": "e2fsprogs", "chroot": "coreutils",
    "useradd": "passwd", "groupadd": "passwd",
}
QEMU_DRIVER = "/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so"

# What the VM layer adds to the base image; a change gives a new layer.
LAYER = {
    "packages": ["linux-image-cloud-amd64"],
    "fstab": "/dev/vda / ext4 defaults,errors=remount-ro 0 1\n",
    "disk_size": DISK_SIZE,
    "version": 1,
}


# -- preflight and daemons ----------------------------------------------
def preflight():
    """Refuse early, before anything changes, when the machine cannot run this backend."""
    missing = sorted({pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None})
    if shutil.which("libvirtd") and not glob.glob(QEMU_DRIVER):
        missing.append("libvirt-daemon-driver-qemu")
    if missing:
        raise PlanError("the libvirt test-cloud backend needs these Debian packages: %s" % ", ".join(missing))
    if libvirt is None:
        raise PlanError(
            "the libvirt test-cloud backend needs libvirt-python in the Python that runs the module "
            "(pip install libvirt-python; it builds against the apt packages libvirt-dev, pkg-config, "
            "gcc and python3-dev)")


def _quiet(_ctx, _err):
    """libvirt-python prints every error to stderr by default; we raise them instead."""


def _ensure_qemu_settings():
    """What a libvirtd started here needs on a machine without libvirt-daemon-system.

    Debian's libvirtd looks up its built-in QEMU user and group (libvirt-qemu) at
    start, before it reads qemu.conf, and does not start without them: they are
    made as libvirt-daemon-system makes them. QEMU itself runs as root through a
    qemu.conf written only when none exists: /dev/kvm (0600 without udev) is not
    open to libvirt-qemu, and libvirtd would then find its capability cache stale
    at every lookup and probe QEMU anew (about a minute per domain definition).
    """
    if run(["getent", "group", QEMU_USER], check=False)[0] != 0:
        run(["groupadd", "--system", QEMU_USER])
    if run(["getent", "passwd", QEMU_USER], check=False)[0] != 0:
        run(["useradd", "--system", "--gid", QEMU_USER, "--no-create-home", "--home-dir", "/var/lib/libvirt",
             "--shell", "/usr/sbin/nologin", "--comment", "Libvirt Qemu", QEMU_USER])
    if not os.path.exists(QEMU_CONF):
        write_file(QEMU_CONF, "# Written by nimbus.openstack testcloud (libvirt backend) because none existed.\n"
                              "# Test-cloud VMs run QEMU as root, as their containers run as root.\n"
                              'user = "root"\ngroup = "root"\n')


def _machine_processes(args):
    """Pids of find_processes(args) on the machine itself, not in a container.

    Test-cloud hosts run libvirtd and QEMU of their own (Nova), seen from here too.
    """
    mine = os.readlink("/proc/self/ns/mnt")
    found = []
    for pid in find_processes(args):
        with contextlib.suppress(OSError):
            if os.readlink("/proc/%d/ns/mnt" % pid) == mine:
                found.append(pid)
    return found


def _start_daemon(name):
    """Start a libvirt daemon detached (`-d`) unless one runs; it logs under /var/log/libvirt."""
    if _machine_processes([name]):
        return
    os.makedirs("/var/log/libvirt", exist_ok=True)  # the daemons' default log place
    with open(os.path.join("/var/log/libvirt", "nimbus-%s.out" % name), "ab") as log:
        proc = subprocess.run([name, "-d"], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True, timeout=60, check=False)
    if proc.returncode != 0:
        raise SysError("%s -d failed (rc=%d); see /var/log/libvirt/%s.log" % (name, proc.returncode, name))


def _connect(start_daemons=True):
    """A connection to the system libvirtd, started here (with virtlogd) if nothing answers."""
    libvirt.registerErrorHandler(_quiet, None)
    with contextlib.suppress(libvirt.libvirtError):
        return libvirt.open(URI)
    if not start_daemons:
        return None
    _ensure_qemu_settings()
    _start_daemon("virtlogd")
    _start_daemon("libvirtd")
    deadline = time.monotonic() + 30
    while True:
        try:
            return libvirt.open(URI)
        except libvirt.libvirtError as exc:
            if time.monotonic() > deadline:
                raise SysError("libvirtd does not answer on %s: %s; see /var/log/libvirt/libvirtd.log"
                               % (URI, exc)) from exc
            time.sleep(0.5)


@contextlib.contextmanager
def _session(start_daemons=True):
    """A connection (None without libvirtd when not `start_daemons`); libvirt errors become SysError."""
    conn = None
    try:
        conn = _connect(start_daemons)
        yield conn
    except libvirt.libvirtError as exc:
        raise SysError("libvirt: %s" % exc) from exc
    finally:
        if conn is not None:
            with contextlib.suppress(libvirt.libvirtError):
                conn.close()


def _domain(conn, name):
    try:
        return conn.lookupByName(name)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
            return None
        raise


# -- the VM layer: base image + kernel, as a disk image ------------------
def _layer_id(base_rootfs):
    digest = hashlib.sha256(json.dumps(LAYER, sort_keys=True).encode()).hexdigest()[:12]
    return "%s-vm-%s" % (os.path.basename(os.path.dirname(os.path.abspath(base_rootfs))), digest)


def _proxy(host_dir):
    """The cloud's package cache, from the orchestrator's state file; None to fetch directly."""
    try:
        with open(os.path.join(os.path.dirname(os.path.dirname(host_dir)), "state.json")) as handle:
            gateway = json.load(handle)["mgmt_gateway"]
    except (OSError, ValueError, KeyError):
        return None
    return "http://%s:3142" % gateway if gateway else None


def ensure_layer(base_rootfs, proxy):
    """Return (layer dir, changed): disk.img, vmlinuz and initrd.img of the base image plus a kernel.

    Built once per base image and LAYER recipe under LAYER_ROOT; layers of other
    recipes or base images are only cache and are deleted when a new one is built.
    """
    path = os.path.join(LAYER_ROOT, _layer_id(base_rootfs))
    if os.path.exists(os.path.join(path, "complete")):
        return path, False
    os.makedirs(LAYER_ROOT, exist_ok=True)
    for stale in glob.glob(os.path.join(LAYER_ROOT, "*")):
        if os.path.isdir(stale):
            shutil.rmtree(stale, ignore_errors=True)
    tmp = path + ".building"
    rootfs = os.path.join(tmp, "rootfs")
    os.makedirs(tmp)
    run(["cp", "-a", "--reflink=auto", base_rootfs, rootfs])
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    if proxy:
        env["http_proxy"] = proxy
    policy = os.path.join(rootfs, "usr/sbin/policy-rc.d")
    write_file(policy, "#!/bin/sh\nexit 101\n", 0o755)  # no package starts a service in the chroot
    run(["chroot", rootfs, "apt-get", "-q", "update"], env=env)
    run(["chroot", rootfs, "apt-get", "-q", "-y", "install", "--no-install-recommends"] + LAYER["packages"],
        env=env)
    run(["chroot", rootfs, "apt-get", "clean"])
    os.remove(policy)
    for found in glob.glob(os.path.join(rootfs, "var/lib/apt/lists/*_*")):
        os.remove(found)
    write_file(os.path.join(rootfs, "etc/fstab"), LAYER["fstab"])
    for name, pattern in (("vmlinuz", "boot/vmlinuz-*"), ("initrd.img", "boot/initrd.img-*")):
        found = sorted(glob.glob(os.path.join(rootfs, pattern)))
        if len(found) != 1:
            raise SysError("the VM layer has %d files %s, expected one" % (len(found), pattern))
        shutil.copyfile(found[0], os.path.join(tmp, name))
    run(["mkfs.ext4", "-q", "-F", "-L", "nimbus-root", "-d", rootfs, os.path.join(tmp, "disk.img"), DISK_SIZE])
    shutil.rmtree(rootfs)
    write_file(os.path.join(tmp, "layer.json"), json.dumps(LAYER, indent=1, sort_keys=True) + "\n")
    write_file(os.path.join(tmp, "complete"), "")
    os.rename(tmp, path)
    return path, True


# -- the backend contract --------------------------------------------------
def _disk(host_dir):
    return os.path.join(host_dir, "disk.img")


def create_disk(host_dir, base_rootfs):
    """Copy the VM layer's disk and kernel to the host once; True if made now."""
    if os.path.exists(os.path.join(host_dir, DISK_DONE)):
        return False
    layer, _built = ensure_layer(base_rootfs, _proxy(host_dir))
    os.makedirs(host_dir, exist_ok=True)
    # A fresh disk has none of the host's files yet: forget what an earlier disk had.
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.path.join(host_dir, "applied.json"))
    for name in ("vmlinuz", "initrd.img", "disk.img"):
        tmp = os.path.join(host_dir, name + ".tmp")  # half-made by an interrupted run: made again
        run(["cp", "--sparse=always", "--reflink=auto", os.path.join(layer, name), tmp])
        os.replace(tmp, os.path.join(host_dir, name))
    write_file(os.path.join(host_dir, DISK_DONE), "")
    return True


def _keys_root(host_dir):
    return os.path.join(host_dir, "keys")


def _wanted(host_dir, files):
    wanted = {path: [content, mode] for path, (content, mode) in files.items()}
    for key in sorted(glob.glob(os.path.join(_keys_root(host_dir), "etc/ssh/ssh_host_*"))):
        with open(key) as handle:
            wanted["/etc/ssh/" + os.path.basename(key)] = [handle.read(), 0o644 if key.endswith(".pub") else 0o600]
    return wanted


def _read_json(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def configure(host_dir, files):
    """Record the host's own files (path in the host -> (content, mode)); True if they changed.

    Host SSH keys are made once, here, so every host has its own. The files reach
    the disk at the next start() (the orchestrator restarts a running host whose
    files changed).
    """
    changed = False
    keys = _keys_root(host_dir)
    if not os.path.exists(os.path.join(keys, "etc/ssh/ssh_host_ed25519_key.pub")):
        shutil.rmtree(keys, ignore_errors=True)
        os.makedirs(os.path.join(keys, "etc/ssh"), mode=0o700)
        run(["ssh-keygen", "-A", "-f", keys])
        changed = True
    wanted = _wanted(host_dir, files)
    for path in wanted:
        if not path.startswith("/") or any(c.isspace() or c in "\"'\\" for c in path):
            raise SysError("cannot write %r into a VM disk: absolute paths without spaces or quotes only" % path)
    write_file(os.path.join(host_dir, "files.json"), json.dumps(wanted, indent=1, sort_keys=True) + "\n", 0o600)
    return changed or _read_json(os.path.join(host_dir, "applied.json")) != wanted


def _debugfs(image, commands, write=False):
    with tempfile.NamedTemporaryFile("w", suffix=".debugfs") as script:
        script.write("\n".join(commands) + "\n")
        script.flush()
        return run(["debugfs"] + (["-w"] if write else []) + ["-f", script.name, image])


def _apply_files(host_dir):
    """Write recorded files that the disk lacks into the (stopped) disk image."""
    wanted = _read_json(os.path.join(host_dir, "files.json")) or {}
    applied_path = os.path.join(host_dir, "applied.json")
    if _read_json(applied_path) == wanted:
        return False
    write_files(_disk(host_dir), wanted)
    write_file(applied_path, json.dumps(wanted, indent=1, sort_keys=True) + "\n", 0o600)
    return True


def write_files(image, wanted):
    """Write files (path in the guest -> [content, mode]) into a stopped ext4 disk image."""
    # Replays the journal of a guest that was destroyed rather than shut down.
    rc, out, err = run(["e2fsck", "-f", "-y", image], check=False)
    if rc >= 4:
        raise SysError("e2fsck of %s failed (rc=%d): %s" % (image, rc, (err or out).strip()))
    with tempfile.TemporaryDirectory(prefix="nimbus-vmfiles-") as tmp:
        commands = []
        for index, (path, (content, mode)) in enumerate(sorted(wanted.items())):
            local = os.path.join(tmp, str(index))
            with open(local, "w") as handle:
                handle.write(content)
            os.chmod(local, mode)
            parent, name = os.path.split(path)
            parts = parent.strip("/").split("/") if parent != "/" else []
            commands += ["mkdir /" + "/".join(parts[:i + 1]) for i in range(len(parts))]
            commands += ["cd " + (parent or "/"), "rm " + name, "write %s %s" % (local, name),
                         "sif %s mode 0%o" % (name, 0o100000 | mode), "sif %s uid 0" % name, "sif %s gid 0" % name]
        _debugfs(image, commands, write=True)
        # debugfs reports errors without failing: read every file back to be sure.
        check = os.path.join(tmp, "check")
        os.mkdir(check)
        _debugfs(image, ["dump -p %s %s" % (path, os.path.join(check, str(i)))
                         for i, path in enumerate(sorted(wanted))])
        for index, (path, (content, mode)) in enumerate(sorted(wanted.items())):
            local = os.path.join(check, str(index))
            try:
                with open(local) as handle:
                    ok = handle.read() == content and os.stat(local).st_mode & 0o7777 == mode
            except OSError:
                ok = False
            if not ok:
                raise SysError("could not write %s into %s with debugfs" % (path, image))


def host_public_key(host_dir):
    with open(os.path.join(_keys_root(host_dir), "etc/ssh/ssh_host_ed25519_key.pub")) as handle:
        return " ".join(handle.read().split()[:2])


def _name_file(host_dir):
    return os.path.join(host_dir, "domain")


def _qemu_running(name):
    """Whether a QEMU of domain `name` runs, found by its command line (libvirtd may be down)."""
    return bool(_machine_processes(["qemu-system-x86_64", "-name", "guest=%s,debug-threads=on" % name]))


def running(host_dir):
    try:
        with open(_name_file(host_dir)) as handle:
            name = handle.read().strip()
    except OSError:
        return False  # never started
    with _session(start_daemons=False) as conn:
        if conn is None:  # no libvirtd: a QEMU may still run (libvirtd reconnects when started)
            return _qemu_running(name)
        dom = _domain(conn, name)
        return bool(dom and dom.isActive())


def _kvm_works():
    """Whether KVM really runs guests here: the KVM probe of the kvm_info module
    (nested KVM often has /dev/kvm yet hangs, or runs guests a thousand times
    too slowly)."""
    return kvm.probe()[0]


def _mac(name, iface):
    digest = hashlib.sha256(("%s/%s" % (name, iface)).encode()).digest()
    return "52:54:00:%02x:%02x:%02x" % tuple(digest[:3])


def domain_xml(host_dir, host, virt_type="qemu", uuid=None):
    """The libvirt domain of a host: direct kernel boot, virtio disk and NICs eth0..eth2 in order.

    `uuid` is that of the domain when it is defined already: a redefinition must keep it.
    """
    name = host["netns"]
    nics = []
    for iface in sorted(host["interfaces"].values(), key=lambda i: i["name"]):
        nics.append(
            "    <interface type='bridge'>\n"
            "      <mac address=%s/>\n      <source bridge=%s/>\n      <target dev=%s/>\n"
            "      <model type='virtio'/>\n    </interface>"
            % (quoteattr(_mac(name, iface["name"])), quoteattr(iface["bridge"]), quoteattr(iface["veth"])))
    if virt_type == "kvm":
        cpu, tcg = "<cpu mode='host-passthrough'/>", ""
    else:
        cpu, tcg = "", "<tcg><tb-cache unit='MiB'>%d</tb-cache></tcg>" % TCG_TB_CACHE_MIB
    return """<domain type=%(type)s>
  <name>%(name)s</name>%(uuid)s
  <metadata><testcloud xmlns=%(ns)s host=%(host)s host_dir=%(dir)s/></metadata>
  <memory unit='MiB'>%(memory)d</memory>
  <vcpu>%(vcpus)d</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>%(kernel)s</kernel>
    <initrd>%(initrd)s</initrd>
    <cmdline>%(cmdline)s</cmdline>
  </os>
  <features><acpi/><apic/>%(tcg)s</features>
  %(cpu)s
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' discard='unmap'/>
      <source file=%(disk)s/>
      <target dev='vda' bus='virtio'/>
    </disk>
%(nics)s
    <serial type='file'>
      <source path=%(console)s append='on'/>
      <target port='0'/>
    </serial>
    <console type='file'>
      <source path=%(console)s append='on'/>
      <target type='serial' port='0'/>
    </console>
    <controller type='usb' model='none'/>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <memballoon model='none'/>
  </devices>
  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>
</domain>
""" % {
        "type": quoteattr(virt_type), "name": escape(name), "uuid": "\n  <uuid>%s</uuid>" % uuid if uuid else "",
        "ns": quoteattr(NAMESPACE),
        "host": quoteattr(host["name"]), "dir": quoteattr(host_dir),
        "memory": int(host.get("memory_mib") or MEMORY_MIB), "vcpus": int(host.get("vcpus") or VCPUS),
        "kernel": escape(os.path.join(host_dir, "vmlinuz")), "initrd": escape(os.path.join(host_dir, "initrd.img")),
        "cmdline": escape(CMDLINE), "cpu": cpu, "tcg": tcg, "disk": quoteattr(_disk(host_dir)), "nics": "\n".join(nics),
        "console": quoteattr(os.path.join(host_dir, "console.log")),
    }


def start(host_dir, host):
    """Write pending files into the disk, (re)define the domain and boot it."""
    name = host["netns"]
    with _session() as conn:
        write_file(_name_file(host_dir), name + "\n")
        dom = _domain(conn, name)
        if dom is not None and dom.isActive():
            return
        _apply_files(host_dir)
        for iface in host["interfaces"].values():  # a tap left by a QEMU that died with libvirtd
            if os.path.exists(os.path.join("/sys/class/net", iface["veth"])):
                run(["ip", "link", "del", iface["veth"]], check=False)
        virt_type = "kvm" if _kvm_works() else "qemu"
        dom = conn.defineXML(domain_xml(host_dir, host, virt_type, dom.UUIDString() if dom else None))
        dom.create()


def stop(host_dir, host):
    """Shut the VM down (ACPI power button), destroy it after STOP_TIMEOUT; True if it ran."""
    del host_dir
    with _session() as conn:
        dom = _domain(conn, host["netns"])
        if dom is None or not dom.isActive():
            return False
        with contextlib.suppress(libvirt.libvirtError):  # it may power off meanwhile
            dom.shutdown()
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            if not dom.isActive():
                return True
            time.sleep(0.5)
        with contextlib.suppress(libvirt.libvirtError):
            dom.destroy()
        return True


def remove(host_dir, host):
    """Undefine the host's domain and delete its disk and directory."""
    with _session() as conn:
        dom = _domain(conn, host["netns"])
        if dom is not None:
            if dom.isActive():
                dom.destroy()
            dom.undefine()
    shutil.rmtree(host_dir, ignore_errors=True)

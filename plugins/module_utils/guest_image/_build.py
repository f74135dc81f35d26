# Private to this collection: not a public API, may change without notice.
"""A tiny OpenStack test guest: Debian's cloud kernel plus a busybox initramfs.

The guest's /init (INIT_SCRIPT) loads the virtio network drivers, gets an address
by DHCP, mounts Nova's config drive when the server has one, reads its instance
id and SSH key from the metadata service, starts dropbear and prints a marker
line on the serial console. Everything comes from Debian packages that
`apt-get download` fetches with the machine's own apt configuration; the
initramfs is a newc cpio archive written here, in Python.

Each build lands in <cache_dir>/<recipe hash>, made in a temporary directory next
to it and renamed into place once its DONE manifest is written. The recipe is
what the image is made of: packages at their candidate versions, the scripts, the
driver list and FORMAT_VERSION (raise it when the way the image is made changes).

The first half of this file is pure (archive, ELF, apt output and recipe
helpers); the side effects are in GuestImage and run_module at the end.
"""

from __future__ import annotations

import fcntl
import glob
import gzip
import hashlib
import json
import lzma
import os
import re
import shutil
import stat
import struct
import tempfile
import time
from dataclasses import dataclass

FORMAT_VERSION = 2
DEFAULT_CACHE_DIR = "/var/cache/nimbus/guest-image"
DEFAULT_KERNEL_PACKAGE = "linux-image-cloud-amd64"

# Console lines of the guest. A boot ends in either
#   NIMBUS-GUEST-READY instance-id=<uuid> address=<ip>
#   NIMBUS-GUEST-METADATA-FAILED <what failed> instance-id=<uuid or "unknown"> address=<ip or "none"> error=<last error>
# after a NIMBUS-GUEST-ADDRESS (or NIMBUS-GUEST-DHCP-FAILED) line and, only when
# the server has a config drive, one of
#   NIMBUS-GUEST-CONFIG-DRIVE uuid=<uuid of its openstack/latest/meta_data.json>
#   NIMBUS-GUEST-CONFIG-DRIVE-FAILED device=<device> error=<last error>
MARKER = "NIMBUS-GUEST-READY"
METADATA_FAILED_MARKER = "NIMBUS-GUEST-METADATA-FAILED"
CONFIG_DRIVE_MARKER = "NIMBUS-GUEST-CONFIG-DRIVE"
CONFIG_DRIVE_FAILED_MARKER = "NIMBUS-GUEST-CONFIG-DRIVE-FAILED"
COMMAND_LINE = "console=ttyS0"

# Packages besides the kernel. dropbear-bin brings its libraries through its
# Depends (followed recursively); only the ones its programs need go in the image.
USERLAND_PACKAGES = ["busybox-static", "dropbear-bin"]
# Path in the packages -> path in the image.
PROGRAMS = {
    "bin/busybox": "bin/busybox",
    "usr/sbin/dropbear": "usr/sbin/dropbear",
    "usr/bin/dropbearkey": "usr/bin/dropbearkey",
}
# Where the packages put shared libraries, searched in this order, and where the image has them.
LIBRARY_DIRS = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "lib", "usr/lib"]
IMAGE_LIBRARY_DIR = "lib/x86_64-linux-gnu"
# Virtio network drivers in load order, and the disk driver (volumes attached to
# the guest show as /dev/vd*); one built into the kernel is left out.
NET_MODULES = [
    "virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci",
    "failover", "net_failover", "virtio_net", "virtio_blk",
]
# What reads a Nova config drive (ISO 9660, label config-2) in load order. On x86_64
# Nova attaches it as an IDE cdrom (hda) of the PIIX3 of the default "pc" (i440fx)
# machine. The Debian cloud kernel has no AHCI driver: the SATA cdrom of a q35
# machine (hw_machine_type) stays unseen, and so does config_drive_format=vfat.
CONFIG_DRIVE_MODULES = ["scsi_common", "scsi_mod", "cdrom", "sr_mod", "isofs", "libata", "ata_piix"]
IMAGE_MODULE_DIR = "lib/modules"
# The lists /init loads, one name a line (the drivers found as modules): the network
# drivers first, the config drive's once the network is up.
MODULE_LIST = "etc/nimbus-modules"
CONFIG_DRIVE_MODULE_LIST = "etc/nimbus-config-drive-modules"
DISK_SIZE = 1024 * 1024

OUTPUT_FILES = {"kernel": "vmlinuz", "ramdisk": "initrd.img", "disk": "disk.raw"}
DONE = "DONE"

INIT_SCRIPT = r"""#!/bin/sh
# PID 1 of the nimbus.openstack test guest (busybox sh). It must never exit.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts -o mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
exec </dev/console >/dev/console 2>&1
hostname nimbus-guest

# Console lines start on a line of their own, whatever the kernel printed last.
say() {
    printf '\n%s\n' "$*"
}

# Loads the drivers listed in file $1, in order.
load_modules() {
    while read -r module; do
        insmod "/lib/modules/$module.ko" || say "NIMBUS-GUEST-INSMOD-FAILED $module"
    done <"$1"
}

# The first "uuid" of the JSON on stdin, one member a line: the instance's (Nova writes it first).
first_uuid() {
    # shellcheck disable=SC2020 # each of the three characters becomes a newline
    tr ',{}' '\n\n\n' | sed -n 's/^ *"uuid": *"\([^"]*\)".*/\1/p' | head -n 1
}

load_modules /etc/nimbus-modules
# Kernel warnings and errors still reach the console, chatter no longer.
dmesg -n 5

ip link set lo up
tries=0
while [ ! -e /sys/class/net/eth0 ] && [ "$tries" -lt 30 ]; do
    sleep 1
    tries=$((tries + 1))
done
address=
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    # Asks for 5 min, as a real guest's client keeps asking: a guest that Nova
    # starts again after a host's reboot may come up before the DHCP agent.
    if udhcpc -i eth0 -t 100 -T 3 -n -q -O mtu -O staticroutes -s /etc/udhcpc.script; then
        address=$(cat /run/dhcp-address)
    fi
fi
if [ -n "$address" ]; then
    say "NIMBUS-GUEST-ADDRESS eth0 $address"
else
    say "NIMBUS-GUEST-DHCP-FAILED eth0"
fi

# Nova's config drive, when the server has one. Loading a driver probes its devices
# before insmod returns, so the drive is there now or never.
load_modules /etc/nimbus-config-drive-modules
config_drive=$(findfs LABEL=config-2 2>/dev/null)
if [ -n "$config_drive" ]; then
    mkdir -p /mnt/config
    config_uuid=
    if mount -t iso9660 -o ro "$config_drive" /mnt/config 2>/run/config-drive.err; then
        config_uuid=$(first_uuid 2>>/run/config-drive.err </mnt/config/openstack/latest/meta_data.json)
    fi
    if [ -n "$config_uuid" ]; then
        say "@CONFIG_DRIVE_MARKER@ uuid=$config_uuid"
    else
        config_error=$(tail -n 1 /run/config-drive.err)
        say "@CONFIG_DRIVE_FAILED_MARKER@ device=$config_drive error=${config_error:-no uuid in openstack/latest/meta_data.json}"
    fi
fi

metadata=http://169.254.169.254
# Debian's busybox wget has no -T (and crashes on it): timeout bounds each request.
id=
key=
deadline=$(($(date +%s) + 60))
while [ -n "$address" ]; do
    if [ -z "$id" ]; then
        id=$(timeout 10 wget -q -O - "$metadata/openstack/latest/meta_data.json" 2>>/run/metadata.err | first_uuid)
    fi
    if [ -z "$key" ]; then
        key=$(timeout 10 wget -q -O - "$metadata/latest/meta-data/public-keys/0/openssh-key" 2>>/run/metadata.err)
    fi
    if [ -n "$id" ] && [ -n "$key" ] || [ "$(date +%s)" -ge "$deadline" ]; then
        break
    fi
    sleep 2
done

mkdir -p /root/.ssh
chmod 700 /root /root/.ssh
if [ -n "$key" ]; then
    printf '%s\n' "$key" >/root/.ssh/authorized_keys
    chmod 600 /root/.ssh/authorized_keys
fi
hostkey=/etc/dropbear/dropbear_ed25519_host_key
dropbearkey -t ed25519 -f "$hostkey" >/dev/null 2>&1
say "NIMBUS-GUEST-HOSTKEY $(dropbearkey -y -f "$hostkey" | grep '^ssh-')"
dropbear -r "$hostkey" -E -p 22 -P /run/dropbear.pid || say "NIMBUS-GUEST-SSH-FAILED"

ip_address=${address%/*}
failed=
[ -n "$address" ] || failed="dhcp"
[ -n "$id" ] || failed="${failed:+$failed,}meta_data.json"
[ -n "$key" ] || failed="${failed:+$failed,}openssh-key"
if [ -z "$failed" ]; then
    say "@MARKER@ instance-id=$id address=$ip_address"
else
    error=$(tail -n 1 /run/metadata.err 2>/dev/null)
    say "@METADATA_FAILED_MARKER@ $failed instance-id=${id:-unknown} address=${ip_address:-none} error=${error:-none}"
fi

# Keep SSH up, and reap orphans, for as long as the guest runs.
while :; do
    sleep 10
    if ! kill -0 "$(cat /run/dropbear.pid 2>/dev/null)" 2>/dev/null; then
        dropbear -r "$hostkey" -E -p 22 -P /run/dropbear.pid
    fi
done
""".replace("@MARKER@", MARKER).replace("@METADATA_FAILED_MARKER@", METADATA_FAILED_MARKER).replace(
    "@CONFIG_DRIVE_MARKER@", CONFIG_DRIVE_MARKER).replace("@CONFIG_DRIVE_FAILED_MARKER@", CONFIG_DRIVE_FAILED_MARKER)

# busybox udhcpc calls this with $1 = deconfig|bound|renew|leasefail|nak and the
# lease in the environment ($mask is the prefix length; $staticroutes is option
# 121 as "dest/len gateway" pairs).
UDHCPC_SCRIPT = r"""#!/bin/sh
# udhcpc event script of the nimbus.openstack test guest.
# shellcheck disable=SC2154 # udhcpc passes interface, ip, dns ... in the environment
case "$1" in
deconfig)
    ip -4 addr flush dev "$interface"
    ip link set dev "$interface" up
    ;;
bound|renew)
    ip -4 addr flush dev "$interface"
    if [ -n "$mtu" ]; then
        ip link set dev "$interface" mtu "$mtu"
    fi
    ip -4 addr add "$ip/${mask:-32}" ${broadcast:+broadcast "$broadcast"} dev "$interface"
    if [ -n "$staticroutes" ]; then
        # RFC 3442: with classless static routes, the router option is ignored.
        # shellcheck disable=SC2086 # "dest/len gateway" pairs, split on purpose
        set -- $staticroutes
        while [ $# -ge 2 ]; do
            if [ "$2" = 0.0.0.0 ]; then
                ip -4 route replace "$1" dev "$interface"
            else
                ip -4 route replace "$1" via "$2" dev "$interface"
            fi
            shift 2
        done
    elif [ -n "$router" ]; then
        # shellcheck disable=SC2086 # a list of routers: the first one is used
        set -- $router
        ip -4 route replace default via "$1" dev "$interface"
    fi
    : >/etc/resolv.conf
    if [ -n "$domain" ]; then
        echo "search $domain" >>/etc/resolv.conf
    fi
    for server in $dns; do
        echo "nameserver $server" >>/etc/resolv.conf
    done
    echo "$ip/${mask:-32}" >/run/dhcp-address
    ;;
esac
exit 0
"""

# Files of the image besides programs, libraries and drivers: path -> (mode, text).
IMAGE_FILES = {
    "etc/passwd": (0o644, "root:x:0:0:root:/root:/bin/sh\n"),
    "etc/shadow": (0o600, "root:*:19000:0:99999:7:::\n"),
    "etc/group": (0o644, "root:x:0:\n"),
    "etc/shells": (0o644, "/bin/sh\n"),
    "etc/nsswitch.conf": (0o644, "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"),
    "etc/hosts": (0o644, "127.0.0.1\tlocalhost\n"),
    "etc/udhcpc.script": (0o755, UDHCPC_SCRIPT),
    "init": (0o755, INIT_SCRIPT),
}
# Directories the image starts with, and their modes (parents of files are added as needed, 0755).
IMAGE_DIRS = {
    "bin": 0o755, "sbin": 0o755, "usr/bin": 0o755, "usr/sbin": 0o755, "dev": 0o755, "proc": 0o755,
    "sys": 0o755, "run": 0o755, "tmp": 0o1777, "etc/dropbear": 0o700, "root": 0o700, "var/log": 0o755,
}
# Symlinks of the image: path -> target. /bin/sh is needed before `busybox --install`.
IMAGE_SYMLINKS = {"bin/sh": "busybox", "var/run": "../run"}
# Device nodes the kernel needs before /init mounts devtmpfs: path -> (mode, major, minor).
IMAGE_DEVICES = {"dev/console": (0o600, 5, 1), "dev/null": (0o666, 1, 3)}


class GuestImageError(RuntimeError):
    """The image cannot be built; the message says what is missing or failed."""


# --------------------------------------------------------------------------- cpio


@dataclass(frozen=True)
class CpioEntry:
    """One member of a newc archive. `data` is a file's content or a symlink's target."""

    name: str
    mode: int
    data: bytes = b""
    rdev: tuple[int, int] = (0, 0)


def directory(name, perm=0o755):
    return CpioEntry(name, stat.S_IFDIR | perm)


def regular_file(name, data, perm=0o644):
    return CpioEntry(name, stat.S_IFREG | perm, data)


def symlink(name, target):
    return CpioEntry(name, stat.S_IFLNK | 0o777, target.encode())


def char_device(name, perm, major, minor):
    return CpioEntry(name, stat.S_IFCHR | perm, rdev=(major, minor))


def _pad4(length):
    return b"\0" * (-length % 4)


def newc_header(entry, ino):
    """The 110-byte newc header of `entry`, then its NUL-ended name padded to 4 bytes."""
    name = entry.name.encode() + b"\0"
    fields = [
        ino, entry.mode, 0, 0,  # ino, mode, uid, gid
        2 if stat.S_ISDIR(entry.mode) else 1,  # nlink
        0, len(entry.data),  # mtime (fixed: same input, same archive), filesize
        0, 0, entry.rdev[0], entry.rdev[1],  # devmajor, devminor, rdevmajor, rdevminor
        len(name), 0,  # namesize, check
    ]
    header = b"070701" + b"".join(b"%08X" % field for field in fields)
    return header + name + _pad4(len(header) + len(name))


def write_cpio(stream, entries):
    """Write `entries` as a newc ("070701") archive with its trailer to `stream`."""
    for ino, entry in enumerate(entries, start=1):
        stream.write(newc_header(entry, ino))
        stream.write(entry.data)
        stream.write(_pad4(len(entry.data)))
    stream.write(newc_header(CpioEntry("TRAILER!!!", 0), 0))


def with_parents(entries):
    """`entries` with a directory entry for every parent not listed before its first child.

    Names are relative ("etc/passwd"); the kernel creates nothing on its own while unpacking.
    """
    seen = set()
    result = []
    for entry in entries:
        parts = entry.name.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            if parent not in seen:
                seen.add(parent)
                result.append(directory(parent))
        if entry.name in seen:
            if stat.S_ISDIR(entry.mode):
                continue
            raise ValueError("%s is in the archive twice" % entry.name)
        seen.add(entry.name)
        result.append(entry)
    return result


# --------------------------------------------------------------------------- ELF


def _elf64(data):
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")


def elf_sections(data):
    """[(name, type, offset, size, link)] of the sections of an ELF64 little-endian file, by index."""
    _elf64(data)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQI", data, shoff + i * shentsize) for i in range(shnum)]
    names_offset = headers[shstrndx][4] if shnum else 0
    sections = []
    for name_offset, sh_type, _flags, _addr, offset, size, link in headers:
        start = names_offset + name_offset
        name = data[start:data.index(b"\0", start)].decode()
        sections.append((name, sh_type, offset, size, link))
    return sections


def elf_interpreter(data):
    """The program interpreter (PT_INTERP) of an ELF64 executable; None when static."""
    _elf64(data)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _flags, offset, _vaddr, _paddr, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            return data[offset:offset + filesz].rstrip(b"\0").decode()
    return None


def elf_needed(data):
    """The DT_NEEDED sonames of an ELF64 file, in order."""
    sections = elf_sections(data)
    needed = []
    for _name, sh_type, offset, size, link in sections:
        if sh_type != 6:  # SHT_DYNAMIC
            continue
        strtab = sections[link][2]
        for pos in range(offset, offset + size, 16):
            tag, value = struct.unpack_from("<qQ", data, pos)
            if tag == 0:  # DT_NULL
                break
            if tag == 1:  # DT_NEEDED
                start = strtab + value
                needed.append(data[start:data.index(b"\0", start)].decode())
    return needed


def closure(roots, neighbours):
    """`roots` and everything reachable from them through `neighbours(name)`, in
    first-seen order: the libraries programs need (DT_NEEDED), the packages
    packages depend on."""
    found = []
    todo = list(roots)
    while todo:
        name = todo.pop(0)
        if name in found:
            continue
        found.append(name)
        todo.extend(neighbours(name))
    return found


def modinfo(data):
    """{key: [values]} of the .modinfo section of a kernel module."""
    found = [(offset, size) for name, _type, offset, size, _link in elf_sections(data) if name == ".modinfo"]
    if not found:
        raise ValueError("no .modinfo section: not a kernel module")
    (offset, size), = found
    info = {}
    for item in data[offset:offset + size].split(b"\0"):
        key, sep, value = item.decode(errors="replace").partition("=")
        if sep:
            info.setdefault(key, []).append(value)
    return info


def module_name(path):
    """Kernel module name of a module file name: "kernel/x/virtio-rng.ko.xz" -> "virtio_rng"."""
    base = path.rsplit("/", 1)[-1]
    base = re.sub(r"\.ko(\.(xz|zst|gz))?$", "", base)
    return base.replace("-", "_")


def parse_builtin(text):
    """Names of the modules in a modules.builtin file."""
    return {module_name(line.strip()) for line in text.splitlines() if line.strip()}


def decompress_module(name, data):
    """The plain .ko of a module file read from `name` (.ko, .ko.xz or .ko.gz)."""
    if name.endswith(".ko"):
        return data
    if name.endswith(".ko.xz"):
        return lzma.decompress(data)
    if name.endswith(".ko.gz"):
        return gzip.decompress(data)
    raise GuestImageError("%s: cannot decompress this kind of kernel module (only .ko, .ko.xz and .ko.gz)" % name)


def module_load_order(wanted, depends, builtin):
    """The modules of `wanted` to insmod, in its order, left out the ones built in.

    `depends` maps every module found as a file to its modinfo dependencies. Raises
    GuestImageError when a module is missing, or needs one that is not loaded before it.
    """
    order = []
    for name in wanted:
        if name in builtin:
            continue
        if name not in depends:
            raise GuestImageError("kernel module %s is neither built in nor in the kernel package" % name)
        for dep in depends[name]:
            if dep not in builtin and dep not in order:
                raise GuestImageError("kernel module %s needs %s, which is not loaded before it" % (name, dep))
        order.append(name)
    return order


# --------------------------------------------------------------------------- apt output


def parse_depends(text):
    """{package: [dependency, ...]} from `apt-cache depends` output.

    Depends and PreDepends only; of alternatives ("|"), the first; of a virtual
    package ("<name>"), its first provider.
    """
    depends = {}
    current = None
    continuing = False  # the previous dependency line ended with an "or"
    want_provider = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            name = line.strip()
            current = None if name.startswith("<") else name
            if current is not None:
                depends.setdefault(current, [])
            continuing = want_provider = False
            continue
        if current is None:
            continue
        if line.startswith("    "):
            if want_provider:
                depends[current].append(line.strip())
                want_provider = False
            continue
        want_provider = False
        alternative = line.startswith(" |")
        first_of_group = not continuing
        continuing = alternative
        key, _sep, value = line.lstrip(" |").partition(": ")
        if key not in ("Depends", "PreDepends") or not first_of_group:
            continue
        value = value.strip()
        if value.startswith("<"):
            want_provider = True
        else:
            depends[current].append(value.split(":")[0])
    return depends


def dependency_closure(roots, depends):
    """(packages, unknown): `roots` and all they depend on per `depends`, in first-seen
    order, and the ones among them whose dependencies `depends` does not list yet."""
    found = closure(roots, lambda name: depends.get(name, []))
    return found, [name for name in found if name not in depends]


def parse_policy(text):
    """{package: candidate version or None} from `apt-cache policy` output."""
    candidates = {}
    current = None
    for line in text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            current = line[:-1]
            candidates[current] = None
        elif current is not None and line.strip().startswith("Candidate:"):
            version = line.split(":", 1)[1].strip()
            candidates[current] = None if version == "(none)" else version
    return candidates


def real_kernel_package(name, depends):
    """The linux-image-<version> package that `name` is or (a metapackage) depends on."""
    pattern = re.compile(r"^linux-image-\d")
    if pattern.match(name):
        return name
    for dep in depends.get(name, []):
        if pattern.match(dep):
            return dep
    raise GuestImageError("%s is no linux-image-<version> package and depends on none" % name)


def kernel_version(package):
    """Kernel version of a linux-image-<version> package (its /boot/vmlinuz-<version>)."""
    return package[len("linux-image-"):]


# --------------------------------------------------------------------------- recipe


def module_lists():
    """{list file of the image: the modules it may name, in load order}, in the order /init loads them."""
    return {MODULE_LIST: list(NET_MODULES), CONFIG_DRIVE_MODULE_LIST: list(CONFIG_DRIVE_MODULES)}


def recipe(kernel_package, versions):
    """What an image is made of; its hash names the image's directory."""
    return {
        "format": FORMAT_VERSION,
        "kernel_package": kernel_package,
        "packages": dict(sorted(versions.items())),
        "modules": module_lists(),
        "programs": PROGRAMS,
        "files": {path: [mode, text] for path, (mode, text) in sorted(IMAGE_FILES.items())},
        "dirs": IMAGE_DIRS,
        "symlinks": IMAGE_SYMLINKS,
        "devices": IMAGE_DEVICES,
        "command_line": COMMAND_LINE,
        "disk_size": DISK_SIZE,
    }


def recipe_hash(recipe_dict):
    return hashlib.sha256(json.dumps(recipe_dict, sort_keys=True).encode()).hexdigest()[:16]


def checksums_of(stream):
    """{size, md5, sha256, sha512} of what `stream` reads (Glance: md5 = checksum, sha512 = os_hash_value)."""
    hashes = {"md5": hashlib.md5(), "sha256": hashlib.sha256(), "sha512": hashlib.sha512()}
    size = 0
    for block in iter(lambda: stream.read(1 << 20), b""):
        size += len(block)
        for digest in hashes.values():
            digest.update(block)
    return dict({name: digest.hexdigest() for name, digest in hashes.items()}, size=size)


# --------------------------------------------------------------------------- side effects


APT_OPTIONS = [
    # Leave apt's binary caches in /var/cache/apt alone: nothing is written outside cache_dir.
    "-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=",
]
C_LOCALE = {"LC_ALL": "C", "LANG": "C", "LANGUAGE": "C"}


class GuestImage:
    """The image of the current recipe in `cache_dir`, found or built.

    `run(args, cwd=None)` runs a command and returns its stdout, raising
    GuestImageError when it fails.
    """

    def __init__(self, run, cache_dir=DEFAULT_CACHE_DIR, kernel_package=DEFAULT_KERNEL_PACKAGE):
        self.run = run
        self.cache_dir = cache_dir
        self.kernel_package = kernel_package
        self.real_kernel = None
        self.versions = {}
        self.recipe = None
        self.recipe_id = None

    @property
    def path(self):
        return os.path.join(self.cache_dir, self.recipe_id)

    # ---- what to build

    def resolve(self):
        """Find the packages and their candidate versions; fix the recipe."""
        depends = parse_depends(self._apt_cache("depends", [self.kernel_package]))
        self.real_kernel = real_kernel_package(self.kernel_package, depends)
        depends = {}
        while True:
            packages, unknown = dependency_closure(USERLAND_PACKAGES, depends)
            if not unknown:
                break
            found = parse_depends(self._apt_cache("depends", unknown, recurse=True))
            lost = [name for name in unknown if name not in found]
            if lost:
                raise GuestImageError("no such package in this machine's apt lists: %s" % ", ".join(lost))
            depends.update(found)
        packages = [self.real_kernel] + packages
        versions = parse_policy(self._apt_cache("policy", packages))
        missing = [name for name in packages if not versions.get(name)]
        if missing:
            raise GuestImageError("no installable version of %s in this machine's apt lists (apt-get update?)" % ", ".join(missing))
        self.versions = {name: versions[name] for name in packages}
        self.recipe = recipe(self.real_kernel, self.versions)
        self.recipe_id = recipe_hash(self.recipe)

    def _apt_cache(self, command, packages, recurse=False):
        # Each call reads the apt lists anew (no binary cache is written), so they are few:
        # one for the kernel, one for the userland's whole dependency tree, one for the versions.
        args = ["apt-cache"] + APT_OPTIONS + [command]
        if command == "depends":
            args += ["--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"]
        if recurse:
            args.append("--recurse")
        return self.run(args + list(packages))

    # ---- the cache

    def manifest(self):
        """The DONE manifest of the recipe's image when it is complete, else None."""
        try:
            with open(os.path.join(self.path, DONE)) as handle:
                manifest = json.load(handle)
        except (OSError, ValueError):
            return None
        for role, name in OUTPUT_FILES.items():
            try:
                if os.path.getsize(os.path.join(self.path, name)) != manifest["files"][role]["size"]:
                    return None
            except (OSError, KeyError, TypeError):
                return None
        return manifest

    def ensure(self, force=False):
        """(manifest, changed): the complete image, built when missing or when `force`."""
        os.makedirs(self.cache_dir, mode=0o755, exist_ok=True)
        with open(os.path.join(self.cache_dir, ".lock"), "a") as lock:
            # Runs sharing the cache build one after the other; the second finds the first's image.
            fcntl.flock(lock, fcntl.LOCK_EX)
            manifest = None if force else self.manifest()
            if manifest is not None:
                return manifest, False
            # Builds hold the lock: one left over is from a run that was killed.
            for stale in glob.glob(os.path.join(self.cache_dir, ".build-*")):
                shutil.rmtree(stale, ignore_errors=True)
            work = tempfile.mkdtemp(prefix=".build-", dir=self.cache_dir)
            try:
                manifest = self._build(work)
                out = os.path.join(work, "out")
                if os.path.lexists(self.path):
                    os.rename(self.path, os.path.join(work, "old"))
                os.rename(out, self.path)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        return manifest, True

    # ---- the build

    def _build(self, work):
        started = time.monotonic()
        debs = os.path.join(work, "debs")
        root = os.path.join(work, "root")
        out = os.path.join(work, "out")
        for path in (debs, root, out):
            os.mkdir(path)
        sandbox = ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 else []
        self.run(["apt-get", "-q"] + APT_OPTIONS + sandbox + ["download"]
                 + ["%s=%s" % item for item in self.versions.items()], cwd=debs)
        for deb in sorted(os.listdir(debs)):
            self.run(["dpkg-deb", "-x", os.path.join(debs, deb), root])

        version = kernel_version(self.real_kernel)
        vmlinuz = os.path.join(root, "boot", "vmlinuz-" + version)
        if not os.path.isfile(vmlinuz):
            raise GuestImageError("%s has no /boot/vmlinuz-%s" % (self.real_kernel, version))
        shutil.copyfile(vmlinuz, os.path.join(out, OUTPUT_FILES["kernel"]))

        entries, modules, libraries = self._initramfs_entries(root, version)
        with open(os.path.join(out, OUTPUT_FILES["ramdisk"]), "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as archive:
                write_cpio(archive, entries)
        with open(os.path.join(out, OUTPUT_FILES["disk"]), "wb") as disk:
            disk.truncate(DISK_SIZE)

        files = {}
        for role, name in OUTPUT_FILES.items():
            with open(os.path.join(out, name), "rb") as handle:
                files[role] = dict(checksums_of(handle), name=name)
        manifest = {
            "recipe": self.recipe_id,
            "format": FORMAT_VERSION,
            "kernel_package": self.real_kernel,
            "kernel_version": version,
            "packages": self.versions,
            "modules": modules,
            "libraries": libraries,
            "command_line": COMMAND_LINE,
            "marker": MARKER,
            "files": files,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.monotonic() - started, 1),
        }
        # Written last: an image without its DONE is no image.
        with open(os.path.join(out, DONE), "w") as handle:
            json.dump(manifest, handle, indent=1, sort_keys=True)
            handle.write("\n")
        return manifest

    def _initramfs_entries(self, root, version):
        """(cpio entries, modules loaded by /init, libraries) of the initramfs."""
        entries = [directory(name, mode) for name, mode in IMAGE_DIRS.items()]
        entries += [char_device(name, mode, major, minor) for name, (mode, major, minor) in IMAGE_DEVICES.items()]
        entries += [regular_file(name, text.encode(), mode) for name, (mode, text) in IMAGE_FILES.items()]

        modules = self._modules(root, version)
        entries += [regular_file("%s/%s.ko" % (IMAGE_MODULE_DIR, name), data) for name, data in modules.items()]
        for path, names in module_lists().items():
            entries.append(regular_file(path, "".join(name + "\n" for name in modules if name in names).encode()))

        interpreters = set()
        needed = []
        for source, target in PROGRAMS.items():
            data = _read(os.path.join(root, source), "program /%s" % source)
            entries.append(regular_file(target, data, 0o755))
            interpreter = elf_interpreter(data)
            if interpreter:
                interpreters.add(interpreter)
            needed += elf_needed(data)
        libraries = closure(needed, lambda soname: elf_needed(self._library(root, soname)))
        for soname in libraries:
            entries.append(regular_file("%s/%s" % (IMAGE_LIBRARY_DIR, soname), self._library(root, soname), 0o755))
        for interpreter in sorted(interpreters):
            name = interpreter.lstrip("/")
            soname = name.rsplit("/", 1)[-1]
            if soname in libraries and name != "%s/%s" % (IMAGE_LIBRARY_DIR, soname):
                entries.append(symlink(name, "/%s/%s" % (IMAGE_LIBRARY_DIR, soname)))
            elif soname not in libraries:
                entries.append(regular_file(name, _read(_in_root(root, interpreter), "interpreter " + interpreter), 0o755))
        entries += [symlink(name, target) for name, target in IMAGE_SYMLINKS.items()]
        return with_parents(entries), list(modules), libraries

    def _library(self, root, soname):
        for directory_name in LIBRARY_DIRS:
            path = os.path.join(root, directory_name, soname)
            if os.path.lexists(path):
                return _read(_in_root(root, "/" + os.path.join(directory_name, soname)), "library " + soname)
        raise GuestImageError("library %s is needed but in none of the packages %s" % (soname, ", ".join(self.versions)))

    def _modules(self, root, version):
        """{name: plain .ko data} of the drivers to load (of every list), in load order."""
        for base in ("lib/modules", "usr/lib/modules"):
            modules_dir = os.path.join(root, base, version)
            if os.path.isdir(modules_dir):
                break
        else:
            raise GuestImageError("%s has no /lib/modules/%s" % (self.real_kernel, version))
        try:
            with open(os.path.join(modules_dir, "modules.builtin")) as handle:
                builtin = parse_builtin(handle.read())
        except FileNotFoundError:
            builtin = set()
        wanted = [name for names in module_lists().values() for name in names]
        files = {}
        for dirpath, _dirs, names in os.walk(os.path.join(modules_dir, "kernel")):
            for name in names:
                if module_name(name) in wanted:
                    files[module_name(name)] = os.path.join(dirpath, name)
        plain = {}
        for name, path in files.items():
            with open(path, "rb") as handle:
                plain[name] = decompress_module(path, handle.read())
        depends = {name: [dep for dep in ",".join(modinfo(data).get("depends", [""])).split(",") if dep]
                   for name, data in plain.items()}
        return {name: plain[name] for name in module_load_order(wanted, depends, builtin)}


def _in_root(root, path):
    """`path` (absolute, as inside the packages' tree) with its symlinks followed within `root`."""
    parts = [part for part in path.split("/") if part]
    resolved = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        if part == ".":
            continue
        candidate = os.path.join(root, *resolved, part)
        if os.path.islink(candidate):
            hops += 1
            if hops > 40:
                raise GuestImageError("too many symlinks in %s" % path)
            target = os.readlink(candidate)
            if target.startswith("/"):
                resolved = []
            parts = [p for p in target.split("/") if p] + parts
            continue
        resolved.append(part)
    return os.path.join(root, *resolved)


def _read(path, what):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise GuestImageError("%s is missing from the packages: %s" % (what, exc)) from exc


def result(image, manifest):
    """The module's return values for `image` (and its manifest, None in check mode before a build)."""
    paths = {role: os.path.join(image.path, name) for role, name in OUTPUT_FILES.items()}
    checksums = {}
    if manifest is not None:
        checksums = {role: {key: manifest["files"][role][key] for key in ("md5", "sha256", "sha512", "size")}
                     for role in OUTPUT_FILES}
    return dict(
        paths,
        image_dir=image.path,
        checksums=checksums,
        kernel_package=image.real_kernel,
        kernel_version=kernel_version(image.real_kernel),
        packages=image.versions,
        recipe=image.recipe_id,
        marker=MARKER,
        metadata_failed_marker=METADATA_FAILED_MARKER,
        config_drive_marker=CONFIG_DRIVE_MARKER,
        command_line=COMMAND_LINE,
    )


def run_module(module):
    """Entry point of the guest_image module."""
    params = module.params

    def run(args, cwd=None):
        rc, out, err = module.run_command(args, cwd=cwd, environ_update=C_LOCALE)
        if rc != 0:
            raise GuestImageError("%s failed (rc=%d): %s" % (" ".join(args), rc, (err or out).strip()))
        return out

    image = GuestImage(run, cache_dir=params["cache_dir"], kernel_package=params["kernel_package"])
    try:
        image.resolve()
        if module.check_mode:
            manifest = image.manifest()
            changed = params["force"] or manifest is None
            module.exit_json(changed=changed, **result(image, manifest))
        manifest, changed = image.ensure(force=params["force"])
    except (GuestImageError, OSError, ValueError) as exc:
        module.fail_json(msg="guest image: %s" % exc)
    module.exit_json(changed=changed, **result(image, manifest))

"""The test guest image: cpio writer, ELF and module helpers, apt output, recipe, scripts."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import stat
import struct
import subprocess

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.guest_image import _build as gi

# --------------------------------------------------------------------------- helpers


def read_newc(data):
    """[(name, mode, data, (rdevmajor, rdevminor), nlink)] of a newc archive, without its trailer."""
    members = []
    pos = 0
    while True:
        assert data[pos:pos + 6] == b"070701", "bad magic at %d" % pos
        fields = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = fields[11], fields[6]
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        assert data[pos + 110 + namesize - 1] == 0
        pos += 110 + namesize
        assert pos % 4 == 0 or data[pos:pos + (-pos % 4)] == b"\0" * (-pos % 4)
        pos += -pos % 4
        content = data[pos:pos + filesize]
        pos += filesize
        pos += -pos % 4
        if name == "TRAILER!!!":
            assert pos == len(data)
            return members
        members.append((name, fields[1], content, (fields[9], fields[10]), fields[4]))


def make_elf(sections, interpreter=None, elf_class=2):
    """A minimal little-endian ELF64 file with `sections` [(name, type, data, link name)]."""
    names = [""] + [s[0] for s in sections] + [".shstrtab"]
    shstrtab = b"\0"
    name_offsets = {"": 0}
    for name in names[1:]:
        name_offsets[name] = len(shstrtab)
        shstrtab += name.encode() + b"\0"
    blobs = [s[2] for s in sections] + [shstrtab]
    phnum = 1 if interpreter else 0
    offset = 64 + 56 * phnum
    interp_offset = offset
    interp = (interpreter.encode() + b"\0") if interpreter else b""
    offset += len(interp)
    body = interp
    data_offsets = []
    for blob in blobs:
        data_offsets.append(offset)
        body += blob
        offset += len(blob)
    shoff = offset
    header = b"\x7fELF" + bytes([elf_class, 1, 1]) + b"\0" * 9
    header += struct.pack("<HHIQQQIHHHHHH", 3, 62, 1, 0, 64 if phnum else 0, shoff, 0, 64, 56, phnum, 64, len(names), len(names) - 1)
    phdrs = struct.pack("<IIQQQQQQ", 3, 4, interp_offset, 0, 0, len(interp), len(interp), 1) if phnum else b""
    index = {name: i for i, name in enumerate(names)}
    shdrs = b"\0" * 64
    for number, (name, sh_type, blob, link) in enumerate(sections):
        shdrs += struct.pack("<IIQQQQIIQQ", name_offsets[name], sh_type, 0, 0, data_offsets[number], len(blob), index.get(link, 0), 0, 1, 0)
    shdrs += struct.pack("<IIQQQQIIQQ", name_offsets[".shstrtab"], 3, 0, 0, data_offsets[-1], len(shstrtab), 0, 0, 1, 0)
    return header + phdrs + body + shdrs


def dynamic_elf(needed, interpreter=None):
    dynstr = b"\0"
    entries = b""
    for soname in needed:
        entries += struct.pack("<qQ", 1, len(dynstr))
        dynstr += soname.encode() + b"\0"
    entries += struct.pack("<qQ", 5, 0) + struct.pack("<qQ", 0, 0)  # DT_STRTAB (ignored), DT_NULL
    return make_elf([(".text", 1, b"\x90" * 7, None), (".dynstr", 3, dynstr, None), (".dynamic", 6, entries, ".dynstr")], interpreter)


def kernel_module(info):
    return make_elf([(".text", 1, b"\xc3", None), (".modinfo", 1, b"".join(b"%s=%s\0" % (k.encode(), v.encode()) for k, v in info), None)])


# --------------------------------------------------------------------------- cpio


def test_newc_header_bytes():
    header = gi.newc_header(gi.regular_file("init", b"abc", 0o755), 1)
    assert header == (
        b"070701" b"00000001" b"000081ED" b"00000000" b"00000000" b"00000001" b"00000000" b"00000003"
        b"00000000" b"00000000" b"00000000" b"00000000" b"00000005" b"00000000" b"init\0" b"\0"
    )
    assert len(header) % 4 == 0


@pytest.mark.parametrize("entries", [
    [],
    [gi.regular_file("a", b"")],
    [gi.regular_file("a", b"x" * size) for size in range(1)] + [gi.regular_file("bb", b"y" * 5, 0o600)],
    [gi.directory("etc"), gi.regular_file("etc/x", b"1234"), gi.regular_file("etc/yy", b"123")],
    [gi.symlink("bin/sh", "busybox"), gi.char_device("dev/console", 0o600, 5, 1), gi.directory("tmp", 0o1777)],
])
def test_cpio_round_trip(entries):
    stream = io.BytesIO()
    gi.write_cpio(stream, entries)
    data = stream.getvalue()
    assert len(data) % 4 == 0
    assert [(m[0], m[1], m[2], m[3]) for m in read_newc(data)] == [(e.name, e.mode, e.data, e.rdev) for e in entries]


@pytest.mark.parametrize(("entry", "kind", "nlink"), [
    (gi.directory("d"), stat.S_IFDIR, 2),
    (gi.regular_file("f", b"x"), stat.S_IFREG, 1),
    (gi.symlink("l", "t"), stat.S_IFLNK, 1),
    (gi.char_device("c", 0o666, 1, 3), stat.S_IFCHR, 1),
])
def test_cpio_entry_kinds(entry, kind, nlink):
    stream = io.BytesIO()
    gi.write_cpio(stream, [entry])
    (member,) = read_newc(stream.getvalue())
    assert stat.S_IFMT(member[1]) == kind
    assert member[4] == nlink


def test_cpio_is_reproducible():
    entries = [gi.regular_file("init", gi.INIT_SCRIPT.encode(), 0o755)]
    first, second = io.BytesIO(), io.BytesIO()
    gi.write_cpio(first, entries)
    gi.write_cpio(second, entries)
    assert first.getvalue() == second.getvalue()


@pytest.mark.parametrize(("names", "expected"), [
    (["init"], ["init"]),
    (["etc/passwd", "etc/shadow"], ["etc", "etc/passwd", "etc/shadow"]),
    (["usr/sbin/dropbear", "usr/bin/dropbearkey"], ["usr", "usr/sbin", "usr/sbin/dropbear", "usr/bin", "usr/bin/dropbearkey"]),
    (["etc/", "etc/a"], ["etc", "etc/a"]),
])
def test_with_parents(names, expected):
    entries = [gi.directory(n.rstrip("/")) if n.endswith("/") else gi.regular_file(n, b"") for n in names]
    assert [e.name for e in gi.with_parents(entries)] == expected


def test_with_parents_keeps_a_listed_directory_mode():
    result = gi.with_parents([gi.directory("root", 0o700), gi.regular_file("root/.profile", b"")])
    assert result[0].mode == stat.S_IFDIR | 0o700


def test_with_parents_rejects_duplicates():
    with pytest.raises(ValueError):
        gi.with_parents([gi.regular_file("init", b"1"), gi.regular_file("init", b"2")])


# --------------------------------------------------------------------------- ELF


@pytest.mark.parametrize("needed", [[], ["libc.so.6"], ["libtomcrypt.so.1", "libtommath.so.1", "libz.so.1", "libcrypt.so.1", "libc.so.6"]])
@pytest.mark.parametrize("interpreter", [None, "/lib64/ld-linux-x86-64.so.2"])
def test_elf_needed_and_interpreter(needed, interpreter):
    data = dynamic_elf(needed, interpreter)
    assert gi.elf_needed(data) == needed
    assert gi.elf_interpreter(data) == interpreter


def test_static_elf_has_no_needed():
    data = make_elf([(".text", 1, b"\x90", None)])
    assert gi.elf_needed(data) == []
    assert gi.elf_interpreter(data) is None


@pytest.mark.parametrize("data", [b"#!/bin/sh\n", b"", make_elf([], elf_class=1)])
def test_not_elf64(data):
    with pytest.raises(ValueError):
        gi.elf_sections(data)


@pytest.mark.skipif(not os.path.exists("/bin/true"), reason="no /bin/true")
def test_elf_needed_of_a_real_program():
    with open(os.path.realpath("/bin/true"), "rb") as handle:
        data = handle.read()
    if data[4] != 2:
        pytest.skip("not a 64-bit machine")
    assert any(soname.startswith("libc.so") for soname in gi.elf_needed(data))


@pytest.mark.parametrize(("roots", "graph", "expected"), [
    ([], {}, []),
    (["libc.so.6"], {"libc.so.6": ["ld.so"], "ld.so": []}, ["libc.so.6", "ld.so"]),
    (["a", "b"], {"a": ["c", "libc"], "b": ["libc"], "c": ["libc"], "libc": []}, ["a", "b", "c", "libc"]),
    (["a"], {"a": ["b"], "b": ["a"]}, ["a", "b"]),
])
def test_closure(roots, graph, expected):
    assert gi.closure(roots, graph.__getitem__) == expected


# --------------------------------------------------------------------------- kernel modules


@pytest.mark.parametrize(("info", "expected"), [
    ([("name", "virtio"), ("depends", "virtio_ring")], {"name": ["virtio"], "depends": ["virtio_ring"]}),
    ([("depends", ""), ("alias", "a"), ("alias", "b")], {"depends": [""], "alias": ["a", "b"]}),
    ([("description", "x=y")], {"description": ["x=y"]}),
])
def test_modinfo(info, expected):
    assert gi.modinfo(kernel_module(info)) == expected


def test_modinfo_of_no_module():
    with pytest.raises(ValueError):
        gi.modinfo(make_elf([(".text", 1, b"\xc3", None)]))


@pytest.mark.parametrize(("path", "name"), [
    ("virtio_net.ko", "virtio_net"),
    ("kernel/drivers/char/hw_random/virtio-rng.ko", "virtio_rng"),
    ("kernel/drivers/virtio/virtio_pci.ko.xz", "virtio_pci"),
    ("failover.ko.zst", "failover"),
    ("x.ko.gz", "x"),
])
def test_module_name(path, name):
    assert gi.module_name(path) == name


def test_parse_builtin():
    text = "kernel/drivers/virtio/virtio.ko\nkernel/net/core/failover.ko\n\nkernel/drivers/char/virtio-rng.ko\n"
    assert gi.parse_builtin(text) == {"virtio", "failover", "virtio_rng"}


@pytest.mark.parametrize(("name", "packed"), [
    ("m.ko", lambda data: data),
    ("m.ko.xz", lzma.compress),
    ("m.ko.gz", gzip.compress),
])
def test_decompress_module(name, packed):
    data = kernel_module([("name", "m")])
    assert gi.decompress_module(name, packed(data)) == data


@pytest.mark.parametrize("name", ["m.ko.zst", "m.ko.bz2", "m"])
def test_decompress_module_unknown(name):
    with pytest.raises(gi.GuestImageError, match=name):
        gi.decompress_module(name, b"")


DEBIAN_61_DEPENDS = {
    "virtio_ring": [], "virtio": ["virtio_ring"], "virtio_pci_legacy_dev": [], "virtio_pci_modern_dev": [],
    "virtio_pci": ["virtio_ring", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio"],
    "failover": [], "net_failover": ["failover"], "virtio_net": ["virtio_ring", "virtio", "net_failover"],
    "virtio_blk": ["virtio_ring", "virtio"],
}


@pytest.mark.parametrize(("depends", "builtin", "expected"), [
    (DEBIAN_61_DEPENDS, set(), gi.NET_MODULES),
    ({k: v for k, v in DEBIAN_61_DEPENDS.items() if k not in ("virtio", "virtio_ring")}, {"virtio", "virtio_ring"}, gi.NET_MODULES[2:]),
    ({"virtio_net": ["net_failover"], "net_failover": ["failover"], "failover": [], "virtio_blk": []},
     {"virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci"},
     ["failover", "net_failover", "virtio_net", "virtio_blk"]),
    ({}, set(gi.NET_MODULES), []),
])
def test_module_load_order(depends, builtin, expected):
    assert gi.module_load_order(gi.NET_MODULES, depends, builtin) == expected


# modinfo depends of linux-image-6.1.0-57-cloud-amd64 (none of them built in).
DEBIAN_61_CONFIG_DRIVE_DEPENDS = {
    "scsi_common": [], "scsi_mod": ["scsi_common"], "cdrom": [], "sr_mod": ["scsi_mod", "cdrom", "scsi_common"],
    "isofs": ["cdrom"], "libata": ["scsi_mod", "scsi_common"], "ata_piix": ["libata"],
}


@pytest.mark.parametrize(("builtin", "expected"), [
    (set(), gi.NET_MODULES + gi.CONFIG_DRIVE_MODULES),
    ({"virtio", "scsi_common", "cdrom"}, [m for m in gi.NET_MODULES + gi.CONFIG_DRIVE_MODULES if m not in ("virtio", "scsi_common", "cdrom")]),
])
def test_config_drive_module_load_order(builtin, expected):
    depends = {k: v for k, v in dict(DEBIAN_61_DEPENDS, **DEBIAN_61_CONFIG_DRIVE_DEPENDS).items() if k not in builtin}
    assert gi.module_load_order(gi.NET_MODULES + gi.CONFIG_DRIVE_MODULES, depends, builtin) == expected


def test_module_lists():
    """The network drivers' list, then the config drive's, each in load order, as /init loads them."""
    lists = gi.module_lists()
    assert list(lists.items()) == [(gi.MODULE_LIST, gi.NET_MODULES), (gi.CONFIG_DRIVE_MODULE_LIST, gi.CONFIG_DRIVE_MODULES)]
    loads = [gi.INIT_SCRIPT.index("\nload_modules /%s\n" % path) for path in lists]
    assert loads == sorted(loads)


@pytest.mark.parametrize(("depends", "message"), [
    ({k: v for k, v in DEBIAN_61_DEPENDS.items() if k != "failover"}, "failover is neither built in"),
    (dict(DEBIAN_61_DEPENDS, virtio_ring=["virtio_net"]), "virtio_ring needs virtio_net"),
    (dict(DEBIAN_61_DEPENDS, virtio_net=["virtio", "mii"]), "virtio_net needs mii"),
])
def test_module_load_order_errors(depends, message):
    with pytest.raises(gi.GuestImageError, match=message):
        gi.module_load_order(gi.NET_MODULES, depends, set())


# --------------------------------------------------------------------------- apt output

DEPENDS_OUTPUT = """dropbear-bin
  Depends: libc6
  Depends: libcrypt1
  Depends: libtomcrypt1
libc6
  Depends: libgcc-s1
busybox-static
linux-image-6.1.0-56-cloud-amd64
  Depends: kmod
  Depends: linux-base
 |Depends: initramfs-tools
  Depends: <linux-initramfs-tool>
    dracut
    initramfs-tools
    tiny-initramfs
  Recommends: firmware-linux-free
<linux-initramfs-tool>
  Depends: nothing
tool
  PreDepends: <virtual>
    provider-a
    provider-b
  Depends: python3:any
  Breaks: old
"""


def test_parse_depends():
    assert gi.parse_depends(DEPENDS_OUTPUT) == {
        "dropbear-bin": ["libc6", "libcrypt1", "libtomcrypt1"],
        "libc6": ["libgcc-s1"],
        "busybox-static": [],
        "linux-image-6.1.0-56-cloud-amd64": ["kmod", "linux-base", "initramfs-tools"],
        "tool": ["provider-a", "python3"],
    }


@pytest.mark.parametrize(("roots", "depends", "expected"), [
    (["a"], {}, (["a"], ["a"])),
    (["a"], {"a": ["b", "c"]}, (["a", "b", "c"], ["b", "c"])),
    (["a", "x"], {"a": ["b"], "b": ["a"], "x": []}, (["a", "x", "b"], [])),
    (["busybox-static", "dropbear-bin"], gi.parse_depends(DEPENDS_OUTPUT),
     (["busybox-static", "dropbear-bin", "libc6", "libcrypt1", "libtomcrypt1", "libgcc-s1"], ["libcrypt1", "libtomcrypt1", "libgcc-s1"])),
])
def test_dependency_closure(roots, depends, expected):
    assert gi.dependency_closure(roots, depends) == expected


POLICY_OUTPUT = """linux-image-cloud-amd64:
  Installed: (none)
  Candidate: 6.1.192-2
  Version table:
     6.1.192-2 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
busybox-static:
  Installed: 1:1.35.0-4+deb12u1+b1
  Candidate: 1:1.35.0-4+deb12u1+b1
  Version table:
 *** 1:1.35.0-4+deb12u1+b1 500
        100 /var/lib/dpkg/status
gone:
  Installed: (none)
  Candidate: (none)
  Version table:
"""


def test_parse_policy():
    assert gi.parse_policy(POLICY_OUTPUT) == {
        "linux-image-cloud-amd64": "6.1.192-2", "busybox-static": "1:1.35.0-4+deb12u1+b1", "gone": None}


@pytest.mark.parametrize(("name", "depends", "expected"), [
    ("linux-image-cloud-amd64", {"linux-image-cloud-amd64": ["linux-image-6.1.0-56-cloud-amd64"]}, "linux-image-6.1.0-56-cloud-amd64"),
    ("linux-image-amd64", {"linux-image-amd64": ["linux-base", "linux-image-6.12.1+deb13-amd64"]}, "linux-image-6.12.1+deb13-amd64"),
    ("linux-image-6.1.0-56-cloud-amd64", {}, "linux-image-6.1.0-56-cloud-amd64"),
])
def test_real_kernel_package(name, depends, expected):
    assert gi.real_kernel_package(name, depends) == expected


def test_real_kernel_package_of_no_kernel():
    with pytest.raises(gi.GuestImageError, match="busybox"):
        gi.real_kernel_package("busybox", {"busybox": ["libc6"]})


def test_kernel_version():
    assert gi.kernel_version("linux-image-6.1.0-56-cloud-amd64") == "6.1.0-56-cloud-amd64"


# --------------------------------------------------------------------------- recipe

VERSIONS = {"linux-image-6.1.0-56-cloud-amd64": "6.1.192-2", "busybox-static": "1:1.35.0-4+deb12u1+b1"}


def test_recipe_hash_is_stable():
    first = gi.recipe_hash(gi.recipe("linux-image-6.1.0-56-cloud-amd64", VERSIONS))
    second = gi.recipe_hash(gi.recipe("linux-image-6.1.0-56-cloud-amd64", dict(reversed(list(VERSIONS.items())))))
    assert first == second
    assert len(first) == 16 and int(first, 16) >= 0


@pytest.mark.parametrize(("versions", "patch"), [
    ({"busybox-static": "1:1.36.0-1"}, None),
    ({"zlib1g": "1:1.2.13.dfsg-1"}, None),
    ({}, ("IMAGE_FILES", dict(gi.IMAGE_FILES, init=(0o755, gi.INIT_SCRIPT + "# changed\n")))),
    ({}, ("IMAGE_FILES", dict(gi.IMAGE_FILES, **{"etc/udhcpc.script": (0o755, gi.UDHCPC_SCRIPT + "# changed\n")}))),
    ({}, ("FORMAT_VERSION", gi.FORMAT_VERSION + 1)),
    ({}, ("COMMAND_LINE", "console=ttyS0 quiet")),
    ({}, ("NET_MODULES", gi.NET_MODULES[:-1])),
    ({}, ("CONFIG_DRIVE_MODULES", gi.CONFIG_DRIVE_MODULES[:-1])),
])
def test_recipe_hash_changes(monkeypatch, versions, patch):
    before = gi.recipe_hash(gi.recipe("linux-image-6.1.0-56-cloud-amd64", VERSIONS))
    if patch:
        monkeypatch.setattr(gi, *patch)
    assert gi.recipe_hash(gi.recipe("linux-image-6.1.0-56-cloud-amd64", dict(VERSIONS, **versions))) != before


@pytest.mark.parametrize("data", [b"", b"abc", b"x" * (3 << 20)])
def test_checksums_of(data):
    assert gi.checksums_of(io.BytesIO(data)) == {
        "md5": hashlib.md5(data).hexdigest(), "sha256": hashlib.sha256(data).hexdigest(),
        "sha512": hashlib.sha512(data).hexdigest(), "size": len(data)}


# --------------------------------------------------------------------------- the side-effect code, with canned apt output


class FakeApt:
    def __init__(self):
        self.calls = []

    def __call__(self, args, cwd=None):
        self.calls.append(args)
        packages = [a for a in args[1:] if not a.startswith("-") and "::" not in a and a not in ("depends", "policy")]
        if "policy" in args:
            return "".join("%s:\n  Installed: (none)\n  Candidate: 1.0-%s\n" % (name, name) for name in packages)
        if "--recurse" in args:
            return ("busybox-static\ndropbear-bin\n  Depends: libc6\n  Depends: zlib1g\nlibc6\n  Depends: libgcc-s1\n"
                    "zlib1g\n  Depends: libc6\nlibgcc-s1\n  Depends: libc6\n")
        return "linux-image-cloud-amd64\n  Depends: linux-image-6.1.0-56-cloud-amd64\n"


def test_resolve_and_check_mode_result(tmp_path):
    apt = FakeApt()
    image = gi.GuestImage(apt, cache_dir=str(tmp_path / "cache"))
    image.resolve()
    assert image.real_kernel == "linux-image-6.1.0-56-cloud-amd64"
    assert list(image.versions) == ["linux-image-6.1.0-56-cloud-amd64", "busybox-static", "dropbear-bin", "libc6", "zlib1g", "libgcc-s1"]
    assert len(apt.calls) == 3, "one call for the kernel, one for the userland tree, one for the versions"
    assert all("Dir::Cache::pkgcache=" in call for call in apt.calls)
    assert image.manifest() is None
    result = gi.result(image, None)
    assert result["kernel"] == str(tmp_path / "cache" / image.recipe_id / "vmlinuz")
    assert result["checksums"] == {}
    assert result["marker"] == gi.MARKER
    assert result["config_drive_marker"] == gi.CONFIG_DRIVE_MARKER
    assert result["kernel_version"] == "6.1.0-56-cloud-amd64"
    assert not (tmp_path / "cache").exists(), "resolving writes nothing"


def test_manifest_needs_every_file(tmp_path):
    image = gi.GuestImage(FakeApt(), cache_dir=str(tmp_path))
    image.resolve()
    os.makedirs(image.path)
    files = {}
    for role, name in gi.OUTPUT_FILES.items():
        (tmp_path / image.recipe_id / name).write_bytes(b"1234")
        files[role] = {"size": 4, "md5": "m", "sha256": "s", "sha512": "t"}
    (tmp_path / image.recipe_id / gi.DONE).write_text(json.dumps({"files": files}))
    assert image.manifest() is not None
    (tmp_path / image.recipe_id / "initrd.img").write_bytes(b"12")
    assert image.manifest() is None


# --------------------------------------------------------------------------- the scripts


def test_init_script_markers():
    assert gi.MARKER == "NIMBUS-GUEST-READY"
    assert 'say "NIMBUS-GUEST-READY instance-id=$id address=$ip_address"' in gi.INIT_SCRIPT
    assert 'say "NIMBUS-GUEST-METADATA-FAILED $failed instance-id=${id:-unknown} address=${ip_address:-none} error=' in gi.INIT_SCRIPT
    assert gi.CONFIG_DRIVE_MARKER == "NIMBUS-GUEST-CONFIG-DRIVE"
    assert 'say "NIMBUS-GUEST-CONFIG-DRIVE uuid=$config_uuid"' in gi.INIT_SCRIPT
    assert 'say "NIMBUS-GUEST-CONFIG-DRIVE-FAILED device=$config_drive error=' in gi.INIT_SCRIPT
    assert not re.search(r"@[A-Z_]+@", gi.INIT_SCRIPT)


@pytest.mark.parametrize("expected", [
    "mount -t proc proc /proc",
    "mount -t sysfs sysfs /sys",
    "mount -t devtmpfs devtmpfs /dev",
    "mount -t devpts",
    "mount -t tmpfs -o mode=755 tmpfs /run",
    "mount -t tmpfs -o mode=1777 tmpfs /tmp",
    "exec </dev/console >/dev/console 2>&1",
    'insmod "/lib/modules/$module.ko"',
    "load_modules /etc/nimbus-modules\n",
    "load_modules /etc/nimbus-config-drive-modules\n",
    "findfs LABEL=config-2",
    'mount -t iso9660 -o ro "$config_drive" /mnt/config',
    "/mnt/config/openstack/latest/meta_data.json",
    "ip link set lo up",
    "/sys/class/net/eth0",
    "udhcpc -i eth0 -t 100 -T 3 -n -q -O mtu -O staticroutes -s /etc/udhcpc.script",
    "http://169.254.169.254",
    '"$metadata/openstack/latest/meta_data.json"',
    '"$metadata/latest/meta-data/public-keys/0/openssh-key"',
    "/root/.ssh/authorized_keys",
    "chmod 700 /root /root/.ssh",
    "chmod 600 /root/.ssh/authorized_keys",
    "dropbear -r \"$hostkey\" -E -p 22",
])
def test_init_script_contains(expected):
    assert expected in gi.INIT_SCRIPT


def test_init_script_order():
    """Mounts, drivers, network, config drive, metadata, SSH, marker, then a loop that never ends."""
    script = gi.INIT_SCRIPT
    steps = ["mount -t proc", "exec </dev/console", "\nload_modules /etc/nimbus-modules", "udhcpc", 'say "NIMBUS-GUEST-ADDRESS',
             "\nload_modules /etc/nimbus-config-drive-modules", "findfs LABEL=config-2", 'say "NIMBUS-GUEST-CONFIG-DRIVE uuid',
             '"$metadata/openstack/latest/meta_data.json"', "authorized_keys", "dropbear -r", 'say "NIMBUS-GUEST-READY',
             "while :; do"]
    positions = [script.index(step) for step in steps]
    assert positions == sorted(positions)
    assert script.rstrip().endswith("done")
    assert not re.search(r"^\s*(exit|exec [^<])", script, re.M), "PID 1 must not end or be replaced"


def test_init_script_has_no_wget_timeout_option():
    # Debian 12's busybox-static wget lacks -T and crashes on it.
    assert "wget -q -T" not in gi.INIT_SCRIPT and "wget -T" not in gi.INIT_SCRIPT


@pytest.mark.parametrize("script", ["init", "etc/udhcpc.script"])
def test_scripts_parse(script):
    mode, text = gi.IMAGE_FILES[script]
    assert mode == 0o755 and text.startswith("#!/bin/sh\n")
    subprocess.run(["sh", "-n"], input=text, text=True, check=True)


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="no shellcheck")
@pytest.mark.parametrize("script", ["init", "etc/udhcpc.script"])
def test_scripts_shellcheck(script):
    subprocess.run(["shellcheck", "-s", "sh", "-"], input=gi.IMAGE_FILES[script][1], text=True, check=True)


def test_image_files():
    assert gi.IMAGE_FILES["etc/passwd"][1] == "root:x:0:0:root:/root:/bin/sh\n"
    assert gi.IMAGE_FILES["etc/shadow"][1].startswith("root:*:")
    assert gi.IMAGE_FILES["etc/shadow"][0] == 0o600
    assert gi.IMAGE_FILES["etc/shells"][1] == "/bin/sh\n"
    assert gi.IMAGE_SYMLINKS["bin/sh"] == "busybox"
    assert gi.IMAGE_DEVICES["dev/console"] == (0o600, 5, 1)
    assert gi.COMMAND_LINE == "console=ttyS0"


# The udhcpc script, run by the machine's sh with `ip` recording what it is asked.
FAKE_IP = '#!/bin/sh\necho "ip $*" >>"$IP_LOG"\n'


@pytest.mark.parametrize(("env", "expected"), [
    ({"ip": "10.0.0.5", "mask": "24", "router": "10.0.0.1 10.0.0.2", "dns": "10.0.0.3 10.0.0.4", "domain": "example.org"},
     ["ip -4 addr flush dev eth0", "ip -4 addr add 10.0.0.5/24 dev eth0", "ip -4 route replace default via 10.0.0.1 dev eth0"]),
    ({"ip": "10.0.0.5", "mask": "24", "mtu": "1450", "broadcast": "10.0.0.255", "router": "10.0.0.1",
      "staticroutes": "169.254.169.254/32 10.0.0.2 0.0.0.0/0 10.0.0.1 192.168.9.0/24 0.0.0.0"},
     ["ip -4 addr flush dev eth0", "ip link set dev eth0 mtu 1450", "ip -4 addr add 10.0.0.5/24 broadcast 10.0.0.255 dev eth0",
      "ip -4 route replace 169.254.169.254/32 via 10.0.0.2 dev eth0", "ip -4 route replace 0.0.0.0/0 via 10.0.0.1 dev eth0",
      "ip -4 route replace 192.168.9.0/24 dev eth0"]),
    ({"ip": "10.0.0.5"}, ["ip -4 addr flush dev eth0", "ip -4 addr add 10.0.0.5/32 dev eth0"]),
])
def test_udhcpc_script_bound(tmp_path, env, expected):
    (tmp_path / "ip").write_text(FAKE_IP)
    (tmp_path / "ip").chmod(0o755)
    script = gi.UDHCPC_SCRIPT.replace("/etc/resolv.conf", str(tmp_path / "resolv.conf")).replace("/run/dhcp-address", str(tmp_path / "address"))
    full_env = dict(env, interface="eth0", PATH="%s:%s" % (tmp_path, os.environ["PATH"]), IP_LOG=str(tmp_path / "log"))
    subprocess.run(["sh", "-c", script, "udhcpc.script", "bound"], env=full_env, check=True)
    assert (tmp_path / "log").read_text().splitlines() == expected
    assert (tmp_path / "address").read_text() == "%s/%s\n" % (env["ip"], env.get("mask", "32"))
    resolv = (tmp_path / "resolv.conf").read_text()
    assert resolv == "".join(["search %s\n" % env["domain"]] if "domain" in env else []) + "".join(
        "nameserver %s\n" % server for server in env.get("dns", "").split())


def test_udhcpc_script_deconfig(tmp_path):
    (tmp_path / "ip").write_text(FAKE_IP)
    (tmp_path / "ip").chmod(0o755)
    env = {"interface": "eth0", "PATH": "%s:%s" % (tmp_path, os.environ["PATH"]), "IP_LOG": str(tmp_path / "log")}
    subprocess.run(["sh", "-c", gi.UDHCPC_SCRIPT, "udhcpc.script", "deconfig"], env=env, check=True)
    assert (tmp_path / "log").read_text().splitlines() == ["ip -4 addr flush dev eth0", "ip link set dev eth0 up"]


# The config drive part of /init, run by the machine's sh with its functions, fake
# insmod/findfs/mount on PATH and its paths moved under tmp_path.
FAKE_COMMANDS = {
    "insmod": '#!/bin/sh\necho "insmod $*" >>"$LOG"\ncase " $INSMOD_FAIL " in *" $(basename "$1" .ko) "*) exit 1;; esac\n',
    "findfs": '#!/bin/sh\n[ -n "$DRIVE" ] || { echo "findfs: unable to resolve \'$1\'" >&2; exit 1; }\necho "$DRIVE"\n',
    "mount": '#!/bin/sh\necho "mount $*" >>"$LOG"\n[ -z "$MOUNT_ERROR" ] || { echo "$MOUNT_ERROR" >&2; exit 32; }\n',
}
NOVA_META_DATA = (
    '{"uuid": "0a915b56-4487-4943-929e-d2f58960995d", "meta": {"role": "web"}, "public_keys": {"k": "ssh-ed25519 AAAA k"},'
    ' "keys": [{"name": "k", "type": "ssh", "data": "ssh-ed25519 AAAA k"}], "hostname": "a", "name": "a",'
    ' "launch_index": 0, "availability_zone": "nova", "random_seed": "x", "project_id": "p",'
    ' "devices": [], "dedicated_cpus": []}'
)


def run_config_drive_part(tmp_path, meta_data=None, **env):
    """(console output, fake command log) of the config drive part of /init."""
    script = gi.INIT_SCRIPT
    functions = script[script.index("say() {"):script.index("\nload_modules /etc/nimbus-modules\n")]
    part = script[script.index("# Nova's config drive"):script.index("\nmetadata=")]
    for name, text in FAKE_COMMANDS.items():
        (tmp_path / name).write_text(text)
        (tmp_path / name).chmod(0o755)
    (tmp_path / "run").mkdir()
    (tmp_path / "modules").write_text("".join(name + "\n" for name in gi.CONFIG_DRIVE_MODULES))
    if meta_data is not None:
        (tmp_path / "mnt/config/openstack/latest").mkdir(parents=True)
        (tmp_path / "mnt/config/openstack/latest/meta_data.json").write_text(meta_data)
    text = (functions + part).replace("/etc/nimbus-config-drive-modules", str(tmp_path / "modules")).replace(
        "/lib/modules/", str(tmp_path / "lib") + "/").replace("/mnt/config", str(tmp_path / "mnt/config")).replace(
        "/run/", str(tmp_path / "run") + "/")
    full_env = dict(env, PATH="%s:%s" % (tmp_path, os.environ["PATH"]), LOG=str(tmp_path / "log"))
    done = subprocess.run(["sh", "-c", text], env=full_env, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr, (tmp_path / "log").read_text().splitlines()


def test_config_drive_none(tmp_path):
    output, log = run_config_drive_part(tmp_path)
    assert "NIMBUS-" not in output
    assert log == ["insmod %s/lib/%s.ko" % (tmp_path, name) for name in gi.CONFIG_DRIVE_MODULES]


def test_config_drive_mounted(tmp_path):
    output, log = run_config_drive_part(tmp_path, meta_data=NOVA_META_DATA, DRIVE="/dev/sr0")
    assert output == "\nNIMBUS-GUEST-CONFIG-DRIVE uuid=0a915b56-4487-4943-929e-d2f58960995d\n"
    assert log[-1] == "mount -t iso9660 -o ro /dev/sr0 %s/mnt/config" % tmp_path


@pytest.mark.parametrize(("meta_data", "env", "error"), [
    (NOVA_META_DATA, {"MOUNT_ERROR": "mount: mounting /dev/sr0 on /mnt/config failed: Invalid argument"},
     "mount: mounting /dev/sr0 on /mnt/config failed: Invalid argument"),
    ('{"name": "a"}', {}, "no uuid in openstack/latest/meta_data.json"),
    (None, {}, "meta_data.json"),
])
def test_config_drive_failed(tmp_path, meta_data, env, error):
    output, _log = run_config_drive_part(tmp_path, meta_data=meta_data, DRIVE="/dev/sr0", **env)
    line, = [line for line in output.splitlines() if line]
    assert line.startswith("NIMBUS-GUEST-CONFIG-DRIVE-FAILED device=/dev/sr0 error=")
    assert error in line


def test_config_drive_insmod_failed(tmp_path):
    output, log = run_config_drive_part(tmp_path, INSMOD_FAIL="sr_mod isofs")
    assert output == "\nNIMBUS-GUEST-INSMOD-FAILED sr_mod\n\nNIMBUS-GUEST-INSMOD-FAILED isofs\n"
    assert len(log) == len(gi.CONFIG_DRIVE_MODULES), "a failure does not stop the others"


@pytest.mark.parametrize(("json_text", "expected"), [
    (NOVA_META_DATA, "0a915b56-4487-4943-929e-d2f58960995d"),
    ('{"uuid":"a-b","devices":[{"uuid":"c"}]}', "a-b"),
    ('{\n  "name": "x",\n  "uuid": "d-e"\n}\n', "d-e"),
    ('{"name": "x"}', ""),
])
def test_first_uuid(json_text, expected):
    script = gi.INIT_SCRIPT
    function = script[script.index("first_uuid() {"):script.index("\nload_modules /etc/nimbus-modules\n")]
    done = subprocess.run(["sh", "-c", function + "first_uuid"], input=json_text, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == expected


def fake_packages_root(root, version, depends, builtin=()):
    """A tree as the packages unpack: programs, their libraries, kernel modules (plain and .xz)."""
    files = {
        "bin/busybox": make_elf([(".text", 1, b"\x90", None)]),
        "usr/sbin/dropbear": dynamic_elf(["libc.so.6"], "/lib64/ld-linux-x86-64.so.2"),
        "usr/bin/dropbearkey": dynamic_elf(["libc.so.6"], "/lib64/ld-linux-x86-64.so.2"),
        "lib/x86_64-linux-gnu/libc.so.6": dynamic_elf(["ld-linux-x86-64.so.2"]),
        "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2": dynamic_elf([]),
        "lib/modules/%s/modules.builtin" % version: "".join("kernel/x/%s.ko\n" % name for name in builtin).encode(),
    }
    for number, (name, deps) in enumerate(depends.items()):
        data = kernel_module([("name", name), ("depends", ",".join(deps))])
        # Some files are named with dashes, some compressed, as in Debian's packages.
        path = "lib/modules/%s/kernel/d%d/%s.ko" % (version, number, name.replace("_", "-") if name == "scsi_mod" else name)
        files[path + (".xz" if number % 2 else "")] = lzma.compress(data) if number % 2 else data
    files["lib/modules/%s/kernel/other/unwanted.ko" % version] = kernel_module([("name", "unwanted")])
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (root / "lib64").mkdir()
    (root / "lib64/ld-linux-x86-64.so.2").symlink_to("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")


def test_initramfs_entries_module_lists(tmp_path):
    version = "6.1.0-57-cloud-amd64"
    fake_packages_root(tmp_path, version, dict(DEBIAN_61_DEPENDS, **DEBIAN_61_CONFIG_DRIVE_DEPENDS), builtin=["virtio"])
    image = gi.GuestImage(None)
    image.real_kernel = "linux-image-" + version
    entries, modules, _libraries = image._initramfs_entries(str(tmp_path), version)
    by_name = {entry.name: entry for entry in entries}
    net = [name for name in gi.NET_MODULES if name != "virtio"]
    assert by_name[gi.MODULE_LIST].data.decode().split() == net
    assert by_name[gi.CONFIG_DRIVE_MODULE_LIST].data.decode().split() == gi.CONFIG_DRIVE_MODULES
    assert modules == net + gi.CONFIG_DRIVE_MODULES
    assert gi.modinfo(by_name["lib/modules/scsi_mod.ko"].data)["name"] == ["scsi_mod"], "stored plain, by module name"
    assert "lib/modules/unwanted.ko" not in by_name and "lib/modules/virtio.ko" not in by_name


def test_initramfs_entries_without_a_config_drive_module(tmp_path):
    version = "6.1.0-57-cloud-amd64"
    fake_packages_root(tmp_path, version, dict(DEBIAN_61_DEPENDS, **{k: v for k, v in DEBIAN_61_CONFIG_DRIVE_DEPENDS.items() if k != "libata"}))
    image = gi.GuestImage(None)
    image.real_kernel = "linux-image-" + version
    with pytest.raises(gi.GuestImageError, match="libata is neither built in nor in the kernel package"):
        image._initramfs_entries(str(tmp_path), version)

"""The KVM probe's ioctl numbers, structs and reading of the vCPU's kvm_run area."""

from __future__ import annotations

import errno
import os
import struct

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.host import _kvm
from ansible_collections.nimbus.openstack.plugins.module_utils.host._kvm import (
    GUEST_CODE,
    REQUESTS,
    SREGS_SIZE,
    describe_exit,
    flat_code_segment,
    ioc,
    is_guest_write,
    memory_region,
    probe,
    regs,
    run_exit,
)


# Values of the macros in linux/kvm.h on x86_64.
@pytest.mark.parametrize(("name", "number"), [
    ("KVM_GET_API_VERSION", 0xAE00),
    ("KVM_CREATE_VM", 0xAE01),
    ("KVM_GET_VCPU_MMAP_SIZE", 0xAE04),
    ("KVM_CREATE_VCPU", 0xAE41),
    ("KVM_SET_USER_MEMORY_REGION", 0x4020AE46),
    ("KVM_RUN", 0xAE80),
    ("KVM_GET_REGS", 0x8090AE81),
    ("KVM_SET_REGS", 0x4090AE82),
    ("KVM_GET_SREGS", 0x8138AE83),
    ("KVM_SET_SREGS", 0x4138AE84),
])
def test_ioctl_numbers(name, number):
    assert REQUESTS[name] == number


@pytest.mark.parametrize(("args", "number"), [
    ((0, 0xAE, 0x00, 0), 0xAE00),
    ((1, 0xAE, 0x46, 32), 0x4020AE46),
    ((2, 0xAE, 0x81, 144), 0x8090AE81),
    ((3, 0xAE, 0x05, 8), 0xC008AE05),  # KVM_GET_SUPPORTED_CPUID's _IOWR(KVMIO, 0x05, struct kvm_cpuid2)
    ((2, 0x54, 0x13, 8), 0x80085413),  # TIOCGWINSZ: the same encoding outside KVM
])
def test_ioc(args, number):
    assert ioc(*args) == number


@pytest.mark.parametrize("args", [(4, 0xAE, 0, 0), (0, 256, 0, 0), (0, 0xAE, 256, 0), (1, 0xAE, 0, 1 << 14), (1, 0xAE, 0, -1)])
def test_ioc_fields_out_of_range(args):
    with pytest.raises(ValueError):
        ioc(*args)


@pytest.mark.parametrize(("layout", "size"), [
    (_kvm.MEMORY_REGION, 32),
    (_kvm.REGS, 144),
    (_kvm.SEGMENT, 24),
    (_kvm.RUN_HEADER, 32),
    (_kvm.RUN_IO, 16),
])
def test_struct_sizes(layout, size):
    assert layout.size == size


def test_sregs_size():
    assert SREGS_SIZE == 312


def test_memory_region():
    packed = memory_region(0, 0x1000, 0x1000, 0x7F0012345000)
    assert packed == (b"\0\0\0\0" b"\0\0\0\0" + (0x1000).to_bytes(8, "little") + (0x1000).to_bytes(8, "little")
                      + (0x7F0012345000).to_bytes(8, "little"))
    assert struct.unpack("<IIQQQ", memory_region(3, 0, 4096, 1, flags=1)) == (3, 1, 0, 4096, 1)


@pytest.mark.parametrize(("name", "offset"), [("rax", 0), ("rcx", 16), ("rsp", 48), ("r15", 120), ("rip", 128), ("rflags", 136)])
def test_regs_offsets(name, offset):
    packed = regs(**{name: 0x1122334455667788})
    assert len(packed) == 144
    assert packed[offset:offset + 8] == (0x1122334455667788).to_bytes(8, "little")
    assert packed.count(0) == 144 - 8


def test_regs_unknown_name():
    with pytest.raises(ValueError, match="eip"):
        regs(eip=1)


def reset_sregs():
    """A vCPU's sregs as KVM_GET_SREGS gives them after reset: cs base 0xffff0000, selector 0xf000."""
    out = bytearray(range(256)) + bytearray(SREGS_SIZE - 256)
    _kvm.SEGMENT.pack_into(out, 0, 0xFFFF0000, 0xFFFF, 0xF000, 11, 1, 0, 0, 1, 0, 0, 0, 0, 0)
    return bytes(out)


def test_flat_code_segment():
    before = reset_sregs()
    after = flat_code_segment(before)
    assert len(after) == SREGS_SIZE
    assert _kvm.SEGMENT.unpack_from(after, 0) == (0, 0xFFFF, 0, 11, 1, 0, 0, 1, 0, 0, 0, 0, 0)
    assert after[24:] == before[24:]


@pytest.mark.parametrize("size", [0, SREGS_SIZE - 1, SREGS_SIZE + 8])
def test_flat_code_segment_wrong_size(size):
    with pytest.raises(ValueError):
        flat_code_segment(bytes(size))


def run_area(reason, union=b"", data=b"", data_offset=0x1000):
    area = bytearray(0x3000)
    struct.pack_into("<I", area, 8, reason)
    area[32:32 + len(union)] = union
    area[data_offset:data_offset + len(data)] = data
    return bytes(area)


def io_exit(direction=1, port=0x10, data=b"\x42", count=1):
    size = len(data) // count
    return run_area(2, struct.pack("<BBHIQ", direction, size, port, count, 0x1000), data)


@pytest.mark.parametrize(("area", "guest_write"), [
    (io_exit(), True),
    (io_exit(direction=0), False),
    (io_exit(port=0x11), False),
    (io_exit(data=b"\x43"), False),
    (io_exit(data=b"\x42\x00"), False),
    (io_exit(data=b"\x42\x42", count=2), False),
    (run_area(5), False),
])
def test_is_guest_write(area, guest_write):
    assert is_guest_write(run_exit(area)) is guest_write


@pytest.mark.parametrize(("area", "text"), [
    (io_exit(), "KVM_EXIT_IO (out port 0x10, 1 x 1 bytes: 42)"),
    (io_exit(direction=0, port=0x3F8, data=b"\x01\x02", count=1), "KVM_EXIT_IO (in port 0x3f8, 1 x 2 bytes: 0102)"),
    (run_area(5), "KVM_EXIT_HLT"),
    (run_area(8), "KVM_EXIT_SHUTDOWN"),
    (run_area(9, struct.pack("<QI", 0x80000021, 0)), "KVM_EXIT_FAIL_ENTRY (0x80000021)"),
    (run_area(17, struct.pack("<II", 1, 2)), "KVM_EXIT_INTERNAL_ERROR (0x1)"),
    (run_area(99), "KVM_EXIT_99"),
])
def test_describe_exit(area, text):
    assert describe_exit(run_exit(area)) == text


def test_guest_code_loops_back_to_its_dec():
    jnz = GUEST_CODE.index(b"\x75")
    target = jnz + 2 + struct.unpack("b", GUEST_CODE[jnz + 1:jnz + 2])[0]
    assert GUEST_CODE[target:target + 2] == b"\x66\x49"  # dec ecx
    assert GUEST_CODE.count(b"\xe6\x10") == 2
    assert GUEST_CODE.endswith(b"\xf4")


def test_missing_device(tmp_path):
    assert probe(str(tmp_path / "kvm"), 5) == (False, "%s/kvm is missing" % tmp_path)


def test_device_that_is_no_kvm(tmp_path):
    fake = tmp_path / "kvm"
    fake.write_bytes(b"")
    usable, reason = probe(str(fake), 5)
    assert not usable
    assert reason.startswith("KVM_GET_API_VERSION failed: [Errno %d]" % errno.ENOTTY)


def test_other_architecture(monkeypatch):
    monkeypatch.setattr(_kvm.os, "uname", lambda: os.uname_result(("Linux", "h", "6.1", "#1", "aarch64")))
    assert probe("/dev/kvm", 5) == (False, "the KVM probe knows x86_64 only, this host is aarch64")

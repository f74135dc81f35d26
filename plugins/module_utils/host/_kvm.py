# Private to this collection: not a public API, may change without notice.
"""Whether KVM really runs guests here: a few real-mode instructions run through the KVM ioctl API.

Nested KVM often has a /dev/kvm whose guests never run (KVM_RUN hangs or fails),
so the probe runs in a forked child that is killed when it overruns its time.
Only the standard library is used (Debian 12's python3 on the target hosts).
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import mmap
import os
import select
import signal
import struct
import time

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = {
    "device": {"type": "path", "default": "/dev/kvm"},
    "timeout": {"type": "float", "default": 10.0},
    "cache": {"type": "path", "default": "/run/nimbus/kvm_info.json"},
}

# asm-generic/ioctl.h, which x86_64 uses: number 8 bits, type 8, size 14, direction 2.
IOC_NONE, IOC_WRITE, IOC_READ = 0, 1, 2
_IOC_SIZEBITS = 14


def ioc(direction, kind, number, size):
    """An ioctl request number, as the _IOC() macro makes it."""
    if not (0 <= direction < 4 and 0 <= kind < 256 and 0 <= number < 256 and 0 <= size < 1 << _IOC_SIZEBITS):
        raise ValueError("ioctl field out of range: %r" % ((direction, kind, number, size),))
    return direction << 30 | size << 16 | kind << 8 | number


def io(kind, number):
    return ioc(IOC_NONE, kind, number, 0)


def iow(kind, number, size):
    return ioc(IOC_WRITE, kind, number, size)


def ior(kind, number, size):
    return ioc(IOC_READ, kind, number, size)


# linux/kvm.h and asm/kvm.h (x86_64). Every struct is naturally aligned: no padding.
# struct kvm_userspace_memory_region: slot, flags, guest_phys_addr, memory_size, userspace_addr.
MEMORY_REGION = struct.Struct("=IIQQQ")
# struct kvm_regs: rax rbx rcx rdx rsi rdi rsp rbp r8-r15 rip rflags.
REGS = struct.Struct("=18Q")
REG_NAMES = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
             "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags")
# struct kvm_segment: base, limit, selector, type, present, dpl, db, s, l, g, avl, unusable, padding.
SEGMENT = struct.Struct("=QIH10B")
# struct kvm_sregs: cs ds es fs gs ss tr ldt (segments), gdt idt (base u64, limit u16, 3 x u16
# padding), cr0 cr2 cr3 cr4 cr8 efer apic_base, interrupt_bitmap[4]; cs comes first.
SREGS_SIZE = 8 * SEGMENT.size + 2 * 16 + 7 * 8 + 4 * 8
# struct kvm_run up to its union: request_interrupt_window, immediate_exit, padding1[6],
# exit_reason, ready_for_interrupt_injection, if_flag, flags, cr8, apic_base.
RUN_HEADER = struct.Struct("=BB6xIBBHQQ")
# The union's io member: direction, size, port, count, data_offset (from the start of kvm_run).
RUN_IO = struct.Struct("=BBHIQ")
# The union's fail_entry member starts with hardware_entry_failure_reason, internal with suberror.
RUN_FAIL_ENTRY = struct.Struct("=Q")
RUN_INTERNAL = struct.Struct("=I")

KVMIO = 0xAE
KVM_API_VERSION = 12
REQUESTS = {
    "KVM_GET_API_VERSION": io(KVMIO, 0x00),
    "KVM_CREATE_VM": io(KVMIO, 0x01),
    "KVM_GET_VCPU_MMAP_SIZE": io(KVMIO, 0x04),
    "KVM_CREATE_VCPU": io(KVMIO, 0x41),
    "KVM_SET_USER_MEMORY_REGION": iow(KVMIO, 0x46, MEMORY_REGION.size),
    "KVM_RUN": io(KVMIO, 0x80),
    "KVM_GET_REGS": ior(KVMIO, 0x81, REGS.size),
    "KVM_SET_REGS": iow(KVMIO, 0x82, REGS.size),
    "KVM_GET_SREGS": ior(KVMIO, 0x83, SREGS_SIZE),
    "KVM_SET_SREGS": iow(KVMIO, 0x84, SREGS_SIZE),
}

KVM_EXIT_IO, KVM_EXIT_HLT, KVM_EXIT_FAIL_ENTRY, KVM_EXIT_INTERNAL_ERROR = 2, 5, 9, 17
KVM_EXIT_IO_OUT = 1
EXIT_NAMES = {0: "UNKNOWN", 1: "EXCEPTION", 2: "IO", 3: "HYPERCALL", 4: "DEBUG", 5: "HLT", 6: "MMIO",
              7: "IRQ_WINDOW_OPEN", 8: "SHUTDOWN", 9: "FAIL_ENTRY", 10: "INTR", 17: "INTERNAL_ERROR"}

# The test guest, in real mode at guest physical GUEST_ADDRESS, with ecx = GUEST_LOOPS:
#   mov al, 0x42; out 0x10, al; loop: dec ecx; jnz loop; out 0x10, al; hlt
# The two writes time the loop. A KVM that runs guests on the CPU takes a few ms for it.
# Nested KVM without hardware support (a kvm_pvm module was seen doing this) runs the
# same code thousands of times slower, ~1 microsecond per iteration: it has /dev/kvm and
# runs a guest's first instructions, yet a guest kernel under QEMU -accel kvm did not
# reach its panic within 20 s there.
GUEST_PORT, GUEST_VALUE = 0x10, 0x42
GUEST_CODE = bytes([0xB0, GUEST_VALUE, 0xE6, GUEST_PORT, 0x66, 0x49, 0x75, 0xFC, 0xE6, GUEST_PORT, 0xF4])
GUEST_ADDRESS = 0x1000
GUEST_MEMORY = 0x1000
GUEST_LOOPS = 10_000_000
# Longest time the loop may take: hardware-assisted KVM needs milliseconds, emulation seconds.
LOOP_TIME_LIMIT = 1.0
# How long a probe that overran its time may take to die of SIGKILL.
REAP_TIMEOUT = 5.0


class ProbeFailed(Exception):
    """The probe's answer when KVM does not run the test guest."""


class _TooSlow(Exception):
    """Raised by SIGALRM's handler: it interrupts KVM_RUN (which then fails with EINTR)."""


def _too_slow(signum, frame):
    raise _TooSlow()


def memory_region(slot, guest_phys_addr, memory_size, userspace_addr, flags=0):
    """struct kvm_userspace_memory_region, packed."""
    return MEMORY_REGION.pack(slot, flags, guest_phys_addr, memory_size, userspace_addr)


def regs(**values):
    """struct kvm_regs, packed: the registers named, every other one 0."""
    unknown = set(values) - set(REG_NAMES)
    if unknown:
        raise ValueError("no such register: %s" % ", ".join(sorted(unknown)))
    return REGS.pack(*(values.get(name, 0) for name in REG_NAMES))


def flat_code_segment(sregs):
    """struct kvm_sregs (bytes) with cs at base 0, selector 0: real-mode code runs from address 0 on."""
    if len(sregs) != SREGS_SIZE:
        raise ValueError("struct kvm_sregs is %d bytes, not %d" % (SREGS_SIZE, len(sregs)))
    cs = list(SEGMENT.unpack_from(sregs, 0))
    cs[0], cs[2] = 0, 0
    out = bytearray(sregs)
    SEGMENT.pack_into(out, 0, *cs)
    return bytes(out)


def run_exit(run):
    """Why KVM_RUN returned, from the vCPU's kvm_run area: a dict with `reason` and `name`
    (and for KVM_EXIT_IO `direction`, `size`, `port`, `count` and the `data` bytes)."""
    reason = RUN_HEADER.unpack_from(run, 0)[2]
    found = {"reason": reason, "name": "KVM_EXIT_%s" % EXIT_NAMES.get(reason, reason)}
    if reason == KVM_EXIT_IO:
        direction, size, port, count, offset = RUN_IO.unpack_from(run, RUN_HEADER.size)
        found.update(direction=direction, size=size, port=port, count=count,
                     data=bytes(run[offset:offset + size * count]))
    elif reason == KVM_EXIT_FAIL_ENTRY:
        found["detail"] = RUN_FAIL_ENTRY.unpack_from(run, RUN_HEADER.size)[0]
    elif reason == KVM_EXIT_INTERNAL_ERROR:
        found["detail"] = RUN_INTERNAL.unpack_from(run, RUN_HEADER.size)[0]
    return found


def describe_exit(found):
    text = found["name"]
    if found["reason"] == KVM_EXIT_IO:
        text += " (%s port 0x%x, %d x %d bytes: %s)" % (
            "out" if found["direction"] == KVM_EXIT_IO_OUT else "in", found["port"], found["count"],
            found["size"], found["data"].hex() or "-")
    elif "detail" in found:
        text += " (0x%x)" % found["detail"]
    return text


def is_guest_write(found):
    """Whether a KVM_RUN exit is the test guest's `out GUEST_PORT, al` with al = GUEST_VALUE."""
    return (found["reason"] == KVM_EXIT_IO and found["direction"] == KVM_EXIT_IO_OUT
            and found["port"] == GUEST_PORT and found["data"] == bytes([GUEST_VALUE]))


def _ioctl(step, fd, name, arg=0):
    """fcntl.ioctl with the request called `name`; a failure is the probe's answer."""
    step(name)
    try:
        if isinstance(arg, bytearray):
            fcntl.ioctl(fd, REQUESTS[name], arg, True)
            return arg
        return fcntl.ioctl(fd, REQUESTS[name], arg)
    except OSError as exc:
        raise ProbeFailed("%s failed: %s" % (name, exc)) from None


def run_guest(device, step):
    """Run the test guest on `device`; the reason it ran, or ProbeFailed. `step(name)` is
    called before each step that may hang or fail. Runs in the child: leaks the fds."""
    step("open")
    try:
        kvm = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    except OSError as exc:
        raise ProbeFailed("cannot open %s: %s" % (device, exc)) from None
    version = _ioctl(step, kvm, "KVM_GET_API_VERSION")
    if version != KVM_API_VERSION:
        raise ProbeFailed("KVM_GET_API_VERSION returned %d, not %d" % (version, KVM_API_VERSION))
    vm = _ioctl(step, kvm, "KVM_CREATE_VM")

    memory = mmap.mmap(-1, GUEST_MEMORY, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, mmap.PROT_READ | mmap.PROT_WRITE)
    memory[:len(GUEST_CODE)] = GUEST_CODE
    address = ctypes.addressof(ctypes.c_char.from_buffer(memory))
    _ioctl(step, vm, "KVM_SET_USER_MEMORY_REGION", memory_region(0, GUEST_ADDRESS, GUEST_MEMORY, address))

    vcpu = _ioctl(step, vm, "KVM_CREATE_VCPU", 0)
    run_size = _ioctl(step, kvm, "KVM_GET_VCPU_MMAP_SIZE")
    step("mmap of the vCPU")
    try:
        run = mmap.mmap(vcpu, run_size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    except OSError as exc:
        raise ProbeFailed("mmap of the vCPU's kvm_run area (%d bytes) failed: %s" % (run_size, exc)) from None
    sregs = _ioctl(step, vcpu, "KVM_GET_SREGS", bytearray(SREGS_SIZE))
    _ioctl(step, vcpu, "KVM_SET_SREGS", flat_code_segment(sregs))
    _ioctl(step, vcpu, "KVM_SET_REGS", regs(rip=GUEST_ADDRESS, rflags=0x2, rcx=GUEST_LOOPS))

    _ioctl(step, vcpu, "KVM_RUN")
    _expect_write(run_exit(run), "its first write")
    signal.signal(signal.SIGALRM, _too_slow)
    started = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, LOOP_TIME_LIMIT)
        _ioctl(step, vcpu, "KVM_RUN")
        signal.setitimer(signal.ITIMER_REAL, 0)
    except _TooSlow:
        try:
            left = REGS.unpack(_ioctl(step, vcpu, "KVM_GET_REGS", bytearray(REGS.size)))[2] & 0xFFFFFFFF
        except ProbeFailed:
            left = None
        done = "" if left is None else " (it ran %d)" % (GUEST_LOOPS - left)
        raise ProbeFailed("the test guest did not run its %d loop iterations within %g s%s; KVM that runs guests "
                          "on the CPU needs milliseconds for them" % (GUEST_LOOPS, LOOP_TIME_LIMIT, done)) from None
    took = time.monotonic() - started
    _expect_write(run_exit(run), "its loop and second write")
    _ioctl(step, vcpu, "KVM_RUN")
    last = run_exit(run)
    if last["reason"] != KVM_EXIT_HLT:
        raise ProbeFailed("the test guest stopped with %s instead of KVM_EXIT_HLT" % describe_exit(last))
    return "a test guest ran %d loop iterations in %.3f s and halted" % (GUEST_LOOPS, took)


def _expect_write(found, what):
    if not is_guest_write(found):
        raise ProbeFailed("the test guest stopped with %s instead of %s (0x%x to port 0x%x)"
                          % (describe_exit(found), what, GUEST_VALUE, GUEST_PORT))


def _child(device, fd):
    """The forked probe: JSON lines on `fd`, {"step": ...} before each step, then the answer."""
    code = 1
    try:
        def send(**message):
            os.write(fd, (json.dumps(message) + "\n").encode())

        try:
            answer = {"usable": True, "reason": run_guest(device, lambda name: send(step=name))}
        except ProbeFailed as exc:
            answer = {"usable": False, "reason": str(exc)}
        except Exception as exc:  # anything else is still an answer, not a crash of the module
            answer = {"usable": False, "reason": "the probe failed: %s: %s" % (type(exc).__name__, exc)}
        send(**answer)
        code = 0
    finally:
        os._exit(code)  # never the module's exit path (AnsiballZ's cleanup belongs to the parent)


def _reap(pid, timeout):
    """The child's wait status, or None if it is still there after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)


def _exit_text(status):
    if status is None:
        return "is still there"
    if os.WIFSIGNALED(status):
        return "died of signal %d" % os.WTERMSIG(status)
    return "exited with %d" % os.waitstatus_to_exitcode(status)


def probe(device="/dev/kvm", timeout=10.0):
    """(kvm usable, reason): runs the test guest in a child killed after `timeout` seconds."""
    machine = os.uname().machine
    if machine != "x86_64":
        return False, "the KVM probe knows x86_64 only, this host is %s" % machine
    if not os.path.exists(device):
        return False, "%s is missing" % device
    deadline = time.monotonic() + timeout
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(device, write_fd)
    os.close(write_fd)
    step, answer, buffer, ended = None, None, b"", False
    try:
        while answer is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]:
                break
            chunk = os.read(read_fd, 4096)
            if not chunk:
                ended = True
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                step = message.get("step", step)
                if "usable" in message:
                    answer = message
    finally:
        os.close(read_fd)
    if answer is not None:
        _reap(pid, REAP_TIMEOUT)
        return answer["usable"], answer["reason"]
    if ended:  # the child closed its end of the pipe: it is gone or on its way out
        return False, "the probe process %s during %s" % (_exit_text(_reap(pid, REAP_TIMEOUT)), step or "its start")
    os.kill(pid, signal.SIGKILL)
    if step == "KVM_RUN":
        reason = "the test guest did not halt within %g s" % timeout
    elif step == "open":
        reason = "opening %s did not return within %g s" % (device, timeout)
    elif step:
        reason = "%s did not return within %g s" % (step, timeout)
    else:
        reason = "the probe process did not start within %g s" % timeout
    status = _reap(pid, REAP_TIMEOUT)
    if status is None:
        reason += " (the probe process %d is still there %g s after SIGKILL)" % (pid, REAP_TIMEOUT)
    return False, reason


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    if not params["timeout"] > 0:
        module.fail_json(msg="timeout must be greater than 0, not %g" % params["timeout"])
    cached = read_cache(params["cache"], params["device"])
    if cached:
        module.exit_json(changed=False, cached=True, **cached)
    start = time.monotonic()
    usable, reason = probe(params["device"], params["timeout"])
    answer = {"kvm_usable": usable, "reason": reason, "virt_type": "kvm" if usable else "qemu",
              "elapsed": round(time.monotonic() - start, 3)}
    if not module.check_mode:
        write_cache(params["cache"], params["device"], answer)
    module.exit_json(changed=False, cached=False, **answer)


def read_cache(path, device):
    """The answer an earlier probe of `device` left in `path` since boot, or None."""
    if not path:
        return None
    try:
        with open(path) as handle:
            saved = json.load(handle)
    except (OSError, ValueError):
        return None
    return saved.get("answer") if isinstance(saved, dict) and saved.get("device") == device else None


def write_cache(path, device, answer):
    """Keep the answer for later runs (best effort: a probe is only a second or two)."""
    if not path:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            json.dump({"device": device, "answer": answer}, handle)
    except OSError:
        pass

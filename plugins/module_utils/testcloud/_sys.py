# Private to this collection: not a public API, may change without notice.
"""Small system helpers for the test-cloud tool: commands, processes, ports, files."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time


class SysError(RuntimeError):
    """A command or wait on the machine failed; the message says which and why."""


def run(cmd, check=True, env=None, input_text=None):
    """Run `cmd` (a list); return (rc, stdout, stderr). Raise SysError on failure if `check`."""
    full_env = dict(os.environ, LC_ALL="C", **(env or {}))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, input=input_text, check=False)
    if check and proc.returncode != 0:
        raise SysError("%s failed (rc=%d): %s" % (" ".join(cmd), proc.returncode, (proc.stderr or proc.stdout).strip()))
    return proc.returncode, proc.stdout, proc.stderr


def spawn(cmd, log_path, env=None):
    """Start `cmd` detached from us (own session, output to `log_path`); return its pid."""
    with open(log_path, "ab") as log, open(os.devnull, "rb") as devnull:
        proc = subprocess.Popen(
            cmd, stdin=devnull, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **(env or {})), start_new_session=True, close_fds=True,
        )
    return proc.pid


def find_processes(args):
    """Pids of live processes whose argument list starts with `args`, in order."""
    found = []
    want = [a.encode() for a in args]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                argv = handle.read().split(b"\0")
        except OSError:
            continue
        if [os.path.basename(argv[0])] + argv[1:len(want)] == want and _alive(int(entry)):
            found.append(int(entry))
    return found


def stop_process(pid, timeout, sig=signal.SIGTERM):
    """Send `sig`, wait up to `timeout` seconds, then kill. True if it had to be killed."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return False
        time.sleep(0.2)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            # A zombie (state Z) has ended; its parent just has not reaped it.
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_port(address, port, timeout):
    """Wait until a TCP connect to address:port succeeds; SysError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((address, port), timeout=2):
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise SysError("nothing answered on %s:%d within %ds (%s)" % (address, port, timeout, exc)) from exc
            time.sleep(0.5)


def write_file(path, content, mode=0o644):
    """Write `content` to `path` if it differs; True when the file changed."""
    try:
        with open(path) as handle:
            if handle.read() == content:
                if os.stat(path).st_mode & 0o7777 != mode:
                    os.chmod(path, mode)
                    return True
                return False
    except OSError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as handle:
        handle.write(content)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    return True

# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Start oslo.privsep daemons by forking a process that has their code imported.

A service starts one privsep daemon per privileged context it uses, stock
through sudo and privsep-helper: a new interpreter that imports the project
again, 50-90 MiB each (a network host of Neutron runs nine or more). `serve`
imports PACKAGES and their modules once, as root, and forks a daemon for each
`spawn`; the daemons share those pages with it, copy-on-write.

  python3 privsep_zygote.py serve PACKAGES             the systemd service
  python3 privsep_zygote.py spawn PACKAGES ARG...      helper_command, by sudo
  python3 privsep_zygote.py rootwrap PACKAGES CONFIG   root_helper_daemon, by sudo

PACKAGES is a comma-separated list of Python packages or modules. spawn takes
privsep-helper's arguments, checks them (the context must be in PACKAGES,
configuration files in /etc), and hands them to the server of PACKAGES with
its stderr, which the service logs. When that server does not answer, or finds
its imported code changed on disk (and exits, for systemd to start it afresh),
spawn runs privsep-helper itself, as stock. A daemon is moved into the control
group of the service that asked for it, where privsep-helper would have been:
it is counted with that service and stopped with it.

`rootwrap` does the same for oslo.rootwrap's daemon (40 MiB as its own
interpreter): the server forks it with the caller's standard streams, on which
it tells the service its socket, as stock. The service keeps the process it
started as the daemon's: that process waits (as cat, 1 MiB) until the daemon
exits. Without a server it runs the daemon itself, as stock.
"""
import gc
import importlib
import json
import os
import pkgutil
import re
import signal
import socket
import struct
import sys
import traceback

RUN_DIR = "/run/nimbus-privsep"
PRIVSEP_HELPER = "/usr/bin/privsep-helper"
# How long spawn waits for the server's answer: the fork, and the daemon's
# configuration and connection to the agent.
REPLY_TIMEOUT = 120
# How long serve waits for a request's message once a client connected.
REQUEST_TIMEOUT = 10
OK, FAILED, STALE = b"ok", b"failed", b"stale"
PRIVSEP, ROOTWRAP = "privsep", "rootwrap"
_PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")


def _in_etc(path):
    return path.startswith("/etc/") and ".." not in path.split("/") and "\0" not in path


# privsep-helper's options, each with what its value must be (as the projects'
# rootwrap filters for privsep-helper have them).
_OPTIONS = {
    "--config-file": _in_etc,
    "--config-dir": _in_etc,
    "--privsep_context": _PACKAGE.match,
    "--privsep_sock_path": lambda path: path.startswith("/") and "\0" not in path,
}


def fail(message):
    sys.stderr.write("privsep_zygote: %s\n" % message)
    sys.exit(2)


def package_list(packages):
    names = packages.split(",")
    if not all(_PACKAGE.match(name) for name in names):
        fail("%r is not a comma-separated list of Python package names" % packages)
    return names


def socket_path(packages):
    return os.path.join(RUN_DIR, packages + ".sock")


def checked_args(packages, args):
    """privsep-helper's arguments ARGS, if each is allowed, else exit."""
    if len(args) % 2:
        fail("options and values do not pair up: %s" % " ".join(args))
    pairs = list(zip(args[::2], args[1::2], strict=True))
    for option, value in pairs:
        if option not in _OPTIONS:
            fail("option %s is not one of %s" % (option, ", ".join(sorted(_OPTIONS))))
        if not _OPTIONS[option](value):
            fail("%s %r is not allowed" % (option, value))
    contexts = [value for option, value in pairs if option == "--privsep_context"]
    if len(contexts) != 1 or not any(contexts[0].startswith(name + ".") for name in package_list(packages)):
        fail("exactly one --privsep_context inside %s is needed" % packages)
    if "--privsep_sock_path" not in dict(pairs):
        fail("--privsep_sock_path is needed")
    return args


def ask(packages, kind, args, fds):
    """Send a request to the server of PACKAGES: its answer (None when no
    server listens) and the connection, open."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(REPLY_TIMEOUT)
        conn.connect(socket_path(packages))
        socket.send_fds(conn, [json.dumps({"kind": kind, "args": args}).encode()], fds)
        return conn.recv(16), conn
    except (FileNotFoundError, ConnectionRefusedError):
        conn.close()
        return None, None
    except OSError as err:
        # The request may have reached the server: another daemon now could
        # be a second one on the service's socket.
        fail("no answer from %s: %s" % (socket_path(packages), err))


def spawn(packages, args):
    args = checked_args(packages, args)
    answer, conn = ask(packages, PRIVSEP, args, [sys.stderr.fileno()])
    if conn:
        conn.close()
    if answer == OK:
        return 0
    if answer == FAILED:
        return 1
    os.execv(PRIVSEP_HELPER, [PRIVSEP_HELPER, *args])


def rootwrap(packages, config):
    if not _in_etc(config):
        fail("the rootwrap configuration %r is not a file in /etc" % config)
    package_list(packages)
    answer, conn = ask(packages, ROOTWRAP, [config], [0, 1, 2])
    if answer == OK:
        # The daemon holds the connection's other end: cat reads it until the
        # daemon exits, and this process (the service's child) ends then.
        conn.setblocking(True)
        os.dup2(conn.fileno(), 0)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.execv("/bin/cat", ["cat"])
    if answer == FAILED:
        return 1
    from oslo_rootwrap import cmd  # pylint: disable=import-outside-toplevel

    sys.argv = ["rootwrap-daemon", config]
    return cmd.daemon()


def import_all(package):
    """Import PACKAGE and every module in it; the names that failed."""
    failed = []
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), package + ".", onerror=failed.append):
        try:
            importlib.import_module(info.name)
        except Exception:  # pylint: disable=broad-except
            failed.append(info.name)
    return failed


def code_state():
    """Identity of every imported source file (replaced files get new inodes)."""
    state = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path:
            try:
                st = os.stat(path)
            except OSError:
                st = None
            state[path] = st and (st.st_ino, st.st_mtime_ns, st.st_size)
    return state


def cgroup_procs(pid):
    """The cgroup.procs files of process pid's control groups, in the
    hierarchies systemd tracks services in (v2; v1's name=systemd)."""
    files = []
    with open("/proc/%d/cgroup" % pid) as handle:
        for line in handle:
            _number, controllers, path = line.rstrip("\n").split(":", 2)
            if controllers == "":
                roots = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
            elif controllers == "name=systemd":
                roots = ["/sys/fs/cgroup/systemd"]
            else:
                continue
            for root in roots:
                if os.path.isdir(root + "/"):
                    files.append(root + path.rstrip("/") + "/cgroup.procs")
                    break
    return files


def run_daemon(kind, fds, args, cgroups):
    """In a forked child, in the control groups `cgroups` (cgroup.procs files):
    privsep-helper's main, which forks the daemon off and returns; or a
    grandchild that runs rootwrap's daemon (and holds the connection, fd 3)."""
    code = 1
    try:
        # privsep: stderr; rootwrap: stdin, stdout, stderr and the connection.
        for number, fd in enumerate(fds, start=0 if kind == ROOTWRAP else 2):
            os.dup2(fd, number)
            os.close(fd)
        for procs in cgroups:
            try:
                with open(procs, "w") as handle:
                    handle.write(str(os.getpid()))
            except OSError as err:
                sys.stderr.write("privsep_zygote: the daemon stays out of %s: %s\n" % (procs, err))
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        if kind == ROOTWRAP:
            if os.fork():
                os._exit(0)
            import multiprocessing  # pylint: disable=import-outside-toplevel

            from oslo_rootwrap import cmd  # pylint: disable=import-outside-toplevel

            # The key clients authenticate with, the server's own otherwise.
            multiprocessing.current_process().authkey = os.urandom(32)

            sys.argv = ["rootwrap-daemon", *args]
            code = cmd.daemon() or 0
        else:
            sys.argv = [PRIVSEP_HELPER, *args]
            from oslo_privsep import daemon  # pylint: disable=import-outside-toplevel

            daemon.helper_main()
            code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # pylint: disable=broad-except
        traceback.print_exc()
    finally:
        os._exit(code)


def notify_ready():
    """Tell systemd (Type=notify) that spawn requests are taken from now on."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if address:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect("\0" + address[1:] if address.startswith("@") else address)
            sock.sendall(b"READY=1")


def serve(packages):
    failed = []
    for name in package_list(packages):
        failed += import_all(name)
    importlib.import_module("oslo_privsep.daemon")
    try:
        importlib.import_module("oslo_rootwrap.cmd")
        importlib.import_module("oslo_rootwrap.daemon")
    except ImportError:
        failed.append("oslo_rootwrap")
    if failed:
        print("not imported (the daemons import them if they need them): %s" % ", ".join(failed))
    imported = code_state()
    # Objects imported so far are never collected: the children's collector
    # then leaves their pages shared.
    gc.freeze()
    os.makedirs(RUN_DIR, mode=0o700, exist_ok=True)
    path = socket_path(packages)
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(16)
    print("serving %s on %s, %d modules imported" % (packages, path, len(imported)), flush=True)
    notify_ready()
    while True:
        conn, _addr = listener.accept()
        with conn:
            # One request at a time: a client that sends nothing holds up no one for long.
            conn.settimeout(REQUEST_TIMEOUT)
            peer, uid, _gid = struct.unpack("3i", conn.getsockopt(
                socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
            try:
                message, fds, _flags, _addr = socket.recv_fds(conn, 65536, 3)
            except OSError:
                continue
            try:
                request = json.loads(message)
                kind = request["kind"]
            except (ValueError, KeyError, TypeError):
                kind = None  # refused below, its descriptors closed
            if uid != 0 or len(fds) != {PRIVSEP: 1, ROOTWRAP: 3}.get(kind):
                for fd in fds:
                    os.close(fd)
                continue
            if code_state() != imported:
                conn.sendall(STALE)
                print("code on disk changed since it was imported: exiting", flush=True)
                return 75
            try:
                cgroups = cgroup_procs(peer)
            except OSError:
                cgroups = []  # spawn is gone: the fork fails to connect
            pid = os.fork()
            if pid == 0:
                listener.close()
                if kind == ROOTWRAP:
                    fds.append(conn.detach())
                else:
                    conn.close()
                run_daemon(kind, fds, request["args"], cgroups)
            for fd in fds:
                os.close(fd)
            _pid, status = os.waitpid(pid, 0)
            conn.sendall(OK if os.waitstatus_to_exitcode(status) == 0 else FAILED)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("serve", "spawn", "rootwrap") or (argv[1] == "rootwrap" and len(argv) != 4):
        fail("usage: privsep_zygote.py serve PACKAGES | spawn PACKAGES ARG... | rootwrap PACKAGES CONFIG")
    if argv[1] == "serve":
        return serve(argv[2])
    if argv[1] == "rootwrap":
        return rootwrap(argv[2], argv[3])
    return spawn(argv[2], argv[3:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))

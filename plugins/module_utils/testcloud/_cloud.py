# Private to this collection: not a public API, may change without notice.
"""Create, stop, restart and remove a test cloud: the logic behind the testcloud module."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import shutil
import subprocess
import time

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _apt as apt
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _backend as backend_interface
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _model as model
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _net as net
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _nspawn as nspawn
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._hostimage import ensure_host_image
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._image import DISK_DONE, ensure_image
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._sys import SysError, run, wait_port, write_file

STATE_ROOT = "/var/lib/nimbus/testcloud"
TOOLS = {
    "systemd-nspawn": "systemd-container", "debootstrap": "debootstrap", "apt-cacher-ng": "apt-cacher-ng",
    "ip": "iproute2", "iptables": "iptables", "ssh": "openssh-client", "ssh-keygen": "openssh-client",
}
BOOT_TIMEOUT = 180


def _backend(name):
    """The module that makes hosts: the same functions (_backend.FUNCTIONS) for
    containers and VMs."""
    if name == "libvirt":
        from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _libvirt as libvirt_backend

        libvirt_backend.preflight()  # its own tools and libvirt-python, before anything changes
        return backend_interface.checked(libvirt_backend)
    return backend_interface.checked(nspawn)


def preflight():
    """Refuse to start without root or the tools; nothing is changed before this passes."""
    if os.geteuid() != 0:
        raise model.PlanError("the test-cloud tool needs root (containers, namespaces, bridges): run it as root")
    missing = sorted({pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None})
    if missing:
        raise model.PlanError("the test-cloud tool needs these Debian packages: %s" % ", ".join(missing))


@contextlib.contextmanager
def machine_lock():
    """One test-cloud change at a time on a machine: they share the cache, image and slots."""
    os.makedirs(STATE_ROOT, exist_ok=True)
    with open(os.path.join(STATE_ROOT, ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _load_states():
    states = {}
    for path in glob.glob(os.path.join(STATE_ROOT, "*", "state.json")):
        try:
            with open(path) as handle:
                state = json.load(handle)
            states[state["name"]] = state
        except (OSError, ValueError, KeyError):
            continue
    return states


def _host_files(cloud_plan, host, pubkey, sources, proxy):
    # Not /etc/hosts: the deployment's common role owns it, and a file the tool
    # rewrote on every run would reboot a deployed host each time.
    files = {
        "/etc/hostname": (host["name"] + "\n", 0o644),
        "/etc/machine-id": (hashlib.md5(("%s/%s" % (cloud_plan["name"], host["name"])).encode()).hexdigest() + "\n",
                            0o444),
        "/etc/resolv.conf": ("# No DNS in a test cloud: hosts know each other from /etc/hosts.\n", 0o644),
        "/root/.ssh/authorized_keys": (pubkey, 0o600),
        "/etc/apt/apt.conf.d/00nimbus-proxy": (
            'Acquire::http::Proxy "%s";\nAcquire::Retries "5";\n' % proxy, 0o644),
        "/etc/apt/sources.list": ("# See sources.list.d/debian.sources\n", 0o644),
        "/etc/apt/sources.list.d/debian.sources": (apt.render_deb822(sources), 0o644),
    }
    for iface in host["interfaces"].values():
        lines = ["[Match]", "Name=" + iface["name"], "", "[Link]", "RequiredForOnline=no", "",
                 "[Network]", "LinkLocalAddressing=no", "IPv6AcceptRA=no", "ConfigureWithoutCarrier=yes"]
        if iface["address"]:
            lines.append("Address=%s/%d" % (iface["address"], model.SLOT_PREFIX))
        files["/etc/systemd/network/10-%s.network" % iface["name"]] = ("\n".join(lines) + "\n", 0o644)
    return files


def ssh_key(directory, comment):
    """Return (private key path, public key, made now): the ed25519 key in `directory`, made once."""
    key = os.path.join(directory, "id_ed25519")
    made = not os.path.exists(key + ".pub")
    if made:
        for path in (key, key + ".pub"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        os.makedirs(directory, exist_ok=True)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key])
    with open(key + ".pub") as handle:
        return key, handle.read(), made


def forget(name, inventory):
    """Remove what is left of cloud `name` once its hosts are gone: bridges, guard
    rules, state directory and inventory; the package cache stops listening on its
    bridge. True if any of it existed."""
    changed = net.remove_interfaces(name)
    changed |= net.remove_guard(name)
    directory = os.path.join(STATE_ROOT, name)
    if os.path.isdir(directory):
        shutil.rmtree(directory)
        changed = True
    if inventory and os.path.exists(inventory):
        os.remove(inventory)
        changed = True
    bind_cache()
    return changed


def bind_cache():
    """Make the package cache listen on the management bridge of every cloud that has one now."""
    return apt.ensure_cache({s["mgmt_gateway"] for s in _load_states().values()} & net.machine_addresses())


def _in_every_group(host):
    """Whether the host gets every role, hence every package of the host image
    (a host of fewer groups starts bare: the image would hold, and its first
    install configure and enable, services it never runs)."""
    return set(host["groups"]) == set(model.GROUPS)


def _to_yaml(data):
    try:
        import yaml  # the controller's Python has it: ansible-core needs PyYAML
    except ImportError:
        return json.dumps(data, indent=2) + "\n"
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=False)


class TestCloud:
    def __init__(self, name, topology=None, slot=None, hosts=None, inventory=None, mirror=None, backend=None,
                 image_packages=None, check_mode=False):
        self.name = name
        self.backend_name = backend
        self.dir = os.path.join(STATE_ROOT, name)
        self.topology, self.slot, self.hosts = ("custom" if hosts else topology), slot, hosts
        self.inventory, self.mirror, self.check_mode = inventory, mirror, check_mode
        self.image_packages = image_packages
        self.changed = False
        self.timings = {}

    # -- helpers ---------------------------------------------------------
    def _host_dir(self, host):
        return os.path.join(self.dir, "hosts", host["name"])

    def _timed(self, label, func, *args):
        started = time.monotonic()
        result = func(*args)
        self.timings[label] = round(time.monotonic() - started, 1)
        return result

    def _plan(self, states):
        mine = states.get(self.name)
        if mine:  # a cloud keeps the hosts and backend it was created with, or grows by new hosts
            if not self._grows(mine):
                self.topology, self.hosts = mine["topology"], mine.get("hosts")
            self.backend_name = mine["backend"]
        if mine and self.slot is None:
            self.slot = mine["slot"]
        self.backend_name = self.backend_name or "nspawn"
        self.backend = _backend(self.backend_name)
        taken = {s["slot"]: n for n, s in states.items()}
        slot = model.pick_slot(self.slot, self.name, taken)
        return model.plan(self.name, self.topology or "aio", slot, self.hosts)

    def _grows(self, mine):
        return bool(self.hosts) and model.extends(model.hosts_of(mine["topology"], mine.get("hosts")), self.hosts)

    def _save_state(self, cloud_plan):
        state = {"name": self.name, "topology": cloud_plan["topology"], "slot": cloud_plan["slot"],
                 "hosts": self.hosts, "backend": self.backend_name, "inventory": self.inventory,
                 "mgmt_gateway": cloud_plan["networks"]["mgmt"]["gateway"]}
        self.changed |= write_file(os.path.join(self.dir, "state.json"), json.dumps(state, indent=1) + "\n")

    def _ssh_key(self):
        key, pubkey, made = ssh_key(self.dir, "nimbus-testcloud-" + self.name)
        self.changed |= made
        return key, pubkey

    def _wait_ssh(self, cloud_plan, key, known_hosts):
        timeout = getattr(self.backend, "BOOT_TIMEOUT", BOOT_TIMEOUT)  # VMs under TCG boot slower
        deadline = time.monotonic() + timeout
        for host in cloud_plan["hosts"]:
            address = host["interfaces"]["mgmt"]["address"]
            wait_port(address, 22, max(1, deadline - time.monotonic()))
            while True:
                cmd = ["ssh", "-i", key, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
                       "-o", "UserKnownHostsFile=" + known_hosts, "-o", "StrictHostKeyChecking=yes",
                       "root@" + address, "true"]
                if subprocess.run(cmd, capture_output=True, check=False).returncode == 0:
                    break
                if time.monotonic() > deadline:
                    raise SysError("host %s (%s) did not accept SSH within %ds; see %s/console.log"
                                   % (host["name"], address, timeout, self._host_dir(host)))
                time.sleep(1)

    def _cache_addresses(self, states, cloud_plan=None):
        """Where the package cache listens: the management bridge of every cloud that has one now."""
        addresses = {s["mgmt_gateway"] for n, s in states.items() if n != self.name}
        if cloud_plan:
            addresses.add(cloud_plan["networks"]["mgmt"]["gateway"])
        return addresses & net.machine_addresses()

    # -- states ----------------------------------------------------------
    def present(self):
        states = _load_states()
        mine = states.get(self.name)
        if mine and (self.topology, self.hosts) != (None, None) and \
                (self.topology, self.hosts) != (mine["topology"], mine.get("hosts")) and not self._grows(mine):
            raise model.PlanError(
                "test cloud %r exists with topology %r and other hosts; it can only grow by hosts listed after "
                "its own (same names and groups, in order): remove it first (testcloud_state=absent) for any "
                "other change" % (self.name, mine["topology"]))
        if mine and self.backend_name not in (None, mine["backend"]):
            raise model.PlanError("test cloud %r exists with backend %r; remove it first to change the backend"
                                  % (self.name, mine["backend"]))
        cloud_plan = self._plan(states)
        sources = apt.host_sources(apt.machine_sources(), self.mirror)
        hosts = cloud_plan["hosts"]
        if self.check_mode:
            self.changed = not all(self.backend.running(self._host_dir(h)) for h in hosts)
            return cloud_plan
        self._save_state(cloud_plan)
        gateway = cloud_plan["networks"]["mgmt"]["gateway"]
        proxy = "http://%s:%d" % (gateway, apt.CACHE_PORT)
        self.changed |= net.ensure_bridges(cloud_plan)
        self.changed |= net.ensure_guard(self.name)
        self.changed |= apt.ensure_cache(self._cache_addresses(states, cloud_plan))
        images = {}
        new = [h for h in hosts if not os.path.exists(os.path.join(self._host_dir(h), DISK_DONE))]
        if new:
            # Only new disks need an image: a recipe change never touches existing hosts.
            images["base"], built = self._timed("image", ensure_image, apt.archive_uri(sources), proxy)
            self.changed |= built
        if self.image_packages and getattr(self.backend, "HOST_IMAGE", False) and any(_in_every_group(h) for h in new):
            images["packages"], built = self._timed(
                "host_image", ensure_host_image, images["base"], self.image_packages, sources, proxy)
            self.changed |= built
        key, pubkey = self._ssh_key()
        started = []
        for host in hosts:
            host_dir = self._host_dir(host)
            image = images.get("packages" if _in_every_group(host) else "base", images.get("base"))
            made = self._timed("disk_" + host["name"], self.backend.create_disk, host_dir, image)
            reconfigured = self.backend.configure(host_dir, _host_files(cloud_plan, host, pubkey, sources, proxy))
            if reconfigured and not made and self.backend.running(host_dir):
                self.backend.stop(host_dir, host)  # its files changed under it: reboot to apply them
            if not self.backend.running(host_dir):
                self.backend.start(host_dir, host)
                started.append(host)
            self.changed |= made or reconfigured
        known_hosts = os.path.join(self.dir, "known_hosts")
        self.changed |= write_file(known_hosts, "".join(
            "%s %s\n" % (h["interfaces"]["mgmt"]["address"], self.backend.host_public_key(self._host_dir(h)))
            for h in hosts))
        if started:
            self.changed = True
            self._timed("boot", self._wait_ssh, cloud_plan, key, known_hosts)
        if self.inventory:
            self.changed |= write_file(self.inventory, _to_yaml(
                model.inventory(cloud_plan, key, known_hosts, proxy)))
        return cloud_plan

    def stopped(self):
        states = _load_states()
        if self.name not in states:
            return None
        cloud_plan = self._plan(states)
        for host in cloud_plan["hosts"]:
            if self.check_mode:
                self.changed |= self.backend.running(self._host_dir(host))
            else:
                self.changed |= self.backend.stop(self._host_dir(host), host)
        return cloud_plan

    def restarted(self):
        cloud_plan = self.stopped()
        if cloud_plan is None:
            raise model.PlanError("test cloud %r does not exist; create it with testcloud_state=present" % self.name)
        self.changed = True
        if not self.check_mode:
            self.present()
        return cloud_plan

    def absent(self):
        states = _load_states()
        state = states.get(self.name)
        cloud_plan = self._plan(states) if state else None
        backend = _backend((state or {}).get("backend") or self.backend_name)
        if self.check_mode:
            self.changed = state is not None or os.path.isdir(self.dir)
            return cloud_plan
        # Hosts are found on disk, not only in the state: a run may have died before writing it.
        for host_dir in glob.glob(os.path.join(self.dir, "hosts", "*")):
            host = {"name": os.path.basename(host_dir), "netns": model.netns_name(self.name, os.path.basename(host_dir))}
            self.changed |= backend.stop(host_dir, host)
            backend.remove(host_dir, host)
        # Leftovers of a run that never wrote its state are found by their names.
        for netns in glob.glob(os.path.join(net.NETNS_DIR, model.netns_name(self.name, "*"))):
            self.changed |= net.delete_netns(os.path.basename(netns))
        self.changed |= forget(self.name, (state or {}).get("inventory") or self.inventory)
        return cloud_plan

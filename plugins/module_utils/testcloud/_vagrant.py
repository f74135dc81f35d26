# Private to this collection: not a public API, may change without notice.
"""The test-cloud tool's multinode cloud as Vagrant (vagrant-libvirt) VMs.

``prepare`` makes what ``vagrant up`` in vagrant/ needs and what Ansible needs
afterwards; ``clean`` removes it again (after ``vagrant destroy``):

- Box: the libvirt backend's VM layer (base image plus Debian's cloud kernel) with
  an SSH key for root, DHCP on eth0 and SSH host keys made at first boot, as a
  qcow2 vagrant-libvirt box booting that kernel directly. Built under BOX_ROOT
  and added to Vagrant as ``nimbus-debian12-<id>``; a new layer or key gives a
  new id, and boxes of older ids are removed.
- Networks: the cloud of test-cloud name NAME in address slot SLOT, registered
  in the tool's state directory so the tool neither takes that slot nor drops
  its address from the package cache. The management network is a libvirt
  network (Vagrant finds its guests through its DHCP leases), isolated, with one
  fixed lease per host so the addresses are those of the plan; the overlay and
  external networks are the tool's plain bridges. Nothing routes out.
- Settings for the Vagrantfile (hosts, MACs, memory, the provisioning script that
  writes each host's files as the tool would) and the Ansible inventory.
"""

from __future__ import annotations

import base64
import contextlib
import glob
import hashlib
import ipaddress
import json
import os
import shlex
import shutil
import sys

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _apt as apt
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _cloud as cloud
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _libvirt as lv
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _model as model
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _net as net
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._image import cached_build, ensure_image
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._sys import SysError, run, write_file

NAME = "vagrant"  # a test-cloud name: bridges nb-vagrant-*, state in STATE_ROOT/vagrant
SLOT = 7
TOPOLOGY = "multinode"
BOX_ROOT = "/var/cache/nimbus/vagrant"
# The boxes' SSH key: outside the state that clean() removes, so the cached box stays valid.
KEY_DIR = "/var/lib/nimbus/vagrant"
BOX_PREFIX = "nimbus-debian12-"
MGMT_NETWORK = "nimbus-vagrant-mgmt"
VCPUS = 1
# Seconds `vagrant up` waits for a VM's SSH. Five TCG VMs boot at once on a
# small machine, and NIMBUS_VAGRANT_LANE=1 make test runs them at a low priority.
BOOT_TIMEOUT = 1200
BOX_VERSION = 1  # of the recipe below
TOOLS = {"vagrant": "vagrant", "qemu-img": "qemu-utils", "dnsmasq": "dnsmasq-base", "tar": "tar"}
# Each VM makes its own machine id and SSH host keys at its first boot.
HOST_KEYS = "[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n"
# No DNS, routes or gateway from DHCP: the test cloud never routes out. The
# address stays when the lease cannot be renewed (the machine's dnsmasq gone).
DHCP_ETH0 = """[Match]
Name=eth0

[Link]
RequiredForOnline=no

[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no
KeepConfiguration=dhcp

[DHCPv4]
ClientIdentifier=mac
UseDNS=no
UseRoutes=no
UseNTP=no
UseHostname=no
"""
# vagrant-libvirt cannot size TCG's translation cache, and QEMU's default of
# 1 GiB ends up resident in every VM: this emulator passes libvirt's
# "-accel tcg" on with the libvirt backend's size.
TCG_EMULATOR = """#!/bin/sh
# Written by nimbus.openstack (vagrant box builder).
prev=
for arg do
  shift
  if [ "$prev" = -accel ] && [ "$arg" = tcg ]; then arg=tcg,tb-size=%d; fi
  set -- "$@" "$arg"
  prev=$arg
done
exec %s "$@"
"""
BOX_VAGRANTFILE = """# Written by nimbus.openstack (vagrant box builder).
Vagrant.configure("2") do |config|
  config.ssh.username = "root"
  config.ssh.private_key_path = %(key)s
  config.ssh.insert_key = false
  config.ssh.sudo_command = "%%c"  # root already; the box has no sudo
  config.vm.provider :libvirt do |libvirt|
    libvirt.driver = %(driver)s
    libvirt.kernel = %(kernel)s
    libvirt.initrd = %(initrd)s
    libvirt.cmd_line = %(cmdline)s
%(cpu)s    libvirt.graphics_type = "none"
    libvirt.video_type = "none"
  end
end
"""


def state_dir():
    return os.path.join(cloud.STATE_ROOT, NAME)


def settings_path():
    return os.path.join(state_dir(), "vagrant.json")


def preflight():
    if os.geteuid() != 0:
        raise model.PlanError("the Vagrant cloud needs root (libvirt's system instance, bridges, firewall)")
    missing = sorted({pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None})
    if not glob.glob("/usr/share/rubygems-integration/all/gems/vagrant-libvirt-*"):
        missing.append("vagrant-libvirt")
    if missing:
        raise model.PlanError("the Vagrant cloud needs these Debian packages: %s" % ", ".join(missing))
    lv.preflight()
    cloud.preflight()


# -- the box -------------------------------------------------------------
def _box_files(pubkey):
    return {
        "/etc/machine-id": ["", 0o444],
        "/var/lib/dbus/machine-id": ["", 0o444],  # else systemd would take the base image's id from here
        "/root/.ssh/authorized_keys": [pubkey, 0o600],
        "/etc/systemd/network/10-eth0.network": [DHCP_ETH0, 0o644],
        "/etc/systemd/system/ssh.service.d/nimbus-host-keys.conf": [HOST_KEYS, 0o644],
    }


def _box_vagrantfile(path, key, kvm):
    def ruby(value):
        return json.dumps(value)  # a JSON string is a Ruby string literal

    return BOX_VAGRANTFILE % {
        "key": ruby(key), "driver": ruby("kvm" if kvm else "qemu"), "kernel": ruby(os.path.join(path, "vmlinuz")),
        "initrd": ruby(os.path.join(path, "initrd.img")), "cmdline": ruby(lv.CMDLINE),
        # KVM hands the machine's CPU through; TCG emulates a plain qemu64.
        "cpu": '    libvirt.cpu_mode = "host-passthrough"\n' if kvm else
               '    libvirt.cpu_mode = "custom"\n    libvirt.cpu_model = "qemu64"\n'
               '    libvirt.emulator_path = %s\n' % ruby(os.path.join(path, "qemu-tcg")),
    }


def _build_box(tmp, layer, key, pubkey, kvm):
    path = tmp[:-len(".building")]  # where cached_build renames it: the box's kernel stays there
    disk = os.path.join(tmp, "disk.img")
    run(["cp", "--sparse=always", "--reflink=auto", os.path.join(layer, "disk.img"), disk])
    lv.write_files(disk, _box_files(pubkey))
    run(["qemu-img", "convert", "-O", "qcow2", disk, os.path.join(tmp, "box.img")])
    virtual_size = -(-os.path.getsize(disk) // 2 ** 30)  # GiB, rounded up
    os.remove(disk)
    for name in ("vmlinuz", "initrd.img"):
        shutil.copyfile(os.path.join(layer, name), os.path.join(tmp, name))
    if not kvm:
        qemu = shutil.which("qemu-system-x86_64")  # absolute: libvirt runs QEMU with a minimal PATH
        write_file(os.path.join(tmp, "qemu-tcg"), TCG_EMULATOR % (lv.TCG_TB_CACHE_MIB, qemu), 0o755)
    write_file(os.path.join(tmp, "metadata.json"),
               json.dumps({"provider": "libvirt", "format": "qcow2", "virtual_size": virtual_size}) + "\n")
    write_file(os.path.join(tmp, "Vagrantfile"), _box_vagrantfile(path, key, kvm))
    run(["tar", "-C", tmp, "-cf", os.path.join(tmp, "nimbus.box"), "metadata.json", "Vagrantfile", "box.img"])
    os.remove(os.path.join(tmp, "box.img"))  # Vagrant keeps its own copy


def _vagrant_boxes():
    out = run(["vagrant", "box", "list", "--machine-readable"])[1]
    return sorted({line.split(",")[3] for line in out.splitlines() if line.split(",")[2:3] == ["box-name"]})


def _pool_volumes(conn, keep=None):
    """The box images vagrant-libvirt uploaded to its storage pool, except those of box `keep`."""
    with contextlib.suppress(lv.libvirt.libvirtError):
        pool = conn.storagePoolLookupByName("default")
        pool.refresh()
        return [vol for vol in pool.listAllVolumes()
                if vol.name().startswith(BOX_PREFIX) and not (keep and vol.name().startswith(keep + "_"))]
    return []


def ensure_box(base_rootfs, proxy, key, pubkey):
    """Return (box name, changed): the box of the current layer and key, built and added to Vagrant if missing."""
    layer, _built = lv.ensure_layer(base_rootfs, proxy)
    kvm = lv._kvm_works()
    recipe = {"layer": os.path.basename(layer), "files": _box_files(pubkey), "key": key, "kvm": kvm,
              "vagrantfile": BOX_VAGRANTFILE, "emulator": TCG_EMULATOR, "version": BOX_VERSION}
    box_id = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    name = BOX_PREFIX + box_id
    path = os.path.join(BOX_ROOT, box_id)
    _rootfs, changed = cached_build(BOX_ROOT, path, lambda tmp: _build_box(tmp, layer, key, pubkey, kvm))
    boxes = _vagrant_boxes()
    if name not in boxes:
        run(["vagrant", "box", "add", "--force", "--name", name, os.path.join(path, "nimbus.box")])
        changed = True
    for old in boxes:
        if old.startswith(BOX_PREFIX) and old != name:
            run(["vagrant", "box", "remove", "--force", "--all", old])
    with lv._session() as conn:
        for vol in _pool_volumes(conn, keep=name):
            vol.delete()
    return name, changed


# -- networks ------------------------------------------------------------
def _mgmt_xml(cloud_plan, macs):
    mgmt = cloud_plan["networks"]["mgmt"]
    netmask = str(ipaddress.ip_network(mgmt["cidr"]).netmask)
    addresses = [h["interfaces"]["mgmt"]["address"] for h in cloud_plan["hosts"]]
    hosts = "".join("      <host mac='%s' name='%s' ip='%s'/>\n"
                    % (macs[h["name"]], h["name"], h["interfaces"]["mgmt"]["address"]) for h in cloud_plan["hosts"])
    # No <forward>: an isolated network. No DNS either (its dnsmasq would forward queries out).
    template = ("<network>\n  <name>%s</name>\n  <bridge name='%s' stp='off' delay='0'/>\n  <dns enable='no'/>\n"
                "  <ip address='%s' netmask='%s'>\n    <dhcp>\n      <range start='%s' end='%s'/>\n%s    </dhcp>\n"
                "  </ip>\n</network>\n")
    return template % (MGMT_NETWORK, mgmt["bridge"], mgmt["gateway"], netmask, addresses[0], addresses[-1], hosts)


def _network(conn):
    try:
        return conn.networkLookupByName(MGMT_NETWORK)
    except lv.libvirt.libvirtError as exc:
        if exc.get_error_code() == lv.libvirt.VIR_ERR_NO_NETWORK:
            return None
        raise


def _remove_network(network):
    with contextlib.suppress(lv.libvirt.libvirtError):  # not running
        network.destroy()
    network.undefine()


def ensure_networks(cloud_plan, macs):
    """The libvirt management network and the other two bridges; True if anything changed."""
    changed = net.ensure_bridges({"networks": {k: v for k, v in cloud_plan["networks"].items() if k != "mgmt"}})
    xml = _mgmt_xml(cloud_plan, macs)
    with lv._session() as conn:
        network = _network(conn)
        if network is not None and network.XMLDesc(0).count("<host ") != xml.count("<host "):
            _remove_network(network)  # made for other hosts
            network = None
        if network is None:
            network = conn.networkDefineXML(xml)
            changed = True
        if not network.isActive():
            network.create()
            changed = True
        network.setAutostart(1)
    return net.ensure_guard(NAME) or changed


# -- what Vagrant and Ansible get ------------------------------------------
def _memory(host):
    """Preflight's minimum for the host's groups, so that site.yml passes it on these VMs."""
    import yaml  # the controller's Python has it: ansible-core needs PyYAML

    roles = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "roles")
    with open(os.path.join(roles, "preflight", "defaults", "main.yml")) as handle:
        needs = yaml.safe_load(handle)["preflight_requirements"]
    return max(needs[group]["memory_mb"] for group in host["groups"])


def provision_script(files):
    """A shell script that writes `files` (path -> (content, mode)) and applies them to the running host."""
    lines = ["set -eu"]
    for path, (content, mode) in sorted(files.items()):
        data = base64.b64encode(content.encode()).decode()
        lines.append("printf %%s %s | base64 -d > /tmp/nimbus-file && install -D -m %04o /tmp/nimbus-file %s"
                     % (data, mode, shlex.quote(path)))
    lines += ["rm -f /tmp/nimbus-file", "hostname -F /etc/hostname",
              # eth0 keeps its lease: Vagrant's SSH runs over it.
              "networkctl reload", "for i in eth1 eth2; do [ ! -e /sys/class/net/$i ] || networkctl reconfigure $i; done"]
    return "\n".join(lines) + "\n"


def settings(cloud_plan, box, key, pubkey, sources, proxy):
    hosts = []
    for host in cloud_plan["hosts"]:
        macs = {n: lv._mac(host["netns"], i["name"]) for n, i in host["interfaces"].items()}
        # The tool's files for the host, but eth0 keeps the box's DHCP and each VM its own machine id.
        files = cloud._host_files(cloud_plan, host, pubkey, sources, proxy)
        for path in ("/etc/machine-id", "/etc/systemd/network/10-eth0.network"):
            files.pop(path)
        hosts.append({
            "name": host["name"], "memory_mib": _memory(host), "vcpus": VCPUS, "mgmt_mac": macs["mgmt"],
            "bridges": [{"bridge": i["bridge"], "mac": macs[n]} for n, i in
                        sorted(host["interfaces"].items(), key=lambda item: item[1]["name"]) if n != "mgmt"],
            "provision": provision_script(files),
        })
    mgmt = cloud_plan["networks"]["mgmt"]
    return {"box": box, "ssh_key": key, "mgmt_network": MGMT_NETWORK, "mgmt_cidr": mgmt["cidr"],
            "domain_prefix": "nimbus-%s-" % NAME, "console_dir": state_dir(), "boot_timeout": BOOT_TIMEOUT,
            "hosts": hosts}


def inventory(cloud_plan, key, proxy):
    data = model.inventory(cloud_plan, key, os.devnull, proxy)
    # Every `vagrant up` makes new host keys: trusted as Vagrant's own SSH trusts them.
    data["all"]["vars"]["ansible_ssh_common_args"] = (
        "-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR")
    data["all"]["vars"]["nimbus_testcloud_name"] = NAME
    return data


def prepare(inventory_path):
    """Box, networks, package cache, settings and inventory; returns the settings."""
    preflight()
    with cloud.machine_lock():
        states = cloud._load_states()
        slot = model.pick_slot(SLOT, NAME, {s["slot"]: n for n, s in states.items()})  # refused if taken
        cloud_plan = model.plan(NAME, TOPOLOGY, slot)
        gateway = cloud_plan["networks"]["mgmt"]["gateway"]
        proxy = "http://%s:%d" % (gateway, apt.CACHE_PORT)
        sources = apt.host_sources(apt.machine_sources())
        write_file(os.path.join(state_dir(), "state.json"), json.dumps({
            "name": NAME, "topology": TOPOLOGY, "slot": slot, "hosts": None, "backend": "vagrant",
            "inventory": inventory_path, "mgmt_gateway": gateway}, indent=1) + "\n")
        macs = {h["name"]: lv._mac(h["netns"], "eth0") for h in cloud_plan["hosts"]}
        ensure_networks(cloud_plan, macs)
        cloud.bind_cache()  # this cloud's bridge too, now that its state is written
        key, pubkey, _made = cloud.ssh_key(KEY_DIR, "nimbus-vagrant")
        base, _built = ensure_image(apt.archive_uri(sources), proxy)
        box, _built = ensure_box(base, proxy, key, pubkey)
    data = settings(cloud_plan, box, key, pubkey, sources, proxy)
    write_file(settings_path(), json.dumps(data, indent=1) + "\n")
    write_file(inventory_path, cloud._to_yaml(inventory(cloud_plan, key, proxy)))
    return data


def clean():
    """Everything prepare made except the cached box (run after `vagrant destroy`); True if anything existed."""
    changed = False
    with cloud.machine_lock():
        with lv._session() as conn:
            names = [d.name() for d in conn.listAllDomains() if d.name().startswith("nimbus-%s-" % NAME)]
            if names:
                raise SysError("VMs of the Vagrant cloud still exist (%s): run `vagrant destroy -f` in vagrant/ first"
                               % ", ".join(names))
            network = _network(conn)
            if network is not None:
                _remove_network(network)
                changed = True
            for vol in _pool_volumes(conn):
                vol.delete()
                changed = True
        state = cloud._load_states().get(NAME) or {}
        changed |= cloud.forget(NAME, state.get("inventory"))
    return changed


def main(argv):
    """The command line of vagrant/nimbus_vagrant.py; returns its exit status."""
    try:
        if argv[:1] == ["prepare"] and len(argv) == 2:
            data = prepare(os.path.abspath(argv[1]))
            sys.stdout.write("box %s, settings %s, inventory %s\n" % (data["box"], settings_path(), argv[1]))
        elif argv == ["clean"]:
            sys.stdout.write("removed\n" if clean() else "nothing to remove\n")
        else:
            sys.stderr.write("usage: nimbus_vagrant.py prepare INVENTORY | clean\n")
            return 2
    except (SysError, model.PlanError, ValueError) as exc:
        sys.stderr.write("error: %s\n" % exc)
        return 1
    return 0

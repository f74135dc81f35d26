# Private to this collection: not a public API, may change without notice.
"""Pure model of a test cloud: topologies, names and the address plan.

Nothing here touches the machine, so every rule is unit-tested.
"""

from __future__ import annotations

import ipaddress
import re

GROUPS = ("controller", "network", "compute", "storage")

# Which of the three networks a host is plugged into follows from its groups:
# the overlay carries VXLAN between network and compute hosts, the external
# network is the provider network of the network hosts.
NETWORKS = {
    "mgmt": {"interface": "eth0", "groups": GROUPS},
    "overlay": {"interface": "eth1", "groups": ("network", "compute")},
    "external": {"interface": "eth2", "groups": ("network",)},
}

# DESIGN.md ranges. Each cloud takes one /27 slot of each, so eight clouds fit
# side by side (CI's, a developer's, leftovers of a killed run) and test traffic
# never leaves these ranges.
RANGES = {
    "mgmt": ipaddress.ip_network("172.29.236.0/24"),
    "overlay": ipaddress.ip_network("172.29.240.0/24"),
    "external": ipaddress.ip_network("172.29.248.0/24"),
}
SLOT_PREFIX = 27
SLOTS = 2 ** (SLOT_PREFIX - 24)
FIRST_HOST_OFFSET = 10  # .1 is the machine's bridge address, .2-.9 are spare
FLOATING_OFFSET = 8  # external addresses from here up are Neutron's (hosts have none there)

TOPOLOGIES = {
    "aio": [{"name": "aio1", "groups": list(GROUPS)}],
    "multinode": [
        {"name": "controller", "groups": ["controller"]},
        {"name": "network", "groups": ["network"]},
        {"name": "compute1", "groups": ["compute"]},
        {"name": "compute2", "groups": ["compute"]},
        {"name": "storage", "groups": ["storage"]},
    ],
}

CLOUD_NAME_RE = re.compile(r"^[a-z][a-z0-9]{0,6}$")
HOSTNAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
MAX_HOSTS = 20


class PlanError(ValueError):
    """Bad input, reported before anything on the machine changes."""


def slot_network(name, slot):
    """The /26 of network `name` that belongs to cloud slot `slot`."""
    return list(RANGES[name].subnets(new_prefix=SLOT_PREFIX))[slot]


def prefix(cloud):
    """Prefix of every interface the machine gets for this cloud (15-char limit)."""
    return "nb-%s-" % cloud


def bridge_name(cloud, network):
    return prefix(cloud) + {"mgmt": "mgmt", "overlay": "vxln", "external": "ext"}[network]


def veth_name(cloud, index, interface):
    return "%s%de%s" % (prefix(cloud), index, interface[-1])


def netns_name(cloud, host):
    return "nimbus-%s-%s" % (cloud, host)


def _validate_hosts(hosts):
    if not isinstance(hosts, list) or not hosts:
        raise PlanError("testcloud hosts must be a non-empty list")
    if len(hosts) > MAX_HOSTS:
        raise PlanError("testcloud allows at most %d hosts, got %d" % (MAX_HOSTS, len(hosts)))
    seen = set()
    for host in hosts:
        name = host.get("name")
        if not isinstance(name, str) or not HOSTNAME_RE.match(name):
            raise PlanError(
                "testcloud host name %r is not a valid hostname: use 1-63 lowercase letters, "
                "digits and inner hyphens" % (name,)
            )
        if name in seen:
            raise PlanError("testcloud host name %r appears twice" % name)
        seen.add(name)
        groups = host.get("groups") or []
        unknown = sorted(set(groups) - set(GROUPS))
        if not groups or unknown:
            raise PlanError(
                "testcloud host %r has groups %s; each host needs one or more of %s"
                % (name, groups, ", ".join(GROUPS))
            )
    for group in GROUPS:
        if not any(group in h["groups"] for h in hosts):
            raise PlanError("testcloud hosts leave group %r empty; every group needs a host" % group)


def _host_address(network, slot, index, given, hostname):
    subnet = slot_network(network, slot)
    if given is None:
        return subnet.network_address + FIRST_HOST_OFFSET + index
    try:
        address = ipaddress.ip_address(given)
    except ValueError:
        raise PlanError(
            "testcloud host %r: %s address %r is not an IPv4 address" % (hostname, network, given)) from None
    gateway = subnet.network_address + 1
    if address not in subnet or address in (subnet.network_address, subnet.broadcast_address, gateway):
        raise PlanError(
            "testcloud host %r: %s address %s is outside %s or reserved (network, broadcast, "
            "bridge %s); use an address from %s to %s"
            % (hostname, network, address, subnet, gateway, gateway + 1, subnet.broadcast_address - 1)
        )
    return address


def plan(cloud, topology, slot, hosts=None):
    """Everything about a cloud that follows from its inputs, as plain data."""
    if not isinstance(cloud, str) or not CLOUD_NAME_RE.match(cloud):
        raise PlanError(
            "testcloud_name %r is not allowed: 1-7 characters, a lowercase letter first, then "
            "lowercase letters or digits (it becomes part of interface names)" % (cloud,)
        )
    if hosts is None:
        if topology not in TOPOLOGIES:
            raise PlanError(
                "testcloud_topology %r is unknown; choose one of %s"
                % (topology, ", ".join(sorted(TOPOLOGIES)))
            )
        hosts = TOPOLOGIES[topology]
    if not isinstance(slot, int) or not 0 <= slot < SLOTS:
        raise PlanError("testcloud_slot %r is out of range; use 0 to %d" % (slot, SLOTS - 1))
    _validate_hosts(hosts)

    networks = {}
    for net in NETWORKS:
        subnet = slot_network(net, slot)
        networks[net] = {
            "cidr": str(subnet),
            "bridge": bridge_name(cloud, net),
            # The machine needs no address on the overlay: VXLAN stays between hosts.
            "gateway": None if net == "overlay" else str(subnet.network_address + 1),
            "prefixlen": SLOT_PREFIX,
        }
    ext = slot_network("external", slot)
    networks["external"]["pool_start"] = str(ext.network_address + FLOATING_OFFSET)
    networks["external"]["pool_end"] = str(ext.broadcast_address - 1)

    planned, used = [], {}
    for index, host in enumerate(hosts, start=1):
        interfaces = {}
        for net, spec in NETWORKS.items():
            if not set(host["groups"]) & set(spec["groups"]):
                continue
            address = None
            if net != "external":  # a provider interface carries no host address
                address = _host_address(net, slot, index, host.get(net + "_address"), host["name"])
                if address in used:
                    raise PlanError(
                        "testcloud hosts %r and %r share %s address %s"
                        % (used[address], host["name"], net, address)
                    )
                used[address] = host["name"]
                address = str(address)
            interfaces[net] = {
                "name": spec["interface"],
                "address": address,
                "veth": veth_name(cloud, index, spec["interface"]),
                "bridge": networks[net]["bridge"],
            }
        planned.append({
            "name": host["name"],
            "groups": list(host["groups"]),
            "index": index,
            "netns": netns_name(cloud, host["name"]),
            "interfaces": interfaces,
        })
    return {"name": cloud, "topology": topology, "slot": slot, "networks": networks, "hosts": planned}


def hosts_of(topology, hosts):
    """The host list of a cloud: its own, else its topology's."""
    return hosts or TOPOLOGIES[topology]


def extends(current, requested):
    """Whether `requested` is `current` with hosts added after it: a cloud grows
    that way, and the hosts it has keep their names, groups and addresses."""
    def given(host):
        return {k: v for k, v in host.items() if v is not None}

    return len(requested) > len(current) and all(
        given(old) == given(requested[index]) for index, old in enumerate(current))


def pick_slot(requested, cloud, taken):
    """The slot for `cloud`: the one asked for, else the one it has, else the lowest free.

    `taken` maps slot -> name of the cloud that holds it.
    """
    owner = taken.get(requested) if requested is not None else None
    if owner is not None and owner != cloud:
        raise PlanError(
            "testcloud_slot %d is used by test cloud %r; pick a free one of %s or leave it unset"
            % (requested, owner, sorted(set(range(SLOTS)) - set(taken)) or "none")
        )
    if requested is not None:
        return requested
    for slot, name in taken.items():
        if name == cloud:
            return slot
    for slot in range(SLOTS):
        if slot not in taken:
            return slot
    raise PlanError("all %d test-cloud slots are in use (%s); remove one first" % (SLOTS, ", ".join(taken.values())))


def inventory(cloud_plan, key_file, known_hosts, apt_proxy):
    """The Ansible inventory of a cloud, as a dict ready for YAML."""
    ext = cloud_plan["networks"]["external"]
    controller = next(h for h in cloud_plan["hosts"] if "controller" in h["groups"])
    hosts = {}
    for host in cloud_plan["hosts"]:
        # The interpreter is a host var, not an `all` var: the implicit localhost
        # takes `all` vars, and tasks delegated to it need the controller's Python.
        hostvars = {"ansible_host": host["interfaces"]["mgmt"]["address"], "ansible_python_interpreter": "/usr/bin/python3"}
        for net, iface in host["interfaces"].items():
            hostvars["nimbus_%s_interface" % net] = iface["name"]
            if iface["address"]:
                hostvars["nimbus_%s_address" % net] = iface["address"]
        hosts[host["name"]] = hostvars
    children = {
        group: {"hosts": {h["name"]: {} for h in cloud_plan["hosts"] if group in h["groups"]}}
        for group in GROUPS
    }
    return {
        "all": {
            "vars": {
                "ansible_user": "root",
                "ansible_ssh_private_key_file": key_file,
                "ansible_ssh_common_args": "-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes" % known_hosts,
                "nimbus_testcloud_name": cloud_plan["name"],
                "nimbus_cloud_name": "nimbus-" + cloud_plan["name"],
                "nimbus_internal_address": controller["interfaces"]["mgmt"]["address"],
                "nimbus_apt_proxy": apt_proxy,
                "nimbus_external_cidr": ext["cidr"],
                "nimbus_external_gateway": ext["gateway"],
                "nimbus_external_pool_start": ext["pool_start"],
                "nimbus_external_pool_end": ext["pool_end"],
                # Storage hosts keep one OSD on a sparse file, at Ceph's
                # smallest memory target (the hosts share one machine's memory).
                "ceph_osd_file_count": 1,
                "ceph_osd_file_size": "10G",
                "ceph_osd_memory_target": 939524096,
                # The hosts' disk is the machine's, shared with everything else.
                "ceph_conf_overrides": {"global": {"mon_data_avail_warn": 5}},
                # Servers' root disks in Ceph: copy-on-write clones of the
                # images, and storage that every compute host shares.
                "nova_compute_images_type": "rbd",
            },
            "hosts": hosts,
            "children": children,
        }
    }

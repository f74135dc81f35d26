# Private to this collection: not a public API, may change without notice.
"""The machine side of a test cloud's networks: bridges, namespaces, veths, a firewall guard."""

from __future__ import annotations

import json
import os

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._model import prefix
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._sys import run

NETNS_DIR = "/run/netns"


def _links():
    return {link["ifname"]: link for link in json.loads(run(["ip", "-j", "-d", "addr", "show"])[1])}


def machine_addresses():
    """Every IPv4 address the machine has now."""
    return {a["local"] for link in _links().values() for a in link["addr_info"] if a.get("family") == "inet"}


def ensure_bridges(cloud_plan):
    """Create the cloud's bridges with their machine-side addresses; True if anything changed."""
    changed = False
    links = _links()
    for net in cloud_plan["networks"].values():
        name = net["bridge"]
        link = links.get(name)
        if link is not None and link.get("linkinfo", {}).get("info_kind") != "bridge":
            run(["ip", "link", "del", name])
            link = None
            changed = True
        if link is None:
            run(["ip", "link", "add", name, "type", "bridge"])
            changed = True
            link = {"addr_info": [], "flags": []}
        want = {"%s/%d" % (net["gateway"], net["prefixlen"])} if net["gateway"] else set()
        have = {"%s/%d" % (a["local"], a["prefixlen"]) for a in link["addr_info"] if a.get("family") == "inet"}
        for extra in have - want:  # a leftover from another plan of this cloud
            run(["ip", "addr", "del", extra, "dev", name])
            changed = True
        for missing in want - have:
            run(["ip", "addr", "add", missing, "dev", name])
            changed = True
        if "UP" not in link["flags"]:
            run(["ip", "link", "set", name, "up"])
            changed = True
    return changed


def remove_interfaces(cloud):
    """Delete every machine interface that carries this cloud's prefix; True if any existed."""
    names = [name for name in _links() if name.startswith(prefix(cloud))]
    # Deleting a bridge first leaves its veths; deleting a veth removes its peer too.
    for name in sorted(names, key=lambda n: n.endswith(("mgmt", "vxln", "ext"))):
        run(["ip", "link", "del", name], check=False)
    return bool(names)


def netns_exists(name):
    return os.path.exists(os.path.join(NETNS_DIR, name))


def delete_netns(name):
    """Delete a host's namespace; its veths go with it. True if it existed."""
    if not netns_exists(name):
        return False
    run(["ip", "netns", "del", name])
    return True


def fresh_netns(host):
    """A new, empty namespace for `host` with its veths plugged into the bridges.

    A namespace left from an earlier boot is deleted first, so every start begins
    with empty kernel network state, as a rebooted server does.
    """
    delete_netns(host["netns"])
    run(["ip", "netns", "add", host["netns"]])
    run(["ip", "-n", host["netns"], "link", "set", "lo", "up"])
    for iface in host["interfaces"].values():
        run(["ip", "link", "del", iface["veth"]], check=False)  # left by a crashed run
        run(["ip", "link", "add", iface["veth"], "type", "veth", "peer", "name", iface["name"],
             "netns", host["netns"]])
        run(["ip", "link", "set", iface["veth"], "master", iface["bridge"], "up"])


def _guard_rules(cloud):
    """FORWARD rules that keep the cloud's traffic on its own interfaces.

    The machine must never route a test cloud out (or the outside in), even if
    something else turns on IP forwarding.
    """
    wild = prefix(cloud) + "+"
    return [
        ["FORWARD", "-i", wild, "!", "-o", wild, "-m", "comment", "--comment", "nimbus testcloud", "-j", "DROP"],
        ["FORWARD", "-o", wild, "!", "-i", wild, "-m", "comment", "--comment", "nimbus testcloud", "-j", "DROP"],
    ]


def ensure_guard(cloud):
    changed = False
    for rule in _guard_rules(cloud):
        if run(["iptables", "-C"] + rule, check=False)[0] != 0:
            run(["iptables", "-I"] + rule)
            changed = True
    return changed


def remove_guard(cloud):
    changed = False
    for rule in _guard_rules(cloud):
        while run(["iptables", "-C"] + rule, check=False)[0] == 0:
            run(["iptables", "-D"] + rule)
            changed = True
    return changed

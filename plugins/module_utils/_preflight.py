# Private to this collection: not a public API, may change without notice.
"""The checks of the preflight that site.yml runs first: what the inventory says and
what the hosts' facts show in, one message per problem out.

Pure functions on plain data; nothing here talks to a host or the cloud. Values may
come as the strings Ansible templating makes ("5000" for a port).
"""

from __future__ import annotations

import base64
import ipaddress
import re

GROUPS = ("controller", "network", "compute", "storage")
# The storage group may stay empty (no Ceph cluster, or an external one).
REQUIRED_GROUPS = ("controller", "network", "compute")
VIRT_TYPES = ("auto", "kvm", "qemu")
DISTRIBUTION, MAJOR_VERSION = "Debian", "12"
EXTERNAL = ("nimbus_external_cidr", "nimbus_external_gateway", "nimbus_external_pool_start", "nimbus_external_pool_end")
# (variable, lowest, highest or None, what it is)
NUMBERS = (
    ("nimbus_keystone_port", 1, 65535, "a port number"),
    ("nimbus_rabbitmq_port", 1, 65535, "a port number"),
    ("nimbus_memcached_port", 1, 65535, "a port number"),
    ("nimbus_rabbitmq_heartbeat_timeout", 1, None, "a number of seconds"),
    ("nimbus_service_workers", 1, 64, "a number of worker processes"),
)
NETWORKS = {"mgmt": "management network", "overlay": "overlay network", "external": "external network"}

_NAME_CHARS = re.compile(r"[A-Za-z0-9._-]*")
_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# What a secret cannot hold as it is: URLs (transport_url, database connections)
# and INI files take these only quoted or escaped, and oslo.config substitutes
# $name in values. Anything but printable ASCII covers whitespace and non-ASCII.
_SECRET_UNSAFE = re.compile(r"""[^\x21-\x7e]|['"%@:/#\\$?]""")
_SECRET_UNSAFE_TEXT = "whitespace, quotes, %, @, :, /, #, \\, $, ? or non-ASCII"
_PLAIN = re.compile(r"[\w.:/@+-]+", re.ASCII)


# -- helpers


def _given(value):
    return value is not None and value != ""


def _show(value):
    """A value as a message shows it: bare when it is one plain token, else quoted."""
    if isinstance(value, str) and _PLAIN.fullmatch(value):
        return value
    return repr(value)


def _int(value):
    """An integer, also from its string; None when it is not one (True is not 1 here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value):
        return int(value)
    return None


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _true(value):
    """As Ansible's bool filter reads a (templated) value."""
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "on", "1", "true", "y", "t")
    return value in (True, 1)


def _ip(value):
    try:
        return ipaddress.ip_address(str(value))
    except ValueError:
        return None


def _interface_ips(interface):
    """The addresses of an interface's facts (ipv4 and ipv6, each 'a.b.c.d' or 'a.b.c.d/nn')."""
    shown, ips = [], set()
    for entry in (interface.get("ipv4") or []) + (interface.get("ipv6") or []):
        shown.append(str(entry))
        try:
            ips.add(ipaddress.ip_interface(str(entry)).ip)
        except ValueError:
            pass
    return shown, ips


# -- the shape of the module's options (the role builds them; a bad one is a bug there)


def shape_problems(hosts, requirements):
    problems = []
    for name, host in hosts.items():
        if not isinstance(host, dict):
            problems.append("hosts.%s must be a dict with groups, vars and facts, not %s" % (name, type(host).__name__))
            continue
        for key, kind in (("groups", list), ("vars", dict), ("facts", dict)):
            if host.get(key) is not None and not isinstance(host[key], kind):
                problems.append("hosts.%s.%s must be a %s, not %s" % (name, key, kind.__name__, type(host[key]).__name__))
    for group, need in requirements.items():
        if not isinstance(need, dict):
            problems.append("requirements.%s must be a dict with memory_mb and disk_mb" % group)
            continue
        problems.extend("requirements.%s.%s must be an integer, not %s" % (group, key, _show(need[key]))
                        for key in ("memory_mb", "disk_mb") if need.get(key) is not None and _int(need[key]) is None)
    return problems


def _normal(host):
    return {"groups": [str(g) for g in host.get("groups") or []], "vars": host.get("vars") or {}, "facts": host.get("facts") or {}}


# -- deployment-wide checks


def group_problems(hosts):
    present = {group for host in hosts.values() for group in host["groups"]}
    return ["inventory group %s has no host; put at least one host in it (only storage may stay empty)" % group
            for group in REQUIRED_GROUPS if group not in present]


def name_problems(deployment):
    problems = []
    for var in ("nimbus_region", "nimbus_cloud_name"):
        value = deployment.get(var)
        if value is None:
            continue
        if not isinstance(value, str) or not _NAME_CHARS.fullmatch(value):
            reason = "has characters other than letters, digits, '-', '_' and '.'"
        elif not value:
            reason = "is empty"
        elif len(value) > 64:
            reason = "is %d characters long" % len(value)
        else:
            continue
        problems.append("%s %s %s; give 1 to 64 letters, digits, '-', '_' or '.'" % (var, _show(value), reason))
    return problems


def number_problems(deployment):
    problems = []
    for var, low, high, what in NUMBERS:
        value = deployment.get(var)
        if value is None:
            continue
        number = _int(value)
        if number is None or number < low or (high is not None and number > high):
            allowed = "an integer from %d to %d" % (low, high) if high is not None else "a positive integer"
            problems.append("%s %s is not %s; give %s" % (var, _show(value), what, allowed))
    return problems


def _endpoint_host_reason(value):
    if value == "":
        return "is empty"
    ip = _ip(value)
    if ip is not None and ip.version == 6:
        # The roles build http://ADDRESS:PORT, which takes an IPv6 address only in brackets.
        return "is an IPv6 address, which the endpoint URLs (http://ADDRESS:PORT) cannot take as it is"
    if ip is None and not (isinstance(value, str) and _HOSTNAME.fullmatch(value) and not re.fullmatch(r"[0-9.]+", value)):
        return "is neither an IP address nor a host name"
    return None


def endpoint_problems(deployment):
    problems = []
    if deployment.get("nimbus_internal_address") is None:
        problems.append("nimbus_internal_address is not set; give the address the APIs listen on (the first controller's nimbus_mgmt_address)")
    for var in ("nimbus_internal_address", "nimbus_public_address"):
        value = deployment.get(var)
        reason = None if value is None else _endpoint_host_reason(value)
        if reason:
            problems.append("%s %s %s; give an IPv4 address or a host name" % (var, _show(value), reason))
    return problems


def _cidr(value):
    """(network, None) or (None, why it is not a network in CIDR notation)."""
    text = str(value)
    if "/" in text:
        try:
            return ipaddress.ip_network(text, strict=True), None
        except ValueError:
            try:
                return None, "has host bits set; give its network address, %s" % ipaddress.ip_network(text, strict=False)
            except ValueError:
                pass
    return None, "is not a network in CIDR notation; give one such as 203.0.113.0/24"


def _usable(var, value, network, problems):
    """The address when it is one Neutron can use inside network, else None (and why, in problems)."""
    ip = _ip(value)
    if ip is None:
        problems.append("%s %s is not an IP address" % (var, _show(value)))
        return None
    if network is None:
        return None
    if ip not in network:
        problems.append("%s %s is not inside nimbus_external_cidr %s" % (var, ip, network))
    elif ip == network.network_address:
        problems.append("%s %s is the network address of nimbus_external_cidr %s; give an address inside it" % (var, ip, network))
    elif ip.version == 4 and network.prefixlen < 31 and ip == network.broadcast_address:
        problems.append("%s %s is the broadcast address of nimbus_external_cidr %s; give an address inside it" % (var, ip, network))
    else:
        return ip
    return None


def external_problems(deployment):
    values = {var: deployment.get(var) for var in EXTERNAL}
    missing = [var for var in EXTERNAL if values[var] is None]
    if len(missing) == len(EXTERNAL):
        return []
    problems = []
    if missing:
        problems.append("%s not set while the other nimbus_external_* are: the external network is made from all four; set them all, or none"
                        % " and ".join(missing))
    network = None
    if values["nimbus_external_cidr"] is not None:
        network, reason = _cidr(values["nimbus_external_cidr"])
        if reason:
            problems.append("nimbus_external_cidr %s %s" % (_show(values["nimbus_external_cidr"]), reason))
    gateway, start, end = (_usable(var, values[var], network, problems) if values[var] is not None else None for var in EXTERNAL[1:])
    if start is not None and end is not None and start > end:
        problems.append("nimbus_external_pool_start %s is after nimbus_external_pool_end %s; give the lower address first" % (start, end))
    elif gateway is not None and start is not None and end is not None and start <= gateway <= end:
        problems.append("nimbus_external_gateway %s is inside the pool %s-%s (nimbus_external_pool_start to _end); "
                        "leave it out of the pool, or Neutron hands it out as a floating IP" % (gateway, start, end))
    return problems


def _mon_address(value):
    """An IP address, optionally with :port (an IPv6 one then in brackets)."""
    if not isinstance(value, str):
        return False
    if _ip(value) is not None:
        return True
    if value.startswith("[") and value.endswith("]"):
        return _ip(value[1:-1]) is not None
    host, port = value.rpartition(":")[::2]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        return False
    return _ip(host) is not None and port.isdigit() and 1 <= int(port) <= 65535


def ceph_problems(deployment):
    if not _true(deployment.get("nimbus_ceph_external")):
        return []
    problems = []
    fsid = deployment.get("nimbus_ceph_fsid")
    if not (isinstance(fsid, str) and _UUID.fullmatch(fsid)):
        what = "is not set" if fsid is None else "%s is not a lowercase UUID" % _show(fsid)
        problems.append("nimbus_ceph_fsid %s; with nimbus_ceph_external, give the cluster's fsid (`ceph fsid` prints it)" % what)
    mons = deployment.get("nimbus_ceph_mon_addresses")
    if not isinstance(mons, list) or not mons:
        what = "is not set" if mons is None else "%s is not a non-empty list" % _show(mons)
        problems.append("nimbus_ceph_mon_addresses %s; with nimbus_ceph_external, give the list of the cluster's monitor addresses" % what)
    else:
        bad = [_show(mon) for mon in mons if not _mon_address(mon)]
        if bad:
            problems.append("nimbus_ceph_mon_addresses has %s, not IP addresses; give each monitor as an IP address, optionally with :port "
                            "(an IPv6 one in brackets)" % ", ".join(bad))
    return problems


def secrets_file_problems(mode):
    if mode is None:
        return []
    try:
        bits = int(str(mode), 8)
    except ValueError:
        return ["secrets_file_mode %s is not an octal file mode such as 0600" % _show(mode)]
    if bits & 0o077:
        return ["nimbus_secrets_file has mode %s, which gives its group or others access to the secrets; make it private: chmod 600 <nimbus_secrets_file>"
                % mode]
    return []


def key_repository_problems(name, keys):
    """A Keystone key repository of the secrets file (index: key), as Keystone
    reads it from files: whole-number indexes with a staged key 0, each key 32
    bytes in URL-safe base64."""
    if not all(re.fullmatch(r"[0-9]+", str(index)) for index in keys) or "0" not in {str(i) for i in keys}:
        return ["secret %s in nimbus_secrets_file must map whole-number indexes, 0 among them, to keys; "
                "delete it only on a new cloud (its tokens and stored credentials depend on it)" % name]
    bad = sorted((str(index) for index, key in keys.items() if not _fernet_key(key)), key=int)
    if bad:
        return ["secret %s in nimbus_secrets_file has keys that are not 32 bytes in URL-safe base64 at index %s (value not shown)"
                % (name, ", ".join(bad))]
    return []


def _fernet_key(key):
    try:
        return len(base64.urlsafe_b64decode(str(key).encode("ascii"))) == 32
    except (ValueError, UnicodeEncodeError):
        return False


def secret_problems(secrets):
    """Each secret by its name only: a value never goes into a message."""
    problems = []
    for name in sorted(secrets, key=str):
        value = secrets[name]
        if isinstance(value, dict) and value:
            problems.extend(key_repository_problems(name, value))
        elif not _given(value):
            problems.append("secret %s in nimbus_secrets_file is empty; delete its line so that the next run generates it" % name)
        elif _SECRET_UNSAFE.search(str(value)):
            problems.append("secret %s in nimbus_secrets_file has characters that URLs and configuration files cannot take as they are (%s); "
                            "give it only letters, digits, '-', '_' and '.' (value not shown)" % (name, _SECRET_UNSAFE_TEXT))
    return problems


# -- per-host checks (each message starts with "host NAME")


def _holders(hosts, var, names):
    """The first host, by name, that has each address in var: the later ones are the duplicates."""
    holders = {}
    for name in names:
        ip = _ip(hosts[name]["vars"].get(var)) if _given(hosts[name]["vars"].get(var)) else None
        if ip is not None:
            holders.setdefault(ip, name)
    return holders


def _interface_problems(name, host, kind):
    var = "nimbus_%s_interface" % kind
    value, interfaces = host["vars"].get(var), host["facts"].get("interfaces") or {}
    has = " (the host has %s)" % ", ".join(sorted(interfaces)) if interfaces else ""
    if not _given(value):
        return ["host %s: %s is not set; give the host's interface on the %s%s" % (name, var, NETWORKS[kind], has)]
    if interfaces and str(value) not in interfaces:
        return ["host %s: %s %s is not an interface of the host, which has %s" % (name, var, _show(value), ", ".join(sorted(interfaces)))]
    return []


def _address_problems(name, host, kind, holders):
    ivar, avar = "nimbus_%s_interface" % kind, "nimbus_%s_address" % kind
    value = host["vars"].get(avar)
    if not _given(value):
        return ["host %s: %s is not set; give the host's address on the %s" % (name, avar, NETWORKS[kind])]
    ip = _ip(value)
    if ip is None:
        return ["host %s: %s %s is not an IP address; give one address, such as 172.29.236.11, without a prefix length" % (name, avar, _show(value))]
    problems = []
    if holders.get(ip, name) != name:
        problems.append("host %s: %s %s is also the %s of host %s; give each host its own" % (name, avar, ip, avar, holders[ip]))
    interface = host["vars"].get(ivar)
    interfaces = host["facts"].get("interfaces") or {}
    if _given(interface) and str(interface) in interfaces:
        shown, ips = _interface_ips(interfaces[str(interface)] or {})
        if ip not in ips:
            has = "which has %s; give %s the interface has" % (", ".join(shown), "the address" if len(shown) == 1 else "one of the addresses") \
                if shown else "which has no address; give the interface its address first"
            problems.append("host %s: %s %s is not on %s %s, %s" % (name, avar, ip, ivar, interface, has))
    return problems


def virt_type_problems(name, host):
    value = host["vars"].get("nova_compute_virt_type")
    if value is None or value in VIRT_TYPES:
        return []
    return ["host %s: nova_compute_virt_type %s is not one of %s" % (name, _show(value), ", ".join(VIRT_TYPES))]


def distribution_problems(name, facts):
    distribution, major = facts.get("distribution"), facts.get("distribution_major_version")
    if distribution is None and major is None:
        return []
    if distribution == DISTRIBUTION and str(major) == MAJOR_VERSION:
        return []
    found = " ".join(str(part) for part in (distribution, major) if part is not None)
    return ["host %s: ansible_distribution is %s; nimbus.openstack deploys on %s %s only" % (name, found, DISTRIBUTION, MAJOR_VERSION)]


def _requirement(groups, requirements, key):
    """(what a host of these groups needs, the groups that need that much).

    The largest of its groups' values, not their sum: an all-in-one host runs
    every group's services, and each group's figure already counts the base
    system, so a sum would count it (and the shared services) several times.
    """
    needs = {group: _int((requirements.get(group) or {}).get(key)) or 0 for group in groups}
    need = max(needs.values(), default=0)
    return need, [group for group in groups if needs[group] == need]


def resource_problems(name, host, requirements):
    problems = []
    for key, fact, shown, remedy in (("memory_mb", "memtotal_mb", "ansible_memtotal_mb is %d", "give the host more memory"),
                                     ("disk_mb", "root_free_mb", "the root file system has %d MB free", "free or add disk space on /")):
        have = _number(host["facts"].get(fact))
        need, groups = _requirement(host["groups"], requirements, key)
        if have is not None and have < need:
            who = "group %s needs" % groups[0] if len(groups) == 1 else "groups %s need" % " and ".join(groups)
            problems.append("host %s: %s, less than the %d MB that %s; %s" % (name, shown % have, need, who, remedy))
    return problems


def host_problems(name, host, holders, requirements):
    problems = []
    if host["facts"].get("reachable") is False:
        problems.append("host %s is unreachable: Ansible could not connect to it or gather its facts; check ansible_host, ansible_user and SSH" % name)
        host = dict(host, facts={})
    groups = host["groups"]
    problems += _interface_problems(name, host, "mgmt") + _address_problems(name, host, "mgmt", holders["mgmt"])
    if "network" in groups or "compute" in groups:
        problems += _interface_problems(name, host, "overlay") + _address_problems(name, host, "overlay", holders["overlay"])
    if "network" in groups:
        problems += _interface_problems(name, host, "external")
    if "compute" in groups:
        problems += virt_type_problems(name, host)
    return problems + distribution_problems(name, host["facts"]) + resource_problems(name, host, requirements)


def check(hosts, deployment, secrets, secrets_file_mode, requirements):
    """Every problem, deployment-wide ones first, then by host name."""
    requirements = requirements or {}
    problems = shape_problems(hosts, requirements)
    if problems:
        return problems
    hosts = {str(name): _normal(host) for name, host in hosts.items()}
    deployment = deployment or {}
    names = sorted(hosts)
    tunnel_ends = [name for name in names if {"network", "compute"} & set(hosts[name]["groups"])]
    holders = {"mgmt": _holders(hosts, "nimbus_mgmt_address", names), "overlay": _holders(hosts, "nimbus_overlay_address", tunnel_ends)}
    problems = (group_problems(hosts) + name_problems(deployment) + endpoint_problems(deployment) + number_problems(deployment)
                + external_problems(deployment) + ceph_problems(deployment) + secrets_file_problems(secrets_file_mode)
                + secret_problems(secrets or {}))
    for name in names:
        problems += host_problems(name, hosts[name], holders, requirements)
    return problems


def counts(hosts, secrets):
    """What was checked: hosts, hosts per group, secrets."""
    checked = {"hosts": len(hosts), "secrets": len(secrets or {})}
    for group in GROUPS:
        checked[group] = sum(1 for host in hosts.values() if group in ((host or {}).get("groups") or []))
    return checked

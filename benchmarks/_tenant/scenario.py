"""The tenant scenario of benchmarks/tenant, as one playbook per collection and
phase: each collection's modules used as its documentation shows, with the same
resources and the same options wherever both have them."""

from __future__ import annotations

COLLECTIONS = ("nimbus.openstack", "openstack.cloud")

# Ingress rules of the security group; Neutron adds its two egress rules to a new group.
RULES = [
    {"protocol": "tcp", "port": 22, "remote_ip_prefix": "0.0.0.0/0"},
    {"protocol": "tcp", "port": 80, "remote_ip_prefix": "0.0.0.0/0"},
    {"protocol": "tcp", "port": 443, "remote_ip_prefix": "0.0.0.0/0"},
    {"protocol": "icmp", "remote_ip_prefix": "0.0.0.0/0"},
    {"protocol": "udp", "port": 53, "remote_ip_prefix": "10.0.0.0/8"},
]
DEFAULT_EGRESS = [{"direction": "egress", "ether_type": "IPv4"}, {"direction": "egress", "ether_type": "IPv6"}]
RULE_LABEL = "{{ item.protocol }} {{ item.port | default('') }} {{ item.remote_ip_prefix }}"
# Seconds a server may take to become active or to go.
SERVER_TIMEOUT = 600


def names(prefix):
    return {kind: "%s-%s" % (prefix, kind) for kind in ("sg", "net", "subnet", "router", "key", "server")}


def _rule(collection, rule):
    """A rule in the collection's own terms (openstack.cloud has no `port`)."""
    rule = dict(rule)
    if collection == "openstack.cloud" and "port" in rule:
        rule["port_range_min"] = rule["port_range_max"] = rule.pop("port")
    return rule


def _rule_task(collection, group):
    """One security_group_rule task looping over RULES."""
    args = {"security_group": group, "protocol": "{{ item.protocol }}", "remote_ip_prefix": "{{ item.remote_ip_prefix }}"}
    if collection == "nimbus.openstack":
        args["port"] = "{{ item.port | default(omit) }}"
    else:
        args["port_range_min"] = args["port_range_max"] = "{{ item.port | default(omit) }}"
    return {"name": "Security group rules", collection + ".security_group_rule": args,
            "loop": RULES, "loop_control": {"label": RULE_LABEL}}


def create_tasks(collection, n, image, flavor, external, cidr, public_key, inline_rules):
    c = collection
    nimbus = c == "nimbus.openstack"
    group = {"name": n["sg"], "description": "benchmarks/tenant"}
    tasks = []
    if inline_rules:
        # Both purge the rules they do not list: list Neutron's egress rules too.
        group["rules" if nimbus else "security_group_rules"] = [_rule(c, rule) for rule in RULES + DEFAULT_EGRESS]
        tasks.append({"name": "Security group with its rules", c + ".security_group": group})
    else:
        tasks += [{"name": "Security group", c + ".security_group": group}, _rule_task(c, n["sg"])]
    router = {"name": n["router"], "interfaces": [n["subnet"]]}
    router["external_gateway_network" if nimbus else "network"] = external
    server = {"name": n["server"], "image": image, "flavor": flavor, "key_name": n["key"],
              "security_groups": [n["sg"]], "timeout": SERVER_TIMEOUT}
    if nimbus:
        server["networks"] = [{"network": n["net"]}]
    else:
        # auto_ip would give the server a floating IP itself; the next task does.
        server.update(network=n["net"], auto_ip=False)
    return tasks + [
        {"name": "Network", c + ".network": {"name": n["net"]}},
        {"name": "Subnet", c + ".subnet": {"name": n["subnet"], "network": n["net"], "cidr": cidr}},
        {"name": "Router", c + ".router": router},
        {"name": "Keypair", c + ".keypair": {"name": n["key"], "public_key": public_key}},
        {"name": "Server", c + ".server": server},
        {"name": "Floating IP", c + ".floating_ip": {"server": n["server"], "network": external}},
    ]


def delete_tasks(collection, n, external):
    c = collection
    if c == "nimbus.openstack":
        server = [
            {"name": "Floating IP", c + ".floating_ip": {"server": n["server"], "network": external, "state": "absent"}},
            {"name": "Server", c + ".server": {"name": n["server"], "state": "absent", "timeout": SERVER_TIMEOUT}},
        ]
    else:
        # openstack.cloud.floating_ip deletes only by address; its server module releases the server's.
        server = [{"name": "Server and its floating IP", c + ".server": {
            "name": n["server"], "state": "absent", "delete_ips": True, "timeout": SERVER_TIMEOUT}}]
    return server + [
        {"name": "Keypair", c + ".keypair": {"name": n["key"], "state": "absent"}},
        {"name": "Router", c + ".router": {"name": n["router"], "state": "absent"}},
        {"name": "Subnet", c + ".subnet": {"name": n["subnet"], "network": n["net"], "state": "absent"}},
        {"name": "Network", c + ".network": {"name": n["net"], "state": "absent"}},
        {"name": "Security group", c + ".security_group": {"name": n["sg"], "state": "absent"}},
    ]


def playbook(collection, title, tasks, cloud, api_timeout):
    return [{
        "name": "%s, %s" % (title, collection),
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/%s.openstack" % collection: {"cloud": cloud, "api_timeout": api_timeout}},
        "tasks": tasks,
    }]

"""The APIs answer after sitting idle: their message-queue connections outlive
any idle period, and every call that needs RPC works at the first attempt.

The APIs that run under uwsgi and talk to RabbitMQ are eventlet-patched
(nova-api, which serves the metadata API too, neutron-api). Their oslo.messaging heartbeat
must run while no request is served, or RabbitMQ drops their connections after
its heartbeat timeout (the aio scenario sets it to 20 s). So: one round of
RPC-backed creates (network, subnet, port, server, console log), an idle period
of more than twice the heartbeat timeout, the same round again; in between,
every API connection RabbitMQ had must still be there. Last, the logs of every
API since it started hold no traceback and no greenlet.error.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
import uuid

import pytest
from cloudtest import EXTERNAL_NETWORK, FLAVOR, MARKER, delete_made, run_module, wait_for

# uwsgi APIs that talk to RabbitMQ: unit -> log file.
RPC_APIS = {
    "nova-api": "/var/log/nova/nova-api.log",
    "neutron-api": "/var/log/neutron/neutron-api.log",
    "heat-api": "/var/log/heat/heat-api.log",
}
# Every API's log, since the API started: uwsgi's own log, where the APIs above
# and placement write (from uwsgi's start line on), and oslo.log files whose
# every line has a timestamp (from the unit's start time on).
UWSGI_LOGS = dict(RPC_APIS, **{"placement-api": "/var/log/placement/placement-api.log"})
APP_LOGS = {
    "keystone": "/var/log/keystone/keystone-wsgi-public.log",
    "glance-api": "/var/log/glance/glance-api.log",
}
# What uwsgi writes to its log when it starts.
UWSGI_START = "*** Starting uWSGI"
TENANT_CIDR = "10.215.0.0/24"


def heartbeat_timeout(host):
    """The broker's AMQP heartbeat timeout, from the rabbitmq.conf the role wrote."""
    for line in host.file("/etc/rabbitmq/rabbitmq.conf").content_string.splitlines():
        key, value = line.partition("=")[::2]
        if key.strip() == "heartbeat":
            return int(value)
    return 60


def api_connections(host):
    """{RabbitMQ connection name: (unit, pid)} of the connections of uwsgi
    processes. oslo.messaging names a connection <program>:<pid>:<uuid>; the
    pid's cgroup tells its unit."""
    listed = json.loads(host.check_output(
        "rabbitmqctl list_connections -q --formatter json name client_properties"))
    found = {}
    for connection in listed:
        properties = {item[0]: item[2] for item in connection["client_properties"]}
        program, pid = properties.get("connection_name", "::").split(":")[:2]
        if program == "uwsgi":
            cgroup = host.run("cat /proc/%s/cgroup", pid).stdout
            found[connection["name"]] = (cgroup.strip().rsplit("/", 1)[-1].removesuffix(".service"), pid)
    return found


def amqp_trouble(host, since):
    """What the RPC APIs logged since `since` (the host's clock, %Y-%m-%d %H:%M:%S)
    about their message-queue connections: lost, reset, reconnected."""
    lines = []
    for path in RPC_APIS.values():
        for line in host.file(path).content_string.splitlines():
            if line[:19] >= since and "impl_rabbit" in line:
                lines.append(line)
    return lines


def missed_heartbeats(host):
    """How many connections RabbitMQ has dropped for missed heartbeats, ever."""
    return int(host.run("cat /var/log/rabbitmq/rabbit@*.log | grep -c 'missed heartbeats'").stdout.strip() or 0)


def rpc_round(conn, prefix, image_id, public_key):
    """Network, subnet, router and port (RPC casts to the DHCP and L3 agents), a
    server on the port (nova-api to the conductor, the compute host, Neutron),
    its console log with the guest's marker (an RPC call from nova-api to
    nova-compute; the marker needs the metadata API, which the guest reaches
    through the router), then everything deleted; and the stacks listed (an RPC
    call from heat-api to heat-engine). Each request is made once: a failure
    fails the test."""
    made = {}
    try:
        run_module("stack_info")
        made["network"] = run_module("network", name=prefix + "-net")["network"]
        made["subnet"] = run_module("subnet", name=prefix + "-subnet", network=made["network"]["id"],
                                    cidr=TENANT_CIDR)["subnet"]
        made["router"] = run_module("router", name=prefix + "-router", external_gateway_network=EXTERNAL_NETWORK,
                                    interfaces=[made["subnet"]["id"]])["router"]
        made["port"] = conn.network.create_port(name=prefix + "-port", network_id=made["network"]["id"])
        # The guest waits for an SSH key from the metadata service before it says it is ready.
        made["keypair"] = conn.compute.create_keypair(name=prefix + "-key", public_key=public_key)
        flavor = conn.compute.find_flavor(FLAVOR, ignore_missing=False)
        made["server"] = conn.compute.create_server(
            name=prefix + "-server", image_id=image_id, flavor_id=flavor.id, key_name=made["keypair"].name,
            networks=[{"port": made["port"].id}])
        server = conn.compute.wait_for_server(made["server"], status="ACTIVE", failures=["ERROR"], wait=300)
        line = "%s instance-id=%s" % (MARKER, server.id)
        assert wait_for(lambda: line in conn.compute.get_server_console_output(server)["output"], 240, 5), \
            "no %r in the console log of %s" % (line, server.id)
    finally:
        delete_made(conn, made)
        if "router" in made:
            run_module("router", name=prefix + "-router", state="absent")
        if "subnet" in made:
            run_module("subnet", name=prefix + "-subnet", network=made["network"]["id"], state="absent")
        if "network" in made:
            run_module("network", name=prefix + "-net", state="absent")


@pytest.mark.long
@pytest.mark.timeout(1200)
def test_rpc_works_after_idle_period(conn, host, guest_image):
    prefix = "verify-%s" % uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as keydir:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keydir + "/key"], check=True)
        with open(keydir + "/key.pub") as handle:
            public_key = handle.read()
    heartbeat = heartbeat_timeout(host)
    dropped_before = missed_heartbeats(host)

    rpc_round(conn, prefix, guest_image.id, public_key)
    before = api_connections(host)
    assert {"nova-api", "neutron-api"} <= {unit for unit, _pid in before.values()}, \
        "no RabbitMQ connection of nova-api and neutron-api after a round of RPC: %s" % before

    # Nothing asks the APIs anything for more than twice the heartbeat timeout.
    idle_since = host.check_output("date '+%Y-%m-%d %H:%M:%S'")
    time.sleep(2 * heartbeat + 10)
    after = api_connections(host)
    idle = "while idle for %d s" % (2 * heartbeat + 10)
    # RabbitMQ dropped no connection for silence, no API lost or reset one, and
    # every API process that had a connection still has one.
    assert missed_heartbeats(host) == dropped_before, "RabbitMQ missed heartbeats of clients " + idle
    assert not amqp_trouble(host, idle_since), "the APIs' message-queue connections %s:\n%s" % (
        idle, "\n".join(amqp_trouble(host, idle_since)))
    assert set(before.values()) <= set(after.values()), \
        "API processes without their RabbitMQ connections %s: before %s, after %s" % (idle, before, after)
    lost = sorted(set(before) - set(after))
    print("connections closed by their API %s (nothing said why): %s" % (idle, lost))

    rpc_round(conn, prefix, guest_image.id, public_key)


def since_start(host, unit):
    """The lines of the unit's log written since it last started."""
    if unit in UWSGI_LOGS:
        log = host.file(UWSGI_LOGS[unit]).content_string
        assert UWSGI_START in log, "%s: no uwsgi start in %s" % (unit, UWSGI_LOGS[unit])
        return log[log.rindex(UWSGI_START):]
    started = host.check_output(
        "date -d \"$(systemctl show -p ActiveEnterTimestamp --value %s)\" '+%%Y-%%m-%%d %%H:%%M:%%S'", unit)
    lines = host.file(APP_LOGS[unit]).content_string.splitlines()
    return "\n".join(line for line in lines if line[:19] >= started)


# Keystone's exceptions for requests it refuses (4xx), which it logs as ERRORs with a traceback.
CLIENT_ERRORS = ("NotFound", "keystone.exception.Conflict", "keystone.exception.ValidationError",
                 "keystone.exception.Forbidden", "keystone.exception.Unauthorized")


def without_client_errors(log):
    """The log without the records of requests the service refused.

    Keystone logs a 404 or a 409 as an ERROR with a traceback: one record, many
    lines with the same time and process ("YYYY-MM-DD HH:MM:SS.mmm PID"). The
    integration targets make such requests on purpose (and the openstack CLI
    they use looks names up as ids first).
    """
    lines = log.splitlines()
    refused = {line[:30] for line in lines if "ERROR" in line and any(name in line for name in CLIENT_ERRORS)}
    return "\n".join(line for line in lines if line[:30] not in refused)


@pytest.mark.parametrize("unit", sorted(UWSGI_LOGS) + sorted(APP_LOGS))
def test_api_log_since_start_is_clean(host, unit):
    log = without_client_errors(since_start(host, unit))
    for bad in ("Traceback", "greenlet.error"):
        assert bad not in log, "%s's log since its start holds %s:\n%s" % (
            unit, bad, log[max(0, log.index(bad) - 2000):log.index(bad) + 1000])

"""Faults the cloud recovers from by itself (issue 17). Each case makes the
fault, measures how long the cloud takes to recover and prints it, checks that
nothing was restarted by hand, and ends with a new server booted and logged
into by SSH through a floating IP within a stated bound:

- RabbitMQ restarts: every queue that had a consumer has one again, every
  service and agent reports alive again, and no OpenStack service restarted;
- MariaDB is killed with SIGKILL: systemd starts it again (the unit's own
  Restart= setting), every API answers and every service reports alive through
  the database again, and no OpenStack service restarted;
- the host restarts (the test-cloud tool's `restarted`, as a reboot): every
  Nova, Neutron and Cinder service and agent is up within two minutes of the
  host's boot, a server that ran before runs again on its floating IP
  (Nova's resume_guests_state_on_host_boot), and a volume kept its data, Ceph
  is healthy and Cinder serves the volume again (it grows). The host restarts
  only here in the whole verify.

The idle case is test_rpc_after_idle.py; a site.yml killed during the converge
is converge.yml's. These tests run after every other one (disruptive), and
make cloud-verify leaves them out (long).

"Reported alive" is a service's or agent's own heartbeat (Nova's and Cinder's
updated_at, Neutron's last_heartbeat_at) later than the fault: Nova's compute
service and Neutron's agents send theirs over RPC, and every heartbeat ends in
the database. Everything is made with the collection's modules; openstacksdk
only checks. Everything is deleted afterwards, also when a test fails.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import subprocess
import tempfile
import time
import uuid

import keystoneauth1.exceptions
import openstack.exceptions
import pytest
from cloudtest import EXTERNAL_NETWORK, FLAVOR, playbook, run_module, ssh, tool_inventory, wait_for

TENANT_CIDR = "10.217.0.0/24"
# Seconds from a server's create request to an SSH login through its floating IP.
RABBITMQ_BOOT_WITHIN = 180
MARIADB_BOOT_WITHIN = 180
HOST_RESTART_BOOT_WITHIN = 180
# Seconds the services may take to reconnect after the fault.
RABBITMQ_RECONNECT_WITHIN = 120
MARIADB_RECONNECT_WITHIN = 120
# Seconds systemd may take to start MariaDB again after the kill (its RestartSec is 5 s).
MARIADB_RESTART_WITHIN = 60
# Seconds from the host's boot (systemd's start) until every service and agent
# is up (issue 17), and until the server that ran before answers SSH again.
HOST_SERVICES_UP_WITHIN = 120
HOST_SERVER_BACK_WITHIN = 240
# The services that must only reconnect: every running unit whose name starts so.
OPENSTACK_UNITS = ("nova-", "neutron-", "cinder-", "glance-", "heat-", "keystone", "placement-")
# Nova's power_state of a server whose guest runs.
POWER_RUNNING = 1


@pytest.fixture(scope="module")
def tenant(cloud_vars):
    """A network behind a router, a security group that lets SSH in, a keypair
    whose private key is in tenant["key"], and the bridge that reaches
    floating IPs; all deleted afterwards."""
    prefix = "faults-%s" % uuid.uuid4().hex[:8]
    made = {"prefix": prefix, "network": prefix + "-net", "subnet": prefix + "-subnet",
            "router": prefix + "-router", "group": prefix + "-group", "keypair": prefix + "-key",
            "bridge": "nb-%s-ext" % cloud_vars["nimbus_testcloud_name"]}
    with tempfile.TemporaryDirectory() as keydir, contextlib.ExitStack() as undo:
        made["key"] = os.path.join(keydir, "id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", made["key"]], check=True)
        # Each deletion is registered before its create, and all run (in reverse) whatever fails.
        undo.callback(run_module, "keypair", name=made["keypair"], state="absent")
        run_module("keypair", name=made["keypair"], public_key_file=made["key"] + ".pub")
        undo.callback(run_module, "security_group", name=made["group"], state="absent")
        run_module("security_group", name=made["group"], rules=[
            {"protocol": "tcp", "port": 22}, {"direction": "egress", "ether_type": "IPv4"}])
        undo.callback(run_module, "network", name=made["network"], state="absent")
        run_module("network", name=made["network"])
        run_module("subnet", name=made["subnet"], network=made["network"], cidr=TENANT_CIDR)
        undo.callback(run_module, "router", name=made["router"], state="absent")
        run_module("router", name=made["router"], external_gateway_network=EXTERNAL_NETWORK,
                   interfaces=[made["subnet"]])
        yield made


def login(tenant, address, timeout):
    """The result of a command run on the server at floating address `address`
    by SSH, once that lets in within timeout seconds; None if it never does."""
    def attempt():
        result = ssh(tenant["key"], address, tenant["bridge"], "ip -4 -o addr show dev eth0")
        return result if result.returncode == 0 else None

    return wait_for(attempt, timeout, 5)


@contextlib.contextmanager
def reached_server(conn, tenant, image, what, within):
    """A server of the guest image, booted with the collection's modules, given
    a floating IP and logged into through it by SSH, all within `within`
    seconds of the create request (printed, asserted); yields {id, name,
    fixed, floating}, and deletes the server and its floating IP afterwards."""
    name = "%s-%s" % (tenant["prefix"], what)
    started = time.monotonic()
    with contextlib.ExitStack() as undo:
        undo.callback(run_module, "server", name=name, state="absent")
        undo.callback(run_module, "floating_ip", server=name, state="absent")
        server = run_module("server", name=name, image=image.id, flavor=FLAVOR,
                            networks=[{"network": tenant["network"]}], key_name=tenant["keypair"],
                            security_groups=[tenant["group"]], timeout=within)["server"]
        fip = run_module("floating_ip", network=EXTERNAL_NETWORK, server=server["id"])["floating_ip"]
        made = {"id": server["id"], "name": name, "fixed": fip["fixed_ip_address"],
                "floating": fip["floating_ip_address"]}
        result = login(tenant, made["floating"], max(0.0, within - (time.monotonic() - started)))
        took = time.monotonic() - started
        assert result, "%s: no SSH login to %s (%s) within %d s of its create request: %s; its guest says: %s" % (
            what, name, made["floating"], within,
            ssh(tenant["key"], made["floating"], tenant["bridge"], "true").stderr, guest_says(conn, made["id"]))
        # The login reached this server: it shows its own fixed address.
        assert " %s/" % made["fixed"] in result.stdout, result.stdout
        print("%s: server booted and reached by SSH through %s in %.0f s (bound %d s)" % (
            what, made["floating"], took, within))
        assert took <= within
        yield made


def utc(stamp):
    """An API's timestamp (ISO 8601 or "YYYY-MM-DD HH:MM:SS", UTC whether said or not) as an aware datetime."""
    if not stamp:
        return None
    parsed = datetime.datetime.fromisoformat(stamp.replace(" ", "T").replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def now():
    return datetime.datetime.now(datetime.UTC)


def heartbeats(conn):
    """{(service, binary, host): (up, its last heartbeat)} of every Nova and
    Cinder service and Neutron agent; None while an API does not answer."""
    try:
        beats = {("nova", s.binary, s.host): (s.state == "up", utc(s.updated_at)) for s in conn.compute.services()}
        beats.update({("neutron", a.binary, a.host): (a.is_alive, utc(a.last_heartbeat_at))
                      for a in conn.network.agents()})
        beats.update({("cinder", s.binary, s.host): (s.state == "up", utc(s.updated_at))
                      for s in conn.block_storage.services()})
    except (openstack.exceptions.SDKException, keystoneauth1.exceptions.ClientException):
        return None
    return beats


def reported_since(conn, since, timeout):
    """Wait until every service and agent is up with a heartbeat later than
    `since`: {(service, binary, host): first such heartbeat seen}. Fails
    naming those that did not within timeout seconds."""
    first = {}
    last = {}

    def all_reported():
        beats = heartbeats(conn)
        if not beats:
            return False
        last.update(beats)
        for key, (up, beat) in beats.items():
            if up and beat and beat > since:
                first.setdefault(key, beat)
        return set(first) >= set(beats)

    assert wait_for(all_reported, timeout, 2), "no heartbeat since %s within %d s from: %s" % (
        since.isoformat(), timeout, sorted("%s (up %s, last %s)" % ("/".join(key), up, beat)
                                           for key, (up, beat) in last.items() if key not in first))
    return first


def unit_starts(host):
    """{unit: (MainPID, ExecMainStartTimestampMonotonic)} of the running OpenStack services."""
    listed = host.check_output("systemctl list-units --type=service --state=running --plain --no-legend")
    units = sorted(line.split()[0] for line in listed.splitlines() if line.startswith(OPENSTACK_UNITS))
    assert units, "no OpenStack service runs:\n" + listed
    shown = host.check_output("systemctl show -p Id,MainPID,ExecMainStartTimestampMonotonic " + " ".join(units))
    starts = {}
    for block in shown.split("\n\n"):
        properties = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        starts[properties["Id"]] = (properties["MainPID"], properties["ExecMainStartTimestampMonotonic"])
    return starts


def assert_not_restarted(host, before, what):
    """No OpenStack service that ran before the fault was (re)started since."""
    after = unit_starts(host)
    changed = {unit: (start, after.get(unit)) for unit, start in before.items() if after.get(unit) != start}
    assert not changed, "%s: services restarted (unit: (MainPID, start) before, after): %s" % (what, changed)


def consumed_queues(host):
    """The names (vhost/queue) of RabbitMQ's queues that some consumer reads
    (none while it does not answer), but for the RPC reply queues of API
    processes, which come back only with their next call."""
    vhosts = host.run("rabbitmqctl list_vhosts -q --formatter json name")
    if vhosts.rc != 0:
        return set()
    consumed = set()
    for vhost in (entry["name"] for entry in json.loads(vhosts.stdout)):
        listed = host.run("rabbitmqctl list_queues -q -p %s --formatter json name consumers", vhost)
        if listed.rc != 0:
            return set()
        consumed |= {vhost + "/" + queue["name"] for queue in json.loads(listed.stdout)
                     if queue["consumers"] and not queue["name"].startswith("reply_")}
    return consumed


def apis_answer(conn):
    """Whether every API answers a request that reads its database."""
    requests = (conn.identity.projects, conn.image.images, conn.compute.flavors, conn.network.networks,
                conn.block_storage.types, conn.orchestration.stacks, conn.placement.resource_providers)
    try:
        for request in requests:
            list(request())
    except (openstack.exceptions.SDKException, keystoneauth1.exceptions.ClientException):
        return False
    return True


@pytest.mark.long
@pytest.mark.disruptive
@pytest.mark.timeout(900)
def test_rabbitmq_restart(conn, host, tenant, guest_image):
    queues = consumed_queues(host)
    assert queues, "no queue of RabbitMQ has a consumer"
    units = unit_starts(host)
    started = time.monotonic()
    host.run_expect([0], "systemctl restart rabbitmq-server")
    back = now()
    broker_in = time.monotonic() - started
    assert wait_for(lambda: queues <= consumed_queues(host), RABBITMQ_RECONNECT_WITHIN, 2), \
        "queues without their consumers %d s after the restart: %s" % (
            RABBITMQ_RECONNECT_WITHIN, sorted(queues - consumed_queues(host)))
    consumed_in = time.monotonic() - started
    first = reported_since(conn, back, RABBITMQ_RECONNECT_WITHIN - consumed_in)
    took = time.monotonic() - started
    print("rabbitmq restart: services reconnected in %.0f s (broker back in %.0f s, its %d queues consumed again "
          "in %.0f s, every service and agent reported alive since the broker was back in %.0f s, the last %s)" % (
              took, broker_in, len(queues), consumed_in, took, "/".join(max(first, key=first.get))))
    assert_not_restarted(host, units, "rabbitmq restart")
    with reached_server(conn, tenant, guest_image, "after-rabbitmq-restart", RABBITMQ_BOOT_WITHIN):
        pass


@pytest.mark.long
@pytest.mark.disruptive
@pytest.mark.timeout(900)
def test_mariadb_killed(conn, host, tenant, guest_image):
    def mariadb():
        shown = host.check_output("systemctl show -p Restart,RestartUSec,NRestarts,MainPID,ActiveState mariadb")
        return dict(line.split("=", 1) for line in shown.splitlines())

    before = mariadb()
    units = unit_starts(host)
    started = time.monotonic()
    # Only its main process (mariadbd is one process): inside a test-cloud
    # container, systemd cannot signal a whole cgroup (EIO), and systemctl then
    # fails although the main process got the signal.
    host.run_expect([0], "systemctl kill --kill-whom=main -s KILL mariadb")

    def restarted():
        state = mariadb()
        return state["ActiveState"] == "active" and state["MainPID"] not in ("0", before["MainPID"])

    restart = wait_for(restarted, MARIADB_RESTART_WITHIN, 1)
    after = mariadb()
    assert restart, "systemd did not start MariaDB again within %d s of a SIGKILL; the unit has Restart=%s: %s" % (
        MARIADB_RESTART_WITHIN, before["Restart"], after)
    # It was systemd, by the unit's own setting.
    assert int(after["NRestarts"]) == int(before["NRestarts"]) + 1, (before, after)
    back = now()
    restarted_in = time.monotonic() - started
    assert wait_for(lambda: apis_answer(conn), MARIADB_RECONNECT_WITHIN, 2), \
        "the APIs did not all answer within %d s of the kill" % MARIADB_RECONNECT_WITHIN
    answered_in = time.monotonic() - started
    first = reported_since(conn, back, MARIADB_RECONNECT_WITHIN - answered_in)
    took = time.monotonic() - started
    print("mariadb SIGKILL: services reconnected in %.0f s (systemd started MariaDB again in %.0f s with "
          "Restart=%s, RestartUSec=%s; every API answered in %.0f s, every service and agent reported alive "
          "since MariaDB was back in %.0f s, the last %s)" % (
              took, restarted_in, before["Restart"], before["RestartUSec"], answered_in, took,
              "/".join(max(first, key=first.get))))
    assert_not_restarted(host, units, "mariadb SIGKILL")
    with reached_server(conn, tenant, guest_image, "after-mariadb-kill", MARIADB_BOOT_WITHIN):
        pass


def restart_host(request, cloud_vars):
    """Restart the cloud's host as a reboot would (the test-cloud tool's
    testcloud_state=restarted), and return when SSH lets in again."""
    rc, output = playbook(request, "testcloud.yml", "-e", "testcloud_name=" + cloud_vars["nimbus_testcloud_name"],
                          "-e", "testcloud_state=restarted", "-e", "testcloud_inventory=%s" % tool_inventory(request),
                          timeout=400)
    assert rc == 0, output[-3000:]


def host_boot(host):
    """When the host booted: systemd's start on it."""
    stamp = host.check_output("systemctl show -p UserspaceTimestamp --value --timestamp=unix")
    return datetime.datetime.fromtimestamp(int(stamp.lstrip("@")), datetime.UTC)


def guest_says(conn, server_id):
    """The guest's own lines in its console log: its address, or why it has none."""
    output = conn.compute.get_server_console_output(server_id)["output"]
    return [line for line in output.splitlines() if "NIMBUS-GUEST" in line or "udhcpc: no lease" in line]


def runs_again(conn, host, tenant, server, booted):
    """None if the server that ran before the host's restart runs again and
    answers SSH on its floating IP within HOST_SERVER_BACK_WITHIN s of the
    host's boot; else what is wrong."""
    def remaining():
        return max(0, HOST_SERVER_BACK_WITHIN - (now() - booted).total_seconds())

    def running():
        found = conn.compute.get_server(server["id"])
        return found if (found.status, found.power_state) == ("ACTIVE", POWER_RUNNING) else None

    found = wait_for(running, remaining(), 5)
    if not found or found.instance_name not in host.check_output("virsh list --name").split():
        found = conn.compute.get_server(server["id"])
        return "the server that ran before does not run again (status %s, power state %s)" % (
            found.status, found.power_state)
    result = login(tenant, server["floating"], remaining())
    if not (result and " %s/" % server["fixed"] in result.stdout):
        return "the server that ran before runs (ACTIVE) but answers no SSH on %s within %d s of the host's boot; " \
               "its guest says: %s" % (server["floating"], HOST_SERVER_BACK_WITHIN, guest_says(conn, server["id"]))
    print("host restart: the server that ran before answers SSH on %s %.0f s after the host's boot" % (
        server["floating"], (now() - booted).total_seconds()))
    return None


@pytest.mark.long
@pytest.mark.disruptive
@pytest.mark.timeout(1800)
def test_host_restart(conn, host, cloud_vars, tenant, guest_image, request):
    # Bounds missed and a server that did not come back are asserted last, so
    # that the checks after them run and report too.
    missed = []
    volume_name = tenant["prefix"] + "-volume"
    with contextlib.ExitStack() as undo:
        undo.callback(run_module, "volume", name=volume_name, state="absent")
        volume = run_module("volume", name=volume_name, size=1, image=guest_image.id)["volume"]
        export = "rbd export volumes/volume-%s - | md5sum" % volume["id"]
        exported = host.check_output(export)
        with reached_server(conn, tenant, guest_image, "before-host-restart", HOST_RESTART_BOOT_WITHIN) as before:
            restart_host(request, cloud_vars)
            booted = host_boot(host)

            # Every Nova, Neutron and Cinder service and agent up, by its first heartbeat since the boot.
            first = reported_since(conn, booted, 600)
            last = max(first, key=first.get)
            up_after = (first[last] - booted).total_seconds()
            print("host restart: every service and agent up %.0f s after the host's boot (the last: %s)" % (
                up_after, "/".join(last)))
            if up_after > HOST_SERVICES_UP_WITHIN:
                missed.append("services and agents up %.0f s after the host's boot, not within %d s: %s" % (
                    up_after, HOST_SERVICES_UP_WITHIN,
                    {"/".join(key): (beat - booted).total_seconds() for key, beat in first.items()}))

            # Nova started again the server that ran before, on its floating IP.
            missed.append(runs_again(conn, host, tenant, before, booted))

        # The volume kept its data, Ceph is healthy, Cinder serves it again: it grows in place.
        assert wait_for(lambda: host.run("ceph health").stdout.strip() == "HEALTH_OK", 240, 5), \
            host.run("ceph health detail").stdout
        assert host.check_output(export) == exported
        assert run_module("volume", name=volume_name, size=2)["volume"]["size"] == 2

        with reached_server(conn, tenant, guest_image, "after-host-restart", HOST_RESTART_BOOT_WITHIN):
            pass
    missed = [problem for problem in missed if problem]
    assert not missed, "host restart:\n" + "\n".join(missed)

"""Day two: a compute host joins the running cloud, takes a server, and leaves.

The test-cloud tool grows the cloud by compute3, which is deployed with the
documented command, site.yml limited to it: no service restarts on the other
hosts, the host is mapped into the cell, and a server boots there. Then
playbooks/compute_remove.yml refuses while that server runs there and changes
nothing; told to migrate, it live-migrates the server (which keeps running and
answering SSH on its floating IP, its uptime unbroken), stops the host's
services and deletes its compute service, resource provider and agents.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cloudtest import ANSIBLE_BIN, REPO, ansible_env, playbook, tool_inventory
from conftest import boot, delete_server, login

# The test-cloud tool's own host list, through the collections path the tests run with.
sys.path.append(str(REPO / ".ansible" / "collections"))
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._model import TOPOLOGIES  # noqa: E402

testinfra_hosts = ["ansible://controller"]

NEW_HOST = "compute3"
# The cloud's services on a host, with when each started: the same before and
# after the new host's deploy means none restarted.
STARTS = ("systemctl list-units --type=service --state=running --no-legend --plain | awk '{print $1}' "
          "| grep -E '^(nova|neutron|glance|cinder|heat|placement|keystone|apache2|mariadb|rabbitmq"
          "|memcached|ceph|libvirtd)' | xargs systemctl show -p Id -p ExecMainStartTimestampMonotonic")


def service_starts(hosts):
    return {name: host.check_output(STARTS) for name, host in hosts.items()}


def nova_services(conn, host):
    return [(s.status, s.state) for s in conn.compute.services(binary="nova-compute") if s.host == host]


@pytest.mark.long
@pytest.mark.disruptive
@pytest.mark.timeout(2400)
def test_compute_host_added_takes_a_server_then_leaves(conn, cloud, tenant, guest_image, request):
    others = {name: host for name, host in cloud["hosts"].items() if name != NEW_HOST}
    before = service_starts(others)
    # Grow the test cloud by one compute host: the tool writes the inventory anew.
    rc, out = playbook(request, "testcloud.yml", "-e", json.dumps({
        "testcloud_state": "present", "testcloud_name": cloud["vars"]["nimbus_testcloud_name"],
        "testcloud_inventory": str(tool_inventory(request)),
        "testcloud_hosts": TOPOLOGIES["multinode"] + [{"name": NEW_HOST, "groups": ["compute"]}]}), timeout=600)
    assert rc == 0, out[-4000:]

    # The documented command: site.yml limited to the new host.
    rc, out = playbook(request, "site.yml", "--limit", NEW_HOST)
    assert rc == 0, out[-6000:]
    assert service_starts(others) == before, "a service restarted on another host"
    assert nova_services(conn, NEW_HOST) == [("enabled", "up")]
    mapped = cloud["hosts"]["controller"].check_output("runuser -u nova -- nova-manage cell_v2 list_hosts")
    assert " %s " % NEW_HOST in mapped
    agents = [(a.binary, a.is_alive) for a in conn.network.agents(host=NEW_HOST)]
    assert agents == [("neutron-linuxbridge-agent", True)]

    name = "%s-%s" % (tenant["prefix"], NEW_HOST)
    try:
        server = boot(tenant, name, NEW_HOST, guest_image)
        assert conn.compute.get_server(server["id"]).compute_host == NEW_HOST
        uptime = float(login(tenant, server, cloud["bridge"], "cut -d' ' -f1 /proc/uptime").stdout)

        # Refused while the server runs there, and nothing changed.
        rc, out = playbook(request, "compute_remove.yml", "-e", "compute_remove=" + NEW_HOST)
        assert rc != 0 and "migrate=true" in out and server["id"] in out, out[-4000:]
        assert nova_services(conn, NEW_HOST) == [("enabled", "up")]
        assert conn.compute.get_server(server["id"]).compute_host == NEW_HOST

        # Told to migrate: the server moves live and keeps answering.
        rc, out = playbook(request, "compute_remove.yml", "-e", "compute_remove=" + NEW_HOST,
                           "-e", "compute_remove_migrate=true")
        assert rc == 0, out[-6000:]
        moved = conn.compute.get_server(server["id"])
        assert (moved.status, moved.compute_host in cloud["computes"]) == ("ACTIVE", True), moved.compute_host
        later = float(login(tenant, server, cloud["bridge"], "cut -d' ' -f1 /proc/uptime").stdout)
        assert later > uptime, "the guest rebooted (uptime %s, then %s): not a live migration" % (uptime, later)

        # The host is out of the cloud.
        assert nova_services(conn, NEW_HOST) == []
        assert not [p.name for p in conn.placement.resource_providers() if p.name.split(".")[0] == NEW_HOST]
        assert not list(conn.network.agents(host=NEW_HOST))
        # Asked through a new ansible run: testinfra keeps the inventory it read
        # before the host existed.
        units = "nova-compute neutron-linuxbridge-agent"
        done = subprocess.run(
            [str(ANSIBLE_BIN / "ansible"), NEW_HOST, "-i", request.config.getoption("ansible_inventory"),
             "-m", "ansible.builtin.shell", "-a", "systemctl is-active %s; systemctl is-enabled %s; true" % (units, units)],
            capture_output=True, text=True, env=ansible_env(), timeout=120, check=False)
        assert done.stdout.split()[-4:] == ["inactive", "inactive", "disabled", "disabled"], done.stdout + done.stderr
        assert NEW_HOST not in cloud["hosts"]["controller"].file("/var/lib/nova/nimbus-mapped-hosts").content_string
    finally:
        delete_server(name)

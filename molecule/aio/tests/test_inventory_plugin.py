"""The nimbus.openstack.servers inventory plugin against the test cloud.

Two servers with different metadata boot on a tenant network of their own
(through the collection's server module); ansible-inventory then lists them
from an inventory file of the plugin, with their fixed addresses as
ansible_host (they have no floating IP), in the groups the plugin makes by
itself (project, flavor, metadata) and in those its keyed_groups, groups and
compose options make. The servers are deleted afterwards, also when a test
fails. Other servers of the shared cloud may be listed too: the assertions
are about this test's servers only.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess

import openstack
import pytest
import yaml
from cloudtest import ANSIBLE_BIN, API_TIMEOUT, CLOUD, FLAVOR, REPO, ansible_env, run_module, tenant_network

TENANT_CIDR = "10.214.9.0/24"
# Seconds one ansible-inventory run may take (each request has API_TIMEOUT).
INVENTORY_TIMEOUT = 180
# Seconds the server module waits for ACTIVE, and for a deletion (below run_module's limit).
SERVER_TIMEOUT = 480


def plain(value):
    """ansible-inventory's JSON without its {"__ansible_unsafe": ...} wrapping of
    the values that came from the cloud."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def list_inventory(directory, config):
    """Run `ansible-inventory --list` on an inventory file of the plugin holding
    `config`; return the finished process and its output as a dict (None when
    it failed). Every source must parse, so a plugin error fails the command."""
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "nimbus_servers.yml"
    source.write_text(yaml.safe_dump(dict({"plugin": "nimbus.openstack.servers"}, **config)))
    env = dict(ansible_env(), ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(REPO / ".ansible" / "collections"))
    command = [str(ANSIBLE_BIN / "ansible-inventory"), "-i", str(source), "--list"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=INVENTORY_TIMEOUT, env=env, check=False)
    return done, plain(json.loads(done.stdout)) if done.returncode == 0 else None


def hosts_of(inventory, group):
    return set(inventory.get(group, {}).get("hosts", []))


def fixed_address(server):
    """The server's address on its one port, as Neutron has it."""
    [port] = server["ports"]
    return port["fixed_ips"][0]["ip_address"]


@pytest.mark.timeout(4 * SERVER_TIMEOUT + 3 * INVENTORY_TIMEOUT)
def test_servers_listed_with_addresses_and_groups(conn, guest_image, tmp_path):
    with tenant_network(conn, TENANT_CIDR) as made:
        prefix = made["prefix"].replace("verify-", "inv-")
        network = made["network"].name
        names = {role: "%s-%s" % (prefix, role) for role in ("web", "db")}
        servers, cleanup_errors = {}, []
        try:
            for role, name in names.items():
                servers[role] = run_module(
                    "server", name=name, image=guest_image.id, flavor=FLAVOR, networks=[{"network": network}],
                    metadata={"role": role, "suite": prefix}, tags=[prefix], timeout=SERVER_TIMEOUT)["server"]

            config = {
                "cloud": CLOUD,
                "api_timeout": API_TIMEOUT,
                "keyed_groups": [{"key": "openstack.metadata.role", "prefix": "role"}],
                "groups": {"suite_web": "'%s' in openstack.tags and openstack.metadata.role == 'web'" % prefix},
                "compose": {"nimbus_label": "openstack.metadata.role ~ '@' ~ openstack.availability_zone"},
            }
            done, inventory = list_inventory(tmp_path / "default", config)
            assert inventory is not None, "ansible-inventory failed:\n%s\n%s" % (done.stdout, done.stderr)
            hostvars = inventory["_meta"]["hostvars"]
            project = conn.identity.get_project(conn.current_project_id).name
            suite = prefix.replace("-", "_")  # what the group sanitizer makes of it

            for role, name in names.items():
                assert name in hostvars, "%s not listed; hosts: %s" % (name, sorted(hostvars))
                variables, server = hostvars[name], servers[role]
                address = fixed_address(server)
                assert ipaddress.ip_address(address) in ipaddress.ip_network(TENANT_CIDR)
                assert variables["ansible_host"] == address
                record = variables["openstack"]
                assert {key: record[key] for key in ("id", "name", "status", "metadata", "tags", "image_id",
                                                     "project_id", "project_name", "key_name")} == {
                    "id": server["id"], "name": name, "status": "ACTIVE", "metadata": {"role": role, "suite": prefix},
                    "tags": [prefix], "image_id": guest_image.id, "project_id": conn.current_project_id,
                    "project_name": project, "key_name": None}
                assert record["flavor"]["original_name"] == FLAVOR
                assert [entry["addr"] for entry in record["addresses"][network]] == [address]
                assert record["availability_zone"]
                # compose
                assert variables["nimbus_label"] == "%s@%s" % (role, record["availability_zone"])

            mine = set(names.values())
            # The groups the plugin makes by itself, names sanitized ("." and "-" become "_").
            assert mine <= hosts_of(inventory, "project_" + project)
            assert mine <= hosts_of(inventory, "flavor_" + FLAVOR.replace(".", "_"))
            assert hosts_of(inventory, "meta_suite_" + suite) == mine
            assert names["web"] in hosts_of(inventory, "meta_role_web")
            assert names["db"] in hosts_of(inventory, "meta_role_db")
            assert not mine & hosts_of(inventory, "meta_role_web") & hosts_of(inventory, "meta_role_db")
            # keyed_groups on the metadata, and groups from a condition.
            assert names["web"] in hosts_of(inventory, "role_web") and names["web"] not in hosts_of(inventory, "role_db")
            assert names["db"] in hosts_of(inventory, "role_db") and names["db"] not in hosts_of(inventory, "role_web")
            assert hosts_of(inventory, "suite_web") == {names["web"]}

            # address: a network's name gives the fixed address on it; a network
            # the servers are not on gives no ansible_host.
            done, on_network = list_inventory(tmp_path / "network", dict(config, address=network))
            assert on_network is not None, "ansible-inventory failed:\n%s\n%s" % (done.stdout, done.stderr)
            done, elsewhere = list_inventory(tmp_path / "elsewhere", dict(config, address=prefix + "-nowhere"))
            assert elsewhere is not None, "ansible-inventory failed:\n%s\n%s" % (done.stdout, done.stderr)
            for role, name in names.items():
                assert on_network["_meta"]["hostvars"][name]["ansible_host"] == fixed_address(servers[role])
                assert "ansible_host" not in elsewhere["_meta"]["hostvars"][name]
        finally:
            # The servers go before tenant_network deletes their network.
            for name in names.values():
                try:
                    run_module("server", name=name, state="absent", timeout=SERVER_TIMEOUT)
                except (AssertionError, subprocess.TimeoutExpired) as exc:
                    cleanup_errors.append(str(exc))
    assert not cleanup_errors, "servers not deleted: %s" % cleanup_errors


def test_unknown_cloud_fails_naming_it(tmp_path):
    done, inventory = list_inventory(tmp_path, {"cloud": "no-such-cloud-nimbus", "api_timeout": API_TIMEOUT})
    assert inventory is None
    assert "cannot connect to cloud 'no-such-cloud-nimbus'" in done.stderr, done.stderr


def test_bad_credentials_fail_naming_the_cloud(tmp_path):
    auth = dict(openstack.config.OpenStackConfig().get_one(cloud=CLOUD).config["auth"], password="not-the-password")
    done, inventory = list_inventory(tmp_path, {"cloud": {"auth": auth}, "api_timeout": API_TIMEOUT})
    assert inventory is None
    assert "cannot connect to the cloud given as a dictionary (auth_url %s)" % auth["auth_url"] in done.stderr, done.stderr
    assert "Unauthorized" in done.stderr, done.stderr
    assert "not-the-password" not in done.stderr

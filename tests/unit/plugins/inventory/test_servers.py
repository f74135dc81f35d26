"""The servers inventory plugin's pure parts: records, addresses, host names, groups."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.inventory import servers as s

FLAVOR = {"original_name": "m1.small", "name": "m1.small", "id": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20,
          "ephemeral": 0, "swap": 0, "extra_specs": {"hw:cpu_policy": "shared"}, "description": None, "location": None}


def fixed(addr, version=4):
    return {"addr": addr, "version": version, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01"}


def floating(addr, version=4):
    return {"addr": addr, "version": version, "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01"}


def server(name="web1", id="5b2f4a9e-55a1-4d5e-9f66-8b3d1c3f6d0a", created_at="2024-05-01T10:00:00Z", **fields):
    """A server as openstacksdk's to_dict() gives it (the fields the plugin reads, and some it drops)."""
    return dict({
        "id": id, "name": name, "status": "ACTIVE", "flavor": FLAVOR,
        "image": {"id": "acbc39dc-416c-4214-be28-5d426f12e6a0", "name": None, "properties": {"links": []}},
        "metadata": {"role": "web"}, "tags": ["production"],
        "addresses": {"tenant": [fixed("10.0.0.5"), floating("203.0.113.7")]},
        "project_id": "p1", "availability_zone": "nova", "key_name": "deployer", "created_at": created_at,
        "admin_password": None, "power_state": 1, "location": None,
    }, **fields)


def test_server_record():
    record = s.server_record(server(), "demo")
    assert record == {
        "id": "5b2f4a9e-55a1-4d5e-9f66-8b3d1c3f6d0a", "name": "web1", "status": "ACTIVE",
        "flavor": {"original_name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20, "ephemeral": 0, "swap": 0,
                   "extra_specs": {"hw:cpu_policy": "shared"}},
        "image_id": "acbc39dc-416c-4214-be28-5d426f12e6a0",
        "metadata": {"role": "web"}, "tags": ["production"],
        "addresses": {"tenant": [fixed("10.0.0.5"), floating("203.0.113.7")]},
        "project_id": "p1", "project_name": "demo", "availability_zone": "nova", "key_name": "deployer",
        "created_at": "2024-05-01T10:00:00Z",
    }


def test_server_record_copies():
    raw = server()
    record = s.server_record(raw)
    record["metadata"]["x"] = "y"
    record["addresses"]["tenant"].append(fixed("10.0.0.9"))
    record["flavor"]["extra_specs"]["k"] = "v"
    assert raw == server()


@pytest.mark.parametrize(("fields", "expected"), [
    # Booted from a volume: Nova says "" (the SDK may give None or an empty image).
    ({"image": ""}, {"image_id": None}),
    ({"image": None}, {"image_id": None}),
    ({"image": {"id": None}}, {"image_id": None}),
    # Nothing set: empty, never None, so that templates can iterate.
    ({"metadata": None, "tags": None, "addresses": None}, {"metadata": {}, "tags": [], "addresses": {}}),
    # Before microversion 2.47 the flavor is only an id.
    ({"flavor": {"id": "42", "links": []}}, {"flavor": {"id": "42"}}),
    ({"flavor": None}, {"flavor": {}}),
])
def test_server_record_missing_parts(fields, expected):
    record = s.server_record(server(**fields))
    assert {key: record[key] for key in expected} == expected


@pytest.mark.parametrize(("addresses", "address", "expected"), [
    # floating (the default): the floating IP first, else the fixed address.
    ({"tenant": [fixed("10.0.0.5"), floating("203.0.113.7")]}, "floating", "203.0.113.7"),
    ({"tenant": [fixed("10.0.0.5")], "other": [fixed("10.1.0.5")]}, "floating", "10.0.0.5"),
    ({"a": [fixed("10.0.0.5")], "b": [fixed("10.1.0.5"), floating("203.0.113.8")]}, "floating", "203.0.113.8"),
    # fixed: never the floating IP.
    ({"tenant": [floating("203.0.113.7"), fixed("10.0.0.5")]}, "fixed", "10.0.0.5"),
    ({"tenant": [floating("203.0.113.7")]}, "fixed", None),
    # A network's name: the fixed address on it, not on another network.
    ({"tenant": [fixed("10.0.0.5"), floating("203.0.113.7")], "mgmt": [fixed("10.9.0.5")]}, "mgmt", "10.9.0.5"),
    ({"tenant": [fixed("10.0.0.5"), floating("203.0.113.7")]}, "tenant", "10.0.0.5"),
    ({"tenant": [fixed("10.0.0.5")]}, "nowhere", None),
    # IPv4 before IPv6, whatever Nova's order; Nova's order among the same version.
    ({"tenant": [fixed("fd00::5", 6), fixed("10.0.0.5")]}, "fixed", "10.0.0.5"),
    ({"v6": [fixed("fd00::5", 6)], "v4": [fixed("10.0.0.5"), fixed("10.0.0.6")]}, "floating", "10.0.0.5"),
    ({"v6": [fixed("fd00::5", 6)]}, "floating", "fd00::5"),
    # An entry without a type counts as fixed.
    ({"tenant": [{"addr": "10.0.0.5", "version": 4}]}, "fixed", "10.0.0.5"),
    ({}, "floating", None),
    (None, "floating", None),
    ({"tenant": []}, "floating", None),
])
def test_choose_address(addresses, address, expected):
    assert s.choose_address(addresses, address) == expected


def test_host_names_unique_and_duplicates():
    first = server(id="aaaaaaaa-1111-0000-0000-000000000000", created_at="2024-05-01T10:00:00Z")
    second = server(id="bbbbbbbb-2222-0000-0000-000000000000", created_at="2024-05-02T10:00:00Z")
    third = server(id="cccccccc-3333-0000-0000-000000000000", created_at="2024-05-03T10:00:00Z")
    other = server(name="db1", id="dddddddd-4444-0000-0000-000000000000")
    # Whatever order the cloud lists them in, the first created keeps the name.
    named = s.host_names([third, other, second, first])
    assert [(name, srv["id"]) for name, srv in named] == [
        ("web1", first["id"]), ("db1", other["id"]),
        ("web1-bbbbbbbb", second["id"]), ("web1-cccccccc", third["id"]),
    ]


def test_host_names_same_created_at_ordered_by_id():
    one = server(id="bbbbbbbb-0000-0000-0000-000000000000")
    two = server(id="aaaaaaaa-0000-0000-0000-000000000000")
    assert [pair[0] for pair in s.host_names([one, two])] == ["web1", "web1-bbbbbbbb"]


def test_host_names_suffixed_name_taken():
    # A server really named like the suffixed name of another: the later one falls back to its id.
    real = server(name="web1-bbbbbbbb", id="eeeeeeee-0000-0000-0000-000000000000", created_at="2024-05-01T09:00:00Z")
    first = server(id="aaaaaaaa-0000-0000-0000-000000000000", created_at="2024-05-01T10:00:00Z")
    second = server(id="bbbbbbbb-0000-0000-0000-000000000000", created_at="2024-05-02T10:00:00Z")
    names = [pair[0] for pair in s.host_names([second, first, real])]
    assert names == ["web1-bbbbbbbb", "web1", "bbbbbbbb-0000-0000-0000-000000000000"]
    assert len(set(names)) == 3


@pytest.mark.parametrize(("only_active", "expected"), [(True, ["a"]), (False, ["a", "b", "c"])])
def test_select_servers(only_active, expected):
    servers = [server(name="a"), server(name="b", status="SHUTOFF"), server(name="c", status="ERROR")]
    assert [srv["name"] for srv in s.select_servers(servers, only_active)] == expected


@pytest.mark.parametrize(("record", "expected"), [
    ({"project_id": "p1", "project_name": "demo", "flavor": {"original_name": "m1.small"},
      "metadata": {"role": "web", "env": "prod"}},
     ["project_demo", "flavor_m1.small", "meta_env_prod", "meta_role_web"]),
    # A project whose name could not be read goes by its id; an old flavor by its id.
    ({"project_id": "p1", "project_name": None, "flavor": {"id": "42"}, "metadata": {}},
     ["project_p1", "flavor_42"]),
    ({"project_id": "p1", "flavor": {}, "metadata": None}, ["project_p1"]),
])
def test_default_groups(record, expected):
    assert s.default_groups(record) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("flavor_m1.small", "flavor_m1_small"),
    ("meta_role_web-front end", "meta_role_web_front_end"),
    ("project_demo", "project_demo"),
])
def test_group_names_sanitized(raw, expected):
    # The plugin passes default_groups() through Ansible's sanitizer, as constructed groups are.
    assert s.InventoryModule._sanitize_group_name(raw) == expected


@pytest.mark.parametrize(("cloud", "expected"), [
    ("mycloud", "cloud 'mycloud'"),
    ({"auth": {"auth_url": "https://keystone.example:5000/v3"}}, "the cloud given as a dictionary (auth_url https://keystone.example:5000/v3)"),
    ({"region_name": "r1"}, "the cloud given as a dictionary"),
    (None, "the cloud of the OS_CLOUD or OS_* environment variables"),
])
def test_cloud_label(cloud, expected):
    assert s.cloud_label(cloud) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("nimbus_servers.yml", True), ("nimbus_servers.yaml", True), ("servers.yml", True),
    ("openstack.yml", False), ("nimbus_servers.yml.bak", False), ("hosts.ini", False),
])
def test_verify_file(tmp_path, path, expected):
    source = tmp_path / path
    source.write_text("plugin: nimbus.openstack.servers\n")
    assert s.InventoryModule().verify_file(str(source)) is expected


def test_verify_file_missing(tmp_path):
    assert s.InventoryModule().verify_file(str(tmp_path / "nimbus_servers.yml")) is False

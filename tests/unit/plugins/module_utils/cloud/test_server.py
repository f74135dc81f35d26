"""The server module's pure parts: network entries, port matching, user data, faults."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _server as s


@pytest.mark.parametrize(("entries", "expected"), [
    ([{"network": "n"}, {"port": "p"}, {"network": "n", "fixed_ip": "10.0.0.5"}], []),
    ([{}], ["networks[0] needs either network or port (not both)"]),
    ([{"network": "n", "port": "p"}], ["networks[0] needs either network or port (not both)"]),
    ([{"port": "p", "fixed_ip": "10.0.0.5"}], ["networks[0]: fixed_ip goes with network; a port has its own addresses"]),
    ([{"network": "n"}, {"network": "n", "fixed_ip": "10.0.0"}], ["networks[1]: fixed_ip '10.0.0' is no IP address"]),
])
def test_check_network_entries(entries, expected):
    assert s.check_network_entries(entries) == expected


def test_nova_networks():
    wanted = [{"network_id": "n1", "fixed_ip": None}, {"port_id": "p1"}, {"network_id": "n2", "fixed_ip": "10.0.0.5"}]
    assert s.nova_networks(wanted) == [{"uuid": "n1"}, {"port": "p1"}, {"uuid": "n2", "fixed_ip": "10.0.0.5"}]


PORTS = [
    {"id": "p1", "network_id": "n1", "fixed_ips": [{"ip_address": "10.0.0.5"}]},
    {"id": "p2", "network_id": "n1", "fixed_ips": [{"ip_address": "10.0.0.6"}]},
    {"id": "p3", "network_id": "n2", "fixed_ips": [{"ip_address": "fd00::5"}]},
]


@pytest.mark.parametrize(("wanted", "expected"), [
    ([{"network_id": "n1"}, {"network_id": "n1"}, {"network_id": "n2"}], True),
    # An entry with an address claims its port before an entry without one takes it.
    ([{"network_id": "n1"}, {"network_id": "n1", "fixed_ip": "10.0.0.5"}, {"port_id": "p3"}], True),
    ([{"network_id": "n2", "fixed_ip": "FD00::5"}, {"network_id": "n1"}, {"network_id": "n1"}], True),
    # One port too many, one too few, another address.
    ([{"network_id": "n1"}, {"network_id": "n2"}], False),
    ([{"network_id": "n1"}, {"network_id": "n1"}, {"network_id": "n2"}, {"network_id": "n2"}], False),
    ([{"network_id": "n1", "fixed_ip": "10.0.0.7"}, {"network_id": "n1"}, {"network_id": "n2"}], False),
])
def test_networks_match(wanted, expected):
    assert s.networks_match(wanted, PORTS) is expected


def test_user_data_round_trip():
    text = "#cloud-config\nruncmd: [echo é]\n"
    assert s.decode_user_data(s.encode_user_data(text)) == text
    assert s.decode_user_data(None) is None
    assert s.decode_user_data("not base64!") is None


@pytest.mark.parametrize(("value", "expected"), [("True", True), ("", False), (True, True), (None, False)])
def test_has_config_drive(value, expected):
    assert s.has_config_drive(value) is expected


def test_fault_of():
    fault = {"message": "No valid host was found. ", "details": "Traceback...\n  nova.exception.NoValidHost: x\n"}
    assert s.fault_of({"fault": fault}) == "No valid host was found. (nova.exception.NoValidHost: x)"
    # The exception line that only repeats the message is left out.
    fault = {"message": "No valid host was found. ",
             "details": "Traceback...\n  nova.exception.NoValidHost: No valid host was found.\n"}
    assert s.fault_of({"fault": fault}) == "No valid host was found."
    assert s.fault_of({"fault": {"message": "Boom"}}) == "Boom"
    assert s.fault_of({}) is None


def test_fixed_mismatches_compare_only_what_the_task_sets():
    have = {"image": "i1", "flavor": "small", "key_name": "k"}
    assert s.fixed_mismatches({"image": "i1", "flavor": None}, have) == []
    assert s.fixed_mismatches({"flavor": "big", "key_name": "k"}, have) == [("flavor", "small", "big")]


def test_boot_volume_mapping():
    assert s.boot_volume_mapping("i1", 2, None) == [{
        "boot_index": 0, "uuid": "i1", "source_type": "image", "destination_type": "volume",
        "volume_size": 2, "delete_on_termination": False}]
    assert s.boot_volume_mapping("i1", 2, True)[0]["delete_on_termination"] is True


ATTACHMENTS = [{"device": "/dev/vdb", "volume_id": "data"}, {"device": "/dev/vda", "volume_id": "root"}]


@pytest.mark.parametrize(("attachments", "root_device_name", "expected"), [
    (ATTACHMENTS, None, "root"),
    (ATTACHMENTS, "/dev/vdb", "data"),
    (ATTACHMENTS, "/dev/sda", None),
    ([{"volume_id": "nameless"}, {"device": "/dev/vdc", "volume_id": "other"}], None, "other"),
    ([], None, None),
])
def test_root_attachment(attachments, root_device_name, expected):
    root = s.root_attachment(attachments, root_device_name)
    assert (root or {}).get("volume_id") == expected

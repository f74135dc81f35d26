"""The port's pure parts: planning its fixed IPs; and the resource's
declarations against openstacksdk and the module."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _port as p


def ip(subnet=None, address=None):
    return p.fixed_ip_entry(subnet, address)


HAVE = [{"subnet_id": "s1", "ip_address": "10.1.0.5"}, {"subnet_id": "s2", "ip_address": "10.2.0.5"}]


@pytest.mark.parametrize(("want", "have", "expected"), [
    # Already so.
    ([ip("s1"), ip("s2")], HAVE, None),
    ([ip("s2", "10.2.0.5"), ip("s1")], HAVE, None),
    ([ip(address="10.1.0.5"), ip("s2")], HAVE, None),
    ([], [], None),
    # The whole list: an address the task does not list goes, the others keep theirs.
    ([ip("s1")], HAVE, [{"subnet_id": "s1", "ip_address": "10.1.0.5"}]),
    ([], HAVE, []),
    # Another address on a subnet: sent as asked.
    ([ip("s1", "10.1.0.9"), ip("s2")], HAVE,
     [{"subnet_id": "s1", "ip_address": "10.1.0.9"}, {"subnet_id": "s2", "ip_address": "10.2.0.5"}]),
    # A second address on a subnet: Neutron picks it.
    ([ip("s1"), ip("s1"), ip("s2")], HAVE,
     [{"subnet_id": "s1", "ip_address": "10.1.0.5"}, {"subnet_id": "s1"}, {"subnet_id": "s2", "ip_address": "10.2.0.5"}]),
    # The specific entry gets its address even when listed after an "any" entry.
    ([ip("s1"), ip("s1", "10.1.0.5")], [{"subnet_id": "s1", "ip_address": "10.1.0.5"}],
     [{"subnet_id": "s1"}, {"subnet_id": "s1", "ip_address": "10.1.0.5"}]),
    ([ip("s3")], None, [{"subnet_id": "s3"}]),
])
def test_plan_fixed_ips(want, have, expected):
    assert p.plan_fixed_ips(want, have) == expected


def test_fixed_ip_entry_keeps_only_what_is_set_in_canonical_form():
    assert ip("s1", "FD00::0:5") == {"subnet_id": "s1", "ip_address": "fd00::5"}
    assert ip(address="10.0.0.1") == {"ip_address": "10.0.0.1"}
    assert ip("s1") == {"subnet_id": "s1"}

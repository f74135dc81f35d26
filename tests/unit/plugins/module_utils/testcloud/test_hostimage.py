"""The host image's name: what it is made from, and nothing else."""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._hostimage import host_image_id

BASE = "/var/cache/nimbus/images/bookworm-9c69984ff7fe/rootfs"
SOURCES = [{"uris": ["http://deb.example/debian"], "suites": ["bookworm"], "components": ["main"], "signed_by": None}]


def test_same_packages_in_any_order_are_the_same_image():
    assert host_image_id(BASE, ["keystone", "memcached", "keystone"], SOURCES) == \
        host_image_id(BASE, ["memcached", "keystone"], SOURCES)


def test_a_change_of_packages_sources_or_base_is_a_new_image():
    first = host_image_id(BASE, ["keystone"], SOURCES)
    assert host_image_id(BASE, ["keystone", "glance-api"], SOURCES) != first
    assert host_image_id(BASE, ["keystone"], [dict(SOURCES[0], suites=["bookworm", "bookworm-updates"])]) != first
    assert host_image_id(BASE.replace("9c69984ff7fe", "0123456789ab"), ["keystone"], SOURCES) != first

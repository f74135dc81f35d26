"""Reading the machine's apt sources, and what test-cloud hosts get from them."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _apt as apt

DEB822 = """Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://mirror.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main contrib
Enabled: yes
"""

ONE_LINE = """# comment
deb http://one.example/debian bookworm main non-free-firmware
deb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm-updates main
deb-src http://one.example/debian bookworm main
deb http://ppa.example/ubuntu jammy main
"""


def test_deb822_entries():
    entries = apt.parse_sources({"/etc/apt/sources.list.d/debian.sources": DEB822})
    assert entries == [
        {"uris": ["http://mirror.example/debian"], "suites": ["bookworm", "bookworm-updates"],
         "components": ["main"], "signed_by": "/usr/share/keyrings/debian-archive-keyring.gpg"},
        {"uris": ["http://mirror.example/debian-security"], "suites": ["bookworm-security"],
         "components": ["main", "contrib"], "signed_by": None},
    ]


def test_one_line_entries_with_options():
    entries = apt.parse_sources({"/etc/apt/sources.list": ONE_LINE})
    assert [e["suites"] for e in entries] == [["bookworm"], ["bookworm-updates"], ["jammy"]]
    assert entries[1] == {"uris": ["http://one.example/debian"], "suites": ["bookworm-updates"],
                          "components": ["main"], "signed_by": "/k.gpg"}


def test_disabled_stanza_is_ignored():
    text = "Types: deb\nURIs: http://x/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n"
    assert apt.parse_sources({"a.sources": text}) == []


def test_hosts_get_the_machines_bookworm_sources_only():
    entries = apt.parse_sources({"a.list": ONE_LINE})
    sources = apt.host_sources(entries)
    assert [e["uris"][0] for e in sources] == ["http://one.example/debian"] * 2
    assert apt.archive_uri(sources) == "http://one.example/debian"


def test_a_machine_without_a_bookworm_archive_is_refused():
    entries = apt.parse_sources({"a.list": "deb http://ppa.example/ubuntu jammy main\n"})
    with pytest.raises(ValueError, match="set testcloud_mirror"):
        apt.host_sources(entries)


def test_mirror_overrides_the_machine():
    sources = apt.host_sources([], mirror="http://local.example/debian")
    assert apt.archive_uri(sources) == "http://local.example/debian"
    assert sources[0]["suites"] == ["bookworm", "bookworm-updates"]


def test_render_round_trips():
    entries = apt.parse_sources({"x.sources": DEB822})
    assert apt.parse_sources({"y.sources": apt.render_deb822(entries)}) == entries


def test_cache_config_binds_only_given_addresses():
    conf = apt.cache_config({"172.29.236.65", "172.29.236.1"})
    assert "BindAddress: 172.29.236.1 172.29.236.65\n" in conf
    assert "Remap-" not in conf

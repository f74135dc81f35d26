"""What the packages module finds missing, and the apt commands it runs for it."""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.host._packages import (
    check_names,
    install_command,
    is_installed,
    is_stale,
    lists_mtime,
    missing,
    parse_candidates,
    parse_status,
    uninstallable,
    update_command,
)

# dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\n' lists by name, not in argument order.
DPKG_QUERY = "curl\tii \nkeystone\tiU \nlibc6\tii \nlibc6\tun \nnova-api\trc \npython3\thi \n"
POLICY = """\
curl:
  Installed: 7.88.1-10+deb12u15
  Candidate: 7.88.1-10+deb12u15
  Version table:
 *** 7.88.1-10+deb12u15 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
tree:
  Installed: (none)
  Candidate: 2.1.0-1
  Version table:
     2.1.0-1 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
mail-transport-agent:
  Installed: (none)
  Candidate: (none)
  Version table:
"""


def test_check_names_keeps_order_and_drops_repeats():
    assert check_names(["python3", "g++", "libstdc++6", "python3", "lvm2", "0ad"]) == \
        ["python3", "g++", "libstdc++6", "lvm2", "0ad"]


@pytest.mark.parametrize("name", ["Keystone", "x", "-foo", "curl=7.88", "libc6:amd64", "two words", ".hidden", ""])
def test_check_names_refuses_what_is_not_a_package_name(name):
    with pytest.raises(ValueError, match=r"^names: not Debian package names .*: %s$" % re.escape(repr(name))):
        check_names(["curl", name])


@pytest.mark.parametrize(("abbrev", "expected"), [
    ("ii ", True),
    ("hi ", True),   # held
    ("ri ", True),   # selected for removal, still installed
    ("iU ", False),  # unpacked, not configured
    ("iF ", False),  # half-configured
    ("iH ", False),  # half-installed
    ("it ", False),  # triggers pending
    ("rc ", False),  # removed, configuration files left
    ("un ", False),
    ("iiR", False),  # reinstall required
    ("", False),     # unknown to dpkg
])
def test_is_installed(abbrev, expected):
    assert is_installed(abbrev) is expected


def test_parse_status_keeps_an_installed_architecture():
    assert parse_status(DPKG_QUERY) == {"curl": "ii ", "keystone": "iU ", "libc6": "ii ",
                                        "nova-api": "rc ", "python3": "hi "}
    assert parse_status("libc6\tun \nlibc6\tii \n") == {"libc6": "ii "}


def test_missing_in_the_order_asked():
    names = ["python3", "tree", "nova-api", "curl", "keystone", "libc6"]
    assert missing(names, parse_status(DPKG_QUERY)) == ["tree", "nova-api", "keystone"]
    assert missing(["curl"], parse_status(DPKG_QUERY)) == []


def test_parse_candidates():
    assert parse_candidates(POLICY) == {"curl": "7.88.1-10+deb12u15", "tree": "2.1.0-1", "mail-transport-agent": None}


def test_uninstallable_are_unknown_and_virtual_packages():
    assert uninstallable(["tree", "nosuchpkg", "mail-transport-agent"], parse_candidates(POLICY)) == \
        ["nosuchpkg", "mail-transport-agent"]


@pytest.mark.parametrize(("updated", "now", "valid", "expected"), [
    (1000.0, 4599.0, 3600, False),
    (1000.0, 4601.0, 3600, True),
    (0, 4601.0, 3600, True),        # no stamp and no lists: never updated
    (1000.0, 1000.5, 0, True),      # 0: update before every install
])
def test_is_stale(updated, now, valid, expected):
    assert is_stale(updated, now, valid) is expected


def test_lists_mtime_prefers_the_update_stamp(tmp_path):
    stamp, lists = tmp_path / "update-success-stamp", tmp_path / "lists"
    lists.mkdir()
    os.utime(lists, (2000, 2000))
    assert lists_mtime(str(stamp), str(lists)) == 2000
    stamp.touch()
    os.utime(stamp, (3000, 3000))
    assert lists_mtime(str(stamp), str(lists)) == 3000
    assert lists_mtime(str(tmp_path / "no-stamp"), str(tmp_path / "no-lists")) == 0


def test_install_command():
    command = install_command("/usr/bin/apt-get", ["tree", "keystone"], install_recommends=False)
    assert command[:4] == ["/usr/bin/apt-get", "install", "-y", "-q"]
    assert "Dpkg::Options::=--force-confdef" in command and "Dpkg::Options::=--force-confold" in command
    assert command[-4:] == ["--no-install-recommends", "--", "tree", "keystone"]
    with_recommends = install_command("/usr/bin/apt-get", ["tree"], install_recommends=True)
    assert "--no-install-recommends" not in with_recommends and with_recommends[-2:] == ["--", "tree"]


def test_update_command_leaves_the_stamp_it_judges_by():
    command = update_command("/usr/bin/apt-get")
    assert command[:2] == ["/usr/bin/apt-get", "update"]
    assert "APT::Update::Post-Invoke-Success::=touch /var/lib/apt/periodic/update-success-stamp 2>/dev/null || true" in command

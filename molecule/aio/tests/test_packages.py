"""The packages module on the aio host, for real: apt refuses to install while
dpkg's journal holds a run that did not finish; the module finishes it first."""

from __future__ import annotations

# Small, in Debian's main archive, and needed by nothing the cloud runs.
PACKAGE = "hello"
JOURNAL = "/var/lib/dpkg/updates/0000"


def test_installs_after_dpkg_was_interrupted(host):
    assert not host.package(PACKAGE).is_installed
    try:
        # What a dpkg killed mid-run leaves: a status record in its journal, not yet
        # merged into its database (here dpkg's own record, as it stands).
        host.check_output("dpkg-query --status dpkg > %s", JOURNAL)
        refused = host.run("apt-get install -y -q --no-install-recommends %s", PACKAGE)
        assert refused.rc != 0 and "dpkg was interrupted" in refused.stderr, refused.stderr

        result = host.ansible("nimbus.openstack.packages", "names=%s" % PACKAGE, check=False)
        assert result["changed"] and result["dpkg_recovered"] and result["installed"] == [PACKAGE], result
        assert host.package(PACKAGE).is_installed
        assert host.check_output("ls -A /var/lib/dpkg/updates") == ""

        again = host.ansible("nimbus.openstack.packages", "names=%s" % PACKAGE, check=False)
        assert not again["changed"] and not again["dpkg_recovered"], again
    finally:
        host.run("rm -f %s; apt-get purge -y -q %s", JOURNAL, PACKAGE)

"""playbooks/backup.yml and restore.yml. The backup holds every database and
the secrets file (with Keystone's keys), private to root. After the Nova and
Keystone databases are dropped, the restore brings the servers, projects and
users back as they were, and a token issued before the backup is valid again.
A backup that does not match its checksums, or a database it does not hold,
is refused before anything changes."""

from __future__ import annotations

import shutil
import uuid

import keystoneauth1.exceptions
import openstack
import pytest
from cloudtest import API_TIMEOUT, CLOUD, playbook, run_module, secrets_file, token_status

TENANT_CIDR = "10.216.0.0/24"
SYSTEM_DATABASES = {"information_schema", "mysql", "performance_schema", "sys"}
DROPPED = ("nova", "nova_api", "nova_cell0", "keystone")


def databases(host):
    return set(host.check_output("mariadb --batch --skip-column-names --execute 'SHOW DATABASES'").split()) \
        - SYSTEM_DATABASES


def cloud_state(conn):
    """What a tenant and an operator would miss: servers, projects, users."""
    return {"servers": sorted((s.id, s.name, s.status) for s in conn.compute.servers(all_projects=True)),
            "projects": sorted((p.id, p.name) for p in conn.identity.projects()),
            "users": sorted((u.id, u.name) for u in conn.identity.users())}


@pytest.mark.long
@pytest.mark.disruptive
@pytest.mark.timeout(900)
def test_restore_after_losing_nova_and_keystone_databases(conn, server, host, request, tmp_path):
    prefix = "backup-%s" % uuid.uuid4().hex[:8]
    conn.compute.wait_for_server(server["server"], status="ACTIVE", failures=["ERROR"], wait=300)
    run_module("project", name=prefix)
    run_module("user", name=prefix, password=uuid.uuid4().hex, default_project=prefix)
    try:
        before = cloud_state(conn)
        token = openstack.connect(cloud=CLOUD, api_timeout=API_TIMEOUT).auth_token
        backup = tmp_path / "backup"
        rc, out = playbook(request, "backup.yml", "-e", "backup_dir=%s" % backup, timeout=600)
        assert rc == 0, out[-3000:]
        saved = databases(host)
        assert {path.name for path in backup.iterdir()} == \
            {"%s.sql.gz" % name for name in saved} | {"secrets.yml", "backup.yml", "SHA256SUMS"}
        assert backup.stat().st_mode & 0o777 == 0o700
        assert all(path.stat().st_mode & 0o777 == 0o600 for path in backup.iterdir())
        node = host.check_output("uname -n")
        assert (backup / "secrets.yml").read_bytes() == secrets_file(request, node).read_bytes()

        # Refused before anything changes: a database the backup lacks, a changed dump.
        rc, out = playbook(request, "restore.yml", "-e", "restore_from=%s" % backup,
                           "-e", '{"restore_databases": ["nova", "no_such_db"]}', timeout=300)
        assert rc != 0 and "restore_databases" in out and "no_such_db" in out, out[-3000:]
        tampered = tmp_path / "tampered"
        shutil.copytree(backup, tampered)
        with open(tampered / "nova.sql.gz", "ab") as handle:
            handle.write(b"x")
        rc, out = playbook(request, "restore.yml", "-e", "restore_from=%s" % tampered, timeout=300)
        assert rc != 0 and "restore_from" in out and "nova.sql.gz" in out, out[-3000:]
        assert databases(host) == saved
        assert not list(tmp_path.glob("*.before-restore-*"))

        host.run_expect([0], "mariadb --execute '%s'" % "; ".join("DROP DATABASE %s" % name for name in DROPPED))
        try:
            with pytest.raises((openstack.exceptions.SDKException, keystoneauth1.exceptions.ClientException)):
                openstack.connect(cloud=CLOUD, api_timeout=API_TIMEOUT).auth_token  # noqa: B018 - the loss shows
        finally:
            # The other tests need the databases back, whatever happened here.
            rc, out = playbook(request, "restore.yml", "-e", "restore_from=%s" % backup, timeout=600)
        assert rc == 0, out[-3000:]
        assert databases(host) == saved
        restored = openstack.connect(cloud=CLOUD, api_timeout=API_TIMEOUT)
        try:
            assert cloud_state(restored) == before
        finally:
            restored.close()
        assert token_status(token) == 200, "a token issued before the backup is not valid after the restore"
        # What was there before the restore was saved beside the backup.
        assert len(list(tmp_path.glob("backup.before-restore-*"))) == 1
    finally:
        run_module("user", name=prefix, state="absent")
        run_module("project", name=prefix, state="absent")

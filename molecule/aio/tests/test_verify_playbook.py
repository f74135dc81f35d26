"""playbooks/verify.yml, the tenant round trip make cloud ends with, on a cloud
where another tenant's server runs: it passes, prints its summary, and leaves
the other server and nothing of its own behind (Placement's usage and Ceph's
pools are as they were)."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from cloudtest import ANSIBLE_BIN, FLAVOR, REPO, ansible_env, cloud_usage, run_module, tenant_network


@pytest.mark.timeout(1500)
def test_verify_playbook_beside_another_tenant(conn, host, guest_image, request):
    inventory = request.config.getoption("ansible_inventory")
    name = "other-%s" % uuid.uuid4().hex[:8]
    with tenant_network(conn, "10.251.0.0/24") as made:
        other = run_module("server", name=name, image=guest_image.id, flavor=FLAVOR,
                           networks=[{"network": made["network"].id}])["server"]
        try:
            before = cloud_usage(conn, host)
            done = subprocess.run(
                [str(ANSIBLE_BIN / "ansible-playbook"), "-i", inventory, str(REPO / "playbooks" / "verify.yml")],
                capture_output=True, text=True, env=ansible_env(), timeout=1400, check=False)
            assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
            assert "Cloud verified as tenant verify-" in done.stdout
            # The other tenant's server still runs; verify's project and user are gone.
            assert conn.compute.get_server(other["id"]).status == "ACTIVE"
            assert not [p.name for p in conn.identity.projects() if p.name.startswith("verify-")]
            assert not [u.name for u in conn.identity.users() if u.name.startswith("verify-")]
            assert cloud_usage(conn, host) == before
        finally:
            run_module("server", name=name, state="absent")

"""playbooks/verify.yml, the tenant round trip make cloud ends with, passes on
the multinode cloud as on the all-in-one one, and leaves nothing behind:
Placement's usage and the RBD images of Ceph's pools (on the storage host)
are as they were."""

from __future__ import annotations

import pytest
from cloudtest import placement_usages
from conftest import playbook

testinfra_hosts = ["ansible://controller"]


def usage(conn, storage):
    pools = {pool: sorted(storage.check_output("rbd --pool %s ls", pool).split()) for pool in ("volumes", "images", "vms")}
    return {"placement": placement_usages(conn), "ceph pools": pools}


@pytest.mark.timeout(1500)
def test_verify_playbook(conn, cloud, request):
    storage = cloud["hosts"][cloud["vars"]["groups"]["storage"][0]]
    before = usage(conn, storage)
    rc, out = playbook(request, "verify.yml", timeout=1400)
    assert rc == 0, out[-6000:]
    assert "Cloud verified as tenant verify-" in out
    assert usage(conn, storage) == before

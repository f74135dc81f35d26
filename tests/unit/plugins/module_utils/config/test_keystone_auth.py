from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.config._keystone_auth import service_auth_lines


@pytest.mark.parametrize(("region", "last"), [("RegionTwo", "region_name = RegionTwo"), (None, "password = s3cret")])
def test_service_auth_lines(region, last):
    lines = service_auth_lines("http://10.0.0.1:5001", "glance", "s3cret", region=region).splitlines()
    assert lines[:6] == ["auth_url = http://10.0.0.1:5001", "auth_type = password", "project_domain_name = Default",
                         "user_domain_name = Default", "project_name = service", "username = glance"]
    assert lines[-1] == last

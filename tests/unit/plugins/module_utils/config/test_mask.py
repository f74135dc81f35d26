from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.config._mask import MASK, mask_text


@pytest.mark.parametrize(("line", "masked"), [
    ("password = hunter2", "password = " + MASK),
    ("metadata_proxy_shared_secret = abc", "metadata_proxy_shared_secret = " + MASK),
    ("  admin_token=abc", "  admin_token=" + MASK),
    ("transport_url = rabbit://openstack:pw@10.0.0.1:5672/", "transport_url = " + MASK),
    ("connection = mysql+pymysql://nova:pw@10.0.0.1/nova", "connection = " + MASK),
    ("url = http://user:pw@host/x", "url = http://user:%s@host/x" % MASK),
    ("username = nova", "username = nova"),
    ("auth_url = http://10.0.0.1:5000", "auth_url = http://10.0.0.1:5000"),
    ("password =", "password ="),
    ("# password = example", "# password = example"),
    ("[database]", "[database]"),
])
def test_mask_text(line, masked):
    assert mask_text(line) == masked


def test_mask_text_keeps_lines():
    text = "[a]\nx = 1\npassword = p\n"
    assert mask_text(text) == "[a]\nx = 1\npassword = %s\n" % MASK

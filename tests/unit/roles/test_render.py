"""The service roles' configuration follows the deployment-wide values: rendered
for an inventory whose Keystone port, internal address, region, database,
message-queue and memcached settings are all not the defaults, every file that
names one of them names the inventory's."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
KEYSTONE = "http://192.0.2.77:5999"
DATABASE = "@192.0.2.10/"
RABBITMQ = "@192.0.2.10:5997/openstack"  # the services' vhost, nimbus_rabbitmq_vhost
MEMCACHED = "192.0.2.10:5998"
REGION = "RegionNimbus"


def collections_path():
    """Where Ansible finds this tree as nimbus.openstack: the copy under
    ansible_collections/ (make unit), or the working tree's link (make link)."""
    if ROOT.parents[1].name == "ansible_collections":
        return str(ROOT.parents[2])
    return str(ROOT / ".ansible" / "collections")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """{path relative to the render dir: text} of every rendered template."""
    out = tmp_path_factory.mktemp("render")
    with open(ROOT / "roles" / "secrets" / "defaults" / "main.yml") as handle:
        names = yaml.safe_load(handle)["secrets_names"]
    extra = {"render_dir": str(out), "nimbus_secrets": {name: "s3cret-" + name for name in names},
             "ansible_python_interpreter": sys.executable}
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_NOCOLOR="1")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(HERE / "inventory.yml"),
         str(HERE / "render.yml"), "--tags", "render", "-e", json.dumps(extra)],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    files = {str(p.relative_to(out)): p.read_text() for p in out.rglob("*") if p.is_file()}
    assert len(files) == 13, sorted(files)
    return files


def options(text, *names):
    """Values of the `name = value` lines of text for the given option names."""
    pattern = re.compile(r"^\s*(%s)\s*=\s*(.*)$" % "|".join(names), re.M)
    return [found[1].strip() for found in pattern.findall(text)]


def test_no_default_left(rendered):
    for path, text in rendered.items():
        for default in (":5000", ":5672", ":11211", "RegionOne"):
            assert default not in text, "%s still has %s" % (path, default)


def test_keystone_urls(rendered):
    naming = {p: t for p, t in rendered.items() if options(t, "auth_url", "www_authenticate_uri")}
    assert sorted(naming) == ["cinder.conf.j2", "glance-api.conf.j2", "heat.conf.j2", "nova.conf.j2",
                              "placement.conf.j2", "server.conf.j2"]
    for path, text in naming.items():
        for value in options(text, "auth_url", "www_authenticate_uri"):
            assert value.startswith(KEYSTONE), "%s: %s" % (path, value)


def test_regions(rendered):
    naming = {p: t for p, t in rendered.items() if options(t, "region_name", "os_region_name")}
    assert len(naming) >= 4, sorted(naming)
    for path, text in naming.items():
        assert set(options(text, "region_name", "os_region_name")) == {REGION}, path


def test_database_message_queue_and_memcached(rendered):
    for path, text in rendered.items():
        for value in options(text, "connection"):
            assert value.startswith("mysql+pymysql://") and DATABASE in value, "%s: %s" % (path, value)
        for value in options(text, "transport_url"):
            assert value.startswith("rabbit://") and value.endswith(RABBITMQ), "%s: %s" % (path, value)
            # Durable queues: a call sent while its server starts waits for it.
            assert options(text, "amqp_durable_queues") == ["true"], path
        for value in options(text, "memcached_servers", "memcache_servers", "servers"):
            assert value == MEMCACHED, "%s: %s" % (path, value)
    assert any(options(t, "connection") for t in rendered.values())
    assert any(options(t, "transport_url") for t in rendered.values())
    assert "192.0.2.10:5997" in rendered["rabbitmq.conf.j2"]


def test_dashboard_settings(rendered):
    text = rendered["local_settings.py.j2"]
    assert 'OPENSTACK_KEYSTONE_URL = "%s/v3"' % KEYSTONE in text
    assert 'DEFAULT_SERVICE_REGIONS = {"*": "%s"}' % REGION in text
    assert '"LOCATION": ["%s"],' % MEMCACHED in text


def test_ceph(rendered):
    """One storage host with one OSD: pools of one replica, replicas on OSDs not hosts, and
    Cinder's RBD backend with the libvirt secret the compute hosts get."""
    conf = rendered["ceph.conf.j2"]
    assert options(conf, "mon_host", "public_addr") == ["192.0.2.10", "192.0.2.10"]
    assert options(conf, "osd_pool_default_size", "osd_crush_chooseleaf_type", "bluestore_block_size") == [
        "1", "0", str(10 * 1024 ** 3)]
    cinder = rendered["cinder.conf.j2"]
    assert options(cinder, "enabled_backends", "rbd_pool", "rbd_user") == ["ceph", "volumes", "cinder"]
    assert len(options(cinder, "rbd_secret_uuid")[0]) == 36

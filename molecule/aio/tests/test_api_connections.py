"""Every API keeps its word on connections: no client that reuses a kept-alive
connection gets it reset.

Clients (openstacksdk, as every tool here) keep a connection open after a
response without a body (204, HEAD) and send the next request on it. An API
that closes such a connection after answering, without saying so
(`Connection: close`), races that next request and resets it (errno 104).
Several clients at once send a few thousand requests, half of them of that
kind, to every API; not one may fail.
"""

from __future__ import annotations

import collections
import concurrent.futures
import uuid

import openstack
from cloudtest import API_TIMEOUT, CLOUD

CLIENTS = 4
ROUNDS = 60


def one_round(conn, own, send):
    """For every API, a request answered without a body and, at once on the same
    kept-alive connection, a read."""
    tag = uuid.uuid4().hex
    send(conn.identity, "HEAD", "/auth/tokens", headers={"X-Subject-Token": conn.auth_token})
    send(conn.identity, "GET", "/projects")
    made = send(conn.compute, "POST", "/os-server-groups", json={"server_group": {
        "name": "%s-%s" % (own["prefix"], tag), "policies": ["affinity"]}})
    if made is not None:
        send(conn.compute, "DELETE", "/os-server-groups/%s" % made.json()["server_group"]["id"])
    send(conn.compute, "GET", "/flavors")
    send(conn.network, "PUT", "/networks/%s/tags/%s" % (own["network"], tag))
    send(conn.network, "DELETE", "/networks/%s/tags/%s" % (own["network"], tag))
    send(conn.network, "GET", "/networks")
    send(conn.image, "PUT", "/images/%s/tags/%s" % (own["image"], tag))
    send(conn.image, "DELETE", "/images/%s/tags/%s" % (own["image"], tag))
    send(conn.image, "GET", "/images")
    provider = str(uuid.uuid4())
    send(conn.placement, "POST", "/resource_providers",
         json={"name": "%s-%s" % (own["prefix"], tag), "uuid": provider})
    send(conn.placement, "DELETE", "/resource_providers/%s" % provider)
    send(conn.placement, "GET", "/resource_providers")
    send(conn.session, "HEAD", own["metadata"])
    send(conn.session, "GET", own["metadata"])


def client(prefix, metadata, errors, counts):
    """One client: its own connection (so its own connection pool), network and
    image (Neutron and Glance answer concurrent tag changes of one resource
    with errors of their own), and ROUNDS rounds."""
    conn = openstack.connect(cloud=CLOUD, api_timeout=API_TIMEOUT)
    own = {"prefix": "%s-%s" % (prefix, uuid.uuid4().hex[:4]), "metadata": metadata}

    def send(adapter, method, url, **kwargs):
        name = getattr(adapter, "service_type", "metadata")
        try:
            # connect_retries=0: openstacksdk would otherwise resend once after
            # a reset, and hide it.
            response = adapter.request(url, method, raise_exc=False, connect_retries=0, **kwargs)
        except Exception as error:  # noqa: BLE001 - every failure is what this test counts
            errors.append("%s %s %s: %r" % (name, method, url, error))
            return None
        counts[name] += 1
        if response.status_code >= 400:
            errors.append("%s %s %s: HTTP %s %s" % (name, method, url, response.status_code, response.text[:200]))
            return None
        return response

    try:
        own["network"] = conn.network.create_network(name=own["prefix"] + "-net").id
        # An image record without data: enough to tag.
        own["image"] = conn.image.create_image(name=own["prefix"] + "-image", disk_format="raw",
                                               container_format="bare", allow_duplicates=True).id
        for _round in range(ROUNDS):
            one_round(conn, own, send)
    finally:
        if "image" in own:
            conn.image.delete_image(own["image"], ignore_missing=True)
        if "network" in own:
            conn.network.delete_network(own["network"], ignore_missing=True)
        conn.close()


def test_keep_alive_clients_get_no_reset(cloud_vars):
    prefix = "verify-%s" % uuid.uuid4().hex[:8]
    metadata = "http://%s:8775/" % cloud_vars["nimbus_internal_address"]
    errors, counts = [], collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client, prefix, metadata, errors, counts) for _client in range(CLIENTS)]:
            future.result()
    total = sum(counts.values())
    print("%d requests answered: %s" % (total, dict(counts)))
    assert not errors, "%d of %d requests failed, first ones:\n%s" % (
        len(errors), total + len(errors), "\n".join(errors[:10]))
    assert total >= 2000

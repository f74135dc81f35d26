"""The keypair's pure parts: what identifies a public key, and what differs
from the task; and the resource's declarations against openstacksdk and the module."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _keypair as k

ED = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDetPc3UV"
RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDWOQVyUBhY"
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(("key", "key_type", "expected"), [
    (ED + " me@host", "ssh", ED),
    # Nova keeps what it was given: inner spaces, trailing newlines.
    (ED + "   me@host\n\n", "ssh", ED),
    (ED, "ssh", ED),
    (ED + " a comment with spaces", "ssh", ED),
    (PEM, "x509", "-----BEGINCERTIFICATE-----MIIBAAAA-----ENDCERTIFICATE-----"),
    (None, "ssh", None),
])
def test_key_material(key, key_type, expected):
    assert k.key_material(key, key_type) == expected


@pytest.mark.parametrize(("desired", "current", "expected"), [
    # The same key with another comment or spacing.
    ({"public_key": ED + " me@host"}, {"public_key": ED + "  other\n", "type": "ssh"}, []),
    ({"public_key": RSA}, {"public_key": ED + " me@host", "type": "ssh"}, ["public_key"]),
    # No key given: whatever the keypair holds is kept.
    ({}, {"public_key": ED, "type": "ssh"}, []),
    ({"type": "ssh"}, {"public_key": ED, "type": "ssh"}, []),
    ({"type": "x509"}, {"public_key": ED, "type": "ssh"}, ["type"]),
    ({"type": "x509", "public_key": PEM}, {"public_key": ED, "type": "ssh"}, ["type", "public_key"]),
    ({"type": "x509", "public_key": PEM.replace("\n", "\r\n")}, {"public_key": PEM, "type": "x509"}, []),
    # Nova's default type.
    ({"type": "ssh", "public_key": ED}, {"public_key": ED, "type": None}, []),
])
def test_keypair_mismatches(desired, current, expected):
    assert k.keypair_mismatches(desired, current) == expected

"""The shared cloud-test helpers (molecule/shared/tests/cloudtest.py): the test
modules import them from there; pytest finds fixtures and hooks only here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared" / "tests"))

from cloudtest import cloud_vars, conn, guest_image, pytest_collection_modifyitems, server  # noqa: E402

# What pytest must find here.
__all__ = ["cloud_vars", "conn", "guest_image", "pytest_collection_modifyitems", "server"]

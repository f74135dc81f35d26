from __future__ import annotations

import types

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _backend as backend
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud import _libvirt, _nspawn


@pytest.mark.parametrize("module", [_nspawn, _libvirt], ids=["nspawn", "libvirt"])
def test_backends_provide_every_function(module):
    assert backend.missing_functions(module) == []
    assert backend.checked(module) is module


def test_a_backend_without_a_function_is_refused():
    partial = types.ModuleType("partial")
    partial.running = lambda host_dir: False
    with pytest.raises(TypeError, match="partial lacks configure, create_disk, host_public_key, remove, start, stop"):
        backend.checked(partial)

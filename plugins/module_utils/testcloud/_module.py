# Private to this collection: not a public API, may change without notice.
"""Argument spec and entry point of the testcloud module."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._cloud import TestCloud, machine_lock, preflight
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._model import GROUPS, PlanError
from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._sys import SysError

ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "topology": {"type": "str", "choices": ["aio", "multinode"]},
    "hosts": {
        "type": "list", "elements": "dict",
        "options": {
            "name": {"type": "str", "required": True},
            "groups": {"type": "list", "elements": "str", "required": True, "choices": list(GROUPS)},
            "mgmt_address": {"type": "str"},
            "overlay_address": {"type": "str"},
        },
    },
    "slot": {"type": "int"},
    "state": {"type": "str", "default": "present", "choices": ["present", "stopped", "restarted", "absent"]},
    "inventory": {"type": "path"},
    "mirror": {"type": "str"},
    "backend": {"type": "str", "choices": ["nspawn", "libvirt"]},
    "image_packages": {"type": "list", "elements": "str"},
}


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    cloud = TestCloud(
        params["name"], topology=params["topology"], slot=params["slot"], hosts=params["hosts"],
        inventory=params["inventory"], mirror=params["mirror"], backend=params["backend"],
        image_packages=params["image_packages"], check_mode=module.check_mode,
    )
    try:
        preflight()
        with machine_lock():
            cloud_plan = getattr(cloud, params["state"])()
    except PlanError as exc:
        module.fail_json(msg=str(exc))
    except (SysError, OSError, ValueError) as exc:
        module.fail_json(msg="test cloud %r: %s" % (params["name"], exc), timings=cloud.timings)
    module.exit_json(changed=cloud.changed, testcloud=cloud_plan or {}, timings=cloud.timings)

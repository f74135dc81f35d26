# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Action plugin of nimbus.openstack.config_file: runs the module on the host,
then masks the secrets in the diff of the file's content."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.nimbus.openstack.plugins.module_utils.config._mask import mask_text

OPTIONS = ("content", "dest", "owner", "group", "mode")


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_diff = True

    def run(self, tmp=None, task_vars=None):
        unknown = sorted(set(self._task.args) - set(OPTIONS))
        if unknown or "content" not in self._task.args or "dest" not in self._task.args:
            return {"failed": True, "msg": "config_file takes content and dest (required), owner, group and mode; "
                    "unknown: %s" % ", ".join(unknown)}
        result = super().run(tmp, task_vars)
        result.update(self._execute_module(module_name="nimbus.openstack.config_file",
                                           module_args=dict(self._task.args), task_vars=task_vars))
        diff = result.get("diff")
        if isinstance(diff, dict):
            for side in ("before", "after"):
                if isinstance(diff.get(side), str):
                    diff[side] = mask_text(diff[side])
        result.pop("invocation", None)
        return result

# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Action plugin of nimbus.openstack.config_file: checks the options, runs the
module on the host (which masks the secrets of its diff) and drops the
invocation from the result."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

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
        result.pop("invocation", None)
        return result

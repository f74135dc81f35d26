# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Action plugin of nimbus.openstack.config_file: ansible.builtin.copy of
rendered content, whose diff shows which option changed with secrets masked."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.nimbus.openstack.plugins.module_utils.config._mask import mask_text

COPY_OPTIONS = ("content", "dest", "owner", "group", "mode")


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _supports_check_mode = True
    _supports_diff = True

    def run(self, tmp=None, task_vars=None):
        unknown = sorted(set(self._task.args) - set(COPY_OPTIONS))
        if unknown or "content" not in self._task.args or "dest" not in self._task.args:
            return {"failed": True, "msg": "config_file takes content and dest (required), owner, group and mode; "
                    "unknown: %s" % ", ".join(unknown)}
        copy_task = self._task.copy()
        copy_task.args = dict(self._task.args)
        copy = self._shared_loader_obj.action_loader.get(
            "ansible.legacy.copy", task=copy_task, connection=self._connection, play_context=self._play_context,
            loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        result = copy.run(task_vars=task_vars)
        # What copy reports of the file's content: the diff only, masked.
        diffs = result.get("diff") or []
        for diff in [diffs] if isinstance(diffs, dict) else diffs:
            for side in ("before", "after"):
                if isinstance(diff.get(side), str):
                    diff[side] = mask_text(diff[side])
        result.pop("invocation", None)
        return result

# Private to this collection: not a public API, may change without notice.
"""A configuration file written from given content, in one module run on the host.

ansible.builtin.copy with content stats the file (one module run) and then, when
the content is the same, runs the file module for owner, group and mode (a
second one): about 0.5 s a file on a re-run. Here one run compares, writes when
the content differs (atomically, in the file's directory) and sets what differs
of owner, group and mode; the diff it returns has the secrets masked.
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nimbus.openstack.plugins.module_utils.config._mask import mask_text

ARGUMENT_SPEC = {
    # Not no_log: Ansible would then mask every occurrence of the whole content in
    # the result. The module logs no invocation (no_log below) and takes the
    # content out of its parameters before anything can return them (a result's
    # invocation, which -vvv prints raw); it masks the secrets of its diff.
    "content": {"type": "str", "required": True},
    "dest": {"type": "path", "required": True},
    "owner": {"type": "str"},
    "group": {"type": "str"},
    "mode": {"type": "raw"},
}


def read(path):
    """The file's bytes, or None when there is no file."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def write(module, dest, data):
    """Replace `dest` by a file holding `data`; a new file gets the umask's mode until the mode option sets it."""
    directory = os.path.dirname(dest) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(dest))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        module.atomic_move(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, no_log=True)
    params = module.params
    content = params.pop("content")
    dest = params["dest"]
    data = content.encode("utf-8", "surrogateescape")
    if os.path.isdir(dest):
        module.fail_json(msg="dest: %s is a directory, not a file" % dest)
    if not os.path.isdir(os.path.dirname(dest) or "."):
        module.fail_json(msg="dest: the directory of %s does not exist" % dest)
    old = read(dest)
    changed = old != data
    if changed and not module.check_mode:
        write(module, dest, data)
    diff = {}
    if old is not None or not module.check_mode:
        # Each helper honours check mode, and says in `diff` what it would change.
        changed = module.set_owner_if_different(dest, params["owner"], changed, diff)
        changed = module.set_group_if_different(dest, params["group"], changed, diff)
        changed = module.set_mode_if_different(dest, params["mode"], changed, diff)
    result = {"changed": changed, "dest": dest, "checksum": hashlib.sha1(data).hexdigest()}
    if module._diff and old != data:
        # Masked here, not only by the action plugin: -vvv prints the module's raw output.
        result["diff"] = {"before_header": dest, "after_header": dest,
                          "before": mask_text((old or b"").decode("utf-8", "replace")), "after": mask_text(content)}
    elif module._diff and changed:
        result["diff"] = {side: "".join("%s: %s\n" % item for item in sorted(diff.get(side, {}).items()))
                          for side in ("before", "after")}
    module.exit_json(**result)

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: keypair
short_description: Import, generate and delete OpenStack keypairs
version_added: 0.1.0
description:
  - Makes sure a Nova keypair of the user of the credentials exists, or is
    absent. A keypair is identified by its O(name).
  - With O(public_key) or O(public_key_file), the keypair holds that public
    key. With neither, Nova generates the pair when the keypair does not
    exist, and the private key is returned by that task only (see
    RV(keypair.private_key)); an existing keypair is then left as it is.
  - Nova cannot change a keypair. When the existing one holds another public
    key or is of another O(type), the task fails, unless O(replace=true)
    deletes it and makes it anew (servers made with the old key keep it).
  - Public keys are compared by what identifies them, so a key given with
    another comment, other spaces or a trailing newline is the same key. The
    key is sent to Nova without its surrounding whitespace.
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  name:
    description:
      - Name of the keypair.
    type: str
    required: true
  public_key:
    description:
      - The public key, as in an OpenSSH C(.pub) file, or an X.509
        certificate in PEM form for O(type=x509).
    type: str
  public_key_file:
    description:
      - Path of a file holding the public key, on the host that runs the task.
    type: path
  type:
    description:
      - Type of the keypair. Nova makes V(ssh) keypairs unless told otherwise.
    type: str
    choices: [ssh, x509]
    aliases: [key_type]
  replace:
    description:
      - When the existing keypair has another public key or type, delete it
        and make it anew with the task's. With V(false), such a keypair fails
        the task.
    type: bool
    default: false
  state:
    description:
      - V(present) imports or generates the keypair; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - A module cannot mark a returned value as secret. Set C(no_log=true) on a
    task that may generate a keypair, and keep the private key from the
    registered result (write it to a file with C(no_log=true) too).
  - In check mode, the private key of a keypair to be generated is not known
    and not returned.
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Import the public key of the deploying user
  nimbus.openstack.keypair:
    cloud: demo
    name: deployer
    public_key_file: ~/.ssh/id_ed25519.pub

- name: Have Nova generate a keypair (the private key is returned once)
  nimbus.openstack.keypair:
    cloud: demo
    name: generated
  register: generated
  no_log: true

- name: Keep the private key
  ansible.builtin.copy:
    dest: ~/.ssh/generated.pem
    content: "{{ generated.keypair.private_key }}"
    mode: "0600"
  when: generated.keypair.private_key is defined
  no_log: true

- name: Replace the key of an existing keypair
  nimbus.openstack.keypair:
    cloud: demo
    name: deployer
    public_key: "{{ lookup('ansible.builtin.file', '~/.ssh/new_key.pub') }}"
    replace: true

- name: Delete it
  nimbus.openstack.keypair:
    cloud: demo
    name: deployer
    state: absent
"""

RETURN = r"""
keypair:
  description:
    - The keypair as it is after the task (as predicted, in check mode).
  returned: when O(state=present)
  type: dict
  contains:
    name:
      description: Name of the keypair (also its ID).
      type: str
      sample: deployer
    id:
      description: ID of the keypair, its name; absent from check mode's prediction of a new keypair.
      type: str
      sample: deployer
    public_key:
      description:
        - The public key, as Nova keeps it; V(null) in check mode when Nova
          is to generate it.
      type: str
      sample: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO... me@host
    private_key:
      description:
        - The private key that Nova generated.
        - Only in the result of the task that made a keypair without a public
          key (not in check mode, not in the diff, never on a later run).
      returned: when Nova generated the keypair
      type: str
    fingerprint:
      description: Fingerprint of the public key; V(null) in check mode for a key to be made.
      type: str
      sample: 2e:07:c7:75:e0:3c:81:5c:f2:65:6d:a1:99:8a:0a:9f
    type:
      description: Type of the keypair, V(ssh) or V(x509).
      type: str
      sample: ssh
    user_id:
      description: ID of the user who owns the keypair.
      type: str
    created_at:
      description: When the keypair was made.
      type: str
      sample: "2026-01-30T09:32:10.000000"
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._keypair import KeypairResource

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    # Public keys are no secret (no_log=False tells ansible-test so).
    public_key=dict(type="str", no_log=False),
    public_key_file=dict(type="path", no_log=False),
    type=dict(type="str", choices=["ssh", "x509"], aliases=["key_type"], no_log=False),
    replace=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = KeypairResource(ARGUMENT_SPEC, supports_check_mode=True,
                             mutually_exclusive=[("public_key", "public_key_file")])
    module.execute()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: keypair_info
short_description: List keypairs
version_added: 0.1.0
description:
  - SSH keypairs of a user (Nova). A keypair's name is its ID.
  - Returns them under RV(keypairs), an empty list when none matches.
extends_documentation_fragment:
  - nimbus.openstack.info
  - nimbus.openstack.openstack
options:
  user_id:
    description: Keypairs of this user (ID; administrators only). Unset, the credentials' user.
    type: str
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Find the keypair called web1, if there is one
  nimbus.openstack.keypair_info:
    cloud: mycloud
    name: web1
  register: _found
"""

RETURN = r"""
keypairs:
  description: The matching keypairs, as the API shows them (openstacksdk's attribute names).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "deployer", "fingerprint": "…", "public_key": "ssh-ed25519 AAAA… deployer", "type": "ssh"}]
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec


class KeypairInfo(InfoModule):
    plural = 'keypairs'
    service = 'compute'
    name_filter = False
    get_call = None
    plain = (('user_id', 'user_id', 'str'),)


def main():
    KeypairInfo(info_argument_spec(KeypairInfo.references, KeypairInfo.plain)).execute()


if __name__ == "__main__":
    main()

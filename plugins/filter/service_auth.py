# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Filter that renders the options through which a service user authenticates."""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.config._keystone_auth import service_auth_lines

DOCUMENTATION = r"""
name: service_auth
short_description: The options of an INI section through which a service user authenticates
version_added: 0.1.0
description:
  - Renders the C(key = value) lines of a keystoneauth password section for a
    service user in the C(service) project, in one order. Every service
    template renders its C([keystone_authtoken]), C([service_user]) and client
    sections (C([nova]), C([placement]), C([neutron]), ...) with it, and adds
    what is particular to the section after them.
positional: _input, username, password
options:
  _input:
    description: Keystone's base URL (C(auth_url)).
    type: str
    required: true
  username:
    description: The service user.
    type: str
    required: true
  password:
    description: Its password.
    type: str
    required: true
  region:
    description: C(region_name); left out when empty.
    type: str
  project:
    description: The user's project.
    type: str
    default: service
"""

EXAMPLES = r"""
# In a template:
# [keystone_authtoken]
# {{ glance_keystone_internal_url | nimbus.openstack.service_auth('glance', glance_service_password, region=glance_region) }}
# www_authenticate_uri = {{ glance_keystone_public_url }}
"""

RETURN = r"""
_value:
  description: The lines, joined by newlines (no trailing newline).
  type: str
"""


def service_auth(auth_url, username, password, region=None, project="service"):
    return service_auth_lines(auth_url, username, password, region=region, project=project)


class FilterModule:
    def filters(self):
        return {"service_auth": service_auth}

# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Options shared by every module of nimbus.openstack: where the cloud is, how to
authenticate, and how long to wait."""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - The cloud to work on.
      - A string names a cloud in a C(clouds.yaml) file (C(./clouds.yaml),
        C(~/.config/openstack/clouds.yaml) or C(/etc/openstack/clouds.yaml)).
      - A dictionary is a complete cloud configuration, written as one entry of
        C(clouds.yaml) would be (C(auth), C(region_name), C(interface), ...).
      - Not needed when O(auth) is given or when the C(OS_*) environment
        variables describe the cloud.
      - Options given explicitly to the task (O(auth), O(region_name), ...) take
        precedence over the values in the cloud configuration.
    type: raw
  auth:
    description:
      - Credentials for the cloud's auth plugin.
      - For the default C(password) plugin this holds C(auth_url),
        C(username), C(password), C(project_name), and the domains when the cloud
        has several (C(user_domain_name), C(project_domain_name)).
      - Other plugins (see O(auth_type)) take their own keys.
    type: dict
  auth_type:
    description:
      - Name of the keystoneauth plugin to authenticate with, for example
        C(password), C(token), C(v3applicationcredential) or C(admin_token).
      - Defaults to C(password), or to what the cloud configuration says.
    type: str
  region_name:
    description:
      - Region of the cloud to work in.
    type: str
  interface:
    description:
      - Which endpoint of each service, as listed in the service catalog, to talk to.
      - Defaults to C(public), or to what the cloud configuration says.
    type: str
    choices: [admin, internal, public]
    aliases: [endpoint_type]
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the cloud's API endpoints.
      - Defaults to V(true), or to what the cloud configuration says.
    type: bool
    aliases: [verify]
  ca_cert:
    description:
      - Path to a bundle of CA certificates to verify the API endpoints with.
    type: path
    aliases: [cacert]
  client_cert:
    description:
      - Path to a client certificate to present to the API endpoints.
    type: path
    aliases: [cert]
  client_key:
    description:
      - Path to the private key of O(client_cert).
    type: path
    aliases: [key]
  api_timeout:
    description:
      - Seconds to wait for an answer to any single API request.
      - By default requests have no timeout.
    type: int
  wait:
    description:
      - Whether to wait, after a change, until the resource has reached its
        final state (for example a server becoming active, or being gone).
      - Resources that are ready as soon as the API call returns (projects,
        users, roles, ...) never need a wait; for them this does nothing.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait when O(wait=true) before failing.
    type: int
    default: 180
requirements:
  - python >= 3.9
  - openstacksdk >= 1.0.0
notes:
  - Connection settings come from openstacksdk's configuration. The options of the
    task override the C(clouds.yaml) entry named by O(cloud) (or by the
    C(OS_CLOUD) environment variable); without either, the C(OS_*) environment
    variables describe the cloud.
  - See U(https://docs.openstack.org/openstacksdk/latest/user/config/configuration.html)
    for the format of C(clouds.yaml).
"""

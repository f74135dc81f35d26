#!/usr/bin/python
# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: catalog
short_description: Register services in the OpenStack catalog, with their endpoints and users, in one go
version_added: 0.1.0
description:
  - Makes sure each service of O(services) is in the Keystone catalog with its
    endpoints in O(region), and that its user exists in O(domain) with its
    roles on the service O(project).
  - When asked, also makes what those need and is missing, namely global roles
    (O(roles)), the service project (O(create_project)) and domains with an
    admin user each (O(domains)).
  - One connection and one listing of each kind (services, endpoints of the
    region, users of the domain, roles, role assignments on the project),
    whatever the number of services; only what differs is changed.
  - Everything is worked out before the first change, so that what makes the
    task fail (two services of the same name and type, a role that does not
    exist, ...) fails it before it has changed anything.
  - Adds and updates only. Services, endpoints, users and role assignments the
    task does not name are left alone, as are the interfaces a service has
    but the task does not name, and the other roles of its user.
  - For a single resource with all its options, or to delete one, use
    M(nimbus.openstack.service), M(nimbus.openstack.endpoint),
    M(nimbus.openstack.user) and M(nimbus.openstack.role_assignment).
extends_documentation_fragment:
  - nimbus.openstack.attributes
  - nimbus.openstack.openstack
options:
  services:
    description:
      - The services to register. A service name may come once per task.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - Name of the service, for example C(glance). With O(services[].type),
            it identifies the service.
        type: str
        required: true
      type:
        description:
          - Type of the service, for example C(image).
        type: str
        required: true
        aliases: [service_type]
      description:
        description:
          - Description of the service; left as it is when unset.
        type: str
      is_enabled:
        description:
          - Whether the service is enabled.
        type: bool
        default: true
        aliases: [enabled]
      endpoints:
        description:
          - URL of the service's endpoint in O(region) per interface
            (C(public), C(internal) or C(admin)).
          - An endpoint is identified by its service, interface and region; an
            existing one gets the URL asked for.
        type: dict
      user:
        description:
          - The service's user, in O(domain), with O(project) as its default
            project and O(services[].user.roles) on it.
        type: dict
        suboptions:
          name:
            description:
              - Name of the user. Several services may name the same user
                (with the same password); it then gets the roles all of them ask for.
            type: str
            required: true
          password:
            description:
              - Password of the user, set when the user is created; see
                O(update_password).
            type: str
            required: true
          roles:
            description:
              - Roles (by name) the user is given on O(project); roles it has
                already are kept.
            type: list
            elements: str
            default: [admin, service]
  roles:
    description:
      - Global roles made when missing, before the users get theirs, such as
        the C(service) role that O(services[].user.roles) names by default.
    type: list
    elements: str
    default: []
  create_project:
    description:
      - Make O(project) in O(domain) when it is missing (given by name).
    type: bool
    default: false
  domains:
    description:
      - Domains made when missing, each with an optional admin user of its own
        that gets the C(admin) role on it, such as the domain in which Heat
        makes the users of stacks. O(update_password) applies to the admins
        as to the services' users.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the domain.
        type: str
        required: true
      description:
        description: Description of a domain to be made.
        type: str
      admin:
        description: The domain's admin, a user in that domain.
        type: dict
        suboptions:
          name:
            description: Name of the user.
            type: str
            required: true
          password:
            description: Its password, set when the user is made (see O(update_password)).
            type: str
            required: true
  region:
    description:
      - ID of the region of the endpoints, for example C(RegionOne). It must exist.
      - Not to be confused with O(region_name), the region this module uses to
        reach the cloud.
    type: str
    required: true
    aliases: [region_id]
  project:
    description:
      - The service project, by name (in O(domain)) or ID. It must exist,
        unless O(create_project) is set.
    type: str
    default: service
  domain:
    description:
      - Domain of the users, and of O(project) when it is given by name; by
        name or ID.
    type: str
    default: default
  update_password:
    description:
      - V(on_create) sets the password of a user only when it creates it.
      - V(always) also checks the password of an existing user, by asking
        Keystone for a token with it (one request per user), and sets it
        only when that is refused. A change is reported only then. A refused
        attempt counts as a failed login where Keystone locks out users
        after failed logins, and a disabled user is refused whatever its
        password, so it gets its password set at every run.
    type: str
    choices: [always, on_create]
    default: on_create
author:
  - nimbus.openstack contributors (@nimbus-openstack)
"""

EXAMPLES = r"""
- name: Register the image and block storage services
  nimbus.openstack.catalog:
    cloud: admin
    region: RegionOne
    services:
      - name: glance
        type: image
        description: OpenStack Image
        endpoints:
          public: https://cloud.example.org:9292
          internal: http://10.0.0.10:9292
          admin: http://10.0.0.10:9292
        user:
          name: glance
          password: "{{ glance_service_password }}"
      - name: cinderv3
        type: volumev3
        endpoints:
          public: https://cloud.example.org:8776/v3/%(project_id)s
          internal: http://10.0.0.10:8776/v3/%(project_id)s
        user:
          name: cinder
          password: "{{ cinder_service_password }}"
          roles: [admin, service]
  no_log: true

- name: Keep the service users' passwords in step with the vault
  nimbus.openstack.catalog:
    cloud: admin
    region: RegionOne
    update_password: always
    services: "{{ my_services }}"
  no_log: true
"""

RETURN = r"""
services:
  description:
    - The services as they are after the task (as predicted, in check mode), in
      the order of O(services).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the service.
      type: str
      sample: glance
    type:
      description: Type of the service.
      type: str
      sample: image
    id:
      description: ID of the service; V(null) when it is to be created in check mode.
      type: str
    description:
      description: Description of the service.
      type: str
    is_enabled:
      description: Whether the service is enabled.
      type: bool
    endpoints:
      description: URL per interface, of the interfaces O(services[].endpoints) names.
      type: dict
      sample: {public: "https://cloud.example.org:9292", internal: "http://10.0.0.10:9292"}
    user:
      description: The service's user; V(null) when the task names none.
      type: dict
      contains:
        name:
          description: Name of the user.
          type: str
        id:
          description: ID of the user; V(null) when it is to be created in check mode.
          type: str
        roles:
          description: Names of all the roles of the user on O(project), sorted.
          type: list
          elements: str
          sample: [admin, service]
changes:
  description:
    - What was changed (would be, in check mode), one line per change, in order.
  returned: always
  type: list
  elements: str
  sample: [create endpoint glance internal, update endpoint glance public, assign role service to user glance]
diff:
  description:
    - With C(--diff), each service (by name) before and after the task, as in
      RV(services) without the IDs; a service that did not exist is not in
      C(before), a user that did not exist is V(null) there. Never a password.
  returned: in diff mode
  type: dict
"""

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._catalog import CatalogModule

USER_SPEC = dict(
    name=dict(type="str", required=True),
    password=dict(type="str", required=True, no_log=True),
    roles=dict(type="list", elements="str", default=["admin", "service"]),
)

SERVICE_SPEC = dict(
    name=dict(type="str", required=True),
    type=dict(type="str", required=True, aliases=["service_type"]),
    description=dict(type="str"),
    is_enabled=dict(type="bool", default=True, aliases=["enabled"]),
    endpoints=dict(type="dict"),
    user=dict(type="dict", options=USER_SPEC),
)

DOMAIN_SPEC = dict(
    name=dict(type="str", required=True),
    description=dict(type="str"),
    admin=dict(type="dict", options=dict(
        name=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
    )),
)

ARGUMENT_SPEC = dict(
    services=dict(type="list", elements="dict", default=[], options=SERVICE_SPEC),
    roles=dict(type="list", elements="str", default=[]),
    create_project=dict(type="bool", default=False),
    domains=dict(type="list", elements="dict", default=[], options=DOMAIN_SPEC),
    region=dict(type="str", required=True, aliases=["region_id"]),
    project=dict(type="str", default="service"),
    domain=dict(type="str", default="default"),
    update_password=dict(type="str", choices=["always", "on_create"], default="on_create", no_log=False),
)


def main():
    module = CatalogModule(ARGUMENT_SPEC, supports_check_mode=True)
    module.execute()


if __name__ == "__main__":
    main()

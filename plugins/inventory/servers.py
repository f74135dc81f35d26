# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Inventory plugin: the servers of an OpenStack cloud as hosts."""

from __future__ import annotations

DOCUMENTATION = r"""
name: servers
short_description: The servers of an OpenStack cloud as inventory hosts
version_added: 0.1.0
description:
  - Lists the servers (Nova instances) of the project of the credentials, or of
    every project with O(all_projects), and makes each one a host.
  - A host is named by its server's name. When several of the listed servers
    share a name, the one created first keeps it and each later one is named
    C(<name>-<first 8 characters of its id>).
  - Each host gets the variable C(openstack), the server as a dictionary (C(id),
    C(name), C(status), C(flavor), C(image_id), C(metadata), C(tags),
    C(addresses), C(project_id), C(project_name), C(availability_zone),
    C(key_name), C(created_at)), and C(ansible_host), the address chosen by
    O(address).
  - "Each host goes into groups made without any option: C(project_<name>) for
    its project, C(flavor_<name>) for the flavor it was booted with, and
    C(meta_<key>_<value>) for each of its metadata items. Characters that are
    not allowed in a group name become C(_)."
  - Then O(compose), O(groups) and O(keyed_groups) add variables and groups
    from Jinja2 expressions on the host's variables, as with
    P(ansible.builtin.constructed#inventory).
  - "The configuration is a YAML file whose name ends in C(servers.yml) or
    C(servers.yaml) (for example C(nimbus_servers.yml)) and which says
    C(plugin: nimbus.openstack.servers)."
author:
  - nimbus.openstack contributors (@nimbus-openstack)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: Marks the file as a configuration of this plugin.
    type: str
    required: true
    choices: [nimbus.openstack.servers]
  cloud:
    description:
      - The cloud to list the servers of.
      - A string names a cloud in a C(clouds.yaml) file (C(./clouds.yaml),
        C(~/.config/openstack/clouds.yaml) or C(/etc/openstack/clouds.yaml)).
      - A dictionary is a complete cloud configuration, written as one entry of
        C(clouds.yaml) would be (C(auth), C(region_name), C(interface), ...).
      - Unset, the C(OS_CLOUD) or C(OS_*) environment variables describe the cloud.
    type: raw
  all_projects:
    description:
      - List the servers of every project, not only those of the project of the
        credentials. Needs an administrator's credentials.
    type: bool
    default: false
  api_timeout:
    description:
      - Seconds to wait for an answer to any single API request.
      - By default requests have no timeout.
    type: int
  address:
    description:
      - Which of the server's addresses becomes its C(ansible_host).
      - V(floating) takes its floating IP, or its fixed address when it has none.
      - V(fixed) takes its fixed address (on the first of its networks that has one).
      - Any other value is the name of a network, and takes the server's fixed
        address on that network.
      - Among several candidates an IPv4 address comes before an IPv6 one.
        A server without such an address gets no C(ansible_host).
    type: str
    default: floating
  only_active:
    description:
      - List only the servers whose status is C(ACTIVE). V(false) lists them
        all (C(SHUTOFF), C(ERROR), C(BUILD), ...).
    type: bool
    default: true
requirements:
  - python >= 3.9
  - openstacksdk >= 1.0.0
notes:
  - A project's name is looked up once per project. Credentials that may not
    read a project (another user's project seen with O(all_projects)) name it by
    its id.
  - "With O(cache), the servers are read from the cache until it expires;
    C(ansible-inventory --flush-cache) (or C(meta: refresh_inventory)) reads them
    from the cloud again."
"""

EXAMPLES = r"""
# nimbus_servers.yml: the servers of the project of clouds.yaml's "mycloud",
# reached through their floating IPs.
plugin: nimbus.openstack.servers
cloud: mycloud

---
# nimbus_servers.yml: every project's servers, reached on the "mgmt" network,
# in groups by their "role" metadata (role_web, role_db, ...), the web servers
# of production in a group of their own, and the SSH user from their image.
plugin: nimbus.openstack.servers
cloud: mycloud-admin
all_projects: true
address: mgmt
api_timeout: 60
keyed_groups:
  - key: openstack.metadata.role
    prefix: role
groups:
  production_web: "'production' in openstack.tags and openstack.metadata.role | default('') == 'web'"
compose:
  ansible_user: openstack.metadata.login | default('debian')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/nimbus_servers_cache
"""

import copy

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._base import (
    API_ERRORS,
    APP_NAME,
    OPENSTACKSDK_IMPORT_ERROR,
    connection_kwargs,
    error_message,
    openstack,
)

FILE_SUFFIXES = ('servers.yml', 'servers.yaml')
# What the server's flavor says about it (Nova's embedded flavor, microversion 2.47+).
FLAVOR_FIELDS = ('original_name', 'vcpus', 'ram', 'disk', 'ephemeral', 'swap', 'extra_specs')
SERVER_FIELDS = ('id', 'name', 'status', 'project_id', 'availability_zone', 'key_name', 'created_at')

# ---------------------------------------------------------------------------
# Pure helpers


def flavor_of(flavor):
    """The server's flavor as a plain dict of :data:`FLAVOR_FIELDS`."""
    flavor = flavor or {}
    plain = {key: copy.deepcopy(flavor[key]) for key in FLAVOR_FIELDS if flavor.get(key) is not None}
    if 'original_name' not in plain and flavor.get('id'):
        # Before compute microversion 2.47 Nova shows only the flavor's id.
        plain['id'] = flavor['id']
    return plain


def server_record(server, project_name=None):
    """The ``openstack`` host variable of a server given as a plain dict
    (openstacksdk's attribute names, as ``to_dict()`` gives them)."""
    record = {key: server.get(key) for key in SERVER_FIELDS}
    record.update(
        flavor=flavor_of(server.get('flavor')),
        # Nova says "" for a server booted from a volume.
        image_id=(server.get('image') or {}).get('id') or None,
        metadata=dict(server.get('metadata') or {}),
        tags=list(server.get('tags') or []),
        addresses=copy.deepcopy(server.get('addresses') or {}),
        project_name=project_name,
    )
    return record


def choose_address(addresses, address='floating'):
    """The address that becomes ``ansible_host`` from Nova's ``addresses``
    (``{network: [{addr, version, OS-EXT-IPS:type}]}``), or None.

    ``address`` is ``floating`` (floating, else fixed), ``fixed``, or the name
    of a network (the fixed address on it). IPv4 comes before IPv6.
    """
    entries = [(network, entry) for network, items in (addresses or {}).items() for entry in items or []]

    def of_type(kind, network=None):
        return [entry for net, entry in entries
                if entry.get('OS-EXT-IPS:type', 'fixed') == kind and network in (None, net)]

    if address == 'floating':
        candidates = of_type('floating') + of_type('fixed')
    elif address == 'fixed':
        candidates = of_type('fixed')
    else:
        candidates = of_type('fixed', address)
    # A stable sort: the order of Nova's list within each IP version.
    candidates.sort(key=lambda entry: entry.get('version') != 4)
    return candidates[0].get('addr') if candidates else None


def host_names(servers):
    """``[(host name, server)]``: each server under its name; among servers of
    the same name, those created later get ``<name>-<short id>``."""
    taken, named = set(), []
    for server in sorted(servers, key=lambda s: (s.get('created_at') or '', s['id'])):
        name = server.get('name') or server['id']
        if name in taken:
            name = '%s-%s' % (name, server['id'][:8])
            if name in taken:
                name = server['id']
        taken.add(name)
        named.append((name, server))
    return named


def select_servers(servers, only_active=True):
    """The servers that become hosts."""
    return [server for server in servers if not only_active or server.get('status') == 'ACTIVE']


def default_groups(record):
    """The groups a server's record puts its host in, before sanitizing:
    its project, its flavor and each metadata item."""
    groups = ['project_%s' % (record.get('project_name') or record.get('project_id'))]
    flavor = record.get('flavor') or {}
    flavor_name = flavor.get('original_name') or flavor.get('id')
    if flavor_name:
        groups.append('flavor_%s' % flavor_name)
    groups.extend('meta_%s_%s' % item for item in sorted((record.get('metadata') or {}).items()))
    return groups


def cloud_label(cloud):
    """The cloud, as error messages name it."""
    if isinstance(cloud, dict):
        auth_url = (cloud.get('auth') or {}).get('auth_url')
        return 'the cloud given as a dictionary' + (' (auth_url %s)' % auth_url if auth_url else '')
    if cloud is None:
        return 'the cloud of the OS_CLOUD or OS_* environment variables'
    return 'cloud %r' % (cloud,)


# ---------------------------------------------------------------------------
# The plugin


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'nimbus.openstack.servers'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(FILE_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if OPENSTACKSDK_IMPORT_ERROR is not None:
            raise AnsibleParserError('%s needs the openstacksdk Python library on the controller: %s'
                                     % (self.NAME, OPENSTACKSDK_IMPORT_ERROR.strip().splitlines()[-1]))
        self._populate(self._records(path, cache))

    def _records(self, path, cache):
        """The servers' records, from the cache when it is on and ``cache`` allows,
        else from the cloud (and then into the cache)."""
        key = self.get_cache_key(path)
        use_cache = self.get_option('cache')
        if use_cache and cache:
            try:
                return self._cache[key]
            except KeyError:
                pass  # expired or never written
        records = self._fetch()
        if use_cache:
            self._cache[key] = records
        return records

    def _fetch(self):
        cloud = self.get_option('cloud')
        try:
            kwargs = connection_kwargs({'cloud': cloud, 'api_timeout': self.get_option('api_timeout')})
        except TypeError as exc:
            raise AnsibleParserError('%s: option cloud: %s' % (self.NAME, exc)) from exc
        label = cloud_label(cloud)
        try:
            conn = openstack.connect(app_name=APP_NAME, **kwargs)
            # Authenticate now, so that bad credentials are reported as such.
            conn.session.get_token()
        except API_ERRORS as exc:
            raise AnsibleParserError('%s: cannot connect to %s: %s' % (self.NAME, label, error_message(exc))) from exc
        try:
            query = {'all_projects': True} if self.get_option('all_projects') else {}
            servers = [server.to_dict(computed=False) for server in conn.compute.servers(details=True, **query)]
            names = self._project_names(conn, {server.get('project_id') for server in servers})
        except API_ERRORS as exc:
            raise AnsibleParserError('%s: cannot list the servers of %s: %s' % (self.NAME, label, error_message(exc))) from exc
        finally:
            conn.close()
        return [server_record(server, names.get(server.get('project_id'))) for server in servers]

    def _project_names(self, conn, project_ids):
        """``{project id: name}``, one lookup per project."""
        names = {}
        for project_id in sorted(filter(None, project_ids)):
            try:
                names[project_id] = conn.identity.get_project(project_id).name
            except API_ERRORS as exc:
                if project_id == conn.current_project_id and conn.current_project.name:
                    names[project_id] = conn.current_project.name
                else:
                    self.display.warning('%s: project %s is named by its id: %s' % (self.NAME, project_id, error_message(exc)))
        return names

    def _populate(self, records):
        address = self.get_option('address')
        strict = self.get_option('strict')
        for name, record in host_names(select_servers(records, self.get_option('only_active'))):
            self.inventory.add_host(name)
            self.inventory.set_variable(name, 'openstack', record)
            host_address = choose_address(record.get('addresses'), address)
            if host_address:
                self.inventory.set_variable(name, 'ansible_host', host_address)
            for group in default_groups(record):
                group = self.inventory.add_group(self._sanitize_group_name(group))
                self.inventory.add_child(group, name)
            host_vars = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option('compose'), host_vars, name, strict)
            self._add_host_to_composed_groups(self.get_option('groups'), host_vars, name, strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, name, strict)

# Private to this collection: not a public API, may change without notice.
"""Servers (Nova instances) on the generic engine.

What is special about a server:

- most of what makes it (image, flavor, networks, key, user data, config
  drive, availability zone) cannot change in place: the module compares each
  with what the server has and fails naming the options that differ, instead
  of ignoring them or rebuilding the server;
- its networks are its ports (Neutron), compared entry by entry: a network
  (with a fixed address or not), or a port given by the task;
- metadata, tags, security groups and the description change in place, each
  through its own call; metadata and tags not named by the task are kept
  unless ``purge_metadata`` / ``purge_tags`` say otherwise;
- it never gets a floating IP from this module (that is ``floating_ip``'s);
- it can boot from a new volume made from its image (``boot_from_volume``):
  its image, the volume's size and whether the volume goes with the server
  are then those of its root volume;
- a server that goes to ERROR fails the task with Nova's fault message.

The functions before the class are pure and unit-tested.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._network import canonical_ip
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    ResourceModule,
    Updates,
    merge_list,
    plan_mapping,
    string_mapping,
    to_plain,
    values_equal,
)

# ---------------------------------------------------------------------------
# Pure helpers


def check_network_entries(entries):
    """Problems of the ``networks`` option, each naming its entry; [] when fine."""
    problems = []
    for index, entry in enumerate(entries or []):
        where = 'networks[%d]' % index
        given = [key for key in ('network', 'port') if entry.get(key)]
        if len(given) != 1:
            problems.append('%s needs either network or port (not both)' % where)
        if entry.get('fixed_ip'):
            if entry.get('port'):
                problems.append('%s: fixed_ip goes with network; a port has its own addresses' % where)
            try:
                ipaddress.ip_address(entry['fixed_ip'])
            except ValueError:
                problems.append('%s: fixed_ip %r is no IP address' % (where, entry['fixed_ip']))
    return problems


def nova_networks(wanted):
    """The ``networks`` body of Nova's create call from the resolved entries
    (``{network_id, port_id, fixed_ip}``)."""
    body = []
    for entry in wanted:
        if entry.get('port_id'):
            body.append({'port': entry['port_id']})
        else:
            item = {'uuid': entry['network_id']}
            if entry.get('fixed_ip'):
                item['fixed_ip'] = entry['fixed_ip']
            body.append(item)
    return body


def _port_serves(entry, port):
    if entry.get('port_id'):
        return port.get('id') == entry['port_id']
    if port.get('network_id') != entry['network_id']:
        return False
    addresses = [canonical_ip(ip.get('ip_address')) for ip in port.get('fixed_ips') or []]
    return not entry.get('fixed_ip') or canonical_ip(entry['fixed_ip']) in addresses


def networks_match(wanted, ports):
    """Whether the server's ports are those the entries ask for: each entry has
    its own port, and there is no other port. Entries with a port or a fixed
    address claim theirs first."""
    remaining = list(ports)
    for entry in sorted(wanted, key=lambda e: not (e.get('port_id') or e.get('fixed_ip'))):
        port = next((p for p in remaining if _port_serves(entry, p)), None)
        if port is None:
            return False
        remaining.remove(port)
    return not remaining


def encode_user_data(text):
    """User data as Nova takes it: base64 of the UTF-8 text."""
    return base64.b64encode(text.encode('utf-8')).decode('ascii')


def decode_user_data(value):
    """Nova's base64 user data as text; None when there is none or it is no text."""
    if not value:
        return None
    try:
        return base64.b64decode(value).decode('utf-8')
    except (binascii.Error, UnicodeDecodeError):
        return None


def has_config_drive(value):
    """Nova shows ``config_drive`` as ``"True"``, ``""`` or a boolean."""
    return value is True or str(value).lower() == 'true'


def fault_of(server):
    """Nova's reason for a server in ERROR, in one line (or None)."""
    fault = server.get('fault') or {}
    message = fault.get('message')
    if not message:
        return None
    details = (fault.get('details') or '').strip().splitlines()
    # The last line of the details is the exception, when there is one.
    tail = details[-1].strip() if details else ''
    message = message.strip()
    return message if not tail or tail in message or tail.endswith(message) else '%s (%s)' % (message, tail)


def boot_volume_mapping(image_id, size, terminate):
    """Nova's ``block_device_mapping_v2`` to boot from a new volume made from the image."""
    return [{'boot_index': 0, 'uuid': image_id, 'source_type': 'image', 'destination_type': 'volume',
             'volume_size': size, 'delete_on_termination': bool(terminate)}]


def root_attachment(attachments, root_device_name=None):
    """Of a server's volume attachments (``[{device, volume_id, ...}]``), that
    of its root volume: on the root device when it is known (Nova shows it to
    administrators), else on the first device (the root is booted first)."""
    if root_device_name:
        return next((entry for entry in attachments if entry.get('device') == root_device_name), None)
    return min(attachments, key=lambda entry: entry.get('device') or '~', default=None)


def fixed_mismatches(want, have):
    """``[(option, current, wanted)]`` for the create-only options that differ;
    ``want`` maps option -> wanted value (None: not asked), ``have`` the same
    options' current values."""
    return [(option, have.get(option), value) for option, value in want.items()
            if value is not None and not values_equal(value, have.get(option))]


# ---------------------------------------------------------------------------
# The module's engine

# Create-only options -> what describes them in the mismatch message.
FIXED_OPTIONS = ('image', 'flavor', 'networks', 'key_name', 'user_data', 'config_drive', 'availability_zone',
                 'boot_from_volume', 'volume_size', 'terminate_volume')
# Those that only a server booted from a volume has, read from its root volume.
ROOT_VOLUME_OPTIONS = ('image', 'volume_size', 'terminate_volume')


class ServerResource(ResourceModule):
    """A server, its metadata, tags and security groups.

    The plain server that :meth:`present` returns carries ``ports`` (its
    Neutron ports) and ``security_group_ids`` (the groups of those ports).
    """

    resource_name = 'server'
    service = 'compute'
    attributes = ('name', 'description')
    identity = ('name',)
    ready_status = 'ACTIVE'
    wait_on_delete = True

    # -- what the task asks for

    def resolve(self):
        params = self.params
        self._fixed, self._wanted_networks, want = {}, None, {}
        if self.state == 'absent':
            return want
        problems = check_network_entries(params.get('networks'))
        if problems:
            self.fail_json(msg='; '.join(problems))
        if params.get('image') is not None:
            self._fixed['image'] = want['image_id'] = self.lookup('image', params['image'], service='image')
        if params.get('flavor') is not None:
            want['flavor_id'] = self.lookup('flavor', params['flavor'])
            self.action = 'reading flavor %r' % params['flavor']
            self._fixed['flavor'] = self.proxy.get_flavor(want['flavor_id']).name
        if params.get('networks') is not None:
            self._wanted_networks = [self._network_entry(entry) for entry in params['networks']]
            want['networks'] = nova_networks(self._wanted_networks)
        for option in ('key_name', 'availability_zone', 'config_drive'):
            if params.get(option) is not None:
                self._fixed[option] = want[option] = params[option]
        self._resolve_boot_volume(want)
        if params.get('user_data') is not None:
            self._fixed['user_data'] = params['user_data']
            want['user_data'] = encode_user_data(params['user_data'])
        if params.get('metadata') is not None:
            try:
                metadata = string_mapping(params['metadata'], 'metadata')
            except ValueError as exc:
                self.fail_json(msg=str(exc))
            want['metadata'] = {key: value for key, value in metadata.items() if value is not None}
            self._metadata = metadata
        if params.get('tags') is not None:
            want['tags'] = list(dict.fromkeys(params['tags']))
        if params.get('security_groups') is not None:
            want['security_group_ids'] = sorted({
                self.lookup('security_group', group, service='network', project_id=self._project_id())
                for group in params['security_groups']})
        return want

    def _resolve_boot_volume(self, want):
        params = self.params
        loose = [option for option in ('volume_size', 'terminate_volume') if params.get(option) is not None]
        if loose and not params.get('boot_from_volume'):
            self.fail_json(msg='set boot_from_volume=true to use %s' % ' and '.join(loose))
        if params.get('volume_size') is not None and params['volume_size'] < 1:
            self.fail_json(msg='volume_size: %d is no size; a volume has at least 1 GiB' % params['volume_size'])
        for option in ('boot_from_volume', 'volume_size', 'terminate_volume'):
            if params.get(option) is not None:
                self._fixed[option] = params[option]
        if params.get('boot_from_volume') and 'image_id' in want:
            # Nova boots from the volume, made from the image: no imageRef then.
            want['block_device_mapping'] = boot_volume_mapping(
                want.pop('image_id'), params.get('volume_size'), params.get('terminate_volume'))

    def _project_id(self):
        return self.conn.current_project_id

    def _network_entry(self, entry):
        if entry.get('port'):
            return {'port_id': self.lookup('port', entry['port'], service='network')}
        return {'network_id': self.lookup('network', entry['network'], service='network'),
                'fixed_ip': canonical_ip(entry['fixed_ip']) if entry.get('fixed_ip') else None}

    def check_create(self, desired):
        needed = {'image': self._fixed.get('image'), 'flavor': desired.get('flavor_id'),
                  'networks': desired.get('networks')}
        if self.params.get('boot_from_volume'):
            needed['volume_size'] = self.params.get('volume_size')
        missing = [option for option, value in needed.items() if value is None]
        if missing:
            self.fail_json(msg='%s does not exist; to create it, set %s' % (
                self.describe(desired), ' and '.join(missing)))

    # -- what the server has

    def present(self, resource):
        plain = to_plain(resource)
        self.action = 'listing the ports of server %r' % plain.get('name')
        plain['ports'] = sorted((to_plain(port) for port in self.conn.network.ports(device_id=plain['id'])),
                                key=lambda port: port['id'])
        plain['security_group_ids'] = sorted({group for port in plain['ports']
                                              for group in port.get('security_group_ids') or []})
        return plain

    def _current_fixed(self, current, fixed):
        image_id = (current.get('image') or {}).get('id')
        have = {
            'image': image_id,
            'flavor': (current.get('flavor') or {}).get('original_name'),
            'networks': ('match' if self._wanted_networks is None
                         or networks_match(self._wanted_networks, current['ports']) else 'other'),
            'key_name': current.get('key_name'),
            'user_data': decode_user_data(current.get('user_data')),
            'config_drive': has_config_drive(current.get('has_config_drive')),
            'availability_zone': current.get('availability_zone'),
            # Nova shows no image for a server booted from a volume.
            'boot_from_volume': not image_id,
        }
        if not image_id and set(fixed) & set(ROOT_VOLUME_OPTIONS):
            have.update(self._root_volume(current))
        return have

    def _root_volume(self, current):
        """The create-only options of a server booted from a volume, as its root volume has them."""
        self.action = 'reading the volumes of server %r' % current.get('name')
        root = root_attachment([to_plain(entry) for entry in self.proxy.volume_attachments(current['id'])],
                               current.get('root_device_name'))
        if root is None:
            return dict.fromkeys(ROOT_VOLUME_OPTIONS)
        volume = self.conn.block_storage.get_volume(root['volume_id'])
        return {'image': (volume.volume_image_metadata or {}).get('image_id'), 'volume_size': volume.size,
                'terminate_volume': root.get('delete_on_termination')}

    def updates(self, desired, current):
        if (current.get('status') or '').upper() == 'ERROR':
            # Nova's list leaves the fault out; a server's own GET has it.
            self.action = 'reading the fault of %s' % self.describe(desired)
            fault = fault_of(current) or fault_of(to_plain(self.proxy.get_server(current['id'])))
            self.fail_json(msg='%s is in status ERROR: %s; delete it (state=absent) and create it again' % (
                self.describe(desired), fault or 'Nova gives no reason'), server=current)
        fixed = dict(self._fixed)
        if self.params.get('networks') is not None:
            fixed['networks'] = 'match'
        have = self._current_fixed(current, fixed) if fixed else {}
        if 'user_data' in fixed and have['user_data'] is None and current.get('user_data') is None:
            # Only administrators see user data: what cannot be read cannot be compared.
            fixed.pop('user_data')
        mismatches = fixed_mismatches(fixed, have)
        if mismatches:
            self.fail_json(msg='%s: %s cannot change on an existing server (%s); delete and re-create it,'
                               ' or leave the option as it is' % (
                                   self.describe(desired), ', '.join(option for option, _h, _w in mismatches),
                                   '; '.join(self._mismatch_text(*m) for m in mismatches)))
        updates = Updates()
        if desired.get('description') is not None and desired['description'] != current.get('description'):
            updates['description'] = desired['description']
        if 'metadata' in desired:
            to_set, to_remove, after = plan_mapping(current.get('metadata'), self._metadata,
                                                    self.params.get('purge_metadata'))
            if to_set or to_remove:
                updates.plan['metadata'] = (to_set, to_remove)
                updates['metadata'] = after
        if 'tags' in desired:
            tags = merge_list(current.get('tags'), desired['tags'], self.params.get('purge_tags'))
            if not values_equal(sorted(tags), sorted(current.get('tags') or [])):
                updates['tags'] = tags
        if 'security_group_ids' in desired and desired['security_group_ids'] != current['security_group_ids']:
            updates['security_group_ids'] = desired['security_group_ids']
        return updates

    @staticmethod
    def _mismatch_text(option, have, want):
        if option == 'networks':
            return 'networks: its ports are not those the task lists'
        if option == 'user_data':
            return 'user_data differs'
        return '%s is %r, the task asks for %r' % (option, have, want)

    # -- raw API calls

    def create(self, desired):
        attrs = dict(desired)
        groups = attrs.pop('security_group_ids', None)
        if groups is not None:
            attrs['security_groups'] = [{'name': group} for group in groups]
        return self.proxy.create_server(**attrs)

    def update(self, current, updates):
        server_id = current['id']
        if 'description' in updates:
            self.proxy.update_server(server_id, description=updates['description'])
        to_set, to_remove = updates.plan.get('metadata', ({}, []))
        if to_set:
            self.proxy.set_server_metadata(server_id, **to_set)
        if to_remove:
            self.proxy.delete_server_metadata(server_id, to_remove)
        if 'tags' in updates:
            self.proxy.get_server(server_id).set_tags(self.proxy, updates['tags'])
        if 'security_group_ids' in updates:
            wanted, have = set(updates['security_group_ids']), set(current['security_group_ids'])
            # Add first: a server is never left with fewer groups than either state has.
            for group in sorted(wanted - have):
                self.proxy.add_security_group_to_server(server_id, group)
            for group in sorted(have - wanted):
                self.proxy.remove_security_group_from_server(server_id, group)
        return self.present(self.proxy.get_server(server_id))

    def delete(self, current):
        self.proxy.delete_server(current['id'], ignore_missing=True)

    def failure_reason(self, resource):
        return fault_of(to_plain(resource))

    def _wait_ready(self, resource, what):
        if not hasattr(resource, 'to_dict'):
            # update() returns the plain server of present() (SDK resources are
            # dicts too): an update leaves it ACTIVE.
            return resource
        return self.present(super()._wait_ready(resource, what))

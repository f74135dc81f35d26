# Private to this collection: not a public API, may change without notice.
"""Networking (Neutron) resources on the generic engine: networks, subnets, routers.

What is special about them:

- a subnet's addresses are compared in canonical form (``2001:DB8::/64`` is
  ``2001:db8::/64``), and its IP version follows from its CIDR when unset;
- a router's external gateway is compared field by field (only the fields the
  task sets), and its interfaces are router ports, not an attribute: they are
  added and removed to match the task, the router's result gets them under
  ``interfaces``, and deleting a router removes them first.

The functions before the classes are pure and unit-tested.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    ResourceModule,
    to_plain,
)

# ---------------------------------------------------------------------------
# Pure helpers: addresses


def canonical_cidr(cidr):
    """``cidr`` in the form Neutron returns it (lower case, compressed IPv6).

    A value that is no network (host bits set, not an address) is returned
    unchanged, for Neutron to refuse with its own message.
    """
    try:
        return str(ipaddress.ip_network(str(cidr), strict=True))
    except ValueError:
        return cidr


def canonical_ip(address):
    """An IP address in the form Neutron returns it; other values unchanged."""
    try:
        return str(ipaddress.ip_address(str(address)))
    except ValueError:
        return address


def ip_version_of(cidr):
    """4 or 6 for a CIDR; None when it is no network."""
    try:
        return ipaddress.ip_network(str(cidr), strict=False).version
    except ValueError:
        return None


def canonical_pools(pools):
    """Allocation pools (``[{start, end}]``) with canonical addresses."""
    return [{'start': canonical_ip(pool['start']), 'end': canonical_ip(pool['end'])} for pool in pools]


def canonical_routes(routes):
    """Host routes (``[{destination, nexthop}]``) with canonical addresses."""
    return [{'destination': canonical_cidr(route['destination']), 'nexthop': canonical_ip(route['nexthop'])}
            for route in routes]


def _address(value, option, problems, version=None):
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        problems.append('%s: %r is no IP address' % (option, value))
        return None
    if version and address.version != version:
        problems.append('%s: %s is an IPv%d address, the subnet is IPv%d' % (option, value, address.version, version))
        return None
    return address


def subnet_problems(cidr=None, ip_version=None, gateway_ip=None, allocation_pools=None, host_routes=None,
                    dns_nameservers=None):
    """What is wrong with a subnet's addresses, each naming its option; [] when nothing.

    The checks Neutron would make only after the request (or not at all), made
    before any call so that check mode predicts the failure too.
    """
    problems, network = [], None
    if cidr is not None:
        try:
            network = ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            problems.append('cidr: %r is no network in CIDR notation (such as 10.0.0.0/24)' % (cidr,))
        else:
            if '/' not in str(cidr):
                problems.append('cidr: %s has no prefix length (such as /24)' % (cidr,))
            elif ipaddress.ip_address(str(cidr).split('/', maxsplit=1)[0]) != network.network_address:
                problems.append('cidr: %s has host bits set; the network is %s' % (cidr, network))
            if ip_version and network.version != ip_version:
                problems.append('ip_version is %d but cidr %s is IPv%d' % (ip_version, cidr, network.version))
    version = network.version if network else ip_version
    gateway = None
    if gateway_ip is not None:
        gateway = _address(gateway_ip, 'gateway_ip', problems, version)
        if gateway and network and network.version == 4 and network.prefixlen < 31 and gateway in (
                network.network_address, network.broadcast_address):
            problems.append('gateway_ip: %s is the network or broadcast address of %s' % (gateway_ip, network))
    ranges = []
    for index, pool in enumerate(allocation_pools or []):
        where = 'allocation_pools[%d]' % index
        start = _address(pool.get('start'), where + '.start', problems, version)
        end = _address(pool.get('end'), where + '.end', problems, version)
        if not (start and end):
            continue
        if start > end:
            problems.append('%s: start %s is after end %s' % (where, start, end))
            continue
        if network and (start not in network or end not in network):
            problems.append('%s: %s-%s is not inside cidr %s' % (where, start, end, network))
        if gateway and start <= gateway <= end:
            problems.append('%s: %s-%s holds gateway_ip %s' % (where, start, end, gateway))
        for other_index, (other_start, other_end) in ranges:
            if start <= other_end and other_start <= end:
                problems.append('%s overlaps allocation_pools[%d]' % (where, other_index))
        ranges.append((index, (start, end)))
    for index, route in enumerate(host_routes or []):
        where = 'host_routes[%d]' % index
        try:
            ipaddress.ip_network(str(route.get('destination')), strict=True)
        except ValueError:
            problems.append('%s.destination: %r is no network in CIDR notation' % (where, route.get('destination')))
        _address(route.get('nexthop'), where + '.nexthop', problems)
    for index, server in enumerate(dns_nameservers or []):
        _address(server, 'dns_nameservers[%d]' % index, problems)
    return problems


# ---------------------------------------------------------------------------
# Pure helpers: a router's external gateway

# Fields of a router's external_gateway_info that the module manages.
GATEWAY_FIELDS = ('network_id', 'enable_snat', 'external_fixed_ips')


def fixed_ips_match(want, have):
    """Whether the router's gateway addresses ``have`` are those the task asks
    for: every wanted ``{subnet_id, ip_address}`` has its own current entry (a
    wanted entry without ``ip_address`` takes any address of its subnet), and
    there are no others."""
    remaining = list(have or [])
    # Entries with an address first, so that an "any address" entry does not
    # take the one a specific entry needs.
    for wanted in sorted(want, key=lambda entry: entry.get('ip_address') is None):
        match = next((entry for entry in remaining
                      if entry.get('subnet_id') == wanted['subnet_id']
                      and wanted.get('ip_address') in (None, entry.get('ip_address'))), None)
        if match is None:
            return False
        remaining.remove(match)
    return not remaining


def gateway_update(want, have):
    """The ``external_gateway_info`` to send, or None when nothing is to change.

    ``want`` is None (leave the gateway alone), ``{}`` (no gateway) or a dict
    with ``network_id`` and, when the task sets them, ``enable_snat`` and
    ``external_fixed_ips``. ``have`` is the router's current value (None when
    it has no gateway).

    On the same network, an ``enable_snat`` the task leaves unset is sent as
    it is now: Neutron would otherwise reset it to its default.
    """
    if want is None:
        return None
    have = have or {}
    if not want:
        return {} if have.get('network_id') else None
    if want['network_id'] != have.get('network_id'):
        return {key: want[key] for key in GATEWAY_FIELDS if want.get(key) is not None}
    changed = False
    body = {'network_id': want['network_id']}
    if want.get('enable_snat') is not None:
        body['enable_snat'] = want['enable_snat']
        changed = want['enable_snat'] != have.get('enable_snat')
    elif have.get('enable_snat') is not None:
        body['enable_snat'] = have['enable_snat']
    if want.get('external_fixed_ips') is not None:
        body['external_fixed_ips'] = want['external_fixed_ips']
        changed = changed or not fixed_ips_match(want['external_fixed_ips'], have.get('external_fixed_ips'))
    return body if changed else None


# ---------------------------------------------------------------------------
# Pure helpers: a router's interfaces

# device_owner of the ports that connect a router to a subnet.
ROUTER_INTERFACE_OWNERS = (
    'network:router_interface',
    'network:router_interface_distributed',
    'network:ha_router_replicated_interface',
)


def interface_key(interface):
    return (interface.get('subnet_id') or '', interface.get('ip_address') or '', interface.get('port_id') or '')


def router_interfaces(ports):
    """The interfaces of a router, from its ports: one ``{subnet_id,
    ip_address, port_id}`` per address of each interface port, sorted."""
    interfaces = []
    for port in ports:
        if port.get('device_owner') not in ROUTER_INTERFACE_OWNERS:
            continue
        for fixed_ip in port.get('fixed_ips') or []:
            interfaces.append({'subnet_id': fixed_ip.get('subnet_id'),
                               'ip_address': fixed_ip.get('ip_address'),
                               'port_id': port.get('id')})
    return sorted(interfaces, key=interface_key)


def unique_interfaces(wanted):
    """The wanted interfaces (``{subnet_id, ip_address}``) without repeats, in order."""
    unique = []
    for interface in wanted:
        entry = {'subnet_id': interface['subnet_id'], 'ip_address': interface.get('ip_address')}
        if entry not in unique:
            unique.append(entry)
    return unique


def plan_interfaces(want, have, purge):
    """``(to_add, to_remove)``: the interfaces to add to a router and those to
    remove from it so that it has those of ``want``.

    A wanted interface without ``ip_address`` is satisfied by any interface on
    its subnet. Current interfaces that no wanted one claims are removed only
    with ``purge``.
    """
    remaining = list(have)
    to_add = []
    for wanted in sorted(unique_interfaces(want), key=lambda entry: entry['ip_address'] is None):
        match = next((entry for entry in remaining
                      if entry['subnet_id'] == wanted['subnet_id']
                      and wanted['ip_address'] in (None, entry.get('ip_address'))), None)
        if match is None:
            to_add.append(wanted)
        else:
            remaining.remove(match)
    return to_add, (remaining if purge else [])


def interface_steps(to_add, to_remove):
    """The plan as ordered ``(verb, interface)`` steps: additions first, so that
    a failed one leaves the router with every interface it had; then the
    removals; then the additions on a subnet whose current interface is
    removed (Neutron gives a router one port per subnet)."""
    replaced = {entry['subnet_id'] for entry in to_remove}
    return ([('add', entry) for entry in to_add if entry['subnet_id'] not in replaced]
            + [('remove', entry) for entry in to_remove]
            + [('add', entry) for entry in to_add if entry['subnet_id'] in replaced])


def predict_interfaces(have, to_add, to_remove):
    """The interfaces a router is expected to have after the plan (for check
    mode); the ports of new ones are not known yet."""
    after = [entry for entry in have if entry not in to_remove]
    after.extend({'subnet_id': entry['subnet_id'], 'ip_address': entry.get('ip_address'), 'port_id': None}
                 for entry in to_add)
    return sorted(after, key=interface_key)


# ---------------------------------------------------------------------------
# The resources


class NetworkResource(ResourceModule):
    resource_name = 'network'
    service = 'network'
    attributes = ('name', 'description', 'is_admin_state_up', 'is_router_external', 'is_shared',
                  'is_port_security_enabled', 'mtu', 'provider_network_type',
                  'provider_physical_network', 'provider_segmentation_id')
    identity = ('name', 'project_id')
    create_only = ('project_id', 'provider_network_type', 'provider_physical_network',
                   'provider_segmentation_id')

    def resolve(self):
        if self.params.get('project') is None:
            return {}
        return {'project_id': self.lookup('project', self.params['project'], service='identity')}


class SubnetResource(ResourceModule):
    resource_name = 'subnet'
    service = 'network'
    attributes = ('name', 'description', 'is_dhcp_enabled', 'dns_nameservers', 'ipv6_address_mode',
                  'ipv6_ra_mode')
    identity = ('name', 'network_id')
    create_only = ('network_id', 'cidr', 'ip_version', 'ipv6_address_mode', 'ipv6_ra_mode')
    unordered = ('allocation_pools', 'host_routes')

    def resolve(self):
        params = self.params
        if self.state == 'present':
            problems = subnet_problems(**{key: params.get(key) for key in (
                'cidr', 'ip_version', 'gateway_ip', 'allocation_pools', 'host_routes', 'dns_nameservers')})
            if problems:
                self.fail_json(msg='; '.join(problems))
        want = {'network_id': self.lookup('network', params['network'])}
        if params.get('cidr') is not None:
            want['cidr'] = canonical_cidr(params['cidr'])
        if params.get('ip_version') is not None:
            want['ip_version'] = int(params['ip_version'])
        if params.get('gateway_ip') is not None:
            want['gateway_ip'] = canonical_ip(params['gateway_ip'])
        if params.get('allocation_pools') is not None:
            want['allocation_pools'] = canonical_pools(params['allocation_pools'])
        if params.get('host_routes') is not None:
            want['host_routes'] = canonical_routes(params['host_routes'])
        return want

    def updates(self, desired, current):
        updates = super().updates(desired, current)
        # No gateway is a None that the task sets on purpose (the engine reads
        # None as "leave alone").
        if self.params.get('disable_gateway_ip') and current.get('gateway_ip') is not None:
            updates['gateway_ip'] = None
        return updates

    def desired(self):
        want = super().desired()
        if self.params.get('disable_gateway_ip'):
            # Sent as null on create; see updates() for an existing subnet.
            want['gateway_ip'] = None
        return want

    def check_create(self, desired):
        if desired.get('cidr') is None:
            self.fail_json(msg='%s does not exist; to create it, set cidr' % self.describe(desired))

    def create(self, desired):
        attrs = dict(desired)
        if 'ip_version' not in attrs and ip_version_of(attrs.get('cidr')):
            attrs['ip_version'] = ip_version_of(attrs['cidr'])
        return self.proxy.create_subnet(**attrs)


class RouterResource(ResourceModule):
    """A router, its external gateway, and its interfaces (ports on subnets).

    The plain router returned by :meth:`find`, :meth:`create` and
    :meth:`update` carries ``interfaces``; :meth:`updates` plans the interface
    changes and hands the plan to :meth:`update` in its ``Updates.plan``.
    """

    resource_name = 'router'
    service = 'network'
    attributes = ('name', 'description', 'is_admin_state_up')
    identity = ('name', 'project_id')
    create_only = ('project_id',)

    def resolve(self):
        params = self.params
        want = {}
        if params.get('project') is not None:
            want['project_id'] = self.lookup('project', params['project'], service='identity')
        if self.state == 'absent':
            # Only what identifies the router matters for a delete.
            return want
        network = params.get('external_gateway_network')
        if network == '':
            want['external_gateway_info'] = {}
        elif network is not None:
            gateway = {'network_id': self.lookup('network', network)}
            if params.get('enable_snat') is not None:
                gateway['enable_snat'] = params['enable_snat']
            if params.get('external_fixed_ips') is not None:
                gateway['external_fixed_ips'] = [
                    dict({'subnet_id': self.lookup('subnet', entry['subnet'], network_id=gateway['network_id'])},
                         **({'ip_address': canonical_ip(entry['ip_address'])} if entry.get('ip_address') else {}))
                    for entry in params['external_fixed_ips']]
            want['external_gateway_info'] = gateway
        if params.get('interfaces') is not None:
            wanted = [self._interface(index, self._interface_entry(item))
                      for index, item in enumerate(params['interfaces'])]
            want['interfaces'] = predict_interfaces([], unique_interfaces(wanted), [])
        return want

    def _interface(self, index, entry):
        """``{subnet_id, ip_address}`` of an entry, its address checked against
        its subnet before any change (Neutron would refuse it only after the
        interface it replaces was removed)."""
        subnet_id = self.lookup('subnet', entry['subnet'])
        address = entry.get('ip_address')
        if not address:
            return {'subnet_id': subnet_id, 'ip_address': None}
        self.action = 'reading subnet %r' % entry['subnet']
        cidr = self.proxy.get_subnet(subnet_id).cidr
        try:
            inside = ipaddress.ip_address(str(address)) in ipaddress.ip_network(cidr)
        except ValueError:
            self.fail_json(msg='interfaces[%d].ip_address: %r is no IP address' % (index, address))
        if not inside:
            self.fail_json(msg='interfaces[%d].ip_address: %s is not in subnet %s (%s)' % (
                index, address, entry['subnet'], cidr))
        return {'subnet_id': subnet_id, 'ip_address': canonical_ip(address)}

    def _interface_entry(self, item):
        if isinstance(item, dict):
            if not item.get('subnet'):
                self.fail_json(msg='each entry of interfaces needs a subnet: %r' % (item,))
            unknown = sorted(set(item) - {'subnet', 'ip_address'})
            if unknown:
                self.fail_json(msg='unknown keys %s in an entry of interfaces (known: subnet, ip_address)'
                                   % ', '.join(unknown))
            return item
        return {'subnet': str(item)}

    def present(self, resource):
        plain = to_plain(resource)
        self.action = 'listing the interfaces of router %r' % plain.get('name')
        plain['interfaces'] = router_interfaces(to_plain(port) for port in self.proxy.ports(device_id=plain['id']))
        return plain

    def updates(self, desired, current):
        desired = dict(desired)
        gateway = desired.pop('external_gateway_info', None)
        interfaces = desired.pop('interfaces', None)
        updates = super().updates(desired, current)
        body = gateway_update(gateway, current.get('external_gateway_info'))
        if body is not None:
            updates['external_gateway_info'] = body
        if interfaces is not None:
            to_add, to_remove = plan_interfaces(interfaces, current['interfaces'],
                                                self.params.get('purge_interfaces'))
            if to_add or to_remove:
                updates.plan['interfaces'] = (to_add, to_remove)
                updates['interfaces'] = predict_interfaces(current['interfaces'], to_add, to_remove)
        return updates

    def _change_interfaces(self, router_id, to_add, to_remove, have=()):
        removed = []
        for verb, interface in interface_steps(to_add, to_remove):
            if verb == 'remove':
                self.action = 'removing the interface on subnet %s from router %s' % (
                    interface['subnet_id'], router_id)
                self._remove_interface(router_id, interface, have)
                removed.append(interface)
                continue
            self.action = 'adding an interface on subnet %s to router %s' % (interface['subnet_id'], router_id)
            try:
                self._add_interface(router_id, interface)
            except Exception:
                # The interface this one replaces goes back before the task fails.
                for old in (entry for entry in removed if entry['subnet_id'] == interface['subnet_id']):
                    self._add_interface(router_id, old)
                raise

    def _remove_interface(self, router_id, interface, have):
        # By port, unless the port also carries another subnet (IPv6 subnets
        # of one network share a router port): then by subnet, which takes
        # only that subnet's address off it.
        shared = sum(1 for entry in have if entry.get('port_id') == interface['port_id']) > 1
        if shared:
            self.proxy.remove_interface_from_router(router_id, subnet=interface['subnet_id'])
        else:
            self.proxy.remove_interface_from_router(router_id, port=interface['port_id'])

    def _add_interface(self, router_id, interface):
        if not interface.get('ip_address'):
            self.proxy.add_interface_to_router(router_id, subnet=interface['subnet_id'])
            return
        subnet = self.proxy.get_subnet(interface['subnet_id'])
        port = self.proxy.create_port(
            network_id=subnet.network_id,
            fixed_ips=[{'subnet_id': interface['subnet_id'], 'ip_address': interface['ip_address']}])
        try:
            self.proxy.add_interface_to_router(router_id, port=port.id)
        except Exception:
            # Neutron refused the interface: the port made for it goes too.
            self.proxy.delete_port(port.id, ignore_missing=True)
            raise

    def create(self, desired):
        attrs = dict(desired)
        interfaces = attrs.pop('interfaces', None) or []
        if not attrs.get('external_gateway_info'):
            attrs.pop('external_gateway_info', None)
        router = self.proxy.create_router(**attrs)
        self._change_interfaces(router.id, unique_interfaces(interfaces), [])
        return self.present(self.proxy.get_router(router.id))

    def update(self, current, updates):
        attrs = {key: value for key, value in updates.items() if key != 'interfaces'}
        if attrs:
            self.proxy.update_router(current['id'], **attrs)
        to_add, to_remove = updates.plan.get('interfaces', ([], []))
        self._change_interfaces(current['id'], to_add, to_remove, current['interfaces'])
        return self.present(self.proxy.get_router(current['id']))

    def delete(self, current):
        # Neutron refuses to delete a router that still has interfaces.
        interfaces = current.get('interfaces') or []
        self._change_interfaces(current['id'], [], interfaces, interfaces)
        self.proxy.delete_router(current['id'], ignore_missing=True)

    def result(self, changed, before, after):
        # Neutron shows a router without gateway with a null external_gateway_info,
        # not the {} that asks for none: check mode predicts what it will show.
        if after and after.get('external_gateway_info') == {}:
            after = dict(after, external_gateway_info=None)
        return super().result(changed, before, after)

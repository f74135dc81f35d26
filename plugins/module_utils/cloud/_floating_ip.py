# Private to this collection: not a public API, may change without notice.
"""Networking (Neutron) floating IPs on the generic engine.

What is special about a floating IP:

- it has no name: it is identified by its address when the task gives one,
  otherwise by the fixed IP it is attached to (the task's server or port),
  so that a re-run for the same server finds the address it got the first
  time instead of allocating another;
- the fixed IP is one port and one IPv4 address of it: a server with several
  ports, or a port with several IPv4 addresses, fails the task until it says
  which (:func:`choose_port`, :func:`choose_fixed_address`);
- ``reuse`` takes a free address of the credentials' project before
  allocating one (never an address of another project);
- ``state=detached`` keeps the address allocated but attached to nothing;
- Neutron sets it ACTIVE once the L3 agent has set up its NAT, and DOWN
  once detached: with ``wait``, the task waits for that.

The functions before the class are pure and unit-tested.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._network import canonical_ip
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    ReferenceNotFound,
    ResourceModule,
    to_plain,
)

# ---------------------------------------------------------------------------
# Pure helpers


def ipv4_addresses(port):
    """The IPv4 fixed addresses of a port (floating IPs are IPv4 only), in order."""
    addresses = []
    for entry in port.get('fixed_ips') or []:
        try:
            if ipaddress.ip_address(str(entry.get('ip_address'))).version == 4:
                addresses.append(entry['ip_address'])
        except ValueError:
            continue
    return addresses


def _addresses(port):
    return [entry.get('ip_address') for entry in port.get('fixed_ips') or []]


def choose_port(ports, network_id=None, fixed_address=None):
    """The one port of a server that a floating IP is for.

    ``ports`` are the server's ports (plain dicts). Only those on
    ``network_id`` and holding ``fixed_address`` count (when set), and only
    those with an IPv4 address. Raises ValueError saying why when none or
    several do.
    """
    candidates = [
        port for port in ports
        if network_id in (None, port.get('network_id'))
        and (fixed_address is None or fixed_address in _addresses(port))
        and ipv4_addresses(port)
    ]
    if len(candidates) == 1:
        return candidates[0]
    where = ''.join([' on network %s' % network_id if network_id else '',
                     ' holding %s' % fixed_address if fixed_address else ''])
    if not candidates:
        raise ValueError('has no port with an IPv4 address%s (its ports: %s)' % (
            where, describe_ports(ports) or 'none'))
    raise ValueError('has %d ports with an IPv4 address%s (%s): say which with fixed_network or fixed_address' % (
        len(candidates), where, describe_ports(candidates)))


def describe_ports(ports):
    """``<id> on network <id> (10.0.0.5)``, for each port, for messages."""
    return '; '.join('%s on network %s (%s)' % (
        port.get('id'), port.get('network_id'), ', '.join(_addresses(port)) or 'no address') for port in ports)


def choose_fixed_address(port, fixed_address=None):
    """The fixed address of ``port`` that a floating IP is for.

    ``fixed_address`` when set (it must be one of the port's); otherwise the
    port's only IPv4 address. Raises ValueError saying why when there is none,
    or several.
    """
    if fixed_address is not None:
        if fixed_address not in _addresses(port):
            raise ValueError('has no address %s (its addresses: %s)' % (
                fixed_address, ', '.join(_addresses(port)) or 'none'))
        return fixed_address
    addresses = ipv4_addresses(port)
    if len(addresses) == 1:
        return addresses[0]
    if not addresses:
        raise ValueError('has no IPv4 address for a floating IP')
    raise ValueError('has %d IPv4 addresses (%s): say which with fixed_address' % (
        len(addresses), ', '.join(addresses)))


def select_free(floating_ips, project_id, network_id=None):
    """The free floating IP (attached to nothing) of ``project_id`` to reuse,
    on ``network_id`` when set: the lowest address, or None."""
    free = [
        fip for fip in floating_ips
        if not fip.get('port_id') and fip.get('project_id') == project_id
        and network_id in (None, fip.get('floating_network_id'))
    ]
    return min(free, key=lambda fip: ipaddress.ip_address(fip['floating_ip_address']), default=None)


def attachment_update(target, current):
    """``{port_id, fixed_ip_address}`` to send to attach the floating IP
    ``current`` to ``target`` (the same keys), ``{port_id: None,
    fixed_ip_address: None}`` to detach it when ``target`` is ``{}``, or {}
    when it is attached so already. None ``target`` leaves it as it is."""
    if target is None:
        return {}
    want = {'port_id': target.get('port_id'), 'fixed_ip_address': target.get('fixed_ip_address')}
    have = {'port_id': current.get('port_id'), 'fixed_ip_address': current.get('fixed_ip_address')}
    if not want['port_id']:
        return want if have['port_id'] else {}
    return want if want != have else {}


def expected_status(floating_ip):
    """The status Neutron gives a floating IP once set up: ACTIVE when attached."""
    return 'ACTIVE' if floating_ip.get('port_id') else 'DOWN'


# ---------------------------------------------------------------------------
# The resource


class _NothingAttached(Exception):
    """state=detached or absent: the task's server or port does not exist,
    or has no floating IP."""


class FloatingIpResource(ResourceModule):
    """A floating IP, found by address or by what it is attached to.

    :meth:`resolve` turns the task's server or port into ``self.target``
    (``{port_id, fixed_ip_address}``); the floating IP's attachment is
    compared with it by :meth:`updates`. ``desired`` holds the attributes to
    allocate with (and the attachment for ``state=present``).
    """

    resource_name = 'floating_ip'
    sdk_type = 'ip'
    service = 'network'
    attributes = ('description',)
    identity = ('floating_ip_address',)
    create_only = ('floating_network_id',)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = None

    # -- what the task asks for

    def resolve(self):
        params = self.params
        want = {}
        if params.get('network') is not None:
            want['floating_network_id'] = self.lookup('network', params['network'])
        if params.get('floating_ip_address') is not None:
            want['floating_ip_address'] = canonical_ip(params['floating_ip_address'])
        try:
            self.target = self._resolve_target()
        except ReferenceNotFound:
            if self.state == 'present':
                raise
            # No such server or port: nothing is attached to it.
            raise _NothingAttached() from None
        if self.target is None and 'floating_ip_address' not in want:
            self.fail_json(msg='say which floating IP: set floating_ip_address, server or port'
                               ' (without them, each run would allocate another address)')
        if self.state == 'present' and self.target:
            want.update(self.target)
        return want

    def _resolve_target(self):
        """``{port_id, fixed_ip_address}`` of the task's server or port; None
        when the task names neither."""
        params = self.params
        fixed_address = canonical_ip(params['fixed_address']) if params.get('fixed_address') else None
        if params.get('port') is not None:
            what = 'port %r' % params['port']
            port = to_plain(self.proxy.get_port(self.lookup('port', params['port'])))
        elif params.get('server') is not None:
            what = 'server %r' % params['server']
            server_id = self.lookup('server', params['server'], service='compute')
            network_id = self.lookup('network', params['fixed_network']) if params.get('fixed_network') else None
            self.action = 'listing the ports of server %r' % params['server']
            ports = [to_plain(port) for port in self.proxy.ports(device_id=server_id)]
            try:
                port = choose_port(ports, network_id, fixed_address)
            except ValueError as exc:
                self.fail_json(msg='%s %s' % (what, exc))
        else:
            if fixed_address:
                self.fail_json(msg='fixed_address needs server or port')
            return None
        try:
            return {'port_id': port['id'], 'fixed_ip_address': choose_fixed_address(port, fixed_address)}
        except ValueError as exc:
            self.fail_json(msg='%s: port %s %s' % (what, port['id'], exc))

    def describe(self, desired):
        if desired.get('floating_ip_address'):
            return 'floating IP %s' % desired['floating_ip_address']
        if self.target:
            return 'floating IP of port %s (%s)' % (self.target['port_id'], self.target['fixed_ip_address'])
        return 'floating IP'

    # -- the sequence

    def run(self):
        try:
            return super().run()
        except _NothingAttached:
            return self.result(False, None, None)

    def find(self, desired):
        address = desired.get('floating_ip_address')
        network_id = desired.get('floating_network_id')
        query = {'floating_ip_address': address} if address else dict(self.target)
        if self.state != 'present' and address and self.target:
            # Detach or release the address only where the task says it is.
            query.update(self.target)
        if network_id and not address:
            query['floating_network_id'] = network_id
        self.action = 'looking for the %s' % self.describe(desired)
        found = [fip for fip in self.proxy.ips(**query)
                 if all(fip.get(key) == value for key, value in query.items())]
        if len(found) > 1:
            self.fail_json(msg='%d floating IPs match (%s): say which with network or fixed_address' % (
                len(found), ', '.join(sorted(fip.floating_ip_address for fip in found))))
        if found:
            return found[0]
        if self.state != 'present' and self.target:
            raise _NothingAttached()
        if self.state == 'present' and self.params.get('reuse') and not address:
            project_id = self.conn.current_project_id
            self.action = 'looking for a free floating IP of project %s to reuse' % project_id
            query = {'project_id': project_id}
            if network_id:
                query['floating_network_id'] = network_id
            return select_free(list(self.proxy.ips(**query)), project_id, network_id)
        return None

    def check_create(self, desired):
        if desired.get('floating_network_id') is None:
            self.fail_json(msg='the %s does not exist; to allocate it, set network (the external'
                               ' network to allocate it from)' % self.describe(desired))

    def updates(self, desired, current):
        desired = {key: value for key, value in desired.items() if key not in ('port_id', 'fixed_ip_address')}
        updates = super().updates(desired, current)
        target = self.target if self.state == 'present' else {}
        updates.update(attachment_update(target, current))
        return updates

    # -- raw API calls

    def update(self, current, updates):
        body = dict(updates)
        if 'port_id' in body and body['port_id'] is None:
            # Neutron detaches on a null port_id alone.
            body.pop('fixed_ip_address', None)
        return self.proxy.update_ip(current, **body)

    def _wait_ready(self, resource, what):
        self.ready_status = expected_status(resource)
        return super()._wait_ready(resource, what)

    def result(self, changed, before, after):
        result = super().result(changed, before, after)
        if self.state == 'detached':
            result[self.resource_name] = after
        return result

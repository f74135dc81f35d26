# Private to this collection: not a public API, may change without notice.
"""Networking (Neutron) ports on the generic engine.

What is special about a port:

- its fixed IPs are the whole list the task gives, but an entry without an
  address is satisfied by any address on its subnet, and the addresses the
  port has are sent back as they are so that an update never renumbers it
  (:func:`plan_fixed_ips`);
- its security groups are named in the port's project (every project has a
  group called ``default``), and compared without regard to order;
- Neutron disables port security only on a port without security groups.

The functions before the class are pure and unit-tested.
"""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._network import canonical_ip
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import ResourceModule


def _matches(wanted, entry):
    return all(wanted.get(key) in (None, entry.get(key)) for key in ('subnet_id', 'ip_address'))


def plan_fixed_ips(want, have):
    """The ``fixed_ips`` to send to make the port's ``have`` what ``want``
    asks for, or None when it has them already.

    A wanted entry has a ``subnet_id``, an ``ip_address`` or both; it claims
    one current entry it matches (entries with an address first, so that an
    "any address" entry does not take the address a specific one needs).
    Claimed entries are sent as they are, keeping their addresses; the others
    as the task gives them (Neutron picks the address of an entry without
    one). Current entries that no wanted entry claims are dropped.
    """
    remaining = list(have or [])
    claimed = {}
    for index in sorted(range(len(want)), key=lambda i: ('ip_address' not in want[i], 'subnet_id' not in want[i])):
        match = next((entry for entry in remaining if _matches(want[index], entry)), None)
        if match is not None:
            remaining.remove(match)
            claimed[index] = {'subnet_id': match.get('subnet_id'), 'ip_address': match.get('ip_address')}
    if len(claimed) == len(want) and not remaining:
        return None
    return [claimed.get(index, want[index]) for index in range(len(want))]


def fixed_ip_entry(subnet_id, ip_address):
    """A wanted fixed IP with only the keys the task sets, the address in canonical form."""
    entry = {}
    if subnet_id is not None:
        entry['subnet_id'] = subnet_id
    if ip_address is not None:
        entry['ip_address'] = canonical_ip(ip_address)
    return entry


class PortResource(ResourceModule):
    resource_name = 'port'
    service = 'network'
    attributes = ('name', 'description', 'is_admin_state_up', 'is_port_security_enabled')
    identity = ('name', 'network_id', 'project_id')
    create_only = ('network_id', 'project_id')
    unordered = ('security_group_ids',)

    def resolve(self):
        params = self.params
        want = {}
        if params.get('project') is not None:
            want['project_id'] = self.lookup('project', params['project'], service='identity')
        if params.get('network') is not None:
            want['network_id'] = self.lookup('network', params['network'])
        if self.state == 'absent':
            # Only what identifies the port matters for a delete.
            return want
        if params.get('fixed_ips') is not None:
            want['fixed_ips'] = []
            for entry in params['fixed_ips']:
                if entry.get('subnet') is None and entry.get('ip_address') is None:
                    self.fail_json(msg='each entry of fixed_ips needs a subnet, an ip_address or both: %r'
                                       % (entry,))
                subnet_id = None
                if entry.get('subnet') is not None:
                    subnet_id = self.lookup('subnet', entry['subnet'], network_id=want.get('network_id'))
                want['fixed_ips'].append(fixed_ip_entry(subnet_id, entry.get('ip_address')))
        if params.get('security_groups') is not None:
            # By name in the port's project: each project has its own "default".
            project_id = want.get('project_id') or self.conn.current_project_id
            want['security_group_ids'] = sorted({
                self.lookup('security_group', group, project_id=project_id)
                for group in params['security_groups']})
        return want

    def check_create(self, desired):
        if desired.get('network_id') is None:
            self.fail_json(msg='%s does not exist; to create it, set network' % self.describe(desired))

    def updates(self, desired, current):
        desired = dict(desired)
        fixed_ips = desired.pop('fixed_ips', None)
        updates = super().updates(desired, current)
        if fixed_ips is not None:
            body = plan_fixed_ips(fixed_ips, current.get('fixed_ips'))
            if body is not None:
                updates['fixed_ips'] = body
        if (updates.get('is_port_security_enabled') is False and desired.get('security_group_ids') is None
                and current.get('security_group_ids')):
            self.fail_json(msg='%s has security groups: Neutron disables port security only on a port'
                               ' without any; set security_groups: [] too' % self.describe(desired))
        return updates

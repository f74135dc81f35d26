# Private to this collection: not a public API, may change without notice.
"""A compute host taken out of service (its nova-compute service disabled) or
out of the cloud (its servers moved away, its nova-compute service, leftover
resource providers and Neutron agents deleted).

Everything that can make the task fail before a change (servers left on the
host without ``migrate``, servers in a state that cannot be moved) is worked
out from listed data first, by the pure functions before the class, which are
unit-tested. :class:`ComputeHostModule` then takes the steps in order, each
guarded by check mode.
"""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._base import (
    OpenStackModule,
    WaitTimeout,
    poll,
    sdk_exceptions,
)
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import to_plain

BINARY = 'nova-compute'
DEFAULT_REASON = 'disabled by nimbus.openstack.compute_host'
REASON_MAX = 255
# How many servers a message names; the count says how many there are.
SHOWN = 10
# Nova allows a live migration from these statuses, a cold one from SHUTOFF.
LIVE_STATUSES = ('ACTIVE', 'PAUSED')
COLD_STATUSES = ('SHUTOFF',)
# The server is moving already (a re-run after a timeout): wait for it.
MOVING_STATUSES = ('MIGRATING', 'RESIZE')
# Statuses of a migration record that Nova no longer counts as under way.
FINISHED_MIGRATION_STATUSES = ('completed', 'confirmed', 'reverted', 'error', 'failed', 'cancelled', 'done')


# ---------------------------------------------------------------------------
# What the task asks for, and views of what is listed


def validate(params):
    """Raise ValueError, naming the option, for options that do not go together."""
    if not (params.get('host') or '').strip():
        raise ValueError('host must be the name of a compute host, as Nova knows it')
    reason = params.get('reason')
    if params.get('state') != 'enabled' and not (reason or '').strip():
        raise ValueError('reason must be a non-empty text (why the service is disabled)')
    if len(reason or '') > REASON_MAX:
        raise ValueError('reason must be at most %d characters long (Nova keeps no more), not %d' % (
            REASON_MAX, len(reason)))
    if params.get('migrate') and params.get('state') == 'enabled':
        raise ValueError('migrate=true goes with state=disabled (move the servers off a host that'
                         ' stays) or state=absent, not with state=enabled')


def on_host(items, host):
    """The listed items (services, agents: plain dicts) whose ``host`` is
    ``host``; a list filter is only a hint."""
    return [item for item in items if item.get('host') == host]


def servers_on_host(servers, host):
    """The servers that run on ``host``: Nova's host filter is the hint,
    ``compute_host`` the check."""
    return [server for server in servers if server.get('compute_host') == host]


def service_view(service):
    return {key: service.get(key) for key in ('id', 'binary', 'status', 'state', 'disabled_reason')}


def agent_view(agent):
    return {'id': agent.get('id'), 'binary': agent.get('binary'), 'alive': agent.get('is_alive')}


def label(server):
    """``name (id)``, or the id of a server without a name."""
    return '%s (%s)' % (server['name'], server['id']) if server.get('name') else server['id']


def labels(servers):
    """The first :data:`SHOWN` servers' labels, and how many more there are."""
    shown = ', '.join(label(server) for server in servers[:SHOWN])
    more = len(servers) - SHOWN
    return shown + (', and %d more' % more if more > 0 else '')


def host_not_found(host, services):
    """The message for a host that has no nova-compute service."""
    known = sorted({service.get('host') for service in services if service.get('host')})
    return 'no %s service on host %s; known compute hosts: %s' % (
        BINARY, host, ', '.join(known) if known else 'none')


def refusal(host, servers):
    """Why ``state=absent`` without ``migrate`` does nothing while servers remain."""
    return ('host %s still runs %d server%s: %s. Delete them or move them to another host,'
            ' or set migrate=true to have them migrated; nothing was changed' % (
                host, len(servers), '' if len(servers) == 1 else 's', labels(servers)))


def service_updates(service, state, reason):
    """The service attributes to change for ``state`` (enabled or disabled), {} when none."""
    if state == 'enabled':
        # Enabling clears the reason as well.
        if service.get('status') != 'enabled' or service.get('disabled_reason'):
            return {'status': 'enabled'}
        return {}
    if service.get('status') != 'disabled' or service.get('disabled_reason') != reason:
        return {'status': 'disabled', 'disabled_reason': reason}
    return {}


def apply_updates(service, updates):
    """The service view as ``updates`` make it (check mode's prediction)."""
    after = dict(service, **updates)
    if after.get('status') == 'enabled':
        after['disabled_reason'] = None
    return after


def plan_moves(servers):
    """Sort the host's servers by how to move them: ``live`` (ACTIVE, PAUSED),
    ``cold`` (SHUTOFF), ``moving`` (already migrating: only wait) and
    ``stuck`` (any other status, or a task under way: cannot be moved)."""
    plan = {'live': [], 'cold': [], 'moving': [], 'stuck': []}
    for server in servers:
        status = (server.get('status') or '').upper()
        task = server.get('task_state')
        if status in MOVING_STATUSES or task in ('migrating', 'resize_prep', 'resize_migrating',
                                                 'resize_migrated', 'resize_finish'):
            plan['moving'].append(server)
        elif task:
            plan['stuck'].append(server)
        elif status in LIVE_STATUSES:
            plan['live'].append(server)
        elif status in COLD_STATUSES:
            plan['cold'].append(server)
        else:
            plan['stuck'].append(server)
    return plan


def unmovable(host, servers):
    """The message for servers that cannot be migrated as they are."""
    described = ', '.join('%s: %s%s' % (label(server), server.get('status'),
                                        ' (task %s)' % server['task_state'] if server.get('task_state') else '')
                          for server in servers[:SHOWN])
    more = len(servers) - SHOWN
    return ('host %s has %d server%s that cannot be migrated as %s: %s%s. Only ACTIVE and'
            ' PAUSED servers are live-migrated and SHUTOFF ones cold-migrated: bring them to'
            ' one of those states, move or delete them; nothing was changed' % (
                host, len(servers), '' if len(servers) == 1 else 's',
                'it is' if len(servers) == 1 else 'they are', described,
                ', and %d more' % more if more > 0 else ''))


def move_outcome(server, host):
    """Where the migration of ``server`` (a plain dict, None once deleted)
    stands: None while under way, ``'confirm'`` when a cold migration waits for
    its confirmation, ``'done'`` when the server is off the host, or a text
    saying why it failed."""
    if server is None:
        return 'done'
    status = (server.get('status') or '').upper()
    if status == 'ERROR':
        fault = (server.get('fault') or {}).get('message')
        return 'is in ERROR' + (': %s' % fault if fault else '')
    if status == 'VERIFY_RESIZE':
        return 'confirm'
    if status in MOVING_STATUSES or server.get('task_state'):
        return None
    if server.get('compute_host') != host:
        return 'done'
    return 'is still on the host, %s: the migration failed (see nova-conductor\'s log or' \
           ' "openstack server migration list --server %s")' % (status, server['id'])


def unfinished(migrations):
    """The migrations (plain dicts) that Nova still counts as under way: it
    refuses to delete a compute service while one from or to it is, and a live
    migration's record finishes a little after its server has moved."""
    return [m for m in migrations if (m.get('status') or '').lower() not in FINISHED_MIGRATION_STATUSES]


def provider_names(host, hypervisors):
    """The names the host's resource providers may have: Nova names a compute
    node's provider by its hypervisor hostname (``host`` or ``host.domain``)."""
    return {host} | {hypervisor.get('name') for hypervisor in hypervisors if hypervisor.get('name')}


def stale_providers(providers, host, own_names, other_names):
    """The resource providers left by ``host``: named as one of ``own_names``,
    as ``host`` or ``host.<domain>``, but not as another host's hypervisor."""
    return [provider for provider in providers
            if provider.get('name') not in other_names
            and (provider.get('name') in own_names or (provider.get('name') or '').startswith(host + '.'))]


def diff_view(services, agents, servers):
    """What the diff shows of the host: small and readable."""
    service = services[0] if services else None
    return {
        'service': None if service is None else {
            key: service.get(key) for key in ('status', 'state', 'disabled_reason')},
        'agents': sorted(agent.get('binary') for agent in agents),
        'servers': sorted(server['id'] for server in servers),
    }


def host_view(host, services, agents, servers, migrated):
    """The ``compute_host`` result."""
    return {
        'host': host,
        'services': [service_view(service) for service in services],
        'agents': [agent_view(agent) for agent in agents],
        'servers': sorted(server['id'] for server in servers),
        'migrated': sorted(migrated),
    }


# ---------------------------------------------------------------------------
# The module


class ComputeHostModule(OpenStackModule):
    """Lists the host's service, agents and servers, checks, then changes."""

    # Migrating servers takes longer than the usual waits.
    default_timeout = 1800

    def run(self):
        try:
            validate(self.params)
        except ValueError as exc:
            self.fail_json(msg=str(exc))
        self.host = host = self.params['host']
        self.action = 'listing the %s services' % BINARY
        services = on_host([to_plain(s) for s in self.conn.compute.services(binary=BINARY, host=host)], host)
        if len(services) > 1:
            self.fail_json(msg='host %s has %d %s services (ids: %s): Nova knows it in several cells;'
                               ' delete the stale ones first' % (
                                   host, len(services), BINARY, ', '.join(str(s['id']) for s in services)))
        agents = self.list_agents()
        servers = self.list_servers()
        if self.params['state'] == 'absent':
            return self.remove(services, agents, servers)
        if not services:
            self.action = 'listing the %s services' % BINARY
            self.fail_json(msg=host_not_found(host, [to_plain(s) for s in self.conn.compute.services(binary=BINARY)]))
        return self.set_status(services[0], agents, servers)

    # -- listings

    def list_agents(self):
        self.action = 'listing the Neutron agents of host %s' % self.host
        return on_host([to_plain(a) for a in self.conn.network.agents(host=self.host)], self.host)

    def list_servers(self):
        self.action = 'listing the servers on host %s' % self.host
        listed = self.conn.compute.servers(all_projects=True, compute_host=self.host)
        return servers_on_host([to_plain(s) for s in listed], self.host)

    def result(self, changed, before, after, migrated=()):
        result = {'changed': changed,
                  'compute_host': host_view(self.host, after['services'], after['agents'],
                                            after['servers'], migrated)}
        if self.diff_mode:
            result['diff'] = {'before': diff_view(**before), 'after': diff_view(**after)}
        return result

    # -- state=enabled / disabled

    def set_status(self, service, agents, servers):
        before = {'services': [service], 'agents': agents, 'servers': servers}
        updates = service_updates(service, self.params['state'], self.params['reason'])
        drain = servers if self.params['migrate'] else []
        moves = plan_moves(drain)
        if moves['stuck']:
            self.fail_json(msg=unmovable(self.host, moves['stuck']))
        if not (updates or drain):
            return self.result(False, before, before)
        after_service = apply_updates(service, updates) if updates else service
        after = dict(before, services=[after_service], servers=[s for s in servers if s not in drain])
        migrated = [server['id'] for server in drain]
        if updates and not self.check_mode:
            self.action = 'setting the %s service of host %s %s' % (BINARY, self.host, updates['status'])
            if updates['status'] == 'enabled':
                changed = self.conn.compute.enable_service(service['id'], host=self.host, binary=BINARY)
            else:
                changed = self.conn.compute.disable_service(service['id'], host=self.host, binary=BINARY,
                                                            disabled_reason=updates['disabled_reason'])
            if changed is not None:
                after['services'] = [dict(after_service, **{k: v for k, v in service_view(to_plain(changed)).items()
                                                            if v is not None and k != 'id'})]
        if drain and not self.check_mode:
            self.migrate(moves)
        return self.result(True, before, after, migrated)

    # -- state=absent

    def remove(self, services, agents, servers):
        host = self.host
        before = {'services': services, 'agents': agents, 'servers': servers}
        hypervisors = self.list_hypervisors()
        own = provider_names(host, [h for h in hypervisors if (h.get('service_details') or {}).get('host') == host])
        others = {h.get('name') for h in hypervisors if (h.get('service_details') or {}).get('host') != host}
        providers = self.list_providers(own, others)
        if not (services or agents or providers or servers):
            return self.result(False, before, before)
        if servers and not self.params['migrate']:
            self.fail_json(msg=refusal(host, servers))
        moves = plan_moves(servers)
        if moves['stuck']:
            self.fail_json(msg=unmovable(host, moves['stuck']))
        if servers and not services:
            self.fail_json(msg='host %s has no %s service to migrate its servers from: %s' % (
                host, BINARY, labels(servers)))
        after = {'services': [], 'agents': [], 'servers': []}
        migrated = [server['id'] for server in servers]
        if self.check_mode:
            return self.result(True, before, after, migrated)

        for service in services:
            if service.get('status') != 'disabled':
                self.action = 'disabling the %s service of host %s' % (BINARY, host)
                self.conn.compute.disable_service(service['id'], host=host, binary=BINARY,
                                                  disabled_reason=self.params['reason'])
        if servers:
            self.migrate(moves)
        if services:
            self.wait_for_migrations()
        for service in services:
            if service.get('state') == 'up':
                self.warn('%s on host %s still runs: stop it, or it registers the host again when it'
                          ' restarts' % (BINARY, host))
            self.action = 'deleting the %s service of host %s' % (BINARY, host)
            self.conn.compute.delete_service(service['id'], ignore_missing=True)
        self.delete_providers(own, others)
        for agent in agents:
            if agent.get('is_alive'):
                self.warn('Neutron agent %s on host %s is alive: stop it, or it registers again at its'
                          ' next report' % (agent.get('binary'), host))
            self.action = 'deleting the Neutron agent %s of host %s' % (agent.get('binary'), host)
            self.conn.network.delete_agent(agent['id'], ignore_missing=True)
        return self.result(True, before, after, migrated)

    def wait_for_migrations(self):
        def probe():
            self.action = 'listing the migrations of host %s' % self.host
            return None if unfinished([to_plain(m) for m in self.conn.compute.migrations(host=self.host)]) else True

        self.wait_for(probe, 'the migrations from and to host %s to finish' % self.host, interval=3.0)

    def list_hypervisors(self):
        """Name and host of every hypervisor. Microversion 2.88 added each
        host's uptime to this listing, which Nova asks every host for over RPC:
        a host whose nova-compute has just stopped (still "up" for a minute)
        would hold the listing until the RPC times out, then fail it; 2.87 has no uptime."""
        self.action = 'listing the hypervisors'
        response = self.conn.compute.get('/os-hypervisors/detail', microversion='2.87')
        sdk_exceptions.raise_from_response(response)
        return [{'name': h.get('hypervisor_hostname'), 'service_details': h.get('service') or {}}
                for h in response.json().get('hypervisors', [])]

    def list_providers(self, own, others):
        self.action = 'listing the resource providers'
        providers = [to_plain(p) for p in self.conn.placement.resource_providers()]
        return stale_providers(providers, self.host, own, others)

    def delete_providers(self, own, others):
        """Delete the providers Nova left behind when it deleted the service."""
        for provider in self.list_providers(own, others):
            self.action = 'deleting resource provider %s (%s)' % (provider.get('name'), provider['id'])
            try:
                self.conn.placement.delete_resource_provider(provider['id'], ignore_missing=True)
            except sdk_exceptions.ConflictException as exc:
                self.fail_json(changed=True, msg=(
                    'the %s service of host %s is deleted, but its resource provider %s (%s) cannot be:'
                    ' it still has allocations or child providers (%s). Find them with "openstack'
                    ' resource provider show --allocations %s", remove them and run the task again' % (
                        BINARY, self.host, provider.get('name'), provider['id'], exc, provider['id'])))

    def migrate(self, moves):
        """Move every server off the host, and wait until all are elsewhere."""
        compute = self.conn.compute
        for server in moves['live']:
            self.action = 'live-migrating server %s' % label(server)
            compute.live_migrate_server(server['id'], host=None, block_migration='auto')
        for server in moves['cold']:
            self.action = 'migrating server %s' % label(server)
            compute.migrate_server(server['id'])
        pending = {server['id']: server for server in moves['live'] + moves['cold'] + moves['moving']}
        confirmed, failed = set(), {}

        def probe():
            for server_id, server in list(pending.items()):
                try:
                    current = to_plain(compute.get_server(server_id))
                except sdk_exceptions.NotFoundException:
                    current = None
                outcome = move_outcome(current, self.host)
                if outcome == 'confirm':
                    if server_id not in confirmed:
                        self.action = 'confirming the migration of server %s' % label(server)
                        compute.confirm_server_resize(server_id)
                        confirmed.add(server_id)
                elif outcome == 'done':
                    del pending[server_id]
                elif outcome is not None:
                    failed[server_id] = '%s %s' % (label(server), outcome)
                    del pending[server_id]
            return None if pending else True

        self.action = 'waiting for the servers to leave host %s' % self.host
        try:
            # A migration goes on when the task times out: a re-run waits for it.
            poll(probe, self.params['timeout'], interval=5.0)
        except WaitTimeout:
            pass
        if pending or failed:
            self.stop_migration(failed, pending)
        # The source host finishes a migration (its records, Placement's
        # allocations) after the server has moved: its nova-compute must run
        # until then.
        self.wait_for_migrations()

    def stop_migration(self, failed, pending):
        reasons = list(failed.values())
        if pending:
            reasons.append('still on the host after %s seconds: %s' % (
                self.params['timeout'], labels(list(pending.values()))))
        self.fail_json(changed=True, msg=(
            'host %s: not every server could be migrated away; %s. The %s service of the host stays'
            ' disabled, so no new server lands there; fix these servers and run the task again' % (
                self.host, '; '.join(reasons), BINARY)))

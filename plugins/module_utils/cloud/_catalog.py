# Private to this collection: not a public API, may change without notice.
"""The Keystone catalog entries of several services in one go: each service,
its endpoints in one region, its user and that user's roles on the service
project.

One connection, one listing of each kind (services, endpoints of the region,
users of the domain, roles, role assignments on the project), then
:func:`plan_catalog` works out every step from those lists, before any change,
so that whatever makes the task fail (an ambiguous service, a missing role)
fails it before it has changed anything. :class:`CatalogModule` then takes the
steps in order, each guarded by check mode. Nothing the task does not name is
changed or deleted.

The functions before the class are pure and unit-tested.
"""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._base import (
    OpenStackModule,
    ksa_exceptions,
    sdk_exceptions,
)
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import to_plain

INTERFACES = ('public', 'internal', 'admin')
PROJECT_DESCRIPTION = 'Service users of the cloud'
DEFAULT_ROLES = ('admin', 'service')


class CatalogError(Exception):
    """The cloud's state stops the task (a clear failure, before any change)."""


# ---------------------------------------------------------------------------
# What the task asks for


def _text(value, option):
    if not isinstance(value, str) or not value.strip():
        raise ValueError('%s must be a non-empty string' % option)
    return value


def _user(user, where):
    roles = user.get('roles')
    roles = list(DEFAULT_ROLES) if roles is None else roles
    if not isinstance(roles, list):
        raise ValueError('%s.roles must be a list of role names' % where)
    names = []
    for index, role in enumerate(roles):
        role = _text(role, '%s.roles[%d]' % (where, index))
        if role not in names:
            names.append(role)
    return {
        'name': _text(user.get('name'), where + '.name'),
        'password': _text(user.get('password'), where + '.password'),
        'roles': names,
    }


def validate_services(services):
    """The task's ``services``, checked and in a normal form; raises ValueError
    with a message that names the option.

    Each becomes ``{name, type, description, is_enabled, endpoints, user}``
    (``user`` None or ``{name, password, roles}``). A service name comes once
    per task (it keys the diff); a user named by several services must have the
    same password in each.
    """
    wanted, names, passwords = [], {}, {}
    for index, service in enumerate(services or []):
        where = 'services[%d]' % index
        name = _text(service.get('name'), where + '.name')
        if name in names:
            raise ValueError('%s.name: service %r is already services[%d]' % (where, name, names[name]))
        names[name] = index
        type_ = _text(service.get('type'), where + '.type')
        endpoints = {}
        for interface, url in (service.get('endpoints') or {}).items():
            if interface not in INTERFACES:
                raise ValueError('%s.endpoints: unknown interface %r (allowed: %s)' % (
                    where, interface, ', '.join(INTERFACES)))
            endpoints[interface] = _text(url, '%s.endpoints.%s' % (where, interface))
        user = None
        if service.get('user') is not None:
            user = _user(service['user'], where + '.user')
            first = passwords.setdefault(user['name'], (index, user['password']))
            if first[1] != user['password']:
                raise ValueError('%s.user.password: user %r has another password in services[%d]' % (
                    where, user['name'], first[0]))
        is_enabled = service.get('is_enabled')
        wanted.append({
            'name': name,
            'type': type_,
            'description': service.get('description'),
            'is_enabled': True if is_enabled is None else is_enabled,
            'endpoints': endpoints,
            'user': user,
        })
    return wanted


# ---------------------------------------------------------------------------
# What the cloud has (from plain dicts of the lists) and what to do about it


def find_service(services, name, type_):
    """The listed service called ``name`` of type ``type_``, or None."""
    matches = [s for s in services if s.get('name') == name and s.get('type') == type_]
    if len(matches) > 1:
        raise CatalogError('%d services are called %r with type %r (ids: %s): delete all but one' % (
            len(matches), name, type_, ', '.join(sorted(m['id'] for m in matches))))
    return matches[0] if matches else None


def find_endpoints(endpoints, service, region, interfaces):
    """``{interface: endpoint}`` of the listed ``service``'s endpoints in
    ``region`` for each of ``interfaces`` that it has."""
    found = {}
    for endpoint in endpoints:
        if (endpoint.get('service_id'), endpoint.get('region_id')) == (service['id'], region):
            found.setdefault(endpoint.get('interface'), []).append(endpoint)
    result = {}
    for interface in interfaces:
        matches = found.get(interface, [])
        if len(matches) > 1:
            raise CatalogError('service %r (%s) has %d %s endpoints in region %s (ids: %s): delete all but one' % (
                service.get('name'), service['id'], len(matches), interface, region,
                ', '.join(sorted(m['id'] for m in matches))))
        if matches:
            result[interface] = matches[0]
    return result


def user_roles(assignments, user_id, project_id):
    """The ids of the roles the user has directly on the project, from listed
    role assignments (plain dicts as openstacksdk lists them)."""
    roles = set()
    for assignment in assignments:
        scope = assignment.get('scope') or {}
        if 'OS-INHERIT:inherited_to' in scope:
            continue
        if ((assignment.get('user') or {}).get('id') == user_id
                and (scope.get('project') or {}).get('id') == project_id):
            roles.add((assignment.get('role') or {}).get('id'))
    return roles


def role_ids(roles, names):
    """``{name: id}`` of the listed (global) roles for ``names``."""
    ids = {}
    for name in names:
        matches = [role['id'] for role in roles if role.get('name') == name and not role.get('domain_id')]
        if not matches:
            raise CatalogError('role %r not found' % name)
        if len(matches) > 1:
            raise CatalogError('%d roles are called %r (ids: %s)' % (len(matches), name, ', '.join(sorted(matches))))
        ids[name] = matches[0]
    return ids


class Step(dict):
    """One change: ``kind`` (create_role, create_project, create_domain,
    create_service, update_service, create_endpoint, update_endpoint,
    create_user, update_user, check_password, assign_role,
    assign_domain_role), the name it belongs to (``service``, ``user``,
    ``role``, ``project`` or ``domain``), and what the call needs."""

    def describe(self):
        kind = self['kind']
        if kind == 'create_service':
            return 'create service %s (%s)' % (self['service'], self['attrs']['type'])
        if kind == 'update_service':
            return 'update service %s (%s)' % (self['service'], ', '.join(sorted(self['attrs'])))
        if kind in ('create_endpoint', 'update_endpoint'):
            return '%s endpoint %s %s' % (kind.split('_')[0], self['service'], self['interface'])
        if kind == 'create_user':
            return 'create user %s' % self['user']
        if kind == 'update_user':
            return 'update user %s (%s)' % (self['user'], ', '.join(sorted(self['attrs'])))
        if kind == 'check_password':
            return 'set password of user %s' % self['user']
        if kind in ('create_role', 'create_project', 'create_domain'):
            return '%s %s' % (kind.replace('_', ' '), self[kind.split('_')[1]])
        if kind == 'assign_domain_role':
            return 'assign role %s on domain %s to user %s' % (self['role'], self['domain'], self['user'])
        return 'assign role %s to user %s' % (self['role'], self['user'])


class Plan:
    """What :func:`plan_catalog` works out.

    ``steps``: a list of :class:`Step`. ``before`` and ``after``: the views of
    each service, ``{service name: {type, description, is_enabled, endpoints,
    user}}``, where ``endpoints`` holds the interfaces the task names and
    ``user``, only when the task names one, is ``{name, roles}`` (None before
    it exists); a service that does not exist yet is not in ``before``.
    ``service_ids`` and ``user_ids``: the ids of those that exist, by name.
    """

    def __init__(self):
        self.steps, self.before, self.after = [], {}, {}
        self.service_ids, self.user_ids = {}, {}


def plan_catalog(wanted, listed, region, project_id, domain_id, update_password='on_create'):
    """The :class:`Plan` that makes the cloud hold ``wanted`` (as
    :func:`validate_services` returns it).

    ``listed`` holds plain dicts: ``services``, ``endpoints`` (of the region),
    ``users`` (of the domain), ``roles`` and ``assignments`` (on the project).
    Raises :class:`CatalogError` when the task cannot be done.
    """
    plan = Plan()
    users = {}  # user name -> (its first mention, the roles all mentions want)
    for want in wanted:
        if want['user']:
            user = users.setdefault(want['user']['name'], (want['user'], {}))
            user[1].update(dict.fromkeys(want['user']['roles']))
    ids = role_ids(listed['roles'], sorted({role for _user, roles in users.values() for role in roles}))
    names = {role['id']: role.get('name') for role in listed['roles']}
    for want in wanted:
        _plan_service(plan, want, listed, region)
        if want['user']:
            name = want['user']['name']
            had = _find_user(listed['users'], name)
            roles = set() if had is None else user_roles(listed['assignments'], had['id'], project_id)
            roles = sorted(names.get(role, role) for role in roles)
            if want['name'] in plan.before:
                plan.before[want['name']]['user'] = {'name': name, 'roles': roles} if had else None
            plan.after[want['name']]['user'] = {'name': name, 'roles': sorted(set(roles) | set(users[name][1]))}
    for user, roles in users.values():
        _plan_user(plan, user, roles, listed, project_id, domain_id, ids, update_password)
    return plan


def _find_user(users, name):
    return next((user for user in users if user.get('name') == name), None)


def _plan_service(plan, want, listed, region):
    """The steps and views of one service and its endpoints."""
    name = want['name']
    current = find_service(listed['services'], name, want['type'])
    attrs = {'description': want['description'], 'is_enabled': want['is_enabled']}
    attrs = {key: value for key, value in attrs.items() if value is not None}
    endpoints = {}
    if current is None:
        plan.steps.append(Step(kind='create_service', service=name, attrs=dict(attrs, name=name, type=want['type'])))
    else:
        plan.service_ids[name] = current['id']
        updates = {key: value for key, value in attrs.items() if current.get(key) != value}
        if updates:
            plan.steps.append(Step(kind='update_service', service=name, id=current['id'], attrs=updates))
        endpoints = find_endpoints(listed['endpoints'], current, region, want['endpoints'])
    for interface, url in want['endpoints'].items():
        endpoint = endpoints.get(interface)
        if endpoint is None:
            plan.steps.append(Step(kind='create_endpoint', service=name, interface=interface,
                                   attrs={'interface': interface, 'url': url, 'region_id': region}))
        elif endpoint.get('url') != url:
            plan.steps.append(Step(kind='update_endpoint', service=name, interface=interface,
                                   id=endpoint['id'], attrs={'url': url}))
    view = {'type': want['type'], 'description': None, 'is_enabled': None,
            'endpoints': {interface: endpoint.get('url') for interface, endpoint in endpoints.items()}}
    if current is not None:
        view.update(description=current.get('description'), is_enabled=current.get('is_enabled'))
        plan.before[name] = view
    plan.after[name] = dict(view, endpoints=dict(view['endpoints'], **want['endpoints']), **attrs)


def _plan_user(plan, user, roles, listed, project_id, domain_id, ids, update_password):
    """The steps of one user (named by one service or more) and its roles."""
    had = _find_user(listed['users'], user['name'])
    if had is None:
        plan.steps.append(Step(kind='create_user', user=user['name'], attrs={
            'name': user['name'], 'password': user['password'],
            'domain_id': domain_id, 'default_project_id': project_id}))
        have = set()
    else:
        plan.user_ids[user['name']] = had['id']
        if had.get('default_project_id') != project_id:
            plan.steps.append(Step(kind='update_user', user=user['name'], id=had['id'],
                                   attrs={'default_project_id': project_id}))
        if update_password == 'always':
            plan.steps.append(Step(kind='check_password', user=user['name'], id=had['id'],
                                   attrs={'password': user['password']}))
        have = user_roles(listed['assignments'], had['id'], project_id)
    for role in roles:
        if ids[role] not in have:
            plan.steps.append(Step(kind='assign_role', user=user['name'], role=role, role_id=ids[role]))


# ---------------------------------------------------------------------------
# Roles, the service project and domains with their admins, made when missing


def validate_domains(domains):
    """The task's ``domains`` as ``[{name, description, admin}]`` (``admin``
    None or ``{name, password}``); ValueError naming the option."""
    wanted, names = [], set()
    for index, domain in enumerate(domains or []):
        where = 'domains[%d]' % index
        name = _text(domain.get('name'), where + '.name')
        if name in names:
            raise ValueError('%s.name: domain %r is named twice' % (where, name))
        names.add(name)
        admin = domain.get('admin')
        if admin is not None:
            admin = {'name': _text(admin.get('name'), where + '.admin.name'),
                     'password': _text(admin.get('password'), where + '.admin.password')}
        wanted.append({'name': name, 'description': domain.get('description'), 'admin': admin})
    return wanted


def missing_roles(roles, names):
    """The role names (of ``names``, in order, once each) that no listed global role has."""
    have = {role.get('name') for role in roles if not role.get('domain_id')}
    return [name for name in dict.fromkeys(names) if name not in have]


def domain_roles(assignments, user_id, domain_id):
    """The ids of the roles the user has directly on the domain."""
    return {(a.get('role') or {}).get('id') for a in assignments
            if (a.get('user') or {}).get('id') == user_id
            and ((a.get('scope') or {}).get('domain') or {}).get('id') == domain_id}


def plan_domains(wanted, listed, admin_role_id, update_password='on_create'):
    """The steps that make each domain of ``wanted`` (as :func:`validate_domains`
    returns it) and its admin, with the admin role on it.

    ``listed`` holds plain dicts: ``domains``, and per existing domain's id its
    ``domain_users`` and ``domain_assignments`` (on that domain).
    """
    steps = []
    for want in wanted:
        domain = next((d for d in listed['domains'] if d.get('name') == want['name']), None)
        if domain is None:
            attrs = {'name': want['name']}
            if want['description'] is not None:
                attrs['description'] = want['description']
            steps.append(Step(kind='create_domain', domain=want['name'], attrs=attrs))
        admin = want['admin']
        if admin is None:
            continue
        users = listed['domain_users'].get(domain['id'], []) if domain else []
        had = _find_user(users, admin['name'])
        if had is None:
            steps.append(Step(kind='create_user', user=admin['name'], domain=want['name'],
                              attrs={'name': admin['name'], 'password': admin['password']}))
        elif update_password == 'always':
            steps.append(Step(kind='check_password', user=admin['name'], id=had['id'],
                              attrs={'password': admin['password']}))
        have = domain_roles(listed['domain_assignments'].get(domain['id'], []), had['id'], domain['id']) \
            if had and domain else set()
        if admin_role_id not in have:
            steps.append(Step(kind='assign_domain_role', user=admin['name'], domain=want['name'],
                              role='admin', role_id=admin_role_id, user_id=had['id'] if had else None))
    return steps


# ---------------------------------------------------------------------------
# The module


class CatalogModule(OpenStackModule):
    """Lists once, plans with :func:`plan_catalog`, then takes the steps."""

    def run(self):
        params = self.params
        try:
            for option in ('region', 'project', 'domain'):
                _text(params[option], option)
            wanted = validate_services(params['services'])
            domains = validate_domains(params['domains'])
            roles = [_text(role, 'roles[%d]' % index) for index, role in enumerate(params['roles'])]
        except ValueError as exc:
            self.fail_json(msg=str(exc))
        if not (wanted or domains or roles):
            return self.result([], {}, {}, [])
        identity = self.conn.identity
        listed = self.list_all(params, domains)
        domain_id = self.find_domain(params['domain'], listed['domains'])
        project_id = self.find_project(params['project'], domain_id, params['create_project'])
        self.list_users(listed, domain_id, project_id)

        # What must exist before the services' users get their roles, and then
        # every other step, all worked out before the first change.
        first = [Step(kind='create_role', role=name, attrs={'name': name})
                 for name in missing_roles(listed['roles'], roles)]
        if project_id is None:
            first.insert(0, Step(kind='create_project', project=params['project'], attrs={
                'name': params['project'], 'domain_id': domain_id, 'description': PROJECT_DESCRIPTION}))
        ids = {'project': project_id or 'new:project', 'admins': {},
               'domains': {domain['name']: domain['id'] for domain in listed['domains']}}
        roles_after = listed['roles'] + [{'id': 'new:' + step['role'], 'name': step['role']}
                                         for step in first if step['kind'] == 'create_role']
        try:
            plan, later = self.plan(wanted, domains, dict(listed, roles=roles_after), ids['project'], domain_id)
        except CatalogError as exc:
            self.fail_json(msg=str(exc))
        if not listed['endpoints'] and any(step['kind'] == 'create_endpoint' for step in plan.steps):
            self.check_region(params['region'])

        changes = [step.describe() for step in first if self.take(step, plan, ids)]
        if first and not self.check_mode:  # again, with the ids of what was just made
            listed['roles'] = [to_plain(role) for role in identity.roles()]
            plan, later = self.plan(wanted, domains, listed, ids['project'], domain_id)
        changes += [step.describe() for step in later + plan.steps if self.take(step, plan, ids)]
        services = []
        for want in wanted:
            service = dict(name=want['name'], id=plan.service_ids.get(want['name']), **plan.after[want['name']])
            if want['user']:
                service['user'] = dict(service['user'], id=plan.user_ids.get(want['user']['name']))
            else:
                service['user'] = None
            services.append(service)
        return self.result(services, plan.before, plan.after, changes)

    def plan(self, wanted, domains, listed, project_id, domain_id):
        """The services' :class:`Plan`, and the steps of the domains."""
        params = self.params
        admin_id = role_ids(listed['roles'], ['admin'])['admin'] if any(d['admin'] for d in domains) else None
        later = plan_domains(domains, listed, admin_id, params['update_password'])
        plan = plan_catalog(wanted, listed, params['region'], project_id, domain_id, params['update_password'])
        return plan, later

    def list_all(self, params, domains):
        """The listings that do not depend on the service project: domains,
        services, endpoints of the region, roles, and the users and role
        assignments of each domain of O(domains) that exists."""
        identity = self.conn.identity
        self.action = 'listing the domains'
        listed = {'domains': [to_plain(domain) for domain in identity.domains()],
                  'domain_users': {}, 'domain_assignments': {}, 'users': [], 'assignments': []}
        for kind, call, query in (
                ('services', identity.services, {}),
                ('endpoints', identity.endpoints, {'region_id': params['region']}),
                ('roles', identity.roles, {})):
            self.action = 'listing the ' + kind
            listed[kind] = [to_plain(item) for item in call(**query)]
        names = {want['name'] for want in domains if want['admin']}
        for domain in listed['domains']:
            if domain.get('name') in names:
                self.action = 'listing the users and role assignments of domain %s' % domain['name']
                listed['domain_users'][domain['id']] = [to_plain(u) for u in identity.users(domain_id=domain['id'])]
                listed['domain_assignments'][domain['id']] = [
                    to_plain(a) for a in identity.role_assignments(scope_domain_id=domain['id'])]
        return listed

    def list_users(self, listed, domain_id, project_id):
        """The users of the domain, and the role assignments on the service project when it exists."""
        identity = self.conn.identity
        self.action = 'listing the users'
        listed['users'] = [to_plain(user) for user in identity.users(domain_id=domain_id)]
        if project_id is not None:
            self.action = 'listing the role assignments'
            listed['assignments'] = [to_plain(a) for a in identity.role_assignments(scope_project_id=project_id)]

    def result(self, services, before, after, changes):
        result = {'changed': bool(changes), 'services': services, 'changes': changes}
        if self.diff_mode:
            result['diff'] = {'before': before, 'after': after}
        return result

    def find_domain(self, name_or_id, domains):
        for key in ('name', 'id'):
            for domain in domains:
                if domain.get(key) == name_or_id:
                    return domain['id']
        self.fail_json(msg='domain: domain %r not found' % name_or_id)

    def find_project(self, name_or_id, domain_id, missing_ok=False):
        """The project's id: by name in the domain, else by id; None when it is missing and ``missing_ok``."""
        self.action = 'looking up project %r' % name_or_id
        identity = self.conn.identity
        for project in identity.projects(name=name_or_id, domain_id=domain_id):
            if project.name == name_or_id and project.domain_id == domain_id:
                return project.id
        try:
            return identity.get_project(name_or_id).id
        except sdk_exceptions.NotFoundException:
            if missing_ok:
                return None
            self.fail_json(msg='project: project %r not found in domain %s (the service project must exist, '
                           'or set create_project)' % (name_or_id, domain_id))

    def check_region(self, region):
        self.action = 'listing the regions'
        if region not in {r.id for r in self.conn.identity.regions()}:
            self.fail_json(msg='region: region %r not found' % region)

    def take(self, step, plan, ids):
        """Make the change of ``step`` (unless in check mode); whether it is one.

        ``ids`` holds the service project's id (``project``), the ids of the
        domains (``domains``) and of the domain admins made (``admins``), by domain name."""
        identity = self.conn.identity
        kind = step['kind']
        if kind == 'check_password':
            self.action = 'checking the password of user %s' % step['user']
            if self.password_works(step['id'], step['attrs']['password']):
                return False
            kind = 'update_user'
        if self.check_mode:
            return True
        self.action = "taking the step '%s'" % step.describe()
        if kind == 'create_project':
            ids['project'] = identity.create_project(**step['attrs']).id
        elif kind == 'create_role':
            identity.create_role(**step['attrs'])
        elif kind == 'create_domain':
            ids['domains'][step['domain']] = identity.create_domain(**step['attrs']).id
        elif kind == 'create_service':
            plan.service_ids[step['service']] = identity.create_service(**step['attrs']).id
        elif kind == 'update_service':
            identity.update_service(step['id'], **step['attrs'])
        elif kind == 'create_endpoint':
            identity.create_endpoint(service_id=plan.service_ids[step['service']], **step['attrs'])
        elif kind == 'update_endpoint':
            identity.update_endpoint(step['id'], **step['attrs'])
        elif kind == 'create_user' and 'domain' in step:
            ids['admins'][step['domain']] = identity.create_user(
                domain_id=ids['domains'][step['domain']], **step['attrs']).id
        elif kind == 'create_user':
            plan.user_ids[step['user']] = identity.create_user(**step['attrs']).id
        elif kind == 'update_user':
            identity.update_user(step['id'], **step['attrs'])
        elif kind == 'assign_domain_role':
            user_id = step['user_id'] or ids['admins'][step['domain']]
            identity.assign_domain_role_to_user(ids['domains'][step['domain']], user_id, step['role_id'])
        else:
            identity.assign_project_role_to_user(ids['project'], plan.user_ids[step['user']], step['role_id'])
        return True

    def password_works(self, user_id, password):
        """Whether Keystone gives the user a token for ``password`` (one
        unscoped password authentication, as the user itself would do)."""
        url = self.conn.identity.get_endpoint_data().url.rstrip('/') + '/auth/tokens'
        body = {'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'id': user_id, 'password': password}}}}}
        try:
            self.conn.session.post(url, json=body, authenticated=False)
        except ksa_exceptions.Unauthorized:
            return False
        return True

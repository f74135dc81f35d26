# Private to this collection: not a public API, may change without notice.
"""The identity (Keystone) resources of the engine: domain, project, user,
role, service, endpoint and role assignment."""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import ReferenceNotFound, ResourceModule


class DomainResource(ResourceModule):
    resource_name = 'domain'
    service = 'identity'
    attributes = ('name', 'description', 'is_enabled')
    identity = ('name',)

    def delete(self, current):
        # Keystone deletes only a disabled domain.
        if current.is_enabled:
            self.proxy.update_domain(current, is_enabled=False)
        super().delete(current)


class ProjectResource(ResourceModule):
    resource_name = 'project'
    service = 'identity'
    attributes = ('name', 'description', 'is_enabled')
    identity = ('name', 'domain_id')
    create_only = ('domain_id',)

    def resolve(self):
        if self.params.get('domain') is None:
            return {}
        return {'domain_id': self.lookup('domain', self.params['domain'])}


class UserResource(ResourceModule):
    resource_name = 'user'
    service = 'identity'
    attributes = ('name', 'description', 'email', 'is_enabled', 'password')
    identity = ('name', 'domain_id')
    create_only = ('domain_id',)
    secret = ('password',)

    def resolve(self):
        want = {}
        if self.params.get('domain') is not None:
            want['domain_id'] = self.lookup('domain', self.params['domain'])
        # Only the domain identifies a user: a default project that does not
        # exist must not stop its deletion.
        if self.params.get('default_project') is not None and self.state == 'present':
            want['default_project_id'] = self.lookup(
                'project', self.params['default_project'], domain_id=want.get('domain_id'))
        return want

    def updates(self, desired, current):
        # Keystone never shows a password, so it cannot be compared: send it
        # again only when the task says so.
        desired = dict(desired)
        password = desired.pop('password', None)
        updates = super().updates(desired, current)
        if password is not None and self.params.get('update_password') == 'always':
            updates['password'] = password
        return updates


class RoleResource(ResourceModule):
    resource_name = 'role'
    service = 'identity'
    attributes = ('name', 'description')
    identity = ('name',)


class ServiceResource(ResourceModule):
    resource_name = 'service'
    service = 'identity'
    attributes = ('name', 'type', 'description', 'is_enabled')
    identity = ('name', 'type')


class EndpointResource(ResourceModule):
    resource_name = 'endpoint'
    service = 'identity'
    attributes = ('url', 'is_enabled')
    identity = ('service_id', 'interface', 'region_id')

    def resolve(self):
        want = {
            'service_id': self.lookup('service', self.params['service']),
            'interface': self.params['endpoint_interface'],
        }
        if self.params.get('region') is not None:
            # Regions have an id only: a list tells whether it exists.
            self.action = 'listing the regions'
            if self.params['region'] not in {region.id for region in self.proxy.regions()}:
                raise ReferenceNotFound('region %r not found' % self.params['region'])
            want['region_id'] = self.params['region']
        return want


ASSIGNMENT_ACTORS = ('user', 'group')
ASSIGNMENT_SCOPES = ('project', 'domain', 'system')


def assignment_parts(assignment):
    """``(actor, actor_id, scope, scope_id)`` of a role assignment dict."""
    actor = next(kind for kind in ASSIGNMENT_ACTORS if assignment.get(kind + '_id'))
    scope = next(kind for kind in ASSIGNMENT_SCOPES
                 if assignment.get(kind if kind == 'system' else kind + '_id'))
    scope_id = assignment[scope if scope == 'system' else scope + '_id']
    return actor, assignment[actor + '_id'], scope, scope_id


def assignment_query(assignment):
    """Filters of ``identity.role_assignments()`` that list exactly this assignment."""
    actor, actor_id, scope, scope_id = assignment_parts(assignment)
    query = {'role_id': assignment['role_id'], actor + '_id': actor_id}
    query['scope_system' if scope == 'system' else 'scope_%s_id' % scope] = scope_id
    return query


def assignment_call(verb, assignment):
    """``(method name, positional args)`` of the identity proxy call that
    assigns (``verb='assign'``) or unassigns a role assignment.

    openstacksdk: ``assign_project_role_to_user(project, user, role)``,
    ``unassign_domain_role_from_group(domain, group, role)``, ...,
    ``assign_system_role_to_user(user, role, system)``.
    """
    actor, actor_id, scope, scope_id = assignment_parts(assignment)
    link = 'to' if verb == 'assign' else 'from'
    method = '%s_%s_role_%s_%s' % (verb, scope, link, actor)
    if scope == 'system':
        return method, (actor_id, assignment['role_id'], scope_id)
    return method, (scope_id, actor_id, assignment['role_id'])


def is_inherited(assignment):
    """Whether a listed assignment is one inherited by the subtree
    (``OS-INHERIT``), rather than a direct one."""
    scope = assignment.get('scope') or {}
    return 'OS-INHERIT:inherited_to' in scope


class RoleAssignmentResource(ResourceModule):
    """A role given to a user or a group on a project, a domain or the system.

    It has no id and nothing to update: it exists or it does not.
    """

    resource_name = 'role_assignment'
    service = 'identity'
    identity = ('role_id', 'user_id', 'group_id', 'project_id', 'domain_id', 'system')
    id_attribute = None

    def resolve(self):
        params = self.params

        def domain_id(option):
            if params.get(option) is None:
                return None
            return self.lookup('domain', params[option])

        want = dict.fromkeys(self.identity)
        want['role_id'] = self.lookup('role', params['role'])
        if params.get('user') is not None:
            want['user_id'] = self.lookup('user', params['user'],
                                          domain_id=domain_id('user_domain'))
        else:
            want['group_id'] = self.lookup('group', params['group'],
                                           domain_id=domain_id('group_domain'))
        if params.get('project') is not None:
            want['project_id'] = self.lookup('project', params['project'],
                                             domain_id=domain_id('project_domain'))
        elif params.get('domain') is not None:
            want['domain_id'] = domain_id('domain')
        else:
            want['system'] = params['system']
        return want

    def desired(self):
        return self.resolve()

    def find(self, desired):
        for listed in self.proxy.role_assignments(**assignment_query(desired)):
            if not is_inherited(listed):
                return dict(desired)
        return None

    def create(self, desired):
        method, args = assignment_call('assign', desired)
        getattr(self.proxy, method)(*args)
        return dict(desired)

    def delete(self, current):
        method, args = assignment_call('unassign', current)
        getattr(self.proxy, method)(*args)

    def update(self, current, updates):
        raise AssertionError('a role assignment is never updated')

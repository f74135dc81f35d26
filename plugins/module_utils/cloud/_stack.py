# Private to this collection: not a public API, may change without notice.
"""Orchestration (Heat) stacks.

A stack does not fit the generic engine of ``_resource.py``: what the task
compares lies in four places (the stack, its template, its environment and its
files), Heat keeps parameters as strings and masks the hidden ones, an update
is a PATCH that keeps whatever the task leaves out, and a failure is explained
by the resources of the stack, not by the stack. :class:`StackModule` runs the
same sequence as the engine (find -> compare -> create/update/delete -> wait,
check mode and diff from one path) and reuses its helpers.

The functions before the class are pure and unit-tested.
"""

from __future__ import annotations

import copy
import json
import math
import os

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._base import (
    OpenStackModule,
    WaitTimeout,
    poll,
    sdk_exceptions,
)
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._info import InfoModule, info_argument_spec
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    AmbiguousMatch,
    build_diff,
    select_one,
    to_plain,
    values_equal,
)

try:
    from openstack.orchestration.util import environment_format, template_format, template_utils
    from openstack.orchestration.util import utils as heat_utils
except ImportError:  # The base class reports the missing SDK.
    environment_format = template_format = template_utils = heat_utils = None

# Parameters Heat adds to every stack's.
PSEUDO_PARAMETERS = ('OS::stack_id', 'OS::stack_name', 'OS::project_id')
# How Heat shows the value of a hidden parameter.
MASK = '******'
# The strings Heat reads as true for a boolean parameter (oslo's bool_from_string).
TRUE_STRINGS = ('1', 't', 'true', 'on', 'y', 'yes')
# Sections of an environment compared with the stack's. ``parameters`` given
# by the task are compared apart, by type.
ENVIRONMENT_SECTIONS = ('parameters', 'parameter_defaults', 'resource_registry', 'event_sinks',
                        'parameter_merge_strategies')
# What the module returns of a stack (openstacksdk's attribute names).
STACK_FIELDS = ('id', 'name', 'description', 'status', 'status_reason', 'parameters', 'tags',
                'is_rollback_disabled', 'timeout_mins', 'created_at', 'updated_at', 'parent_id',
                'template_description')


# ---------------------------------------------------------------------------
# Pure helpers: what the task asks for


def parse_template(content, option):
    """A template given inline (a dict, or YAML or JSON text) as a dict;
    ValueError naming ``option`` when it is no Heat template."""
    if isinstance(content, dict):
        content = json.dumps(content)
    try:
        return template_format.parse(str(content))
    except ValueError as exc:
        raise ValueError('%s: not a Heat template: %s' % (option, exc)) from None


def parse_environment(content, option):
    """An environment given inline (a dict or YAML text) as a dict; ValueError
    naming ``option`` when it is no Heat environment."""
    if isinstance(content, dict):
        content = json.dumps(content)
    try:
        return environment_format.parse(str(content))
    except ValueError as exc:
        raise ValueError('%s: not a Heat environment: %s' % (option, exc)) from None


def template_parameters(template):
    """The parameters section of a template (``{}`` without one)."""
    return (template or {}).get('parameters') or {}


def template_resources(template):
    """The resources section of a template (``{}`` without one)."""
    return (template or {}).get('resources') or {}


def hidden_parameters(template):
    """Names of the template's parameters declared ``hidden``."""
    return sorted(name for name, schema in template_parameters(template).items()
                  if isinstance(schema, dict) and schema.get('hidden') in (True, 'true', 'True'))


def unknown_parameters(parameters, template):
    """Names of the task's parameters that the template does not declare."""
    declared = template_parameters(template)
    return sorted(name for name in parameters if name not in declared and name not in PSEUDO_PARAMETERS)


def tag_problems(tags):
    """What is wrong with the task's tags (Heat keeps them comma-separated)."""
    return ['tags: %r holds a comma' % tag for tag in tags if ',' in tag] + [
        'tags: empty tag' for tag in tags if not tag]


def timeout_minutes(seconds):
    """The stack's ``timeout_mins`` for the module's timeout in seconds (rounded up)."""
    return max(1, int(math.ceil(seconds / 60.0)))


# ---------------------------------------------------------------------------
# Pure helpers: compare


def canonical_parameter(value, kind):
    """A parameter's value as Heat reads it for a parameter of type ``kind``
    (``string``, ``number``, ``boolean``, ``json``, ``comma_delimited_list``),
    so that the task's ``3`` equals the stack's ``'3'``."""
    if value is None:
        return None
    kind = str(kind or 'string').lower()
    try:
        if kind == 'number':
            number = float(str(value))
            return int(number) if number.is_integer() else number
        if kind == 'boolean':
            return value if isinstance(value, bool) else str(value).strip().lower() in TRUE_STRINGS
        if kind == 'json' and isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        if kind == 'comma_delimited_list':
            if isinstance(value, str):
                return [item.strip() for item in value.split(',')] if value.strip() else []
            return [str(item).strip() for item in value]
    except ValueError:
        # Not of its type: Heat refuses it, compared as is it differs.
        return value
    if kind == 'string' and not isinstance(value, str):
        return json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    return value


def parameter_changes(wanted, current, template, hidden=()):
    """Names of the task's parameters whose value differs from the stack's.

    ``current`` holds the stack's values (strings, or the raw values of its
    environment). Hidden parameters are left out: Heat masks their values.
    A parameter the task leaves out is no change (an update keeps its value).
    """
    schema = template_parameters(template)
    changed = []
    for name, value in wanted.items():
        if name in hidden:
            continue
        kind = (schema.get(name) or {}).get('type') if isinstance(schema.get(name), dict) else None
        if name not in current or not values_equal(canonical_parameter(value, kind),
                                                   canonical_parameter(current[name], kind)):
            changed.append(name)
    return sorted(changed)


def is_subset(want, have):
    """Whether every key of ``want`` (recursively for mappings) is in ``have``
    with an equal value. A masked value (hidden) in ``have`` equals anything."""
    if isinstance(want, dict):
        return not want or isinstance(have, dict) and all(
            key in have and is_subset(value, have[key]) for key, value in want.items())
    if have == MASK:
        return True
    return values_equal(want, have)


def environment_changes(wanted, current, skip=()):
    """The sections of the wanted environment that the stack's does not hold.

    Heat merges an update's environment into the stack's (PATCH), so only
    what the task adds or changes counts; ``skip`` names the ``parameters``
    compared apart (the task's own)."""
    changed = []
    for section in ENVIRONMENT_SECTIONS:
        want = wanted.get(section)
        if section == 'parameters' and want:
            want = {key: value for key, value in want.items() if key not in skip}
        if want and not is_subset(want, (current or {}).get(section)):
            changed.append(section)
    return changed


def stack_view(name, template, parameters, extra=None):
    """What the diff shows of a stack: its template and parameters, and the
    other compared parts (``extra``) that differ."""
    view = {'name': name, 'template': template, 'parameters': parameters}
    view.update(extra or {})
    return view


def visible_parameters(parameters, hidden=()):
    """A stack's parameters as the result and diff show them: without Heat's
    pseudo-parameters, hidden ones masked."""
    return {key: (MASK if key in hidden else value) for key, value in (parameters or {}).items()
            if key not in PSEUDO_PARAMETERS}


# ---------------------------------------------------------------------------
# Pure helpers: the stack as returned, and why it failed


def is_busy(status):
    return str(status or '').endswith('_IN_PROGRESS')


def needs_repair(status):
    """Whether a stack's status says that its last operation failed: a re-run
    updates such a stack even when nothing else differs."""
    status = str(status or '')
    return status.endswith('_FAILED') or status.startswith('ROLLBACK_')


def outputs_dict(outputs):
    """A stack's outputs (``[{output_key, output_value, ...}]``) as ``{key: value}``."""
    return {item.get('output_key'): item.get('output_value') for item in outputs or []}


def stack_result(stack, hidden=()):
    """A stack (plain, openstacksdk's attribute names) as the module returns it."""
    result = {key: copy.deepcopy(stack.get(key)) for key in STACK_FIELDS}
    result['parameters'] = visible_parameters(stack.get('parameters'), hidden)
    result['tags'] = list(stack.get('tags') or [])
    result['outputs_list'] = copy.deepcopy(stack.get('outputs') or [])
    result['outputs'] = outputs_dict(stack.get('outputs'))
    return result


def status_filters(status):
    """Heat's list filters for a status given whole (``CREATE_COMPLETE``: its
    action and outcome) or as its outcome only (``FAILED``)."""
    if not status:
        return {}
    status = status.upper()
    if '_' in status and status.split('_', 1)[0] not in ('IN',):
        action, outcome = status.split('_', 1)
        return {'action': action, 'status': outcome}
    return {'status': status}


def stack_matches(stack, status=None, tags=None):
    """Whether a listed stack is in ``status`` (whole or outcome) and has all ``tags``."""
    have = str(stack.get('status') or '').upper()
    if status and have != status.upper() and not have.endswith('_' + status.upper()):
        return False
    return set(tags or []) <= set(stack.get('tags') or [])


def _stack_link(entry):
    """ID of the stack a resource or event belongs to (its ``stack`` link)."""
    for link in entry.get('links') or []:
        if link.get('rel') == 'stack':
            return link.get('href', '').rstrip('/').rsplit('/', 1)[-1]
    return None


def failed_leaves(entries, stack_id=None):
    """The failed resources (or events) that explain a failure: those that are
    not a nested stack holding another failed one (nor the stack itself),
    each once by name, in the given order."""
    failed = [entry for entry in entries if str(entry.get('resource_status') or '').endswith('FAILED')]
    parents = {_stack_link(entry) for entry in failed} | {stack_id}
    leaves, seen = [], set()
    for entry in failed:
        name = entry.get('resource_name') or entry.get('logical_resource_id')
        if entry.get('physical_resource_id') in parents or name in seen:
            continue
        seen.add(name)
        leaves.append(entry)
    return leaves


def resource_type(template, entry):
    """The type the template gives the resource of a failed entry, or None."""
    resource = template_resources(template).get(entry.get('resource_name')) or {}
    return resource.get('type') if isinstance(resource, dict) else None


def describe_failure(stack, leaves):
    """The message of a failed stack: its status and reason, then each failed
    resource's name, type, status and reason."""
    text = "stack %r is %s: %s" % (stack.get('name'), stack.get('status'), stack.get('status_reason') or '')
    for entry in leaves:
        kind = entry.get('resource_type')
        text += '; resource %s%s %s: %s' % (
            entry.get('resource_name') or entry.get('logical_resource_id'),
            ' (%s)' % kind if kind else '', entry.get('resource_status'),
            entry.get('resource_status_reason') or '')
    return text


# ---------------------------------------------------------------------------
# The module


class StackModule(OpenStackModule):
    """A Heat stack, by name, in the project of the credentials."""

    #: Stacks take long: the default of the ``timeout`` option for this module.
    default_timeout = 3600
    #: How deep failed resources are looked for in nested stacks.
    nested_depth = 5
    #: Set once the create, update or delete call is made.
    changed = False

    @property
    def proxy(self):
        return self.conn.orchestration

    def fail_json(self, msg, **kwargs):
        # A failure after the call (the stack failed, the wait timed out)
        # still changed the stack.
        kwargs.setdefault('changed', self.changed)
        super().fail_json(msg, **kwargs)

    # -- what the task asks for (no API call)

    def wanted(self):
        """``{template, files, environment, parameters, hidden}`` from the
        options; fails naming the option that is wrong."""
        params = self.params
        files = {}
        try:
            if params.get('template'):
                self.action = 'reading template %s' % params['template']
                tpl_files, template = template_utils.get_template_contents(template_file=params['template'])
                files.update(tpl_files)
            else:
                template = parse_template(params['template_content'], 'template_content')
                # get_file and template types of inline content are relative to the working directory.
                template_utils.resolve_template_get_files(
                    template, files, heat_utils.normalise_file_path_to_url(os.getcwd() + os.sep))
            environment = {}
            for path in params.get('environment') or []:
                self.action = 'reading environment %s' % path
                env_files, env = template_utils.process_environment_and_files(env_path=path)
                files.update(env_files)
                environment = template_utils.deep_update(environment, env)
            if params.get('environment_content') is not None:
                env = parse_environment(params['environment_content'], 'environment_content')
                template_utils.resolve_environment_urls(
                    env.get('resource_registry'), files,
                    heat_utils.normalise_file_path_to_url(os.getcwd() + os.sep))
                environment = template_utils.deep_update(environment, env)
        except ValueError as exc:
            self.fail_json(msg=str(exc))
        except (sdk_exceptions.SDKException, OSError) as exc:
            self.fail_json(msg='%s: %s' % (self.action, exc))
        parameters = dict(params.get('parameters') or {})
        problems = tag_problems(params.get('tags') or [])
        unknown = unknown_parameters(parameters, template)
        if unknown:
            problems.append('parameters: %s not declared by the template (it declares: %s)' % (
                ', '.join(unknown), ', '.join(sorted(template_parameters(template))) or 'none'))
        if problems:
            self.fail_json(msg='; '.join(problems))
        hidden = hidden_parameters(template)
        # Hidden values never show in the output, whatever task prints them.
        self.ansible.no_log_values.update(str(parameters[name]) for name in hidden if name in parameters)
        return {'template': template, 'files': files, 'environment': environment,
                'parameters': parameters, 'hidden': hidden}

    # -- reads

    def _get_json(self, url):
        response = self.proxy.get(url)
        sdk_exceptions.raise_from_response(response)
        return response.json()

    def _path(self, stack):
        return '/stacks/%s/%s' % (stack['name'], stack['id'])

    def find(self, name):
        """The stack called ``name`` (plain, with parameters and outputs), or None."""
        self.action = 'finding stack %r' % name
        try:
            match = select_one((to_plain(s) for s in self.proxy.stacks(name=name)), {'name': name})
        except AmbiguousMatch as exc:
            self.fail_json(msg='%d stacks are called %r' % (len(exc.matches), name))
        return None if match is None else self.get(match['id'])

    def get(self, stack_id):
        return to_plain(self.proxy.get_stack(stack_id))

    def current_parts(self, stack):
        """The stack's template, environment and files."""
        self.action = 'reading the template, environment and files of stack %r' % stack['name']
        path = self._path(stack)
        return (self._get_json(path + '/template'), self._get_json(path + '/environment'),
                self._get_json(path + '/files'))

    def failure(self, stack, template=None):
        """The message for a stack that failed: its reason, and the deepest
        failed resources; after a rollback removed them, the last one that
        failed, from the events (which have no type: ``template`` gives it)."""
        path = self._path(stack)
        self.action = 'listing the resources of stack %r' % stack['name']
        resources = self._get_json(path + '/resources?nested_depth=%d' % self.nested_depth)
        leaves = failed_leaves(resources.get('resources') or [], stack['id'])
        if not leaves:
            # Newest first; Heat answers no events to nested_depth with a filter.
            self.action = 'listing the events of stack %r' % stack['name']
            events = self._get_json(path + '/events?resource_status=FAILED')
            leaves = [dict(leaf, resource_type=leaf.get('resource_type') or resource_type(template, leaf))
                      for leaf in failed_leaves(events.get('events') or [], stack['id'])[:1]]
        return describe_failure(stack, leaves)

    # -- waits

    def wait_done(self, stack_id, name, started=None):
        """The stack once no operation is in progress. ``started`` is the
        ``(status, updated_at)`` the stack had before the module's update:
        until they change, the update has not begun."""
        last = {}

        def probe():
            try:
                stack = self.get(stack_id)
            except sdk_exceptions.NotFoundException:
                return {}
            last['status'] = stack.get('status')
            if is_busy(stack.get('status')) or (stack.get('status'), stack.get('updated_at')) == started:
                return None
            return stack

        self.action = 'waiting for stack %r' % name
        try:
            return poll(probe, self.params['timeout'], interval=5)
        except WaitTimeout:
            self.fail_json(msg='Timed out after %s seconds waiting for stack %r, which is in status %s' % (
                self.params['timeout'], name, last.get('status')))

    # -- the sequence

    def run(self):
        name = self.params['name']
        want = self.wanted() if self.params['state'] == 'present' else None
        current = self.find(name)
        if current and is_busy(current.get('status')):
            # Another operation (a run that timed out, a user) is not over.
            current = self.wait_done(current['id'], name) or None
        if want is None:
            return self.delete(current, name)
        if current is None:
            return self.create(want, name)

        hidden = want['hidden']
        template, environment, files = self.current_parts(current)
        have_params = dict(current.get('parameters') or {})
        # The environment holds the parameters as given (typed); the stack, as strings.
        have_params.update((k, v) for k, v in (environment.get('parameters') or {}).items() if v != MASK)
        changed_params = parameter_changes(want['parameters'], have_params, want['template'], hidden)
        before_extra, after_extra = self.other_changes(want, current, environment, files)
        before_params = visible_parameters(current.get('parameters'), hidden)
        before_view = stack_view(name, template, before_params, before_extra)
        before = stack_result(current, hidden)
        force = self.params['update_hidden_parameters'] and any(key in want['parameters'] for key in hidden)
        if not (changed_params or after_extra or force or not values_equal(want['template'], template)):
            return self.result(False, before, before_view, before_view)
        after_params = dict(before_params)
        after_params.update(visible_parameters({key: want['parameters'][key] for key in changed_params}))
        after_view = stack_view(name, want['template'], after_params, after_extra)
        if self.check_mode:
            return self.result(True, self.predict(current, want), before_view, after_view)
        self.action = 'updating stack %r' % name
        response = self.proxy.patch(self._path(current), json=self.body(want, current))
        sdk_exceptions.raise_from_response(response)
        self.changed = True
        started = (current.get('status'), current.get('updated_at'))
        return self.result(True, self.finish(current['id'], name, started, want), before_view, after_view)

    def create(self, want, name):
        after_view = stack_view(name, want['template'], visible_parameters(want['parameters'], want['hidden']))
        if self.check_mode:
            return self.result(True, self.predict(None, want), {}, after_view)
        self.action = 'creating stack %r' % name
        response = self.proxy.post('/stacks', json=dict(self.body(want, None), stack_name=name))
        sdk_exceptions.raise_from_response(response)
        self.changed = True
        stack_id = response.json()['stack']['id']
        return self.result(True, self.finish(stack_id, name, None, want), {}, after_view)

    def delete(self, current, name):
        if current is None:
            return self.result(False, None, {}, {})
        template = self._get_json(self._path(current) + '/template') if self.diff_mode else None
        before_view = stack_view(name, template, visible_parameters(current.get('parameters')))
        if not self.check_mode:
            self.action = 'deleting stack %r' % name
            self.proxy.delete_stack(current['id'])
            self.changed = True
            if self.params['wait']:
                left = self.wait_done(current['id'], name, (current.get('status'), current.get('updated_at')))
                if left:
                    self.fail_json(msg=self.failure(left), stack=stack_result(left))
        return self.result(True, None, before_view, {})

    def other_changes(self, want, current, environment, files):
        """The parts besides template and parameters that differ, as
        ``(before, after)`` for the diff."""
        before, after = {}, {}
        sections = environment_changes(want['environment'], environment, skip=want['parameters'])
        if sections:
            before['environment'] = {key: environment.get(key) for key in sections}
            after['environment'] = {key: want['environment'].get(key) for key in sections}
        if not is_subset(want['files'], files):
            before['files'] = sorted(files)
            after['files'] = sorted(set(files) | set(want['files']))
        tags = self.params.get('tags')
        if tags is not None and sorted(set(tags)) != sorted(set(current.get('tags') or [])):
            before['tags'], after['tags'] = sorted(current.get('tags') or []), sorted(set(tags))
        rollback = self.params.get('rollback')
        if rollback is not None and bool(current.get('is_rollback_disabled')) == rollback:
            before['rollback'], after['rollback'] = not rollback, rollback
        if needs_repair(current.get('status')):
            before['status'], after['status'] = current.get('status'), 'UPDATE_COMPLETE'
        return before, after

    def body(self, want, current):
        """The create (``current`` None) or PATCH update request's body."""
        body = {'template': want['template'], 'files': want['files'], 'environment': want['environment'],
                'parameters': want['parameters'], 'timeout_mins': timeout_minutes(self.params['timeout'])}
        if self.params.get('tags') is not None:
            body['tags'] = ','.join(sorted(set(self.params['tags'])))
        if self.params.get('rollback') is not None:
            body['disable_rollback'] = not self.params['rollback']
        elif current is not None:
            body['disable_rollback'] = bool(current.get('is_rollback_disabled'))
        return body

    def predict(self, current, want):
        """The stack as check mode expects it after the create or update."""
        stack = copy.deepcopy(current) if current else {'name': self.params['name'], 'outputs': []}
        stack['parameters'] = dict(stack.get('parameters') or {})
        stack['parameters'].update(want['parameters'])
        if self.params.get('tags') is not None:
            stack['tags'] = sorted(set(self.params['tags']))
        if self.params.get('rollback') is not None or current is None:
            stack['is_rollback_disabled'] = not self.params.get('rollback')
        stack['timeout_mins'] = timeout_minutes(self.params['timeout'])
        stack['description'] = want['template'].get('description')
        return stack_result(stack, want['hidden'])

    def finish(self, stack_id, name, started, want):
        """The stack after the create or update; with ``wait``, once done, and
        failing the task when the operation failed."""
        hidden = want['hidden']
        if not self.params['wait']:
            return stack_result(self.get(stack_id), hidden)
        stack = self.wait_done(stack_id, name, started)
        if not stack:
            self.fail_json(msg='stack %r disappeared while the module waited for it' % name)
        action = 'UPDATE' if started else 'CREATE'
        if stack.get('status') != action + '_COMPLETE':
            self.fail_json(msg=self.failure(stack, want['template']), stack=stack_result(stack, hidden))
        return stack_result(stack, hidden)

    def result(self, changed, after, diff_before, diff_after):
        result = {'changed': changed}
        if self.params['state'] == 'present':
            result['stack'] = after
        if self.diff_mode:
            result['diff'] = build_diff(diff_before, diff_after)
        return result


def stack_info_argument_spec():
    spec = info_argument_spec()
    spec.update(status={'type': 'str'}, tags={'type': 'list', 'elements': 'str'})
    return spec


class StackInfo(InfoModule):
    """The stacks of the project, each read whole for its outputs."""

    plural = 'stacks'
    service = 'orchestration'
    get_call = 'get_stack'

    def filters(self):
        filters = dict(self.params.get('filters') or {})
        filters.update(status_filters(self.params.get('status')))
        # Tags are checked here, not by Heat: its list answers 500 to tags
        # with any other filter (name, status).
        return filters

    def _matching(self, items):
        return [item for item in items if stack_matches(item, self.params.get('status'), self.params.get('tags'))]

    def listed(self, filters):
        return self._matching(super().listed(filters))

    def by_id(self, resource_id, filters):
        # Heat's filters are not the stack's attributes: checked by _matching.
        return self._matching(super().by_id(resource_id, {}))

    def detail(self, item):
        self.action = 'reading stack %r' % item.get('name')
        return stack_result(to_plain(self.proxy.get_stack(item['id'])))

# Private to this collection: not a public API, may change without notice.
"""The generic engine behind every module that manages one OpenStack resource.

    find -> compare -> create / update / delete -> wait

:class:`ResourceModule` runs that sequence once, the same way in check mode as
for real: each call that would change the cloud is guarded by check mode, and
where it is skipped the engine builds the state the call would have produced.
The result, the resource under its singular name and the diff all come from
that one path.

A module describes its resource with a few class attributes and overrides only
what is special about it (the identity resources in ``_identity.py`` are the
simplest examples).
The functions before the class are pure and unit-tested.
"""

from __future__ import annotations

import copy
import json

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._base import (
    OpenStackModule,
    sdk_exceptions,
)

# ---------------------------------------------------------------------------
# Pure helpers


class AmbiguousMatch(Exception):
    """More than one resource matches what identifies the wanted one."""

    def __init__(self, matches):
        self.matches = matches
        super().__init__('%d resources match' % len(matches))


class ReferenceNotFound(Exception):
    """A resource named by the task (a domain, a service, a user, ...) does not exist."""


class AmbiguousReference(Exception):
    """More than one resource has the name the task gives."""


def to_plain(resource):
    """A resource as a plain dict (SDK attribute names), or None.

    SDK resources become ``to_dict(computed=False)``, which leaves out the
    client-side ``location``; dicts are deep-copied.
    """
    if resource is None:
        return None
    if hasattr(resource, 'to_dict'):
        return resource.to_dict(computed=False)
    return copy.deepcopy(dict(resource))


def _normalize(value):
    if isinstance(value, dict):
        return {key: _normalize(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalize(item) for item in value]
    return value


def _canonical(value):
    return json.dumps(_normalize(value), sort_keys=True, default=str)


def values_equal(want, have, unordered=False):
    """Whether the wanted value equals the current one.

    Tuples and lists compare alike; with ``unordered`` two lists are equal when
    they hold the same items in any order.
    """
    want, have = _normalize(want), _normalize(have)
    if unordered and isinstance(want, list) and isinstance(have, list):
        return sorted(map(_canonical, want)) == sorted(map(_canonical, have))
    if isinstance(want, bool) or isinstance(have, bool):
        # True == 1 in Python; a flag is only equal to the same flag.
        return type(want) is type(have) and want == have
    return want == have


class Updates(dict):
    """What :meth:`ResourceModule.updates` plans: the attributes to change,
    with their new values (the predicted after-state and the diff come from
    them), and in ``plan`` whatever else :meth:`ResourceModule.update` needs to
    make those changes (interfaces to add and remove, properties to set and
    remove, ...). It goes from one method to the other as a value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = {}


def compute_updates(desired, current, unordered=()):
    """The attributes to send to make ``current`` what ``desired`` asks for.

    ``desired`` holds only what the user set; a None value means "leave alone".
    Returns ``{attribute: wanted value}`` for every attribute that differs;
    an attribute missing from ``current`` differs from any wanted value.
    """
    current = current or {}
    updates = {}
    for key, want in desired.items():
        if want is None:
            continue
        if not values_equal(want, current.get(key), unordered=key in unordered):
            updates[key] = want
    return updates


def merge_mapping(current, desired, purge):
    """The whole mapping (metadata, properties) to ask for.

    With ``purge`` the desired mapping is all there should be; without, it is
    laid over what is there already.
    """
    if purge:
        return dict(desired)
    merged = dict(current or {})
    merged.update(desired)
    return merged


def merge_list(current, desired, purge):
    """The whole list (tags, ...) to ask for: ``desired`` alone with ``purge``,
    else what is there followed by the desired items not yet present."""
    if purge:
        return list(desired)
    merged = list(current or [])
    merged.extend(item for item in desired if item not in merged)
    return merged


def string_value(value):
    """A value of a string mapping (extra specs, image properties) as the
    service keeps it: booleans as ``true``/``false``, numbers in decimal.

    None stays None (the task asks for the key to be removed); other types
    raise TypeError.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return str(value)
    raise TypeError('a string, a number or a boolean is needed, not %s' % type(value).__name__)


def string_mapping(values, option):
    """The task's mapping (extra specs, properties) with string values (None
    for a key to remove); raises ValueError naming ``option`` and the key for
    a value that is no string, number or boolean."""
    mapping = {}
    for key, value in (values or {}).items():
        try:
            mapping[str(key)] = string_value(value)
        except TypeError as exc:
            raise ValueError('%s.%s: %s' % (option, key, exc)) from None
    return mapping


def plan_mapping(current, desired, purge, canonical=None):
    """How to make the string mapping ``current`` what the task asks for.

    ``desired`` maps each key the task names to the value to send, or to None
    when the key is to be removed. ``canonical`` holds the same values as the
    service will show them (default: ``desired`` itself); they are what is
    compared with ``current``. With ``purge``, the keys of ``current`` that
    ``desired`` does not name are removed too.

    Returns ``(to_set, to_remove, after)``: the keys to set with their values
    to send, the sorted keys to remove, and the mapping as it will be.
    """
    current = dict(current or {})
    canonical = desired if canonical is None else canonical
    to_set, to_remove = {}, []
    for key, value in desired.items():
        if value is None:
            if key in current:
                to_remove.append(key)
        elif key not in current or current[key] != canonical[key]:
            to_set[key] = value
    if purge:
        to_remove.extend(key for key in current if key not in desired)
    after = {key: value for key, value in current.items() if key not in to_remove}
    after.update((key, canonical[key]) for key in to_set)
    return to_set, sorted(to_remove), after


def select_one(candidates, query):
    """The one candidate whose attributes equal ``query``; None when none does.

    Raises :class:`AmbiguousMatch` when several do. Server-side filters are only
    a hint (some services ignore unknown filters, or match names without regard
    to case): this is the exact check.
    """
    matches = [
        candidate for candidate in candidates
        if all(candidate.get(key) == value for key, value in query.items())
    ]
    if len(matches) > 1:
        raise AmbiguousMatch(matches)
    return matches[0] if matches else None


def predict_create(desired, id_attribute='id'):
    """What a create is expected to return, for check mode: the desired
    attributes, and an unknown id."""
    predicted = copy.deepcopy(dict(desired))
    if id_attribute and id_attribute not in predicted:
        predicted[id_attribute] = None
    return predicted


def predict_update(current, updates):
    """What an update is expected to return, for check mode."""
    predicted = copy.deepcopy(dict(current))
    predicted.update(copy.deepcopy(updates))
    return predicted


def scrub(state, secret=()):
    """A copy of a plain resource without its secret attributes (None stays None)."""
    if state is None:
        return None
    return {key: value for key, value in state.items() if key not in secret}


def resource_id(resource):
    """The id of an SDK resource or of a plain one (what present() returns)."""
    return resource['id'] if isinstance(resource, dict) and 'id' in resource else resource.id


def build_diff(before, after):
    """Ansible's diff of a resource: an absent resource is an empty dict."""
    return {'before': before or {}, 'after': after or {}}


def describe(kind, values):
    """``project name='demo', domain_id='default'``: a resource by what identifies it."""
    words = ['%s=%r' % (key, value) for key, value in values.items() if value is not None]
    return ' '.join([kind] + ([', '.join(words)] if words else []))


# ---------------------------------------------------------------------------
# The engine


class ResourceModule(OpenStackModule):
    """find -> compare -> create / update / delete -> wait, for one resource.

    Declare in a subclass:

    ``resource_name``
        Key of the resource in the result (``project``); unless ``sdk_type``
        is set, also the SDK type behind the default API calls:
        ``<service>.<sdk_type>s()``, ``create_<sdk_type>``, ``update_<sdk_type>``,
        ``delete_<sdk_type>``, ``get_<sdk_type>``.
    ``service``
        Proxy of the connection (``identity``, ``network``, ``compute``, ...).
    ``attributes``
        Options whose value is the SDK attribute of the same name.
    ``identity``
        SDK attributes that identify the resource; :meth:`find` lists with them
        and keeps the exact matches. Those left unset by the task do not narrow
        the search, and several matches fail the task.
    ``server_filters``
        The identity attributes the list call accepts as filters (default: all).
    ``create_only``
        Attributes that can only be set at creation: asking to change them on an
        existing resource fails the task rather than being ignored.
    ``unordered``
        List attributes compared without regard to order.
    ``secret``
        Attributes never returned nor shown in a diff (passwords).
    ``id_attribute``
        Set to None in check mode's prediction of a create (``id``); None for
        resources without an id.
    ``ready_status`` / ``failed_status``
        With ``wait=true``, wait after create/update until ``status`` is
        ``ready_status``; fail when it is one of ``failed_status``.
    ``wait_on_delete``
        With ``wait=true``, wait after delete until the resource is gone.

    Override when special: :meth:`resolve` (options that name other resources,
    or are renamed), :meth:`desired`, :meth:`find` or just its list call
    :meth:`candidates` or what it returns, :meth:`present`, :meth:`check_create` (what a create needs),
    :meth:`updates`, and the raw API calls :meth:`create`,
    :meth:`update`, :meth:`delete`. Raw calls never look at check mode: the
    engine does not call them in check mode.
    """

    resource_name = None
    sdk_type = None
    service = None
    attributes = ()
    identity = ('name',)
    server_filters = None
    create_only = ()
    unordered = ()
    secret = ()
    id_attribute = 'id'
    ready_status = None
    failed_status = ('ERROR',)
    wait_on_delete = False

    # -- what the task asks for

    @property
    def proxy(self):
        return getattr(self.conn, self.service)

    @property
    def state(self):
        return self.params.get('state') or 'present'

    def desired(self):
        """SDK attributes the task sets: the plain ``attributes`` that are not
        None, and what :meth:`resolve` adds."""
        want = {
            name: self.params[name] for name in self.attributes
            if self.params.get(name) is not None
        }
        want.update(self.resolve())
        return want

    def resolve(self):
        """Attributes that need a lookup or a rename (``domain`` -> ``domain_id``).

        Use :meth:`lookup`, which raises :class:`ReferenceNotFound` for a missing
        resource: with ``state=absent`` that means nothing to delete.
        """
        return {}

    def lookup(self, kind, name_or_id, service=None, **query):
        """The id of the ``kind`` resource called or identified by ``name_or_id``.

        By name first, from a filtered list; by id only when no name matches.
        (openstacksdk's ``find_*`` asks for the name as an id first, and
        Keystone logs a traceback for every such 404.)
        """
        proxy = getattr(self.conn, service or self.service)
        query = {key: value for key, value in query.items() if value is not None}
        self.action = 'looking up %s %r' % (kind, name_or_id)
        listed = (to_plain(r) for r in getattr(proxy, kind + 's')(name=name_or_id, **query))
        try:
            named = select_one(listed, dict(query, name=name_or_id))
        except AmbiguousMatch as exc:
            raise AmbiguousReference('%d %ss are called %r (ids: %s): name it by id' % (
                len(exc.matches), kind, name_or_id, ', '.join(sorted(m['id'] for m in exc.matches)))) from None
        if named:
            return named['id']
        try:
            return getattr(proxy, 'find_' + kind)(name_or_id, ignore_missing=False, **query).id
        except sdk_exceptions.NotFoundException:
            where = ''.join(' with %s=%r' % item for item in sorted(query.items()))
            raise ReferenceNotFound('%s %r not found%s' % (kind, name_or_id, where)) from None

    def describe(self, desired):
        return describe(self.resource_name,
                        {key: desired.get(key) for key in self.identity})

    # -- the sequence

    def run(self):
        try:
            desired = self.desired()
        except ReferenceNotFound as exc:
            if self.state == 'absent':
                return self.result(False, None, None)
            self.fail_json(msg=str(exc))
        except AmbiguousReference as exc:
            self.fail_json(msg=str(exc))
        what = self.describe(desired)

        self.action = 'finding ' + what
        current = self.find(desired)
        before = to_plain(current)

        if self.state == 'absent':
            if current is None:
                return self.result(False, None, None)
            if not self.check_mode:
                self.action = 'deleting ' + what
                self.delete(current)
                self._wait_gone(current, what)
            return self.result(True, before, None)

        if current is None:
            self.check_create(desired)
            if self.check_mode:
                after = predict_create(desired, self.id_attribute)
            else:
                self.action = 'creating ' + what
                after = to_plain(self._wait_ready(self.create(desired), what))
            return self.result(True, None, after)

        updates = self.updates(desired, before)
        if not updates:
            return self.result(False, before, before)
        if self.check_mode:
            after = predict_update(before, updates)
        else:
            self.action = 'updating %s (%s)' % (what, ', '.join(sorted(updates)))
            after = to_plain(self._wait_ready(self.update(current, updates), what))
        return self.result(True, before, after)

    def check_create(self, desired):
        """Fail the task when ``desired`` is not enough to create the resource.

        Called before a create, in check mode too, so that check mode predicts
        the failure; by default there is nothing to check.
        """

    def updates(self, desired, current):
        """What to change on the existing resource (``current`` is a plain
        dict), as :class:`Updates`."""
        updates = Updates(compute_updates(desired, current, self.unordered))
        fixed = sorted(set(updates) & set(self.create_only))
        if fixed:
            self.fail_json(msg='%s: %s can only be set when it is created (it is %s,'
                               ' the task asks for %s)' % (
                                   self.describe(desired), ', '.join(fixed),
                                   ', '.join(repr(current.get(key)) for key in fixed),
                                   ', '.join(repr(updates[key]) for key in fixed)))
        return updates

    def result(self, changed, before, after):
        before = scrub(before, self.secret)
        after = scrub(after, self.secret)
        result = {'changed': changed}
        if self.state == 'present':
            result[self.resource_name] = after
        if self.diff_mode:
            result['diff'] = build_diff(before, after)
        return result

    # -- raw API calls (never in check mode)

    def _call(self, verb):
        return getattr(self.proxy, verb + '_' + (self.sdk_type or self.resource_name))

    def find(self, desired):
        """The existing resource, or None."""
        query = {key: desired[key] for key in self.identity if desired.get(key) is not None}
        filters = self.identity if self.server_filters is None else self.server_filters
        candidates = self.candidates({key: value for key, value in query.items() if key in filters})
        try:
            match = select_one(candidates, query)
        except AmbiguousMatch as exc:
            self.fail_json(msg='%d resources match %s (ids: %s); say which one with more'
                               ' options' % (len(exc.matches), self.describe(desired),
                                             ', '.join(sorted(str(m.get('id')) for m in exc.matches))))
        return None if match is None else self.present(match)

    def present(self, resource):
        """The resource as the rest of the sequence sees it, for :meth:`find`'s
        match. By default the SDK resource itself; a resource whose state the
        task compares lies partly elsewhere (a router's interfaces, a flavor's
        extra specs) returns a plain dict with that added, and its
        :meth:`create` and :meth:`update` return the same form."""
        return resource

    def candidates(self, filters):
        """The resources that the list call returns for ``filters`` (the
        identity attributes it accepts); :meth:`find` keeps the exact match."""
        return getattr(self.proxy, (self.sdk_type or self.resource_name) + 's')(**filters)

    def create(self, desired):
        return self._call('create')(**desired)

    def update(self, current, updates):
        return self._call('update')(current, **updates)

    def delete(self, current):
        self._call('delete')(current, ignore_missing=True)

    # -- waits

    def failure_reason(self, resource):
        """Why the service put the resource in a failed status, or None."""
        return None

    def _wait_ready(self, resource, what):
        """The resource once it is ready (when the task waits); fails on a failed status."""
        if self.ready_status is None or not self.params.get('wait'):
            return resource
        get = self._call('get')
        ready = self.ready_status.upper()
        failed = {status.upper() for status in self.failed_status}

        def probe():
            current = get(resource_id(resource))
            status = (current.get('status') or '').upper()
            if status in failed:
                reason = self.failure_reason(current)
                self.fail_json(msg='%s is in status %s%s' % (what, status, ': ' + reason if reason else ''),
                               **{self.resource_name: scrub(to_plain(current), self.secret)})
            return current if status == ready else None

        self.action = 'waiting for %s to become %s' % (what, self.ready_status)
        return self.wait_for(probe, '%s to become %s' % (what, self.ready_status))

    def _wait_gone(self, resource, what):
        if not self.wait_on_delete or not self.params.get('wait'):
            return
        get = self._call('get')

        def probe():
            try:
                get(resource_id(resource))
            except sdk_exceptions.NotFoundException:
                return True
            return None

        self.action = 'waiting for %s to be gone' % what
        self.wait_for(probe, '%s to be gone' % what)

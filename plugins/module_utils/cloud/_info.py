# Private to this collection: not a public API, may change without notice.
"""The engine behind every ``*_info`` module: list the resources of one kind.

A ``*_info`` module returns a list under the plural name (``servers``), empty
when nothing matches; it never fails because nothing matched. ``name`` is a
name or an id: exact name matches first (server-side name filters are only a
hint: Nova matches names as regular expressions), then the resource with that
id. Options that name other resources (``network``, ``project``) are looked up
like the resource modules do it, and a reference that does not exist means an
empty list, not a failure.
"""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._base import (
    OpenStackModule,
    sdk_exceptions,
)
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    AmbiguousReference,
    ReferenceNotFound,
    ResourceModule,
    to_plain,
)


def info_argument_spec(references=(), plain=()):
    """The options of an info module: ``name``, ``filters``, and one option per
    reference (``(option, filter, kind, service)``) and plain filter (``(option,
    filter, type)``)."""
    spec = {'name': {'type': 'str', 'aliases': ['id']},
            'filters': {'type': 'dict', 'default': {}}}
    for option, _filter, _kind, _service in references:
        spec[option] = {'type': 'str'}
    for option, _filter, kind in plain:
        spec[option] = {'type': kind}
    return spec


def named(items, name):
    """The items called ``name``; else the one whose id it is; else none."""
    exact = [item for item in items if item.get('name') == name]
    return exact or [item for item in items if item.get('id') == name]


class InfoModule(OpenStackModule):
    """Declare in a subclass:

    ``plural``
        Key of the result, and the proxy's list call unless ``list_call`` is set.
    ``service``
        Proxy of the connection (``compute``, ``network``, ...).
    ``name_filter``
        Whether the list call takes ``name`` as a filter (narrows what comes
        back; the exact comparison is still made here).
    ``get_call``
        The proxy's get-by-id call, for a ``name`` that no resource is called;
        None when the list holds every resource anyway (the id is compared there).
    ``references`` / ``plain``
        As for :func:`info_argument_spec`: options that become list filters.

    Override :meth:`detail` to add what the list does not hold.
    """

    plural = None
    list_call = None
    service = None
    name_filter = True
    get_call = None
    references = ()
    plain = ()

    lookup = ResourceModule.lookup

    @property
    def proxy(self):
        return getattr(self.conn, self.service)

    def filters(self):
        """The list call's filters: the ``filters`` option, then the options'."""
        filters = dict(self.params.get('filters') or {})
        for option, key, kind, service in self.references:
            if self.params.get(option) is not None:
                filters[key] = self.lookup(kind, self.params[option], service=service)
        for option, key, _type in self.plain:
            if self.params.get(option) is not None:
                filters[key] = self.params[option]
        return filters

    def listed(self, filters):
        self.action = 'listing %s' % self.plural
        return [to_plain(item) for item in getattr(self.proxy, self.list_call or self.plural)(**filters)]

    def by_id(self, resource_id, filters):
        """The resource with that id, if it also passes ``filters``."""
        self.action = 'reading %s %r' % (self.plural, resource_id)
        try:
            item = to_plain(getattr(self.proxy, self.get_call)(resource_id))
        except sdk_exceptions.NotFoundException:
            return []
        return [item] if all(item.get(key) == value for key, value in filters.items()
                             if key in item) else []

    def detail(self, item):
        """One listed resource as the result shows it."""
        return item

    def run(self):
        try:
            filters = self.filters()
        except ReferenceNotFound:
            return {'changed': False, self.plural: []}
        except AmbiguousReference as exc:
            self.fail_json(msg=str(exc))
        name = self.params.get('name')
        if name is None:
            items = self.listed(filters)
        else:
            items = named(self.listed(dict(filters, name=name) if self.name_filter else filters), name)
            if not items and self.get_call:
                items = self.by_id(name, filters)
        # Services may ignore a filter (Nova ignores project_id without
        # all_projects): what a reference asks for is checked here too.
        wanted = {key: filters[key] for _option, key, _kind, _service in self.references if key in filters}
        items = [item for item in items if all(item.get(key) == value for key, value in wanted.items()
                                               if key in item)]
        return {'changed': False, self.plural: [self.detail(item) for item in items]}

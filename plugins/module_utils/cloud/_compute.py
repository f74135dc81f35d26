# Private to this collection: not a public API, may change without notice.
"""Compute (Nova) resources on the generic engine: flavors.

What is special about a flavor:

- Nova cannot change a flavor once it is made, but for its description and
  extra specs: every other attribute (and the ID) is create-only, and asking
  for another value fails the task instead of replacing the flavor;
- Nova needs ``ram``, ``vcpus`` and ``disk`` to create one;
- its extra specs are a string mapping of their own API: keys are set,
  changed and removed one by one, and the flavor's result carries them
  under ``extra_specs``.

The functions before the class are pure and unit-tested.
"""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    ResourceModule,
    plan_mapping,
    string_mapping,
    to_plain,
)

# Attributes Nova needs to create a flavor, as named by the module's options.
FLAVOR_REQUIRED = ('ram', 'vcpus', 'disk')


def missing_for_create(desired, required):
    """The ``required`` attributes that ``desired`` lacks, in order."""
    return [name for name in required if desired.get(name) is None]


class FlavorResource(ResourceModule):
    """A flavor and its extra specs.

    The plain flavor that :meth:`find`, :meth:`create` and :meth:`update`
    return carries its extra specs; :meth:`updates` plans their changes and
    hands the plan to :meth:`update` in its ``Updates.plan``.
    """

    resource_name = 'flavor'
    service = 'compute'
    attributes = ('name', 'ram', 'vcpus', 'disk', 'ephemeral', 'swap', 'rxtx_factor', 'is_public',
                  'description')
    identity = ('name',)
    # Nova lists flavors without a name filter: find() compares names itself.
    server_filters = ()
    create_only = ('id', 'ram', 'vcpus', 'disk', 'ephemeral', 'swap', 'rxtx_factor', 'is_public')

    def resolve(self):
        want = {}
        if self.params.get('flavor_id') is not None:
            want['id'] = self.params['flavor_id']
        if self.state == 'present' and self.params.get('extra_specs') is not None:
            try:
                self._extra_specs = string_mapping(self.params['extra_specs'], 'extra_specs')
            except ValueError as exc:
                self.fail_json(msg=str(exc))
            want['extra_specs'] = {key: value for key, value in self._extra_specs.items()
                                   if value is not None}
        return want

    def check_create(self, desired):
        missing = missing_for_create(desired, FLAVOR_REQUIRED)
        if missing:
            self.fail_json(msg='%s does not exist; to create it, Nova needs %s: set the option%s' % (
                self.describe(desired), ' and '.join(missing), 's' if len(missing) > 1 else ''))

    def present(self, resource):
        plain = to_plain(resource)
        if not plain.get('extra_specs'):
            # Nova shows extra specs with the flavor from microversion 2.61 on,
            # and only to those its policy lets read them.
            self.action = 'reading the extra specs of flavor %r' % plain.get('name')
            plain['extra_specs'] = dict(to_plain(self.proxy.fetch_flavor_extra_specs(plain['id'])).get('extra_specs')
                                        or {})
        return plain

    def updates(self, desired, current):
        desired = dict(desired)
        desired.pop('extra_specs', None)
        updates = super().updates(desired, current)
        if self.params.get('extra_specs') is not None:
            to_set, to_remove, after = plan_mapping(current.get('extra_specs'), self._extra_specs,
                                                    self.params.get('purge_extra_specs'))
            if to_set or to_remove:
                updates.plan['extra_specs'] = (to_set, to_remove)
                updates['extra_specs'] = after
        return updates

    def _set_extra_specs(self, flavor_id, to_set, to_remove):
        if to_set:
            # Nova's "create" of extra specs adds new keys and changes existing ones.
            self.proxy.create_flavor_extra_specs(flavor_id, to_set)
        for key in to_remove:
            self.proxy.delete_flavor_extra_specs_property(flavor_id, key, ignore_missing=True)

    def create(self, desired):
        attrs = dict(desired)
        extra_specs = attrs.pop('extra_specs', None)
        flavor = self.proxy.create_flavor(**attrs)
        if extra_specs:
            self._set_extra_specs(flavor.id, extra_specs, [])
        return self.present(self.proxy.get_flavor(flavor.id))

    def update(self, current, updates):
        # Of the flavor itself, Nova changes only the description.
        if 'description' in updates:
            self.proxy.update_flavor(current['id'], description=updates['description'])
        self._set_extra_specs(current['id'], *updates.plan.get('extra_specs', ({}, [])))
        return self.present(self.proxy.get_flavor(current['id']))

    def delete(self, current):
        self.proxy.delete_flavor(current['id'], ignore_missing=True)

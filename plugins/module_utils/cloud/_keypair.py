# Private to this collection: not a public API, may change without notice.
"""Compute (Nova) keypairs on the generic engine.

What is special about a keypair:

- Nova never changes one: a keypair whose public key or type differs from
  the task's fails the task, unless ``replace`` says to delete it and make it
  anew under the same name;
- Nova keeps the public key exactly as it was given (comment, inner spaces,
  trailing newlines), and refuses leading spaces: the key is sent stripped,
  and keys are compared by what identifies them (:func:`key_material`);
- without a public key, Nova generates the pair and returns the private key
  in the answer to the create only: the module returns it then, never in a
  diff, and never again.

The functions before the class are pure and unit-tested.
"""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._base import sdk_exceptions
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    ResourceModule,
    Updates,
)

# Nova's type for a keypair made without one.
DEFAULT_TYPE = 'ssh'


def key_material(public_key, key_type=DEFAULT_TYPE):
    """What identifies a public key, whatever its comment and spacing.

    An SSH key is its algorithm and base64 data (``ssh-ed25519 AAAA...``,
    without the comment); an X.509 certificate is its PEM text without any
    whitespace. None stays None.
    """
    if public_key is None:
        return None
    if key_type == 'x509':
        return ''.join(public_key.split())
    return ' '.join(public_key.split()[:2])


def keypair_mismatches(desired, current):
    """The attributes (``type``, ``public_key``) of the existing keypair
    ``current`` that differ from what the task asks for, in that order.

    A public key the task does not give is not compared: the keypair's is
    kept, whatever it is.
    """
    have_type = current.get('type') or DEFAULT_TYPE
    want_type = desired.get('type') or have_type
    differs = []
    if want_type != have_type:
        differs.append('type')
    if desired.get('public_key') is not None and (
            key_material(desired['public_key'], want_type) != key_material(current.get('public_key'), have_type)):
        differs.append('public_key')
    return differs


class KeypairResource(ResourceModule):
    """A keypair of the user of the credentials, by name.

    A replacement is an update for the engine: :meth:`updates` plans it (the
    whole keypair to make in ``Updates.plan``) and :meth:`update` deletes the
    keypair and makes it anew.
    """

    resource_name = 'keypair'
    service = 'compute'
    attributes = ('name', 'type')
    identity = ('name',)
    # find() gets the keypair by name (its ID); Nova's list takes no name filter.
    server_filters = ()
    # Returned once, by the create that generated it (see result()).
    secret = ('private_key',)
    # A keypair's ID is its name.
    id_attribute = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._private_key = None
        self._key_option = 'public_key'

    def resolve(self):
        if self.state == 'absent':
            return {}
        option, key = 'public_key', self.params.get('public_key')
        if self.params.get('public_key_file') is not None:
            option, path = 'public_key_file', self.params['public_key_file']
            try:
                with open(path, encoding='utf-8') as stream:
                    key = stream.read()
            except (OSError, UnicodeDecodeError) as exc:
                self.fail_json(msg='public_key_file: cannot read %s: %s' % (path, exc))
        if key is None:
            # Nova generates it (check mode's prediction shows it unknown).
            return {'public_key': None}
        # Nova refuses leading spaces and would keep trailing ones.
        key = key.strip()
        if not key:
            self.fail_json(msg='%s is empty: give a public key, or neither public_key nor'
                               ' public_key_file to have Nova generate the pair' % option)
        self._key_option = option
        return {'public_key': key}

    def find(self, desired):
        # The name is the keypair's ID: one GET, no list of every keypair.
        try:
            return self.proxy.get_keypair(desired['name'])
        except sdk_exceptions.NotFoundException:
            return None

    def updates(self, desired, current):
        differs = keypair_mismatches(desired, current)
        if not differs:
            return Updates()
        if not self.params.get('replace'):
            what = []
            if 'type' in differs:
                what.append('type (%s, the task asks for %s)' % (current.get('type'), desired['type']))
            if 'public_key' in differs:
                what.append('public key than %s gives (its fingerprint is %s)' % (
                    self._key_option, current.get('fingerprint')))
            self.fail_json(msg='%s exists with another %s; Nova cannot change a keypair: delete it,'
                               ' or set replace=true to have it deleted and made anew' % (
                                   self.describe(desired), ' and '.join(what)))
        updates = Updates({key: desired.get(key) for key in differs})
        # The keypair made anew: the task's key (None: Nova generates one),
        # and a fingerprint that Nova computes.
        updates.update(public_key=desired.get('public_key'), fingerprint=None)
        updates.plan['create'] = desired
        return updates

    def create(self, desired):
        created = self.proxy.create_keypair(**{key: value for key, value in desired.items() if value is not None})
        self._private_key = created.private_key
        # The create's answer lacks created_at: read the keypair as find() does.
        return self.proxy.get_keypair(created.name)

    def update(self, current, updates):
        self.action = 'deleting %s to make it anew' % self.describe(updates.plan['create'])
        self.proxy.delete_keypair(current['name'], ignore_missing=True)
        self.action = 'making %s anew' % self.describe(updates.plan['create'])
        return self.create(updates.plan['create'])

    def delete(self, current):
        self.proxy.delete_keypair(current['name'], ignore_missing=True)

    def result(self, changed, before, after):
        result = super().result(changed, before, after)
        if self._private_key:
            # Only here (a copy: the diff holds the same dict), never in the
            # diff nor on a later run.
            result['keypair'] = dict(result['keypair'], private_key=self._private_key)
            if not self.ansible.no_log:
                self.warn('the result holds the private key that Nova generated: set no_log: true on'
                          ' the task to keep it out of the output and logs')
        return result

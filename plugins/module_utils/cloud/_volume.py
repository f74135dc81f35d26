# Private to this collection: not a public API, may change without notice.
"""Block storage (Cinder) on the generic engine: volumes, their snapshots, and
their attachments to servers.

What is special about them:

- a volume grows in place (Cinder's extend, also while it is attached where
  the cloud allows it: block storage API 3.42) and never shrinks: a smaller
  size fails the task;
- what a volume is made from (image, snapshot, source volume), its type and
  its availability zone cannot change: each is compared, and those that differ
  fail the task together;
- metadata keys the task does not name are kept unless ``purge_metadata``;
- deleting a volume that is attached or has snapshots fails, naming them,
  before anything changes;
- a volume or snapshot that goes to an error status fails the task with
  Cinder's own reason (its user messages) when it gives one;
- an attachment is made and removed through Nova and read from Cinder's view
  of the volume; the device is only a hint to Nova, never compared.

The functions before the classes are pure and unit-tested.
"""

from __future__ import annotations

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._base import API_ERRORS, sdk_exceptions
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    ReferenceNotFound,
    ResourceModule,
    Updates,
    plan_mapping,
    resource_id,
    string_mapping,
    to_plain,
)
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._server import fixed_mismatches

# ---------------------------------------------------------------------------
# Pure helpers


def size_problem(what, current, wanted):
    """Why ``wanted`` GiB cannot be the size of ``what`` of ``current`` GiB; None when it can."""
    if wanted is None or current is None or wanted >= current:
        return None
    return ('%s has %d GiB and the task asks for %d: volumes cannot shrink (make a smaller one and copy'
            ' the data)' % (what, current, wanted))


def attachment_view(entry):
    """An attachment as the modules return it, from an entry of a volume's ``attachments``."""
    return {key: entry.get(key) for key in ('server_id', 'volume_id', 'device', 'attachment_id',
                                            'host_name', 'attached_at')}


def attachment_of(volume, server_id):
    """The entry of ``volume``'s attachments for that server, or None."""
    return next((entry for entry in volume.get('attachments') or [] if entry.get('server_id') == server_id),
                None)


def attached_servers(volume):
    """The ids of the servers ``volume`` is attached to, sorted."""
    return sorted({entry['server_id'] for entry in volume.get('attachments') or [] if entry.get('server_id')})


def latest_reason(messages):
    """The newest of Cinder's user messages (``[{created_at, user_message}]``), or None."""
    dated = sorted((m for m in messages if m.get('user_message')), key=lambda m: m.get('created_at') or '')
    return dated[-1]['user_message'] if dated else None


def volume_image_id(volume):
    """The image a volume was made from: Cinder keeps it in the volume's image metadata."""
    return (volume.get('volume_image_metadata') or {}).get('image_id')


# ---------------------------------------------------------------------------
# The resources


class CinderResource(ResourceModule):
    """What volumes and snapshots share: Cinder's statuses and its reasons."""

    service = 'block_storage'
    ready_status = 'available'
    failed_status = ('error',)
    wait_on_delete = True

    def failure_reason(self, resource):
        # Cinder tells why in its user messages (API 3.3; filtered by resource from 3.5).
        try:
            response = self.proxy.get('/messages', params={'resource_uuid': resource_id(resource)},
                                      microversion='3.5', raise_exc=False)
            if not response.ok:
                return None
            return latest_reason(response.json().get('messages') or [])
        except (ValueError, *API_ERRORS):
            return None

    def _fail_if_failed(self, current, desired):
        """A resource found in error fails the task as one that goes to error does."""
        status = (current.get('status') or '').lower()
        if status in self.failed_status:
            reason = self.failure_reason(current)
            self.fail_json(msg='%s is in status %s: %s; delete it (state=absent), or have an administrator'
                               ' reset its status' % (self.describe(desired), status.upper(),
                                                      reason or 'Cinder gives no reason'),
                           **{self.resource_name: current})

    def _metadata_plan(self, current, updates):
        to_set, to_remove, after = plan_mapping(current.get('metadata'), self._metadata,
                                                self.params.get('purge_metadata'))
        if to_set or to_remove:
            updates.plan['metadata'] = (to_set, to_remove)
            updates['metadata'] = after

    def _resolve_metadata(self, want):
        if self.params.get('metadata') is None:
            return
        try:
            self._metadata = string_mapping(self.params['metadata'], 'metadata')
        except ValueError as exc:
            self.fail_json(msg=str(exc))
        want['metadata'] = {key: value for key, value in self._metadata.items() if value is not None}

    def _change_metadata(self, kind, current_id, updates):
        to_set, to_remove = updates.plan.get('metadata', ({}, []))
        if to_set:
            getattr(self.proxy, 'set_%s_metadata' % kind)(current_id, **to_set)
        if to_remove:
            getattr(self.proxy, 'delete_%s_metadata' % kind)(current_id, to_remove)

    def _wait_gone(self, resource, what):
        # Cinder marks the resource deleting before it answers the delete: any
        # other status means it gave up (a snapshot that Ceph volumes are
        # cloned from is busy, for one), which fails at once.
        if not self.wait_on_delete or not self.params.get('wait'):
            return
        get = self._call('get')

        def probe():
            try:
                current = get(resource_id(resource))
            except sdk_exceptions.NotFoundException:
                return True
            status = (current.status or '').lower()
            if status != 'deleting':
                reason = self.failure_reason(current)
                self.fail_json(msg='Cinder did not delete %s: it is %s%s' % (
                    what, status, ' (%s)' % reason if reason else ''))
            return None

        self.action = 'waiting for %s to be gone' % what
        self.wait_for(probe, '%s to be gone' % what)


# Options that only count when a volume is made -> its attribute in the plain volume.
VOLUME_FIXED = (('volume_type', 'volume_type'), ('image', 'image_id'), ('snapshot', 'snapshot_id'),
                ('source_volume', 'source_volume_id'), ('availability_zone', 'availability_zone'))


class VolumeResource(CinderResource):
    """A volume and its metadata; the plain volume of :meth:`present` has the
    image it was made from as ``image_id``."""

    resource_name = 'volume'
    attributes = ('name', 'description', 'size', 'availability_zone', 'is_bootable')
    identity = ('name',)
    failed_status = ('error', 'error_extending')

    def resolve(self):
        params, want = self.params, {}
        if self.state == 'absent':
            return want
        if params.get('size') is not None and params['size'] < 1:
            self.fail_json(msg='size: %d is no size; a volume has at least 1 GiB' % params['size'])
        if params.get('volume_type') is not None:
            self.action = 'looking up volume type %r' % params['volume_type']
            found = self.proxy.find_type(params['volume_type'])
            if found is None:
                raise ReferenceNotFound('volume type %r not found' % params['volume_type'])
            # Cinder shows a volume's type by name.
            want['volume_type'] = found.name
        for option, attribute, kind, service in (('image', 'image_id', 'image', 'image'),
                                                 ('snapshot', 'snapshot_id', 'snapshot', None),
                                                 ('source_volume', 'source_volume_id', 'volume', None)):
            if params.get(option) is not None:
                want[attribute] = self.lookup(kind, params[option], service=service)
        self._resolve_metadata(want)
        return want

    def present(self, resource):
        plain = to_plain(resource)
        plain['image_id'] = volume_image_id(plain)
        return plain

    def check_create(self, desired):
        source = next(((kind, desired[key]) for kind, key in (('snapshot', 'snapshot_id'),
                                                              ('volume', 'source_volume_id')) if desired.get(key)),
                      None)
        if source is None:
            if desired.get('size') is None:
                self.fail_json(msg='%s does not exist; to create it, set size (Cinder takes it from the source only'
                                   ' for a volume made from a snapshot or another volume)' % self.describe(desired))
            return
        kind, source_id = source
        self.action = 'reading %s %s' % (kind, source_id)
        source_size = getattr(self.proxy, 'get_' + kind)(source_id).size
        if desired.get('size') is not None and desired['size'] < source_size:
            self.fail_json(msg='size: %d GiB is smaller than the %s it is made from (%s, %d GiB)' % (
                desired['size'], kind, self.params['snapshot' if kind == 'snapshot' else 'source_volume'],
                source_size))
        # The volume gets the size of its source: check mode predicts it too.
        desired.setdefault('size', source_size)

    def updates(self, desired, current):
        self._fail_if_failed(current, desired)
        what = self.describe(desired)
        mismatches = fixed_mismatches({option: desired.get(attribute) for option, attribute in VOLUME_FIXED},
                                      {option: current.get(attribute) for option, attribute in VOLUME_FIXED})
        if mismatches:
            self.fail_json(msg='%s: %s cannot change on an existing volume (%s); delete and re-create it, or'
                               ' leave the option as it is' % (
                                   what, ', '.join(option for option, _have, _want in mismatches),
                                   '; '.join('%s is %r, the task asks for %r' % m for m in mismatches)))
        problem = size_problem(what, current.get('size'), desired.get('size'))
        if problem:
            self.fail_json(msg=problem)
        updates = Updates()
        for key in ('description', 'is_bootable', 'size'):
            if desired.get(key) is not None and desired[key] != current.get(key):
                updates[key] = desired[key]
        if 'metadata' in desired:
            self._metadata_plan(current, updates)
        return updates

    def create(self, desired):
        attrs = {key: value for key, value in desired.items() if key != 'is_bootable'}
        volume = self.proxy.create_volume(**attrs)
        if desired.get('is_bootable') is not None:
            # Cinder takes no bootable flag at creation, and sets its own when
            # the volume is made from an image: set it once the volume is ready.
            volume = self._wait_status(volume, self.describe(desired))
            if volume.is_bootable != desired['is_bootable']:
                self.proxy.set_volume_bootable_status(volume, desired['is_bootable'])
        return volume

    def update(self, current, updates):
        volume_id = current['id']
        if 'description' in updates:
            self.proxy.update_volume(volume_id, description=updates['description'])
        self._change_metadata('volume', volume_id, updates)
        if 'is_bootable' in updates:
            self.proxy.set_volume_bootable_status(volume_id, updates['is_bootable'])
        # Last: Cinder refuses other changes to a volume that is extending.
        if 'size' in updates:
            self.proxy.extend_volume(volume_id, updates['size'])
        return self.proxy.get_volume(volume_id)

    def find(self, desired):
        current = super().find(desired)
        if current is not None and self.state == 'absent':
            self._check_delete(current, self.describe(desired))
        return current

    def _check_delete(self, current, what):
        """Fail, before any change, when Cinder would refuse the delete."""
        servers = attached_servers(current)
        if servers:
            self.fail_json(msg='%s is attached to %s: detach it first (nimbus.openstack.server_volume with'
                               ' state=absent)' % (what, ', '.join(self._server_text(s) for s in servers)))
        self.action = 'listing the snapshots of %s' % what
        snapshots = sorted('%r (%s)' % (s.name, s.id) for s in self.proxy.snapshots(volume_id=current['id']))
        if snapshots:
            self.fail_json(msg='%s has snapshots %s: delete them first (nimbus.openstack.volume_snapshot with'
                               ' state=absent)' % (what, ', '.join(snapshots)))

    def _server_text(self, server_id):
        try:
            return 'server %r (%s)' % (self.conn.compute.get_server(server_id).name, server_id)
        except sdk_exceptions.NotFoundException:
            # A server of another project.
            return 'server %s' % server_id

    def delete(self, current):
        self.proxy.delete_volume(current['id'], ignore_missing=True)

    def _wait_status(self, volume, what):
        """The volume once it is ready, even without ``wait`` (the engine's
        wait reads the option)."""
        wait, self.params['wait'] = self.params.get('wait'), True
        try:
            return super()._wait_ready(volume, what)
        finally:
            self.params['wait'] = wait

    def _wait_ready(self, resource, what):
        # An attached volume is ready again in-use (after an extend).
        self.ready_status = 'in-use' if resource.get('attachments') else 'available'
        return self.present(super()._wait_ready(resource, what))


class SnapshotResource(CinderResource):
    resource_name = 'snapshot'
    attributes = ('name', 'description')
    identity = ('name', 'volume_id')

    def resolve(self):
        want = {}
        if self.params.get('volume') is not None:
            want['volume_id'] = self.lookup('volume', self.params['volume'])
        if self.state == 'present':
            self._resolve_metadata(want)
        return want

    def check_create(self, desired):
        if desired.get('volume_id') is None:
            self.fail_json(msg='%s does not exist; to create it, set volume' % self.describe(desired))

    def updates(self, desired, current):
        self._fail_if_failed(current, desired)
        updates = Updates()
        if desired.get('description') is not None and desired['description'] != current.get('description'):
            updates['description'] = desired['description']
        if 'metadata' in desired:
            self._metadata_plan(current, updates)
        return updates

    def create(self, desired):
        attrs = dict(desired)
        if self.params.get('force'):
            # Only sent when set: newer Cinder (3.66) snapshots in-use volumes
            # without it, and refuses force=false.
            attrs['force'] = True
        return self.proxy.create_snapshot(**attrs)

    def update(self, current, updates):
        if 'description' in updates:
            self.proxy.update_snapshot(current['id'], description=updates['description'])
        self._change_metadata('snapshot', current['id'], updates)
        return self.proxy.get_snapshot(current['id'])

    def delete(self, current):
        self.proxy.delete_snapshot(current['id'], ignore_missing=True)


class AttachmentResource(ResourceModule):
    """A volume attached to a server: made and removed through Nova, found in
    the volume's ``attachments`` (Cinder lists only attachments that are done)."""

    resource_name = 'attachment'
    service = 'compute'
    identity = ('server_id', 'volume_id')
    id_attribute = 'attachment_id'

    def resolve(self):
        want = {'server_id': self.lookup('server', self.params['server']),
                'volume_id': self.lookup('volume', self.params['volume'], service='block_storage')}
        if self.params.get('device'):
            want['device'] = self.params['device']
        return want

    def describe(self, desired):
        return 'volume %r on server %r' % (self.params['volume'], self.params['server'])

    def _volume(self, volume_id):
        return to_plain(self.conn.block_storage.get_volume(volume_id))

    def find(self, desired):
        self._current_volume = self._volume(desired['volume_id'])
        entry = attachment_of(self._current_volume, desired['server_id'])
        return None if entry is None else attachment_view(entry)

    def updates(self, desired, current):
        # The device is a hint that Nova may not follow: it is never compared.
        return Updates()

    def check_create(self, desired):
        volume, what = self._current_volume, self.describe(desired)
        others = [server for server in attached_servers(volume) if server != desired['server_id']]
        if others and not volume.get('is_multiattach'):
            self.fail_json(msg='%s: the volume is attached to server %s and is not multiattach; detach it there'
                               ' first' % (what, ', '.join(others)))
        if volume.get('status') not in ('available', 'in-use'):
            self.fail_json(msg='%s: the volume is %s; it can be attached when it is available' % (
                what, volume.get('status')))

    def create(self, desired):
        hint = {'device': desired['device']} if desired.get('device') else {}
        made = self.proxy.create_volume_attachment(desired['server_id'], volume=desired['volume_id'], **hint)
        if not self.params.get('wait'):
            return dict(attachment_view(made), server_id=desired['server_id'], volume_id=desired['volume_id'])
        what = self.describe(desired)

        def probe():
            volume = self._volume(desired['volume_id'])
            entry = attachment_of(volume, desired['server_id'])
            if entry is not None and volume.get('status') == 'in-use':
                return attachment_view(entry)
            try:
                self.proxy.get_volume_attachment(desired['server_id'], desired['volume_id'])
            except sdk_exceptions.NotFoundException:
                # Nova drops the attachment when its compute host fails to attach.
                self.fail_json(msg='%s: Nova could not attach the volume (the server\'s actions say why:'
                                   ' openstack server event list)' % what)
            return None

        self.action = 'waiting for %s to be attached' % what
        return self.wait_for(probe, '%s to be attached' % what)

    def delete(self, current):
        what = self.describe(current)
        multiattach = self._current_volume.get('is_multiattach')
        self.proxy.delete_volume_attachment(current['server_id'], current['volume_id'], ignore_missing=True)
        if not self.params.get('wait'):
            return

        def probe():
            volume = self._volume(current['volume_id'])
            if attachment_of(volume, current['server_id']) is None:
                return True
            if volume.get('status') == 'in-use' and not multiattach:
                # Nova rolls a failed detach back: the volume is in-use again
                # (a multiattach volume may be in-use all along).
                self.fail_json(msg='%s: Nova could not detach the volume (the server\'s actions say why:'
                                   ' openstack server event list)' % what)
            return None

        self.action = 'waiting for %s to be detached' % what
        self.wait_for(probe, '%s to be detached' % what)

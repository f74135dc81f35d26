# Private to this collection: not a public API, may change without notice.
"""Image (Glance) resources on the generic engine: images.

What is special about an image:

- its data can only be uploaded once, when it is created. When the image
  exists and the task names a file, the file's hashes are compared with the
  image's (``checksum``, the MD5, and ``os_hash_value``): a different file
  fails the task, never replaces the data nor makes a second image;
- Glance keeps every property that is not one of its own attributes
  (``kernel_id``, ``os_command_line``, ``hw_*``, anything else) at the top
  level of the image, and openstacksdk models some of them as attributes
  (some typed: ``hw_cpu_sockets`` an int, ``hw_vif_multiqueue_enabled`` a
  boolean) and keeps the others under ``properties``. The image's result
  gathers them all under ``properties``, by their Glance names, as strings;
  the task's ``properties`` go through the same conversion before they are
  compared, so ``True`` and ``true`` are the same;
- a new image and each change are sent to Glance as JSON (the change as one
  JSON patch: properties added, which also replaces, removed with
  ``purge_properties`` or a null value, attributes and tags replaced) through
  the SDK's image proxy, not through its Image resource, which maps keyword
  names to its own attributes and methods: a property may be called
  anything Glance takes;
- images are found among every image the credentials can see, community and
  hidden ones included, so that a task never makes a second image of a name.

The functions before the class are pure and unit-tested.
"""

from __future__ import annotations

import functools
import hashlib
import os

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._base import (
    API_ERRORS,
    sdk_exceptions,
)
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    ResourceModule,
    merge_list,
    plan_mapping,
    string_mapping,
    string_value,
    to_plain,
    values_equal,
)

# ---------------------------------------------------------------------------
# Pure helpers: attributes and properties

# Glance's own attributes of an image (its schema's base properties): never
# extra properties. Those a task sets have an option of their own.
GLANCE_ATTRIBUTES = (
    'checksum', 'container_format', 'created_at', 'direct_url', 'disk_format', 'file', 'id',
    'locations', 'min_disk', 'min_ram', 'name', 'os_hash_algo', 'os_hash_value', 'os_hidden',
    'owner', 'protected', 'schema', 'self', 'size', 'status', 'stores', 'tags', 'updated_at',
    'virtual_size', 'visibility',
)
ATTRIBUTE_OPTIONS = {
    'container_format': 'container_format', 'disk_format': 'disk_format', 'min_disk': 'min_disk',
    'min_ram': 'min_ram', 'name': 'name', 'owner': 'project', 'protected': 'is_protected',
    'tags': 'tags', 'visibility': 'visibility',
}
# Properties that Glance sets and keeps for itself.
READ_ONLY_PREFIX = 'os_glance_'
READ_ONLY_PROPERTIES = ('stores',)

# openstacksdk attributes of an Image that are Glance attributes (or the
# SDK's own), not extra properties.
SDK_ATTRIBUTES = (
    'checksum', 'container_format', 'created_at', 'direct_url', 'disk_format', 'file', 'hash_algo',
    'hash_value', 'id', 'is_hidden', 'is_protected', 'locations', 'metadata', 'min_disk', 'min_ram',
    'name', 'owner', 'owner_id', 'properties', 'schema', 'size', 'status', 'store', 'tags',
    'updated_at', 'url', 'virtual_size', 'visibility',
)

# The attributes a task can change on an existing image, by SDK name: their
# Glance names (a change is a JSON-patch "replace"; a new image gets them by
# these names too).
PATCHED_ATTRIBUTES = {
    'visibility': 'visibility', 'min_disk': 'min_disk', 'min_ram': 'min_ram',
    'is_protected': 'protected', 'tags': 'tags',
}


def body_field_type():
    """openstacksdk's type of the fields of a resource's body."""
    try:
        from openstack.fields import Body
    except ImportError:  # openstacksdk before 3.0 has them in openstack.resource
        from openstack.resource import Body
    return Body


def body_fields(image_cls, body_type):
    """``{SDK attribute: Glance name}`` of every body field of openstacksdk's
    ``image_cls`` (``is_protected``: ``protected``, ``kernel_id``: ``kernel_id``, ...)."""
    fields = {}
    for attr in dir(image_cls):
        field = getattr(image_cls, attr, None)
        if isinstance(field, body_type):
            fields[attr] = field.name
    return fields


def extra_attributes(fields):
    """Of :func:`body_fields`, those that openstacksdk models for extra
    properties (``is_hw_vif_multiqueue_enabled``: ``hw_vif_multiqueue_enabled``, ...)."""
    return {attr: name for attr, name in fields.items() if attr not in SDK_ATTRIBUTES}


@functools.cache
def sdk_image():
    """``(Image class, its body_fields, its extra_attributes)`` of openstacksdk,
    imported when first needed (the base reports a missing openstacksdk)."""
    from openstack.image.v2.image import Image
    fields = body_fields(Image, body_field_type())
    return Image, fields, extra_attributes(fields)


def is_read_only(key):
    return key.startswith(READ_ONLY_PREFIX) or key in READ_ONLY_PROPERTIES


def property_key_problem(key, fields):
    """Why the task cannot manage the property ``key``, or None when it can.

    ``fields`` is :func:`body_fields`: openstacksdk reads a property named
    as one of its attributes (other than by the attribute's own Glance
    name) as that attribute, so it would never show as the property.
    """
    if not key:
        return 'a property needs a name'
    if is_read_only(key):
        return 'Glance sets it itself'
    if key in GLANCE_ATTRIBUTES:
        if key in ATTRIBUTE_OPTIONS:
            return 'it is an attribute of the image: use the option %s' % ATTRIBUTE_OPTIONS[key]
        return 'it is an attribute of the image that Glance sets'
    if key in fields and (key in SDK_ATTRIBUTES or fields[key] != key):
        if key in SDK_ATTRIBUTES:
            return 'openstacksdk reads it as an attribute of the image'
        return "it is openstacksdk's name for the property %s: use that name" % fields[key]
    return None


def _shown(value):
    try:
        return string_value(value)
    except TypeError:
        return str(value)


def image_state(plain, extras):
    """An image (a plain dict of SDK attributes) as the module returns it.

    Every extra property, whether openstacksdk models it as an attribute
    (``extras``) or keeps it under ``properties``, goes under ``properties``
    by its Glance name, as a string. The properties that Glance keeps for
    itself stay at the top level.
    """
    state = {key: value for key, value in plain.items() if key not in extras and key != 'properties'}
    properties = {}
    for attr, name in extras.items():
        if plain.get(attr) is not None:
            properties[name] = _shown(plain[attr])
    for key, value in (plain.get('properties') or {}).items():
        if is_read_only(key):
            state[key] = value
        elif value is not None:
            properties[key] = _shown(value)
    state['properties'] = properties
    return state


def escape_pointer(key):
    """``key`` as one token of a JSON pointer (RFC 6901)."""
    return key.replace('~', '~0').replace('/', '~1')


def create_body(desired, properties):
    """The JSON body that creates an image: the attributes of ``desired`` by
    their Glance names, and the ``properties`` that are not to be removed."""
    body = {PATCHED_ATTRIBUTES.get(key, key): value for key, value in desired.items() if key != 'properties'}
    body.update((key, value) for key, value in (properties or {}).items() if value is not None)
    return body


def patch_operations(updates, to_set, to_remove):
    """The JSON patch (Glance's ``openstack-images-v2.1-json-patch``) that
    makes the changes: the attributes of ``updates`` are replaced, the
    properties ``to_set`` added (which replaces an existing one) and those
    ``to_remove`` removed."""
    unknown = sorted(set(updates) - set(PATCHED_ATTRIBUTES) - {'properties'})
    if unknown:
        raise ValueError('Glance cannot change %s of an image' % ', '.join(unknown))
    operations = [{'op': 'replace', 'path': '/' + PATCHED_ATTRIBUTES[key], 'value': updates[key]}
                  for key in sorted(updates) if key in PATCHED_ATTRIBUTES]
    operations.extend({'op': 'add', 'path': '/' + escape_pointer(key), 'value': to_set[key]}
                      for key in sorted(to_set))
    operations.extend({'op': 'remove', 'path': '/' + escape_pointer(key)} for key in to_remove)
    return operations


# ---------------------------------------------------------------------------
# Pure helpers: content

def file_problem(path):
    """Why the image file ``path`` cannot be read, or None."""
    if not os.path.exists(path):
        return 'no such file'
    if not os.path.isfile(path):
        return 'not a regular file'
    if not os.access(path, os.R_OK):
        return 'not readable'
    return None


def hashes_to_compare(image):
    """The hash algorithms to run over a file to compare it with the data of
    ``image``: MD5 for its ``checksum``, and its ``os_hash_algo`` when this
    Python has it."""
    algorithms = []
    if image.get('checksum'):
        algorithms.append('md5')
    algorithm = (image.get('hash_algo') or '').lower()
    if image.get('hash_value') and algorithm in hashlib.algorithms_available and algorithm not in algorithms:
        algorithms.append(algorithm)
    return algorithms


def file_hashes(path, algorithms, chunk_size=1 << 20):
    """``{algorithm: hex digest}`` of the file ``path``, read once."""
    digests = {name: hashlib.new(name, usedforsecurity=False) for name in algorithms}
    if digests:
        with open(path, 'rb') as stream:
            for chunk in iter(lambda: stream.read(chunk_size), b''):
                for digest in digests.values():
                    digest.update(chunk)
    return {name: digest.hexdigest() for name, digest in digests.items()}


def content_mismatch(image, hashes):
    """None when the data of ``image`` is the file's (``hashes`` from
    :func:`file_hashes`), else what differs."""
    checksum, hash_value = image.get('checksum'), image.get('hash_value')
    if not checksum and not hash_value:
        return 'the image has no data: its status is %s' % image.get('status')
    differences = []
    if checksum and 'md5' in hashes and hashes['md5'] != checksum.lower():
        differences.append('checksum %s, the file has %s' % (checksum, hashes['md5']))
    algorithm = (image.get('hash_algo') or '').lower()
    if hash_value and algorithm in hashes and hashes[algorithm] != hash_value.lower():
        differences.append('%s %s, the file has %s' % (algorithm, hash_value, hashes[algorithm]))
    if differences:
        return '; '.join(differences)
    if not hashes:
        return 'its hash (%s) cannot be computed here' % (image.get('hash_algo') or 'none')
    return None


# ---------------------------------------------------------------------------
# The resource

# Image statuses from which it never becomes active by itself.
IMAGE_FAILED_STATUSES = ('killed', 'deleted', 'pending_delete', 'deactivated')


class ImageResource(ResourceModule):
    """An image, its data, tags and properties.

    The plain image of :meth:`find`, :meth:`create` and :meth:`update` is
    :func:`image_state`; :meth:`updates` plans the property changes and
    hands the plan to :meth:`update` in its ``Updates.plan``.
    """

    resource_name = 'image'
    service = 'image'
    attributes = ('name', 'disk_format', 'container_format', 'visibility', 'min_disk', 'min_ram',
                  'is_protected')
    identity = ('name', 'owner')
    create_only = ('owner', 'disk_format', 'container_format')
    unordered = ('tags',)

    # The task's properties: to send (None: to remove), and as Glance shows them.
    _properties = None
    _shown = None

    # -- what the task asks for

    def resolve(self):
        params = self.params
        want = {}
        if params.get('project') is not None:
            want['owner'] = self.lookup('project', params['project'], service='identity')
        if self.state == 'absent':
            # Only what identifies the image matters for a delete.
            return want
        if params.get('tags') is not None:
            want['tags'] = list(dict.fromkeys(params['tags']))
        if params.get('properties') is not None:
            fields = sdk_image()[1]
            problems = ['%s (%s)' % (key, problem) for key, problem in
                        ((key, property_key_problem(key, fields)) for key in sorted(params['properties']))
                        if problem]
            if problems:
                self.fail_json(msg='properties cannot hold %s' % '; '.join(problems))
            try:
                self._properties = string_mapping(params['properties'], 'properties')
            except ValueError as exc:
                self.fail_json(msg=str(exc))
            self._shown = self._as_glance_shows(
                {key: value for key, value in self._properties.items() if value is not None})
            want['properties'] = dict(self._shown)
        return want

    def _as_glance_shows(self, properties):
        """Properties as an image that has them shows them (see image_state):
        those that openstacksdk models go through its conversion."""
        image_cls, _fields, extras = sdk_image()
        modelled = set(extras.values())
        shown = {key: value for key, value in properties.items() if key not in modelled}
        image = image_cls.existing(**{key: value for key, value in properties.items() if key in modelled})
        shown.update(image_state(to_plain(image), extras)['properties'])
        return shown

    def present(self, resource):
        return image_state(to_plain(resource), sdk_image()[2])

    def check_create(self, desired):
        filename = self.params.get('filename')
        if filename is None:
            return
        problem = file_problem(filename)
        if problem:
            self.fail_json(msg='filename %s: %s' % (filename, problem))
        missing = [option for option in ('disk_format', 'container_format') if not desired.get(option)]
        if missing:
            self.fail_json(msg='%s does not exist; to upload %s into a new image, Glance needs %s:'
                               ' set the option%s' % (self.describe(desired), filename,
                                                      ' and '.join(missing), 's' if len(missing) > 1 else ''))

    # -- compare

    def updates(self, desired, current):
        desired = dict(desired)
        tags = desired.pop('tags', None)
        desired.pop('properties', None)
        if self.params.get('filename') is not None:
            self._check_content(desired, current)
        updates = super().updates(desired, current)
        if tags is not None:
            merged = merge_list(current.get('tags'), tags, self.params.get('purge_tags'))
            if not values_equal(merged, current.get('tags') or [], unordered=True):
                updates['tags'] = merged
        if self.params.get('properties') is not None:
            to_set, to_remove, after = plan_mapping(current.get('properties'), self._properties,
                                                    self.params.get('purge_properties'), canonical=self._shown)
            if to_set or to_remove:
                updates.plan['properties'] = (to_set, to_remove)
                updates['properties'] = after
        return updates

    def _check_content(self, desired, current):
        filename = self.params['filename']
        problem = file_problem(filename)
        if problem:
            self.fail_json(msg='filename %s: %s' % (filename, problem))
        self.action = 'reading %s' % filename
        try:
            hashes = file_hashes(filename, hashes_to_compare(current))
        except OSError as exc:
            self.fail_json(msg='filename %s: %s' % (filename, exc))
        mismatch = content_mismatch(current, hashes)
        if mismatch:
            self.fail_json(msg='%s exists with different content than %s (%s); Glance images are'
                               ' immutable: use a new name, or delete it first'
                               % (self.describe(desired), filename, mismatch), image=current)

    # -- raw API calls

    def candidates(self, filters):
        # Glance lists neither community images nor hidden ones unless asked.
        found = {}
        for extra in ({'visibility': 'all'}, {'visibility': 'all', 'is_hidden': True}):
            for image in self.proxy.images(**dict(filters, **extra)):
                found.setdefault(image.id, image)
        return list(found.values())

    def _send(self, method, url, **kwargs):
        response = getattr(self.proxy, method)(url, **kwargs)
        sdk_exceptions.raise_from_response(response)
        return response

    def create(self, desired):
        what = self.describe(desired)
        image_id = self._send('post', '/images', json=create_body(desired, self._properties)).json()['id']
        filename = self.params.get('filename')
        if filename is not None:
            self.action = 'uploading %s into %s' % (filename, what)
            try:
                with open(filename, 'rb') as stream:
                    image = sdk_image()[0].existing(connection=self.conn, id=image_id)
                    sdk_exceptions.raise_from_response(image.upload(self.proxy, data=stream))
            except Exception:
                # Leave no image without its data for the next run to trip on.
                try:
                    self.proxy.delete_image(image_id, ignore_missing=True)
                except API_ERRORS:
                    pass
                raise
            if self.params.get('wait'):
                return self.present(self._wait_active(image_id, what))
        return self.present(self.proxy.get_image(image_id))

    def _wait_active(self, image_id, what):
        def probe():
            image = self.proxy.get_image(image_id)
            status = (image.status or '').lower()
            if status in IMAGE_FAILED_STATUSES:
                self.fail_json(msg='%s is in status %s' % (what, status), image=self.present(image))
            return image if status == 'active' else None

        self.action = 'waiting for %s to become active' % what
        return self.wait_for(probe, '%s to become active' % what)

    def update(self, current, updates):
        self._send('patch', '/images/%s' % current['id'], json=patch_operations(updates, *updates.plan.get('properties', ({}, []))),
                   headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'})
        return self.present(self.proxy.get_image(current['id']))

    def delete(self, current):
        self.proxy.delete_image(current['id'], ignore_missing=True)

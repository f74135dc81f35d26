"""The image resource's pure parts: properties as Glance shows them, the JSON
patch of a change, the comparison of a file with an image's data; and its
declarations checked against openstacksdk and the module."""

from __future__ import annotations

import hashlib
import importlib

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _image as i
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _resource as r

# openstacksdk 4 warns of its own deprecated internals whenever it builds a resource.
pytestmark = pytest.mark.filterwarnings("ignore:The _compute_attributes method is deprecated")


def sdk():
    """openstacksdk's Image class and its Body field type."""
    image = pytest.importorskip("openstack.image.v2.image").Image
    return image, i.body_field_type()


def sdk_fields():
    image, body = sdk()
    return i.body_fields(image, body)


def sdk_extras():
    return i.extra_attributes(sdk_fields())


def test_sdk_image_is_the_sdk_class_and_its_fields():
    image, fields, extras = i.sdk_image()
    assert image is sdk()[0]
    assert fields == sdk_fields()
    assert extras == sdk_extras()


# -- which attributes of openstacksdk's Image are extra properties


def test_extra_attributes_map_sdk_names_to_glance_names():
    extras = sdk_extras()
    assert extras["kernel_id"] == "kernel_id"
    assert extras["ramdisk_id"] == "ramdisk_id"
    assert extras["os_command_line"] == "os_command_line"
    assert extras["hw_disk_bus"] == "hw_disk_bus"
    assert extras["is_hw_vif_multiqueue_enabled"] == "hw_vif_multiqueue_enabled"
    assert extras["needs_config_drive"] == "img_config_drive"
    for attr in ("name", "owner", "is_protected", "tags", "properties", "checksum", "hash_value"):
        assert attr not in extras


def test_sdk_attributes_are_fields_of_the_sdk_image():
    assert set(i.SDK_ATTRIBUTES) <= set(sdk_fields())
    # What the SDK models as extra properties are no Glance attributes.
    assert not set(sdk_extras().values()) & set(i.GLANCE_ATTRIBUTES)


# -- which properties a task can manage


@pytest.mark.parametrize(("key", "problem"), [
    ("kernel_id", None),
    ("os_command_line", None),
    ("hw_vif_multiqueue_enabled", None),
    ("hw_firmware_type", None),
    ("owner_specified.openstack.md5", None),
    ("a/b", None),
    ("os_glance_import_task", "Glance sets it itself"),
    ("stores", "Glance sets it itself"),
    ("visibility", "use the option visibility"),
    ("protected", "use the option is_protected"),
    ("owner", "use the option project"),
    ("checksum", "that Glance sets"),
    ("is_hw_vif_multiqueue_enabled", "use that name"),
    ("needs_config_drive", "img_config_drive: use that name"),
    ("is_protected", "attribute of the image"),
    ("metadata", "attribute of the image"),
    ("properties", "attribute of the image"),
    # Names of the SDK's methods and parameters are no attributes: Glance gets them as they are.
    ("data", None),
    ("new", None),
    ("connection", None),
    ("", "needs a name"),
])
def test_property_key_problem(key, problem):
    found = i.property_key_problem(key, sdk_fields())
    if problem is None:
        assert found is None
    else:
        assert problem in found


# -- an image as the module returns it

EXTRAS = {"kernel_id": "kernel_id", "hw_cpu_sockets": "hw_cpu_sockets",
          "is_hw_vif_multiqueue_enabled": "hw_vif_multiqueue_enabled"}


@pytest.mark.parametrize(("plain", "expected"), [
    # Modelled and unmodelled extra properties alike, by Glance name, as strings.
    ({"id": "1", "kernel_id": "k", "hw_cpu_sockets": 2, "is_hw_vif_multiqueue_enabled": True,
      "properties": {"os_command_line": "console=ttyS0"}},
     {"id": "1", "properties": {"kernel_id": "k", "hw_cpu_sockets": "2", "hw_vif_multiqueue_enabled": "true",
                                "os_command_line": "console=ttyS0"}}),
    # Absent ones (None) are no properties.
    ({"id": "1", "kernel_id": None, "hw_cpu_sockets": None, "properties": None},
     {"id": "1", "properties": {}}),
    # What Glance keeps for itself stays at the top level.
    ({"id": "1", "properties": {"stores": "file", "os_glance_failed_import": "", "x": "y"}},
     {"id": "1", "stores": "file", "os_glance_failed_import": "", "properties": {"x": "y"}}),
])
def test_image_state(plain, expected):
    assert i.image_state(plain, EXTRAS) == expected


def shown(**glance):
    """An image's properties as the module shows them, from what Glance sends."""
    image, _body = sdk()
    return i.image_state(r.to_plain(image.existing(id="1", **glance)), sdk_extras())["properties"]


def test_image_state_of_an_sdk_image():
    assert shown(name="n", protected=True, kernel_id="k", hw_cpu_sockets="2", hw_vif_multiqueue_enabled="True",
                 os_command_line="console=ttyS0", hw_firmware_type="uefi") == {
        "kernel_id": "k", "hw_cpu_sockets": "2", "hw_vif_multiqueue_enabled": "true",
        "os_command_line": "console=ttyS0", "hw_firmware_type": "uefi"}


@pytest.mark.parametrize(("task", "glance"), [
    # The task's values and Glance's compare as the SDK reads both.
    ({"hw_vif_multiqueue_enabled": "True"}, {"hw_vif_multiqueue_enabled": "true"}),
    ({"hw_vif_multiqueue_enabled": "yes"}, {"hw_vif_multiqueue_enabled": "true"}),
    ({"hw_cpu_sockets": "2"}, {"hw_cpu_sockets": "02"}),
    ({"os_command_line": "quiet"}, {"os_command_line": "quiet"}),
])
def test_same_values_show_the_same(task, glance):
    assert shown(**r.string_mapping(task, "properties")) == shown(**glance)


@pytest.mark.parametrize(("task", "glance"), [
    ({"hw_vif_multiqueue_enabled": "false"}, {"hw_vif_multiqueue_enabled": "true"}),
    ({"hw_cpu_sockets": "2"}, {"hw_cpu_sockets": "4"}),
    # Untyped properties are plain strings: case matters.
    ({"os_command_line": "Quiet"}, {"os_command_line": "quiet"}),
    ({"hw_disk_bus": "virtio"}, {}),
])
def test_different_values_show_different(task, glance):
    assert shown(**r.string_mapping(task, "properties")) != shown(**glance)


# -- the JSON patch of a change


@pytest.mark.parametrize(("key", "expected"), [
    ("kernel_id", "kernel_id"),
    ("a/b", "a~1b"),
    ("a~b", "a~0b"),
    ("~/", "~0~1"),
])
def test_escape_pointer(key, expected):
    assert i.escape_pointer(key) == expected


def test_create_body():
    desired = {"name": "n", "is_protected": True, "min_disk": 1, "tags": ["a"], "owner": "p",
               "properties": {"shown": "as predicted, not sent"}}
    assert i.create_body(desired, {"kernel_id": "k", "gone": None, "new": "1"}) == {
        "name": "n", "protected": True, "min_disk": 1, "tags": ["a"], "owner": "p", "kernel_id": "k", "new": "1"}
    assert i.create_body({"name": "n"}, None) == {"name": "n"}


def test_patch_operations():
    updates = {"visibility": "public", "is_protected": True, "tags": ["a", "b"], "min_ram": 512,
               "properties": {"ignored": "the plan says what to send"}}
    assert i.patch_operations(updates, {"os_command_line": "quiet", "a/b": "1"}, ["kernel_id"]) == [
        {"op": "replace", "path": "/protected", "value": True},
        {"op": "replace", "path": "/min_ram", "value": 512},
        {"op": "replace", "path": "/tags", "value": ["a", "b"]},
        {"op": "replace", "path": "/visibility", "value": "public"},
        {"op": "add", "path": "/a~1b", "value": "1"},
        {"op": "add", "path": "/os_command_line", "value": "quiet"},
        {"op": "remove", "path": "/kernel_id"},
    ]
    assert i.patch_operations({}, {}, []) == []


@pytest.mark.parametrize("attribute", ["disk_format", "owner", "name"])
def test_patch_operations_refuse_what_glance_cannot_change(attribute):
    with pytest.raises(ValueError, match=attribute):
        i.patch_operations({attribute: "x"}, {}, [])


def test_patched_attributes_are_options_and_sdk_attributes():
    spec = module_spec()
    assert set(i.PATCHED_ATTRIBUTES) <= set(spec)
    assert set(i.PATCHED_ATTRIBUTES) <= set(sdk()[0]().to_dict(computed=False))


# -- the content of a file and the data of an image

DATA = b"an image\n" * 1000
MD5 = hashlib.md5(DATA).hexdigest()
SHA512 = hashlib.sha512(DATA).hexdigest()
OTHER_MD5 = hashlib.md5(b"other").hexdigest()
OTHER_SHA512 = hashlib.sha512(b"other").hexdigest()


@pytest.fixture
def image_file(tmp_path):
    path = tmp_path / "image.raw"
    path.write_bytes(DATA)
    return path


def test_file_problem(tmp_path, image_file):
    assert i.file_problem(str(image_file)) is None
    assert i.file_problem(str(tmp_path / "missing")) == "no such file"
    assert i.file_problem(str(tmp_path)) == "not a regular file"


@pytest.mark.parametrize("chunk_size", [7, 1 << 20])
def test_file_hashes(image_file, chunk_size):
    assert i.file_hashes(str(image_file), ["md5", "sha512"], chunk_size=chunk_size) == {"md5": MD5, "sha512": SHA512}
    assert i.file_hashes(str(image_file), []) == {}


@pytest.mark.parametrize(("image", "expected"), [
    ({"checksum": MD5, "hash_algo": "sha512", "hash_value": SHA512}, ["md5", "sha512"]),
    ({"checksum": MD5, "hash_algo": None, "hash_value": None}, ["md5"]),
    ({"checksum": None, "hash_algo": "sha512", "hash_value": SHA512}, ["sha512"]),
    ({"checksum": MD5, "hash_algo": "SHA512", "hash_value": SHA512}, ["md5", "sha512"]),
    ({"checksum": MD5, "hash_algo": "md5", "hash_value": MD5}, ["md5"]),
    # An algorithm this Python does not have is left out.
    ({"checksum": MD5, "hash_algo": "nohash", "hash_value": "x"}, ["md5"]),
    # No data: nothing to compute.
    ({"checksum": None, "hash_algo": None, "hash_value": None, "status": "queued"}, []),
])
def test_hashes_to_compare(image, expected):
    assert i.hashes_to_compare(image) == expected


FILE_HASHES = {"md5": MD5, "sha512": SHA512}


@pytest.mark.parametrize(("image", "hashes", "expected"), [
    ({"checksum": MD5, "hash_algo": "sha512", "hash_value": SHA512}, FILE_HASHES, None),
    ({"checksum": MD5.upper(), "hash_algo": "sha512", "hash_value": SHA512}, FILE_HASHES, None),
    ({"checksum": MD5}, {"md5": MD5}, None),
    ({"checksum": None, "hash_algo": "sha512", "hash_value": SHA512}, {"sha512": SHA512}, None),
    ({"checksum": OTHER_MD5, "hash_algo": "sha512", "hash_value": OTHER_SHA512}, FILE_HASHES,
     "checksum %s, the file has %s; sha512 %s, the file has %s" % (OTHER_MD5, MD5, OTHER_SHA512, SHA512)),
    # Either hash differing is enough.
    ({"checksum": MD5, "hash_algo": "sha512", "hash_value": OTHER_SHA512}, FILE_HASHES,
     "sha512 %s, the file has %s" % (OTHER_SHA512, SHA512)),
    ({"checksum": OTHER_MD5}, {"md5": MD5}, "checksum %s, the file has %s" % (OTHER_MD5, MD5)),
    # An os_hash_algo of md5 counts too.
    ({"checksum": None, "hash_algo": "md5", "hash_value": OTHER_MD5}, {"md5": MD5},
     "md5 %s, the file has %s" % (OTHER_MD5, MD5)),
    ({"checksum": None, "hash_value": None, "status": "queued"}, {}, "the image has no data: its status is queued"),
    ({"checksum": None, "hash_algo": "nohash", "hash_value": "x"}, {},
     "its hash (nohash) cannot be computed here"),
])
def test_content_mismatch(image, hashes, expected):
    assert i.content_mismatch(image, hashes) == expected


def test_a_file_and_its_image(image_file, tmp_path):
    image = {"checksum": MD5, "hash_algo": "sha512", "hash_value": SHA512, "status": "active"}
    assert i.content_mismatch(image, i.file_hashes(str(image_file), i.hashes_to_compare(image))) is None
    other = tmp_path / "other.raw"
    other.write_bytes(DATA + b"!")
    assert i.content_mismatch(image, i.file_hashes(str(other), i.hashes_to_compare(image))) is not None


# -- declarations, checked against openstacksdk and the module


def module_spec():
    return importlib.import_module("ansible_collections.nimbus.openstack.plugins.modules.image").ARGUMENT_SPEC


def test_image_declarations_are_sdk_attributes():
    engine = i.ImageResource
    image, _body = sdk()
    known = set(image().to_dict(computed=False))
    for declared in (engine.attributes, engine.identity, engine.create_only, engine.unordered):
        assert set(declared) <= known, declared
        # None of them is an extra property.
        assert not set(declared) & set(sdk_extras()), declared
    # The list call accepts every identity attribute, and what candidates() adds.
    assert set(engine.identity) | {"visibility", "is_hidden"} <= set(image._query_mapping._mapping)


def test_image_options():
    spec = module_spec()
    engine = i.ImageResource
    assert set(engine.attributes) <= set(spec)
    assert spec["state"] == {"type": "str", "choices": ["present", "absent"], "default": "present"}
    for name in engine.attributes + ("project", "filename", "properties", "tags"):
        assert "default" not in spec[name], name
    assert spec["purge_properties"]["default"] is False
    assert spec["purge_tags"]["default"] is False
    # Every Glance attribute a task sets has its option.
    assert set(i.ATTRIBUTE_OPTIONS.values()) <= set(spec)


def test_image_proxy_and_class_have_the_calls_the_resource_makes():
    proxy = pytest.importorskip("openstack.image.v2._proxy").Proxy
    for name in ("images", "get_image", "delete_image"):
        assert callable(getattr(proxy, name)), name
    image, _body = sdk()
    for name in ("new", "existing", "create", "upload", "patch"):
        assert callable(getattr(image, name)), name

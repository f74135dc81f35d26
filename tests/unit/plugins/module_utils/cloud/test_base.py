"""The connection base: common options, connect() arguments, error messages, the wait loop."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.nimbus.openstack.plugins.doc_fragments.openstack import ModuleDocFragment
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _base as base

# -- common options and openstack.connect() arguments


def test_connection_options_have_no_default_so_clouds_yaml_applies():
    spec = base.common_argument_spec()
    for option, _keyword in base.CONNECTION_OPTIONS:
        assert "default" not in spec[option], option
    assert spec["wait"]["default"] is True
    assert spec["timeout"]["default"] == 180
    assert spec["auth"]["no_log"] is True


def test_doc_fragment_documents_the_common_argument_spec():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = base.common_argument_spec()
    assert set(documented) == set(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc["type"] == option["type"], name
        assert doc.get("default") == option.get("default"), name
        assert doc.get("choices") == option.get("choices"), name
        assert doc.get("aliases") == option.get("aliases"), name


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {}),
    ({"cloud": "admin"}, {"cloud": "admin"}),
    # Unset options stay out, so clouds.yaml / OS_* decide.
    ({"cloud": "admin", "region_name": None, "interface": None, "validate_certs": None}, {"cloud": "admin"}),
    # Option names map to openstack.connect() keywords.
    ({"validate_certs": False, "ca_cert": "/ca.pem", "client_cert": "/c.pem", "client_key": "/k.pem"},
     {"verify": False, "cacert": "/ca.pem", "cert": "/c.pem", "key": "/k.pem"}),
    ({"auth": {"auth_url": "http://k:5000/v3"}, "auth_type": "password", "interface": "internal", "api_timeout": 30},
     {"auth": {"auth_url": "http://k:5000/v3"}, "auth_type": "password", "interface": "internal", "api_timeout": 30}),
    # A cloud dict is a clouds.yaml entry; explicit options override it.
    ({"cloud": {"auth": {"username": "a"}, "region_name": "R1", "interface": "public"}, "region_name": "R2"},
     {"auth": {"username": "a"}, "region_name": "R2", "interface": "public"}),
    # wait/timeout are the module's, not the connection's.
    ({"cloud": "admin", "wait": True, "timeout": 5}, {"cloud": "admin"}),
])
def test_connection_kwargs(params, expected):
    assert base.connection_kwargs(params) == expected


def test_connection_kwargs_rejects_a_cloud_that_is_neither_name_nor_dict():
    with pytest.raises(TypeError, match="cloud must be"):
        base.connection_kwargs({"cloud": ["admin"]})


def test_module_cannot_redefine_a_common_option():
    with pytest.raises(ValueError, match="interface"):
        base.OpenStackModule({"interface": {"type": "str"}})


# -- request id and error message


class Response:
    def __init__(self, headers):
        self.headers = headers


class Error(Exception):
    def __init__(self, message, request_id=None, response=None):
        super().__init__(message)
        if request_id is not None:
            self.request_id = request_id
        if response is not None:
            self.response = response


@pytest.mark.parametrize(("exc", "expected"), [
    (Error("x", request_id="req-1"), "req-1"),
    (Error("x", response=Response({"X-OpenStack-Request-ID": "req-2"})), "req-2"),
    (Error("x", response=Response({"x-compute-request-id": "req-3"})), "req-3"),
    (Error("x", request_id=None, response=Response({"Content-Type": "application/json"})), None),
    (Error("x"), None),
    (ValueError("x"), None),
])
def test_request_id_of(exc, expected):
    assert base.request_id_of(exc) == expected


@pytest.mark.parametrize(("exc", "action", "expected"), [
    (Error("Conflict", request_id="req-9"), None, "Error: Conflict (request id: req-9)"),
    (Error("Error: already named"), None, "Error: already named"),
    # keystoneauth puts the id in its message already: not twice.
    (Error("Unauthorized (HTTP 401) (Request-ID: req-7)", request_id="req-7"), "finding project 'p'",
     "Error while finding project 'p': Error: Unauthorized (HTTP 401) (Request-ID: req-7)"),
    (Error(""), "creating role 'r'", "Error while creating role 'r': Error"),
])
def test_error_message(exc, action, expected):
    assert base.error_message(exc, action) == expected


def test_error_message_of_a_real_sdk_http_error_has_the_request_id():
    exceptions = pytest.importorskip("openstack.exceptions")
    requests = pytest.importorskip("requests")
    response = requests.Response()
    response.status_code = 409
    response.headers["x-openstack-request-id"] = "req-5b1c"
    exc = exceptions.ConflictException("Conflict occurred", response=response)
    message = base.error_message(exc, "creating project 'demo'")
    assert message.startswith("Error while creating project 'demo': ConflictException")
    assert message.endswith("(request id: req-5b1c)")


# -- the wait loop


class Clock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_poll_returns_the_first_value_that_is_not_none():
    answers = iter([None, None, "ACTIVE"])
    clock = Clock()
    assert base.poll(lambda: next(answers), timeout=60, interval=2, clock=clock, sleep=clock.sleep) == "ACTIVE"
    assert clock.sleeps == [2, 2]


def test_poll_takes_false_as_an_answer():
    clock = Clock()
    assert base.poll(lambda: False, timeout=60, clock=clock, sleep=clock.sleep) is False
    assert clock.sleeps == []


def test_poll_times_out_without_sleeping_past_the_deadline():
    clock = Clock()
    calls = []

    def probe():
        calls.append(clock.now)

    with pytest.raises(base.WaitTimeout):
        base.poll(probe, timeout=5, interval=2, clock=clock, sleep=clock.sleep)
    assert clock.sleeps == [2, 2, 1]
    assert calls == [100.0, 102.0, 104.0, 105.0]

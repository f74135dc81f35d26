"""The resource engine's pure parts: compare, predict, diff, select; and the
identity resources' declarations checked against openstacksdk and the modules."""

from __future__ import annotations

import importlib

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _floating_ip as fip
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _identity as ident
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _info as info
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _keypair as key
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _network as n
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _port as port
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _resource as r
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _security as sec
from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _server as srv

# -- compare


@pytest.mark.parametrize(("desired", "current", "expected"), [
    ({"description": "a"}, {"description": "a"}, {}),
    ({"description": "b"}, {"description": "a"}, {"description": "b"}),
    # None means "leave alone", whatever the current value.
    ({"description": None, "is_enabled": None}, {"description": "a", "is_enabled": False}, {}),
    ({"is_enabled": False}, {"is_enabled": True}, {"is_enabled": False}),
    # An attribute the resource does not have yet differs from any wanted value...
    ({"email": "a@example.org"}, {}, {"email": "a@example.org"}),
    # ...including a false one.
    ({"is_enabled": False}, {"is_enabled": None}, {"is_enabled": False}),
    ({"description": ""}, {"description": None}, {"description": ""}),
    # What the task does not mention is not compared.
    ({"name": "p"}, {"name": "p", "description": "x", "is_enabled": True}, {}),
    # A flag is only equal to the same flag (True == 1 in Python).
    ({"is_enabled": True}, {"is_enabled": 1}, {"is_enabled": True}),
    ({"size": 1}, {"size": 1}, {}),
    # Nested values compare by content; tuples and lists alike.
    ({"metadata": {"a": "1", "b": ["x"]}}, {"metadata": {"b": ["x"], "a": "1"}}, {}),
    ({"metadata": {"a": "1"}}, {"metadata": {"a": "1", "b": "2"}}, {"metadata": {"a": "1"}}),
    ({"tags": ("a", "b")}, {"tags": ["a", "b"]}, {}),
    ({"tags": ["a", "b"]}, {"tags": ["b", "a"]}, {"tags": ["a", "b"]}),
    ({"x": 1, "y": 2}, None, {"x": 1, "y": 2}),
])
def test_compute_updates(desired, current, expected):
    assert r.compute_updates(desired, current) == expected


@pytest.mark.parametrize(("desired", "current", "expected"), [
    (["a", "b"], ["b", "a"], {}),
    ([{"port": 22}, {"port": 80}], [{"port": 80}, {"port": 22}], {}),
    (["a", "b"], ["a"], {"tags": ["a", "b"]}),
    (["a", "a"], ["a"], {"tags": ["a", "a"]}),
])
def test_compute_updates_unordered_lists(desired, current, expected):
    assert r.compute_updates({"tags": desired}, {"tags": current}, unordered=("tags",)) == expected


@pytest.mark.parametrize(("current", "desired", "purge", "expected"), [
    ({"a": "1", "b": "2"}, {"b": "3"}, False, {"a": "1", "b": "3"}),
    ({"a": "1", "b": "2"}, {"b": "3"}, True, {"b": "3"}),
    (None, {"b": "3"}, False, {"b": "3"}),
])
def test_merge_mapping(current, desired, purge, expected):
    assert r.merge_mapping(current, desired, purge) == expected


@pytest.mark.parametrize(("current", "desired", "purge", "expected"), [
    (["a", "b"], ["b", "c"], False, ["a", "b", "c"]),
    (["a", "b"], ["b", "c"], True, ["b", "c"]),
    (None, ["c"], False, ["c"]),
])
def test_merge_list(current, desired, purge, expected):
    assert r.merge_list(current, desired, purge) == expected


# -- find: the exact match among what the server listed

DEMO_A = {"id": "1", "name": "demo", "domain_id": "a"}
DEMO_B = {"id": "2", "name": "demo", "domain_id": "b"}
DEMO_UPPER = {"id": "3", "name": "Demo", "domain_id": "a"}


@pytest.mark.parametrize(("candidates", "query", "expected"), [
    ([], {"name": "demo"}, None),
    ([DEMO_A], {"name": "demo"}, DEMO_A),
    ([DEMO_A, DEMO_B], {"name": "demo", "domain_id": "b"}, DEMO_B),
    # A server that matched without regard to case, or ignored a filter.
    ([DEMO_UPPER, DEMO_A], {"name": "demo", "domain_id": "a"}, DEMO_A),
    ([DEMO_UPPER], {"name": "demo"}, None),
])
def test_select_one(candidates, query, expected):
    assert r.select_one(candidates, query) == expected


def test_select_one_refuses_to_guess():
    with pytest.raises(r.AmbiguousMatch) as caught:
        r.select_one([DEMO_A, DEMO_B, DEMO_UPPER], {"name": "demo"})
    assert caught.value.matches == [DEMO_A, DEMO_B]


# -- predicted state, result and diff


def test_predict_create_is_the_desired_state_with_an_unknown_id():
    desired = {"name": "demo", "tags": ["a"]}
    predicted = r.predict_create(desired)
    assert predicted == {"name": "demo", "tags": ["a"], "id": None}
    predicted["tags"].append("b")
    assert desired == {"name": "demo", "tags": ["a"]}


def test_predict_create_without_id_attribute():
    assert r.predict_create({"role_id": "r", "user_id": "u"}, id_attribute=None) == {"role_id": "r", "user_id": "u"}


def test_predict_update_lays_the_updates_over_the_current_state():
    current = {"id": "1", "name": "demo", "is_enabled": True, "options": {}}
    predicted = r.predict_update(current, {"is_enabled": False})
    assert predicted == {"id": "1", "name": "demo", "is_enabled": False, "options": {}}
    assert current["is_enabled"] is True


@pytest.mark.parametrize(("state", "expected"), [
    (None, None),
    ({"name": "u", "password": "s3cret", "email": None}, {"name": "u", "email": None}),
])
def test_scrub_drops_secrets(state, expected):
    assert r.scrub(state, ("password",)) == expected


@pytest.mark.parametrize(("before", "after", "expected"), [
    (None, {"name": "p", "id": None}, {"before": {}, "after": {"name": "p", "id": None}}),
    ({"name": "p"}, None, {"before": {"name": "p"}, "after": {}}),
    ({"d": "a"}, {"d": "b"}, {"before": {"d": "a"}, "after": {"d": "b"}}),
])
def test_build_diff(before, after, expected):
    assert r.build_diff(before, after) == expected


class SdkLike:
    """Stands for an SDK resource: only to_dict(computed=...) matters here."""

    def __init__(self):
        self.calls = []

    def to_dict(self, computed=True):
        self.calls.append(computed)
        return {"id": "1", "location": "here"} if computed else {"id": "1"}


def test_to_plain_leaves_out_computed_attributes():
    resource = SdkLike()
    assert r.to_plain(resource) == {"id": "1"}
    assert resource.calls == [False]


def test_to_plain_copies_dicts_deeply():
    original = {"id": "1", "tags": ["a"]}
    plain = r.to_plain(original)
    plain["tags"].append("b")
    assert original == {"id": "1", "tags": ["a"]}
    assert r.to_plain(None) is None


@pytest.mark.parametrize(("values", "expected"), [
    ({"name": "demo", "domain_id": "default"}, "project name='demo', domain_id='default'"),
    ({"name": "demo", "domain_id": None}, "project name='demo'"),
    ({}, "project"),
])
def test_describe(values, expected):
    assert r.describe("project", values) == expected


# -- role assignments

ROLE = "r1"


def assignment(**ids):
    full = dict.fromkeys(ident.RoleAssignmentResource.identity)
    full.update(role_id=ROLE, **ids)
    return full


@pytest.mark.parametrize(("ids", "assign", "unassign", "args", "query"), [
    ({"user_id": "u", "project_id": "p"}, "assign_project_role_to_user", "unassign_project_role_from_user",
     ("p", "u", ROLE), {"role_id": ROLE, "user_id": "u", "scope_project_id": "p"}),
    ({"group_id": "g", "project_id": "p"}, "assign_project_role_to_group", "unassign_project_role_from_group",
     ("p", "g", ROLE), {"role_id": ROLE, "group_id": "g", "scope_project_id": "p"}),
    ({"user_id": "u", "domain_id": "d"}, "assign_domain_role_to_user", "unassign_domain_role_from_user",
     ("d", "u", ROLE), {"role_id": ROLE, "user_id": "u", "scope_domain_id": "d"}),
    ({"group_id": "g", "domain_id": "d"}, "assign_domain_role_to_group", "unassign_domain_role_from_group",
     ("d", "g", ROLE), {"role_id": ROLE, "group_id": "g", "scope_domain_id": "d"}),
    ({"user_id": "u", "system": "all"}, "assign_system_role_to_user", "unassign_system_role_from_user",
     ("u", ROLE, "all"), {"role_id": ROLE, "user_id": "u", "scope_system": "all"}),
    ({"group_id": "g", "system": "all"}, "assign_system_role_to_group", "unassign_system_role_from_group",
     ("g", ROLE, "all"), {"role_id": ROLE, "group_id": "g", "scope_system": "all"}),
])
def test_assignment_calls_and_query(ids, assign, unassign, args, query):
    wanted = assignment(**ids)
    assert ident.assignment_call("assign", wanted) == (assign, args)
    assert ident.assignment_call("unassign", wanted) == (unassign, args)
    assert ident.assignment_query(wanted) == query


@pytest.mark.parametrize(("listed", "expected"), [
    ({"scope": {"project": {"id": "p"}}}, False),
    ({"scope": {"project": {"id": "p"}, "OS-INHERIT:inherited_to": "projects"}}, True),
    ({"scope": None}, False),
])
def test_is_inherited(listed, expected):
    assert ident.is_inherited(listed) is expected


# -- the identity resources' declarations, checked against openstacksdk and the modules

RESOURCES = [
    # (engine class, SDK resource class, module)
    (ident.ProjectResource, "openstack.identity.v3.project:Project", "project"),
    (ident.UserResource, "openstack.identity.v3.user:User", "user"),
    (ident.RoleResource, "openstack.identity.v3.role:Role", "role"),
    (ident.ServiceResource, "openstack.identity.v3.service:Service", "service"),
    (ident.EndpointResource, "openstack.identity.v3.endpoint:Endpoint", "endpoint"),
    (n.NetworkResource, "openstack.network.v2.network:Network", "network"),
    (n.SubnetResource, "openstack.network.v2.subnet:Subnet", "subnet"),
    (n.RouterResource, "openstack.network.v2.router:Router", "router"),
    (port.PortResource, "openstack.network.v2.port:Port", "port"),
    (fip.FloatingIpResource, "openstack.network.v2.floating_ip:FloatingIP", "floating_ip"),
    (sec.SecurityGroupResource, "openstack.network.v2.security_group:SecurityGroup", "security_group"),
    (sec.SecurityGroupRuleResource, "openstack.network.v2.security_group_rule:SecurityGroupRule",
     "security_group_rule"),
    (key.KeypairResource, "openstack.compute.v2.keypair:Keypair", "keypair"),
    (srv.ServerResource, "openstack.compute.v2.server:Server", "server"),
]
# SDK calls an engine never makes: Nova and Neutron cannot update these in place.
NOT_CALLED = {"keypair": {"update_keypair"}, "security_group_rule": {"update_security_group_rule"}}


def sdk_class(path):
    module, name = path.split(":")
    return getattr(pytest.importorskip(module), name)


def module_spec(name):
    return importlib.import_module("ansible_collections.nimbus.openstack.plugins.modules." + name).ARGUMENT_SPEC


@pytest.mark.parametrize(("engine", "sdk", "module"), RESOURCES)
def test_declared_attributes_are_sdk_attributes(engine, sdk, module):
    cls = sdk_class(sdk)
    known = set(cls().to_dict(computed=False))
    assert set(engine.attributes) <= known
    assert set(engine.identity) <= known
    assert set(engine.create_only) <= known
    assert set(engine.unordered) <= known
    # The list call accepts every identity attribute as a filter
    # (an unknown one would raise InvalidResourceQuery).
    filters = engine.identity if engine.server_filters is None else engine.server_filters
    assert set(filters) <= set(cls._query_mapping._mapping)


@pytest.mark.parametrize(("engine", "sdk", "module"), RESOURCES)
def test_declared_attributes_are_options_of_the_module(engine, sdk, module):
    spec = module_spec(module)
    assert set(engine.attributes) <= set(spec)
    assert spec["state"]["default"] == "present"
    assert {"present", "absent"} <= set(spec["state"]["choices"])
    # No default invents desired state for a server-side attribute.
    for name in engine.attributes:
        assert "default" not in spec[name], name


@pytest.mark.parametrize(("engine", "sdk", "module"), RESOURCES)
def test_proxy_has_the_calls_the_engine_makes(engine, sdk, module):
    proxy = pytest.importorskip({"identity": "openstack.identity.v3._proxy",
                                 "network": "openstack.network.v2._proxy",
                                 "compute": "openstack.compute.v2._proxy"}[engine.service]).Proxy
    kind = engine.sdk_type or engine.resource_name
    for name in {kind + "s", "create_" + kind, "update_" + kind, "delete_" + kind, "get_" + kind} - NOT_CALLED.get(
            module, set()):
        assert callable(getattr(proxy, name)), name


def test_rule_fields_are_sdk_attributes():
    known = set(sdk_class("openstack.network.v2.security_group_rule:SecurityGroupRule")().to_dict(computed=False))
    assert set(sec.RULE_FIELDS) <= known
    # The list call filters by group.
    assert "security_group_id" in sdk_class("openstack.network.v2.security_group_rule:SecurityGroupRule")._query_mapping._mapping


def test_both_modules_take_the_same_rule_options():
    assert module_spec("security_group")["rules"]["options"] is sec.RULE_OPTIONS
    rule_spec = module_spec("security_group_rule")
    assert all(rule_spec[name] is option for name, option in sec.RULE_OPTIONS.items())
    # No default invents a rule: normalize_rule() applies Neutron's.
    assert not any("default" in option for option in sec.RULE_OPTIONS.values())


def test_identity_proxy_has_the_role_assignment_calls():
    proxy = pytest.importorskip("openstack.identity.v3._proxy").Proxy
    role_assignment = pytest.importorskip("openstack.identity.v3.role_assignment").RoleAssignment
    for ids in ({"user_id": "u", "project_id": "p"}, {"group_id": "g", "domain_id": "d"}, {"user_id": "u", "system": "all"}):
        for verb in ("assign", "unassign"):
            method, _args = ident.assignment_call(verb, assignment(**ids))
            assert callable(getattr(proxy, method)), method
        assert set(ident.assignment_query(assignment(**ids))) <= set(role_assignment._query_mapping._mapping)
    for kind in ("role", "user", "group", "project", "domain", "service"):
        assert callable(getattr(proxy, "find_" + kind)), kind


# -- info modules: a name, else an id


def test_info_named_prefers_names_then_ids():
    items = [{"id": "a1", "name": "web"}, {"id": "web", "name": "other"}, {"id": "b2", "name": "web"}]
    assert [item["id"] for item in info.named(items, "web")] == ["a1", "b2"]
    assert info.named(items, "b2") == [{"id": "b2", "name": "web"}]
    assert info.named(items, "nothing") == []

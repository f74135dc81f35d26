"""Heat stacks' pure parts: what the task asks for, the comparison with the
stack (parameters by type, hidden ones, the environment merged by Heat), the
result, and the explanation of a failure."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _stack as st

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "description": "two parameters and a secret",
    "parameters": {
        "cidr": {"type": "string"},
        "count": {"type": "number", "default": 1},
        "password": {"type": "string", "hidden": True},
        "enabled": {"type": "boolean"},
        "names": {"type": "comma_delimited_list"},
        "extra": {"type": "json"},
    },
    "resources": {"net": {"type": "OS::Neutron::Net"}},
}

# -- what the task asks for


@pytest.mark.parametrize("content", [
    TEMPLATE,
    "heat_template_version: 2018-08-31\nresources: {}\n",
    '{"heat_template_version": "2018-08-31", "resources": {}}',
])
def test_parse_template_takes_dicts_yaml_and_json(content):
    template = st.parse_template(content, "template_content")
    # Heat's loader keeps the version a string, as Heat shows it back.
    assert template["heat_template_version"] == "2018-08-31"


@pytest.mark.parametrize(("content", "message"), [
    ("resources: {}", "template_content: not a Heat template: Template format version not found."),
    ("heat_template_version: [", "template_content: not a Heat template: "),
])
def test_parse_template_names_the_option(content, message):
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.").replace("[", r"\[")):
        st.parse_template(content, "template_content")


def test_parse_environment():
    assert st.parse_environment("parameter_defaults: {a: 1}", "environment_content") == {"parameter_defaults": {"a": 1}}
    assert st.parse_environment({"parameters": {"b": "x"}}, "environment_content") == {"parameters": {"b": "x"}}
    with pytest.raises(ValueError, match='^environment_content: not a Heat environment: .*wrong section "nope"'):
        st.parse_environment({"nope": {}}, "environment_content")


def test_hidden_and_unknown_parameters():
    assert st.hidden_parameters(TEMPLATE) == ["password"]
    assert st.hidden_parameters({"heat_template_version": "2018-08-31"}) == []
    assert st.unknown_parameters({"cidr": "x", "colour": "red", "OS::stack_name": "s", "size": 1}, TEMPLATE) == [
        "colour", "size"]


@pytest.mark.parametrize(("tags", "expected"), [
    (["a", "b"], []),
    (["a,b"], ["tags: 'a,b' holds a comma"]),
    ([""], ["tags: empty tag"]),
])
def test_tag_problems(tags, expected):
    assert st.tag_problems(tags) == expected


@pytest.mark.parametrize(("seconds", "minutes"), [(3600, 60), (61, 2), (60, 1), (1, 1), (0, 1)])
def test_timeout_minutes_rounds_up(seconds, minutes):
    assert st.timeout_minutes(seconds) == minutes


# -- compare


@pytest.mark.parametrize(("value", "kind", "expected"), [
    (3, "number", 3),
    ("3", "number", 3),
    ("3.0", "number", 3),
    ("2.5", "number", 2.5),
    ("many", "number", "many"),
    (True, "boolean", True),
    ("True", "boolean", True),
    ("yes", "boolean", True),
    ("false", "boolean", False),
    ('{"a": [1]}', "json", {"a": [1]}),
    ({"a": [1]}, "json", {"a": [1]}),
    ("", "json", {}),
    ("a, b,c", "comma_delimited_list", ["a", "b", "c"]),
    (["a", 1], "comma_delimited_list", ["a", "1"]),
    ("", "comma_delimited_list", []),
    (10, "string", "10"),
    (10, None, "10"),
    ("x", "STRING", "x"),
    (None, "number", None),
])
def test_canonical_parameter(value, kind, expected):
    assert st.canonical_parameter(value, kind) == expected


@pytest.mark.parametrize(("wanted", "current", "expected"), [
    # Heat returns every value as a string.
    ({"cidr": "10.0.0.0/24", "count": 3, "enabled": True, "names": ["a", "b"]},
     {"cidr": "10.0.0.0/24", "count": "3", "enabled": "True", "names": "a,b"}, []),
    ({"count": 4}, {"count": "3"}, ["count"]),
    ({"extra": {"k": "v"}}, {"extra": '{"k": "v"}'}, []),
    ({"extra": {"k": "w"}}, {"extra": '{"k": "v"}'}, ["extra"]),
    # Hidden values are masked: never a change by themselves.
    ({"password": "new"}, {"password": "******"}, []),
    # A parameter the stack does not have yet differs.
    ({"cidr": "10.0.0.0/24"}, {}, ["cidr"]),
    # One the task leaves out is no change.
    ({}, {"cidr": "10.0.0.0/24", "count": "3"}, []),
])
def test_parameter_changes(wanted, current, expected):
    assert st.parameter_changes(wanted, current, TEMPLATE, st.hidden_parameters(TEMPLATE)) == expected


@pytest.mark.parametrize(("want", "have", "expected"), [
    ({"a": 1}, {"a": 1, "b": 2}, True),
    ({"a": {"x": 1}}, {"a": {"x": 1, "y": 2}}, True),
    ({"a": {"x": 1}}, {"a": {"x": 2}}, False),
    ({"a": 1}, {}, False),
    ({"a": 1}, None, False),
    ({"a": "secret"}, {"a": "******"}, True),
    ([1, 2], [1, 2], True),
    ({}, None, True),
])
def test_is_subset(want, have, expected):
    assert st.is_subset(want, have) is expected


CURRENT_ENV = {
    "parameters": {"count": 3, "password": "******"},
    "parameter_defaults": {"cidr": "10.0.0.0/24"},
    "resource_registry": {"resources": {}, "My::Net": "file:///t/net.yaml"},
    "event_sinks": [],
    "encrypted_param_names": [],
}


@pytest.mark.parametrize(("wanted", "skip", "expected"), [
    ({}, (), []),
    ({"parameter_defaults": {"cidr": "10.0.0.0/24"}}, (), []),
    ({"parameter_defaults": {"cidr": "10.1.0.0/24"}}, (), ["parameter_defaults"]),
    ({"resource_registry": {"My::Net": "file:///t/net.yaml"}}, (), []),
    ({"resource_registry": {"My::Net": "file:///t/net2.yaml"}}, (), ["resource_registry"]),
    # The task's parameters are compared apart, by type.
    ({"parameters": {"count": "4"}}, ("count",), []),
    ({"parameters": {"count": 4}}, (), ["parameters"]),
    ({"parameters": {"password": "other"}}, (), []),
    ({"event_sinks": [{"type": "zaqar-queue", "target": "q"}]}, (), ["event_sinks"]),
])
def test_environment_changes(wanted, skip, expected):
    assert st.environment_changes(wanted, CURRENT_ENV, skip) == expected


def test_visible_parameters_and_view():
    parameters = {"OS::stack_id": "1", "OS::stack_name": "s", "OS::project_id": "p", "cidr": "x", "password": "pw"}
    assert st.visible_parameters(parameters, ["password"]) == {"cidr": "x", "password": "******"}
    assert st.stack_view("s", TEMPLATE, {"cidr": "x"}, {"tags": ["a"]}) == {
        "name": "s", "template": TEMPLATE, "parameters": {"cidr": "x"}, "tags": ["a"]}


# -- status, result, failure


@pytest.mark.parametrize(("status", "busy", "repair"), [
    ("CREATE_COMPLETE", False, False),
    ("UPDATE_COMPLETE", False, False),
    ("CREATE_IN_PROGRESS", True, False),
    ("CREATE_FAILED", False, True),
    ("UPDATE_FAILED", False, True),
    ("ROLLBACK_COMPLETE", False, True),
    ("ROLLBACK_FAILED", False, True),
    (None, False, False),
])
def test_is_busy_and_needs_repair(status, busy, repair):
    assert st.is_busy(status) is busy
    assert st.needs_repair(status) is repair


def test_stack_result():
    stack = {"id": "1", "name": "s", "status": "CREATE_COMPLETE", "tags": None,
             "parameters": {"OS::stack_id": "1", "cidr": "x", "password": "******"},
             "outputs": [{"output_key": "net_id", "output_value": "n1", "description": "d"},
                         {"output_key": "cidrs", "output_value": ["x"]}],
             "template": {"big": "not returned"}}
    result = st.stack_result(stack, ["password"])
    assert result["outputs"] == {"net_id": "n1", "cidrs": ["x"]}
    assert result["outputs_list"] == stack["outputs"]
    assert result["parameters"] == {"cidr": "x", "password": "******"}
    assert result["tags"] == []
    assert "template" not in result
    assert set(st.STACK_FIELDS) <= set(result)
    # A copy: the result does not share the stack's lists.
    result["outputs_list"].append({})
    assert len(stack["outputs"]) == 2


def _entry(name, status, stack, physical=None, kind="OS::Neutron::Net", reason="boom"):
    return {"resource_name": name, "resource_status": status, "resource_type": kind,
            "resource_status_reason": reason, "physical_resource_id": physical,
            "links": [{"rel": "self", "href": "x"}, {"rel": "stack", "href": "http://h/v1/p/stacks/n/%s" % stack}]}


def test_failed_leaves_are_the_deepest_failed_resources():
    resources = [
        _entry("net", "CREATE_COMPLETE", "top", "n1"),
        # A nested stack that failed because of its own resource...
        _entry("group", "CREATE_FAILED", "top", "nested", kind="OS::Heat::ResourceGroup", reason="nested failed"),
        _entry("0", "CREATE_FAILED", "nested", "deep", kind="OS::Heat::Stack", reason="deeper failed"),
        _entry("bad_subnet", "CREATE_FAILED", "deep", None, kind="OS::Neutron::Subnet", reason="Invalid input"),
        # ...and a failure in the top stack itself.
        _entry("sg", "CREATE_FAILED", "top", None, kind="OS::Neutron::SecurityGroup", reason="quota"),
    ]
    leaves = st.failed_leaves(resources, "top")
    assert [leaf["resource_name"] for leaf in leaves] == ["bad_subnet", "sg"]


def test_failed_leaves_of_events_skip_the_stack_and_repeats():
    events = [
        _entry("s", "CREATE_FAILED", "top", "top", kind=None),
        _entry("sub", "CREATE_FAILED", "top", None, reason="first"),
        _entry("sub", "DELETE_FAILED", "top", None, reason="second"),
        _entry("net", "DELETE_COMPLETE", "top", "n1"),
    ]
    leaves = st.failed_leaves(events, "top")
    assert [(leaf["resource_name"], leaf["resource_status_reason"]) for leaf in leaves] == [("sub", "first")]


def test_describe_failure():
    stack = {"name": "s", "status": "CREATE_FAILED", "status_reason": "Resource CREATE failed: BadRequest"}
    leaves = [_entry("bad_subnet", "CREATE_FAILED", "top", kind="OS::Neutron::Subnet", reason="Invalid input"),
              dict(_entry("x", "CREATE_FAILED", "top", reason=None), resource_type=None)]
    assert st.describe_failure(stack, leaves) == (
        "stack 's' is CREATE_FAILED: Resource CREATE failed: BadRequest;"
        " resource bad_subnet (OS::Neutron::Subnet) CREATE_FAILED: Invalid input;"
        " resource x CREATE_FAILED: ")


# -- stack_info


@pytest.mark.parametrize(("status", "filters"), [
    (None, {}),
    ("CREATE_COMPLETE", {"action": "CREATE", "status": "COMPLETE"}),
    ("update_in_progress", {"action": "UPDATE", "status": "IN_PROGRESS"}),
    ("FAILED", {"status": "FAILED"}),
    ("IN_PROGRESS", {"status": "IN_PROGRESS"}),
])
def test_status_filters(status, filters):
    assert st.status_filters(status) == filters


@pytest.mark.parametrize(("status", "tags", "expected"), [
    (None, None, True),
    ("CREATE_COMPLETE", None, True),
    ("complete", None, True),
    ("FAILED", None, False),
    ("UPDATE_COMPLETE", None, False),
    (None, ["a"], True),
    (None, ["a", "c"], False),
])
def test_stack_matches(status, tags, expected):
    assert st.stack_matches({"status": "CREATE_COMPLETE", "tags": ["a", "b"]}, status, tags) is expected


def test_resource_type_from_the_template():
    assert st.resource_type(TEMPLATE, {"resource_name": "net"}) == "OS::Neutron::Net"
    assert st.resource_type(TEMPLATE, {"resource_name": "other"}) is None
    assert st.resource_type(None, {"resource_name": "net"}) is None

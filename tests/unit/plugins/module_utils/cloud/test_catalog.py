"""The catalog module's pure parts: what the task asks for, checked, and the
steps and views worked out from listed data."""

from __future__ import annotations

import pytest

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud import _catalog as c

REGION, PROJECT, DOMAIN = "RegionOne", "proj-1", "default"
ROLES = [{"id": "r-admin", "name": "admin", "domain_id": None},
         {"id": "r-service", "name": "service", "domain_id": None},
         {"id": "r-reader", "name": "reader", "domain_id": None},
         # A domain-specific role of the same name is not the global one.
         {"id": "r-dom-admin", "name": "admin", "domain_id": "d-1"}]
URLS = {"public": "https://pub:9292", "internal": "http://int:9292", "admin": "http://int:9292"}


def service(**overrides):
    wanted = {"name": "glance", "type": "image", "description": "OpenStack Image", "endpoints": dict(URLS),
              "user": {"name": "glance", "password": "secret"}}
    wanted.update(overrides)
    return wanted


def assignment(user_id, role_id, project_id=PROJECT, inherited=False):
    scope = {"project": {"id": project_id}}
    if inherited:
        scope["OS-INHERIT:inherited_to"] = "projects"
    return {"role": {"id": role_id}, "user": {"id": user_id}, "scope": scope, "group": None}


def registered(url_overrides=None, **listed):
    """What the cloud lists when glance is registered as service() asks."""
    urls = dict(URLS, **(url_overrides or {}))
    result = {
        "services": [{"id": "s-1", "name": "glance", "type": "image", "description": "OpenStack Image",
                      "is_enabled": True},
                     {"id": "s-2", "name": "nova", "type": "compute", "description": None, "is_enabled": True}],
        "endpoints": [{"id": "e-%s" % i, "service_id": "s-1", "interface": i, "url": u, "region_id": REGION}
                      for i, u in urls.items()],
        "users": [{"id": "u-1", "name": "glance", "default_project_id": PROJECT},
                  {"id": "u-2", "name": "nova", "default_project_id": PROJECT}],
        "roles": ROLES,
        "assignments": [assignment("u-1", "r-admin"), assignment("u-1", "r-service")],
    }
    result.update(listed)
    return result


def plan(wanted, listed, update_password="on_create"):
    return c.plan_catalog(c.validate_services(wanted), listed, REGION, PROJECT, DOMAIN, update_password)


def described(result):
    return [step.describe() for step in result.steps]


# -- validation


def test_validate_normal_form():
    [wanted] = c.validate_services([{"name": "glance", "type": "image", "endpoints": {"public": "u"},
                                     "user": {"name": "glance", "password": "p", "roles": ["admin", "admin", "x"]}}])
    assert wanted == {"name": "glance", "type": "image", "description": None, "is_enabled": True,
                      "endpoints": {"public": "u"},
                      "user": {"name": "glance", "password": "p", "roles": ["admin", "x"]}}


def test_validate_defaults():
    [wanted] = c.validate_services([{"name": "a", "type": "t", "is_enabled": False, "user": {"name": "u", "password": "p"}}])
    assert wanted["endpoints"] == {}
    assert wanted["is_enabled"] is False
    assert wanted["user"]["roles"] == ["admin", "service"]
    assert c.validate_services([]) == []
    assert c.validate_services(None) == []


@pytest.mark.parametrize(("services", "message"), [
    ([{"name": "", "type": "image"}], "services[0].name must be a non-empty string"),
    ([{"name": "glance", "type": "  "}], "services[0].type must be a non-empty string"),
    ([{"name": "glance", "type": "image", "endpoints": {"private": "u"}}],
     "services[0].endpoints: unknown interface 'private' (allowed: public, internal, admin)"),
    ([{"name": "glance", "type": "image", "endpoints": {"public": ""}}],
     "services[0].endpoints.public must be a non-empty string"),
    ([{"name": "glance", "type": "image", "endpoints": {"public": None}}],
     "services[0].endpoints.public must be a non-empty string"),
    ([{"name": "a", "type": "t"}, {"name": "b", "type": "t", "user": {"name": "", "password": "p"}}],
     "services[1].user.name must be a non-empty string"),
    ([{"name": "a", "type": "t", "user": {"name": "u", "password": ""}}],
     "services[0].user.password must be a non-empty string"),
    ([{"name": "a", "type": "t", "user": {"name": "u", "password": "p", "roles": ["admin", ""]}}],
     "services[0].user.roles[1] must be a non-empty string"),
    ([{"name": "a", "type": "t", "user": {"name": "u", "password": "p", "roles": "admin"}}],
     "services[0].user.roles must be a list of role names"),
    ([{"name": "a", "type": "t"}, {"name": "a", "type": "t2"}], "services[1].name: service 'a' is already services[0]"),
    ([{"name": "a", "type": "t", "user": {"name": "u", "password": "p"}},
      {"name": "b", "type": "t", "user": {"name": "u", "password": "q"}}],
     "services[1].user.password: user 'u' has another password in services[0]"),
])
def test_validate_failures(services, message):
    with pytest.raises(ValueError) as info:
        c.validate_services(services)
    assert str(info.value) == message
    # A password is never in a message.
    assert "'p'" not in str(info.value) and "'q'" not in str(info.value)


# -- finding what exists


def test_find_service():
    services = [{"id": "1", "name": "a", "type": "t"}, {"id": "2", "name": "a", "type": "u"}]
    assert c.find_service(services, "a", "u")["id"] == "2"
    assert c.find_service(services, "b", "t") is None
    with pytest.raises(c.CatalogError, match=r"2 services are called 'a' with type 't' \(ids: 1, 3\)"):
        c.find_service(services + [{"id": "3", "name": "a", "type": "t"}], "a", "t")


def test_find_endpoints():
    endpoints = [
        {"id": "1", "service_id": "s", "interface": "public", "region_id": REGION, "url": "a"},
        {"id": "2", "service_id": "s", "interface": "public", "region_id": "Other", "url": "b"},
        {"id": "3", "service_id": "t", "interface": "internal", "region_id": REGION, "url": "c"},
        {"id": "4", "service_id": "s", "interface": "admin", "region_id": REGION, "url": "d"},
        {"id": "5", "service_id": "s", "interface": "admin", "region_id": REGION, "url": "e"},
    ]
    service = {"id": "s", "name": "glance"}
    assert c.find_endpoints(endpoints, service, REGION, ["public", "internal"]) == {"public": endpoints[0]}
    with pytest.raises(c.CatalogError,
                       match=r"service 'glance' \(s\) has 2 admin endpoints in region RegionOne \(ids: 4, 5\)"):
        c.find_endpoints(endpoints, service, REGION, ["admin"])


def test_user_roles():
    assignments = [assignment("u", "r1"), assignment("u", "r2", project_id="other"), assignment("v", "r3"),
                   assignment("u", "r4", inherited=True),
                   {"role": {"id": "r5"}, "user": None, "group": {"id": "u"}, "scope": {"project": {"id": PROJECT}}}]
    assert c.user_roles(assignments, "u", PROJECT) == {"r1"}


def test_role_ids():
    assert c.role_ids(ROLES, ["admin", "service"]) == {"admin": "r-admin", "service": "r-service"}
    with pytest.raises(c.CatalogError, match="role 'nope' not found"):
        c.role_ids(ROLES, ["nope"])
    with pytest.raises(c.CatalogError, match=r"2 roles are called 'x' \(ids: a, b\)"):
        c.role_ids([{"id": "a", "name": "x"}, {"id": "b", "name": "x"}], ["x"])


# -- plans


def test_registered_is_unchanged():
    result = plan([service()], registered())
    assert result.steps == []
    assert result.before == result.after
    assert result.after == {"glance": {"type": "image", "description": "OpenStack Image", "is_enabled": True,
                                       "endpoints": URLS, "user": {"name": "glance", "roles": ["admin", "service"]}}}
    assert result.service_ids == {"glance": "s-1"}
    assert result.user_ids == {"glance": "u-1"}


def test_nothing_exists():
    result = plan([service(description=None)], registered(services=[], endpoints=[], users=[], assignments=[]))
    assert described(result) == [
        "create service glance (image)",
        "create endpoint glance public", "create endpoint glance internal", "create endpoint glance admin",
        "create user glance", "assign role admin to user glance", "assign role service to user glance"]
    create = result.steps[0]
    assert create["attrs"] == {"name": "glance", "type": "image", "is_enabled": True}
    assert result.steps[1]["attrs"] == {"interface": "public", "url": URLS["public"], "region_id": REGION}
    assert result.steps[4]["attrs"] == {"name": "glance", "password": "secret", "domain_id": DOMAIN,
                                        "default_project_id": PROJECT}
    assert result.steps[5]["role_id"] == "r-admin"
    assert result.before == {}
    assert result.after["glance"] == {"type": "image", "description": None, "is_enabled": True, "endpoints": URLS,
                                      "user": {"name": "glance", "roles": ["admin", "service"]}}
    assert result.service_ids == {} and result.user_ids == {}


def test_url_and_service_updates():
    listed = registered({"internal": "http://old:9292"})
    listed["services"][0].update(description="old", is_enabled=False)
    result = plan([service()], listed)
    assert described(result) == ["update service glance (description, is_enabled)", "update endpoint glance internal"]
    assert result.steps[0]["attrs"] == {"description": "OpenStack Image", "is_enabled": True}
    assert result.steps[1]["id"] == "e-internal" and result.steps[1]["attrs"] == {"url": "http://int:9292"}
    assert result.before["glance"]["endpoints"]["internal"] == "http://old:9292"
    assert result.before["glance"]["description"] == "old"
    assert result.after["glance"]["endpoints"] == URLS
    assert result.after["glance"]["is_enabled"] is True


def test_unset_description_is_left_alone():
    listed = registered()
    listed["services"][0]["description"] = "theirs"
    result = plan([service(description=None)], listed)
    assert result.steps == []
    assert result.after["glance"]["description"] == "theirs"


def test_only_named_interfaces():
    # The admin endpoint exists, twice even, but the task does not name it: left alone.
    listed = registered()
    listed["endpoints"].append(dict(listed["endpoints"][2], id="e-admin-2"))
    result = plan([service(endpoints={"public": URLS["public"]})], listed)
    assert result.steps == []
    assert result.after["glance"]["endpoints"] == {"public": URLS["public"]}


def test_missing_interface_and_other_region():
    listed = registered()
    listed["endpoints"] = [e for e in listed["endpoints"] if e["interface"] != "admin"]
    listed["endpoints"].append({"id": "x", "service_id": "s-1", "interface": "admin", "url": "u", "region_id": "Other"})
    result = plan([service()], listed)
    assert described(result) == ["create endpoint glance admin"]
    assert "admin" not in result.before["glance"]["endpoints"]


def test_ambiguous_endpoint_fails():
    listed = registered()
    listed["endpoints"].append(dict(listed["endpoints"][0], id="e-public-2"))
    with pytest.raises(c.CatalogError, match=r"service 'glance' \(s-1\) has 2 public endpoints"):
        plan([service()], listed)


def test_user_roles_and_default_project():
    listed = registered(assignments=[assignment("u-1", "r-admin"), assignment("u-1", "r-reader")])
    listed["users"][0]["default_project_id"] = "elsewhere"
    result = plan([service()], listed)
    assert described(result) == ["update user glance (default_project_id)", "assign role service to user glance"]
    assert result.before["glance"]["user"] == {"name": "glance", "roles": ["admin", "reader"]}
    # Roles it has already are kept.
    assert result.after["glance"]["user"] == {"name": "glance", "roles": ["admin", "reader", "service"]}


def test_user_for_an_existing_service_missing():
    result = plan([service()], registered(users=[], assignments=[]))
    assert described(result)[0] == "create user glance"
    assert result.before["glance"]["user"] is None
    assert result.after["glance"]["user"] == {"name": "glance", "roles": ["admin", "service"]}


def test_update_password_always_checks_existing_users_only():
    result = plan([service()], registered(), update_password="always")
    assert described(result) == ["set password of user glance"]
    assert result.steps[0]["kind"] == "check_password"
    assert result.steps[0]["id"] == "u-1" and result.steps[0]["attrs"] == {"password": "secret"}
    created = plan([service()], registered(users=[], assignments=[]), update_password="always")
    assert "check_password" not in [step["kind"] for step in created.steps]


def test_no_user():
    result = plan([service(user=None)], registered())
    assert result.steps == []
    assert "user" not in result.after["glance"]


def test_user_shared_by_two_services():
    wanted = [service(user={"name": "heat", "password": "p", "roles": ["admin"]}),
              service(name="heat-cfn", type="cloudformation",
                      user={"name": "heat", "password": "p", "roles": ["service", "reader"]})]
    result = plan(wanted, registered(users=[], assignments=[]))
    assert described(result).count("create user heat") == 1
    assert [s["role"] for s in result.steps if s["kind"] == "assign_role"] == ["admin", "service", "reader"]
    # Each service shows the user as it will be.
    assert result.after["glance"]["user"]["roles"] == result.after["heat-cfn"]["user"]["roles"] == [
        "admin", "reader", "service"]


def test_second_service_leaves_others_alone():
    wanted = [service(), service(name="new", type="new-type", user={"name": "new", "password": "p"})]
    result = plan(wanted, registered())
    assert all(step.get("service") in ("new", None) and step.get("user") in ("new", None) for step in result.steps)
    assert "new" not in result.before and set(result.after) == {"glance", "new"}


def test_unknown_role_fails():
    with pytest.raises(c.CatalogError, match="role 'nope' not found"):
        plan([service(user={"name": "glance", "password": "p", "roles": ["nope"]})], registered())


def test_ambiguous_service_fails():
    listed = registered()
    listed["services"].append(dict(listed["services"][0], id="s-3"))
    with pytest.raises(c.CatalogError, match=r"2 services are called 'glance' with type 'image' \(ids: s-1, s-3\)"):
        plan([service()], listed)


@pytest.mark.parametrize(("step", "text"), [
    (c.Step(kind="create_service", service="a", attrs={"type": "t"}), "create service a (t)"),
    (c.Step(kind="update_service", service="a", attrs={"is_enabled": True, "description": "d"}),
     "update service a (description, is_enabled)"),
    (c.Step(kind="create_endpoint", service="a", interface="public"), "create endpoint a public"),
    (c.Step(kind="update_endpoint", service="a", interface="admin"), "update endpoint a admin"),
    (c.Step(kind="create_user", user="u"), "create user u"),
    (c.Step(kind="update_user", user="u", attrs={"default_project_id": "p"}), "update user u (default_project_id)"),
    (c.Step(kind="check_password", user="u"), "set password of user u"),
    (c.Step(kind="assign_role", user="u", role="admin"), "assign role admin to user u"),
])
def test_step_describe(step, text):
    assert step.describe() == text


# -- roles, the service project and domains, made when missing

DOMAINS = [{"name": "heat", "description": "Stacks' users", "admin": {"name": "heat_domain_admin", "password": "pw"}}]


def domain_listing(users=(), assignments=()):
    return {"domains": [{"id": "d-default", "name": "Default"}, {"id": "d-heat", "name": "heat"}],
            "domain_users": {"d-heat": list(users)}, "domain_assignments": {"d-heat": list(assignments)}}


def domain_assignment(user_id, role_id, domain_id="d-heat"):
    return {"role": {"id": role_id}, "user": {"id": user_id}, "scope": {"domain": {"id": domain_id}}}


def test_missing_roles_once_each_in_order_global_only():
    assert c.missing_roles(ROLES, ["service", "heat_stack_owner", "admin", "heat_stack_owner"]) == ["heat_stack_owner"]
    # Only a domain-specific role of that name: the global one is missing.
    assert c.missing_roles([{"id": "x", "name": "member", "domain_id": "d-1"}], ["member"]) == ["member"]


@pytest.mark.parametrize(("domains", "message"), [
    ([{"name": ""}], r"domains\[0\].name must be a non-empty string"),
    ([{"name": "heat"}, {"name": "heat"}], r"domains\[1\].name: domain 'heat' is named twice"),
    ([{"name": "heat", "admin": {"name": "a", "password": ""}}], r"domains\[0\].admin.password must be"),
])
def test_bad_domains(domains, message):
    with pytest.raises(ValueError, match=message):
        c.validate_domains(domains)


def test_new_domain_gets_its_admin_and_the_role():
    steps = c.plan_domains(c.validate_domains(DOMAINS), {"domains": [], "domain_users": {}, "domain_assignments": {}},
                           "r-admin")
    assert [s.describe() for s in steps] == [
        "create domain heat", "create user heat_domain_admin",
        "assign role admin on domain heat to user heat_domain_admin"]
    assert steps[0]["attrs"] == {"name": "heat", "description": "Stacks' users"}
    assert steps[2]["user_id"] is None


def test_domain_in_step_needs_nothing():
    listed = domain_listing([{"id": "u-h", "name": "heat_domain_admin"}], [domain_assignment("u-h", "r-admin")])
    assert c.plan_domains(c.validate_domains(DOMAINS), listed, "r-admin") == []


def test_existing_admin_without_the_role_gets_it_and_a_project_role_does_not_count():
    listed = domain_listing([{"id": "u-h", "name": "heat_domain_admin"}],
                            [domain_assignment("u-h", "r-admin", domain_id="d-other"), assignment("u-h", "r-admin")])
    steps = c.plan_domains(c.validate_domains(DOMAINS), listed, "r-admin")
    assert [(s["kind"], s["user_id"]) for s in steps] == [("assign_domain_role", "u-h")]


def test_domain_admin_password_checked_only_with_always():
    listed = domain_listing([{"id": "u-h", "name": "heat_domain_admin"}], [domain_assignment("u-h", "r-admin")])
    steps = c.plan_domains(c.validate_domains(DOMAINS), listed, "r-admin", update_password="always")
    assert [s.describe() for s in steps] == ["set password of user heat_domain_admin"]


def test_domain_without_admin_is_only_made():
    steps = c.plan_domains(c.validate_domains([{"name": "heat"}]), domain_listing(), None)
    assert steps == []


def test_describe_new_kinds():
    assert c.Step(kind="create_role", role="service").describe() == "create role service"
    assert c.Step(kind="create_project", project="service").describe() == "create project service"

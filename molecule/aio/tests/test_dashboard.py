"""The dashboard in a real browser, as the admin and as a tenant see it.

Headless Chromium from Debian's packages, driven by Selenium through Debian's
chromedriver (given explicitly: Selenium Manager never runs, nothing is
downloaded), may only reach the dashboard's address: every other host name
resolves to nothing and no proxy is used. It logs in as the admin, and as a
tenant user the test makes (project, user, member role) who starts a server;
the tenant finds the server on the instances page and opens the network
topology and the stacks pages. A wrong password shows Horizon's own login
error. Every page is saved as a screenshot under tests/output/dashboard/.

Everything the tests make they delete, also when a test fails.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from urllib.parse import urlsplit

import pytest
import yaml
from cloudtest import FLAVOR, REPO, run_module
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = REPO / "tests" / "output" / "dashboard"
# Where the role serves the dashboard, unless the inventory says otherwise.
ROLE_DEFAULTS = yaml.safe_load((REPO / "roles" / "horizon" / "defaults" / "main.yml").read_text())
# Seconds a page may take to load, and an element to appear once it has.
PAGE_TIMEOUT = 60
ELEMENT_TIMEOUT = 30
TENANT_CIDR = "10.216.0.0/24"
# What Horizon shows instead of a page when something broke.
ERROR_TITLES = ("Server error", "Page Not Found", "Forbidden")
ERROR_TEXTS = ("Something went wrong!", "Traceback (most recent call last)")
LOGGED_IN = (By.CSS_SELECTOR, "a[href$='/auth/logout/']")
LOGIN_ERROR = (By.CSS_SELECTOR, "form .alert-danger")


class Secret(str):
    """A password, masked where pytest or an assertion message shows it."""

    def __repr__(self):
        return "'********'"


@pytest.fixture(scope="module")
def dashboard(cloud_vars):
    """The dashboard's URL, ending in /."""
    webroot = cloud_vars.get("horizon_webroot", ROLE_DEFAULTS["horizon_webroot"]).rstrip("/") + "/"
    port = cloud_vars.get("horizon_port", ROLE_DEFAULTS["horizon_port"])
    return "http://%s:%s%s" % (cloud_vars["nimbus_mgmt_address"], port, webroot)


@pytest.fixture(scope="module")
def admin_password(host):
    """The admin's password, from the deployment's secrets file (found as the secrets role finds it)."""
    found = host.ansible("ansible.builtin.debug",
                         "msg={{ nimbus_secrets_file | default(inventory_dir ~ '/secrets.yml') }}", check=False)
    with open(found["msg"]) as handle:
        return Secret(yaml.safe_load(handle)["keystone_admin_password"])


@pytest.fixture(scope="module")
def browser(dashboard):
    address = urlsplit(dashboard).hostname
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                     "--disable-background-networking", "--disable-component-update", "--no-first-run",
                     "--disable-sync", "--proxy-server=direct://",
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE %s" % address):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(PAGE_TIMEOUT)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        yield driver
    finally:
        driver.quit()


def screenshot(driver, page, user):
    driver.save_screenshot(str(SCREENSHOTS / ("%s-%s.png" % (page, user))))


def visit(driver, url, page, user, *conditions):
    """Load url and wait for every condition; save a screenshot named after the
    page and the user, and fail naming the page and URL when it does not load,
    a condition is not met in time, or Horizon shows an error page."""
    try:
        driver.get(url)
    except TimeoutException:
        screenshot(driver, page, user)
        pytest.fail("%s page %s did not load in %d s" % (page, url, PAGE_TIMEOUT))
    wait_on(driver, page, user, *conditions)
    screenshot(driver, page, user)
    assert_no_error(driver, page)


def wait_on(driver, page, user, *conditions):
    """Wait for each (what, condition) in turn, ELEMENT_TIMEOUT seconds at most."""
    for what, condition in conditions:
        try:
            WebDriverWait(driver, ELEMENT_TIMEOUT).until(condition)
        except TimeoutException:
            screenshot(driver, page, user)
            pytest.fail("%s page %s: no %s after %d s (title %r)" % (
                page, driver.current_url, what, ELEMENT_TIMEOUT, driver.title))


def assert_no_error(driver, page):
    source = driver.page_source
    errors = [t for t in ERROR_TITLES if t in driver.title] + [t for t in ERROR_TEXTS if t in source]
    assert not errors, "%s page %s is an error page: %s" % (page, driver.current_url, errors)
    # Horizon's own error messages (a panel whose service failed to answer).
    alerts = [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".messages .alert-danger") if a.is_displayed()]
    assert not alerts, "%s page %s shows errors: %s" % (page, driver.current_url, alerts)


def heading(text):
    """The page's heading, as Horizon's page header shows it."""
    return "heading %r" % text, ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".page-header h1"), text)


def element(locator):
    return "element %s %r" % locator, ec.presence_of_element_located(locator)


def log_in(driver, dashboard, user, username, password):
    """Fill and send the login form (after logging out whoever was logged in)."""
    visit(driver, dashboard + "auth/logout/", "logout", user)
    visit(driver, dashboard + "auth/login/", "login", user, element((By.ID, "id_username")))
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(password)
    driver.find_element(By.ID, "loginBtn").click()
    wait_on(driver, "login", user, ("logout link or login error", ec.any_of(
        ec.presence_of_element_located(LOGGED_IN), ec.presence_of_element_located(LOGIN_ERROR))))


def test_wrong_password_shows_login_error(browser, dashboard):
    log_in(browser, dashboard, "wrong-password", "admin", "not-the-password-%s" % uuid.uuid4().hex)
    screenshot(browser, "login-error", "wrong-password")
    assert_no_error(browser, "login")
    assert browser.find_element(*LOGIN_ERROR).text.strip() == "Invalid credentials."
    assert not browser.find_elements(*LOGGED_IN)
    assert urlsplit(browser.current_url).path.endswith("/auth/login/")


# The admin's pages: Nova's, Keystone's, and the overview of usage.
ADMIN_PAGES = [("admin-overview", "admin/", "Overview"),
               ("admin-hypervisors", "admin/hypervisors/", "All Hypervisors"),
               ("admin-instances", "admin/instances/", "Instances"),
               ("identity-projects", "identity/", "Projects")]


def test_admin_pages(browser, dashboard, admin_password):
    log_in(browser, dashboard, "admin", "admin", admin_password)
    screenshot(browser, "home", "admin")
    assert browser.find_elements(*LOGGED_IN), "the admin's login failed at %s" % browser.current_url
    for page, path, title in ADMIN_PAGES:
        visit(browser, dashboard + path, page, "admin", heading(title))


@contextlib.contextmanager
def cleanup():
    """Run the callbacks registered on the yielded list in reverse order, each
    whatever the others did; raise the first failure after all ran."""
    steps, failures = [], []
    try:
        yield steps
    finally:
        for step in reversed(steps):
            try:
                step()
            except Exception as exc:
                failures.append(exc)
        if failures:
            raise failures[0]


@pytest.fixture(scope="module")
def tenant(conn):
    """A project, its user with the member role, and their connection options; deleted afterwards."""
    name = "dash-%s" % uuid.uuid4().hex[:8]
    made = {"name": name, "password": Secret(secrets.token_urlsafe(18))}
    made["cloud"] = {
        "auth": {"auth_url": conn.config.get_auth_args()["auth_url"], "username": name + "-user",
                 "password": made["password"], "project_name": name + "-project",
                 "user_domain_name": "Default", "project_domain_name": "Default"},
        "region_name": conn.config.get_region_name(),
    }
    with cleanup() as undo:
        project = run_module("project", name=name + "-project", description="made by test_dashboard.py")["project"]
        undo.append(lambda: run_module("project", name=name + "-project", state="absent"))
        # Neutron makes the project's default security group when it is first used; it outlives the project.
        undo.append(lambda: [conn.network.delete_security_group(group) for group in
                             conn.network.security_groups(project_id=project["id"])])
        run_module("user", name=name + "-user", password=made["password"], default_project=name + "-project")
        undo.append(lambda: run_module("user", name=name + "-user", state="absent"))
        run_module("role_assignment", role="member", user=name + "-user", project=name + "-project")
        yield made


@pytest.fixture(scope="module")
def tenant_server(tenant, guest_image, cloud_vars):
    """As the tenant: a network, a subnet, a router to the external network, and
    a server of the guest image on the network; deleted afterwards."""
    name, cloud = tenant["name"], tenant["cloud"]
    with cleanup() as undo:
        run_module("network", cloud=cloud, name=name + "-net")
        undo.append(lambda: run_module("network", cloud=cloud, name=name + "-net", state="absent"))
        run_module("subnet", cloud=cloud, name=name + "-subnet", network=name + "-net", cidr=TENANT_CIDR)
        undo.append(lambda: run_module("subnet", cloud=cloud, name=name + "-subnet", network=name + "-net",
                                       state="absent"))
        run_module("router", cloud=cloud, name=name + "-router", external_gateway_network="public",
                   interfaces=[{"subnet": name + "-subnet"}])
        undo.append(lambda: run_module("router", cloud=cloud, name=name + "-router", state="absent"))
        server = run_module("server", cloud=cloud, name=name + "-server", image=guest_image.id, flavor=FLAVOR,
                            networks=[{"network": name + "-net"}], timeout=300)["server"]
        undo.append(lambda: run_module("server", cloud=cloud, name=name + "-server", state="absent", timeout=300))
        yield server


@pytest.mark.timeout(1200)
def test_tenant_pages(browser, dashboard, tenant, tenant_server):
    name = tenant["name"]
    log_in(browser, dashboard, "tenant", name + "-user", tenant["password"])
    screenshot(browser, "home", "tenant")
    assert browser.find_elements(*LOGGED_IN), "the tenant's login failed at %s" % browser.current_url

    # The server, by name, in the instances table, active.
    row = (By.XPATH, "//table[@id='instances']//tr[.//a[normalize-space()='%s']]" % tenant_server["name"])
    visit(browser, dashboard + "project/instances/", "instances", "tenant", heading("Instances"),
          element(row))
    assert "Active" in browser.find_element(*row).text

    # The topology draws the tenant's network (its name is a label in the SVG, drawn from JSON).
    label = (By.XPATH, "//*[local-name()='svg']//*[local-name()='text'][contains(., '%s-net')]" % name)
    visit(browser, dashboard + "project/network_topology/", "network-topology", "tenant",
          heading("Network Topology"), element(label))

    # Orchestration's panel, from the heat-dashboard plugin: an empty list of stacks.
    visit(browser, dashboard + "project/stacks/", "stacks", "tenant", heading("Stacks"),
          element((By.ID, "stacks")))

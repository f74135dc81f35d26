# Private to this collection: not a public API, may change without notice.
"""Debian packages present on a host: one dpkg-query to find what is missing, one apt transaction to install it.

ansible.builtin.apt opens python-apt's cache (and checks the package lists' age)
on every call, about a second even when everything is installed. Here a run
that finds nothing missing costs one dpkg-query and runs no apt at all.
"""

from __future__ import annotations

import os
import re
import time

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = {
    "names": {"type": "list", "elements": "str", "required": True, "aliases": ["name"]},
    "install_recommends": {"type": "bool", "default": False},
    "cache_valid_time": {"type": "int", "default": 3600},
    "state": {"type": "str", "default": "present", "choices": ["present"]},
}

# Debian Policy 5.6.7: lower case letters, digits, + - . ; at least two characters, the first alphanumeric.
PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
# Where ansible.builtin.apt reads the package lists' age: the stamp that apt's
# Post-Invoke-Success hook leaves where one is installed (Ubuntu's update-notifier),
# else the lists directory. Debian has no such hook, and `apt-get update` leaves the
# directory's time alone when no list changed, so the lists would look stale for ever:
# our own update touches the stamp, as that hook does.
UPDATE_STAMP = "/var/lib/apt/periodic/update-success-stamp"
LISTS_DIR = "/var/lib/apt/lists"
# The environment ansible.builtin.apt gives apt: no questions, output in a locale we can parse.
ENVIRONMENT = {"DEBIAN_FRONTEND": "noninteractive", "DEBIAN_PRIORITY": "critical",
               "LANG": "C", "LC_ALL": "C", "LANGUAGE": "C"}
# Wait for dpkg's lock: unattended-upgrades at boot, or the apt-get of a deploy
# that was killed, which goes on on the host and may configure packages for
# minutes (2.5 min seen after a kill during the first install).
LOCK_TIMEOUT = 600
DPKG_QUERY_FORMAT = "${Package}\\t${db:Status-Abbrev}\\n"
# What apt says, and does nothing else, while dpkg's journal holds a run that
# did not finish (dpkg killed, or the host lost power, mid-install).
DPKG_INTERRUPTED = "dpkg was interrupted"


def check_names(names):
    """The package names in order, once each; ValueError naming the option for any that is not a Debian name."""
    bad = [name for name in names if not PACKAGE_NAME.match(name)]
    if bad:
        raise ValueError("names: not Debian package names (lower-case letters, digits, '+', '-' and '.', "
                         "at least two characters starting with a letter or digit, no version): %s"
                         % ", ".join(repr(name) for name in bad))
    return list(dict.fromkeys(names))


def parse_status(text):
    """dpkg-query's `Package<TAB>db:Status-Abbrev` lines: each package's status, its installed one if any.

    A Multi-Arch: same package has a line per architecture; one installed copy is enough.
    """
    statuses = {}
    for line in text.splitlines():
        name, sep, abbrev = line.partition("\t")
        if sep and not is_installed(statuses.get(name, "")):
            statuses[name] = abbrev
    return statuses


def is_installed(abbrev):
    """Whether a db:Status-Abbrev (desired, status, error flag: `ii `, `hi `, `iU `, `rc `, `un `) is a usable package.

    Unpacked (U), half-configured (F), half-installed (H) and trigger-waiting (W, t)
    packages are not: `apt-get install` finishes them. A reinstall-required flag
    (third letter R) means a broken package.
    """
    return abbrev[1:2] == "i" and not abbrev[2:].strip()


def missing(names, statuses):
    """The names, in order, that are not installed (unknown to dpkg included)."""
    return [name for name in names if not is_installed(statuses.get(name, ""))]


def parse_candidates(text):
    """`apt-cache policy` output: each listed package's candidate version, None where it has none."""
    candidates, name = {}, None
    for line in text.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            name = line[:-1]
            candidates[name] = None
        elif name and line.strip().startswith("Candidate:"):
            version = line.split(":", 1)[1].strip()
            candidates[name] = None if version == "(none)" else version
    return candidates


def uninstallable(names, candidates):
    """The names apt has no version of to install: unknown to its lists, or only a virtual package."""
    return [name for name in names if not candidates.get(name)]


def lists_mtime(stamp=UPDATE_STAMP, lists_dir=LISTS_DIR):
    """When the package lists were last updated, as ansible.builtin.apt judges it; 0 when unknown."""
    for path in (stamp, lists_dir):
        try:
            return os.stat(path).st_mtime
        except FileNotFoundError:
            continue
    return 0


def is_stale(updated, now, valid_time):
    """Whether lists updated at `updated` are older than `valid_time` seconds at `now`."""
    return updated + valid_time < now


def update_command(apt_get):
    return [apt_get, "update", "-q", "-o", "DPkg::Lock::Timeout=%d" % LOCK_TIMEOUT,
            "-o", "APT::Update::Post-Invoke-Success::=touch %s 2>/dev/null || true" % UPDATE_STAMP]


def install_command(apt_get, packages, install_recommends):
    """One apt-get transaction for the packages; files the admin changed are kept (confold)."""
    command = [apt_get, "install", "-y", "-q",
               "-o", "DPkg::Lock::Timeout=%d" % LOCK_TIMEOUT,
               "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"]
    if not install_recommends:
        command.append("--no-install-recommends")
    return command + ["--"] + list(packages)


def configure_pending_command(dpkg):
    """What apt's message asks for (dpkg --configure -a), keeping files the admin changed as installs do."""
    return [dpkg, "--configure", "--pending", "--force-confdef", "--force-confold"]


def tail(text, lines=20):
    return "\n".join(text.strip().splitlines()[-lines:])


class Apt:
    def __init__(self, module):
        self.module = module
        module.run_command_environ_update = ENVIRONMENT

    def missing(self, names):
        """The names dpkg does not have installed. dpkg-query exits 1 when some name is unknown to it."""
        if not names:
            return []
        dpkg_query = self.module.get_bin_path("dpkg-query", required=True)
        rc, out, err = self.module.run_command([dpkg_query, "-W", "-f=" + DPKG_QUERY_FORMAT, "--"] + names)
        if rc not in (0, 1):
            self.module.fail_json(msg="dpkg-query failed: %s" % tail(err or out), rc=rc, stdout=out, stderr=err)
        return missing(names, parse_status(out))

    def uninstallable(self, names):
        rc, out, err = self.module.run_command(
            [self.module.get_bin_path("apt-cache", required=True), "policy", "--"] + names)
        if rc != 0:
            self.module.fail_json(msg="apt-cache policy failed: %s" % tail(err or out), rc=rc, stdout=out, stderr=err)
        return uninstallable(names, parse_candidates(out))

    def run(self, command, what, tolerate=None):
        """Run; fail naming `what` unless it succeeds or its output says `tolerate`. True if it succeeded."""
        rc, out, err = self.module.run_command(command)
        if rc != 0 and not (tolerate and tolerate in err + out):
            self.module.fail_json(msg="%s failed (rc %d): %s" % (what, rc, tail(err or out)),
                                  cmd=command, rc=rc, stdout=out, stderr=err)
        return rc == 0

    def update(self):
        self.run(update_command(self.module.get_bin_path("apt-get", required=True)), "apt-get update")

    def install(self, packages, install_recommends):
        """Install; first finish what an interrupted dpkg left when apt refuses for that. True if it did."""
        command = install_command(self.module.get_bin_path("apt-get", required=True), packages, install_recommends)
        what = "apt-get install of %s" % " ".join(packages)
        if self.run(command, what, tolerate=DPKG_INTERRUPTED):
            return False
        self.run(configure_pending_command(self.module.get_bin_path("dpkg", required=True)),
                 "dpkg --configure --pending, after apt found that dpkg was interrupted")
        self.run(command, what)
        return True


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    try:
        names = check_names(params["names"])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    if params["cache_valid_time"] < 0:
        module.fail_json(msg="cache_valid_time: must be 0 or more seconds, got %d" % params["cache_valid_time"])
    apt = Apt(module)
    wanted = apt.missing(names)
    result = {"changed": bool(wanted), "installed": wanted, "cache_updated": False, "dpkg_recovered": False}
    if module._diff:
        result["diff"] = {"before": "", "after": "".join(name + "\n" for name in wanted)}
    if not wanted:
        module.exit_json(**result)
    if module.check_mode:
        # A real run may first update the lists, which can make these known: warn, do not fail.
        unknown = apt.uninstallable(wanted)
        if unknown:
            module.warn("apt has no installable version of %s yet; a real run updates the package lists "
                        "and fails if it still has none" % ", ".join(unknown))
        module.exit_json(**result)
    if is_stale(lists_mtime(), time.time(), params["cache_valid_time"]) or apt.uninstallable(wanted):
        apt.update()
        result["cache_updated"] = True
        unknown = apt.uninstallable(wanted)
        if unknown:
            module.fail_json(msg="names: apt has no installable version of %s (after apt-get update): unknown "
                             "to the configured repositories, or only a virtual package" % ", ".join(unknown),
                             installed=[], cache_updated=True)
    result["dpkg_recovered"] = apt.install(wanted, params["install_recommends"])
    # apt-get succeeds for a name it resolves to another package (a virtual one); that would never converge.
    still = apt.missing(wanted)
    if still:
        module.fail_json(msg="names: apt-get install succeeded but dpkg has no %s installed; name the real "
                         "package instead of a virtual one" % ", ".join(still), installed=wanted)
    module.exit_json(**result)

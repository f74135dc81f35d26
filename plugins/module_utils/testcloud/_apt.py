# Private to this collection: not a public API, may change without notice.
"""Debian package sources for test-cloud hosts, and the package cache that serves them.

Hosts cannot reach any mirror: they fetch through one apt-cacher-ng on the machine,
bound to the management bridge addresses only, which fetches from the mirror the
machine's own apt sources name. The cache outlives clouds, so later deploys are local.
"""

from __future__ import annotations

import glob
import os

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._sys import (
    SysError,
    find_processes,
    spawn,
    stop_process,
    wait_port,
    write_file,
)

SUITE = "bookworm"
CACHE_PORT = 3142
CACHE_HOME = "/var/lib/nimbus/apt-cacher-ng"
CACHE_DIR = "/var/cache/nimbus/apt-cacher-ng"


def parse_sources(files):
    """Entries {uris, suites, components, signed_by} from one-line and deb822 apt sources.

    `files` maps file name to content; only `deb` entries count.
    """
    entries = []
    for name, text in sorted(files.items()):
        if name.endswith(".sources"):
            for stanza in text.split("\n\n"):
                fields = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line or line[:1].isspace():
                        continue
                    key, value = line.split(":", 1)
                    fields[key.strip().lower()] = value.split()
                if "deb" in fields.get("types", []) and fields.get("enabled", ["yes"]) != ["no"]:
                    entries.append({
                        "uris": fields.get("uris", []),
                        "suites": fields.get("suites", []),
                        "components": fields.get("components", []),
                        "signed_by": " ".join(fields.get("signed-by", [])) or None,
                    })
        elif name.endswith(".list"):
            for line in text.splitlines():
                words = line.split("#", 1)[0].split()
                if len(words) < 3 or words[0] != "deb":
                    continue
                if words[1].startswith("["):  # options such as [arch=amd64 signed-by=...]
                    opts = []
                    while words and not words[0].endswith("]"):
                        opts.append(words.pop(0))
                    opts.append(words.pop(0))
                    words.insert(0, "deb")
                    signed = [o.split("=", 1)[1].rstrip("]") for o in opts if "signed-by=" in o]
                else:
                    signed = []
                entries.append({
                    "uris": [words[1]], "suites": [words[2]], "components": words[3:],
                    "signed_by": signed[0] if signed else None,
                })
    return entries


def host_sources(entries, mirror=None):
    """The entries Debian 12 hosts use: those of the machine for bookworm*, or `mirror`."""
    if mirror:
        return [{"uris": [mirror], "suites": [SUITE, SUITE + "-updates"], "components": ["main"], "signed_by": None}]
    picked = []
    for entry in entries:
        suites = [s for s in entry["suites"] if s == SUITE or s.startswith(SUITE + "-")]
        if suites and entry["uris"]:
            picked.append(dict(entry, suites=suites))
    if not any(SUITE in e["suites"] for e in picked):
        raise ValueError(
            "the machine's apt sources name no Debian %s archive; set testcloud_mirror to a Debian "
            "mirror URL that this machine can reach" % SUITE
        )
    return picked


def archive_uri(sources):
    """The URI of the main Debian archive among `sources` (what debootstrap uses)."""
    for entry in sources:
        if SUITE in entry["suites"]:
            return entry["uris"][0]
    raise ValueError("no %s archive among the sources" % SUITE)


def render_deb822(sources):
    stanzas = []
    for entry in sources:
        lines = [
            "Types: deb",
            "URIs: " + " ".join(entry["uris"]),
            "Suites: " + " ".join(entry["suites"]),
            "Components: " + " ".join(entry["components"] or ["main"]),
        ]
        if entry.get("signed_by"):
            lines.append("Signed-By: " + entry["signed_by"])
        stanzas.append("\n".join(lines) + "\n")
    return "\n".join(stanzas)


def machine_sources():
    """Read the machine's own apt source files."""
    paths = ["/etc/apt/sources.list"] + glob.glob("/etc/apt/sources.list.d/*.list")
    paths += glob.glob("/etc/apt/sources.list.d/*.sources")
    files = {}
    for path in paths:
        try:
            with open(path) as handle:
                files[path] = handle.read()
        except OSError:
            continue
    return parse_sources(files)


def cache_config(bind_addresses):
    # No Remap- lines: the cache passes requests to exactly the URIs hosts ask for,
    # which are the machine's own mirrors, instead of a built-in mirror list.
    return "\n".join([
        "# Written by nimbus.openstack testcloud; rewritten on every run.",
        "CacheDir: " + CACHE_DIR,
        "LogDir: " + os.path.join(CACHE_HOME, "log"),
        "SupportDir: /usr/lib/apt-cacher-ng",
        "Port: %d" % CACHE_PORT,
        "SocketPath: " + os.path.join(CACHE_HOME, "socket"),
        "BindAddress: " + " ".join(sorted(bind_addresses)),
        "ExThreshold: 30",
        "PassThroughPattern: ^$",
        "",
    ])


def _running():
    pids = find_processes(["apt-cacher-ng", "-c", CACHE_HOME])
    return pids[0] if pids else None


def ensure_cache(bind_addresses):
    """Run the cache bound to `bind_addresses` (restarting it if that set changed). True if changed."""
    for path in (CACHE_DIR, os.path.join(CACHE_HOME, "log")):
        os.makedirs(path, exist_ok=True)
    if not bind_addresses:
        return stop_cache()
    conf_changed = write_file(os.path.join(CACHE_HOME, "acng.conf"), cache_config(bind_addresses))
    pid = _running()
    if pid and not conf_changed:
        return False
    if pid:
        stop_process(pid, 10)
    spawn(["apt-cacher-ng", "-c", CACHE_HOME, "ForeGround=1"], os.path.join(CACHE_HOME, "log", "daemon.log"))
    try:
        for address in bind_addresses:
            wait_port(address, CACHE_PORT, 20)
    except SysError as exc:
        raise SysError("the package cache (apt-cacher-ng) did not start: %s; see %s/log" % (exc, CACHE_HOME)) from exc
    return True


def stop_cache():
    pid = _running()
    if pid:
        stop_process(pid, 10)
    return bool(pid)

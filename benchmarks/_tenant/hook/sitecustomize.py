"""Request counter of benchmarks/tenant, loaded by every Python process it starts
(this directory is first on their PYTHONPATH): ansible-playbook, its workers and
the modules' own processes (AnsiballZ).

With NIMBUS_BENCH_HTTP_LOG set, each HTTP request the process sends is appended
to that file as one line: "<unix time> <pid> <METHOD> <host:port><path>". The hook
is on http.client, under urllib3, requests and keystoneauth, so a request counts
each time it goes on the wire: retries and redirects count, and so do token
requests (which keystoneauth's own debug log leaves out). It is installed when
http.client is first imported: processes that send nothing pay nothing.

With NIMBUS_BENCH_KSA_LOG set too, keystoneauth's and openstacksdk's debug log
(a "REQ: curl ..." line per request they log) goes to that file: `tenant
--check-counting` compares the two.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import time

_LOG = os.environ.get("NIMBUS_BENCH_HTTP_LOG")
_KSA_LOG = os.environ.get("NIMBUS_BENCH_KSA_LOG")


def _patch(client):
    putrequest = client.HTTPConnection.putrequest

    def logged_putrequest(self, method, url, *args, **kwargs):
        # One short write per line in append mode: concurrent processes' lines do not mix.
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write("%.6f %d %s %s:%s%s\n" % (time.time(), os.getpid(), method, self.host, self.port, url.split("?")[0]))
        return putrequest(self, method, url, *args, **kwargs)

    client.HTTPConnection.putrequest = logged_putrequest


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Finds http.client as usual, and patches it once it is loaded."""

    def find_spec(self, name, path, target=None):
        if name != "http.client":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:
            return None
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            _patch(module)

        spec.loader.exec_module = exec_and_patch
        sys.meta_path.remove(self)
        return spec


def _log_debug_requests():
    import logging

    handler = logging.FileHandler(_KSA_LOG)
    handler.setFormatter(logging.Formatter("%(process)d %(name)s %(message)s"))
    for name in ("keystoneauth", "openstack"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)


def _chain():
    """Run the sitecustomize that this one hides (Debian's installs apport's hook)."""
    here = os.path.dirname(os.path.abspath(__file__))
    others = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is not None and spec.loader is not None:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


if _LOG:
    if "http.client" in sys.modules:
        _patch(sys.modules["http.client"])
    else:
        sys.meta_path.insert(0, _PatchOnImport())
if _LOG and _KSA_LOG:
    _log_debug_requests()
_chain()

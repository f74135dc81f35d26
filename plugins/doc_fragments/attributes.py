# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Attributes shared by the modules that support check mode, diff and re-runs in full."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and predict the change without making it.
    support: full
  diff_mode:
    description: Returns the resource before and after the change in diff mode.
    support: full
  idempotent:
    description: Run twice with the same options, the second run reports no change.
    support: full
"""

    # Modules that only read (probes, checks): the same in check mode.
    READ_ONLY = r"""
attributes:
  check_mode:
    description: Can run in check mode.
    support: full
    details: Only reads, so it does in check mode what it does without it.
  diff_mode:
    description: Returns details on what changed.
    support: none
  idempotent:
    description: A second run with the same arguments changes nothing.
    support: full
"""

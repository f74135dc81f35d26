# Copyright: contributors to nimbus.openstack
# Apache License 2.0 (see LICENSE)
"""Options and attributes of every *_info module."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  name:
    description:
      - Name or ID of the resource. Resources with exactly that name are
        returned; when none is called so, the one with that ID.
      - Unset, every resource that passes the other options is returned.
    type: str
    aliases: [id]
  filters:
    description:
      - Further filters of the service's list call, as its API names them
        (for example C(status) or C(tags)). The module's own options are
        applied on top of them.
    type: dict
    default: {}
notes:
  - Nothing that matches is no failure; the list is then empty. A resource
    named by an option (a network, a project) that does not exist also gives
    an empty list.
attributes:
  check_mode:
    description: Only reads, so it runs in check mode as without it.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
  idempotent:
    description: Changes nothing.
    support: full
"""

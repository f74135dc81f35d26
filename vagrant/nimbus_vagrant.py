"""Box, networks and inventory for vagrant/Vagrantfile: `prepare INVENTORY`, or `clean` after `vagrant destroy`.

Run by make vagrant-prepare and make vagrant-clean, with the collection on PYTHONPATH.
"""

from __future__ import annotations

import sys

from ansible_collections.nimbus.openstack.plugins.module_utils.testcloud._vagrant import main

sys.exit(main(sys.argv[1:]))

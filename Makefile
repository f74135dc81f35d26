# nimbus.openstack — developer and CI entry points (GNU make).
#
#   make cloud   create the all-in-one test cloud on this machine
#   make test    everything CI runs: lint, sanity, unit, build-check, molecule
#
# Every target works as root on a fresh Debian 12 machine: the first one run
# installs the apt packages and the Python virtualenv it needs.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# `make test` runs its parts in the order listed, even under -j.
.NOTPARALLEL:

VENV := .venv
# Debian's Python, so that the venv module comes from apt (python3-venv).
PYTHON ?= /usr/bin/python3
BUILD := .build
# Copy of the tree where Python and ansible-test see the collection by its name.
COLLECTION_COPY := $(BUILD)/ansible_collections/nimbus/openstack
# Collections path whose nimbus/openstack is a symlink to this working tree, for
# playbooks run from here (make cloud, make molecule). ansible.cfg names it too,
# and ansible-lint makes the same link there.
COLLECTIONS_LINK := .ansible/collections
COLLECTION_INSTALL := $(BUILD)/installed
SANITY_PYTHON := 3.11

# Tools that run other tools (molecule, ansible-test, ansible-lint) find the
# venv's ansible-* commands on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Apt packages for the tools here: the venv, libvirt-python's build
# (python3-dev gcc pkg-config libvirt-dev), ansible's SSH transport, git and
# rsync for make sanity, shellcheck for its shellcheck test, the test-cloud
# tool (systemd-container debootstrap apt-cacher-ng iproute2 iptables), and the
# dashboard's browser test (chromium chromium-driver: Selenium drives Debian's
# browser through Debian's chromedriver and never downloads one).
APT_PACKAGES := python3-venv python3-dev gcc pkg-config libvirt-dev git rsync openssh-client shellcheck \
	systemd-container debootstrap apt-cacher-ng iproute2 iptables chromium chromium-driver
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# ansible-test sanity tests left out, each with its reason. Keep empty when possible.
SANITY_SKIP :=

RSYNC_EXCLUDES := --exclude=/.git --exclude=/.venv --exclude=/.build --exclude=/.testcloud \
	--exclude=/.ansible --exclude=/.cache --exclude=/tests/output --exclude=__pycache__ \
	--exclude=.pytest_cache --exclude=.ruff_cache --exclude='*.tar.gz'

.PHONY: help apt venv lint sanity unit molecule test cloud cloud-verify integration build build-check copy link clean distclean \
	vagrant-prepare vagrant-clean vagrant-test

help:
	@echo "make cloud        create, deploy and verify the all-in-one test cloud"
	@echo "make cloud-verify the aio verify tests against make cloud's cloud"
	@echo "make integration  the modules' integration targets against it (TARGET=name for one)"
	@echo "make test         lint, sanity, unit, build-check and molecule, in that order"
	@echo "make venv         apt packages + $(VENV) with requirements-dev.txt"
	@echo "make lint         ruff, yamllint, ansible-lint (production profile)"
	@echo "make sanity       ansible-test sanity on a copy under $(COLLECTION_COPY)"
	@echo "make unit         pytest tests/unit on that copy"
	@echo "make build        collection tarball in $(BUILD)/"
	@echo "make build-check  build, install, and ansible-doc every module and role"
	@echo "make molecule     molecule test for every scenario under molecule/"
	@echo "make vagrant-prepare  box, networks and inventory for vagrant/Vagrantfile (vagrant-clean undoes)"
	@echo "make vagrant-test the Vagrant cloud for real: up, ping, infrastructure stage, destroy"
	@echo "make clean        remove build and test output ($(VENV) stays; distclean removes it)"

venv: $(VENV)/.installed

# Installs whatever of APT_PACKAGES is missing (apt-get update only then). It is
# an order-only prerequisite of the venv: checked on every run (a dpkg query),
# so packages added to the list later get installed, without rebuilding the venv.
apt:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -qx 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing$$missing"; \
	  $(SUDO) apt-get update; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    -o DPkg::Lock::Timeout=600 $$missing; \
	fi

$(VENV)/.installed: requirements.txt requirements-dev.txt | apt
	$(PYTHON) -m venv --clear $(VENV)
	$(VENV)/bin/pip install --upgrade pip
	$(VENV)/bin/pip install -r requirements-dev.txt
	touch $@

# ANSIBLE_HOME: ansible-lint (offline) puts ANSIBLE_HOME/collections, by default
# ~/.ansible/collections, first in the collections path; an older nimbus.openstack
# installed there would be linted against instead of this tree.
lint: venv link
	$(VENV)/bin/ruff check plugins tests molecule
	$(VENV)/bin/yamllint --strict .
	ANSIBLE_HOME=$(CURDIR)/.ansible $(VENV)/bin/ansible-lint

# A fresh copy of the working tree (committed or not) under ansible_collections/.
# The copy gets a git repository of its own (never committed to): ansible-test
# lists files with git from the nearest .git up the tree, and without one here it
# would find this repository's, which ignores .build/, and see no file at all.
# rsync --delete leaves the excluded .git and tests/output (ansible-test's cache).
copy:
	mkdir -p $(COLLECTION_COPY)
	rsync -a --delete $(RSYNC_EXCLUDES) ./ $(COLLECTION_COPY)/
	test -d $(COLLECTION_COPY)/.git || git -C $(COLLECTION_COPY) init -q

link:
	mkdir -p $(COLLECTIONS_LINK)/ansible_collections/nimbus
	ln -sfn ../../../.. $(COLLECTIONS_LINK)/ansible_collections/nimbus/openstack

# ansible-test bootstraps pip into each virtualenv it makes with a get-pip.py
# downloaded from its own CI file host, which a machine that reaches only PyPI
# and Debian's archive cannot reach. It uses ~/.ansible/test/cache/get_pip_<version>.py
# when that exists, so this stand-in goes there: ensurepip, then the pip asked for.
define GET_PIP_SHIM
"""Stand-in for get-pip.py written by nimbus.openstack's Makefile (make sanity)."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
if "--no-setuptools" in sys.argv:
    subprocess.check_call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"])
endef
export GET_PIP_SHIM
ANSIBLE_TEST_PIP = $(shell $(VENV)/bin/python -c 'import types; \
	from ansible_test._internal.python_requirements import get_venv_packages; \
	print(get_venv_packages(types.SimpleNamespace(version="$(SANITY_PYTHON)"))["pip"])')

ANSIBLE_VERSION = $(shell $(VENV)/bin/python -c 'from ansible.release import __version__ as v; print(".".join(v.split(".")[:2]))')

# No Docker here: --venv makes ansible-test build its own virtualenvs (from the
# package index pip is configured with, cached in ~/.ansible/test/venv) for the
# tests that need extra packages.
# validate-modules demands a GPLv3 header in every module and plugin; this collection
# is Apache-2.0, so the copy's ignore file gets that one finding for each of them
# (every other finding stays an error). ansible-test itself rejects an ignore
# entry that matches nothing.
sanity: venv copy
	@pip_version='$(ANSIBLE_TEST_PIP)'; test -n "$$pip_version"; \
	shim=$(HOME)/.ansible/test/cache/get_pip_$${pip_version//./_}.py; \
	if [ ! -e "$$shim" ]; then mkdir -p "$${shim%/*}"; printf '%s\n' "$$GET_PIP_SHIM" > "$$shim"; echo "wrote $$shim"; fi
	@ver='$(ANSIBLE_VERSION)'; test -n "$$ver"; shopt -s nullglob; \
	ignore=$(COLLECTION_COPY)/tests/sanity/ignore-$$ver.txt; \
	for f in $(COLLECTION_COPY)/plugins/modules/*.py $(COLLECTION_COPY)/plugins/inventory/*.py $(COLLECTION_COPY)/plugins/callback/*.py; do \
	  echo "$${f#$(COLLECTION_COPY)/} validate-modules:missing-gplv3-license  # Apache-2.0, see LICENSE"; \
	done >> "$$ignore"
	cd $(COLLECTION_COPY) && $(CURDIR)/$(VENV)/bin/ansible-test sanity --venv --python $(SANITY_PYTHON) \
	  --color no $(SANITY_SKIP)

# Plain pytest on the copy: `ansible_collections.nimbus.openstack...` imports
# resolve through PYTHONPATH=$(BUILD). pytest exits 5 when it collects no test,
# which fails this target as any other failure does.
unit: venv copy
	cd $(COLLECTION_COPY) && PYTHONPATH=$(CURDIR)/$(BUILD) $(CURDIR)/$(VENV)/bin/python -m pytest \
	  -p no:cacheprovider --import-mode=importlib -ra tests/unit

# Every scenario under molecule/, the aio scenario beside the others (see the script).
molecule: venv link
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS_LINK) tests/molecule_lanes.sh

# The test-cloud tool itself, for real: bad input, leftovers, re-runs, removal,
# clouds side by side, and the libvirt backend (root needed).
testcloud-tests: venv link
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS_LINK) $(VENV)/bin/python -m pytest \
	  -p no:cacheprovider -ra tests/testcloud

# NIMBUS_VAGRANT_LANE=1 make test adds the Vagrant cloud's test, run in the
# Molecule lane that finishes first (tests/molecule_lanes.sh). Not by default:
# it adds 15-20 minutes, over the 60-minute budget on a fresh machine.
test: lint sanity unit build-check testcloud-tests molecule

# The multinode cloud as Vagrant VMs (vagrant/Vagrantfile; see README.md). Debian's
# vagrant and vagrant-libvirt only: no plugin install, nothing from HashiCorp.
# Target-specific, so the `apt` prerequisite installs these too.
VAGRANT_TOOL := $(VENV)/bin/python vagrant/nimbus_vagrant.py
VAGRANT_INVENTORY := .testcloud/vagrant/inventory.yml
vagrant-prepare vagrant-clean vagrant-test: APT_PACKAGES += vagrant vagrant-libvirt dnsmasq-base qemu-utils \
	qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu
vagrant-prepare vagrant-clean vagrant-test: export PYTHONPATH := $(CURDIR)/$(COLLECTIONS_LINK)
vagrant-prepare vagrant-clean vagrant-test: export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(COLLECTIONS_LINK)
vagrant-prepare vagrant-clean vagrant-test: export VAGRANT_CHECKPOINT_DISABLE := 1

# Box, networks and $(VAGRANT_INVENTORY); then `cd vagrant && vagrant up`.
vagrant-prepare: apt venv link
	$(VAGRANT_TOOL) prepare $(VAGRANT_INVENTORY)

# The Vagrantfile reads the settings of vagrant-prepare: without them no VM can exist.
vagrant-clean: apt venv link
	if [ -e /var/lib/nimbus/testcloud/vagrant/vagrant.json ]; then cd vagrant && vagrant destroy -f; fi
	$(VAGRANT_TOOL) clean

# Box, vagrant up, ping, the infrastructure stage, destroy (tests/vagrant).
vagrant-test: apt venv link
	$(VENV)/bin/python -m pytest -p no:cacheprovider -ra tests/vagrant

# The all-in-one test cloud "aio": hosts, then every stage of site.yml, then where to find it.
AIO_INVENTORY := .testcloud/aio/inventory.yml
cloud: venv link
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS_LINK) $(VENV)/bin/ansible-playbook playbooks/testcloud.yml \
	  -e testcloud_topology=aio -e testcloud_name=aio -e testcloud_state=present
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS_LINK) $(VENV)/bin/ansible-playbook -i $(AIO_INVENTORY) playbooks/site.yml
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS_LINK) $(VENV)/bin/ansible-playbook -i $(AIO_INVENTORY) playbooks/guest_image.yml
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS_LINK) $(VENV)/bin/ansible-playbook -i $(AIO_INVENTORY) playbooks/verify.yml
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS_LINK) $(VENV)/bin/ansible-playbook -i $(AIO_INVENTORY) playbooks/cloudinfo.yml

# The aio scenario's verify (testinfra on the host, openstacksdk from here), run
# against make cloud's cloud: boots a server, logs in to it, deletes everything.
# Tests marked long (an idle period past the heartbeat timeout, a -vvv converge)
# are left out here; make test runs them.
cloud-verify: venv link
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS_LINK) NIMBUS_TEST_CLOUD=nimbus-aio \
	  $(VENV)/bin/pytest -p no:cacheprovider -m "not long" molecule/aio/tests \
	  --connection=ansible --ansible-inventory=$(AIO_INVENTORY) --hosts=all

# The modules' integration targets (tests/integration/targets/) against make
# cloud's cloud; TARGET=name (or a,b) runs those only.
integration: venv link
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS_LINK) NIMBUS_TEST_CLOUD=nimbus-aio NIMBUS_TARGETS=$(TARGET) \
	  PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/pytest -p no:cacheprovider \
	  molecule/aio/tests/test_integration_targets.py --connection=ansible --ansible-inventory=$(AIO_INVENTORY) --hosts=all

build: venv
	mkdir -p $(BUILD)
	rm -f $(BUILD)/nimbus-openstack-*.tar.gz
	$(VENV)/bin/ansible-galaxy collection build --force --output-path $(BUILD) .

# ansible-doc exits 0 for a plugin it cannot find, so the JSON output is checked:
# every name must come back with its documentation (a role with its argument specs).
define CHECK_DOCS
import json, sys
kind, names = sys.argv[1], sys.argv[2:]
raw = sys.stdin.read()
if not raw.strip():
    sys.exit(f"ansible-doc -t {kind} failed: see its error above")
docs = json.loads(raw)
key = "entry_points" if kind == "role" else "doc"
bad = [n for n in names if not (docs.get(n) or {}).get(key)]
print(f"ansible-doc -t {kind}: {len(names) - len(bad)} documented, {len(bad)} missing")
sys.exit(f"no documentation for: {' '.join(bad)}" if bad else 0)
endef
export CHECK_DOCS

build-check: export ANSIBLE_COLLECTIONS_PATH = $(CURDIR)/$(COLLECTION_INSTALL)
build-check: export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH = false
build-check: build
	rm -rf $(COLLECTION_INSTALL)
	$(VENV)/bin/ansible-galaxy collection install --offline --force -p $(COLLECTION_INSTALL) $(BUILD)/nimbus-openstack-*.tar.gz
	@shopt -s nullglob; modules=(); roles=(); \
	for f in plugins/modules/*.py; do n=$${f##*/}; n=$${n%.py}; [ "$$n" = __init__ ] || modules+=("nimbus.openstack.$$n"); done; \
	for d in roles/*/; do d=$${d%/}; roles+=("nimbus.openstack.$${d##*/}"); done; \
	if [ $${#modules[@]} -gt 0 ]; then \
	  $(VENV)/bin/ansible-doc -j -t module "$${modules[@]}" | $(VENV)/bin/python -c "$$CHECK_DOCS" module "$${modules[@]}"; \
	else echo "ansible-doc -t module: no module yet"; fi; \
	if [ $${#roles[@]} -gt 0 ]; then \
	  $(VENV)/bin/ansible-doc -j -t role "$${roles[@]}" | $(VENV)/bin/python -c "$$CHECK_DOCS" role "$${roles[@]}"; \
	else echo "ansible-doc -t role: no role yet"; fi

clean:
	rm -rf $(BUILD) tests/output .ansible .pytest_cache .ruff_cache
	find plugins tests -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

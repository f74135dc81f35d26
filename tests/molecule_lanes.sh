#!/usr/bin/env bash
# Runs `molecule test` for every scenario under molecule/, in two lanes at
# once: the aio scenario (the longest) in one, the others one after another in
# the second. A converge or verify keeps about one of the machine's two cores
# busy (it mostly waits on SSH, apt, services and guests), so two test clouds
# side by side take far less than one after the other. The test-cloud tool
# serializes what the clouds share (slots, images, package cache).
# Each line is prefixed with its scenario's name. MOLECULE_LANES=1 runs all
# scenarios in one lane. Exits non-zero when any scenario failed.
#
# NIMBUS_VAGRANT_LANE=1 (in make test's environment) then runs `make
# vagrant-test` (the Vagrant cloud's five TCG VMs) in the lane that finishes
# first, at the lowest CPU priority (nice 19; the test gives the VMs its own
# priority), so the other lane's last scenario keeps its pace. Not by default:
# it adds 15-20 minutes past the first lane, over make test's 60-minute budget.
set -uo pipefail
cd "$(dirname "$0")/.." || exit

shopt -s nullglob
scenarios=()
for file in molecule/*/molecule.yml; do
  name=${file%/molecule.yml}
  scenarios+=("${name#molecule/}")
done
if [ ${#scenarios[@]} -eq 0 ]; then
  echo "WARNING: no Molecule scenario under molecule/" >&2
  exit 0
fi

failed=$(mktemp)
trap 'rm -rf "$failed" "$failed.vagrant"' EXIT

lane() {
  local scenario start
  for scenario in "$@"; do
    start=$(date +%s)
    echo "=== molecule test -s $scenario"
    if ! molecule test -s "$scenario" 2>&1 | sed -u "s/^/[$scenario] /"; then
      echo "$scenario" >> "$failed"
    fi
    echo "=== molecule test -s $scenario: $(( $(date +%s) - start )) s"
  done
}

# The first lane to call this runs the Vagrant test; the other returns.
vagrant_lane() {
  local start status
  [ "${NIMBUS_VAGRANT_LANE:-0}" = 1 ] && mkdir "$failed.vagrant" 2>/dev/null || return 0
  start=$(date +%s)
  echo "=== make vagrant-test (nice 19)"
  nice -n 19 make --no-print-directory vagrant-test 2>&1 | sed -u "s/^/[vagrant] /"
  status=${PIPESTATUS[0]}
  [ "$status" = 0 ] || echo "vagrant (make vagrant-test)" >> "$failed"
  echo "=== make vagrant-test: $(( $(date +%s) - start )) s"
}

if [ "${MOLECULE_LANES:-2}" = 1 ] || [[ ! " ${scenarios[*]} " =~ " aio " ]]; then
  lane "${scenarios[@]}"
  vagrant_lane
else
  others=()
  for scenario in "${scenarios[@]}"; do
    [ "$scenario" = aio ] || others+=("$scenario")
  done
  { lane aio; vagrant_lane; } &
  { lane "${others[@]}"; vagrant_lane; } &
  wait
fi

if [ -s "$failed" ]; then
  echo "FAILED: $(sort "$failed" | tr '\n' ' ')" >&2
  exit 1
fi

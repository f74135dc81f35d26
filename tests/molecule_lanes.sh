#!/usr/bin/env bash
# Runs `molecule test` for every scenario under molecule/, in two lanes at
# once: the aio scenario (the longest) in one, the others one after another in
# the second. A converge or verify keeps about one of the machine's two cores
# busy (it mostly waits on SSH, apt, services and guests), so two test clouds
# side by side take far less than one after the other. The test-cloud tool
# serializes what the clouds share (slots, images, package cache).
# Each line is prefixed with its scenario's name. MOLECULE_LANES=1 runs all
# scenarios in one lane. Exits non-zero when any scenario failed.
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
trap 'rm -f "$failed"' EXIT

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

if [ "${MOLECULE_LANES:-2}" = 1 ] || [[ ! " ${scenarios[*]} " =~ " aio " ]]; then
  lane "${scenarios[@]}"
else
  others=()
  for scenario in "${scenarios[@]}"; do
    [ "$scenario" = aio ] || others+=("$scenario")
  done
  lane aio &
  lane "${others[@]}" &
  wait
fi

if [ -s "$failed" ]; then
  echo "FAILED Molecule scenarios: $(sort "$failed" | tr '\n' ' ')" >&2
  exit 1
fi

#!/usr/bin/env bash
# Install the controller's system packages that bindep.txt lists (rsync, the ssh client) when any is
# missing: gamestack.aws.rsync_push runs rsync on the controller, and its unit tests run real pushes.
# bindep.txt is the one list, shared with execution environments (docs/awx.md).
# Usage: controller-packages.sh PATH-TO-BINDEP [LIST]; LIST defaults to bindep.txt (make lint passes
# tests/harness/bindep-lint.txt: shellcheck, for ansible-test's shellcheck sanity test, not shipped).
set -euo pipefail
bindep=${1:?usage: controller-packages.sh PATH-TO-BINDEP [LIST]}
list=${2:-bindep.txt}
cd "$(dirname "$0")/../.."
# bindep -b prints the missing packages of this platform, one a line, and exits 1 when there are any.
missing=$("$bindep" -b -f "$list" || true)
if [ -z "$missing" ]; then
  exit 0
fi
mapfile -t packages <<<"$missing"
echo "controller-packages: installing ${packages[*]}"
if [ "$(id -u)" != 0 ]; then
  echo "controller-packages: not root; install ${packages[*]} with the system's package manager" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}" >/dev/null
still=$("$bindep" -b -f "$list" || true)
if [ -n "$still" ]; then
  echo "controller-packages: still missing after the install: $still" >&2
  exit 1
fi

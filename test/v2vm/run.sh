#!/usr/bin/env bash
# Host side (root): runs the test suites in a fresh cgroup v2 + systemd VM.
#   test/v2vm/run.sh        (after 'V2VM_HOST_NODE=1 ../shared/v2vm/build.sh' once)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
v2vm=${V2VM:-$repo/../shared/v2vm}
[ -d "$repo/node_modules" ] || { echo "run 'npm install' on the host first (the VM has no network)" >&2; exit 2; }
exec "$v2vm/run.sh" -t "${V2VM_TIMEOUT:-1200}" "$repo" 'bash /mnt/host/test/v2vm/inside.sh'

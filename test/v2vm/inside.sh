#!/usr/bin/env bash
# Runs inside ../shared/v2vm (cgroup v2 + systemd, user alice): prepares the
# host like CI does and runs the unit and integration suites, the unprivileged
# half as alice from outside any delegated scope (so lxcdeck must pick
# systemd-run by itself).
set -euo pipefail
cp -a /mnt/host /root/src
cd /root/src
export PATH=/usr/local/bin:$PATH
echo "v2vm: node $(node --version), $(stat -fc %T /sys/fs/cgroup), systemd $(systemctl --version | head -1)"
scripts/prepare-host --no-install --user alice
# the VM kernel has AppArmor on but no apparmor_parser (no network to install
# it): root's generated profiles would fail every start, as doctor says
node bin/lxcdeck.js doctor | grep -i apparmor || true
if ! command -v apparmor_parser >/dev/null; then
  echo 'lxc.apparmor.profile = unconfined' >> /etc/lxc/default.conf
fi
setfacl -m u:alice:x /root
make -C native clean all >/dev/null
npx tsc -p tsconfig.json
LXCDECK_TEST_USER=alice CI=true npx vitest run test/unit test/integration test/e2e --reporter=verbose

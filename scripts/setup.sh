#!/usr/bin/env bash
# One idempotent set-up step for a fresh Debian 12 machine (as root): the OS packages promigrate needs,
# installed only when missing, then the npm dependencies (npm ci, which also builds through `prepare`).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pacemaker pacemaker-cli-utils corosync postgresql resource-agents resource-agents-paf libxml2-utils iproute2 nftables bzip2 pcs crmsh fence-agents)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages (${missing[*]}); run this as root" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The packages' services are not wanted on the host: the tests start their own daemons.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.promigrate-setup
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_hash" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

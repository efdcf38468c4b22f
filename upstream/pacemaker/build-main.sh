#!/bin/bash
# Builds Pacemaker's main branch with promigrate's series as it would be proposed upstream (patches-main/,
# applied with git am on the commit it was made on) and runs Pacemaker's whole scheduler regression suite
# on it. Main is not in ../shared/upstream: it needs a clone of ClusterLabs/pacemaker that has the base
# commit, so this runs where one was fetched, not in CI.
#
#   upstream/pacemaker/build-main.sh            build, then run cts/cts-scheduler
#   upstream/pacemaker/build-main.sh --build    build only
#
# PACEMAKER_MAIN_REPO: a clone of ClusterLabs/pacemaker (default: the tool library's fetched mirror)
# PROMIGRATE_PACEMAKER_MAIN_BUILD: where to build (default /var/tmp/promigrate-pacemaker-main)
set -euo pipefail

# The commit of ClusterLabs/pacemaker main the series was made on (2026-07-01, feature set 3.20.5).
base=0a519a6e6b
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=${PACEMAKER_MAIN_REPO:-/work/.mirror/ClusterLabs+pacemaker/repo}
tree=${PROMIGRATE_PACEMAKER_MAIN_BUILD:-/var/tmp/promigrate-pacemaker-main}

git -C "$repo" cat-file -e "$base^{commit}" 2>/dev/null \
  || { echo "build-main.sh: $repo has no commit $base (set PACEMAKER_MAIN_REPO to a clone of ClusterLabs/pacemaker)" >&2; exit 1; }

# shellcheck source=deps.sh
source "$here/deps.sh"
install_pacemaker_build_deps

rm -rf "$tree"
git clone -q --no-checkout "$repo" "$tree"
cd "$tree"
git checkout -q -b promoted-migration "$base"
git -c user.name=promigrate -c user.email=promigrate@users.noreply.example am -q --whitespace=nowarn "$here"/patches-main/*.patch
log=$tree/build.log
{
  ./autogen.sh
  ./configure --disable-fatal-warnings --with-cibsecrets
  make -j"$(nproc)" -C lib
  make -j"$(nproc)" -C tools crm_simulate
  make -C xml
} > "$log" 2>&1 || { tail -30 "$log" >&2; echo "build-main.sh: the build failed (log: $log)" >&2; exit 1; }
echo "$tree"
[ "${1:-}" = "--build" ] && exit 0
PCMK_schema_directory=$tree/xml ./cts/cts-scheduler

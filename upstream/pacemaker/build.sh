#!/bin/bash
# Builds Pacemaker 2.1.5 with promigrate's patch series (patches/, in order) into one directory:
# crm_simulate, pacemaker-schedulerd and Pacemaker's own scheduler regression suite (cts/cts-scheduler),
# and for the namespace cluster the shared libraries and pacemaker-controld (which reports the patched
# feature set at join). Configured as Debian's package is where its binaries need it (CIB secrets), so that
# Debian's daemons run on these libraries.
#
#   upstream/pacemaker/build.sh            build (again only when the tarball or a patch changed)
#   upstream/pacemaker/build.sh --print    print the build directory
#
# PACEMAKER_TARBALL: the 2.1.5 tarball (default: shared/upstream/pacemaker-2.1.5.tar.gz beside the checkout,
#   one of its parents, or the repository it was cloned from)
# PROMIGRATE_PACEMAKER_BUILD: where to build (default /var/tmp/promigrate-pacemaker)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checkout=$(cd "$here/../.." && pwd)

# The tarball: PACEMAKER_TARBALL, else shared/upstream beside the checkout or beside one of its parent
# directories, else beside the repository the checkout was cloned from (a CI clone elsewhere).
find_tarball() {
  local dir=$checkout origin
  while [ "$dir" != "/" ]; do
    dir=$(dirname "$dir")
    [ -f "$dir/shared/upstream/pacemaker-2.1.5.tar.gz" ] && { echo "$dir/shared/upstream/pacemaker-2.1.5.tar.gz"; return; }
  done
  origin=$(git -C "$checkout" config --get remote.origin.url 2>/dev/null || true)
  if [ -n "$origin" ] && [ -d "$origin" ]; then
    dir=$(cd "$origin/.." && pwd)
    [ -f "$dir/shared/upstream/pacemaker-2.1.5.tar.gz" ] && { echo "$dir/shared/upstream/pacemaker-2.1.5.tar.gz"; return; }
  fi
  echo "$(dirname "$checkout")/shared/upstream/pacemaker-2.1.5.tar.gz"
}
tarball=${PACEMAKER_TARBALL:-$(find_tarball)}
build=${PROMIGRATE_PACEMAKER_BUILD:-/var/tmp/promigrate-pacemaker}
tree=$build/pacemaker-2.1.5

if [ "${1:-}" = "--print" ]; then
  echo "$tree"
  exit 0
fi
[ -f "$tarball" ] || { echo "build.sh: no Pacemaker tarball at $tarball (set PACEMAKER_TARBALL)" >&2; exit 1; }

# shellcheck source=deps.sh
source "$here/deps.sh"
install_pacemaker_build_deps

# What this build is made of: the tarball and every patch. Unchanged: nothing to do.
stamp=$( (sha256sum "$tarball" | cut -d' ' -f1; cat "$here"/patches/*.patch "${BASH_SOURCE[0]}" "$here/deps.sh") | sha256sum | cut -d' ' -f1)
if [ -f "$build/stamp" ] && [ "$(cat "$build/stamp")" = "$stamp" ] && [ -x "$tree/tools/crm_simulate" ]; then
  echo "$tree"
  exit 0
fi

rm -rf "$build"
mkdir -p "$build"
tar xzf "$tarball" -C "$build"
cd "$tree"
for patch in "$here"/patches/*.patch; do
  patch -p1 --quiet --forward < "$patch"
done
{
  ./autogen.sh
  ./configure --disable-fatal-warnings --with-cibsecrets
  make -j"$(nproc)" -C lib
  make -j"$(nproc)" -C tools crm_simulate
  make -j"$(nproc)" -C daemons/schedulerd
  make -j"$(nproc)" -C daemons/controld
  make -C xml
} > "$build/build.log" 2>&1 || { tail -30 "$build/build.log" >&2; echo "build.sh: the build failed (log: $build/build.log)" >&2; exit 1; }
echo "$stamp" > "$build/stamp"
echo "$tree"

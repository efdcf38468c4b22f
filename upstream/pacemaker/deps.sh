# Pacemaker's build dependencies (Debian 12 names), installed only when missing. Sourced by build.sh and
# build-main.sh.
pacemaker_build_deps=(autoconf automake autopoint libtool libltdl-dev pkg-config gettext libglib2.0-dev
  libxml2-dev libxslt1-dev libbz2-dev uuid-dev libqb-dev libgnutls28-dev libncurses-dev libpam0g-dev
  libdbus-1-dev libcpg-dev libcfg-dev libcmap-dev libquorum-dev libcorosync-common-dev make gcc patch git)

install_pacemaker_build_deps() {
  local dep missing=()
  for dep in "${pacemaker_build_deps[@]}"; do
    dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'install ok installed' || missing+=("$dep")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

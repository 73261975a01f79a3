# shellcheck shell=sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# Debian 12 packages the project needs; sourced by build-aux/run and
# build-aux/test. Installs what is missing when run as root, otherwise
# prints the one command to run.

I2A_BUILD_PKGS="gcc pkg-config meson ninja-build libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin
 libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libsecret-1-dev libsqlite3-dev gettext
 desktop-file-utils appstream"
I2A_RUN_PKGS="gnome-keyring dbus-user-session xdg-utils"
# The libFuzzer targets (build-aux/fuzz): Debian's clang and its runtimes.
I2A_FUZZ_PKGS="clang libclang-rt-14-dev"
I2A_TEST_PKGS="xvfb xauth dbus gnome-keyring libsecret-tools curl flatpak-builder
 imagemagick fonts-wqy-microhei"
# bench/run: load generator, nginx as the reference proxy, perf for profiles.
I2A_BENCH_PKGS="hey nginx curl python3 iproute2 procps util-linux linux-perf"

# The OpenAI SDK end-to-end test needs node and npm; Debian's packages only
# when no other Node.js is installed (e.g. NodeSource's bundles npm).
i2a_node_pkgs () {
  command -v node >/dev/null 2>&1 || printf ' nodejs'
  command -v npm >/dev/null 2>&1 || printf ' npm'
}

i2a_install_packages () {
  missing=""
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $p"
    fi
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages:$missing" >&2
    apt-get update -q >&2 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 || return 1
  else
    echo "Missing Debian packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
    return 1
  fi
}

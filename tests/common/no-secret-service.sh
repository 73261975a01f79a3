#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# Runs "$@" on a private session bus without service activation, so nothing
# can provide org.freedesktop.secrets (no gnome-keyring is spawned).
set -eu

# A TAP test without its bus or keyring is skipped, loudly.
for p in dbus-run-session; do
  command -v "$p" >/dev/null 2>&1 ||
    { echo "1..0 # SKIP $p not installed (build-aux/deps.sh installs it)"; exit 0; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/i2a-nosecrets-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=$tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

unset SECRET_BACKEND
dbus-run-session --config-file="$tmp/session.conf" -- "$@"

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# Runs "$@" on a private session bus with a real, unlocked gnome-keyring
# (Secret Service), in a throw-away HOME so the user's keyrings are never
# touched. Used by the 'keyring' test suite.
set -eu

# A TAP test without its bus or keyring is skipped, loudly.
for p in dbus-run-session gnome-keyring-daemon; do
  command -v "$p" >/dev/null 2>&1 ||
    { echo "1..0 # SKIP $p not installed (build-aux/deps.sh installs it)"; exit 0; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/i2a-keyring-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/home" "$tmp/run"
chmod 700 "$tmp/run"

# The runtime dir must exist before the bus starts, or gnome-keyring has
# nowhere to put its control socket.
HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/home/.local/share" \
XDG_CONFIG_HOME="$tmp/home/.config" \
  dbus-run-session -- sh -c '
    # Not under test: its own harmless warnings must not abort it when the
    # test sets G_DEBUG=fatal-warnings.
    echo -n i2a-test-password | env -u G_DEBUG gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"' sh "$@"

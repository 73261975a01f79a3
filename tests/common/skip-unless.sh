#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# usage: skip-unless.sh [--tap] PROGRAM... -- COMMAND [ARG...]
# Runs COMMAND when every PROGRAM is on PATH. Otherwise the test is
# reported as skipped, with the missing programs named: a TAP plan of no
# tests with the reason (--tap), or exit status 77 with the reason on
# stdout. So a missing tool never drops a test silently; build-aux/deps.sh
# installs every one of them.
set -u
tap=false
if [ "${1-}" = --tap ]; then
  tap=true
  shift
fi
missing=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  command -v "$1" >/dev/null 2>&1 || missing="$missing $1"
  shift
done
[ $# -gt 0 ] && shift
if [ -n "$missing" ]; then
  reason="not installed:$missing (build-aux/deps.sh installs it)"
  if $tap; then
    echo "1..0 # SKIP $reason"
    exit 0
  fi
  echo "SKIP: $reason"
  exit 77
fi
exec "$@"

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# Run one libFuzzer target for a while over its seed corpus.
#   run-fuzzer.sh EXE SEED_DIR DICT WORK_DIR SECONDS [libFuzzer options...]
# New inputs go to WORK_DIR/corpus (the seeds in the tree stay as they
# are), a crashing input to WORK_DIR/crash-*. Exit status: libFuzzer's
# (0 = no crash, leak, timeout or sanitizer report).
set -u
exe=$1 seeds=$2 dict=$3 work=$4 seconds=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/corpus"
# LSan reads one suppressions file: the project's and the fuzzers' own.
cat "$here/../../build-aux/lsan.supp" "$here/lsan.supp" > "$work/lsan.supp"

case $(basename "$exe") in
  fuzz-http)
    per_input=30 ;;   # the harness's own bounds stay well below
  fuzz-messages|fuzz-responses-*)
    per_input=10
    # json-glib's surrogate leak (lsan.supp) sits deeper below its entry
    # point when a translator parses an upstream event.
    context=30 ;;
  *) per_input=10 ;;
esac
export I2A_FUZZ_KNOWN_CRITICAL

# Leak checking needs the slow unwinder: the system libraries have no frame
# pointers, and without their frames a leak inside json-glib (see
# lsan.supp) looks like one of ours. It costs up to 15x in speed, so long
# campaigns may set I2A_FUZZ_FAST=1: crashes and sanitizer reports only.
if [ "${I2A_FUZZ_FAST:-0}" = 1 ]; then
  leaks="detect_leaks=0"
  set -- -detect_leaks=0 "$@"
else
  leaks="detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=${context:-12}"
fi

ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}$leaks:strict_string_checks=1:allocator_may_return_null=1" \
LSAN_OPTIONS="suppressions=$work/lsan.supp:print_suppressions=0" \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
G_SLICE=always-malloc \
GIO_USE_VFS=local \
GSETTINGS_BACKEND=memory \
LC_ALL=C.UTF-8 \
  "$exe" -max_total_time="$seconds" -timeout="$per_input" -rss_limit_mb=2048 \
    -dict="$dict" -artifact_prefix="$work/" -print_final_stats=1 \
    "$@" "$work/corpus" "$seeds"
rc=$?
if [ $rc -ne 0 ]; then
  echo "run-fuzzer.sh: $(basename "$exe") failed (exit $rc); reproduce with:" >&2
  for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -e "$f" ] && echo "  $exe $f" >&2
  done
fi
# 77, libFuzzer's default error exit, would read as "skipped" to meson.
[ $rc -ne 0 ] && exit 1
exit 0

# shellcheck shell=sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# What the end-to-end scripts with a real client CLI share. Source it after
# setting bin (iflow2api) and fake (fake-iflow); it makes $tmp (removed on
# exit with the processes it started) and offers:
#   e2e_npm_pinned CACHE PACKAGE VERSION BIN FIELD
#       the package at VERSION in CACHE/node_modules unless BIN --version
#       already says VERSION in its FIELD-th word; skips (77) without npm,
#       when the install fails or when BIN does not run here;
#   e2e_start_fake KEY     the fake upstream knowing KEY (sets fake_url);
#   e2e_start_proxy        iflow2api --headless --verbose on a free port,
#       HOME=$tmp/home, keys.json $tmp/keys.json, log $tmp/proxy.log
#       (sets base .../v1, root and port);
#   e2e_stop_proxy; fail MESSAGE (prints the end of the proxy's log).

tmp=$(mktemp -d)
fake_pid= proxy_pid=
e2e_stop_proxy () { [ -n "$proxy_pid" ] && kill $proxy_pid 2>/dev/null; wait $proxy_pid 2>/dev/null; proxy_pid=; }
e2e_cleanup () { e2e_stop_proxy; [ -n "$fake_pid" ] && kill $fake_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap e2e_cleanup EXIT INT TERM
fail () { echo "FAIL: $*"; echo "--- proxy log"; tail -n 40 "$tmp/proxy.log"; exit 1; }

e2e_npm_pinned () {
  command -v npm >/dev/null 2>&1 || { echo "npm not installed: skipping"; exit 77; }
  if [ "$("$4" --version 2>/dev/null | cut -d' ' -f"$5")" != "$3" ]; then
    mkdir -p "$1"
    npm install --prefix "$1" --no-audit --no-fund --no-save --silent "$2@$3" >&2 ||
      { echo "npm install $2 failed: skipping"; exit 77; }
  fi
  "$4" --version >/dev/null 2>&1 || { echo "$(basename "$4") does not run here: skipping"; exit 77; }
}

e2e_start_fake () {
  "$fake" --key "$1" --events 4 > "$tmp/fake.url" &
  fake_pid=$!
  for _ in $(seq 50); do [ -s "$tmp/fake.url" ] && break; sleep 0.1; done
  fake_url=$(cat "$tmp/fake.url")
}

e2e_start_proxy () {
  : > "$tmp/proxy.log"
  HOME="$tmp/home" IFLOW2API_KEYS_PATH="$tmp/keys.json" "$bin" --headless --port 0 --verbose > "$tmp/proxy.log" 2>&1 &
  proxy_pid=$!
  base=""
  for _ in $(seq 100); do
    base=$(sed -n 's/.*Listening on \(http:[^ ]*\).*/\1/p' "$tmp/proxy.log" | head -n1)
    [ -n "$base" ] && break
    sleep 0.1
  done
  [ -n "$base" ] || fail "proxy did not start"
  root=${base%/v1}
  port=${root##*:}
}

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# End to end with a real client: the official `openai` npm package talks to
# iflow2api, which talks to the fake iFlow upstream. Skips (77) when node or
# the npm registry is not available.
# usage: openai-sdk.sh IFLOW2API FAKE_IFLOW SCRIPT CACHE_DIR
set -u
bin=$1 fake=$2 script=$3 cache=$4

command -v node >/dev/null 2>&1 || { echo "node not installed: skipping"; exit 77; }
command -v npm >/dev/null 2>&1 || { echo "npm not installed: skipping"; exit 77; }
if [ ! -f "$cache/node_modules/openai/package.json" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --no-save --silent openai@4 >&2 ||
    { echo "npm install openai failed: skipping"; exit 77; }
fi

tmp=$(mktemp -d)
cleanup () { kill $fake_pid $proxy_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

key=sk-0123456789abcdef0123456789abcdef
"$fake" --key "$key" --events 4 > "$tmp/fake.url" &
fake_pid=$!
for _ in $(seq 50); do [ -s "$tmp/fake.url" ] && break; sleep 0.1; done
mkdir -p "$tmp/home/.iflow"
printf '{"apiKey":"%s","baseUrl":"%s"}' "$key" "$(cat "$tmp/fake.url")" > "$tmp/home/.iflow/settings.json"

HOME="$tmp/home" IFLOW2API_KEYS_PATH="$tmp/none.json" "$bin" --headless --port 0 2> "$tmp/proxy.log" &
proxy_pid=$!
base=""
for _ in $(seq 100); do
  base=$(sed -n 's/.*Listening on \(http:[^ ]*\).*/\1/p' "$tmp/proxy.log" | head -n1)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "proxy did not start"; cat "$tmp/proxy.log"; exit 1; }

NODE_PATH="$cache/node_modules" node "$script" "$base"

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# End to end with the official Anthropic client: `@anthropic-ai/sdk` talks
# to iflow2api's /v1/messages, which talks to the fake iFlow upstream.
# Client auth is required (keys.json), so x-api-key and Bearer are both
# exercised. Skips (77) when node or the npm registry is not available.
# usage: anthropic-sdk.sh IFLOW2API FAKE_IFLOW SCRIPT CACHE_DIR
set -u
bin=$1 fake=$2 script=$3 cache=$4
sdk_version=1.16.0

command -v node >/dev/null 2>&1 || { echo "node not installed: skipping"; exit 77; }
command -v npm >/dev/null 2>&1 || { echo "npm not installed: skipping"; exit 77; }
if [ "$(node -p "require('$cache/node_modules/@anthropic-ai/sdk/package.json').version" 2>/dev/null)" != "$sdk_version" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --no-save --silent "@anthropic-ai/sdk@$sdk_version" >&2 ||
    { echo "npm install @anthropic-ai/sdk failed: skipping"; exit 77; }
fi

tmp=$(mktemp -d)
fake_pid= proxy_pid=
cleanup () { [ -n "$fake_pid" ] && kill $fake_pid 2>/dev/null; [ -n "$proxy_pid" ] && kill $proxy_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

key=sk-0123456789abcdef0123456789abcdef
client=sk-client-0123456789abcdef
"$fake" --key "$key" --events 4 > "$tmp/fake.url" &
fake_pid=$!
for _ in $(seq 50); do [ -s "$tmp/fake.url" ] && break; sleep 0.1; done
mkdir -p "$tmp/home/.iflow"
cat > "$tmp/keys.json" <<JSON
{
  "auth": { "enabled": true, "required": true },
  "accounts": { "acc1": { "api_key": "$key", "base_url": "$(cat "$tmp/fake.url")" } },
  "keys": { "$client": { "account": "acc1" } },
  "default": { "account": "acc1" }
}
JSON
chmod 600 "$tmp/keys.json"

HOME="$tmp/home" IFLOW2API_KEYS_PATH="$tmp/keys.json" "$bin" --headless --port 0 2> "$tmp/proxy.log" &
proxy_pid=$!
base=""
for _ in $(seq 100); do
  base=$(sed -n 's/.*Listening on \(http:[^ ]*\).*/\1/p' "$tmp/proxy.log" | head -n1)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "proxy did not start"; cat "$tmp/proxy.log"; exit 1; }

# The SDK's base URL is the server root (it appends /v1/messages).
NODE_PATH="$cache/node_modules" node "$script" "${base%/v1}" "$client"

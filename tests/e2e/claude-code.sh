#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# End to end with the real Claude Code CLI (`claude -p`, pinned, installed
# from npm into the build dir): a plain turn, an agentic turn (the fake
# upstream asks for Bash, Claude Code runs it, the fake answers with the
# command's output), and a turn after `iflow2api claude-code --apply` with
# no ANTHROPIC_* variables at all. Client auth is required, so Claude
# Code's bearer token must be a client key. Skips (77) without npm.
# usage: claude-code.sh IFLOW2API FAKE_IFLOW CACHE_DIR
set -u
bin=$1 fake=$2 cache=$3
version=2.1.332
claude=$cache/node_modules/.bin/claude
. "$(dirname "$0")/e2e-lib.sh"
e2e_npm_pinned "$cache" @anthropic-ai/claude-code "$version" "$claude" 1

key=sk-0123456789abcdef0123456789abcdef
client=sk-client-cc-0123456789abcdef
e2e_start_fake "$key"
mkdir -p "$tmp/home" "$tmp/work"
cat > "$tmp/keys.json" <<JSON
{
  "auth": { "enabled": true, "required": true },
  "accounts": { "acc1": { "api_key": "$key", "base_url": "$fake_url" } },
  "keys": { "$client": { "account": "acc1" } },
  "default": { "account": "acc1" }
}
JSON
chmod 600 "$tmp/keys.json"

e2e_start_proxy

# Claude Code with nothing of the caller's environment but PATH.
run_claude () {
  (cd "$tmp/work" && env -i PATH="$PATH" HOME="$tmp/home" TERM=dumb "$@" timeout 180 "$claude" -p "$prompt" $extra) \
    > "$tmp/out.txt" 2> "$tmp/err.txt"
}

# 1. A plain streaming turn, configured by environment variables.
prompt="Say hello" extra=""
run_claude ANTHROPIC_BASE_URL="$root" ANTHROPIC_AUTH_TOKEN="$client" ANTHROPIC_MODEL=glm-4.7 \
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 || { cat "$tmp/err.txt"; fail "claude -p exited with $?"; }
grep -q "token-0token-1token-2token-3" "$tmp/out.txt" || { cat "$tmp/out.txt" "$tmp/err.txt"; fail "plain turn: no answer"; }
echo "ok 1 plain turn"

# 2. The agentic turn: the shell computes the marker, so it only appears
# if Claude Code really ran the tool and sent its result back.
prompt='fake:tool Bash {"command":"echo agentic-$((6*7))","description":"Print a marker"}'
extra="--allowedTools Bash"
run_claude ANTHROPIC_BASE_URL="$root" ANTHROPIC_AUTH_TOKEN="$client" ANTHROPIC_MODEL=glm-4.7 \
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 || { cat "$tmp/err.txt"; fail "agentic claude -p exited with $?"; }
grep -q "Tool said: .*agentic-42" "$tmp/out.txt" || { cat "$tmp/out.txt" "$tmp/err.txt"; fail "agentic turn: tool result not used"; }
echo "ok 2 agentic turn (Bash ran, its output came back)"

# 3. After `iflow2api claude-code --apply`: no ANTHROPIC_* at all.
HOME="$tmp/home" "$bin" claude-code --apply --port "$port" --keys "$tmp/keys.json" --model glm-4.7 \
  > "$tmp/apply.txt" 2>&1 || { cat "$tmp/apply.txt"; fail "claude-code --apply"; }
grep -q "\"ANTHROPIC_AUTH_TOKEN\": \"$client\"" "$tmp/home/.claude/settings.json" || fail "settings.json lacks the client key"
prompt="Say hello" extra=""
run_claude || { cat "$tmp/err.txt"; fail "claude -p after --apply exited with $?"; }
grep -q "token-0token-1token-2token-3" "$tmp/out.txt" || { cat "$tmp/out.txt" "$tmp/err.txt"; fail "after --apply: no answer"; }
echo "ok 3 configured by iflow2api claude-code --apply"

# Every Messages request Claude Code made was answered without an error.
grep -q "POST /v1/messages -> 200" "$tmp/proxy.log" || fail "no /v1/messages request seen"
if grep -E "(/v1/messages|/v1/messages/count_tokens) -> [45]" "$tmp/proxy.log"; then fail "an error answer"; fi
echo "ok: Claude Code $version through iflow2api"

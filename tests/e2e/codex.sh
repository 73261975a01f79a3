#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors
#
# End to end with the real Codex CLI (`codex exec`, pinned, installed from
# npm into the build dir), CODEX_HOME and HOME in a temp dir:
#  1. `iflow2api codex --apply` writes the profile (client auth on: the
#     client key as bearer token), then a plain turn with --profile;
#  2. an agentic turn: the fake upstream asks for exec_command, Codex runs
#     it and the fake answers with the command's output;
#  3. Codex's own catalogue parser accepts GET /v1/models?client_version=;
#  4. with client auth off, a profile without any key works too;
#  5. a model of Codex's own catalogue (with its freeform apply_patch
#     tool) goes through the pool's alias table.
# Codex's config.toml is never written. Skips (77) without npm.
# usage: codex.sh IFLOW2API FAKE_IFLOW CACHE_DIR
set -u
bin=$1 fake=$2 cache=$3
version=0.171.0
codex=$cache/node_modules/.bin/codex
. "$(dirname "$0")/e2e-lib.sh"
e2e_npm_pinned "$cache" @openai/codex "$version" "$codex" 2

key=sk-0123456789abcdef0123456789abcdef
client=sk-client-codex-0123456789abcdef
e2e_start_fake "$key"
mkdir -p "$tmp/home/.codex" "$tmp/work"
printf 'model = "o3"\n' > "$tmp/home/.codex/config.toml"

# keys.json with client auth $1 (true/false).
write_keys () {
  cat > "$tmp/keys.json" <<JSON
{
  "auth": { "enabled": $1, "required": $1 },
  "accounts": { "acc1": { "api_key": "$key", "base_url": "$fake_url" } },
  "keys": { "$client": { "account": "acc1" } },
  "default": { "account": "acc1" },
  "aliases": { "gpt-5.5": "glm-4.7" }
}
JSON
  chmod 600 "$tmp/keys.json"
}

# Codex with nothing of the caller's environment but PATH; its sandbox
# helper cannot be set up in a temp dir, so commands run unsandboxed.
run_codex () {
  (cd "$tmp/work" && env -i PATH="$PATH" HOME="$tmp/home" CODEX_HOME="$tmp/home/.codex" TERM=dumb \
     timeout 180 "$codex" exec --profile iflow2api --skip-git-repo-check -s danger-full-access "$prompt") \
    > "$tmp/out.txt" 2> "$tmp/err.txt"
}

apply () {
  HOME="$tmp/home" CODEX_HOME="$tmp/home/.codex" "$bin" codex --apply --port "$port" --keys "$tmp/keys.json" \
    --model glm-4.7 > "$tmp/apply.txt" 2>&1 || { cat "$tmp/apply.txt"; fail "codex --apply"; }
}

# 1. The profile from `iflow2api codex --apply`, with the client key.
write_keys true
e2e_start_proxy
apply
profile="$tmp/home/.codex/iflow2api.config.toml"
grep -q "experimental_bearer_token = \"$client\"" "$profile" || fail "the profile lacks the client key"
grep -q 'wire_api = "responses"' "$profile" || fail "the profile lacks wire_api"
[ "$(cat "$tmp/home/.codex/config.toml")" = 'model = "o3"' ] || fail "config.toml was changed"
prompt="Say hello"
run_codex || { cat "$tmp/err.txt"; fail "codex exec exited with $?"; }
grep -q "token-0token-1token-2token-3" "$tmp/out.txt" || { cat "$tmp/out.txt" "$tmp/err.txt"; fail "plain turn: no answer"; }
echo "ok 1 plain turn with the profile from iflow2api codex --apply"

# 2. The agentic turn: the shell computes the marker, so it only appears
# if Codex really ran exec_command and sent its output back.
prompt='fake:tool exec_command {"cmd":"echo codex-$((6*7))"}'
run_codex || { cat "$tmp/err.txt"; fail "agentic codex exec exited with $?"; }
grep -q "Tool said: .*" "$tmp/out.txt" && grep -q "codex-42" "$tmp/out.txt" ||
  { cat "$tmp/out.txt" "$tmp/err.txt"; fail "agentic turn: exec_command output not used"; }
echo "ok 2 agentic turn (exec_command ran, its output came back)"

# 3. Codex's catalogue parser takes the shape served for its model picker.
node -e "
  fetch(process.argv[1] + '/models?client_version=$version', { headers: { authorization: 'Bearer $client' } })
    .then((r) => r.text()).then((t) => require('fs').writeFileSync(process.argv[2], t));
" "$base" "$tmp/catalog.json" || fail "cannot fetch the catalogue"
env -i PATH="$PATH" HOME="$tmp/home" CODEX_HOME="$tmp/home/.codex" "$codex" debug models \
  -c "model_catalog_json=\"$tmp/catalog.json\"" > "$tmp/models.json" 2> "$tmp/err.txt" ||
  { cat "$tmp/err.txt"; fail "codex rejects the served catalogue"; }
grep -q '"slug":"glm-4.7"' "$tmp/models.json" || grep -q '"slug": "glm-4.7"' "$tmp/models.json" ||
  fail "glm-4.7 not in Codex's catalogue"
echo "ok 3 Codex parses GET /v1/models?client_version="

# 4. Client auth off: the profile holds no key and needs no variable.
e2e_stop_proxy
write_keys false
e2e_start_proxy
apply
grep -q "bearer" "$profile" && fail "a key in the profile although client auth is off"
prompt="Say hello"
run_codex || { cat "$tmp/err.txt"; fail "codex exec (auth off) exited with $?"; }
grep -q "token-0token-1token-2token-3" "$tmp/out.txt" || { cat "$tmp/out.txt" "$tmp/err.txt"; fail "auth off: no answer"; }
echo "ok 4 client auth off: no key in the profile"

# 5. Codex's own model name, renamed by the alias in keys.json.
(cd "$tmp/work" && env -i PATH="$PATH" HOME="$tmp/home" CODEX_HOME="$tmp/home/.codex" TERM=dumb \
   timeout 180 "$codex" exec --profile iflow2api -m gpt-5.5 --skip-git-repo-check "Say hello") \
  > "$tmp/out.txt" 2> "$tmp/err.txt" || { cat "$tmp/err.txt"; fail "codex exec -m gpt-5.5 exited with $?"; }
grep -q "token-0token-1token-2token-3" "$tmp/out.txt" || { cat "$tmp/out.txt" "$tmp/err.txt"; fail "alias: no answer"; }
grep -q "Asking the upstream for glm-4.7 instead of gpt-5.5" "$tmp/proxy.log" || fail "the alias did not reach the upstream"
echo "ok 5 gpt-5.5 -> glm-4.7 through the alias table"

# No Responses request Codex made was refused. (Codex closes the
# connection as soon as it has read response.completed, so libsoup may log
# a finished stream as 500 when the last chunk's terminator finds the
# socket closed: the turns above prove the answers arrived.)
grep -q "POST /v1/responses -> " "$tmp/proxy.log" || fail "no /v1/responses request seen"
if grep -E "/v1/responses -> 4" "$tmp/proxy.log"; then fail "a request was refused"; fi
echo "ok: Codex $version through iflow2api"

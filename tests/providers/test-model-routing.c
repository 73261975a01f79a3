/* test-model-routing.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Model-aware routing over three OpenAI-compatible accounts serving
 * different models, the 404 naming the closest models, alias precedence
 * (exact, then the longest "prefix*"), a fallback chain when every account
 * of the first model answers 429, and a sticky session that stays on its
 * account and moves when that account's circuit opens. */
#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-routing.h"
#include "pool-test-env.h"

#define OPENAI(key) "{\"provider\": \"openai\", \"api_key\": \"" key "\", \"base_url\": \"@BASE@\"}"
#define THREE "\"accounts\": {\"acc1\": " OPENAI (KEY_1) ", \"acc2\": " OPENAI (KEY_2) ", \"acc3\": " OPENAI (KEY_3) "}"

static Env *
routing_env (const char       *extra,
             const char *const m1[],
             const char *const m2[],
             const char *const m3[])
{
  g_autofree char *json = g_strdup_printf ("{" THREE "%s}", extra ? extra : "");
  Env *e = env_new (json);

  i2a_fake_iflow_set_require_signature (e->fake, FALSE);
  i2a_account_set_models (account (e, "acc1"), m1, 1);
  i2a_account_set_models (account (e, "acc2"), m2, 1);
  i2a_account_set_models (account (e, "acc3"), m3, 1);
  return e;
}

static I2aTestResponse *
chat_model (Env        *e,
            const char *model,
            const char *content,
            const char *session)
{
  g_autofree char *url = g_strconcat (e->base, "/v1/chat/completions", NULL);
  g_autofree char *body = i2a_test_chat_body (model, content, FALSE);
  if (session == NULL)
    return i2a_test_request (e->client, "POST", url, NULL, "application/json", body, 0, 0);
  {
    /* With the session header Claude Code sends. */
    g_autofree char *with = g_strdup_printf ("{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}],"
                                             "\"prompt_cache_key\":\"%s\"}", model, content, session);
    return i2a_test_request (e->client, "POST", url, NULL, "application/json", with, 0, 0);
  }
}

static const char *
answered (I2aTestResponse *r)
{
  return soup_message_headers_get_one (r->headers, "x-iflow2api-model");
}

static char *
body_model (I2aTestResponse *r)
{
  g_autoptr(JsonObject) obj = i2a_test_response_json (r);

  return g_strdup (json_object_get_string_member (obj, "model"));
}

static void
test_routing_by_model (void)
{
  static const char *const m1[] = { "alpha-chat", NULL };
  static const char *const m2[] = { "beta-chat", "beta-coder", NULL };
  static const char *const m3[] = { "gamma-chat", NULL };
  Env *e = routing_env (NULL, m1, m2, m3);

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(I2aTestResponse) b = chat_model (e, "beta-coder", "hi", NULL);
      g_autoptr(I2aTestResponse) g = NULL;

      g_assert_cmpuint (b->status, ==, 200);
      g_assert_cmpstr (last_key (e), ==, KEY_2);
      g_assert_cmpstr (answered (b), ==, "beta-coder");
      g = chat_model (e, "Gamma-Chat", "hi", NULL);
      g_assert_cmpuint (g->status, ==, 200);
      g_assert_cmpstr (last_key (e), ==, KEY_3);
    }
  {
    g_autoptr(I2aTestResponse) r = chat_model (e, "beta-cod", "hi", NULL);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 404);

    g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "model_not_found");
    g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "“beta-coder”"));
  }
  /* An account whose list is unknown accepts any model. */
  i2a_account_set_models (account (e, "acc1"), NULL, 0);
  {
    g_autoptr(I2aTestResponse) r = chat_model (e, "beta-cod", "hi", NULL);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (last_key (e), ==, KEY_1);
  }
  env_free (e);
}

static void
test_alias_precedence (void)
{
  static const char *const m1[] = { "alpha-chat", NULL };
  static const char *const m2[] = { "beta-chat", NULL };
  static const char *const m3[] = { "gamma-chat", NULL };
  Env *e = routing_env (", \"aliases\": {\"claude-*\": \"alpha-chat\", \"claude-3-*\": \"beta-chat\","
                        " \"claude-3-opus\": \"gamma-chat\"}", m1, m2, m3);
  const struct { const char *asked, *key, *sent; } cases[] = {
    { "claude-3-opus", KEY_3, "gamma-chat" },     /* exact wins */
    { "claude-3-haiku", KEY_2, "beta-chat" },     /* longest prefix */
    { "claude-sonnet-4", KEY_1, "alpha-chat" },   /* shorter prefix */
    { "beta-chat", KEY_2, "beta-chat" },          /* no alias */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(I2aTestResponse) r = chat_model (e, cases[i].asked, "hi", NULL);
      g_autofree char *model = NULL;

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (last_key (e), ==, cases[i].key);
      g_assert_cmpstr (i2a_fake_iflow_get_last_request (e->fake)->model, ==, cases[i].sent);
      /* The client sees its own name; the header names the model. */
      model = body_model (r);
      g_assert_cmpstr (model, ==, cases[i].asked);
      g_assert_cmpstr (answered (r), ==, cases[i].sent);
    }
  env_free (e);
}

static void
test_fallback_on_429 (void)
{
  static const char *const first[] = { "big-model", NULL };
  static const char *const second[] = { "small-model", NULL };
  Env *e = routing_env (", \"fallbacks\": {\"big-model\": [\"small-model\"]}", first, first, second);
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(JsonNode) debug = NULL;
  JsonObject *fallbacks;
  g_autofree char *model = NULL;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 429");
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_2, "fake:http 429");
  r = chat_model (e, "big-model", "hi", NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (last_key (e), ==, KEY_3);
  g_assert_cmpuint (seen (e, KEY_1), ==, 1);
  g_assert_cmpuint (seen (e, KEY_2), ==, 1);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (e->fake)->model, ==, "small-model");
  g_assert_cmpstr (answered (r), ==, "small-model");
  model = body_model (r);
  g_assert_cmpstr (model, ==, "big-model");

  debug = i2a_debug_endpoint_build (e->pool);
  fallbacks = json_object_get_object_member (json_node_get_object (debug), "fallbacks");
  g_assert_cmpint (json_object_get_int_member (fallbacks, "big-model -> small-model"), ==, 1);

  /* Without a chain the 429 reaches the client. */
  {
    g_autoptr(I2aTestResponse) none = chat_model (e, "small-model", "fake:http 429", NULL);

    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (none, 429);

    g_assert_nonnull (err);
  }
  env_free (e);
}

static void
test_sticky_session (void)
{
  Env *e = routing_env (", \"resilience\": {\"failure_threshold\": 1, \"cool_down_seconds\": 60}", NULL, NULL,
                        NULL);
  const char *first;
  const char *first_key, *other_key;
  g_autoptr(JsonNode) debug = NULL;
  JsonObject *sticky;

  i2a_account_set_enabled (account (e, "acc3"), FALSE);
  {
    g_autoptr(I2aTestResponse) r = chat_model (e, "any", "hi", "conv-1");

    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    gboolean one = g_str_equal (last_key (e), KEY_1);

    first_key = one ? KEY_1 : KEY_2;
    other_key = one ? KEY_2 : KEY_1;
    first = one ? "acc1" : "acc2";
  }
  /* Without stickiness least_busy would alternate; the session stays. */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(I2aTestResponse) r = chat_model (e, "any", "hi", "conv-1");

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (last_key (e), ==, first_key);
    }
  g_assert_cmpuint (i2a_pool_sticky_count (e->pool, first), ==, 1);

  /* Its account fails and its circuit opens: the session moves, and stays
   * on the new account. */
  i2a_fake_iflow_set_key_scenario (e->fake, first_key, "fake:http 500");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(I2aTestResponse) r = chat_model (e, "any", "hi", "conv-1");

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (last_key (e), ==, other_key);
    }
  {
    g_autoptr(JsonObject) dbg = debug_account (e, first);

    g_assert_true (json_object_get_boolean_member (dbg, "circuit_open"));
  }
  debug = i2a_debug_endpoint_build (e->pool);
  sticky = json_object_get_object_member (json_node_get_object (debug), "sticky");
  g_assert_cmpint (json_object_get_int_member (sticky, "sessions"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (sticky, "moves"), ==, 1);
  env_free (e);
}

static JsonObject *
parse (const char *text)
{
  return i2a_json_parse_object (text, strlen (text));
}

static void
test_session_keys (void)
{
  g_autoptr(JsonObject) a = parse ("{\"messages\":[{\"role\":\"system\",\"content\":\"s\"},"
                                                   "{\"role\":\"user\",\"content\":\"q\"}]}");
  g_autoptr(JsonObject) b = parse ("{\"messages\":[{\"role\":\"system\",\"content\":\"s\"},"
                                                   "{\"role\":\"user\",\"content\":\"q\"},"
                                                   "{\"role\":\"assistant\",\"content\":\"a\"},"
                                                   "{\"role\":\"user\",\"content\":\"q2\"}],\"user\":\"\"}");
  g_autoptr(JsonObject) c = parse ("{\"messages\":[],\"user\":\"u1\",\"prompt_cache_key\":\"k\"}");
  g_autofree char *ka = NULL, *kb = NULL, *kc = NULL, *kh = NULL;
  gboolean fa, fb, fc, fh;

  ka = i2a_routing_session_key (a, NULL, &fa);
  kb = i2a_routing_session_key (b, NULL, &fb);
  kc = i2a_routing_session_key (c, NULL, &fc);
  kh = i2a_routing_session_key (c, "claude-session", &fh);
  /* The same conversation, one turn later: same key; only the later turn
   * follows it. */
  g_assert_cmpstr (ka, ==, kb);
  g_assert_false (fa);
  g_assert_true (fb);
  g_assert_cmpstr (kc, ==, "cache:k");
  g_assert_cmpstr (kh, ==, "session:claude-session");
  g_assert_true (fc && fh);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/providers/routing/by-model", test_routing_by_model);
  g_test_add_func ("/providers/routing/alias-precedence", test_alias_precedence);
  g_test_add_func ("/providers/routing/fallback-on-429", test_fallback_on_429);
  g_test_add_func ("/providers/routing/sticky-session", test_sticky_session);
  g_test_add_func ("/providers/routing/session-keys", test_session_keys);
  return g_test_run ();
}

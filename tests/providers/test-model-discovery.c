/* test-model-discovery.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Model discovery against an OpenAI-compatible server (the fake's GET
 * /v1/models), its failure, the cache after a restart, and /v1/models:
 * the union of every account's models and the aliases, limited to the
 * accounts a client key may use. */
#include "config.h"

#include <string.h>

#include "i2a-model-discovery.h"
#include "i2a-model-index.h"
#include "pool-test-env.h"

#define OPENAI(key, label) \
  "{\"provider\": \"openai\", \"api_key\": \"" key "\", \"base_url\": \"@BASE@\", \"label\": \"" label "\"}"

#define KEYS_JSON                                                            \
  "{\"accounts\": {\"ds\": " OPENAI (KEY_1, "DeepSeek") ","                  \
  "                \"kimi\": " OPENAI (KEY_2, "Kimi") "},"                    \
  " \"keys\": {\"" TOK_A "\": {\"account\": \"ds\"}},"                       \
  " \"aliases\": {\"gpt-5\": \"deepseek-chat\", \"claude-*\": \"kimi-k2\"}}"

static const char *const ds_models[] = { "deepseek-chat", "deepseek-reasoner", NULL };
static const char *const kimi_models[] = { "kimi-k2", "deepseek-chat", NULL };

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Wait;

static void
refreshed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = i2a_model_discovery_refresh_finish (I2A_MODEL_DISCOVERY (source), result, &w->error);
  w->done = TRUE;
}

static void
flushed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = i2a_model_discovery_flush_finish (I2A_MODEL_DISCOVERY (source), result, &w->error);
  w->done = TRUE;
}

static gboolean
wait_done (gpointer data)
{
  return ((Wait *) data)->done;
}

static gboolean
has_models (gpointer account)
{
  return i2a_account_get_models (account) != NULL;
}

static Env *
env_with_models (void)
{
  Env *e = env_new (KEYS_JSON);

  i2a_fake_iflow_set_require_signature (e->fake, FALSE);
  i2a_fake_iflow_set_models (e->fake, KEY_1, ds_models);
  i2a_fake_iflow_set_models (e->fake, KEY_2, kimi_models);
  return e;
}

static void
flush (I2aModelDiscovery *d)
{
  Wait w = { 0 };

  i2a_model_discovery_flush_async (d, NULL, flushed_cb, &w);
  g_assert_true (i2a_test_wait_until (wait_done, &w, 5000));
  g_assert_no_error (w.error);
}

/* "id" -> "owned_by" of a /v1/models answer. */
static GHashTable *
model_list (Env        *e,
            const char *token)
{
  g_autoptr(I2aTestResponse) r = get (e, "/v1/models", token);
  g_autoptr(JsonObject) body = i2a_test_response_json (r);
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *data;

  g_assert_cmpuint (r->status, ==, 200);
  data = json_object_get_array_member (body, "data");
  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *m = json_array_get_object_element (data, i);

      /* No duplicates. */
      g_assert_false (g_hash_table_contains (out, json_object_get_string_member (m, "id")));
      g_hash_table_insert (out, g_strdup (json_object_get_string_member (m, "id")),
                           g_strdup (json_object_get_string_member (m, "owned_by")));
    }
  return out;
}

static void
test_discovery_and_union (void)
{
  Env *e = env_with_models ();
  g_autofree char *cache = g_build_filename (e->dir, "models.json", NULL);
  g_autoptr(I2aModelDiscovery) d = i2a_model_discovery_new (e->pool, cache);
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(GHashTable) limited = NULL;
  I2aAccount *ds = account (e, "ds"), *kimi = account (e, "kimi");

  /* Unknown until discovered: any model is accepted. */
  g_assert_null (i2a_account_get_models (ds));
  g_assert_true (i2a_account_serves_model (ds, "anything"));

  i2a_model_discovery_start (d);
  g_assert_true (i2a_test_wait_until (has_models, ds, 5000));
  g_assert_true (i2a_test_wait_until (has_models, kimi, 5000));
  g_assert_cmpint (g_strv_length ((char **) i2a_account_get_models (ds)), ==, 2);
  g_assert_true (i2a_account_serves_model (ds, "DeepSeek-Reasoner"));
  g_assert_false (i2a_account_serves_model (ds, "kimi-k2"));
  g_assert_null (i2a_account_get_models_error (ds));
  g_assert_cmpint (i2a_account_get_models_updated (ds), >, 0);

  /* The union, without duplicates, owned by the provider label, with the
   * alias names; no iFlow catalogue without an iFlow account. */
  all = model_list (e, NULL);
  g_assert_cmpuint (g_hash_table_size (all), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (all, "deepseek-chat"), ==, "DeepSeek");
  g_assert_cmpstr (g_hash_table_lookup (all, "deepseek-reasoner"), ==, "DeepSeek");
  g_assert_cmpstr (g_hash_table_lookup (all, "kimi-k2"), ==, "Kimi");
  g_assert_cmpstr (g_hash_table_lookup (all, "gpt-5"), ==, "alias");
  g_assert_false (g_hash_table_contains (all, "glm-5"));

  /* A client key routed to "ds" sees only what ds serves (and aliases). */
  limited = model_list (e, TOK_A);
  g_assert_true (g_hash_table_contains (limited, "deepseek-reasoner"));
  g_assert_false (g_hash_table_contains (limited, "kimi-k2"));

  {
    g_autoptr(GPtrArray) list = i2a_pool_list_models (e->pool, NULL);
    I2aServedModel *chat = list->pdata[0];

    g_assert_cmpstr (chat->id, ==, "deepseek-chat");
    g_assert_cmpuint (chat->accounts->len, ==, 2);
  }
  flush (d);
  g_assert_true (g_file_test (cache, G_FILE_TEST_EXISTS));
  g_assert_finalize_object (g_steal_pointer (&d));
  env_free (e);
}

static void
test_failure_keeps_list_and_cache_survives_restart (void)
{
  Env *e = env_with_models ();
  g_autofree char *cache = g_build_filename (e->dir, "models.json", NULL);
  I2aModelDiscovery *d = i2a_model_discovery_new (e->pool, cache);
  I2aAccount *ds = account (e, "ds");
  Wait w = { 0 };

  i2a_model_discovery_start (d);
  g_assert_true (i2a_test_wait_until (has_models, ds, 5000));
  g_assert_true (i2a_test_wait_until (has_models, account (e, "kimi"), 5000));
  flush (d);

  /* The server fails: the last list stays, the error shows on the account. */
  i2a_fake_iflow_set_models_status (e->fake, 503);
  i2a_model_discovery_refresh_async (d, "ds", NULL, refreshed_cb, &w);
  g_assert_true (i2a_test_wait_until (wait_done, &w, 5000));
  g_assert_false (w.ok);
  g_assert_error (w.error, I2A_ERROR, I2A_ERROR_UPSTREAM);
  g_assert_nonnull (strstr (w.error->message, "fake models failure"));
  g_clear_error (&w.error);
  g_assert_cmpint (g_strv_length ((char **) i2a_account_get_models (ds)), ==, 2);
  g_assert_nonnull (strstr (i2a_account_get_models_error (ds), "503"));
  g_assert_finalize_object (d);

  /* A restart while the server is still down: the cache knows the models
   * before any answer. */
  {
    g_autoptr(I2aCliSettings) cli = i2a_cli_settings_new (e->dir);
    g_autoptr(I2aPool) pool = i2a_pool_new_with_keys (cli, e->keys_path);
    g_autoptr(I2aModelDiscovery) again = NULL;
    I2aAccount *fresh;
    guint asked = i2a_fake_iflow_get_models_requests (e->fake);

    while (!i2a_pool_is_loaded (pool))
      g_main_context_iteration (NULL, TRUE);
    fresh = i2a_pool_lookup_account (pool, "kimi");
    g_assert_null (i2a_account_get_models (fresh));
    again = i2a_model_discovery_new (pool, cache);
    i2a_model_discovery_load_cache (again);
    g_assert_cmpstr (i2a_account_get_models (fresh)[0], ==, "kimi-k2");
    g_assert_cmpuint (i2a_fake_iflow_get_models_requests (e->fake), ==, asked);
  }
  env_free (e);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/providers/discovery/union", test_discovery_and_union);
  g_test_add_func ("/providers/discovery/failure-and-cache", test_failure_keeps_list_and_cache_survives_restart);
  return g_test_run ();
}

/* test-pool.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* End-to-end tests of the account pool: keys.json, client auth, routing,
 * max_concurrency and the queue, live reload, /debug/accounts, provider
 * openai. A real client, the real server and one fake iFlow that knows
 * several account keys, all over loopback sockets (pool-test-env.h). */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "pool-test-env.h"

/* ---- routing ------------------------------------------------------------ */

static void
test_single_route_and_default (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"default\": {\"account\": \"acc2\"}}");

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (last_key (e), ==, KEY_1);
    }
  {
    /* No auth configured: unknown and missing tokens take the default. */
    g_autoptr(I2aTestResponse) r = chat (e, "sk-unknown-token", "hi", FALSE);
    g_autoptr(I2aTestResponse) r2 = chat (e, NULL, "hi", TRUE);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpuint (r2->status, ==, 200);
    g_assert_cmpstr (last_key (e), ==, KEY_2);
  }
  env_free (e);
}

static void
test_least_busy_distribution (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES "}");
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) async_free);
  const char *keys[] = { KEY_1, KEY_2, KEY_3 };

  /* Sequential: all idle, so the tie must rotate, not pin acc1. */
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, TOK_P, "hi", FALSE);
      g_assert_cmpuint (r->status, ==, 200);
    }
  for (guint k = 0; k < 3; k++)
    g_assert_cmpuint (seen (e, keys[k]), ==, 10);

  /* Concurrent: 9 streams in flight at once spread 3/3/3. */
  i2a_fake_iflow_clear_requests (e->fake);
  for (guint i = 0; i < 9; i++)
    g_ptr_array_add (list, async_chat (e, TOK_P, "fake:slow 4 100", TRUE));
  g_assert_true (i2a_test_wait_until (all_done, list, 20000));
  for (guint i = 0; i < list->len; i++)
    g_assert_cmpuint (((Async *) list->pdata[i])->status, ==, 200);
  for (guint k = 0; k < 3; k++)
    {
      g_assert_cmpuint (seen (e, keys[k]), ==, 3);
      g_assert_cmpuint (i2a_fake_iflow_get_max_in_flight (e->fake, keys[k]), ==, 3);
    }
  env_free (e);
}

static void
test_round_robin_skips_disabled_and_open (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"resilience\": {\"failure_threshold\": 1, "
                    "\"cool_down_seconds\": 60, \"retry_attempts\": 1, \"retry_backoff_ms\": 0}}");
  const char *expect1[] = { KEY_1, KEY_2, KEY_3, KEY_1, KEY_2, KEY_3 };
  const char *expect2[] = { KEY_1, KEY_3, KEY_1, KEY_3 };
  const char *expect3[] = { KEY_3, KEY_2, KEY_3, KEY_2 };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (expect1); i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, TOK_R, "hi", FALSE);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (last_key (e), ==, expect1[i]);
    }

  /* Disabled accounts are skipped. */
  g_assert_true (i2a_pool_set_account_enabled (e->pool, "acc2", FALSE, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (expect2); i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, TOK_R, "hi", FALSE);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (last_key (e), ==, expect2[i]);
    }

  /* acc1 fails once (threshold 1): its circuit opens, the request fails
   * over, and the rotation continues over acc2 and acc3 only. */
  g_assert_true (i2a_pool_set_account_enabled (e->pool, "acc2", TRUE, &error));
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 500");
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_R, "hi", FALSE);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpuint (i2a_pool_get_circuit_open_for (e->pool, account (e, "acc1")), >, 0);
  }
  i2a_fake_iflow_clear_requests (e->fake);
  for (guint i = 0; i < G_N_ELEMENTS (expect3); i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, TOK_R, "hi", FALSE);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (last_key (e), ==, expect3[i]);
    }
  g_assert_cmpuint (seen (e, KEY_1), ==, 0);
  env_free (e);
}

/* ---- max_concurrency and the queue -------------------------------------- */

static void
test_max_concurrency_and_queue (void)
{
  Env *e = env_new ("{" ACCOUNTS3 (", \"max_concurrency\": 2", ", \"max_concurrency\": 2", ", \"enabled\": false")
                    "," ROUTES "}");
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) async_free);
  guint peak_queue = 0;

  for (guint i = 0; i < 12; i++)
    g_ptr_array_add (list, async_chat (e, TOK_P, "fake:slow 3 60", TRUE));
  while (!all_done (list))
    {
      g_main_context_iteration (NULL, TRUE);
      peak_queue = MAX (peak_queue, i2a_pool_get_queue_length (e->pool));
      g_assert_cmpuint (i2a_account_get_in_flight (account (e, "acc1")), <=, 2);
      g_assert_cmpuint (i2a_account_get_in_flight (account (e, "acc2")), <=, 2);
    }
  for (guint i = 0; i < list->len; i++)
    {
      Async *a = list->pdata[i];
      g_assert_cmpuint (a->status, ==, 200);
      g_assert_nonnull (strstr (g_bytes_get_data (a->body, NULL), "[DONE]"));
    }
  /* The limit holds over the whole stream, on the upstream side too. */
  g_assert_cmpuint (i2a_fake_iflow_get_max_in_flight (e->fake, KEY_1), ==, 2);
  g_assert_cmpuint (i2a_fake_iflow_get_max_in_flight (e->fake, KEY_2), ==, 2);
  g_assert_cmpuint (seen (e, KEY_3), ==, 0);
  g_assert_cmpuint (peak_queue, >=, 6);
  g_assert_cmpuint (i2a_pool_get_queue_length (e->pool), ==, 0);
  g_assert_true (i2a_test_wait_until (account_idle, account (e, "acc1"), 2000));
  g_assert_cmpuint (i2a_account_get_queued (account (e, "acc1")), ==, 0);
  env_free (e);
}

static void
test_queue_limits (void)
{
  Env *e = env_new ("{" ACCOUNTS3 (", \"max_concurrency\": 1", "", "") "," ROUTES
                    ", \"queue\": {\"max_length\": 1, \"max_wait_seconds\": 1}}");
  Async *busy = async_chat (e, TOK_A, "fake:slow 30 60", TRUE);
  Async *queued = NULL;
  g_autoptr(I2aTestResponse) full = NULL;
  g_autoptr(JsonObject) err = NULL;
  gint64 start;

  g_assert_true (i2a_test_wait_until ((gboolean (*) (gpointer)) i2a_account_get_in_flight, account (e, "acc1"), 3000));
  queued = async_chat (e, TOK_A, "hi", FALSE);
  while (i2a_pool_get_queue_length (e->pool) < 1)
    g_main_context_iteration (NULL, TRUE);

  /* Queue full: 429 at once, with Retry-After. */
  full = chat (e, TOK_A, "hi", FALSE);
  err = i2a_test_assert_openai_error (full, 429);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "queue_full");
  g_assert_nonnull (soup_message_headers_get_one (full->headers, "Retry-After"));

  /* The queued one gives up after max_wait_seconds. */
  start = g_get_monotonic_time ();
  g_assert_true (i2a_test_wait_until (async_is_done, queued, 5000));
  g_assert_cmpuint (queued->status, ==, 429);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1500000);
  g_assert_nonnull (strstr (g_bytes_get_data (queued->body, NULL), "queue_timeout"));
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (queued->msg), "Retry-After"));
  g_assert_true (i2a_test_wait_until (async_is_done, busy, 5000));
  g_assert_cmpuint (busy->status, ==, 200);
  g_assert_cmpuint (i2a_fake_iflow_get_max_in_flight (e->fake, KEY_1), ==, 1);
  async_free (busy);
  async_free (queued);
  env_free (e);
}

static gboolean
queue_empty (gpointer data)
{
  return i2a_pool_get_queue_length (data) == 0;
}

static void
test_queued_client_disconnect (void)
{
  Env *e = env_new ("{" ACCOUNTS3 (", \"max_concurrency\": 1", "", "") "," ROUTES "}");
  Async *busy = async_chat (e, TOK_A, "fake:slow 20 60", TRUE);
  Async *queued;
  Async *next;
  gint64 cancelled;

  g_assert_true (i2a_test_wait_until ((gboolean (*) (gpointer)) i2a_account_get_in_flight, account (e, "acc1"), 3000));
  queued = async_chat (e, TOK_A, "hi", FALSE);
  while (i2a_pool_get_queue_length (e->pool) < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (i2a_account_get_queued (account (e, "acc1")), ==, 1);

  /* The client hangs up while queued: it leaves the queue at once. */
  g_cancellable_cancel (queued->cancellable);
  cancelled = g_get_monotonic_time ();
  g_assert_true (i2a_test_wait_until (queue_empty, e->pool, 2000));
  g_assert_cmpint (g_get_monotonic_time () - cancelled, <, 1000000);
  g_assert_cmpuint (i2a_account_get_queued (account (e, "acc1")), ==, 0);

  /* Its place is not held: the next request gets the slot when free. */
  next = async_chat (e, TOK_A, "hi", FALSE);
  g_assert_true (i2a_test_wait_until (async_is_done, next, 5000));
  g_assert_cmpuint (next->status, ==, 200);
  g_assert_true (i2a_test_wait_until (async_is_done, busy, 5000));
  /* Only the two real requests reached the upstream. */
  g_assert_cmpuint (seen (e, KEY_1), ==, 2);
  g_assert_true (i2a_test_wait_until (account_idle, account (e, "acc1"), 2000));
  async_free (busy);
  async_free (queued);
  async_free (next);
  env_free (e);
}

/* ---- client auth -------------------------------------------------------- */

static void
test_auth_combinations (void)
{
  struct { const char *auth; const char *token; guint status; const char *key; const char *message; } cases[] = {
    { "true, \"required\": true", NULL, 401, NULL, "Missing Authorization: Bearer <api-key>" },
    { "true, \"required\": true", "sk-wrong", 401, NULL, "Invalid API key" },
    { "true, \"required\": true", TOK_A, 200, KEY_1, NULL },
    { "true, \"required\": false", "sk-wrong", 200, KEY_3, NULL },
    { "true, \"required\": false", NULL, 200, KEY_3, NULL },
    { "true, \"required\": false", TOK_A, 200, KEY_1, NULL },
    { "false, \"required\": true", "sk-wrong", 200, KEY_3, NULL },
    { "false, \"required\": false", TOK_A, 200, KEY_1, NULL },
  };
  Env *e = env_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"auth\": {\"enabled\": %s}, " ACCOUNTS3 ("", "", "") ","
                                               ROUTES ", \"default\": {\"account\": \"acc3\"}}", cases[i].auth);
      guint before = e->reloads;
      g_autoptr(I2aTestResponse) r = NULL;

      write_keys (e, json);
      while (e->reloads == before)
        g_main_context_iteration (NULL, TRUE);
      i2a_fake_iflow_clear_requests (e->fake);
      r = chat (e, cases[i].token, "hi", FALSE);
      g_test_message ("case %u: %u %s", i, r->status, r->body->str);
      if (cases[i].status == 401)
        {
          g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 401);
          g_assert_cmpstr (json_object_get_string_member (err, "type"), ==, "authentication_error");
          g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), cases[i].message));
          g_assert_cmpuint (i2a_fake_iflow_get_requests (e->fake)->len, ==, 0);
        }
      else
        {
          g_assert_cmpuint (r->status, ==, 200);
          g_assert_cmpstr (last_key (e), ==, cases[i].key);
        }
    }
  env_free (e);
}

static void
test_bind_refused (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES "}");
  g_autoptr(I2aServer) exposed = i2a_server_new (e->pool);
  g_autoptr(GError) error = NULL;
  guint before;

  g_assert_false (i2a_server_start (exposed, "0.0.0.0", 0, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_BIND_REFUSED);
  g_assert_nonnull (strstr (error->message, "\"required\": true"));
  g_assert_nonnull (strstr (error->message, e->keys_path));
  g_assert_false (i2a_server_is_running (exposed));
  g_clear_error (&error);

  before = e->reloads;
  write_keys (e, "{\"auth\": {\"enabled\": true, \"required\": true}, " ACCOUNTS3 ("", "", "") "," ROUTES "}");
  while (e->reloads == before)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (i2a_server_start (exposed, "0.0.0.0", 0, &error));
  g_assert_no_error (error);

  /* While exposed, a reload that drops required auth is refused. */
  g_test_expect_message ("i2a-pool", G_LOG_LEVEL_WARNING, "*keys.json*auth*");
  write_keys (e, "{" ACCOUNTS3 ("", "", "") "," ROUTES "}");
  g_assert_true (i2a_test_wait_until ((gboolean (*) (gpointer)) i2a_pool_get_load_error, e->pool, 5000));
  g_test_assert_expected_messages ();
  g_assert_true (i2a_pool_get_auth_required (e->pool));
  i2a_test_server_finalize (g_steal_pointer (&exposed));
  env_free (e);
}

/* ---- /debug/accounts and /health ---------------------------------------- */

static void
test_debug_no_secrets (void)
{
  Env *e = env_new ("{\"auth\": {\"enabled\": true, \"required\": true}, "
                    ACCOUNTS3 (", \"label\": \"One\", \"max_concurrency\": 2", ", \"provider\": \"openai\"", "")
                    "," ROUTES "}");
  const char *secrets[] = { KEY_1, KEY_2, KEY_3, TOK_A, TOK_P, TOK_R };
  g_autoptr(I2aTestResponse) denied = get (e, "/debug/accounts", NULL);
  g_autoptr(JsonObject) err = i2a_test_assert_openai_error (denied, 401);
  g_autoptr(I2aTestResponse) r = get (e, "/debug/accounts", TOK_P);
  g_autoptr(I2aTestResponse) h = get (e, "/health", NULL);
  g_autoptr(I2aTestResponse) models_denied = get (e, "/v1/models", NULL);
  g_autoptr(I2aTestResponse) models = get (e, "/v1/models", TOK_A);
  g_autoptr(JsonObject) models_err = i2a_test_assert_openai_error (models_denied, 401);
  g_autoptr(JsonObject) obj = i2a_test_response_json (r);
  g_autoptr(JsonObject) health = i2a_test_response_json (h);
  JsonObject *a1, *a2;

  g_assert_cmpuint (r->status, ==, 200);
  /* With required client auth the model list needs a key; health does not. */
  g_assert_cmpuint (models->status, ==, 200);
  g_assert_cmpuint (h->status, ==, 200);
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      g_autofree char *inner = g_strndup (secrets[i] + 4, 12);

      g_assert_null (strstr (r->body->str, secrets[i]));
      g_assert_null (strstr (r->body->str, inner));
    }
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (obj, "resilience"), "enabled"));
  a1 = json_object_get_object_member (json_object_get_object_member (obj, "accounts"), "acc1");
  a2 = json_object_get_object_member (json_object_get_object_member (obj, "accounts"), "acc2");
  g_assert_cmpstr (json_object_get_string_member (a1, "label"), ==, "One");
  g_assert_cmpstr (json_object_get_string_member (a1, "api_key_mask"), ==, "…1111");
  g_assert_cmpint (json_object_get_int_member (a1, "max_concurrency"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (a2, "provider"), ==, "openai");
  {
    const char *members[] = { "enabled", "base_url", "in_flight", "queued", "consecutive_failures", "circuit_open",
                              "circuit_open_for_seconds", "last_error", "requests", "errors", "state", "expires_at",
                              "refresh_failures", "last_refresh_error" };
    for (guint i = 0; i < G_N_ELEMENTS (members); i++)
      g_assert_true (json_object_has_member (a1, members[i]));
  }
  g_assert_true (json_object_get_boolean_member (health, "multi_account"));
  g_assert_cmpint (json_object_get_int_member (health, "accounts_total"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (health, "accounts_enabled"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (health, "accounts_available"), ==, 3);
  env_free (e);
}

/* ---- live reload -------------------------------------------------------- */

typedef struct { guint position, removed, added, calls; } ItemsChanged;

static void
items_changed_cb (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *ic)
{
  ic->position = position;
  ic->removed = removed;
  ic->added = added;
  ic->calls++;
}

static void
wait_reload (Env *e,
             guint before)
{
  gint64 start = g_get_monotonic_time ();

  while (e->reloads == before)
    {
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
    }
}

static void
test_reload (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES "}");
  I2aAccount *acc1 = account (e, "acc1");
  I2aAccount *acc3 = account (e, "acc3");
  ItemsChanged ic = { 0 };
  Async *stream;
  guint before;

  g_signal_connect (e->pool, "items-changed", G_CALLBACK (items_changed_cb), &ic);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (e->pool)), ==, 3);

  /* An in-flight stream on acc1 survives the reload. */
  stream = async_chat (e, TOK_A, "fake:slow 10 80", TRUE);
  g_assert_true (i2a_test_wait_until ((gboolean (*) (gpointer)) i2a_account_get_in_flight, acc1, 3000));

  before = e->reloads;
  write_keys (e, "{\"accounts\": {"
                 "\"acc1\": {\"api_key\": \"" KEY_1 "\", \"base_url\": \"@BASE@\", \"label\": \"Renamed\", \"max_concurrency\": 5},"
                 "\"acc3\": {\"api_key\": \"" KEY_3 "\", \"base_url\": \"@BASE@\"},"
                 "\"acc4\": {\"api_key\": \"" KEY_2 "\", \"base_url\": \"@BASE@\"}},"
                 "\"keys\": {\"" TOK_A "\": {\"account\": \"acc1\"}, \"" TOK_P "\": {\"accounts\": [\"acc4\"]}}}");
  wait_reload (e, before);

  /* Same objects for surviving ids, fields updated, counters kept. */
  g_assert_true (account (e, "acc1") == acc1);
  g_assert_true (account (e, "acc3") == acc3);
  g_assert_cmpstr (i2a_account_get_label (acc1), ==, "Renamed");
  g_assert_cmpuint (i2a_account_get_max_concurrency (acc1), ==, 5);
  g_assert_cmpuint (i2a_account_get_in_flight (acc1), ==, 1);
  g_assert_null (i2a_pool_lookup_account (e->pool, "acc2"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (e->pool)), ==, 3);
  g_test_message ("items-changed %u %u %u x%u", ic.position, ic.removed, ic.added, ic.calls);
  g_assert_cmpuint (ic.calls, ==, 1);
  g_assert_cmpuint (ic.position, ==, 1);
  g_assert_cmpuint (ic.removed, ==, 2);
  g_assert_cmpuint (ic.added, ==, 2);
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_P, "hi", FALSE);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (last_key (e), ==, KEY_2);
  }
  g_assert_true (i2a_test_wait_until (async_is_done, stream, 5000));
  g_assert_cmpuint (stream->status, ==, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (stream->body, NULL), "[DONE]"));
  g_assert_true (i2a_test_wait_until (account_idle, acc1, 2000));

  /* Broken JSON: warning with file and line, old config stays. */
  g_test_expect_message ("i2a-pool", G_LOG_LEVEL_WARNING, "*keys.json:?:*Parse error*");
  write_keys (e, "{\n\"accounts\": {\n,}}");
  g_assert_true (i2a_test_wait_until ((gboolean (*) (gpointer)) i2a_pool_get_load_error, e->pool, 3000));
  g_test_assert_expected_messages ();
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_P, "hi", FALSE);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (last_key (e), ==, KEY_2);
  }

  /* A valid file again, then a semantic error naming the JSON path. */
  before = e->reloads;
  write_keys (e, "{" ACCOUNTS3 ("", "", "") "," ROUTES "}");
  wait_reload (e, before);
  g_assert_null (i2a_pool_get_load_error (e->pool));
  g_test_expect_message ("i2a-pool", G_LOG_LEVEL_WARNING, "*keys.json: keys.…pppp.accounts[1]: unknown account 'acc9'*");
  write_keys (e, "{" ACCOUNTS3 ("", "", "") ", \"keys\": {\"" TOK_P "\": {\"accounts\": [\"acc1\", \"acc9\"]}}}");
  g_assert_true (i2a_test_wait_until ((gboolean (*) (gpointer)) i2a_pool_get_load_error, e->pool, 3000));
  g_test_assert_expected_messages ();
  g_assert_null (strstr (i2a_pool_get_load_error (e->pool)->message, TOK_P));
  g_assert_nonnull (i2a_pool_lookup_account (e->pool, "acc2"));

  /* Deleting the file falls back to the CLI login. */
  before = e->reloads;
  g_unlink (e->keys_path);
  wait_reload (e, before);
  g_assert_false (i2a_pool_is_multi_account (e->pool));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (e->pool)), ==, 1);
  async_free (stream);
  env_free (e);
}

/* ---- provider openai ---------------------------------------------------- */

static void
test_provider_openai (void)
{
  Env *e = env_new ("{" ACCOUNTS3 (", \"provider\": \"openai\"", "", "") "," ROUTES "}");
  /* Odd spacing, order and an unknown field: must arrive byte for byte. */
  const char *body = "{ \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\n  \"model\" : \"gpt-x\", \"x_custom\": [1,2] ,\"stream\":false}";
  g_autofree char *url = g_strconcat (e->base, "/v1/chat/completions", NULL);
  g_autoptr(I2aTestResponse) r = NULL;
  I2aFakeRequest *up;
  SoupMessageHeaders *h;
  const char *ua;
  SoupMessageHeadersIter iter;
  const char *name, *value;

  i2a_fake_iflow_set_require_signature (e->fake, FALSE);
  r = i2a_test_request (e->client, "POST", url, TOK_A, "application/json", body, 0, 0);
  g_assert_cmpuint (r->status, ==, 200);
  up = i2a_fake_iflow_get_last_request (e->fake);
  g_assert_cmpstr (up->api_key, ==, KEY_1);
  g_assert_cmpuint (g_bytes_get_size (up->raw), ==, strlen (body));
  g_assert_cmpmem (g_bytes_get_data (up->raw, NULL), strlen (body), body, strlen (body));
  h = up->headers;
  ua = soup_message_headers_get_one (h, "user-agent");
  g_assert_true (ua == NULL || strstr (ua, "iFlow") == NULL);
  g_assert_null (soup_message_headers_get_one (h, "session-id"));
  g_assert_null (soup_message_headers_get_one (h, "conversation-id"));
  g_assert_null (soup_message_headers_get_one (h, "traceparent"));
  soup_message_headers_iter_init (&iter, h);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_assert_false (g_ascii_strncasecmp (name, "x-iflow-", 8) == 0);

  /* The iflow accounts of the same pool keep the iFlow identity. */
  {
    g_autoptr(I2aTestResponse) r2 = chat (e, TOK_R, "hi", FALSE);   /* acc1 */
    g_autoptr(I2aTestResponse) r3 = chat (e, TOK_R, "hi", FALSE);   /* acc2 */
    g_assert_cmpuint (r3->status, ==, 200);
    g_assert_true (i2a_fake_iflow_get_last_request (e->fake)->signature_ok);
  }
  env_free (e);
}

static void
test_cli_fallback (void)
{
  Env *e = env_new (NULL);
  g_autoptr(I2aTestResponse) h = get (e, "/health", NULL);
  g_autoptr(JsonObject) health = i2a_test_response_json (h);
  g_autoptr(I2aTestResponse) r = chat (e, "anything", "hi", FALSE);
  g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 401);

  /* No keys.json, no CLI login: one (unusable) account, a clear 401. */
  g_assert_false (json_object_get_boolean_member (health, "multi_account"));
  g_assert_cmpint (json_object_get_int_member (health, "accounts_total"), ==, 1);
  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "Log in"));
  g_assert_nonnull (i2a_pool_lookup_account (e->pool, "iflow-cli"));
  env_free (e);
}

int
main (int argc, char *argv[])
{
  g_setenv ("SOUP_FORCE_HTTP1", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pool/route/single-and-default", test_single_route_and_default);
  g_test_add_func ("/pool/route/least-busy", test_least_busy_distribution);
  g_test_add_func ("/pool/route/round-robin", test_round_robin_skips_disabled_and_open);
  g_test_add_func ("/pool/route/cli-fallback", test_cli_fallback);
  g_test_add_func ("/pool/concurrency/limit-and-queue", test_max_concurrency_and_queue);
  g_test_add_func ("/pool/concurrency/queue-limits", test_queue_limits);
  g_test_add_func ("/pool/concurrency/queued-disconnect", test_queued_client_disconnect);
  g_test_add_func ("/pool/auth/combinations", test_auth_combinations);
  g_test_add_func ("/pool/auth/bind-refused", test_bind_refused);
  g_test_add_func ("/pool/debug/no-secrets", test_debug_no_secrets);
  g_test_add_func ("/pool/reload/live", test_reload);
  g_test_add_func ("/pool/provider/openai", test_provider_openai);
  return g_test_run ();
}

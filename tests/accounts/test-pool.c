/* End-to-end tests of the account pool: keys.json, client auth, routing,
 * max_concurrency and the queue, circuit breaker, failover, live reload,
 * /debug/accounts. A real client, the real server and one fake iFlow that
 * knows several account keys, all over loopback sockets. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "i2a-debug-endpoint.h"
#include "i2a-error.h"
#include "i2a-test-util.h"

#define KEY_1 "sk-upstream-account-one-111111111111"
#define KEY_2 "sk-upstream-account-two-222222222222"
#define KEY_3 "sk-upstream-account-three-3333333333"
#define TOK_A "sk-local-user-a-aaaaaaaaaaaaaaaaaaaa"
#define TOK_P "sk-local-pool-pppppppppppppppppppppp"
#define TOK_R "sk-local-rr-rrrrrrrrrrrrrrrrrrrrrrrr"

/* @BASE@ becomes the fake's base URL. */
#define ACCOUNTS3(extra1, extra2, extra3)                                                        \
  "\"accounts\": {"                                                                              \
  "\"acc1\": {\"api_key\": \"" KEY_1 "\", \"base_url\": \"@BASE@\"" extra1 "},"                 \
  "\"acc2\": {\"api_key\": \"" KEY_2 "\", \"base_url\": \"@BASE@\"" extra2 "},"                 \
  "\"acc3\": {\"api_key\": \"" KEY_3 "\", \"base_url\": \"@BASE@\"" extra3 "}}"
#define ROUTES                                                                                   \
  "\"keys\": {\"" TOK_A "\": {\"account\": \"acc1\"},"                                           \
  "\"" TOK_P "\": {\"accounts\": [\"acc1\", \"acc2\", \"acc3\"], \"strategy\": \"least_busy\"}," \
  "\"" TOK_R "\": {\"accounts\": [\"acc1\", \"acc2\", \"acc3\"], \"strategy\": \"round_robin\"}}"

typedef struct
{
  I2aFakeIflow   *fake;
  char           *dir;
  char           *keys_path;
  I2aCliSettings *cli;
  I2aPool        *pool;
  I2aServer      *server;
  char           *base;
  SoupSession    *client;
  guint           reloads;
} Env;

static void
write_keys (Env        *e,
            const char *json)
{
  g_autofree char *url = i2a_fake_iflow_dup_base_url (e->fake);
  g_auto(GStrv) parts = g_strsplit (json, "@BASE@", -1);
  g_autofree char *text = g_strjoinv (url, parts);
  g_autofree char *tmp = g_strconcat (e->keys_path, ".tmp", NULL);

  /* Atomic, like an editor's save. */
  g_assert_true (g_file_set_contents (tmp, text, -1, NULL));
  g_assert_cmpint (g_rename (tmp, e->keys_path), ==, 0);
}

static void
reloaded_cb (I2aPool *pool,
             Env     *e)
{
  e->reloads++;
}

static gboolean
loaded (gpointer data)
{
  return i2a_pool_is_loaded (data);
}

static Env *
env_new (const char *keys_json)
{
  Env *e = g_new0 (Env, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *iflow = NULL;

  e->fake = i2a_fake_iflow_new ();
  i2a_fake_iflow_add_key (e->fake, KEY_1);
  i2a_fake_iflow_add_key (e->fake, KEY_2);
  i2a_fake_iflow_add_key (e->fake, KEY_3);
  e->dir = i2a_test_mkdtemp ();
  e->keys_path = g_build_filename (e->dir, "keys.json", NULL);
  iflow = g_build_filename (e->dir, "iflow", NULL);
  if (keys_json)
    write_keys (e, keys_json);
  e->cli = i2a_cli_settings_new (iflow);
  e->pool = i2a_pool_new_with_keys (e->cli, e->keys_path);
  g_signal_connect (e->pool, "config-reloaded", G_CALLBACK (reloaded_cb), e);
  g_assert_true (i2a_test_wait_until (loaded, e->pool, 5000));
  g_assert_null (i2a_pool_get_load_error (e->pool));
  e->server = i2a_server_new (e->pool);
  i2a_server_set_timeouts (e->server, 10, 10, 0);
  g_assert_true (i2a_server_start (e->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  e->base = g_strdup_printf ("http://127.0.0.1:%u", i2a_server_get_port (e->server));
  e->client = soup_session_new_with_options ("timeout", 0, "max-conns", 512, "max-conns-per-host", 512, NULL);
  return e;
}

static void
flushed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (i2a_pool_flush_finish (I2A_POOL (source), result, &error));
  *(gboolean *) user_data = TRUE;
}

static void
env_free (Env *e)
{
  gboolean flushed = FALSE;

  /* Edits made through the pool are written in the background. */
  i2a_pool_flush_async (e->pool, NULL, flushed_cb, &flushed);
  while (!flushed)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (e->pool, e);
  soup_session_abort (e->client);
  g_object_unref (e->client);
  i2a_server_stop (e->server);
  g_object_unref (e->server);
  g_object_unref (e->pool);
  g_object_unref (e->cli);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  i2a_fake_iflow_free (e->fake);
  i2a_test_rm_rf (e->dir);
  g_free (e->dir);
  g_free (e->keys_path);
  g_free (e->base);
  g_free (e);
}

static I2aTestResponse *
chat (Env        *e,
      const char *token,
      const char *content,
      gboolean    stream)
{
  g_autofree char *url = g_strconcat (e->base, "/v1/chat/completions", NULL);
  g_autofree char *body = i2a_test_chat_body ("glm-5", content, stream);

  return i2a_test_request (e->client, "POST", url, token, "application/json", body, 0, 0);
}

static I2aTestResponse *
get (Env        *e,
     const char *path,
     const char *token)
{
  g_autofree char *url = g_strconcat (e->base, path, NULL);

  return i2a_test_request (e->client, "GET", url, token, NULL, NULL, 0, 0);
}

static const char *
last_key (Env *e)
{
  return i2a_fake_iflow_get_last_request (e->fake)->api_key;
}

/* Requests (any outcome) the fake saw with @key. */
static guint
seen (Env        *e,
      const char *key)
{
  GPtrArray *all = i2a_fake_iflow_get_requests (e->fake);
  guint n = 0;

  for (guint i = 0; i < all->len; i++)
    if (g_strcmp0 (((I2aFakeRequest *) all->pdata[i])->api_key, key) == 0)
      n++;
  return n;
}

static I2aAccount *
account (Env        *e,
         const char *id)
{
  I2aAccount *a = i2a_pool_lookup_account (e->pool, id);

  g_assert_nonnull (a);
  return a;
}

static gboolean
account_idle (gpointer data)
{
  return i2a_account_get_in_flight (data) == 0;
}

/* ---- parallel requests -------------------------------------------------- */

typedef struct
{
  SoupMessage  *msg;
  GCancellable *cancellable;
  GBytes       *body;
  GError       *error;
  guint         status;
  gboolean      done;
} Async;

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Async *a = user_data;

  a->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &a->error);
  a->status = soup_message_get_status (a->msg);
  a->done = TRUE;
}

static Async *
async_chat (Env        *e,
            const char *token,
            const char *content,
            gboolean    stream)
{
  g_autofree char *url = g_strconcat (e->base, "/v1/chat/completions", NULL);
  g_autofree char *body = i2a_test_chat_body ("glm-5", content, stream);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  Async *a = g_new0 (Async, 1);

  a->msg = soup_message_new ("POST", url);
  a->cancellable = g_cancellable_new ();
  if (token)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (a->msg), "Authorization", auth);
    }
  soup_message_set_request_body_from_bytes (a->msg, "application/json", bytes);
  soup_session_send_and_read_async (e->client, a->msg, G_PRIORITY_DEFAULT, a->cancellable, async_done_cb, a);
  return a;
}

static void
async_free (Async *a)
{
  g_object_unref (a->msg);
  g_object_unref (a->cancellable);
  g_clear_pointer (&a->body, g_bytes_unref);
  g_clear_error (&a->error);
  g_free (a);
}

static gboolean
all_done (gpointer data)
{
  GPtrArray *list = data;

  for (guint i = 0; i < list->len; i++)
    if (!((Async *) list->pdata[i])->done)
      return FALSE;
  return TRUE;
}

static gboolean
async_is_done (gpointer data)
{
  return ((Async *) data)->done;
}

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

/* ---- circuit breaker ---------------------------------------------------- */

static JsonObject *
debug_account (Env        *e,
               const char *id)
{
  g_autoptr(JsonNode) node = i2a_debug_endpoint_build (e->pool);
  JsonObject *accounts = json_object_get_object_member (json_node_get_object (node), "accounts");

  return json_object_ref (json_object_get_object_member (accounts, id));
}

static void
test_circuit_breaker (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"resilience\": {\"failure_threshold\": 2, "
                    "\"cool_down_seconds\": 1, \"retry_attempts\": 1, \"retry_backoff_ms\": 0}}");
  g_autoptr(JsonObject) d = NULL;
  g_autoptr(JsonObject) d2 = NULL;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 500");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
      g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 500);
    }
  g_assert_cmpuint (seen (e, KEY_1), ==, 2);
  d = debug_account (e, "acc1");
  g_assert_true (json_object_get_boolean_member (d, "circuit_open"));
  g_assert_cmpint (json_object_get_int_member (d, "consecutive_failures"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (d, "circuit_open_for_seconds"), ==, 1);
  g_assert_nonnull (strstr (json_object_get_string_member (d, "last_error"), "500"));

  /* Open: refused without touching the upstream, with Retry-After. */
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 503);
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"), ==, "1");
    g_assert_cmpuint (seen (e, KEY_1), ==, 2);
  }

  /* After the cool-down one trial goes through; it fails: open again at
   * once, without waiting for the threshold. */
  i2a_test_sleep_ms (1100);
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(I2aTestResponse) r2 = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 500);
    g_autoptr(JsonObject) err2 = i2a_test_assert_openai_error (r2, 503);
    g_assert_cmpuint (seen (e, KEY_1), ==, 3);
  }

  /* Next trial succeeds: closed, counter reset, traffic flows. */
  i2a_test_sleep_ms (1100);
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
      g_assert_cmpuint (r->status, ==, 200);
    }
  d2 = debug_account (e, "acc1");
  g_assert_false (json_object_get_boolean_member (d2, "circuit_open"));
  g_assert_cmpint (json_object_get_int_member (d2, "consecutive_failures"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (d2, "errors"), ==, 3);
  env_free (e);
}

static void
test_half_open_single_trial (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"resilience\": {\"failure_threshold\": 1, "
                    "\"cool_down_seconds\": 1, \"retry_attempts\": 0}}");
  Async *trial;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 502");
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_assert_cmpuint (r->status, ==, 502);
  }
  i2a_test_sleep_ms (1100);
  /* The trial hangs: while it runs, nothing else reaches acc1. */
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:slow 10 50");
  trial = async_chat (e, TOK_A, "hi", TRUE);
  g_assert_true (i2a_test_wait_until ((gboolean (*) (gpointer)) i2a_account_get_in_flight, account (e, "acc1"), 3000));
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 503);
    g_assert_nonnull (soup_message_headers_get_one (r->headers, "Retry-After"));
  }
  g_assert_true (i2a_test_wait_until (async_is_done, trial, 5000));
  g_assert_cmpuint (trial->status, ==, 200);
  g_assert_true (i2a_test_wait_until (account_idle, account (e, "acc1"), 2000));
  g_assert_cmpuint (i2a_account_get_consecutive_failures (account (e, "acc1")), ==, 0);
  async_free (trial);
  env_free (e);
}

static void
test_all_open_503 (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", ", \"enabled\": false") "," ROUTES
                    ", \"resilience\": {\"failure_threshold\": 1, \"cool_down_seconds\": 30, \"retry_attempts\": 1,"
                    " \"retry_backoff_ms\": 10}}");
  g_autoptr(I2aTestResponse) r1 = NULL;
  g_autoptr(I2aTestResponse) r2 = NULL;
  g_autoptr(JsonObject) err = NULL;
  const char *retry_after;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 503");
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_2, "fake:http 503");
  /* Both fail (first attempt + failover), both circuits open. */
  r1 = chat (e, TOK_P, "hi", FALSE);
  g_assert_cmpuint (r1->status, ==, 503);
  g_assert_cmpuint (seen (e, KEY_1) + seen (e, KEY_2), ==, 2);
  r2 = chat (e, TOK_P, "hi", TRUE);
  err = i2a_test_assert_openai_error (r2, 503);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "accounts_cooling_down");
  retry_after = soup_message_headers_get_one (r2->headers, "Retry-After");
  g_assert_nonnull (retry_after);
  g_assert_cmpint (atoi (retry_after), >=, 29);
  g_assert_cmpint (atoi (retry_after), <=, 30);
  g_assert_cmpuint (seen (e, KEY_1) + seen (e, KEY_2), ==, 2);
  env_free (e);
}

static void
test_retry_after_is_cool_down (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"resilience\": {\"failure_threshold\": 5, "
                    "\"cool_down_seconds\": 1, \"retry_attempts\": 1, \"retry_backoff_ms\": 0}}");
  g_autoptr(I2aTestResponse) r = NULL;
  guint open_for;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:retry-after 20");
  r = chat (e, TOK_R, "hi", FALSE);
  /* Failed over to acc2; acc1 stays away for the upstream's 20 s. */
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (last_key (e), ==, KEY_2);
  open_for = i2a_pool_get_circuit_open_for (e->pool, account (e, "acc1"));
  g_assert_cmpuint (open_for, >=, 19);
  g_assert_cmpuint (open_for, <=, 20);
  env_free (e);
}

/* ---- failover ----------------------------------------------------------- */

static void
test_failover_before_first_byte (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"resilience\": {\"retry_attempts\": 1, "
                    "\"retry_backoff_ms\": 50}}");

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 502");
  for (guint s = 0; s < 2; s++)
    {
      /* Round robin starts at acc1 after each pair: first attempt acc1. */
      g_autoptr(I2aTestResponse) r = NULL;
      gboolean stream = s == 1;

      i2a_fake_iflow_clear_requests (e->fake);
      r = chat (e, TOK_R, "hi", stream);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpuint (seen (e, KEY_1), ==, 1);
      g_assert_cmpuint (seen (e, KEY_2), ==, 1);
      g_assert_cmpstr (last_key (e), ==, KEY_2);
      if (stream)
        g_assert_cmpstr (r->events->pdata[r->events->len - 1], ==, "[DONE]");
      g_assert_cmpint (r->headers_time - r->start_time, >=, 50 * 1000);
      /* Move the rotation back to acc1. */
      {
        g_autoptr(I2aTestResponse) skip = chat (e, TOK_R, "hi", FALSE);
        g_assert_cmpstr (last_key (e), ==, KEY_3);
      }
    }

  /* A client error is not the account's fault: no failover, no count. */
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:business 435 Model not support");
  i2a_fake_iflow_clear_requests (e->fake);
  g_assert_cmpuint (i2a_account_get_consecutive_failures (account (e, "acc1")), ==, 2);
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 400);
    g_assert_cmpuint (seen (e, KEY_1), ==, 1);
    g_assert_cmpuint (i2a_fake_iflow_get_requests (e->fake)->len, ==, 1);
    g_assert_cmpuint (i2a_account_get_consecutive_failures (account (e, "acc1")), ==, 2);
    g_assert_false (i2a_account_is_circuit_open (account (e, "acc1"), g_get_real_time () / G_USEC_PER_SEC));
  }
  env_free (e);
}

static void
test_no_failover_after_first_byte (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES "}");
  g_autoptr(I2aTestResponse) r = NULL;
  const char *error_event;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:break-after 2");
  r = chat (e, TOK_R, "hi", TRUE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (r->events->len, ==, 4);
  error_event = r->events->pdata[2];
  g_assert_nonnull (strstr (error_event, "\"error\""));
  g_assert_cmpstr (r->events->pdata[3], ==, "[DONE]");
  g_assert_cmpuint (seen (e, KEY_2) + seen (e, KEY_3), ==, 0);
  /* The slot is freed once the server has finished the response. */
  g_assert_true (i2a_test_wait_until (account_idle, account (e, "acc1"), 2000));
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
  i2a_server_stop (exposed);
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
  g_autoptr(JsonObject) obj = i2a_test_response_json (r);
  g_autoptr(JsonObject) health = i2a_test_response_json (h);
  JsonObject *a1, *a2;

  g_assert_cmpuint (r->status, ==, 200);
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
  g_test_add_func ("/pool/circuit/open-trial-close", test_circuit_breaker);
  g_test_add_func ("/pool/circuit/half-open-single-trial", test_half_open_single_trial);
  g_test_add_func ("/pool/circuit/all-open-503", test_all_open_503);
  g_test_add_func ("/pool/circuit/retry-after", test_retry_after_is_cool_down);
  g_test_add_func ("/pool/failover/before-first-byte", test_failover_before_first_byte);
  g_test_add_func ("/pool/failover/not-after-first-byte", test_no_failover_after_first_byte);
  g_test_add_func ("/pool/auth/combinations", test_auth_combinations);
  g_test_add_func ("/pool/auth/bind-refused", test_bind_refused);
  g_test_add_func ("/pool/debug/no-secrets", test_debug_no_secrets);
  g_test_add_func ("/pool/reload/live", test_reload);
  g_test_add_func ("/pool/provider/openai", test_provider_openai);
  return g_test_run ();
}

/* pool-test-env.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The pool tests' harness; see pool-test-env.h. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "pool-test-env.h"

void
write_keys (Env        *e,
            const char *json)
{
  g_autofree char *url = i2a_fake_iflow_dup_base_url (e->fake);
  g_auto(GStrv) parts = g_strsplit (json, "@BASE@", -1);
  g_autofree char *text = g_strjoinv (url, parts);
  g_autofree char *tmp = g_strconcat (e->keys_path, ".tmp", NULL);

  /* An edit made through the pool is written in the background: under
   * load it could land after this file and replace it. */
  if (e->pool)
    env_flush (e);
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

Env *
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

void
env_flush (Env *e)
{
  i2a_test_pool_flush (e->pool);
}

void
env_free (Env *e)
{
  /* Edits made through the pool are written in the background. */
  env_flush (e);
  g_signal_handlers_disconnect_by_data (e->pool, e);
  soup_session_abort (e->client);
  g_object_unref (e->client);
  i2a_test_server_finalize (e->server);
  /* A reload of keys.json after the pool's own write may be in flight. */
  i2a_test_finalize_soon (e->pool);
  i2a_test_finalize_soon (e->cli);
  i2a_fake_iflow_free (e->fake);
  i2a_test_rm_rf (e->dir);
  g_free (e->dir);
  g_free (e->keys_path);
  g_free (e->base);
  g_free (e);
}

I2aTestResponse *
chat (Env        *e,
      const char *token,
      const char *content,
      gboolean    stream)
{
  g_autofree char *url = g_strconcat (e->base, "/v1/chat/completions", NULL);
  g_autofree char *body = i2a_test_chat_body ("glm-5", content, stream);

  return i2a_test_request (e->client, "POST", url, token, "application/json", body, 0, 0);
}

I2aTestResponse *
get (Env        *e,
     const char *path,
     const char *token)
{
  g_autofree char *url = g_strconcat (e->base, path, NULL);

  return i2a_test_request (e->client, "GET", url, token, NULL, NULL, 0, 0);
}

const char *
last_key (Env *e)
{
  return i2a_fake_iflow_get_last_request (e->fake)->api_key;
}

/* Requests (any outcome) the fake saw with @key. */
guint
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

I2aAccount *
account (Env        *e,
         const char *id)
{
  I2aAccount *a = i2a_pool_lookup_account (e->pool, id);

  g_assert_nonnull (a);
  return a;
}

gboolean
account_idle (gpointer data)
{
  return i2a_account_get_in_flight (data) == 0;
}

/* ---- parallel requests -------------------------------------------------- */

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

Async *
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

void
async_free (Async *a)
{
  g_object_unref (a->msg);
  g_object_unref (a->cancellable);
  g_clear_pointer (&a->body, g_bytes_unref);
  g_clear_error (&a->error);
  g_free (a);
}

gboolean
all_done (gpointer data)
{
  GPtrArray *list = data;

  for (guint i = 0; i < list->len; i++)
    if (!((Async *) list->pdata[i])->done)
      return FALSE;
  return TRUE;
}

gboolean
async_is_done (gpointer data)
{
  return ((Async *) data)->done;
}

JsonObject *
debug_account (Env        *e,
               const char *id)
{
  g_autoptr(JsonNode) node = i2a_debug_endpoint_build (e->pool);
  JsonObject *accounts = json_object_get_object_member (json_node_get_object (node), "accounts");

  return json_object_ref (json_object_get_object_member (accounts, id));
}


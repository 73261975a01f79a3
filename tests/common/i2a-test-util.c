/* i2a-test-util.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-test"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "i2a-json.h"
#include "i2a-test-util.h"

char *
i2a_test_mkdtemp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("i2a-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
i2a_test_rm_rf (const char *path)
{
  GDir *dir;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      dir = g_dir_open (path, 0, NULL);
      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          i2a_test_rm_rf (child);
        }
      if (dir)
        g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

void
i2a_test_write_file (const char *path,
                     const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static gboolean
timeout_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

char *
i2a_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

gboolean
i2a_test_wait_until (gboolean (*cond) (gpointer data),
                     gpointer   data,
                     guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_flag_cb, &timed_out);
  gboolean result;

  while (!(result = cond (data)) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return result;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
i2a_test_sleep_ms (guint ms)
{
  i2a_test_wait_until (never, NULL, ms);
}

void
i2a_test_response_free (I2aTestResponse *r)
{
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_string_free (r->body, TRUE);
  g_ptr_array_unref (r->events);
  g_array_unref (r->event_times);
  g_clear_error (&r->error);
  g_free (r);
}

typedef struct
{
  I2aTestResponse *r;
  SoupMessage     *msg;
  GInputStream    *stream;
  GCancellable    *cancellable;
  GString         *line;
  guint            close_after;
  guint            timer;
} ReadState;

static void read_more (ReadState *st);

static void
finish_read (ReadState *st)
{
  st->r->done = TRUE;
  g_clear_handle_id (&st->timer, g_source_remove);
}

static void
close_now (ReadState *st)
{
  /* Closing the stream closes the connection: the server sees EOF. */
  g_cancellable_cancel (st->cancellable);
  if (st->stream)
    g_input_stream_close (st->stream, NULL, NULL);
  finish_read (st);
}

static void
scan_events (ReadState  *st,
             const char *data,
             gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != '\n')
        {
          g_string_append_c (st->line, data[i]);
          continue;
        }
      if (g_str_has_prefix (st->line->str, "data:"))
        {
          const char *payload = st->line->str + 5;
          gint64 now = g_get_monotonic_time ();

          if (*payload == ' ')
            payload++;
          g_ptr_array_add (st->r->events, g_strdup (payload));
          g_array_append_val (st->r->event_times, now);
        }
      g_string_truncate (st->line, 0);
    }
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ReadState *st = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (st->r->done)
    return;
  if (bytes == NULL)
    {
      g_propagate_error (&st->r->error, g_steal_pointer (&error));
      finish_read (st);
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      finish_read (st);
      return;
    }
  g_string_append_len (st->r->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  scan_events (st, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (st->close_after > 0 && st->r->events->len >= st->close_after)
    {
      close_now (st);
      return;
    }
  read_more (st);
}

static void
read_more (ReadState *st)
{
  g_input_stream_read_bytes_async (st->stream, 8192, G_PRIORITY_DEFAULT, st->cancellable, read_cb, st);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ReadState *st = user_data;
  g_autoptr(GError) error = NULL;

  st->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (st->r->done)
    {
      g_clear_object (&st->stream);
      return;
    }
  if (st->stream == NULL)
    {
      g_propagate_error (&st->r->error, g_steal_pointer (&error));
      finish_read (st);
      return;
    }
  st->r->headers_time = g_get_monotonic_time ();
  st->r->status = soup_message_get_status (st->msg);
  st->r->headers = soup_message_headers_ref (soup_message_get_response_headers (st->msg));
  read_more (st);
}

static gboolean
close_timer_cb (gpointer user_data)
{
  ReadState *st = user_data;

  st->timer = 0;
  close_now (st);
  return G_SOURCE_REMOVE;
}

static gboolean
response_done (gpointer data)
{
  return ((I2aTestResponse *) data)->done;
}

I2aTestResponse *
i2a_test_request (SoupSession *session,
                  const char  *method,
                  const char  *url,
                  const char  *token,
                  const char  *content_type,
                  const char  *body,
                  guint        close_after_events,
                  guint        close_after_ms)
{
  I2aTestResponse *r = g_new0 (I2aTestResponse, 1);
  ReadState st = { 0 };

  r->body = g_string_new (NULL);
  r->events = g_ptr_array_new_with_free_func (g_free);
  r->event_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  r->start_time = g_get_monotonic_time ();

  st.r = r;
  st.msg = soup_message_new (method, url);
  g_assert_nonnull (st.msg);
  st.cancellable = g_cancellable_new ();
  st.line = g_string_new (NULL);
  st.close_after = close_after_events;
  if (token)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (st.msg), "Authorization", auth);
    }
  if (body)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (st.msg, content_type, bytes);
    }
  if (close_after_ms > 0)
    st.timer = g_timeout_add (close_after_ms, close_timer_cb, &st);

  soup_session_send_async (session, st.msg, G_PRIORITY_DEFAULT, st.cancellable, sent_cb, &st);
  g_assert_true (i2a_test_wait_until (response_done, r, 30000));
  /* Let the cancelled read callback run before st goes away. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  g_clear_handle_id (&st.timer, g_source_remove);
  g_clear_object (&st.stream);
  g_object_unref (st.msg);
  g_object_unref (st.cancellable);
  g_string_free (st.line, TRUE);
  return r;
}

JsonObject *
i2a_test_response_json (I2aTestResponse *r)
{
  return i2a_json_parse_object (r->body->str, r->body->len);
}

JsonObject *
i2a_test_assert_openai_error (I2aTestResponse *r,
                              guint            status)
{
  g_autoptr(JsonObject) obj = i2a_test_response_json (r);
  JsonObject *err;

  if (r->status != status)
    g_test_message ("unexpected status %u (want %u): %s", r->status, status, r->body->str);
  g_assert_cmpuint (r->status, ==, status);
  g_assert_nonnull (obj);
  g_assert_true (json_object_has_member (obj, "error"));
  err = json_object_get_object_member (obj, "error");
  g_assert_nonnull (err);
  g_assert_nonnull (json_object_get_string_member (err, "message"));
  g_assert_nonnull (json_object_get_string_member (err, "type"));
  g_assert_true (json_object_has_member (err, "code"));
  return json_object_ref (err);
}

static gboolean
cli_loaded (gpointer data)
{
  return i2a_cli_settings_is_loaded (data);
}

I2aTestProxy *
i2a_test_proxy_new (gboolean with_login)
{
  I2aTestProxy *p = g_new0 (I2aTestProxy, 1);
  g_autoptr(GError) error = NULL;

  p->fake = i2a_fake_iflow_new ();
  i2a_fake_iflow_add_key (p->fake, I2A_TEST_KEY);
  p->home = i2a_test_mkdtemp ();
  p->iflow_dir = g_build_filename (p->home, ".iflow", NULL);
  g_mkdir_with_parents (p->iflow_dir, 0700);
  if (with_login)
    {
      g_autofree char *base = i2a_fake_iflow_dup_base_url (p->fake);
      g_autofree char *json = g_strdup_printf ("{\"cna\":\"x\",\"selectedAuthType\":\"oauth-iflow\","
                                               "\"apiKey\":\"%s\",\"baseUrl\":\"%s/\",\"modelName\":\"glm-5\"}",
                                               I2A_TEST_KEY, base);
      g_autofree char *path = g_build_filename (p->iflow_dir, "settings.json", NULL);
      i2a_test_write_file (path, json);
    }
  p->cli = i2a_cli_settings_new (p->iflow_dir);
  g_assert_true (i2a_test_wait_until (cli_loaded, p->cli, 5000));
  p->pool = i2a_pool_new (p->cli);
  p->server = i2a_server_new (p->pool);
  g_assert_true (i2a_server_start (p->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  p->base = g_strdup_printf ("http://127.0.0.1:%u", i2a_server_get_port (p->server));
  p->client = soup_session_new_with_options ("timeout", 0, "max-conns", 512, "max-conns-per-host", 512, NULL);
  return p;
}

typedef struct { I2aFakeIflow *fake; guint want; } AbortWait;

static gboolean
fake_saw_aborts (gpointer data)
{
  AbortWait *w = data;

  return i2a_fake_iflow_get_aborted (w->fake) >= w->want;
}

gboolean
i2a_test_wait_fake_aborts (I2aFakeIflow *fake,
                           guint         n,
                           guint         timeout_ms)
{
  AbortWait w = { fake, n };

  return i2a_test_wait_until (fake_saw_aborts, &w, timeout_ms);
}

static gboolean
no_active (gpointer server)
{
  return i2a_server_get_active_requests (server) == 0;
}

gboolean
i2a_test_wait_no_active (I2aServer *server,
                         guint      timeout_ms)
{
  return i2a_test_wait_until (no_active, server, timeout_ms);
}

char *
i2a_test_run_client_step (const char *command,
                          guint       step,
                          const char *home,
                          const char *keys,
                          const char *env_var,
                          const char *env_value)
{
  static const char *const modes[I2A_TEST_CLIENT_STEPS] = { NULL, "--apply", "--list-backups", "--undo" };
  const char *bin = g_getenv ("I2A_BINARY");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_assert_nonnull (bin);
  g_assert_cmpuint (step, <, I2A_TEST_CLIENT_STEPS);
  g_subprocess_launcher_setenv (launcher, env_var, env_value, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  if (step < 2)
    proc = g_subprocess_launcher_spawn (launcher, &error, bin, command, "--port", "8765",
                                        "--keys", keys, "--model", "glm-4.7", modes[step], NULL);
  else
    proc = g_subprocess_launcher_spawn (launcher, &error, bin, command, modes[step], NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));
  return out;
}

void
i2a_test_write_client_keys (const char *path,
                            const char *client_key)
{
  g_autofree char *json = g_strdup_printf ("{\"auth\":{\"enabled\":true,\"required\":true},"
                                           "\"accounts\":{\"a\":{\"api_key\":\"sk-upstream-0123456789\","
                                           "\"base_url\":\"http://127.0.0.1:9/v1\"}},"
                                           "\"keys\":{\"%s\":{\"account\":\"a\"}}}", client_key);

  i2a_test_write_file (path, json);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
}

void
i2a_test_result_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      slot)
{
  g_set_object ((GAsyncResult **) slot, result);
}

GAsyncResult *
i2a_test_wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

static gboolean
result_arrived (gpointer slot)
{
  return *(GAsyncResult **) slot != NULL;
}

void
i2a_test_pool_flush (I2aPool *pool)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  i2a_pool_flush_async (pool, NULL, i2a_test_result_cb, &result);
  g_assert_true (i2a_test_wait_until (result_arrived, &result, 5000));
  g_assert_true (i2a_pool_flush_finish (pool, result, &error));
  g_assert_no_error (error);
}

I2aAccountSecrets *
i2a_test_secrets_lookup (I2aSecretStore *store,
                         const char     *id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  I2aAccountSecrets *secrets;

  i2a_secret_store_lookup_async (store, id, NULL, i2a_test_result_cb, &result);
  g_assert_true (i2a_test_wait_until (result_arrived, &result, 5000));
  secrets = i2a_secret_store_lookup_finish (store, result, &error);
  g_assert_no_error (error);
  return secrets;
}

void
i2a_test_drain (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

void
i2a_test_server_finalize (I2aServer *server)
{
  i2a_server_stop (server);
  while (i2a_server_is_draining (server))
    g_main_context_iteration (NULL, TRUE);
  i2a_test_drain ();
  i2a_test_finalize_soon (server);
}

static gboolean
is_cleared (gpointer weak)
{
  return *(gpointer *) weak == NULL;
}

void
i2a_test_finalize_soon (gpointer object)
{
  gpointer weak = object;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  if (!i2a_test_wait_until (is_cleared, &weak, 5000))
    {
      g_object_remove_weak_pointer (weak, &weak);
      g_error ("%s %p is still referenced", G_OBJECT_TYPE_NAME (weak), weak);
    }
}

void
i2a_test_proxy_free (I2aTestProxy *p)
{
  soup_session_abort (p->client);
  g_object_unref (p->client);
  i2a_test_server_finalize (p->server);
  i2a_test_finalize_soon (p->pool);
  i2a_test_finalize_soon (p->cli);
  i2a_fake_iflow_free (p->fake);
  i2a_test_rm_rf (p->home);
  g_free (p->home);
  g_free (p->iflow_dir);
  g_free (p->base);
  g_free (p);
}

char *
i2a_test_proxy_url (I2aTestProxy *p,
                    const char   *path)
{
  return g_strconcat (p->base, path, NULL);
}

char *
i2a_test_chat_body (const char *model,
                    const char *content,
                    gboolean    stream)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, model);
  json_builder_set_member_name (b, "messages");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "user");
  json_builder_set_member_name (b, "content");
  json_builder_add_string_value (b, content);
  json_builder_end_object (b);
  json_builder_end_array (b);
  if (stream)
    {
      json_builder_set_member_name (b, "stream");
      json_builder_add_boolean_value (b, TRUE);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

I2aTestResponse *
i2a_test_proxy_chat (I2aTestProxy *p,
                     const char   *body)
{
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/chat/completions");

  return i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 0, 0);
}

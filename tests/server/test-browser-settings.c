/* test-browser-settings.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The allowed web origins and extra host names of the app's settings
 * (what the Preferences window edits): a running server follows them at
 * once, in addition to keys.json's, and the entries are validated. The
 * suite runs with the memory settings backend and the schema of the
 * build. */
#include "config.h"

#include <string.h>

#include "i2a-gate.h"
#include "i2a-server-settings.h"
#include "i2a-test-util.h"

typedef struct
{
  SoupMessage *msg;
  gboolean     done;
} Sent;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Sent *sent = data;
  g_autoptr(GBytes) answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  sent->done = TRUE;
}

static gboolean
is_sent (gpointer data)
{
  return ((Sent *) data)->done;
}

/* GET /v1/models with one header of our choice (Host, Origin): the status. */
static guint
status_with (I2aTestProxy *p,
             const char   *header,
             const char   *value)
{
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/models");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  Sent sent = { msg, FALSE };

  soup_message_headers_replace (soup_message_get_request_headers (msg), header, value);
  soup_session_send_and_read_async (p->client, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &sent);
  g_assert_true (i2a_test_wait_until (is_sent, &sent, 10000));
  return soup_message_get_status (msg);
}

static void
set_list (GSettings  *settings,
          const char *key,
          const char *first,
          ...)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) values = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *v = first; v; v = va_arg (ap, const char *))
    g_strv_builder_add (b, v);
  va_end (ap);
  values = g_strv_builder_end (b);
  g_settings_set_strv (settings, key, (const char *const *) values);
}

static void
test_origin_follows_settings (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  i2a_server_follow_settings (p->server, settings);
  g_assert_cmpuint (status_with (p, "Origin", "http://localhost:5173"), ==, 403);
  /* Added in the settings: accepted at once, no restart. */
  set_list (settings, "allowed-origins", "https://chat.example.org", "http://localhost:5173", NULL);
  g_assert_cmpuint (status_with (p, "Origin", "http://localhost:5173"), ==, 200);
  g_assert_cmpuint (status_with (p, "Origin", "https://chat.example.org"), ==, 200);
  g_assert_cmpuint (status_with (p, "Origin", "https://evil.example"), ==, 403);
  /* Removed: refused again. */
  set_list (settings, "allowed-origins", "https://chat.example.org", NULL);
  g_assert_cmpuint (status_with (p, "Origin", "http://localhost:5173"), ==, 403);
  g_assert_cmpuint (status_with (p, "Origin", "https://chat.example.org"), ==, 200);
  g_settings_reset (settings, "allowed-origins");
  g_assert_cmpuint (status_with (p, "Origin", "https://chat.example.org"), ==, 403);
  i2a_test_proxy_free (p);
}

static void
test_host_follows_settings (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *with_port = NULL;

  i2a_server_follow_settings (p->server, settings);
  with_port = g_strdup_printf ("box.test:%u", i2a_server_get_port (p->server));
  g_assert_cmpuint (status_with (p, "Host", with_port), ==, 403);
  set_list (settings, "allowed-hosts", "box.test", NULL);
  g_assert_cmpuint (status_with (p, "Host", with_port), ==, 200);
  g_assert_cmpuint (status_with (p, "Host", "other.test"), ==, 403);
  g_settings_set_strv (settings, "allowed-hosts", NULL);
  g_assert_cmpuint (status_with (p, "Host", with_port), ==, 403);
  i2a_test_proxy_free (p);
}

/* keys.json's lists and the settings' add up. */
static void
test_settings_and_keys_json_union (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *keys = g_build_filename (p->home, "keys.json", NULL);
  g_autoptr(I2aPool) pool = NULL;
  g_autoptr(I2aServer) server = NULL;
  g_auto(GStrv) origins = NULL;

  i2a_test_write_file (keys, "{\"server\": {\"allowed_origins\": [\"http://from-keys.test\"]}}");
  pool = i2a_pool_new_with_keys (p->cli, keys);
  while (!i2a_pool_is_loaded (pool))
    g_main_context_iteration (NULL, TRUE);
  server = i2a_server_new (pool);
  set_list (settings, "allowed-origins", "http://from-settings.test", NULL);
  i2a_server_follow_settings (server, settings);
  origins = i2a_server_dup_allowed_origins (server);
  g_assert_true (g_strv_contains ((const char *const *) origins, "http://from-settings.test"));
  g_assert_true (g_strv_contains ((const char *const *) origins, "http://from-keys.test"));
  g_settings_reset (settings, "allowed-origins");
  g_clear_pointer (&origins, g_strfreev);
  origins = i2a_server_dup_allowed_origins (server);
  g_assert_false (g_strv_contains ((const char *const *) origins, "http://from-settings.test"));
  g_assert_true (g_strv_contains ((const char *const *) origins, "http://from-keys.test"));
  /* Both hold the proxy's iFlow CLI settings, which must go with it. */
  i2a_test_finalize_soon (g_steal_pointer (&server));
  i2a_test_finalize_soon (g_steal_pointer (&pool));
  i2a_test_proxy_free (p);
}

/* gsettings(1) writes anything: invalid entries are skipped, with a
 * warning, and the valid ones still apply. */
static void
test_invalid_entries_skipped (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_auto(GStrv) origins = NULL;

  i2a_server_follow_settings (p->server, settings);
  g_test_expect_message ("i2a-server-settings", G_LOG_LEVEL_WARNING, "*not valid*");
  set_list (settings, "allowed-origins", "chat.example.org/path", "http://ok.test", NULL);
  g_test_assert_expected_messages ();
  origins = i2a_server_dup_allowed_origins (p->server);
  g_assert_cmpuint (g_strv_length (origins), ==, 1);
  g_assert_cmpstr (origins[0], ==, "http://ok.test");
  g_settings_reset (settings, "allowed-origins");
  i2a_test_proxy_free (p);
}

static void
test_validation (void)
{
  const char *good_origins[] = { "https://chat.example.org", "http://localhost:3000", "http://127.0.0.1:5173/",
                                 "chrome-extension://abcdef", "http://[::1]:8080" };
  const char *bad_origins[] = { "", "chat.example.org", "https://", "https://a.test/path", "https://u:p@a.test",
                                "https://a.test?x=1", "https://a.test#f", "not a url", "http://a .test" };
  const char *good_hosts[] = { "myhost", "myhost:8000", "box.local", "[::1]:8000", "10.0.0.2" };
  const char *bad_hosts[] = { "", "http://myhost", "myhost/path", "user@myhost", "myhost:0", "myhost:99999",
                              "my host", "a:b:c" };

  for (guint i = 0; i < G_N_ELEMENTS (good_origins); i++)
    g_assert_true (i2a_gate_origin_is_valid (good_origins[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad_origins); i++)
    {
      g_test_message ("origin '%s'", bad_origins[i]);
      g_assert_false (i2a_gate_origin_is_valid (bad_origins[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (good_hosts); i++)
    g_assert_true (i2a_gate_host_name_is_valid (good_hosts[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad_hosts); i++)
    {
      g_test_message ("host '%s'", bad_hosts[i]);
      g_assert_false (i2a_gate_host_name_is_valid (bad_hosts[i]));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/browser-settings/validation", test_validation);
  g_test_add_func ("/server/browser-settings/origin", test_origin_follows_settings);
  g_test_add_func ("/server/browser-settings/host", test_host_follows_settings);
  g_test_add_func ("/server/browser-settings/union-with-keys-json", test_settings_and_keys_json_union);
  g_test_add_func ("/server/browser-settings/invalid-entries", test_invalid_entries_skipped);
  return g_test_run ();
}

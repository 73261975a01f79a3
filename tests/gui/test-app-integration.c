/* test-app-integration.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The app with the desktop around it, over the session bus:
 *  - app.login activated by another D-Bus client runs the browser login
 *    against the fake iflow.cn OAuth server; the "browser" is test-browser,
 *    the http handler of a temporary XDG data dir (desktop file +
 *    mimeapps.list), started by gtk_show_uri_full() like a real one;
 *  - the tray item's icon, status and tooltip, read by a stand-in tray
 *    host, follow the server and the pool's health;
 *  - the "default-strategy" setting reaches the pool, live. */
#include "config.h"

#include <glib/gstdio.h>

#include "fake-oauth-server.h"
#include "gui-test-app.h"
#include "i2a-account-row.h"
#include "i2a-accounts-pane.h"
#include "i2a-tray-item.h"

#define SNI_IFACE "org.kde.StatusNotifierItem"

static const char *test_home;
static gboolean have_browser;

static char *
keys_path (void)
{
  return g_build_filename (test_home, ".iflow2api", "keys.json", NULL);
}

static void
remove_keys (void)
{
  g_autofree char *path = keys_path ();

  g_unlink (path);
}

static I2aAccountsPane *
accounts_pane (Run *run)
{
  return I2A_ACCOUNTS_PANE (i2a_window_get_accounts_pane (main_window (run)));
}

/* ---- app.login over D-Bus ---------------------------------------------- */

/* The test browser as the default http(s) handler, before GIO reads the
 * desktop files. FALSE when it was not built. */
static gboolean
install_test_browser (void)
{
  const char *browser = g_getenv ("I2A_TEST_BROWSER");
  g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  g_autofree char *desktop = g_build_filename (apps, "i2a-test-browser.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (g_get_user_config_dir (), "mimeapps.list", NULL);
  g_autofree char *contents = NULL;

  if (browser == NULL || !g_file_test (browser, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  g_mkdir_with_parents (apps, 0700);
  g_mkdir_with_parents (g_get_user_config_dir (), 0700);
  contents = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Test browser\n"
                              "Exec=%s %%u\nNoDisplay=true\n"
                              "MimeType=x-scheme-handler/http;x-scheme-handler/https;\n", browser);
  i2a_test_write_file (desktop, contents);
  i2a_test_write_file (mimeapps,
                       "[Default Applications]\n"
                       "x-scheme-handler/http=i2a-test-browser.desktop\n"
                       "x-scheme-handler/https=i2a-test-browser.desktop\n");
  return TRUE;
}

typedef struct
{
  GVariant *reply;
  GError   *error;
  gboolean  done;
} Call;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  Call *call = data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &call->error);
  call->done = TRUE;
}

static gboolean
call_done (gpointer data)
{
  return ((Call *) data)->done;
}

/* An async call from @connection (the app shares our main context). */
static GVariant *
call_sync (GDBusConnection    *connection,
           const char         *name,
           const char         *path,
           const char         *iface,
           const char         *method,
           GVariant           *parameters,
           const GVariantType *reply_type)
{
  Call call = { NULL, NULL, FALSE };

  g_dbus_connection_call (connection, name, path, iface, method, parameters, reply_type,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, call_done_cb, &call);
  g_assert_true (i2a_test_wait_until (call_done, &call, 6000));
  g_assert_no_error (call.error);
  return call.reply;
}

/* The row of the account the login made, or NULL. */
static I2aAccount *
login_row_account (Run *run)
{
  I2aAccountsPane *pane = accounts_pane (run);

  for (guint i = 0; i < i2a_accounts_pane_get_n_rows (pane); i++)
    {
      I2aAccount *account = i2a_account_row_get_account (I2A_ACCOUNT_ROW (i2a_accounts_pane_get_row (pane, i)));

      if (g_strcmp0 (i2a_account_get_email (account), "tester@example.com") == 0)
        return account;
    }
  return NULL;
}

static gboolean
has_login_row (gpointer data)
{
  return login_row_account (data) != NULL;
}

static FakeOAuthServer *oauth;

static void
drive_login (Run *run)
{
  g_autoptr(GDBusConnection) other = gui_test_bus_connection_new ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = keys_path ();
  I2aAccountStore *store = i2a_application_get_account_store (run->app);
  I2aAccountsPane *pane = accounts_pane (run);
  I2aAccount *account;
  JsonObject *accounts, *entry;
  g_autoptr(GList) ids = NULL;
  const char *id;
  g_autoptr(I2aAccountSecrets) secrets = NULL;

  /* Nothing but the placeholder of the (missing) iFlow CLI login. */
  g_assert_cmpstr (i2a_window_get_visible_page (main_window (run)), ==, "empty");
  g_assert_null (login_row_account (run));

  /* What a launcher or the tray host sends. */
  reply = call_sync (other, APP_ID, GUI_TEST_OBJECT_PATH, "org.gtk.Actions", "Activate",
                     g_variant_new ("(s@av@a{sv})", "login",
                                    g_variant_new_array (G_VARIANT_TYPE_VARIANT, NULL, 0),
                                    g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                     NULL);

  /* The browser logs in, the login is saved, the pane shows it. */
  g_assert_true (i2a_test_wait_until (has_login_row, run, 20000));
  g_assert_cmpstr (i2a_window_get_visible_page (main_window (run)), ==, "accounts");
  g_assert_cmpuint (i2a_accounts_pane_get_n_rows (pane), ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_authorize_count (oauth), ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_code_exchange_count (oauth), ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_bad_request_count (oauth), ==, 0);
  account = login_row_account (run);
  id = i2a_account_get_id (account);
  g_assert_cmpstr (i2a_account_get_email (account), ==, "tester@example.com");
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, fake_oauth_server_get_last_api_key (oauth));

  /* keys.json has the entry, without any secret (once written: the pool
   * writes in the background). */
  i2a_test_pool_flush (i2a_application_get_pool (run->app));
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  accounts = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "accounts");
  ids = json_object_get_members (accounts);
  g_assert_cmpuint (g_list_length (ids), ==, 1);
  g_assert_cmpstr (ids->data, ==, id);
  entry = json_object_get_object_member (accounts, id);
  g_assert_cmpstr (json_object_get_string_member (entry, "email"), ==, "tester@example.com");
  g_assert_cmpstr (json_object_get_string_member (entry, "auth_type"), ==, I2A_AUTH_TYPE_OAUTH);
  g_assert_false (json_object_has_member (entry, "api_key"));

  /* The keyring has the secrets. */
  secrets = i2a_test_secrets_lookup (i2a_account_store_get_secret_store (store), id);
  g_assert_nonnull (secrets);
  g_assert_cmpstr (secrets->api_key, ==, fake_oauth_server_get_last_api_key (oauth));
  g_assert_cmpstr (secrets->access_token, ==, fake_oauth_server_get_last_access_token (oauth));
  g_assert_cmpstr (secrets->refresh_token, ==, fake_oauth_server_get_last_refresh_token (oauth));

  /* The dialog closed by itself. */
  g_assert_null (i2a_window_get_login_dialog (main_window (run)));
  quit_app (run);
}

static void
test_login_over_dbus (void)
{
  g_autofree char *cli_settings = g_build_filename (test_home, ".iflow", "settings.json", NULL);
  Run *run;

  if (!have_browser)
    {
      g_test_skip ("test-browser not built");
      return;
    }
  remove_keys ();
  oauth = fake_oauth_server_new ();
  g_setenv ("IFLOW2API_OAUTH_BASE", fake_oauth_server_get_base_url (oauth), TRUE);

  run = run_new (test_home);
  run_app (run, drive_login);
  run_free (run);

  g_unsetenv ("IFLOW2API_OAUTH_BASE");
  g_clear_pointer (&oauth, fake_oauth_server_free);
  remove_keys ();
  /* The login was shared with the iFlow CLI (the default). */
  g_unlink (cli_settings);
}

/* ---- the tray follows the server and the pool --------------------------- */

typedef struct
{
  Run             *run;
  FakeWatcher     *watcher;
  GDBusConnection *host;       /* the tray host's connection */
  char            *icon;
  char            *status;
  char            *body;
} Tray;

static gboolean
item_registered (gpointer data)
{
  Tray *tray = data;

  return tray->watcher->item_sender != NULL && i2a_application_get_tray_available (tray->run->app);
}

/* What a host shows: IconName, Status and the tooltip's text. */
static void
read_tray (Tray *tray)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) tooltip = NULL;
  const char *body = NULL;

  reply = call_sync (tray->host, tray->watcher->item_sender, tray->watcher->item_path,
                     "org.freedesktop.DBus.Properties", "GetAll",
                     g_variant_new ("(s)", SNI_IFACE), G_VARIANT_TYPE ("(a{sv})"));
  props = g_variant_get_child_value (reply, 0);
  g_clear_pointer (&tray->icon, g_free);
  g_clear_pointer (&tray->status, g_free);
  g_clear_pointer (&tray->body, g_free);
  g_assert_true (g_variant_lookup (props, "IconName", "s", &tray->icon));
  g_assert_true (g_variant_lookup (props, "Status", "s", &tray->status));
  tooltip = g_variant_lookup_value (props, "ToolTip", G_VARIANT_TYPE ("(sa(iiay)ss)"));
  g_assert_nonnull (tooltip);
  g_variant_get (tooltip, "(&s@a(iiay)&s&s)", NULL, NULL, NULL, &body);
  tray->body = g_strdup (body);
}

/* Reads until the host sees @icon, @status and a tooltip starting with
 * @body (the tray is told of changes with signals; we poll like a host
 * that re-reads). */
static void
assert_tray (Tray       *tray,
             const char *icon,
             const char *status,
             const char *body)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  do
    {
      read_tray (tray);
      if (g_str_equal (tray->icon, icon) && g_str_equal (tray->status, status) &&
          g_str_has_prefix (tray->body, body))
        return;
      gui_test_spin (20);
    }
  while (g_get_monotonic_time () < end);
  g_assert_cmpstr (tray->icon, ==, icon);
  g_assert_cmpstr (tray->status, ==, status);
  g_assert_cmpstr (tray->body, ==, body);
}

static Tray *current_tray;

static void
drive_tray (Run *run)
{
  Tray *tray = current_tray;
  GActionGroup *group = G_ACTION_GROUP (run->app);
  I2aPool *pool = i2a_application_get_pool (run->app);
  g_autofree char *url = NULL;
  g_autofree char *serving = NULL;
  g_autoptr(GError) error = NULL;

  tray->run = run;
  g_assert_true (i2a_test_wait_until (item_registered, tray, 5000));
  tray->host = gui_test_bus_connection_new ();

  /* Running, both accounts usable. */
  url = i2a_server_dup_base_url (i2a_application_get_server (run->app));
  serving = g_strdup_printf ("Server running\nServing %s", url);
  assert_tray (tray, APP_ID, "Active", serving);

  /* One account disabled: degraded. */
  g_assert_true (i2a_pool_set_account_enabled (pool, "acc2", FALSE, &error));
  g_assert_no_error (error);
  assert_tray (tray, APP_ID "-degraded", "NeedsAttention",
               "Server running, some accounts unavailable\n1 of 2 accounts available");

  /* Stopped wins over degraded. */
  g_action_group_activate_action (group, "stop-server", NULL);
  assert_tray (tray, APP_ID "-stopped", "Active", "Server stopped\nThe API server is stopped");
  g_action_group_activate_action (group, "start-server", NULL);
  assert_tray (tray, APP_ID "-degraded", "NeedsAttention", "Server running, some accounts unavailable");

  /* Healthy again; then an account whose login expired. */
  g_assert_true (i2a_pool_set_account_enabled (pool, "acc2", TRUE, &error));
  g_assert_no_error (error);
  g_free (url);
  g_free (serving);
  url = i2a_server_dup_base_url (i2a_application_get_server (run->app));
  serving = g_strdup_printf ("Server running\nServing %s", url);
  assert_tray (tray, APP_ID, "Active", serving);
  i2a_account_set_state (i2a_pool_lookup_account (pool, "acc1"), I2A_ACCOUNT_STATE_NEEDS_LOGIN);
  assert_tray (tray, APP_ID "-degraded", "NeedsAttention",
               "Server running, some accounts unavailable\n1 of 2 accounts available");
  quit_app (run);
}

#define KEYS_JSON \
  "{\"accounts\": {" \
  "\"acc1\": {\"label\": \"One\", \"provider\": \"openai\", \"base_url\": \"http://127.0.0.1:9/v1\", " \
  "\"api_key\": \"" I2A_TEST_KEY "\"}," \
  "\"acc2\": {\"label\": \"Two\", \"provider\": \"openai\", \"base_url\": \"http://127.0.0.1:9/v1\", " \
  "\"api_key\": \"" I2A_TEST_KEY "\"}}}"

static void
test_tray_follows_state (void)
{
  g_autofree char *path = keys_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  Tray tray = { NULL, };
  Run *run;

  g_mkdir_with_parents (dir, 0700);
  i2a_test_write_file (path, KEYS_JSON);
  tray.watcher = fake_watcher_new ();
  current_tray = &tray;

  run = run_new (test_home);
  run_app (run, drive_tray);
  run_free (run);

  current_tray = NULL;
  g_clear_object (&tray.host);
  g_free (tray.icon);
  g_free (tray.status);
  g_free (tray.body);
  fake_watcher_free (tray.watcher);
  remove_keys ();
}

/* ---- default-strategy ---------------------------------------------------- */

static gboolean
pool_least_busy (gpointer data)
{
  Run *run = data;

  return i2a_pool_get_default_strategy (i2a_application_get_pool (run->app)) == I2A_STRATEGY_LEAST_BUSY;
}

static void
drive_strategy (Run *run)
{
  I2aPool *pool = i2a_application_get_pool (run->app);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  /* Applied at startup ... */
  g_assert_cmpint (i2a_pool_get_default_strategy (pool), ==, I2A_STRATEGY_ROUND_ROBIN);
  /* ... and live. */
  g_settings_set_string (settings, "default-strategy", "least_busy");
  g_assert_true (i2a_test_wait_until (pool_least_busy, run, 5000));
  quit_app (run);
}

static void
test_default_strategy_setting (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  Run *run;

  g_settings_set_string (settings, "default-strategy", "round_robin");
  run = run_new (test_home);
  run_app (run, drive_strategy);
  run_free (run);
  g_settings_reset (settings, "default-strategy");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "en", TRUE);
  test_home = gui_test_init (&argc, &argv);
  have_browser = install_test_browser ();
  gui_test_notifications ();

  g_test_add_func ("/gui/app/login-over-dbus", test_login_over_dbus);
  g_test_add_func ("/gui/app/tray-follows-state", test_tray_follows_state);
  g_test_add_func ("/gui/app/default-strategy-setting", test_default_strategy_setting);
  return g_test_run ();
}

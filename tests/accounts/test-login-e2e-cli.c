/* test-login-e2e-cli.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The account subcommands of the real iflow2api binary ($I2A_BINARY), run
 * as subprocesses against the fake iflow.cn in this process, with HOME,
 * IFLOW2API_KEYS_PATH and IFLOW2API_OAUTH_BASE pointing at temp/fake
 * values. The keyring must be shared between processes, so this runs on a
 * real gnome-keyring (keyring-session.sh). A pool in this process plays
 * the running app and must pick every change up live. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "test-account-store-util.h"

typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
  GString          *stdout_text;
  char             *url;          /* the login URL, once printed */
  gboolean          eof;
  gboolean          exited;
} Run;

static void read_line_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* LANGUAGE for the next spawns (NULL: untranslated, as LC_ALL=C.UTF-8). */
static const char *spawn_language;

static void
read_next_line (Run *run)
{
  g_data_input_stream_read_line_async (run->out, G_PRIORITY_DEFAULT, NULL, read_line_cb, run);
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, NULL);

  if (line == NULL)
    {
      run->eof = TRUE;
      return;
    }
  g_string_append_printf (run->stdout_text, "%s\n", line);
  if (run->url == NULL && g_str_has_prefix (line, "  http"))
    run->url = g_strdup (line + 2);
  read_next_line (run);
}

static void
exited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  run->exited = TRUE;
}

static Run *
spawn (LoginStack         *s,
       const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  g_ptr_array_add (argv, (gpointer) g_getenv ("I2A_BINARY"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "HOME", s->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "IFLOW2API_KEYS_PATH", s->keys_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "IFLOW2API_OAUTH_BASE", fake_oauth_server_get_base_url (s->oauth), TRUE);
  if (spawn_language != NULL)
    {
      g_autofree char *po = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);

      /* The build tree's translations (main.c reads IFLOW2API_LOCALEDIR). */
      g_subprocess_launcher_setenv (launcher, "LANGUAGE", spawn_language, TRUE);
      g_subprocess_launcher_setenv (launcher, "IFLOW2API_LOCALEDIR", po, TRUE);
    }
  /* Never a real browser. */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  run->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  run->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->proc));
  run->stdout_text = g_string_new (NULL);
  read_next_line (run);
  g_subprocess_wait_async (run->proc, NULL, exited_cb, run);
  return run;
}

static gboolean
run_over (gpointer data)
{
  Run *run = data;

  return run->exited && run->eof;
}

static gboolean
url_printed (gpointer data)
{
  Run *run = data;

  return run->url != NULL || run->exited;
}

/* Waits for the end; returns the exit status; frees @run, output in @out. */
static int
finish (Run   *run,
        char **out)
{
  int status;

  /* This process serves the fake OAuth server: keep the loop running. */
  g_assert_true (i2a_test_wait_until (run_over, run, 30000));
  g_assert_true (g_subprocess_get_if_exited (run->proc));
  status = g_subprocess_get_exit_status (run->proc);
  g_test_message ("%s", run->stdout_text->str);
  if (out)
    *out = g_string_free (g_steal_pointer (&run->stdout_text), FALSE);
  else
    g_string_free (run->stdout_text, TRUE);
  g_object_unref (run->out);
  g_object_unref (run->proc);
  g_free (run->url);
  g_free (run);
  return status;
}

static int
run_cli (LoginStack         *s,
         const char * const *args,
         char              **out)
{
  return finish (spawn (s, args), out);
}

static void
assert_no_secret (LoginStack *s,
                  const char *text)
{
  const char * const *issued = fake_oauth_server_get_issued_secrets (s->oauth);

  for (guint i = 0; issued && issued[i]; i++)
    g_assert_null (strstr (text, issued[i]));
}

/* `login --no-browser`: the test "browser" opens the printed URL. */
static char *
cli_login (LoginStack         *s,
           const char * const *args,
           int                *status)
{
  Run *run = spawn (s, args);
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  guint http = 0;

  g_assert_true (i2a_test_wait_until (url_printed, run, 30000));
  g_assert_nonnull (run->url);
  g_assert_true (g_str_has_prefix (run->url, fake_oauth_server_get_base_url (s->oauth)));
  g_assert_true (fake_browser_open (run->url, &http, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (http, ==, 200);
  *status = finish (run, &out);
  return out;
}

static gboolean
usable_in_app (gpointer data)
{
  gpointer *args = data;
  I2aAccount *account = i2a_pool_lookup_account (args[0], args[1]);

  return account != NULL && i2a_account_is_usable (account);
}

static gboolean
gone_from_app (gpointer data)
{
  gpointer *args = data;

  return i2a_pool_lookup_account (args[0], args[1]) == NULL;
}

static gboolean
has_one_account (gpointer data)
{
  return i2a_pool_get_config (data)->accounts->len == 1;
}

static gboolean
has_two_accounts (gpointer data)
{
  return i2a_pool_get_config (data)->accounts->len == 2;
}

static char *
only_account_id (LoginStack *s)
{
  I2aKeysConfig *config = i2a_pool_get_config (s->pool);

  g_assert_cmpuint (config->accounts->len, ==, 1);
  return g_strdup (((I2aKeysAccount *) config->accounts->pdata[0])->id);
}

static void
test_cli_accounts_login_logout (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  g_autofree char *out = NULL, *list = NULL, *id = NULL, *settings = NULL, *out2 = NULL, *bye = NULL;
  g_autofree char *settings_path = g_build_filename (s->iflow_dir, "settings.json", NULL);
  g_autofree char *settings_after = NULL;
  g_autofree char *keys_after = NULL;
  g_autoptr(I2aAccountSecrets) stored = NULL;
  g_autoptr(I2aTestResponse) r = NULL;
  const char *accounts_args[] = { "accounts", NULL };
  const char *login_args[] = { "login", "--no-browser", "--label", "Work", NULL };
  const char *login2_args[] = { "login", "--no-browser", NULL };
  const char *logout_args[] = { "logout", "Work", NULL };
  gpointer args[2];
  GStatBuf st;
  int status = -1;

  /* Nothing yet. */
  g_assert_cmpint (run_cli (s, accounts_args, &out), ==, 0);
  g_assert_nonnull (strstr (out, "No accounts"));

  /* Log in: the app (this process's pool) picks it up live. */
  out2 = cli_login (s, login_args, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out2, "Added account “Work”"));
  assert_no_secret (s, out2);
  g_assert_cmpuint (fake_oauth_server_get_code_exchange_count (s->oauth), ==, 1);
  i2a_fake_iflow_add_key (s->fake, fake_oauth_server_get_last_api_key (s->oauth));
  g_assert_true (i2a_test_wait_until (has_one_account, s->pool, 10000));
  id = only_account_id (s);
  args[0] = s->pool;
  args[1] = id;
  g_assert_true (i2a_test_wait_until (usable_in_app, args, 10000));
  g_assert_cmpstr (i2a_account_get_api_key (i2a_pool_lookup_account (s->pool, id)), ==,
                   fake_oauth_server_get_last_api_key (s->oauth));
  login_stack_assert_file_has_no_secret (s, s->keys_path, NULL);
  stored = login_stack_keyring_lookup (s, id, NULL);
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->api_key, ==, fake_oauth_server_get_last_api_key (s->oauth));

  /* The app routes to it. The account's base_url is the real iFlow's;
   * point it at the fake first. */
  {
    I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;
    g_autoptr(GError) error = NULL;

    spec.id = id;
    spec.base_url = s->fake_base;
    g_assert_true (i2a_pool_update_account (s->pool, &spec, &error));
    g_assert_no_error (error);
  }
  r = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (s->fake)->api_key, ==, stored->api_key);

  /* First account: shared with the iFlow CLI by default. */
  settings = login_stack_read_file (settings_path);
  g_assert_nonnull (strstr (settings, stored->api_key));
  g_assert_nonnull (strstr (settings, "oauth-iflow"));
  g_assert_cmpint (g_stat (settings_path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);

  /* A second user: not shared unless asked. */
  fake_oauth_server_set_user_info_data (s->oauth, "{\"apiKey\":\"sk-44444444444444444444444444444444\","
                                                  "\"email\":\"second@example.com\"}");
  g_free (out2);
  out2 = cli_login (s, login2_args, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out2, "second@example.com"));
  settings_after = login_stack_read_file (settings_path);
  g_assert_cmpstr (settings_after, ==, settings);

  /* The second account's refresh has been failing (as the running app
   * saves it with the credentials). */
  {
    g_autofree char *second = NULL;
    g_autoptr(I2aAccountSecrets) failing = NULL;

    /* This process's pool sees the second login live. */
    g_assert_true (i2a_test_wait_until (has_two_accounts, s->pool, 10000));
    second = i2a_account_store_resolve (s->store, "second@example.com");
    g_assert_nonnull (second);
    failing = login_stack_keyring_lookup (s, second, NULL);
    g_assert_nonnull (failing);
    failing->refresh_failures = 3;
    failing->last_refresh_error = g_strdup ("iFlow is busy (too many requests)");
    login_stack_keyring_store (s, second, failing);
  }

  /* `accounts`: labels, provider, state, expiry, last refresh, refresh
   * failures (what /debug/accounts shows); no secret. */
  g_assert_cmpint (run_cli (s, accounts_args, &list), ==, 0);
  g_assert_nonnull (strstr (list, "LAST REFRESH"));
  g_assert_nonnull (strstr (list, " min ago)"));
  g_assert_nonnull (strstr (list, "3 failed refresh tries; last error: iFlow is busy (too many requests)"));
  g_assert_nonnull (strstr (list, "Work"));
  g_assert_nonnull (strstr (list, "second@example.com"));
  g_assert_nonnull (strstr (list, "iflow"));
  g_assert_nonnull (strstr (list, "oauth-iflow"));
  g_assert_nonnull (strstr (list, " ok "));
  g_assert_nonnull (strstr (list, "(in "));
  assert_no_secret (s, list);
  g_assert_null (strstr (list, "sk-44444444444444444444444444444444"));

  /* `logout Work`: entry and keyring item go; the app drops it. */
  g_assert_cmpint (run_cli (s, logout_args, &bye), ==, 0);
  g_assert_nonnull (strstr (bye, id));
  g_clear_pointer (&stored, i2a_account_secrets_free);
  stored = login_stack_keyring_lookup (s, id, NULL);
  g_assert_null (stored);
  keys_after = login_stack_read_file (s->keys_path);
  g_assert_null (strstr (keys_after, id));
  g_assert_true (i2a_test_wait_until (gone_from_app, args, 10000));
  g_assert_null (i2a_refresher_lookup (s->refresher, id));
  login_stack_free (s);
}

static void
test_cli_import_and_errors (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autofree char *settings = g_build_filename (s->iflow_dir, "settings.json", NULL);
  g_autofree char *out = NULL, *list = NULL, *err_out = NULL;
  const char *import_args[] = { "import-cli", "--label", "From CLI", NULL };
  const char *accounts_args[] = { "accounts", NULL };
  const char *logout_args[] = { "logout", "nobody", NULL };
  const char *bad_args[] = { "login", "--share-with-iflow-cli", "--no-share-with-iflow-cli", NULL };

  i2a_test_write_file (settings, "{\"selectedAuthType\":\"api-key\",\"apiKey\":\"sk-55555555555555555555555555555555\"}");
  g_assert_cmpint (run_cli (s, import_args, &out), ==, 0);
  g_assert_nonnull (strstr (out, "From CLI"));
  g_assert_null (strstr (out, "sk-5555"));
  g_assert_cmpint (run_cli (s, accounts_args, &list), ==, 0);
  g_assert_nonnull (strstr (list, "From CLI"));
  g_assert_nonnull (strstr (list, "api-key"));
  g_assert_null (strstr (list, "sk-5555"));
  login_stack_assert_file_has_no_secret (s, s->keys_path, (const char *[]) { "sk-55555555555555555555555555555555", NULL });

  g_assert_cmpint (run_cli (s, logout_args, &err_out), ==, 1);
  g_assert_cmpint (run_cli (s, bad_args, NULL), ==, 2);
  login_stack_free (s);
}

/* The commands speak the user's language; ids and values stay as they are. */
static void
test_cli_translated (void)
{
  LoginStack *s = login_stack_new ("{\"accounts\":{\"manual\":{\"api_key\":\"" I2A_TEST_KEY "\","
                                   "\"label\":\"工作\"}}}", FALSE);
  g_autofree char *settings = g_build_filename (s->iflow_dir, "settings.json", NULL);
  g_autofree char *mo = g_test_build_filename (G_TEST_BUILT, "..", "po", "zh_CN", "LC_MESSAGES",
                                               "iflow2api.mo", NULL);
  g_autofree char *list = NULL, *out = NULL;
  const char *accounts_args[] = { "accounts", NULL };
  const char *import_args[] = { "import-cli", NULL };

  if (!g_file_test (mo, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("zh_CN translations not built");
      login_stack_free (s);
      return;
    }
  spawn_language = "zh_CN";
  g_assert_cmpint (run_cli (s, accounts_args, &list), ==, 0);
  g_assert_nonnull (strstr (list, "名称"));
  g_assert_nonnull (strstr (list, "上次刷新"));
  g_assert_null (strstr (list, "LAST REFRESH"));
  g_assert_nonnull (strstr (list, "manual"));
  g_assert_nonnull (strstr (list, "工作"));
  g_assert_nonnull (strstr (list, "api-key"));
  g_assert_nonnull (strstr (list, " ok"));

  i2a_test_write_file (settings, "{\"selectedAuthType\":\"api-key\",\"apiKey\":\"sk-66666666666666666666666666666666\"}");
  g_assert_cmpint (run_cli (s, import_args, &out), ==, 0);
  g_assert_nonnull (strstr (out, "添加账号“iFlow CLI”（ID iflow-cli-"));
  g_assert_null (strstr (out, "sk-6666"));
  spawn_language = NULL;
  login_stack_free (s);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  fake_oauth_log_guard_install ();

  if (g_getenv ("I2A_BINARY") == NULL || !g_file_test (g_getenv ("I2A_BINARY"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("I2A_BINARY is not set to the built iflow2api");
      return g_test_run ();
    }
  g_test_add_func ("/accounts/login-e2e-cli/accounts-login-logout", test_cli_accounts_login_logout);
  g_test_add_func ("/accounts/login-e2e-cli/import-and-errors", test_cli_import_and_errors);
  g_test_add_func ("/accounts/login-e2e-cli/translated", test_cli_translated);
  return g_test_run ();
}

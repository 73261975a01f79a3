/* test-provider-cli.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* `iflow2api add`, `accounts`, `remove`, `migrate-keys` and `models` of
 * the real binary ($I2A_BINARY) against an OpenAI-compatible fake in this
 * process, on a real gnome-keyring shared with the subprocesses
 * (keyring-session.sh). The key goes in on stdin and must end up in the
 * keyring only: not in keys.json, not in anything the commands print. A
 * pool in this process plays the running app and serves with the key. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "i2a-account-store.h"
#include "i2a-test-util.h"

#define KEY "sk-provider-secret-0123456789abcdef"
#define KEY2 "sk-plaintext-secret-9876543210fedcba"

typedef struct
{
  I2aFakeIflow *fake;
  char         *dir;
  char         *keys_path;
  char         *cache_home;
  char         *base_url;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const char *const models[] = { "deepseek-chat", "deepseek-reasoner", NULL };

  f->fake = i2a_fake_iflow_new ();
  i2a_fake_iflow_set_require_signature (f->fake, FALSE);
  i2a_fake_iflow_add_key (f->fake, KEY);
  i2a_fake_iflow_add_key (f->fake, KEY2);
  i2a_fake_iflow_set_models (f->fake, NULL, models);
  f->dir = i2a_test_mkdtemp ();
  f->keys_path = g_build_filename (f->dir, "keys.json", NULL);
  f->cache_home = g_build_filename (f->dir, "cache", NULL);
  f->base_url = i2a_fake_iflow_dup_base_url (f->fake);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  i2a_fake_iflow_free (f->fake);
  i2a_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->keys_path);
  g_free (f->cache_home);
  g_free (f->base_url);
}

typedef struct
{
  char    *out;
  char    *err;
  int      status;
  gboolean done;
} Run;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err,
                                                       &error));
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  run->done = TRUE;
}

static gboolean
run_done (gpointer data)
{
  return ((Run *) data)->done;
}

/* Runs while this process's main loop keeps serving the fake. */
static Run *
run_cli (Fixture            *f,
         const char         *stdin_text,
         const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  g_ptr_array_add (argv, (gpointer) g_getenv ("I2A_BINARY"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "IFLOW2API_KEYS_PATH", f->keys_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", f->cache_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, stdin_text ? stdin_text : "", NULL, communicate_cb, run);
  g_assert_true (i2a_test_wait_until (run_done, run, 30000));
  /* Whatever a command prints, success or not, never shows a key. */
  g_assert_null (strstr (run->out, "secret"));
  g_assert_null (strstr (run->err, "secret"));
  return run;
}

static void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static char *
read_keys (Fixture *f)
{
  char *text = NULL;
  GStatBuf st;

  g_assert_true (g_file_get_contents (f->keys_path, &text, NULL, NULL));
  g_assert_cmpint (g_stat (f->keys_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  return text;
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ((Wait *) user_data)->result = g_object_ref (result);
}

static gboolean
wait_done (gpointer data)
{
  return ((Wait *) data)->result != NULL;
}

static I2aAccountSecrets *
keyring_lookup (const char *id)
{
  g_autoptr(I2aSecretStore) store = i2a_secret_store_new ();
  g_autoptr(GError) error = NULL;
  Wait w = { 0 };
  I2aAccountSecrets *found;

  i2a_secret_store_lookup_async (store, id, NULL, wait_cb, &w);
  g_assert_true (i2a_test_wait_until (wait_done, &w, 10000));
  found = i2a_secret_store_lookup_finish (store, w.result, &error);
  g_assert_no_error (error);
  g_object_unref (w.result);
  return found;
}

static gboolean
pool_loaded (gpointer pool)
{
  return i2a_pool_is_loaded (pool);
}

static gboolean
account_has_key (gpointer account)
{
  return i2a_account_has_api_key (account);
}

/* The running app: keys.json + keyring, then one chat through the server. */
static void
assert_serves (Fixture    *f,
               const char *id,
               const char *key)
{
  g_autoptr(I2aCliSettings) cli = i2a_cli_settings_new (f->dir);
  g_autoptr(I2aPool) pool = i2a_pool_new_with_keys (cli, f->keys_path);
  g_autoptr(I2aAccountStore) store = NULL;
  g_autoptr(I2aServer) server = NULL;
  g_autoptr(SoupSession) client = soup_session_new ();
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = i2a_test_chat_body ("deepseek-chat", "hi", FALSE);

  g_assert_true (i2a_test_wait_until (pool_loaded, pool, 5000));
  store = i2a_account_store_new (pool, i2a_secret_store_new (), NULL);
  g_object_unref (i2a_account_store_get_secret_store (store));
  i2a_account_store_start (store);
  g_assert_true (i2a_test_wait_until (account_has_key, i2a_pool_lookup_account (pool, id), 10000));
  server = i2a_server_new (pool);
  g_assert_true (i2a_server_start (server, "127.0.0.1", 0, &error));
  url = g_strdup_printf ("http://127.0.0.1:%u/v1/chat/completions", i2a_server_get_port (server));
  i2a_fake_iflow_clear_requests (f->fake);
  r = i2a_test_request (client, "POST", url, NULL, "application/json", body, 0, 0);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (f->fake)->api_key, ==, key);
  i2a_server_stop (server);
}

static void
test_add_with_key_on_stdin (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Run) add = NULL;
  g_autoptr(Run) bad = NULL;
  g_autoptr(Run) list = NULL;
  g_autoptr(Run) models = NULL;
  g_autoptr(Run) removed = NULL;
  g_autoptr(I2aAccountSecrets) secrets = NULL;
  g_autoptr(I2aAccountSecrets) gone = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *cache = NULL;

  /* A wrong key with --test: the upstream's own error, nothing saved. */
  bad = run_cli (f, "sk-wrong-key\n", (const char *[]) { "add", "--base-url", f->base_url, "--test", NULL });
  g_assert_cmpint (bad->status, !=, 0);
  g_assert_nonnull (strstr (bad->err, "HTTP 401: Invalid API key"));
  g_assert_false (g_file_test (f->keys_path, G_FILE_TEST_EXISTS));

  add = run_cli (f, KEY "\n", (const char *[]) { "add", "--base-url", f->base_url, "--label", "DeepSeek",
                                                 "--max-concurrency", "3", "--test", NULL });
  g_assert_cmpint (add->status, ==, 0);
  g_assert_nonnull (strstr (add->out, "2 models"));
  g_assert_nonnull (strstr (add->out, "(id deepseek)"));

  keys = read_keys (f);
  g_assert_null (strstr (keys, KEY));
  g_assert_null (strstr (keys, "api_key"));
  g_assert_nonnull (strstr (keys, "\"auth_type\" : \"api-key\""));
  g_assert_nonnull (strstr (keys, "\"provider\" : \"openai\""));
  g_assert_nonnull (strstr (keys, "\"max_concurrency\" : 3"));
  secrets = keyring_lookup ("deepseek");
  g_assert_nonnull (secrets);
  g_assert_cmpstr (secrets->api_key, ==, KEY);

  list = run_cli (f, NULL, (const char *[]) { "accounts", NULL });
  g_assert_cmpint (list->status, ==, 0);
  g_assert_nonnull (strstr (list->out, "deepseek"));
  g_assert_nonnull (strstr (list->out, "api-key"));

  assert_serves (f, "deepseek", KEY);

  models = run_cli (f, NULL, (const char *[]) { "models", "--refresh", NULL });
  g_assert_cmpint (models->status, ==, 0);
  g_assert_nonnull (strstr (models->out, "deepseek-reasoner"));
  g_assert_nonnull (g_strrstr (models->out, "deepseek-chat  "));
  cache = g_build_filename (f->cache_home, "iflow2api", "models.json", NULL);
  g_assert_true (g_file_test (cache, G_FILE_TEST_EXISTS));

  removed = run_cli (f, NULL, (const char *[]) { "remove", "deepseek", NULL });
  g_assert_cmpint (removed->status, ==, 0);
  g_free (keys);
  keys = read_keys (f);
  g_assert_null (strstr (keys, "deepseek"));
  gone = keyring_lookup ("deepseek");
  g_assert_null (gone);
}

static void
test_add_local_without_key (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Run) add = NULL;
  g_autoptr(Run) nokey = NULL;
  g_autofree char *keys = NULL;

  /* A provider that needs a key refuses an empty one. */
  nokey = run_cli (f, "", (const char *[]) { "add", "--preset", "groq", NULL });
  g_assert_cmpint (nokey->status, ==, 2);

  add = run_cli (f, "", (const char *[]) { "add", "--preset", "ollama", "--base-url", f->base_url, NULL });
  g_assert_cmpint (add->status, ==, 0);
  g_assert_nonnull (strstr (add->out, "(id ollama)"));
  keys = read_keys (f);
  g_assert_nonnull (strstr (keys, "\"auth_type\" : \"none\""));
  g_assert_nonnull (strstr (keys, "\"label\" : \"Ollama\""));
}

static void
test_migrate_keys (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Run) migrate = NULL;
  g_autoptr(I2aAccountSecrets) secrets = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *json = g_strdup_printf (
    "{\"accounts\": {\"plain\": {\"provider\": \"openai\", \"base_url\": \"%s\", \"api_key\": \"" KEY2 "\","
    " \"x-note\": \"kept\"}},\n \"x-top\": [1, 2]}\n", f->base_url);

  i2a_test_write_file (f->keys_path, json);
  g_chmod (f->keys_path, 0600);
  migrate = run_cli (f, NULL, (const char *[]) { "migrate-keys", NULL });
  g_assert_cmpint (migrate->status, ==, 0);
  g_assert_nonnull (strstr (migrate->out, "Moved 1 key"));

  keys = read_keys (f);
  g_assert_null (strstr (keys, KEY2));
  g_assert_null (strstr (keys, "api_key"));
  g_assert_nonnull (strstr (keys, "\"auth_type\" : \"api-key\""));
  g_assert_nonnull (strstr (keys, "\"x-note\" : \"kept\""));
  g_assert_nonnull (strstr (keys, "\"x-top\""));
  secrets = keyring_lookup ("plain");
  g_assert_nonnull (secrets);
  g_assert_cmpstr (secrets->api_key, ==, KEY2);
  /* The account keeps working, now with the key from the keyring. */
  assert_serves (f, "plain", KEY2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/providers/cli/add-key-on-stdin", Fixture, NULL, fixture_set_up, test_add_with_key_on_stdin,
              fixture_tear_down);
  g_test_add ("/providers/cli/add-local-without-key", Fixture, NULL, fixture_set_up,
              test_add_local_without_key, fixture_tear_down);
  g_test_add ("/providers/cli/migrate-keys", Fixture, NULL, fixture_set_up, test_migrate_keys,
              fixture_tear_down);
  return g_test_run ();
}

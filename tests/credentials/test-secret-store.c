/* test-secret-store.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* test-secret-store.c: I2aSecretStore against real backends
 *
 * I2A_SECRET_TEST_MODE selects what this run talks to (meson sets it):
 *   file     libsecret's file backend (SECRET_BACKEND=file …), no D-Bus
 *   keyring  a real gnome-keyring under dbus-run-session (keyring-session.sh)
 *   none     a private session bus on which nothing provides
 *            org.freedesktop.secrets (no-secret-service.sh)
 *   nobus    no session bus at all */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "i2a-error.h"
#include "i2a-secret-store.h"

static const char *mode;

typedef struct
{
  I2aSecretStore *store;
  GAsyncResult   *result;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->store = i2a_secret_store_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->result);
  g_clear_object (&f->store);
}

static void
result_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (res);
}

/* Synchronous wrappers (tests may block; the app never does). */

static gboolean
store_sync (Fixture                 *f,
            const char              *id,
            const I2aAccountSecrets *secrets,
            GError                 **error)
{
  g_clear_object (&f->result);
  i2a_secret_store_store_async (f->store, id, NULL, secrets, NULL, result_cb, f);
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return i2a_secret_store_store_finish (f->store, f->result, error);
}

static I2aAccountSecrets *
lookup_sync (Fixture     *f,
             const char  *id,
             GError     **error)
{
  g_clear_object (&f->result);
  i2a_secret_store_lookup_async (f->store, id, NULL, result_cb, f);
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return i2a_secret_store_lookup_finish (f->store, f->result, error);
}

static gboolean
clear_sync (Fixture     *f,
            const char  *id,
            GError     **error)
{
  g_clear_object (&f->result);
  i2a_secret_store_clear_async (f->store, id, NULL, result_cb, f);
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return i2a_secret_store_clear_finish (f->store, f->result, error);
}

static GStrv
list_sync (Fixture  *f,
           GError  **error)
{
  g_clear_object (&f->result);
  i2a_secret_store_list_account_ids_async (f->store, NULL, result_cb, f);
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return i2a_secret_store_list_account_ids_finish (f->store, f->result, error);
}

static I2aAccountSecrets *
make_secrets (const char *tag)
{
  I2aAccountSecrets *s = i2a_account_secrets_new ();

  s->api_key = g_strdup_printf ("sk-%s-api-key-\"quoted\"", tag);
  s->access_token = g_strdup_printf ("at-%s-ñ", tag);
  s->refresh_token = g_strdup_printf ("rt-%s", tag);
  s->expires_at = 1893456000;
  return s;
}

/* ------------------------------------------------------------------ tests */

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(I2aAccountSecrets) a = make_secrets ("alpha");
  g_autoptr(I2aAccountSecrets) b = make_secrets ("beta");
  g_autoptr(I2aAccountSecrets) got = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;

  /* Start clean (the keyring may hold items of an earlier run). */
  clear_sync (f, "acct-b", NULL);
  clear_sync (f, "acct-a", NULL);

  g_assert_true (store_sync (f, "acct-b", b, &error));
  g_assert_no_error (error);
  g_assert_true (store_sync (f, "acct-a", a, &error));
  g_assert_no_error (error);

  got = lookup_sync (f, "acct-a", &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpstr (got->api_key, ==, a->api_key);
  g_assert_cmpstr (got->access_token, ==, a->access_token);
  g_assert_cmpstr (got->refresh_token, ==, a->refresh_token);
  g_assert_cmpint (got->expires_at, ==, a->expires_at);
  g_assert_cmpint (got->refreshed_at, ==, 0);
  g_assert_cmpuint (got->refresh_failures, ==, 0);
  g_assert_null (got->last_refresh_error);
  g_clear_pointer (&got, i2a_account_secrets_free);

  /* The refresh status travels with the credentials. */
  a->refreshed_at = 1893450000;
  a->refresh_failures = 3;
  a->last_refresh_error = g_strdup ("iFlow is busy (太多请求)");
  g_assert_true (store_sync (f, "acct-a", a, &error));
  got = lookup_sync (f, "acct-a", &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->refreshed_at, ==, 1893450000);
  g_assert_cmpuint (got->refresh_failures, ==, 3);
  g_assert_cmpstr (got->last_refresh_error, ==, "iFlow is busy (太多请求)");
  g_clear_pointer (&got, i2a_account_secrets_free);

  /* Storing again replaces (one item per account, not a second one). */
  g_free (a->refresh_token);
  a->refresh_token = g_strdup ("rt-alpha-rotated");
  g_clear_pointer (&a->access_token, g_free);
  a->expires_at = 0;
  g_assert_true (store_sync (f, "acct-a", a, &error));
  got = lookup_sync (f, "acct-a", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->refresh_token, ==, "rt-alpha-rotated");
  g_assert_null (got->access_token);
  g_assert_cmpint (got->expires_at, ==, 0);
  g_clear_pointer (&got, i2a_account_secrets_free);

  ids = list_sync (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ids);
  g_assert_cmpuint (g_strv_length (ids), ==, 2);
  g_assert_cmpstr (ids[0], ==, "acct-a");
  g_assert_cmpstr (ids[1], ==, "acct-b");
  g_clear_pointer (&ids, g_strfreev);

  g_assert_true (clear_sync (f, "acct-a", &error));
  g_assert_no_error (error);
  g_assert_false (clear_sync (f, "acct-a", &error));
  g_assert_no_error (error);

  got = lookup_sync (f, "acct-a", &error);
  g_assert_no_error (error);
  g_assert_null (got);

  ids = list_sync (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  g_assert_cmpstr (ids[0], ==, "acct-b");
  g_clear_pointer (&ids, g_strfreev);

  g_assert_true (clear_sync (f, "acct-b", &error));
  ids = list_sync (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ids);
  g_assert_cmpuint (g_strv_length (ids), ==, 0);
}

static void
test_foreign_formats (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(I2aAccountSecrets) got = NULL;
  g_autoptr(GError) error = NULL;

  /* An ISO expiry written by someone else is understood. */
  g_assert_true (secret_password_store_sync (i2a_secret_store_get_schema (),
                                             SECRET_COLLECTION_DEFAULT, "test",
                                             "{\"api_key\":\"sk-x\",\"expires_at\":\"2030-01-01T00:00:00Z\"}",
                                             NULL, &error,
                                             "account-id", "acct-iso", "kind", "account", NULL));
  g_assert_no_error (error);
  got = lookup_sync (f, "acct-iso", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->api_key, ==, "sk-x");
  g_assert_cmpint (got->expires_at, ==, 1893456000);
  g_clear_pointer (&got, i2a_account_secrets_free);

  /* Garbage is an error, not an empty account. */
  g_assert_true (secret_password_store_sync (i2a_secret_store_get_schema (),
                                             SECRET_COLLECTION_DEFAULT, "test", "not json",
                                             NULL, &error,
                                             "account-id", "acct-bad", "kind", "account", NULL));
  got = lookup_sync (f, "acct-bad", &error);
  g_assert_null (got);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_FAILED);
  g_clear_error (&error);

  clear_sync (f, "acct-iso", NULL);
  clear_sync (f, "acct-bad", NULL);
}

static void
test_file_is_not_plaintext (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(I2aAccountSecrets) a = make_secrets ("plaintext-probe");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *path = g_getenv ("SECRET_FILE_TEST_PATH");
  GStatBuf st;

  g_assert_nonnull (path);
  g_assert_true (store_sync (f, "acct-probe", a, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_cmpuint (len, >, 0);
  g_assert_null (g_strstr_len (contents, len, "rt-plaintext-probe"));
  g_assert_null (g_strstr_len (contents, len, "sk-plaintext-probe"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 077, ==, 0);
  clear_sync (f, "acct-probe", NULL);
}

static void
test_visible_to_other_clients (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(I2aAccountSecrets) a = make_secrets ("shared");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { "secret-tool", "lookup", "account-id", "acct-shared",
                         "kind", "account", NULL };
  g_autofree char *tool = g_find_program_in_path ("secret-tool");
  int status = -1;

  if (tool == NULL)
    {
      g_test_skip ("secret-tool (libsecret-tools) not installed");
      return;
    }
  g_assert_true (store_sync (f, "acct-shared", a, &error));
  /* A separate process finds the item in gnome-keyring: it is really
   * stored in the Secret Service, not in our memory. */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "\"refresh_token\":\"rt-shared\""));
  clear_sync (f, "acct-shared", NULL);
}

static void
test_unavailable (Fixture       *f,
                  gconstpointer  data)
{
  const char *expected = data;
  g_autoptr(I2aAccountSecrets) a = make_secrets ("unavailable");
  g_autoptr(I2aAccountSecrets) got = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;

  g_assert_false (store_sync (f, "acct-x", a, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE);
  g_test_message ("store: %s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);

  got = lookup_sync (f, "acct-x", &error);
  g_assert_null (got);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);

  g_assert_false (clear_sync (f, "acct-x", &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE);
  g_clear_error (&error);

  ids = list_sync (f, &error);
  g_assert_null (ids);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE);
}

/* Writes from several callers at once (a login saved while the refresher
 * writes a refreshed token): each one succeeds, in the order they were
 * asked, and the last write of an account is what stays. libsecret's file
 * backend fails a write that overlaps another one ("externally modified")
 * unless the store serialises them. */
typedef struct
{
  guint  done;
  guint  failed;
  GArray *order;   /* caller index, as completed */
} Concurrent;

static void
concurrent_store_cb (GObject      *source,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  Concurrent *c = g_object_get_data (source, "i2a-test-concurrent");
  g_autoptr(GError) error = NULL;
  guint index = GPOINTER_TO_UINT (user_data);

  if (!i2a_secret_store_store_finish (I2A_SECRET_STORE (source), res, &error))
    {
      g_test_message ("store %u: %s", index, error->message);
      c->failed++;
    }
  g_array_append_val (c->order, index);
  c->done++;
}

static void
concurrent_clear_cb (GObject      *source,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  Concurrent *c = g_object_get_data (source, "i2a-test-concurrent");
  g_autoptr(GError) error = NULL;
  guint index = GPOINTER_TO_UINT (user_data);

  i2a_secret_store_clear_finish (I2A_SECRET_STORE (source), res, &error);
  if (error != NULL)
    {
      g_test_message ("clear %u: %s", index, error->message);
      c->failed++;
    }
  g_array_append_val (c->order, index);
  c->done++;
}

static void
test_concurrent_writes (Fixture       *f,
                        gconstpointer  data)
{
  Concurrent c = { 0, 0, g_array_new (FALSE, FALSE, sizeof (guint)) };
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_object_set_data (G_OBJECT (f->store), "i2a-test-concurrent", &c);

  /* Runs first: with libsecret 0.20.5, overlapping writes on a file
   * backend that has just been opened lose updates (an earlier write
   * lands last) instead of failing. */
  /* Two callers (login, refresher), interleaved, all before any finishes;
   * a clear (logout) in between. */
  for (guint round = 0; round < 30; round++)
    {
      g_autofree char *tag1 = g_strdup_printf ("login-%u", round);
      g_autofree char *tag2 = g_strdup_printf ("refresh-%u", round);
      g_autoptr(I2aAccountSecrets) s1 = make_secrets (tag1);
      g_autoptr(I2aAccountSecrets) s2 = make_secrets (tag2);

      i2a_secret_store_store_async (f->store, "acct-c1", NULL, s1, NULL,
                                    concurrent_store_cb, GUINT_TO_POINTER (n++));
      i2a_secret_store_store_async (f->store, "acct-c2", NULL, s2, NULL,
                                    concurrent_store_cb, GUINT_TO_POINTER (n++));
      if (round == 1)
        i2a_secret_store_clear_async (f->store, "acct-c3", NULL,
                                      concurrent_clear_cb, GUINT_TO_POINTER (n++));
    }
  while (c.done < n)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (c.failed, ==, 0);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (c.order, guint, i), ==, i);
  {
    g_autoptr(I2aAccountSecrets) got1 = lookup_sync (f, "acct-c1", &error);
    g_autoptr(I2aAccountSecrets) got2 = NULL;

    g_assert_no_error (error);
    got2 = lookup_sync (f, "acct-c2", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (got1->refresh_token, ==, "rt-login-29");
    g_assert_cmpstr (got2->refresh_token, ==, "rt-refresh-29");
  }
  clear_sync (f, "acct-c1", NULL);
  clear_sync (f, "acct-c2", NULL);
  g_object_set_data (G_OBJECT (f->store), "i2a-test-concurrent", NULL);
  g_array_unref (c.order);
}

static void
test_secrets_struct (void)
{
  g_autoptr(I2aAccountSecrets) a = make_secrets ("copy");
  g_autoptr(I2aAccountSecrets) b = i2a_account_secrets_copy (a);

  g_assert_true (a->api_key != b->api_key);
  g_assert_cmpstr (a->api_key, ==, b->api_key);
  g_assert_cmpstr (a->refresh_token, ==, b->refresh_token);
  g_assert_cmpint (a->expires_at, ==, b->expires_at);
  a->refreshed_at = 5;
  a->refresh_failures = 2;
  a->last_refresh_error = g_strdup ("busy");
  {
    g_autoptr(I2aAccountSecrets) c = i2a_account_secrets_copy (a);

    g_assert_cmpint (c->refreshed_at, ==, 5);
    g_assert_cmpuint (c->refresh_failures, ==, 2);
    g_assert_cmpstr (c->last_refresh_error, ==, "busy");
    g_assert_true (c->last_refresh_error != a->last_refresh_error);
  }
  g_assert_null (i2a_account_secrets_copy (NULL));
  i2a_account_secrets_free (NULL);
}

int
main (int    argc,
      char **argv)
{
  mode = g_getenv ("I2A_SECRET_TEST_MODE");
  if (mode == NULL)
    mode = "file";

  if (g_str_equal (mode, "nobus"))
    {
      g_autofree char *dir = g_dir_make_tmp ("i2a-nobus-XXXXXX", NULL);

      /* No bus address, no autolaunch, no $XDG_RUNTIME_DIR/bus. */
      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
      g_unsetenv ("DISPLAY");
      g_unsetenv ("SECRET_BACKEND");
      g_setenv ("XDG_RUNTIME_DIR", dir, TRUE);
    }
  else if (g_str_equal (mode, "file"))
    {
      const char *path = g_getenv ("SECRET_FILE_TEST_PATH");

      g_assert_nonnull (path);
      g_unlink (path);
    }

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/credentials/secret-store/struct", test_secrets_struct);

  if (g_str_equal (mode, "file") || g_str_equal (mode, "keyring"))
    {
      ADD ("/credentials/secret-store/concurrent-writes", test_concurrent_writes, NULL);
      ADD ("/credentials/secret-store/round-trip", test_round_trip, NULL);
      ADD ("/credentials/secret-store/foreign-formats", test_foreign_formats, NULL);
    }
  if (g_str_equal (mode, "file"))
    ADD ("/credentials/secret-store/file-not-plaintext", test_file_is_not_plaintext, NULL);
  if (g_str_equal (mode, "keyring"))
    ADD ("/credentials/secret-store/visible-to-other-clients", test_visible_to_other_clients, NULL);
  if (g_str_equal (mode, "none"))
    ADD ("/credentials/secret-store/no-secret-service", test_unavailable, "org.freedesktop.secrets");
  if (g_str_equal (mode, "nobus"))
    ADD ("/credentials/secret-store/no-session-bus", test_unavailable, "session bus");

  {
    int status = g_test_run ();

    /* Drop libsecret's cached service proxy so LeakSanitizer only sees
     * what is really lost. */
    secret_service_disconnect ();
    return status;
  }
}

/* test-oauth-client.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* test-oauth-client.c: I2aOAuthClient against a fake iflow.cn */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "i2a-error.h"
#include "i2a-oauth-client.h"
#include "fake-oauth-server.h"

typedef struct
{
  FakeOAuthServer *fake;
  I2aOAuthClient  *client;
  GAsyncResult    *result;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->fake = fake_oauth_server_new ();
  f->client = i2a_oauth_client_new (fake_oauth_server_get_base_url (f->fake));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_cmpuint (fake_oauth_server_get_bad_request_count (f->fake), ==, 0);
  fake_oauth_log_guard_assert_clean ();
  g_clear_object (&f->result);
  g_clear_object (&f->client);
  g_clear_pointer (&f->fake, fake_oauth_server_free);
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

static GAsyncResult *
wait_result (Fixture *f)
{
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return f->result;
}

static I2aOAuthTokens *
refresh_sync (Fixture     *f,
              const char  *refresh_token,
              GError     **error)
{
  I2aOAuthTokens *tokens;

  g_clear_object (&f->result);
  i2a_oauth_client_refresh_async (f->client, refresh_token, NULL, result_cb, f);
  tokens = i2a_oauth_client_refresh_finish (f->client, wait_result (f), error);
  if (error != NULL && *error != NULL)
    fake_oauth_assert_no_secret ((*error)->message);
  return tokens;
}

static I2aOAuthUserInfo *
user_info_sync (Fixture     *f,
                const char  *access_token,
                GError     **error)
{
  I2aOAuthUserInfo *info;

  g_clear_object (&f->result);
  i2a_oauth_client_get_user_info_async (f->client, access_token, NULL, result_cb, f);
  info = i2a_oauth_client_get_user_info_finish (f->client, wait_result (f), error);
  if (error != NULL && *error != NULL)
    fake_oauth_assert_no_secret ((*error)->message);
  return info;
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ------------------------------------------------------------------ tests */

static void
test_authorize_url (Fixture       *f,
                    gconstpointer  data)
{
  const char *redirect = "http://localhost:11452/oauth2callback?x=a b&y=ü";
  g_autofree char *url = i2a_oauth_client_build_authorize_url (f->client, redirect, "st-ate_123");
  g_autofree char *prefix = g_strdup_printf ("%s/oauth?", fake_oauth_server_get_base_url (f->fake));
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;

  g_assert_true (g_str_has_prefix (url, prefix));
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/oauth");
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  g_assert_nonnull (params);
  g_assert_cmpuint (g_hash_table_size (params), ==, 5);
  g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, "10009311001");
  g_assert_cmpstr (g_hash_table_lookup (params, "loginMethod"), ==, "phone");
  g_assert_cmpstr (g_hash_table_lookup (params, "type"), ==, "phone");
  /* Decodes back byte for byte: nothing of the redirect leaks into the
   * outer query. */
  g_assert_cmpstr (g_hash_table_lookup (params, "redirect"), ==, redirect);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "st-ate_123");
  g_assert_null (strstr (url, "redirect_uri"));
}

static void
test_base_url (void)
{
  g_autoptr(I2aOAuthClient) c1 = NULL;
  g_autoptr(I2aOAuthClient) c2 = NULL;
  g_autoptr(I2aOAuthClient) c3 = NULL;
  g_autoptr(I2aOAuthClient) c4 = NULL;

  g_unsetenv ("IFLOW2API_OAUTH_BASE");
  c1 = i2a_oauth_client_new (NULL);
  g_assert_cmpstr (i2a_oauth_client_get_base_url (c1), ==, "https://iflow.cn");
  g_assert_cmpuint (i2a_oauth_client_get_timeout (c1), ==, 30);

  g_setenv ("IFLOW2API_OAUTH_BASE", "https://oauth.example.test/base/", TRUE);
  c2 = i2a_oauth_client_new (NULL);
  g_assert_cmpstr (i2a_oauth_client_get_base_url (c2), ==, "https://oauth.example.test/base");

  g_setenv ("IFLOW2API_OAUTH_BASE", "ftp://nope", TRUE);
  g_test_expect_message ("i2a-oauth", G_LOG_LEVEL_WARNING, "*Ignoring IFLOW2API_OAUTH_BASE*");
  c3 = i2a_oauth_client_new (NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (i2a_oauth_client_get_base_url (c3), ==, "https://iflow.cn");
  g_unsetenv ("IFLOW2API_OAUTH_BASE");

  c4 = i2a_oauth_client_new ("http://127.0.0.1:9/");
  g_assert_cmpstr (i2a_oauth_client_get_base_url (c4), ==, "http://127.0.0.1:9");
}

static void
test_exchange_unknown_code (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;

  i2a_oauth_client_exchange_code_async (f->client, "code-not-issued-by-the-fake",
                                        "http://localhost:1/oauth2callback", NULL, result_cb, f);
  tokens = i2a_oauth_client_exchange_code_finish (f->client, wait_result (f), &error);
  g_assert_null (tokens);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_INVALID_GRANT);
  g_assert_null (strstr (error->message, "code-not-issued-by-the-fake"));
  g_assert_cmpuint (fake_oauth_server_get_code_exchange_count (f->fake), ==, 1);
}

static void
test_refresh_success (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *old_rt = fake_oauth_server_add_refresh_token (f->fake);
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;
  g_autoptr(I2aOAuthTokens) again = NULL;

  fake_oauth_server_set_expires_in (f->fake, 3600);
  tokens = refresh_sync (f, old_rt, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  g_assert_cmpstr (tokens->access_token, ==, fake_oauth_server_get_last_access_token (f->fake));
  /* Rotation: the new refresh token replaces the old one. */
  g_assert_cmpstr (tokens->refresh_token, ==, fake_oauth_server_get_last_refresh_token (f->fake));
  g_assert_cmpstr (tokens->refresh_token, !=, old_rt);
  g_assert_true (fake_oauth_server_refresh_token_is_valid (f->fake, tokens->refresh_token));
  g_assert_false (fake_oauth_server_refresh_token_is_valid (f->fake, old_rt));
  g_assert_cmpint (tokens->expires_at, >=, now_s () + 3600 - 5);
  g_assert_cmpint (tokens->expires_at, <=, now_s () + 3600);
  g_assert_cmpstr (tokens->token_type, ==, "bearer");
  g_assert_cmpstr (tokens->scope, ==, "read");
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (f->fake), ==, 1);

  /* The old token is dead now: a reuse is invalid_grant. */
  again = refresh_sync (f, old_rt, &error);
  g_assert_null (again);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_INVALID_GRANT);
}

static void
test_refresh_no_rotation (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *rt = fake_oauth_server_add_refresh_token (f->fake);
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;

  fake_oauth_server_set_rotate_refresh_token (f->fake, FALSE);
  fake_oauth_server_set_expires_in (f->fake, -1);
  tokens = refresh_sync (f, rt, &error);
  g_assert_no_error (error);
  /* No refresh_token in the answer: the old one is kept. */
  g_assert_cmpstr (tokens->refresh_token, ==, rt);
  /* No expires_in: unknown expiry. */
  g_assert_cmpint (tokens->expires_at, ==, 0);
}

static void
test_refresh_overload (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *rt = fake_oauth_server_add_refresh_token (f->fake);
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;

  fake_oauth_server_set_token_failure (f->fake, FAKE_OAUTH_FAIL_OVERLOAD, 1);
  tokens = refresh_sync (f, rt, &error);
  g_assert_null (tokens);
  /* HTTP 200 {"success":false,…}: transient, not a parse error. */
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "太多"));
  g_clear_error (&error);
  /* The refresh token survived and works on the retry. */
  g_assert_true (fake_oauth_server_refresh_token_is_valid (f->fake, rt));
  tokens = refresh_sync (f, rt, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (f->fake), ==, 2);
}

static void
test_refresh_server_error (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *rt = fake_oauth_server_add_refresh_token (f->fake);
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;

  fake_oauth_server_set_token_failure (f->fake, FAKE_OAUTH_FAIL_SERVER_ERROR, 0);
  tokens = refresh_sync (f, rt, &error);
  g_assert_null (tokens);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "500"));
}

static void
test_refresh_invalid_grant (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *rt = fake_oauth_server_add_refresh_token (f->fake);
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;

  fake_oauth_server_set_token_failure (f->fake, FAKE_OAUTH_FAIL_INVALID_GRANT, 1);
  tokens = refresh_sync (f, rt, &error);
  g_assert_null (tokens);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_INVALID_GRANT);
}

static void
test_refresh_timeout (void)
{
  g_autoptr(FakeOAuthServer) fake = fake_oauth_server_new ();
  g_autoptr(I2aOAuthClient) client = NULL;
  g_autofree char *rt = fake_oauth_server_add_refresh_token (fake);
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;
  Fixture f = { fake, NULL, NULL };
  gint64 start = g_get_monotonic_time ();

  client = g_object_new (I2A_TYPE_OAUTH_CLIENT,
                         "base-url", fake_oauth_server_get_base_url (fake),
                         "timeout", 1,
                         NULL);
  f.client = client;
  fake_oauth_server_set_token_failure (fake, FAKE_OAUTH_FAIL_HANG, 1);
  tokens = refresh_sync (&f, rt, &error);
  g_assert_null (tokens);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_clear_object (&f.result);
  fake_oauth_log_guard_assert_clean ();
}

static void
test_refresh_unreachable (void)
{
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;
  Fixture f = { NULL, NULL, NULL };

  /* A port that was just free: bound but never listening, so refused. */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (sock, addr, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (sock, &error);
  base = g_strdup_printf ("http://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  f.client = i2a_oauth_client_new (base);
  tokens = refresh_sync (&f, "rt-whatever-value", &error);
  g_assert_null (tokens);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT);
  g_assert_null (strstr (error->message, "rt-whatever-value"));
  g_clear_object (&f.result);
  g_clear_object (&f.client);
}

static void
test_refresh_cancel (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *rt = fake_oauth_server_add_refresh_token (f->fake);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;

  fake_oauth_server_set_token_failure (f->fake, FAKE_OAUTH_FAIL_HANG, 1);
  i2a_oauth_client_refresh_async (f->client, rt, cancellable, result_cb, f);
  g_cancellable_cancel (cancellable);
  tokens = i2a_oauth_client_refresh_finish (f->client, wait_result (f), &error);
  g_assert_null (tokens);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_user_info (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *rt = fake_oauth_server_add_refresh_token (f->fake);
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = NULL;
  g_autoptr(I2aOAuthUserInfo) info = NULL;

  tokens = refresh_sync (f, rt, &error);
  g_assert_no_error (error);
  info = user_info_sync (f, tokens->access_token, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_true (g_str_has_prefix (info->api_key, "sk-"));
  g_assert_cmpstr (info->api_key, ==, fake_oauth_server_get_last_api_key (f->fake));
  /* Never the access token as the chat key. */
  g_assert_cmpstr (info->api_key, !=, tokens->access_token);
  g_assert_cmpstr (info->email, ==, "tester@example.com");
  g_assert_cmpstr (info->phone, ==, "13800000000");
  g_assert_cmpstr (info->username, ==, "tester");
  g_assert_cmpstr (i2a_oauth_user_info_get_display_name (info), ==, "tester@example.com");
  g_assert_cmpuint (fake_oauth_server_get_user_info_count (f->fake), ==, 1);
}

static void
test_user_info_escaping (Fixture       *f,
                         gconstpointer  data)
{
  /* '+', '&', '=' and '/' must survive the query string. */
  const char *token = "at-a+b/c=d&e%f";
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthUserInfo) info = NULL;

  fake_oauth_server_add_access_token (f->fake, token);
  fake_oauth_server_set_next_api_key (f->fake, "sk-fixed-test-key-0001");
  info = user_info_sync (f, token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->api_key, ==, "sk-fixed-test-key-0001");
}

static void
test_user_info_search_api_key (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthUserInfo) info = NULL;

  fake_oauth_server_add_access_token (f->fake, "at-search-key-test");
  fake_oauth_server_set_user_info_data (f->fake,
                                        "{\"searchApiKey\":\"sk-from-search-key\",\"phone\":\"139\"}");
  info = user_info_sync (f, "at-search-key-test", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->api_key, ==, "sk-from-search-key");
  g_assert_null (info->email);
  g_assert_cmpstr (i2a_oauth_user_info_get_display_name (info), ==, "139");
  g_clear_pointer (&info, i2a_oauth_user_info_free);

  /* No key at all is a failure, not an empty key. */
  fake_oauth_server_set_user_info_data (f->fake, "{\"email\":\"x@example.com\"}");
  info = user_info_sync (f, "at-search-key-test", &error);
  g_assert_null (info);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_FAILED);
}

static void
test_user_info_errors (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthUserInfo) info = NULL;

  fake_oauth_server_add_access_token (f->fake, "at-user-info-errors");

  info = user_info_sync (f, "at-not-known-to-the-fake", &error);
  g_assert_null (info);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "401"));
  g_clear_error (&error);

  fake_oauth_server_set_user_info_failure (f->fake, FAKE_OAUTH_FAIL_OVERLOAD, 1);
  info = user_info_sync (f, "at-user-info-errors", &error);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT);
  g_clear_error (&error);

  fake_oauth_server_set_user_info_failure (f->fake, FAKE_OAUTH_FAIL_SERVER_ERROR, 1);
  info = user_info_sync (f, "at-user-info-errors", &error);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT);
  g_clear_error (&error);

  info = user_info_sync (f, "at-user-info-errors", &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
}

/* The fake's own checks are what make the tests above meaningful. */
static void
test_fake_rejects_bad_client (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/oauth/token", fake_oauth_server_get_base_url (f->fake));
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  msg = soup_message_new_from_encoded_form ("POST", url,
                                            soup_form_encode ("grant_type", "refresh_token",
                                                              "refresh_token", "x",
                                                              NULL));
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, result_cb, f);
  body = soup_session_send_and_read_finish (session, wait_result (f), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 401);
  g_assert_cmpuint (fake_oauth_server_get_bad_request_count (f->fake), ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (f->fake), ==, 0);
  /* Teardown insists on zero. */
  g_clear_pointer (&f->fake, fake_oauth_server_free);
  f->fake = fake_oauth_server_new ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fake_oauth_log_guard_install ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/oauth/client/authorize-url", test_authorize_url);
  g_test_add_func ("/oauth/client/base-url", test_base_url);
  ADD ("/oauth/client/exchange-unknown-code", test_exchange_unknown_code);
  ADD ("/oauth/client/refresh/success", test_refresh_success);
  ADD ("/oauth/client/refresh/no-rotation", test_refresh_no_rotation);
  ADD ("/oauth/client/refresh/overload", test_refresh_overload);
  ADD ("/oauth/client/refresh/server-error", test_refresh_server_error);
  ADD ("/oauth/client/refresh/invalid-grant", test_refresh_invalid_grant);
  g_test_add_func ("/oauth/client/refresh/timeout", test_refresh_timeout);
  g_test_add_func ("/oauth/client/refresh/unreachable", test_refresh_unreachable);
  ADD ("/oauth/client/refresh/cancel", test_refresh_cancel);
  ADD ("/oauth/client/user-info/success", test_user_info);
  ADD ("/oauth/client/user-info/escaping", test_user_info_escaping);
  ADD ("/oauth/client/user-info/search-api-key", test_user_info_search_api_key);
  ADD ("/oauth/client/user-info/errors", test_user_info_errors);
  ADD ("/oauth/client/fake-rejects-bad-client", test_fake_rejects_bad_client);

  return g_test_run ();
}

/* test-oauth-login.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* test-oauth-login.c: the browser login end to end against a fake iflow.cn
 *
 * The "browser" opens the authorize URL on the fake, which redirects (302)
 * to the login's loopback listener, as the real site does after the user
 * logged in. */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "i2a-error.h"
#include "i2a-oauth-login.h"
#include "fake-oauth-server.h"

typedef struct
{
  FakeOAuthServer *fake;
  I2aOAuthClient  *client;
  I2aOAuthLogin   *login;
  GAsyncResult    *result;
  guint            n_url_notify;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->fake = fake_oauth_server_new ();
  f->client = i2a_oauth_client_new (fake_oauth_server_get_base_url (f->fake));
  f->login = i2a_oauth_login_new (f->client);
  /* No fixed ports in tests. */
  i2a_oauth_login_set_first_port (f->login, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_cmpuint (fake_oauth_server_get_bad_request_count (f->fake), ==, 0);
  fake_oauth_log_guard_assert_clean ();
  g_clear_object (&f->result);
  g_clear_object (&f->login);
  g_clear_object (&f->client);
  g_clear_pointer (&f->fake, fake_oauth_server_free);
}

static void
login_done_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (res);
}

static void
url_notify_cb (GObject    *object,
               GParamSpec *pspec,
               Fixture    *f)
{
  f->n_url_notify++;
}

static void
start (Fixture      *f,
       GCancellable *cancellable)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;

  g_signal_connect (f->login, "notify::authorize-url", G_CALLBACK (url_notify_cb), f);
  i2a_oauth_login_start_async (f->login, cancellable, login_done_cb, f);
  /* Available synchronously, so the UI can show it at once. */
  g_assert_cmpuint (f->n_url_notify, ==, 1);
  g_assert_nonnull (i2a_oauth_login_get_authorize_url (f->login));
  g_assert_cmpuint (i2a_oauth_login_get_port (f->login), >, 0);

  /* The state must never show up in a log. */
  uri = g_uri_parse (i2a_oauth_login_get_authorize_url (f->login), G_URI_FLAGS_ENCODED, NULL);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  fake_oauth_log_guard_forbid (g_hash_table_lookup (params, "state"));
}

/* Runs pending main-loop work without blocking. */
static void
drain (void)
{
  for (guint i = 0; i < 50; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static GAsyncResult *
wait_result (Fixture *f)
{
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return f->result;
}

static void
browse (const char *url,
        guint       expected_status,
        const char *expected_text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  g_assert_true (fake_browser_open (url, &status, &body, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, expected_status);
  if (expected_text != NULL)
    g_assert_nonnull (strstr (body, expected_text));
}

static void
assert_listener_closed (Fixture *f)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/oauth2callback",
                                          i2a_oauth_login_get_port (f->login));
  g_autoptr(GError) error = NULL;
  guint status = 0;

  drain ();
  g_assert_false (fake_browser_open (url, &status, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static I2aOAuthLoginResult *
finish (Fixture  *f,
        GError  **error)
{
  I2aOAuthLoginResult *result = i2a_oauth_login_start_finish (f->login, wait_result (f), error);

  if (*error != NULL)
    fake_oauth_assert_no_secret ((*error)->message);
  return result;
}

/* ------------------------------------------------------------------ tests */

static void
test_full_login (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(I2aOAuthLoginResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_redirect = NULL;
  GHashTable *query;

  fake_oauth_server_set_expires_in (f->fake, 7200);
  fake_oauth_server_set_next_api_key (f->fake, "sk-0123456789abcdef0123456789abcdef");
  start (f, NULL);

  expected_redirect = g_strdup_printf ("http://localhost:%u/oauth2callback",
                                       i2a_oauth_login_get_port (f->login));
  g_assert_cmpstr (i2a_oauth_login_get_redirect_uri (f->login), ==, expected_redirect);

  browse (i2a_oauth_login_get_authorize_url (f->login), 200, "Login complete");
  result = finish (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  g_assert_cmpstr (result->tokens->access_token, ==,
                   fake_oauth_server_get_last_access_token (f->fake));
  g_assert_cmpstr (result->tokens->refresh_token, ==,
                   fake_oauth_server_get_last_refresh_token (f->fake));
  g_assert_cmpint (result->tokens->expires_at, >, g_get_real_time () / G_USEC_PER_SEC + 7100);
  g_assert_cmpstr (result->user_info->api_key, ==, "sk-0123456789abcdef0123456789abcdef");
  g_assert_cmpstr (result->user_info->email, ==, "tester@example.com");
  g_assert_cmpstr (result->user_info->phone, ==, "13800000000");

  /* The authorize request carried what iflow.cn expects… */
  query = fake_oauth_server_get_last_authorize_query (f->fake);
  g_assert_cmpstr (g_hash_table_lookup (query, "redirect"), ==, expected_redirect);
  g_assert_cmpuint (strlen (g_hash_table_lookup (query, "state")), >=, 22);
  /* …and the token exchange sent the identical redirect_uri. */
  g_assert_cmpstr (fake_oauth_server_get_last_redirect_uri (f->fake), ==, expected_redirect);
  g_assert_cmpuint (fake_oauth_server_get_authorize_count (f->fake), ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_code_exchange_count (f->fake), ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_user_info_count (f->fake), ==, 1);

  assert_listener_closed (f);
}

static void
test_state_is_random (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(I2aOAuthLogin) other = i2a_oauth_login_new (f->client);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  i2a_oauth_login_set_first_port (other, 0);
  start (f, cancellable);
  i2a_oauth_login_start_async (other, cancellable, NULL, NULL);
  g_assert_cmpuint (i2a_oauth_login_get_port (other), !=, i2a_oauth_login_get_port (f->login));
  g_assert_cmpstr (i2a_oauth_login_get_authorize_url (other), !=,
                   i2a_oauth_login_get_authorize_url (f->login));
  g_cancellable_cancel (cancellable);
  g_assert_null (finish (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  drain ();
}

static void
test_state_mismatch_keeps_waiting (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(I2aOAuthLoginResult) result = NULL;
  g_autoptr(GError) error = NULL;

  start (f, NULL);
  fake_oauth_server_set_authorize_mode (f->fake, FAKE_OAUTH_AUTHORIZE_BAD_STATE);
  browse (i2a_oauth_login_get_authorize_url (f->login), 400, "Login failed");
  drain ();
  /* Rejected without ending the login or spending the code. */
  g_assert_null (f->result);
  g_assert_cmpuint (fake_oauth_server_get_code_exchange_count (f->fake), ==, 0);

  /* A forged callback without any state is refused too. */
  {
    g_autofree char *forged = g_strdup_printf ("%s?code=forged-code-1234",
                                               i2a_oauth_login_get_redirect_uri (f->login));
    browse (forged, 400, NULL);
  }
  drain ();
  g_assert_null (f->result);

  /* The real browser still completes the login. */
  fake_oauth_server_set_authorize_mode (f->fake, FAKE_OAUTH_AUTHORIZE_GRANT);
  browse (i2a_oauth_login_get_authorize_url (f->login), 200, "Login complete");
  result = finish (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result->user_info->api_key);
  g_assert_cmpuint (fake_oauth_server_get_code_exchange_count (f->fake), ==, 1);
}

static void
test_state_mismatch_then_timeout (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  i2a_oauth_login_set_timeout_seconds (f->login, 1);
  fake_oauth_server_set_authorize_mode (f->fake, FAKE_OAUTH_AUTHORIZE_BAD_STATE);
  start (f, NULL);
  browse (i2a_oauth_login_get_authorize_url (f->login), 400, NULL);
  g_assert_null (finish (f, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_STATE_MISMATCH);
  assert_listener_closed (f);
}

static void
test_denied (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fake_oauth_server_set_authorize_mode (f->fake, FAKE_OAUTH_AUTHORIZE_DENY);
  start (f, NULL);
  browse (i2a_oauth_login_get_authorize_url (f->login), 200, "Login failed");
  g_assert_null (finish (f, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_DENIED);
  g_assert_nonnull (strstr (error->message, "access_denied"));
  g_assert_cmpuint (fake_oauth_server_get_code_exchange_count (f->fake), ==, 0);
  assert_listener_closed (f);
}

static void
test_no_code (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fake_oauth_server_set_authorize_mode (f->fake, FAKE_OAUTH_AUTHORIZE_NO_CODE);
  start (f, NULL);
  browse (i2a_oauth_login_get_authorize_url (f->login), 400, "Login failed");
  g_assert_null (finish (f, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_FAILED);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 begin = g_get_monotonic_time ();
  gint64 elapsed;

  i2a_oauth_login_set_timeout_seconds (f->login, 1);
  start (f, NULL);
  g_assert_null (finish (f, &error));
  elapsed = g_get_monotonic_time () - begin;
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_TIMEOUT);
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC - 50000);
  g_assert_cmpint (elapsed, <, 3 * G_USEC_PER_SEC);
  assert_listener_closed (f);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 begin = g_get_monotonic_time ();

  start (f, cancellable);
  g_timeout_add (50, cancel_cb, cancellable);
  g_assert_null (finish (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - begin, <, G_USEC_PER_SEC);
  assert_listener_closed (f);
}

static void
test_exchange_fails (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fake_oauth_server_set_token_failure (f->fake, FAKE_OAUTH_FAIL_SERVER_ERROR, 0);
  start (f, NULL);
  browse (i2a_oauth_login_get_authorize_url (f->login), 200, NULL);
  g_assert_null (finish (f, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT);
  assert_listener_closed (f);
}

static void
test_user_info_retried (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(I2aOAuthLoginResult) result = NULL;
  g_autoptr(GError) error = NULL;

  fake_oauth_server_set_user_info_failure (f->fake, FAKE_OAUTH_FAIL_OVERLOAD, 1);
  start (f, NULL);
  browse (i2a_oauth_login_get_authorize_url (f->login), 200, NULL);
  result = finish (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->user_info->api_key, ==, fake_oauth_server_get_last_api_key (f->fake));
  g_assert_cmpuint (fake_oauth_server_get_user_info_count (f->fake), ==, 2);
}

static void
test_user_info_fails (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fake_oauth_server_set_user_info_failure (f->fake, FAKE_OAUTH_FAIL_INVALID_GRANT, 0);
  start (f, NULL);
  browse (i2a_oauth_login_get_authorize_url (f->login), 200, NULL);
  g_assert_null (finish (f, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "API key"));
}

static gboolean
have_ipv6_loopback (void)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);

  return sock != NULL && g_socket_bind (sock, addr, FALSE, NULL);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (res);
}

static void
test_other_paths (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) post = NULL;
  g_autofree char *base = NULL;
  g_autofree char *favicon = NULL;
  g_autofree char *sub = NULL;

  start (f, cancellable);
  base = g_strdup_printf ("http://127.0.0.1:%u", i2a_oauth_login_get_port (f->login));
  favicon = g_strdup_printf ("%s/favicon.ico", base);
  sub = g_strdup_printf ("%s/oauth2callback/extra", base);
  browse (favicon, 404, NULL);
  browse (sub, 404, NULL);
  browse (base, 404, NULL);

  /* The same listener answers on ::1 where the host has IPv6 loopback. */
  if (have_ipv6_loopback ())
    {
      g_autofree char *v6 = g_strdup_printf ("http://[::1]:%u/favicon.ico",
                                             i2a_oauth_login_get_port (f->login));
      browse (v6, 404, NULL);
    }

  /* A POST to the callback path is not a browser redirect. */
  {
    g_autofree char *url = g_strdup_printf ("%s/oauth2callback", base);
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(GBytes) body = NULL;

    post = soup_message_new ("POST", url);
    soup_session_send_and_read_async (session, post, G_PRIORITY_DEFAULT, NULL,
                                      store_result_cb, &res);
    while (res == NULL)
      g_main_context_iteration (NULL, TRUE);
    body = soup_session_send_and_read_finish (session, res, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (post), ==, 405);
  }
  drain ();
  g_assert_null (f->result);

  g_cancellable_cancel (cancellable);
  g_assert_null (finish (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_port_fallback (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  guint busy;

  /* Occupy a port and make it the first one the login tries. */
  g_socket_listener_add_address (listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  busy = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_assert_cmpuint (i2a_oauth_login_get_first_port (f->login), ==, 0);
  i2a_oauth_login_set_first_port (f->login, busy);

  start (f, cancellable);
  g_assert_cmpuint (i2a_oauth_login_get_port (f->login), !=, busy);
  g_assert_cmpuint (i2a_oauth_login_get_port (f->login), >, 0);

  g_cancellable_cancel (cancellable);
  g_assert_null (finish (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  drain ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fake_oauth_log_guard_install ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/oauth/login/full", test_full_login);
  ADD ("/oauth/login/state-is-random", test_state_is_random);
  ADD ("/oauth/login/state-mismatch/keeps-waiting", test_state_mismatch_keeps_waiting);
  ADD ("/oauth/login/state-mismatch/then-timeout", test_state_mismatch_then_timeout);
  ADD ("/oauth/login/denied", test_denied);
  ADD ("/oauth/login/no-code", test_no_code);
  ADD ("/oauth/login/timeout", test_timeout);
  ADD ("/oauth/login/cancel", test_cancel);
  ADD ("/oauth/login/exchange-fails", test_exchange_fails);
  ADD ("/oauth/login/user-info-retried", test_user_info_retried);
  ADD ("/oauth/login/user-info-fails", test_user_info_fails);
  ADD ("/oauth/login/other-paths", test_other_paths);
  ADD ("/oauth/login/port-fallback", test_port_fallback);

  return g_test_run ();
}

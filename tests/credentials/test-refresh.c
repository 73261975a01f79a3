/* test-refresh.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Token refresh (I2aRefresher) with the real stack: fake iflow.cn OAuth,
 * the proxy, the pool, the keyring (file backend) and the fake iFlow. */
#include "config.h"

#include <string.h>

#include "test-account-store-util.h"

#define K1 "sk-11111111111111111111111111111111"
#define K2 "sk-22222222222222222222222222222222"
#define DAY (24 * 60 * 60)

typedef struct
{
  guint   refreshed;
  gint64  refreshed_at;     /* monotonic µs of the last "refreshed" */
  guint   failed;
  GArray *failed_at;        /* gint64 monotonic µs per "refresh-failed" */
  GArray *failures_seen;    /* guint refresh-failures at each failure */
  GError *last_error;
} Events;

static void
refreshed_cb (I2aRefresher *refresher,
              I2aAccount   *account,
              Events       *ev)
{
  ev->refreshed++;
  ev->refreshed_at = g_get_monotonic_time ();
}

static void
refresh_failed_cb (I2aRefresher *refresher,
                   I2aAccount   *account,
                   GError       *error,
                   Events       *ev)
{
  gint64 now = g_get_monotonic_time ();
  guint n = i2a_account_get_refresh_failures (account);

  ev->failed++;
  g_array_append_val (ev->failed_at, now);
  g_array_append_val (ev->failures_seen, n);
  g_clear_error (&ev->last_error);
  ev->last_error = g_error_copy (error);
}

static Events *
watch (LoginStack *s)
{
  Events *ev = g_new0 (Events, 1);

  ev->failed_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  ev->failures_seen = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (s->refresher, "refreshed", G_CALLBACK (refreshed_cb), ev);
  g_signal_connect (s->refresher, "refresh-failed", G_CALLBACK (refresh_failed_cb), ev);
  return ev;
}

static void
events_free (Events *ev)
{
  g_array_unref (ev->failed_at);
  g_array_unref (ev->failures_seen);
  g_clear_error (&ev->last_error);
  g_free (ev);
}

static gboolean
refreshed_at_least (gpointer data)
{
  gpointer *args = data;

  return ((Events *) args[0])->refreshed >= GPOINTER_TO_UINT (args[1]);
}

static gboolean
failed_at_least (gpointer data)
{
  gpointer *args = data;

  return ((Events *) args[0])->failed >= GPOINTER_TO_UINT (args[1]);
}

static void
wait_refreshed (Events *ev,
                guint   n,
                guint   timeout_ms)
{
  gpointer args[2] = { ev, GUINT_TO_POINTER (n) };

  g_assert_true (i2a_test_wait_until (refreshed_at_least, args, timeout_ms));
}

static void
wait_failed (Events *ev,
             guint   n,
             guint   timeout_ms)
{
  gpointer args[2] = { ev, GUINT_TO_POINTER (n) };

  g_assert_true (i2a_test_wait_until (failed_at_least, args, timeout_ms));
}

/* A logged-in account whose first key is K1; the next one will be K2. */
static I2aAccount *
login_k1 (LoginStack *s,
          gint64      expires_in)
{
  I2aAccount *account;

  fake_oauth_server_set_expires_in (s->oauth, expires_in);
  fake_oauth_server_set_next_api_key (s->oauth, K1);
  account = login_stack_login (s, "Refreshing");
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, K1);
  fake_oauth_server_set_next_api_key (s->oauth, K2);
  i2a_fake_iflow_add_key (s->fake, K2);
  return account;
}

/* Make the account due as if the machine had slept: the wall clock moves
 * on, the refresh timer (monotonic) does not notice. */
static void
sleep_past_due (LoginStack *s)
{
  /* Refreshed tokens then last well beyond the shifted clock. */
  fake_oauth_server_set_expires_in (s->oauth, 30 * DAY);
  i2a_refresher_set_clock_offset (s->refresher, DAY + DAY / 2);
}

/* ---- async chat requests ------------------------------------------------ */

typedef struct
{
  guint   status;
  gint64  start;
  gint64  end;
  GBytes *body;
} Pending;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *p = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  p->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  p->status = soup_message_get_status (msg);
  p->end = g_get_monotonic_time ();
}

static void
chat_async (LoginStack *s,
            const char *content,
            Pending    *p)
{
  g_autofree char *url = g_strdup_printf ("%s/v1/chat/completions", s->base);
  g_autofree char *body = i2a_test_chat_body ("glm-5", content, FALSE);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  p->start = g_get_monotonic_time ();
  soup_session_send_and_read_async (s->http, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, p);
}

static gboolean
all_done (gpointer data)
{
  GArray *pending = data;

  for (guint i = 0; i < pending->len; i++)
    if (g_array_index (pending, Pending, i).end == 0)
      return FALSE;
  return TRUE;
}

static JsonObject *
debug_account (LoginStack *s,
               const char *id)
{
  g_autofree char *url = g_strdup_printf ("%s/debug/accounts", s->base);
  g_autoptr(I2aTestResponse) r = i2a_test_request (s->http, "GET", url, NULL, NULL, NULL, 0, 0);
  g_autoptr(JsonObject) root = i2a_test_response_json (r);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_null (strstr (r->body->str, K1));
  g_assert_null (strstr (r->body->str, K2));
  return json_object_ref (json_object_get_object_member (json_object_get_object_member (root, "accounts"), id));
}

/* ---- tests -------------------------------------------------------------- */

static void
test_rotation_keeps_streams (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  Events *ev = watch (s);
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(I2aTestResponse) stream = NULL;
  g_autoptr(I2aTestResponse) after = NULL;
  g_autoptr(I2aAccountSecrets) stored = NULL;
  g_autofree char *first_refresh = NULL;
  GPtrArray *requests;
  I2aFakeRequest *req;
  guint k1_before;
  gint64 last_event, started;

  /* 4 s lifetime: half of it is the lead, so the key rotates after ~2 s. */
  account = login_k1 (s, 4);
  /* The refreshed token lives long: exactly one rotation, however slow
   * the machine (ASan, parallel tests) makes the stream below. */
  fake_oauth_server_set_expires_in (s->oauth, 3600);
  started = g_get_real_time () / G_USEC_PER_SEC;
  first_refresh = g_strdup (fake_oauth_server_get_last_refresh_token (s->oauth));

  /* 12 events 250 ms apart: started before the rotation, ends after. */
  stream = login_stack_chat (s, "fake:slow 12 250", TRUE);
  g_assert_cmpuint (stream->status, ==, 200);
  g_assert_cmpuint (ev->refreshed, ==, 1);
  last_event = g_array_index (stream->event_times, gint64, stream->event_times->len - 1);
  g_assert_cmpint (stream->start_time, <, ev->refreshed_at);
  g_assert_cmpint (ev->refreshed_at, <, last_event);
  g_assert_cmpuint (stream->events->len, >=, 13);
  g_assert_cmpstr (g_ptr_array_index (stream->events, stream->events->len - 1), ==, "[DONE]");
  requests = i2a_fake_iflow_get_requests (s->fake);
  req = g_ptr_array_index (requests, requests->len - 1);
  g_assert_cmpstr (req->api_key, ==, K1);

  /* New requests use the new key only. */
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, K2);
  k1_before = i2a_fake_iflow_get_request_count (s->fake, K1);
  after = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (after->status, ==, 200);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (s->fake)->api_key, ==, K2);
  g_assert_cmpuint (i2a_fake_iflow_get_request_count (s->fake, K1), ==, k1_before);

  /* Refresh token rotated; the keyring has the new set. */
  g_assert_false (fake_oauth_server_refresh_token_is_valid (s->oauth, first_refresh));
  stored = login_stack_keyring_lookup (s, i2a_account_get_id (account), NULL);
  g_assert_cmpstr (stored->api_key, ==, K2);
  g_assert_cmpstr (stored->refresh_token, !=, first_refresh);
  g_assert_true (fake_oauth_server_refresh_token_is_valid (s->oauth, stored->refresh_token));
  g_assert_cmpint (stored->expires_at, ==, i2a_account_get_expires_at (account));

  g_assert_cmpint (i2a_account_get_state (account), ==, I2A_ACCOUNT_STATE_OK);
  g_assert_cmpint (i2a_account_get_last_refresh (account), >, 0);
  g_assert_cmpuint (i2a_account_get_refresh_failures (account), ==, 0);
  g_assert_cmpuint (fake_oauth_server_get_bad_request_count (s->oauth), ==, 0);
  /* When it happened: on the account, in /debug/accounts, in the keyring
   * (for `iflow2api accounts` and the next start). */
  g_assert_cmpint (i2a_account_get_last_refresh (account), >=, started);
  g_assert_cmpint (i2a_account_get_last_refresh (account), <=, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpint (stored->refreshed_at, ==, i2a_account_get_last_refresh (account));
  {
    g_autoptr(JsonObject) dbg = debug_account (s, i2a_account_get_id (account));

    g_assert_true (json_object_has_member (dbg, "last_refresh"));
    g_assert_cmpint (json_object_get_int_member (dbg, "last_refresh"), ==, i2a_account_get_last_refresh (account));
    g_assert_cmpstr (json_object_get_string_member (dbg, "state"), ==, "ok");
  }
  fake_oauth_log_guard_assert_clean ();
  events_free (ev);
  login_stack_free (s);
}

static void
test_transient_backoff (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  Events *ev = watch (s);
  g_autoptr(I2aAccount) account = login_k1 (s, 2 * DAY);
  g_autoptr(I2aTestResponse) r = NULL;
  guint base = fake_oauth_server_get_refresh_count (s->oauth);

  i2a_refresher_set_backoff (s->refresher, 40, 1000, 5);
  /* HTTP 200 {"success":false} twice, then a 500: all transient. */
  fake_oauth_server_set_token_failure (s->oauth, FAKE_OAUTH_FAIL_OVERLOAD, 2);
  sleep_past_due (s);
  i2a_refresher_check_all (s->refresher);
  wait_failed (ev, 2, 20000);
  fake_oauth_server_set_token_failure (s->oauth, FAKE_OAUTH_FAIL_SERVER_ERROR, 1);
  wait_refreshed (ev, 1, 20000);

  g_assert_cmpuint (ev->failed, ==, 3);
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (s->oauth) - base, ==, 4);
  g_assert_error (ev->last_error, I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (g_array_index (ev->failures_seen, guint, i), ==, i + 1);
  /* 40 ms, then 80 ms between tries (lower bounds: timers never fire early). */
  g_assert_cmpint (g_array_index (ev->failed_at, gint64, 1) - g_array_index (ev->failed_at, gint64, 0), >=, 40000);
  g_assert_cmpint (g_array_index (ev->failed_at, gint64, 2) - g_array_index (ev->failed_at, gint64, 1), >=, 80000);

  g_assert_cmpstr (i2a_account_get_api_key (account), ==, K2);
  g_assert_cmpuint (i2a_account_get_refresh_failures (account), ==, 0);
  g_assert_null (i2a_account_get_last_refresh_error (account));
  r = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (s->fake)->api_key, ==, K2);
  events_free (ev);
  login_stack_free (s);
}

static void
test_backoff_capped_then_stops (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  Events *ev = watch (s);
  g_autoptr(I2aAccount) account = login_k1 (s, 2 * DAY);
  g_autoptr(I2aTestResponse) r = NULL;
  guint n;

  i2a_refresher_set_backoff (s->refresher, 20, 60, 2);
  fake_oauth_server_set_token_failure (s->oauth, FAKE_OAUTH_FAIL_OVERLOAD, 0);
  sleep_past_due (s);
  i2a_refresher_check_all (s->refresher);

  /* Two growing tries (20, 40 ms), then on at the 60 ms cap while the
   * old key still works; it stays usable meanwhile. */
  wait_failed (ev, 7, 20000);
  for (guint i = 3; i < 7; i++)
    {
      gint64 gap = g_array_index (ev->failed_at, gint64, i) - g_array_index (ev->failed_at, gint64, i - 1);

      g_assert_cmpint (gap, >=, 60000);
      g_assert_cmpint (gap, <, 1000000);
    }
  g_assert_cmpint (i2a_account_get_state (account), ==, I2A_ACCOUNT_STATE_OK);
  g_assert_true (i2a_account_is_usable (account));
  g_assert_nonnull (strstr (i2a_account_get_last_refresh_error (account), "too many"));
  r = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (s->fake)->api_key, ==, K1);

  /* Past the old key's expiry: the account shows the error and the
   * refresher stops hammering the server. */
  i2a_refresher_set_clock_offset (s->refresher, 3 * DAY);
  wait_failed (ev, ev->failed + 1, 20000);
  g_assert_cmpint (i2a_account_get_state (account), ==, I2A_ACCOUNT_STATE_ERROR);
  n = ev->failed;
  login_stack_spin (400);
  g_assert_cmpuint (ev->failed, ==, n);
  {
    g_autoptr(JsonObject) dbg = debug_account (s, i2a_account_get_id (account));

    g_assert_cmpstr (json_object_get_string_member (dbg, "state"), ==, "error");
    g_assert_cmpint (json_object_get_int_member (dbg, "refresh_failures"), ==, n);
    g_assert_nonnull (strstr (json_object_get_string_member (dbg, "last_refresh_error"), "too many"));
    /* The login itself counts as the last refresh. */
    g_assert_cmpint (json_object_get_int_member (dbg, "last_refresh"), >, 0);
  }
  /* The failures are kept with the credentials, for `iflow2api accounts`. */
  while (i2a_refresher_is_saving (s->refresher))
    g_main_context_iteration (NULL, TRUE);
  {
    g_autoptr(I2aAccountSecrets) stored = login_stack_keyring_lookup (s, i2a_account_get_id (account), NULL);

    g_assert_nonnull (stored);
    g_assert_cmpuint (stored->refresh_failures, ==, n);
    g_assert_nonnull (strstr (stored->last_refresh_error, "too many"));
    g_assert_cmpstr (stored->api_key, ==, K1);
  }

  /* A network change (or resume) tries again at once. */
  fake_oauth_server_set_token_failure (s->oauth, FAKE_OAUTH_OK, 0);
  i2a_refresher_set_clock_offset (s->refresher, 0);
  i2a_refresher_check_all (s->refresher);
  wait_refreshed (ev, 1, 20000);
  g_assert_cmpint (i2a_account_get_state (account), ==, I2A_ACCOUNT_STATE_OK);
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, K2);
  events_free (ev);
  login_stack_free (s);
}

static void
test_invalid_grant_needs_login (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  Events *ev = watch (s);
  g_autoptr(I2aAccount) account = login_k1 (s, 2 * DAY);
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(I2aAccountSecrets) stored = NULL;
  g_autoptr(JsonObject) dbg = NULL;
  guint upstream_before;

  fake_oauth_server_set_token_failure (s->oauth, FAKE_OAUTH_FAIL_INVALID_GRANT, 0);
  sleep_past_due (s);
  i2a_refresher_check_all (s->refresher);
  wait_failed (ev, 1, 20000);
  g_assert_error (ev->last_error, I2A_ERROR, I2A_ERROR_OAUTH_INVALID_GRANT);
  g_assert_cmpint (i2a_account_get_state (account), ==, I2A_ACCOUNT_STATE_NEEDS_LOGIN);
  g_assert_false (i2a_account_is_usable (account));
  g_assert_cmpuint (i2a_account_get_refresh_failures (account), ==, 1);

  /* Excluded from routing: the only account, so nobody serves. */
  upstream_before = i2a_fake_iflow_get_requests (s->fake)->len;
  r = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (r->status, ==, 401);
  g_assert_cmpuint (i2a_fake_iflow_get_requests (s->fake)->len, ==, upstream_before);

  /* No retries, and the state survives a restart: the dead refresh token
   * is gone from the keyring. */
  login_stack_spin (200);
  g_assert_cmpuint (ev->failed, ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (s->oauth), ==, 1);
  stored = login_stack_keyring_lookup (s, i2a_account_get_id (account), NULL);
  g_assert_nonnull (stored);
  g_assert_null (stored->refresh_token);

  dbg = debug_account (s, i2a_account_get_id (account));
  g_assert_cmpstr (json_object_get_string_member (dbg, "state"), ==, "needs-login");
  g_assert_cmpint (json_object_get_int_member (dbg, "refresh_failures"), ==, 1);
  g_assert_nonnull (json_object_get_string_member (dbg, "last_refresh_error"));
  g_assert_cmpint (json_object_get_int_member (dbg, "expires_at"), ==, i2a_account_get_expires_at (account));

  /* A new login brings it back. */
  fake_oauth_server_set_token_failure (s->oauth, FAKE_OAUTH_OK, 0);
  i2a_refresher_set_clock_offset (s->refresher, 0);
  {
    g_autoptr(I2aAccount) again = login_stack_login (s, NULL);

    g_assert_true (again == account);
    g_assert_cmpint (i2a_account_get_state (account), ==, I2A_ACCOUNT_STATE_OK);
    g_assert_true (i2a_account_is_usable (account));
  }
  events_free (ev);
  login_stack_free (s);
}

static void
test_user_info_failure_keeps_key (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  Events *ev = watch (s);
  g_autoptr(I2aAccount) account = login_k1 (s, 2 * DAY);
  g_autoptr(I2aAccountSecrets) stored = NULL;
  g_autofree char *old_refresh = g_strdup (fake_oauth_server_get_last_refresh_token (s->oauth));
  guint refreshes = fake_oauth_server_get_refresh_count (s->oauth);
  guint infos = fake_oauth_server_get_user_info_count (s->oauth);

  i2a_refresher_set_backoff (s->refresher, 500, 1000, 5);
  fake_oauth_server_set_user_info_failure (s->oauth, FAKE_OAUTH_FAIL_SERVER_ERROR, 1);
  sleep_past_due (s);
  i2a_refresher_check_all (s->refresher);
  wait_failed (ev, 1, 20000);
  /* The old key serves on; the rotated refresh token is already saved. */
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, K1);
  login_stack_spin (50);
  stored = login_stack_keyring_lookup (s, i2a_account_get_id (account), NULL);
  g_assert_cmpstr (stored->refresh_token, !=, old_refresh);
  g_assert_true (fake_oauth_server_refresh_token_is_valid (s->oauth, stored->refresh_token));
  g_assert_cmpstr (stored->api_key, ==, K1);

  /* The retry only asks for the apiKey again. */
  wait_refreshed (ev, 1, 20000);
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, K2);
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (s->oauth) - refreshes, ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_user_info_count (s->oauth) - infos, ==, 2);
  events_free (ev);
  login_stack_free (s);
}

static void
test_due_before_forwarding (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  Events *ev = watch (s);
  g_autoptr(I2aAccount) account = login_k1 (s, 2 * DAY);
  g_autoptr(I2aTestResponse) r = NULL;

  /* No timer noticed the sleep; the request itself must. */
  sleep_past_due (s);
  g_assert_true (i2a_refresher_is_due (s->refresher, account));
  r = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (ev->refreshed, ==, 1);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (s->fake)->api_key, ==, K2);
  g_assert_cmpuint (i2a_fake_iflow_get_request_count (s->fake, K1), ==, 0);
  events_free (ev);
  login_stack_free (s);
}

static void
test_single_flight (void)
{
  LoginStack *s;
  Events *ev;
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(GArray) pending = g_array_new (FALSE, TRUE, sizeof (Pending));
  const guint n = 6;

  /* The first refresh hangs until the OAuth client gives up (1 s): every
   * request arrives while the account is due and the refresh runs. */
  login_stack_oauth_timeout = 1;
  s = login_stack_new (NULL, TRUE);
  login_stack_oauth_timeout = 0;
  ev = watch (s);
  account = login_k1 (s, 2 * DAY);
  i2a_refresher_set_backoff (s->refresher, 3000, 3000, 5);
  fake_oauth_server_set_token_failure (s->oauth, FAKE_OAUTH_FAIL_HANG, 1);
  sleep_past_due (s);

  g_array_set_size (pending, n);
  for (guint i = 0; i < n; i++)
    chat_async (s, "hello", &g_array_index (pending, Pending, i));
  g_assert_true (i2a_test_wait_until (all_done, pending, 10000));

  /* One refresh for all of them; they waited for it, then went on with
   * the old key when it failed. */
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (s->oauth), ==, 1);
  g_assert_cmpuint (ev->failed, ==, 1);
  for (guint i = 0; i < n; i++)
    {
      Pending *p = &g_array_index (pending, Pending, i);

      g_assert_cmpuint (p->status, ==, 200);
      g_assert_cmpint (p->end - p->start, >=, 900000);
      g_bytes_unref (p->body);
    }
  g_assert_cmpuint (i2a_fake_iflow_get_request_count (s->fake, K1), ==, n);

  /* The retry (3 s later) succeeds: one more refresh, new key. */
  wait_refreshed (ev, 1, 8000);
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (s->oauth), ==, 2);
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, K2);
  events_free (ev);
  login_stack_free (s);
}

static void
test_single_flight_fast (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  Events *ev = watch (s);
  g_autoptr(I2aAccount) account = login_k1 (s, 2 * DAY);
  g_autoptr(GArray) pending = g_array_new (FALSE, TRUE, sizeof (Pending));
  const guint n = 8;

  sleep_past_due (s);
  g_array_set_size (pending, n);
  for (guint i = 0; i < n; i++)
    chat_async (s, "hello", &g_array_index (pending, Pending, i));
  g_assert_true (i2a_test_wait_until (all_done, pending, 10000));
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (s->oauth), ==, 1);
  g_assert_cmpuint (ev->refreshed, ==, 1);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (g_array_index (pending, Pending, i).status, ==, 200);
      g_bytes_unref (g_array_index (pending, Pending, i).body);
    }
  /* Every one of them went out with the new key. */
  g_assert_cmpuint (i2a_fake_iflow_get_request_count (s->fake, K2), ==, n);
  g_assert_cmpuint (i2a_fake_iflow_get_request_count (s->fake, K1), ==, 0);
  events_free (ev);
  login_stack_free (s);
}

static void
test_token_expired_retry (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  Events *ev = watch (s);
  g_autoptr(I2aAccount) account = login_k1 (s, 2 * DAY);
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(I2aTestResponse) again = NULL;
  GPtrArray *requests;

  /* The upstream says the key expired although its expiry is far off. */
  i2a_fake_iflow_set_key_scenario (s->fake, K1, "fake:business 439 token expired");
  r = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (ev->refreshed, ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (s->oauth), ==, 1);
  requests = i2a_fake_iflow_get_requests (s->fake);
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpstr (((I2aFakeRequest *) requests->pdata[0])->api_key, ==, K1);
  g_assert_cmpstr (((I2aFakeRequest *) requests->pdata[1])->api_key, ==, K2);

  /* Only ONE retry: when the new key is refused too, the client hears it. */
  fake_oauth_server_set_next_api_key (s->oauth, "sk-33333333333333333333333333333333");
  i2a_fake_iflow_add_key (s->fake, "sk-33333333333333333333333333333333");
  i2a_fake_iflow_set_key_scenario (s->fake, K2, "fake:business 439 token expired");
  i2a_fake_iflow_set_key_scenario (s->fake, "sk-33333333333333333333333333333333",
                                   "fake:business 439 token expired");
  i2a_fake_iflow_clear_requests (s->fake);
  again = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (again->status, ==, 401);
  g_assert_cmpuint (i2a_fake_iflow_get_requests (s->fake)->len, ==, 2);
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (s->oauth), ==, 2);
  events_free (ev);
  login_stack_free (s);
}

static void
test_resume_check (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  Events *ev = watch (s);
  g_autoptr(I2aAccount) account = login_k1 (s, 2 * DAY);

  /* Resume / network-changed re-reads the wall clock for every account. */
  sleep_past_due (s);
  login_stack_spin (100);
  g_assert_cmpuint (ev->refreshed, ==, 0);
  i2a_refresher_check_all (s->refresher);
  wait_refreshed (ev, 1, 20000);
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, K2);
  g_assert_false (i2a_refresher_is_due (s->refresher, account));
  events_free (ev);
  login_stack_free (s);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  fake_oauth_log_guard_install ();
  fake_oauth_log_guard_forbid (K1);
  fake_oauth_log_guard_forbid (K2);

  g_test_add_func ("/credentials/refresh/rotation-keeps-streams", test_rotation_keeps_streams);
  g_test_add_func ("/credentials/refresh/transient-backoff", test_transient_backoff);
  g_test_add_func ("/credentials/refresh/backoff-capped-then-stops", test_backoff_capped_then_stops);
  g_test_add_func ("/credentials/refresh/invalid-grant-needs-login", test_invalid_grant_needs_login);
  g_test_add_func ("/credentials/refresh/user-info-failure-keeps-key", test_user_info_failure_keeps_key);
  g_test_add_func ("/credentials/refresh/resume-check", test_resume_check);
  g_test_add_func ("/credentials/refresh/due-before-forwarding", test_due_before_forwarding);
  g_test_add_func ("/credentials/refresh/single-flight", test_single_flight);
  g_test_add_func ("/credentials/refresh/single-flight-fast", test_single_flight_fast);
  g_test_add_func ("/credentials/refresh/token-expired-retry", test_token_expired_retry);
  return g_test_run ();
}

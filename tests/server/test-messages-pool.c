/* test-messages-pool.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Messages door over a pool of three accounts: the chat path's
 * guarantees hold through the door (failover before the first event even
 * after pings went out, none after it, the breaker's counters in
 * /debug/accounts). */
#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "pool-test-env.h"

#define TOK_FO "sk-local-failover-ffffffffffffffffff"

static I2aTestResponse *
messages (Env        *e,
          const char *token,
          gboolean    stream)
{
  g_autofree char *url = g_strconcat (e->base, "/v1/messages", NULL);
  g_autofree char *body = g_strdup_printf ("{\"model\":\"glm-4.7\",\"max_tokens\":50,\"stream\":%s,"
                                           "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                                           stream ? "true" : "false");

  return i2a_test_request (e->client, "POST", url, token, "application/json", body, 0, 0);
}

static const char *
type_of (I2aTestResponse *r,
         guint            i)
{
  static char type[64];
  g_autoptr(JsonObject) object = i2a_json_parse_object (r->events->pdata[i], strlen (r->events->pdata[i]));

  g_assert_nonnull (object);
  g_strlcpy (type, json_object_get_string_member (object, "type"), sizeof type);
  return type;
}

/* Account one fails only after a while: pings went out meanwhile, yet the
 * request moves on to account two and the client sees one clean answer. */
static void
test_failover_after_pings (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") ", \"keys\": {\"" TOK_FO "\": {\"accounts\": [\"acc1\", \"acc2\"], "
                    "\"strategy\": \"round_robin\"}}, \"resilience\": {\"retry_attempts\": 2, "
                    "\"retry_backoff_ms\": 0, \"failure_threshold\": 5}}");
  gboolean checked = FALSE;

  i2a_server_set_timeouts (e->server, 30, 10, 1);
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:late-error 2500 502");
  /* Round robin may start with either account: the one that starts with
   * account one is the case. */
  for (guint attempt = 0; attempt < 2 && !checked; attempt++)
    {
      guint before = seen (e, KEY_1);
      g_autoptr(I2aTestResponse) r = messages (e, TOK_FO, TRUE);
      guint n = r->events->len, i = 0, pings = 0;

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (type_of (r, n - 1), ==, "message_stop");
      for (guint j = 0; j < n; j++)
        g_assert_cmpstr (type_of (r, j), !=, "error");
      if (seen (e, KEY_1) == before)
        continue;
      while (i < n && g_str_equal (type_of (r, i), "ping"))
        pings++, i++;
      g_assert_cmpuint (pings, >=, 1);
      g_assert_cmpstr (type_of (r, i), ==, "message_start");
      g_assert_cmpuint (seen (e, KEY_2), >=, 1);
      checked = TRUE;
    }
  g_assert_true (checked);
  {
    g_autoptr(JsonObject) d = debug_account (e, "acc1");

    g_assert_cmpint (json_object_get_int_member (d, "errors"), >=, 1);
    g_assert_nonnull (strstr (json_object_get_string_member (d, "last_error"), "502"));
  }
  env_free (e);
}

/* After the first event there is no silent failover: an error event. */
static void
test_no_failover_after_first_event (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES "}");
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(JsonObject) d = NULL;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:break-after 2");
  r = messages (e, TOK_A, TRUE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (type_of (r, 0), ==, "message_start");
  g_assert_cmpstr (type_of (r, r->events->len - 1), ==, "error");
  g_assert_cmpuint (seen (e, KEY_2) + seen (e, KEY_3), ==, 0);
  /* The request is booked when the server is done with it, a moment
   * after the client read its last byte. */
  for (guint i = 0; i < 50; i++)
    {
      g_clear_pointer (&d, json_object_unref);
      d = debug_account (e, "acc1");
      if (json_object_get_int_member (d, "errors") > 0)
        break;
      i2a_test_sleep_ms (50);
    }
  g_assert_cmpint (json_object_get_int_member (d, "errors"), ==, 1);
  env_free (e);
}

/* Non-streaming: a 5xx from account one goes to another account. */
static void
test_failover_non_streaming (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") ", \"keys\": {\"" TOK_FO "\": {\"accounts\": [\"acc1\", \"acc2\"], "
                    "\"strategy\": \"round_robin\"}}, \"resilience\": {\"retry_attempts\": 2, \"retry_backoff_ms\": 0}}");

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 502");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(I2aTestResponse) r = messages (e, TOK_FO, FALSE);
      g_autoptr(JsonObject) body = i2a_test_response_json (r);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (body, "type"), ==, "message");
    }
  g_assert_cmpuint (seen (e, KEY_1), >=, 1);
  env_free (e);
}

/* Claude model names go through the pool's alias table; the answer names
 * the model the client asked for. */
static void
test_alias (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"aliases\": {\"claude-*\": \"glm-4.7\"}}");
  g_autofree char *url = g_strconcat (e->base, "/v1/messages", NULL);
  g_autoptr(I2aTestResponse) r = i2a_test_request (e->client, "POST", url, TOK_A, "application/json",
                                                   "{\"model\":\"claude-haiku-4-5-20251001\",\"max_tokens\":20,"
                                                   "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 0, 0);
  g_autoptr(JsonObject) answer = i2a_test_response_json (r);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (answer, "model"), ==, "claude-haiku-4-5-20251001");
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (e->fake)->model, ==, "glm-4.7");
  env_free (e);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/messages-pool/failover-after-pings", test_failover_after_pings);
  g_test_add_func ("/server/messages-pool/no-failover-after-first-event", test_no_failover_after_first_event);
  g_test_add_func ("/server/messages-pool/failover-non-streaming", test_failover_non_streaming);
  g_test_add_func ("/server/messages-pool/alias", test_alias);
  return g_test_run ();
}

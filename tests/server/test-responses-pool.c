/* test-responses-pool.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Responses door over a pool of three accounts: the chat path's
 * guarantees hold through the door (failover before the first byte,
 * streaming and not; none after the first event, where response.failed
 * ends the stream; the breaker's counters in /debug/accounts). */
#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "pool-test-env.h"

#define TOK_FO "sk-local-failover-ffffffffffffffffff"
#define FAILOVER_CONFIG \
  "{" ACCOUNTS3 ("", "", "") ", \"keys\": {\"" TOK_FO "\": {\"accounts\": [\"acc1\", \"acc2\"], " \
  "\"strategy\": \"round_robin\"}}, \"resilience\": {\"retry_attempts\": 2, \"retry_backoff_ms\": 0}}"

static I2aTestResponse *
responses (Env        *e,
           const char *token,
           gboolean    stream)
{
  g_autofree char *url = g_strconcat (e->base, "/v1/responses", NULL);
  g_autofree char *body = g_strdup_printf ("{\"model\":\"glm-4.7\",\"input\":\"hi\",\"stream\":%s}",
                                           stream ? "true" : "false");

  return i2a_test_request (e->client, "POST", url, token, "application/json", body, 0, 0);
}

static char *
type_of (I2aTestResponse *r,
         guint            i)
{
  g_autoptr(JsonObject) object = i2a_json_parse_object (r->events->pdata[i], strlen (r->events->pdata[i]));

  g_assert_nonnull (object);
  return g_strdup (json_object_get_string_member (object, "type"));
}

static void
test_failover_streaming (void)
{
  Env *e = env_new (FAILOVER_CONFIG);

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 502");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(I2aTestResponse) r = responses (e, TOK_FO, TRUE);
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;

      g_assert_cmpuint (r->status, ==, 200);
      first = type_of (r, 0);
      last = type_of (r, r->events->len - 1);
      g_assert_cmpstr (first, ==, "response.created");
      g_assert_cmpstr (last, ==, "response.completed");
    }
  g_assert_cmpuint (seen (e, KEY_1), >=, 1);
  g_assert_cmpuint (seen (e, KEY_2), >=, 3);
  env_free (e);
}

/* After the first event there is no silent failover: response.failed. */
static void
test_no_failover_after_first_event (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES "}");
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(JsonObject) d = NULL;
  g_autofree char *last = NULL;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:break-after 2");
  r = responses (e, TOK_A, TRUE);
  g_assert_cmpuint (r->status, ==, 200);
  last = type_of (r, r->events->len - 1);
  g_assert_cmpstr (last, ==, "response.failed");
  g_assert_cmpuint (seen (e, KEY_2) + seen (e, KEY_3), ==, 0);
  /* Booked when the server is done with it, a moment after the last byte. */
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

static void
test_failover_non_streaming (void)
{
  Env *e = env_new (FAILOVER_CONFIG);

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 502");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(I2aTestResponse) r = responses (e, TOK_FO, FALSE);
      g_autoptr(JsonObject) body = i2a_test_response_json (r);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (body, "status"), ==, "completed");
    }
  g_assert_cmpuint (seen (e, KEY_1), >=, 1);
  env_free (e);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/responses-pool/failover-streaming", test_failover_streaming);
  g_test_add_func ("/server/responses-pool/no-failover-after-first-event", test_no_failover_after_first_event);
  g_test_add_func ("/server/responses-pool/failover-non-streaming", test_failover_non_streaming);
  return g_test_run ();
}

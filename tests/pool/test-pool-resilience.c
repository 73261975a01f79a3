/* test-pool-resilience.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* End-to-end tests of the pool's resilience: circuit breaker (threshold,
 * cool-down, half-open trial), 503 when every circuit is open, upstream
 * Retry-After as cool-down, failover before the first byte and none after
 * it (pool-test-env.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pool-test-env.h"

/* ---- circuit breaker ---------------------------------------------------- */


static void
test_circuit_breaker (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"resilience\": {\"failure_threshold\": 2, "
                    "\"cool_down_seconds\": 1, \"retry_attempts\": 1, \"retry_backoff_ms\": 0}}");
  g_autoptr(JsonObject) d = NULL;
  g_autoptr(JsonObject) d2 = NULL;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 500");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
      g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 500);
    }
  g_assert_cmpuint (seen (e, KEY_1), ==, 2);
  d = debug_account (e, "acc1");
  g_assert_true (json_object_get_boolean_member (d, "circuit_open"));
  g_assert_cmpint (json_object_get_int_member (d, "consecutive_failures"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (d, "circuit_open_for_seconds"), ==, 1);
  g_assert_nonnull (strstr (json_object_get_string_member (d, "last_error"), "500"));

  /* Open: refused without touching the upstream, with Retry-After. */
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 503);
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"), ==, "1");
    g_assert_cmpuint (seen (e, KEY_1), ==, 2);
  }

  /* After the cool-down one trial goes through; it fails: open again at
   * once, without waiting for the threshold. */
  i2a_test_sleep_ms (1100);
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(I2aTestResponse) r2 = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 500);
    g_autoptr(JsonObject) err2 = i2a_test_assert_openai_error (r2, 503);
    g_assert_cmpuint (seen (e, KEY_1), ==, 3);
  }

  /* Next trial succeeds: closed, counter reset, traffic flows. */
  i2a_test_sleep_ms (1100);
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
      g_assert_cmpuint (r->status, ==, 200);
    }
  d2 = debug_account (e, "acc1");
  g_assert_false (json_object_get_boolean_member (d2, "circuit_open"));
  g_assert_cmpint (json_object_get_int_member (d2, "consecutive_failures"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (d2, "errors"), ==, 3);
  env_free (e);
}

static void
test_half_open_single_trial (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"resilience\": {\"failure_threshold\": 1, "
                    "\"cool_down_seconds\": 1, \"retry_attempts\": 0}}");
  Async *trial;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 502");
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_assert_cmpuint (r->status, ==, 502);
  }
  i2a_test_sleep_ms (1100);
  /* The trial hangs: while it runs, nothing else reaches acc1. */
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:slow 10 50");
  trial = async_chat (e, TOK_A, "hi", TRUE);
  g_assert_true (i2a_test_wait_until ((gboolean (*) (gpointer)) i2a_account_get_in_flight, account (e, "acc1"), 3000));
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 503);
    g_assert_nonnull (soup_message_headers_get_one (r->headers, "Retry-After"));
  }
  g_assert_true (i2a_test_wait_until (async_is_done, trial, 5000));
  g_assert_cmpuint (trial->status, ==, 200);
  g_assert_true (i2a_test_wait_until (account_idle, account (e, "acc1"), 2000));
  g_assert_cmpuint (i2a_account_get_consecutive_failures (account (e, "acc1")), ==, 0);
  async_free (trial);
  env_free (e);
}

static void
test_all_open_503 (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", ", \"enabled\": false") "," ROUTES
                    ", \"resilience\": {\"failure_threshold\": 1, \"cool_down_seconds\": 30, \"retry_attempts\": 1,"
                    " \"retry_backoff_ms\": 10}}");
  g_autoptr(I2aTestResponse) r1 = NULL;
  g_autoptr(I2aTestResponse) r2 = NULL;
  g_autoptr(JsonObject) err = NULL;
  const char *retry_after;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 503");
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_2, "fake:http 503");
  /* Both fail (first attempt + failover), both circuits open. */
  r1 = chat (e, TOK_P, "hi", FALSE);
  g_assert_cmpuint (r1->status, ==, 503);
  g_assert_cmpuint (seen (e, KEY_1) + seen (e, KEY_2), ==, 2);
  r2 = chat (e, TOK_P, "hi", TRUE);
  err = i2a_test_assert_openai_error (r2, 503);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "accounts_cooling_down");
  retry_after = soup_message_headers_get_one (r2->headers, "Retry-After");
  g_assert_nonnull (retry_after);
  g_assert_cmpint (atoi (retry_after), >=, 29);
  g_assert_cmpint (atoi (retry_after), <=, 30);
  g_assert_cmpuint (seen (e, KEY_1) + seen (e, KEY_2), ==, 2);
  env_free (e);
}

static void
test_retry_after_is_cool_down (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"resilience\": {\"failure_threshold\": 5, "
                    "\"cool_down_seconds\": 1, \"retry_attempts\": 1, \"retry_backoff_ms\": 0}}");
  g_autoptr(I2aTestResponse) r = NULL;
  guint open_for;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:retry-after 20");
  r = chat (e, TOK_R, "hi", FALSE);
  /* Failed over to acc2; acc1 stays away for the upstream's 20 s. */
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (last_key (e), ==, KEY_2);
  open_for = i2a_pool_get_circuit_open_for (e->pool, account (e, "acc1"));
  g_assert_cmpuint (open_for, >=, 19);
  g_assert_cmpuint (open_for, <=, 20);
  env_free (e);
}

/* ---- failover ----------------------------------------------------------- */

static void
test_failover_before_first_byte (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES ", \"resilience\": {\"retry_attempts\": 1, "
                    "\"retry_backoff_ms\": 50}}");

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:http 502");
  for (guint s = 0; s < 2; s++)
    {
      /* Round robin starts at acc1 after each pair: first attempt acc1. */
      g_autoptr(I2aTestResponse) r = NULL;
      gboolean stream = s == 1;

      i2a_fake_iflow_clear_requests (e->fake);
      r = chat (e, TOK_R, "hi", stream);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpuint (seen (e, KEY_1), ==, 1);
      g_assert_cmpuint (seen (e, KEY_2), ==, 1);
      g_assert_cmpstr (last_key (e), ==, KEY_2);
      if (stream)
        g_assert_cmpstr (r->events->pdata[r->events->len - 1], ==, "[DONE]");
      g_assert_cmpint (r->headers_time - r->start_time, >=, 50 * 1000);
      /* Move the rotation back to acc1. */
      {
        g_autoptr(I2aTestResponse) skip = chat (e, TOK_R, "hi", FALSE);
        g_assert_cmpstr (last_key (e), ==, KEY_3);
      }
    }

  /* A client error is not the account's fault: no failover, no count. */
  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:business 435 Model not support");
  i2a_fake_iflow_clear_requests (e->fake);
  g_assert_cmpuint (i2a_account_get_consecutive_failures (account (e, "acc1")), ==, 2);
  {
    g_autoptr(I2aTestResponse) r = chat (e, TOK_A, "hi", FALSE);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 400);
    g_assert_cmpuint (seen (e, KEY_1), ==, 1);
    g_assert_cmpuint (i2a_fake_iflow_get_requests (e->fake)->len, ==, 1);
    g_assert_cmpuint (i2a_account_get_consecutive_failures (account (e, "acc1")), ==, 2);
    g_assert_false (i2a_account_is_circuit_open (account (e, "acc1"), g_get_real_time () / G_USEC_PER_SEC));
  }
  env_free (e);
}

static void
test_no_failover_after_first_byte (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") "," ROUTES "}");
  g_autoptr(I2aTestResponse) r = NULL;
  const char *error_event;

  i2a_fake_iflow_set_key_scenario (e->fake, KEY_1, "fake:break-after 2");
  r = chat (e, TOK_R, "hi", TRUE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (r->events->len, ==, 4);
  error_event = r->events->pdata[2];
  g_assert_nonnull (strstr (error_event, "\"error\""));
  g_assert_cmpstr (r->events->pdata[3], ==, "[DONE]");
  g_assert_cmpuint (seen (e, KEY_2) + seen (e, KEY_3), ==, 0);
  /* The slot is freed once the server has finished the response. */
  g_assert_true (i2a_test_wait_until (account_idle, account (e, "acc1"), 2000));
  env_free (e);
}

int
main (int argc, char *argv[])
{
  g_setenv ("SOUP_FORCE_HTTP1", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pool/circuit/open-trial-close", test_circuit_breaker);
  g_test_add_func ("/pool/circuit/half-open-single-trial", test_half_open_single_trial);
  g_test_add_func ("/pool/circuit/all-open-503", test_all_open_503);
  g_test_add_func ("/pool/circuit/retry-after", test_retry_after_is_cool_down);
  g_test_add_func ("/pool/failover/before-first-byte", test_failover_before_first_byte);
  g_test_add_func ("/pool/failover/not-after-first-byte", test_no_failover_after_first_byte);
  return g_test_run ();
}

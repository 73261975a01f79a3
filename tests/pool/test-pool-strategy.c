/* test-pool-strategy.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The pool's default strategy (i2a_pool_set_default_strategy, the desktop
 * app's "default-strategy" setting): requests with no route use every
 * account with it; client key routes and keys.json's "default" keep their
 * own. Real server, real client, the fake iFlow (pool-test-env.h).
 *
 * acc1 is kept busy by one long stream on its own client key, so the two
 * strategies differ: least_busy never picks it while the others are idle,
 * round_robin still takes it in turn. */
#include "config.h"

#include "pool-test-env.h"

#define MAX4 ", \"max_concurrency\": 4"

typedef struct
{
  guint k1, k2, k3;
} Counts;

static Counts
counts (Env *e)
{
  return (Counts) { seen (e, KEY_1), seen (e, KEY_2), seen (e, KEY_3) };
}

/* @n requests; how many each account got. */
static Counts
run (Env        *e,
     const char *token,
     guint       n)
{
  Counts before = counts (e), after;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (e, token, "hi", FALSE);

      g_assert_cmpuint (r->status, ==, 200);
    }
  after = counts (e);
  return (Counts) { after.k1 - before.k1, after.k2 - before.k2, after.k3 - before.k3 };
}

/* In flight on the pool's side and seen by the fake (so the counts that
 * follow do not include it). */
static gboolean
acc1_busy (gpointer data)
{
  return i2a_account_get_in_flight (account (data, "acc1")) == 1 && seen (data, KEY_1) == 1;
}

static guint
reloads_at_least (Env   *e,
                  guint  n)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (e->reloads < n && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  return e->reloads;
}

static void
test_default_strategy (void)
{
  Env *e = env_new ("{" ACCOUNTS3 (MAX4, MAX4, MAX4) "," ROUTES "}");
  Async *hold;
  Counts c;
  guint reloads;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (i2a_pool_get_default_strategy (e->pool), ==, I2A_STRATEGY_LEAST_BUSY);
  hold = async_chat (e, TOK_A, "fake:slow 100 100", TRUE);
  g_assert_true (i2a_test_wait_until (acc1_busy, e, 5000));

  /* Default least_busy: the busy account is left alone. */
  c = run (e, NULL, 6);
  g_assert_cmpuint (c.k1, ==, 0);
  g_assert_cmpuint (c.k2, ==, 3);
  g_assert_cmpuint (c.k3, ==, 3);

  /* round_robin: every account in turn, busy or not (it has room). */
  i2a_pool_set_default_strategy (e->pool, I2A_STRATEGY_ROUND_ROBIN);
  g_assert_cmpint (i2a_pool_get_default_strategy (e->pool), ==, I2A_STRATEGY_ROUND_ROBIN);
  c = run (e, NULL, 6);
  g_assert_cmpuint (c.k1, ==, 2);
  g_assert_cmpuint (c.k2, ==, 2);
  g_assert_cmpuint (c.k3, ==, 2);
  /* An unknown token has no route either (no auth configured). */
  c = run (e, "sk-unknown-token", 3);
  g_assert_cmpuint (c.k1, ==, 1);

  /* A client key's route keeps its own strategy (least_busy). */
  c = run (e, TOK_P, 4);
  g_assert_cmpuint (c.k1, ==, 0);

  /* Accounts removed later are no longer in the rotation. */
  g_assert_true (i2a_pool_remove_account (e->pool, "acc3", &error));
  g_assert_no_error (error);
  c = run (e, NULL, 4);
  g_assert_cmpuint (c.k1, ==, 2);
  g_assert_cmpuint (c.k2, ==, 2);
  g_assert_cmpuint (c.k3, ==, 0);

  /* keys.json's "default" route wins over the pool's default strategy. */
  reloads = e->reloads;
  write_keys (e, "{" ACCOUNTS3 (MAX4, MAX4, MAX4) "," ROUTES ", \"default\": "
              "{\"accounts\": [\"acc1\", \"acc2\", \"acc3\"], \"strategy\": \"least_busy\"}}");
  g_assert_cmpuint (reloads_at_least (e, reloads + 1), >, reloads);
  /* The same account object, still busy. */
  g_assert_cmpuint (i2a_account_get_in_flight (account (e, "acc1")), ==, 1);
  c = run (e, NULL, 4);
  g_assert_cmpuint (c.k1, ==, 0);
  g_assert_cmpuint (c.k2 + c.k3, ==, 4);

  /* Without it, round robin again; and back to least_busy at once. */
  reloads = e->reloads;
  write_keys (e, "{" ACCOUNTS3 (MAX4, MAX4, MAX4) "," ROUTES "}");
  g_assert_cmpuint (reloads_at_least (e, reloads + 1), >, reloads);
  c = run (e, NULL, 3);
  g_assert_cmpuint (c.k1, ==, 1);
  i2a_pool_set_default_strategy (e->pool, I2A_STRATEGY_LEAST_BUSY);
  c = run (e, NULL, 4);
  g_assert_cmpuint (c.k1, ==, 0);

  g_cancellable_cancel (hold->cancellable);
  g_assert_true (i2a_test_wait_until (async_is_done, hold, 5000));
  async_free (hold);
  env_free (e);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pool/default-strategy/no-route", test_default_strategy);
  return g_test_run ();
}

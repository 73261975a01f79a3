/* i2a-pool-quota.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Quotas of accounts and limits of client keys, counted from the usage
 * ledger's in-memory windows (finished requests) plus the requests in
 * flight, so a check costs two binary searches and no disk access. */
#define G_LOG_DOMAIN "i2a-pool"

#include "config.h"

#include "i2a-pool-private.h"

static GQuark
ledger_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("i2a-pool-ledger");
  return quark;
}

static void
apply_retention (I2aPool *self)
{
  I2aLedger *ledger = i2a_pool_get_ledger (self);

  if (ledger)
    i2a_ledger_set_retention_days (ledger, i2a_pool_get_config (self)->usage_retention_days);
}

void
i2a_pool_set_ledger (I2aPool   *self,
                     I2aLedger *ledger)
{
  g_return_if_fail (I2A_IS_POOL (self));

  g_object_set_qdata_full (G_OBJECT (self), ledger_quark (), ledger ? g_object_ref (ledger) : NULL,
                           g_object_unref);
  g_signal_handlers_disconnect_by_func (self, apply_retention, NULL);
  if (ledger)
    {
      g_signal_connect (self, "config-reloaded", G_CALLBACK (apply_retention), NULL);
      apply_retention (self);
    }
}

I2aLedger *
i2a_pool_get_ledger (I2aPool *self)
{
  g_return_val_if_fail (I2A_IS_POOL (self), NULL);

  return g_object_get_qdata (G_OBJECT (self), ledger_quark ());
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

gint64
i2a_pool_quota_free_at (I2aPool    *self,
                        I2aAccount *account)
{
  I2aLedger *ledger = i2a_pool_get_ledger (self);
  const I2aKeysAccount *conf;
  I2aUsageWindow *w;

  if (ledger == NULL)
    return 0;
  conf = i2a_keys_config_lookup_account (self->config, i2a_account_get_id (account));
  if (conf == NULL || conf->quota.window_ms == 0 || (conf->quota.requests == 0 && conf->quota.tokens == 0))
    return 0;
  w = i2a_ledger_get_window (ledger, I2A_USAGE_SCOPE_ACCOUNT, i2a_account_get_id (account));
  return i2a_usage_window_free_at (w, now_ms (), conf->quota.window_ms, conf->quota.requests,
                                   conf->quota.tokens, i2a_account_get_in_flight (account));
}

guint
i2a_pool_get_quota_resets_in (I2aPool    *self,
                              I2aAccount *account)
{
  gint64 at = i2a_pool_quota_free_at (self, account);
  gint64 now = now_ms ();

  if (at == 0)
    return 0;
  /* Only the requests in flight fill it: free as soon as one ends. */
  if (at == G_MAXINT64)
    return 1;
  return (guint) MAX (1, (at - now + 999) / 1000);
}

I2aApiError *
_i2a_pool_check_key_limits (I2aPool      *self,
                            I2aKeysRoute *route)
{
  I2aLedger *ledger = i2a_pool_get_ledger (self);
  I2aUsageWindow *w;
  I2aApiError *error;
  gint64 now = now_ms (), at;

  if (ledger == NULL || route == NULL || route->key_id == NULL ||
      (route->requests_per_minute == 0 && route->tokens_per_day == 0))
    return NULL;
  w = i2a_ledger_get_window (ledger, I2A_USAGE_SCOPE_KEY, route->key_id);
  if (w == NULL)
    return NULL;
  if (route->requests_per_minute > 0 &&
      (at = i2a_usage_window_free_at (w, now, 60 * 1000, route->requests_per_minute, 0, 0)) > 0)
    {
      error = i2a_api_error_new (429, "rate_limit_error", "key_requests_per_minute",
                                 "Client key '%s' is over its limit of %" G_GINT64_FORMAT
                                 " requests per minute (limits.requests_per_minute in keys.json)",
                                 route->key_id, route->requests_per_minute);
    }
  else if (route->tokens_per_day > 0 &&
           (at = i2a_usage_window_free_at (w, now, 24 * 3600 * 1000, 0, route->tokens_per_day, 0)) > 0)
    {
      error = i2a_api_error_new (429, "rate_limit_error", "key_tokens_per_day",
                                 "Client key '%s' is over its limit of %" G_GINT64_FORMAT
                                 " tokens per day (limits.tokens_per_day in keys.json)",
                                 route->key_id, route->tokens_per_day);
    }
  else
    return NULL;
  error->retry_after = (gint) MAX (1, (at - now + 999) / 1000);
  return error;
}

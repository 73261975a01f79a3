/* i2a-debug-endpoint.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-debug-endpoint"

#include "config.h"

#include "i2a-debug-endpoint.h"
#include "i2a-enum.h"
#include "i2a-routing.h"
#include "i2a-http.h"
#include "i2a-util.h"

#define ADD_INT(b, name, value) \
  G_STMT_START { json_builder_set_member_name (b, name); json_builder_add_int_value (b, value); } G_STMT_END
#define ADD_BOOL(b, name, value) \
  G_STMT_START { json_builder_set_member_name (b, name); json_builder_add_boolean_value (b, value); } G_STMT_END
#define ADD_STRING(b, name, value) \
  G_STMT_START {                                                   \
    json_builder_set_member_name (b, name);                        \
    if ((value) != NULL) json_builder_add_string_value (b, value); \
    else json_builder_add_null_value (b);                          \
  } G_STMT_END

static void
add_account (JsonBuilder *b,
             I2aPool     *pool,
             I2aAccount  *account)
{
  g_autofree char *mask = i2a_account_dup_api_key_mask (account);
  g_autofree char *base_url = i2a_url_for_display (i2a_account_get_base_url (account));
  guint open_for = i2a_pool_get_circuit_open_for (pool, account);
  guint quota_in = i2a_pool_get_quota_resets_in (pool, account);

  json_builder_set_member_name (b, i2a_account_get_id (account));
  json_builder_begin_object (b);
  ADD_STRING (b, "label", i2a_account_get_label (account));
  ADD_BOOL (b, "enabled", i2a_account_get_enabled (account));
  ADD_STRING (b, "api_key_mask", mask);
  ADD_BOOL (b, "has_api_key", i2a_account_has_api_key (account));
  ADD_STRING (b, "base_url", base_url);
  ADD_STRING (b, "provider", i2a_enum_to_nick (I2A_TYPE_PROVIDER, i2a_account_get_provider (account)));
  ADD_STRING (b, "email", i2a_account_get_email (account));
  ADD_STRING (b, "auth_type", i2a_account_get_auth_type (account));
  ADD_INT (b, "in_flight", i2a_account_get_in_flight (account));
  ADD_INT (b, "max_concurrency", i2a_account_get_max_concurrency (account));
  ADD_INT (b, "queued", i2a_account_get_queued (account));
  ADD_INT (b, "consecutive_failures", i2a_account_get_consecutive_failures (account));
  ADD_BOOL (b, "circuit_open", open_for > 0);
  ADD_BOOL (b, "quota_exhausted", quota_in > 0);
  ADD_INT (b, "quota_resets_in_seconds", quota_in);
  {
    I2aLedger *ledger = i2a_pool_get_ledger (pool);
    gint64 requests = 0, tokens = 0;

    if (ledger)
      i2a_ledger_get_today (ledger, I2A_USAGE_SCOPE_ACCOUNT, i2a_account_get_id (account), &requests, &tokens);
    ADD_INT (b, "requests_today", requests);
    ADD_INT (b, "tokens_today", tokens);
  }
  ADD_INT (b, "circuit_open_for_seconds", open_for);
  ADD_STRING (b, "last_error", i2a_account_get_last_error (account) ? i2a_account_get_last_error (account) : "");
  ADD_INT (b, "requests", (gint64) i2a_account_get_requests (account));
  ADD_INT (b, "errors", (gint64) i2a_account_get_errors (account));
  ADD_STRING (b, "state", i2a_enum_to_nick (I2A_TYPE_ACCOUNT_STATE, i2a_account_get_state (account)));
  ADD_INT (b, "expires_at", i2a_account_get_expires_at (account));
  /* Unix seconds of the last login or successful refresh; 0 = unknown. */
  ADD_INT (b, "last_refresh", i2a_account_get_last_refresh (account));
  ADD_INT (b, "refresh_failures", i2a_account_get_refresh_failures (account));
  ADD_STRING (b, "last_refresh_error", i2a_account_get_last_refresh_error (account));
  /* Discovered models (-1: not known yet, any model accepted). */
  ADD_INT (b, "models", i2a_account_get_models (account) ? (gint64) g_strv_length ((char **) i2a_account_get_models (account)) : -1);
  ADD_STRING (b, "models_error", i2a_account_get_models_error (account));
  ADD_INT (b, "sticky_sessions", i2a_pool_sticky_count (pool, i2a_account_get_id (account)));
  json_builder_end_object (b);
}

JsonNode *
i2a_debug_endpoint_build (I2aPool *pool)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  I2aKeysConfig *config = i2a_pool_get_config (pool);
  const I2aResilience *res = &config->resilience;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (pool));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resilience");
  json_builder_begin_object (b);
  ADD_BOOL (b, "enabled", res->enabled);
  ADD_INT (b, "failure_threshold", res->failure_threshold);
  ADD_INT (b, "cool_down_seconds", res->cool_down_seconds);
  ADD_INT (b, "retry_attempts", res->retry_attempts);
  ADD_INT (b, "retry_backoff_ms", res->retry_backoff_ms);
  json_builder_set_member_name (b, "retry_status_codes");
  json_builder_begin_array (b);
  for (guint i = 0; i < res->retry_status_codes->len; i++)
    json_builder_add_int_value (b, g_array_index (res->retry_status_codes, guint, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "queue");
  json_builder_begin_object (b);
  ADD_INT (b, "length", i2a_pool_get_queue_length (pool));
  ADD_INT (b, "max_length", config->queue_max_length);
  ADD_INT (b, "max_wait_seconds", config->queue_max_wait_seconds);
  json_builder_end_object (b);

  ADD_BOOL (b, "multi_account", i2a_pool_is_multi_account (pool));
  ADD_BOOL (b, "auth_enabled", config->auth_enabled);
  ADD_BOOL (b, "auth_required", config->auth_required);
  ADD_INT (b, "client_keys", config->tokens->len);
  ADD_STRING (b, "config_path", i2a_pool_get_config_path (pool));
  if (i2a_pool_get_load_error (pool))
    ADD_STRING (b, "config_error", i2a_pool_get_load_error (pool)->message);

  i2a_pool_add_routing_debug (pool, b);

  json_builder_set_member_name (b, "accounts");
  json_builder_begin_object (b);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(I2aAccount) account = g_list_model_get_item (G_LIST_MODEL (pool), i);
      add_account (b, pool, account);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
i2a_debug_endpoint_handle (I2aPool           *pool,
                           SoupServerMessage *msg)
{
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!i2a_pool_check_client_token (pool, i2a_http_get_bearer (msg), &error))
    {
      i2a_http_reply_error (msg, error);
      return;
    }
  node = i2a_debug_endpoint_build (pool);
  i2a_http_reply_json (msg, SOUP_STATUS_OK, node);
}

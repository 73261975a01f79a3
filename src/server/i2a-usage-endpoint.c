/* i2a-usage-endpoint.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-usage-endpoint"

#include "config.h"

#include "i2a-enum.h"
#include "i2a-http.h"
#include "i2a-usage-endpoint.h"

typedef struct
{
  SoupServerMessage *msg;
  gint64             since_ms;
  I2aUsageBy         by;
} Pending;

static void
queried_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = i2a_ledger_query_finish (I2A_LEDGER (source), result, &error);

  if (groups == NULL)
    i2a_http_reply_simple_error (p->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "usage_unavailable", error->message);
  else
    {
      g_autoptr(JsonNode) node = i2a_usage_groups_to_json (groups, p->since_ms, p->by);

      i2a_http_reply_json (p->msg, SOUP_STATUS_OK, node);
    }
  soup_server_message_unpause (p->msg);
  g_object_unref (p->msg);
  g_free (p);
}

void
i2a_usage_endpoint_handle (I2aPool           *pool,
                           SoupServerMessage *msg,
                           GHashTable        *query)
{
  g_autoptr(I2aApiError) error = NULL;
  I2aLedger *ledger = i2a_pool_get_ledger (pool);
  const char *since = query ? g_hash_table_lookup (query, "since") : NULL;
  const char *by = query ? g_hash_table_lookup (query, "by") : NULL;
  Pending *p;

  if (!i2a_pool_check_client_token (pool, i2a_http_get_bearer (msg), &error))
    {
      i2a_http_reply_error (msg, error);
      return;
    }
  p = g_new0 (Pending, 1);
  if (!i2a_usage_parse_since (since ? since : "7d", g_get_real_time () / 1000, &p->since_ms))
    {
      g_free (p);
      i2a_http_reply_simple_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_since",
                                   "since must be a span such as 24h, 7d or 30d, or a date YYYY-MM-DD");
      return;
    }
  if (!i2a_enum_from_nick (I2A_TYPE_USAGE_BY, by ? by : "day", (int *) &p->by))
    {
      g_free (p);
      i2a_http_reply_simple_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_by",
                                   "by must be one of day, account, model, key, endpoint");
      return;
    }
  if (ledger == NULL)
    {
      g_free (p);
      i2a_http_reply_simple_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "usage_ledger_off",
                                   "The usage ledger is off (IFLOW2API_USAGE_DB=off) or could not be opened");
      return;
    }
  /* The query runs on the ledger's thread; the main loop goes on. */
  p->msg = g_object_ref (msg);
  soup_server_message_pause (msg);
  i2a_ledger_query_async (ledger, p->since_ms, p->by, NULL, queried_cb, p);
}

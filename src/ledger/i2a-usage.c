/* i2a-usage.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Plain data of the ledger: rows, groups, "--since" and "--by" values, and
 * the JSON of a summary (the same for `iflow2api usage --json` and
 * GET /debug/usage). */
#define G_LOG_DOMAIN "i2a-ledger"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "i2a-ledger.h"
#include "i2a-enum.h"

static gint64
count_member (JsonObject *obj,
              const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return MAX (json_node_get_int (node), 0);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) MAX (json_node_get_double (node), 0);
  return -1;
}

static JsonObject *
object_member (JsonObject *obj,
               const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

gboolean
i2a_usage_read (JsonObject    *object,
                I2aTokenUsage *out)
{
  JsonObject *usage = object_member (object, "usage");
  gint64 prompt = count_member (usage, "prompt_tokens");
  gint64 completion = count_member (usage, "completion_tokens");

  if (prompt < 0 && completion < 0)
    return FALSE;
  out->prompt = MAX (prompt, 0);
  out->completion = MAX (completion, 0);
  out->reasoning = MAX (count_member (object_member (usage, "completion_tokens_details"), "reasoning_tokens"), 0);
  out->cached = MAX (count_member (object_member (usage, "prompt_tokens_details"), "cached_tokens"), 0);
  return TRUE;
}

/* End of the JSON object starting at @p (its closing brace), or NULL. */
static const char *
object_end (const char *p,
            const char *end)
{
  int depth = 0;
  gboolean in_string = FALSE;

  for (; p < end; p++)
    {
      if (in_string)
        {
          if (*p == '\\')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '{')
        depth++;
      else if (*p == '}' && --depth == 0)
        return p;
    }
  return NULL;
}

gboolean
i2a_usage_scan (const char    *data,
                gsize          len,
                I2aTokenUsage *out)
{
  const char *end = data + len;
  const char *at = g_strrstr_len (data, (gssize) len, "\"usage\"");
  const char *p, *close;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *doc = NULL;

  if (at == NULL)
    return FALSE;
  for (p = at + strlen ("\"usage\""); p < end && (g_ascii_isspace (*p) || *p == ':'); p++)
    ;
  if (p >= end || *p != '{' || (close = object_end (p, end)) == NULL)
    return FALSE;
  doc = g_strdup_printf ("{\"usage\":%.*s}", (int) (close - p + 1), p);
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, doc, -1, NULL))
    return FALSE;
  return i2a_usage_read (json_node_get_object (json_parser_get_root (parser)), out);
}

I2aLedgerRow *
i2a_ledger_row_new (void)
{
  I2aLedgerRow *row = g_new0 (I2aLedgerRow, 1);

  row->ttfb_ms = -1;
  return row;
}

I2aLedgerRow *
i2a_ledger_row_copy (const I2aLedgerRow *row)
{
  I2aLedgerRow *copy = g_memdup2 (row, sizeof *row);

  copy->endpoint = g_strdup (row->endpoint);
  copy->client_key = g_strdup (row->client_key);
  copy->account = g_strdup (row->account);
  copy->model_requested = g_strdup (row->model_requested);
  copy->model_sent = g_strdup (row->model_sent);
  copy->error_type = g_strdup (row->error_type);
  return copy;
}

void
i2a_ledger_row_free (I2aLedgerRow *row)
{
  if (row == NULL)
    return;
  g_free (row->endpoint);
  g_free (row->client_key);
  g_free (row->account);
  g_free (row->model_requested);
  g_free (row->model_sent);
  g_free (row->error_type);
  g_free (row);
}

void
i2a_usage_group_free (I2aUsageGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->key);
  g_free (group->day);
  g_free (group);
}

gboolean
i2a_usage_parse_since (const char *text,
                       gint64      now_ms,
                       gint64     *since_ms)
{
  gint64 span;
  int y, m, d;
  char tail;

  if (text == NULL)
    return FALSE;
  if (i2a_usage_parse_duration (text, &span))
    {
      *since_ms = now_ms - span;
      return TRUE;
    }
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && g_date_valid_dmy (d, m, y))
    {
      g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
      g_autoptr(GDateTime) start = g_date_time_new (tz, y, m, d, 0, 0, 0);

      if (start == NULL)
        return FALSE;
      *since_ms = g_date_time_to_unix (start) * 1000;
      return TRUE;
    }
  return FALSE;
}

static void
add_counts (JsonBuilder         *b,
            const I2aUsageGroup *g)
{
  json_builder_set_member_name (b, "requests");
  json_builder_add_int_value (b, g->requests);
  json_builder_set_member_name (b, "errors");
  json_builder_add_int_value (b, g->errors);
  json_builder_set_member_name (b, "input_tokens");
  json_builder_add_int_value (b, g->prompt_tokens);
  json_builder_set_member_name (b, "output_tokens");
  json_builder_add_int_value (b, g->completion_tokens);
  json_builder_set_member_name (b, "reasoning_tokens");
  json_builder_add_int_value (b, g->reasoning_tokens);
  json_builder_set_member_name (b, "cached_tokens");
  json_builder_add_int_value (b, g->cached_tokens);
  json_builder_set_member_name (b, "estimated_requests");
  json_builder_add_int_value (b, g->estimated);
}

JsonNode *
i2a_usage_groups_to_json (GPtrArray  *groups,
                          gint64      since_ms,
                          I2aUsageBy  by)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  I2aUsageGroup total = { 0 };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "since");
  json_builder_add_int_value (b, since_ms);
  json_builder_set_member_name (b, "by");
  json_builder_add_string_value (b, i2a_enum_to_nick (I2A_TYPE_USAGE_BY, by));
  json_builder_set_member_name (b, "groups");
  json_builder_begin_array (b);
  for (guint i = 0; i < groups->len; i++)
    {
      const I2aUsageGroup *g = groups->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, i2a_enum_to_nick (I2A_TYPE_USAGE_BY, by));
      if (*g->key)
        json_builder_add_string_value (b, g->key);
      else
        json_builder_add_null_value (b);
      add_counts (b, g);
      json_builder_end_object (b);
      total.requests += g->requests;
      total.errors += g->errors;
      total.prompt_tokens += g->prompt_tokens;
      total.completion_tokens += g->completion_tokens;
      total.reasoning_tokens += g->reasoning_tokens;
      total.cached_tokens += g->cached_tokens;
      total.estimated += g->estimated;
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_begin_object (b);
  add_counts (b, &total);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
i2a_usage_format_duration (guint seconds)
{
  guint h = seconds / 3600, m = (seconds % 3600) / 60;

  if (h >= 48)
    /* TRANSLATORS: a duration in days and hours */
    return g_strdup_printf (_("%u d %u h"), h / 24, h % 24);
  if (h > 0)
    /* TRANSLATORS: a duration in hours and minutes */
    return g_strdup_printf (_("%u h %u min"), h, m);
  if (m > 0)
    /* TRANSLATORS: a duration in minutes */
    return g_strdup_printf (_("%u min"), m + (seconds % 60 >= 30 ? 1 : 0));
  /* TRANSLATORS: a duration in seconds */
  return g_strdup_printf (_("%u s"), MAX (seconds, 1));
}

char *
i2a_usage_format_count (gint64 count)
{
  if (count >= 1000000)
    return g_strdup_printf ("%.1f M", count / 1e6);
  if (count >= 10000)
    return g_strdup_printf ("%.1f k", count / 1e3);
  return g_strdup_printf ("%" G_GINT64_FORMAT, count);
}

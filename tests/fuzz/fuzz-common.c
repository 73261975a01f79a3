/* fuzz-common.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "i2a-json-limits.h"

static gboolean verbose;
static const char *known_critical;
static gboolean capture;
static GString *logged;

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  gboolean fatal = (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) != 0;

  if (fatal && known_critical && !(level & G_LOG_LEVEL_ERROR))
    for (gsize i = 0; i < n_fields; i++)
      if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
          strstr (fields[i].value, known_critical))
        fatal = FALSE;

  if (capture)
    for (gsize i = 0; i < n_fields; i++)
      if (g_str_equal (fields[i].key, "MESSAGE"))
        {
          if (fields[i].length < 0)
            g_string_append (logged, fields[i].value);
          else
            g_string_append_len (logged, fields[i].value, fields[i].length);
          g_string_append_c (logged, '\n');
        }

  if (verbose || fatal)
    g_log_writer_standard_streams (level | (fatal ? G_LOG_FLAG_FATAL : 0), fields, n_fields, user_data);
  if (fatal)
    abort ();
  return G_LOG_WRITER_HANDLED;
}

void
i2a_fuzz_init (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  verbose = g_strcmp0 (g_getenv ("I2A_FUZZ_VERBOSE"), "1") == 0;
  known_critical = g_getenv ("I2A_FUZZ_KNOWN_CRITICAL");
  if (known_critical && *known_critical == '\0')
    known_critical = NULL;
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
  /* g_error and g_critical go through the writer first; make sure they
   * stay fatal even when a library lowers the fatal mask. */
  g_log_set_always_fatal (known_critical ? G_LOG_LEVEL_ERROR : G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
}

char *
i2a_fuzz_strndup (const guint8 *data,
                  size_t        size)
{
  char *copy = g_malloc (size + 1);

  if (size)
    memcpy (copy, data, size);
  copy[size] = '\0';
  return copy;
}

void
i2a_fuzz_capture_logs (gboolean on)
{
  capture = on;
  if (logged == NULL)
    logged = g_string_new (NULL);
}

const char *
i2a_fuzz_logged (void)
{
  return logged ? logged->str : "";
}

void
i2a_fuzz_reset_logged (void)
{
  if (logged)
    g_string_truncate (logged, 0);
}

static gboolean
is_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

void
i2a_fuzz_assert_no_secret (const char   *text,
                           const guint8 *data,
                           size_t        size)
{
  for (const char *p = text; (p = strstr (p, "sk-")) != NULL; p += 3)
    {
      gsize n = 3;

      while (is_key_char (p[n]))
        n++;
      if (n >= 3 + 8 && size >= n && memmem (data, size, p, n) != NULL)
        g_error ("a secret from the input (%.*s) leaked into a message: %.500s", (int) n, p, text);
    }
}

JsonObject *
i2a_fuzz_parse_request (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(I2aApiError) limit = NULL;
  I2aJsonLimits limits;
  JsonNode *root;

  if (size == 0 || !g_utf8_validate ((const char *) data, size, NULL))
    return NULL;
  i2a_json_limits_init_default (&limits);
  if ((limit = i2a_json_check_limits ((const char *) data, size, &limits)) != NULL)
    return NULL;
  if (!json_parser_load_from_data (parser, (const char *) data, size, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

void
i2a_fuzz_assert_json (const char *text,
                      gssize      len,
                      const char *what)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  if (len < 0)
    len = strlen (text);
  if (!g_utf8_validate (text, len, NULL))
    g_error ("%s is not UTF-8: %.300s", what, text);
  if (!json_parser_load_from_data (parser, text, len, &error) || json_parser_get_root (parser) == NULL)
    g_error ("%s is not JSON (%s): %.300s", what, error ? error->message : "empty", text);
}

void
i2a_fuzz_assert_sse (const GString *out,
                     const char    *what)
{
  g_auto(GStrv) events = NULL;
  guint n;

  if (out->len == 0)
    return;
  if (!g_str_has_suffix (out->str, "\n\n"))
    g_error ("%s does not end with a whole event: %.300s", what, out->str);
  events = g_strsplit (out->str, "\n\n", -1);
  n = g_strv_length (events);
  for (guint i = 0; i + 1 < n; i++)
    {
      g_auto(GStrv) lines = g_strsplit (events[i], "\n", -1);
      g_autoptr(GString) data = g_string_new (NULL);
      gboolean has_data = FALSE;

      for (guint j = 0; lines[j]; j++)
        {
          if (g_str_has_prefix (lines[j], "data: "))
            {
              if (has_data)
                g_string_append_c (data, '\n');
              g_string_append (data, lines[j] + 6);
              has_data = TRUE;
            }
          else if (!g_str_has_prefix (lines[j], "event: ") && !g_str_has_prefix (lines[j], ":"))
            g_error ("%s has a line that is not an SSE field: %.300s", what, lines[j]);
        }
      if (!has_data)
        g_error ("%s has an event without data: %.300s", what, events[i]);
      if (!g_str_equal (data->str, "[DONE]"))
        i2a_fuzz_assert_json (data->str, data->len, what);
    }
}

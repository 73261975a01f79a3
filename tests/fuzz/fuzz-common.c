#define _GNU_SOURCE
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

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

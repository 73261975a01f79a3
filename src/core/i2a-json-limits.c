/* i2a-json-limits.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-json-limits"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "i2a-error.h"
#include "i2a-json-limits.h"

typedef struct
{
  char        kind;        /* '{' or '[' */
  gboolean    expect_key;
  guint       count;       /* elements so far (arrays) */
  guint       limit;       /* element limit of this array, 0 for none */
  const char *code;        /* error code when the limit is crossed */
  const char *setting;     /* keys.json name of that limit */
  const char *key;         /* current member name (objects), raw bytes */
  gsize       key_len;
} Frame;

typedef enum
{
  PROBLEM_NONE,
  PROBLEM_DEPTH,
  PROBLEM_ELEMENTS,
  PROBLEM_STRING,
  PROBLEM_VALUES,
  PROBLEM_NUMBER,
  PROBLEM_ESCAPE,
  PROBLEM_BAD_ESCAPE,
} Problem;

typedef struct
{
  const I2aJsonLimits *limits;
  Frame               *frames;
  guint                top;     /* frames in use */
  guint                values;
  Problem              problem;
  gsize                offset;  /* where the problem was found */
  guint                path_frames; /* frames that name the offending field */
} Scan;

void
i2a_json_limits_init_default (I2aJsonLimits *limits)
{
  limits->depth = I2A_JSON_DEFAULT_DEPTH;
  limits->string_bytes = I2A_JSON_DEFAULT_STRING_BYTES;
  limits->values = I2A_JSON_DEFAULT_VALUES;
  limits->messages = I2A_JSON_DEFAULT_MESSAGES;
  limits->parts = I2A_JSON_DEFAULT_PARTS;
  limits->tools = I2A_JSON_DEFAULT_TOOLS;
}

static gboolean
key_is (const Frame *frame,
        const char  *name)
{
  gsize n = strlen (name);

  return frame->kind == '{' && frame->key_len == n && memcmp (frame->key, name, n) == 0;
}

static gboolean
is_message_list (const Frame *frame)
{
  return key_is (frame, "messages") || key_is (frame, "input");
}

/* The element limit of an array opened at frames[s->top] (already pushed). */
static void
assign_array_limit (Scan  *s,
                    Frame *array)
{
  const I2aJsonLimits *l = s->limits;
  guint depth = s->top - 1;  /* index of the new frame */

  if (depth == 1 && is_message_list (&s->frames[0]))
    {
      array->limit = l->messages;
      array->code = "too_many_messages";
      array->setting = "max_messages";
    }
  else if (depth == 1 && (key_is (&s->frames[0], "tools") || key_is (&s->frames[0], "functions")))
    {
      array->limit = l->tools;
      array->code = "too_many_tools";
      array->setting = "max_tools";
    }
  else if (depth == 3 && s->frames[0].kind == '{' && is_message_list (&s->frames[0]) &&
           s->frames[1].kind == '[' && key_is (&s->frames[2], "content"))
    {
      array->limit = l->parts;
      array->code = "too_many_content_parts";
      array->setting = "max_content_parts";
    }
}

static gboolean
fail (Scan    *s,
      Problem  problem,
      gsize    offset,
      guint    path_frames)
{
  s->problem = problem;
  s->offset = offset;
  s->path_frames = path_frames;
  return FALSE;
}

/* A value starts at @offset inside the innermost frame. */
static gboolean
count_value (Scan  *s,
             gsize  offset)
{
  Frame *f = s->top ? &s->frames[s->top - 1] : NULL;

  s->values++;
  if (s->limits->values && s->values > s->limits->values)
    return fail (s, PROBLEM_VALUES, offset, 0);
  if (f && f->kind == '[')
    {
      f->count++;
      if (f->limit && f->count > f->limit)
        return fail (s, PROBLEM_ELEMENTS, offset, s->top - 1);
    }
  return TRUE;
}

static gboolean
number_ok (const char *text,
           gsize       len)
{
  char small[64];
  g_autofree char *big = NULL;
  const char *copy;
  char *end = NULL;
  gint64 ignored;
  double value;

  if (len < sizeof small)
    {
      memcpy (small, text, len);
      small[len] = '\0';
      copy = small;
    }
  else
    copy = big = g_strndup (text, len);

  errno = 0;
  ignored = g_ascii_strtoll (copy, &end, 10);
  (void) ignored;
  if (end == copy + len)
    return errno != ERANGE;
  value = g_ascii_strtod (copy, &end);
  if (end == copy + len)
    {
      char printed[G_ASCII_DTOSTR_BUF_SIZE];

      if (!isfinite (value))
        return FALSE;
      /* json-glib writes a double with "%.17g" and appends ".0" when there
       * is no '.', which turns 1e+300 into "1e+300.0": not JSON. */
      g_ascii_formatd (printed, sizeof printed, "%.17g", value);
      return strchr (printed, '.') != NULL || (strchr (printed, 'e') == NULL && strchr (printed, 'E') == NULL);
    }
  return TRUE;  /* not a number: the parser will say so */
}

/* The four hex digits after "\\u", or -1. */
static gint
hex4 (const char *p,
      gsize       avail)
{
  gint value = 0;

  if (avail < 4)
    return -1;
  for (guint i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return -1;
      value = value * 16 + g_ascii_xdigit_value (p[i]);
    }
  return value;
}

/* Bytes of the escape at @p (a backslash) inside a double-quoted string,
 * or 0 for a \u escape json-glib reads differently from JSON:
 * - fewer than four hex digits: json-glib swallows the character after
 *   them, a closing quote included, so this scan and the parser would
 *   disagree about where strings end, and brackets the parser recurses
 *   into would hide from the depth check;
 * - a lone UTF-16 surrogate: json-glib decodes it to bytes that are not
 *   UTF-8 (which would then go upstream) and swallows the next character,
 *   and a broken pair leaks its scanner's buffer. */
static gsize
escape_length (const char *p,
               gsize       avail)
{
  gint unit, low;

  if (avail < 2 || p[1] != 'u')
    return 2;
  unit = hex4 (p + 2, avail - 2);
  if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
    return 0;
  if (unit < 0xD800 || unit > 0xDBFF)
    return 6;
  if (avail < 12 || p[6] != '\\' || p[7] != 'u')
    return 0;
  low = hex4 (p + 8, avail - 8);
  if (low < 0xDC00 || low > 0xDFFF)
    return 0;
  return 12;
}

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '+' || c == '.' || c == '_';
}

static gboolean
scan (Scan       *s,
      const char *data,
      gsize       len)
{
  const I2aJsonLimits *l = s->limits;
  gsize i = 0;

  while (i < len)
    {
      char c = data[i];
      Frame *f = s->top ? &s->frames[s->top - 1] : NULL;

      if (c == '"' || c == '\'')
        {
          /* json-glib also takes single-quoted strings, without escapes. */
          gsize start = ++i;

          while (i < len && data[i] != c)
            {
              gsize n = (c == '"' && data[i] == '\\') ? escape_length (data + i, len - i) : 1;

              /* JSON has these escapes and no others; json-glib also reads
               * octal ones (\200) and decodes them to bytes that are not
               * UTF-8, which would go upstream or into a file that then
               * no longer loads. */
              if (n == 2 && i + 1 < len && (data[i + 1] == '\0' || strchr ("\"\\/bfnrt", data[i + 1]) == NULL))
                return fail (s, PROBLEM_BAD_ESCAPE, i, s->top);
              if (n == 0)
                return fail (s, PROBLEM_ESCAPE, i, s->top);
              i += n;
            }
          if (i >= len)
            return TRUE;  /* unterminated: a parse error */
          if (l->string_bytes && i - start > l->string_bytes)
            return fail (s, PROBLEM_STRING, start - 1, s->top);
          if (f && f->kind == '{' && f->expect_key)
            {
              f->key = data + start;
              f->key_len = i - start;
            }
          else if (!count_value (s, start - 1))
            return FALSE;
          i++;
        }
      else if (c == '/' && i + 1 < len && data[i + 1] == '*')
        {
          /* json-glib skips C comments: so must we, or a quote inside one
           * would hide brackets that the parser does see. */
          const char *end = g_strstr_len (data + i + 2, len - i - 2, "*/");

          if (end == NULL)
            return TRUE;
          i = end - data + 2;
        }
      else if (c == '{' || c == '[')
        {
          Frame *frame;

          if (!count_value (s, i))
            return FALSE;
          if (s->top >= l->depth)
            return fail (s, PROBLEM_DEPTH, i, s->top);
          frame = &s->frames[s->top++];
          memset (frame, 0, sizeof *frame);
          frame->kind = c;
          frame->expect_key = c == '{';
          if (c == '[')
            assign_array_limit (s, frame);
          i++;
        }
      else if (c == '}' || c == ']')
        {
          if (s->top > 0)
            s->top--;
          i++;
        }
      else if (c == ',' || c == ':')
        {
          if (f && f->kind == '{')
            {
              f->expect_key = c == ',';
              if (c == ',')
                {
                  f->key = NULL;
                  f->key_len = 0;
                }
            }
          i++;
        }
      else if (is_word_char (c))
        {
          gsize start = i;

          while (i < len && is_word_char (data[i]))
            i++;
          if (!count_value (s, start))
            return FALSE;
          if ((g_ascii_isdigit (c) || c == '-') && !number_ok (data + start, i - start))
            return fail (s, PROBLEM_NUMBER, start, s->top);
        }
      else
        i++;
    }
  return TRUE;
}

/* "messages[3].content[0].text": the field whose value is open in the
 * first @n frames. */
static char *
build_path (Scan  *s,
            guint  n)
{
  GString *path = g_string_new (NULL);
  g_autofree char *valid = NULL;

  for (guint i = 0; i < n && i < s->top; i++)
    {
      Frame *f = &s->frames[i];

      if (f->kind == '[')
        g_string_append_printf (path, "[%u]", f->count ? f->count - 1 : 0);
      else if (f->key)
        {
          if (path->len)
            g_string_append_c (path, '.');
          g_string_append_len (path, f->key, MIN (f->key_len, 64));
        }
    }
  valid = g_utf8_make_valid (path->str, path->len);
  g_string_free (path, TRUE);
  return g_steal_pointer (&valid);
}

static Problem
run (const char          *data,
     gsize                len,
     const I2aJsonLimits *limits,
     Scan                *s)
{
  memset (s, 0, sizeof *s);
  s->limits = limits;
  s->frames = g_new (Frame, MAX (limits->depth, 1));
  if (data && len)
    scan (s, data, len);
  return s->problem;
}

I2aApiError *
i2a_json_check_limits (const char          *data,
                       gsize                len,
                       const I2aJsonLimits *limits)
{
  Scan s;
  I2aApiError *error = NULL;
  g_autofree char *path = NULL;
  const char *where;

  if (run (data, len, limits, &s) == PROBLEM_NONE)
    {
      g_free (s.frames);
      return NULL;
    }
  path = build_path (&s, s.path_frames);
  where = *path ? path : "the top level";

  switch (s.problem)
    {
    case PROBLEM_DEPTH:
      error = i2a_api_error_new (400, "invalid_request_error", "nesting_too_deep",
                                 "The request nests arrays and objects more than %u levels deep "
                                 "(at '%s'); the limit is server.max_depth = %u",
                                 limits->depth, where, limits->depth);
      break;
    case PROBLEM_ELEMENTS:
      {
        Frame *f = &s.frames[s.path_frames];

        error = i2a_api_error_new (400, "invalid_request_error", f->code,
                                   "'%s' has more than %u elements; the limit is server.%s = %u",
                                   where, f->limit, f->setting, f->limit);
      }
      break;
    case PROBLEM_STRING:
      error = i2a_api_error_new (400, "invalid_request_error", "string_too_long",
                                 "A string at '%s' is longer than %" G_GSIZE_FORMAT " bytes; the limit "
                                 "is server.max_string_bytes = %" G_GSIZE_FORMAT,
                                 where, limits->string_bytes, limits->string_bytes);
      break;
    case PROBLEM_VALUES:
      error = i2a_api_error_new (400, "invalid_request_error", "too_many_values",
                                 "The request holds more than %u JSON values; the limit is "
                                 "server.max_values = %u", limits->values, limits->values);
      break;
    case PROBLEM_NUMBER:
      error = i2a_api_error_new (400, "invalid_request_error", "number_out_of_range",
                                 "The number at '%s' cannot be represented: integers must fit in "
                                 "64 bits and other numbers must be finite doubles (a large one "
                                 "with a fraction digit, 1.5e300 rather than 1e300)", where);
      break;
    case PROBLEM_ESCAPE:
      error = i2a_api_error_new (400, "invalid_request_error", "invalid_unicode_escape",
                                 "A string at '%s' has an invalid \\u escape: it needs four hex "
                                 "digits, and a UTF-16 surrogate must be a high one followed by "
                                 "a low one", where);
      break;
    case PROBLEM_BAD_ESCAPE:
      error = i2a_api_error_new (400, "invalid_request_error", "invalid_escape",
                                 "A string at '%s' has an escape JSON does not have: only \\\" "
                                 "\\\\ \\/ \\b \\f \\n \\r \\t and \\u with four hex digits", where);
      break;
    case PROBLEM_NONE:
    default:
      g_assert_not_reached ();
    }
  if (*path)
    error->param = g_steal_pointer (&path);
  g_free (s.frames);
  return error;
}

gboolean
i2a_json_check_depth (const char  *data,
                      gsize        len,
                      guint        max_depth,
                      GError     **error)
{
  I2aJsonLimits limits = { .depth = max_depth };
  Scan s;
  Problem problem = run (data, len, &limits, &s);
  guint line = 1;

  g_free (s.frames);
  if (problem == PROBLEM_NONE)
    return TRUE;
  /* A line number, never the path: member names of a secrets file could
   * be secrets themselves. */
  for (gsize i = 0; i < s.offset && i < len; i++)
    line += data[i] == '\n';
  if (problem == PROBLEM_DEPTH)
    g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                 "line %u: nested more than %u levels deep", line, max_depth);
  else if (problem == PROBLEM_BAD_ESCAPE)
    g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                 "line %u: a backslash escape JSON does not have", line);
  else if (problem == PROBLEM_ESCAPE)
    g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                 "line %u: an invalid \\u escape (not four hex digits, or a lone UTF-16 "
                 "surrogate)", line);
  else
    g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                 "line %u: a number that cannot be represented (beyond 64-bit integers or "
                 "not finite)", line);
  return FALSE;
}

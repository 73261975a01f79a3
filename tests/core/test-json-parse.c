/* test-json-parse.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What json-glib gets to see: parser messages about files that hold
 * secrets never quote the file, and \u escapes it would decode to bytes
 * that are not UTF-8 are refused before it runs. */
#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-json-limits.h"

#define KEY "sk-0123456789abcdef0123456789abcdef"

static char *
load_error (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (i2a_json_load_private (parser, text, strlen (text), &error));
  g_assert_nonnull (error);
  g_test_message ("%s -> %s", text, error->message);
  return g_strdup (error->message);
}

/* json-glib cuts a long identifier short and drops the closing quote. */
static void
test_long_identifier (void)
{
  g_autofree char *message = load_error ("{\"apiKey\": " KEY KEY "}");

  g_assert_null (strstr (message, "sk-"));
  g_assert_null (strstr (message, "0123456789"));
  g_assert_true (g_str_has_prefix (message, "1:"));
  g_assert_nonnull (strstr (message, "expected value"));
}

/* A quote inside the quoted string must not end the scrubbing early. */
static void
test_string_with_quote (void)
{
  g_autofree char *message = load_error ("{\"keys\": {\"sk-aaaa\\\"bbbbbbbbbbbbbbbbbbbb\" 1}}");

  g_assert_null (strstr (message, "aaaa"));
  g_assert_null (strstr (message, "bbbb"));
  g_assert_nonnull (strstr (message, "expected character `:'"));
}

static void
test_short_key_and_characters (void)
{
  g_autofree char *ident = load_error ("{\"apiKey\": " KEY "}");
  g_autofree char *number = load_error ("{\"a\": [1 2]}");

  g_assert_null (strstr (ident, "sk-"));
  /* Single characters carry no secret and say what went wrong. */
  g_assert_nonnull (strstr (number, "`1'"));
  g_assert_nonnull (strstr (number, "expected character `,'"));
}

static I2aApiError *
check (const char *text)
{
  I2aJsonLimits limits;

  i2a_json_limits_init_default (&limits);
  return i2a_json_check_limits (text, strlen (text), &limits);
}

/* Each of @bad is refused before parsing: a 400 with @code at "model" for a
 * request, an error naming @file_text for a secrets file. */
static void
assert_escapes_refused (const char *const *bad,
                        gsize               n,
                        const char         *code,
                        const char         *file_text)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(I2aApiError) error = check (bad[i]);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) file_error = NULL;

      g_assert_nonnull (error);
      g_assert_cmpuint (error->http_status, ==, 400);
      g_assert_cmpstr (error->code, ==, code);
      g_assert_cmpstr (error->param, ==, "model");
      g_assert_false (i2a_json_load_private (parser, bad[i], strlen (bad[i]), &file_error));
      g_assert_nonnull (strstr (file_error->message, file_text));
    }
}

static void
test_lone_surrogates (void)
{
  const char *bad[] = {
    "{\"model\":\"\\ud83dx\",\"messages\":[]}",          /* high, then a letter */
    "{\"model\":\"\\ud83d\"}",                           /* high at the end */
    "{\"model\":\"\\ud83d\\u0041\"}",                   /* high, then not a low */
    "{\"model\":\"\\uDC00\"}",                           /* low alone */
    "{\"model\":\"\\ud83d\\u\"}",                        /* high, then an empty \u */
    "{\"model\":\"\\uzzzz\"}",                           /* not hex */
    "{\"model\":\"\\u12\"}",                             /* too short */
  };

  assert_escapes_refused (bad, G_N_ELEMENTS (bad), "invalid_unicode_escape", "surrogate");
}

/* Escapes JSON does not have: json-glib reads octal ones as raw bytes (a
 * key of keys.json written back then no longer loaded: not UTF-8), and
 * takes other letters as they are. Refused before parsing, with the path;
 * a secrets file gets a line number and nothing of its text. */
static void
test_bad_escape (void)
{
  const char *bad[] = {
    "{\"model\":\"\\200\"}",
    "{\"model\":\"a\\x41\"}",
    "{\"model\":\"\\0\"}",
    "{\"model\":\"\\a\"}",
  };
  const char *good = "{\"model\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9\"}";

  assert_escapes_refused (bad, G_N_ELEMENTS (bad), "invalid_escape", "line 1");
  g_assert_null (check (good));
}

/* json-glib reads four characters after \u whatever they are: after a
 * short escape it takes the closing quote as part of the string, and the
 * brackets it then sees as structure were inside a string to a scan that
 * stops at the quote. The escape is refused before the parser recurses. */
static void
test_short_escape_hides_nesting (void)
{
  g_autoptr(GString) body = g_string_new ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                                          "\"content\":\"\\u12\" \", \"x\": ");
  g_autoptr(I2aApiError) error = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (body, '[');
  error = check (body->str);
  g_assert_nonnull (error);
  g_assert_cmpstr (error->code, ==, "invalid_unicode_escape");
  g_assert_cmpstr (error->param, ==, "messages[0].content");
}

/* json-glib prints 1e+263 as "1e+263.0", which is not JSON: such a number
 * is refused with its path instead of being sent upstream broken. */
static void
test_exponent_numbers (void)
{
  g_autoptr(I2aApiError) big = check ("{\"model\":\"m\",\"temperature\":1e263}");
  g_autoptr(I2aApiError) whole = check ("{\"model\":\"m\",\"seed\":2E20}");
  g_autoptr(I2aApiError) fine = check ("{\"model\":\"m\",\"temperature\":1.5e3,\"top_p\":1e-7,\"n\":1e16}");

  g_assert_nonnull (big);
  g_assert_cmpstr (big->code, ==, "number_out_of_range");
  g_assert_cmpstr (big->param, ==, "temperature");
  g_assert_nonnull (whole);
  g_assert_cmpstr (whole->param, ==, "seed");
  g_assert_null (fine);
}

static void
test_good_escapes (void)
{
  const char *good[] = {
    "{\"model\":\"\\ud83d\\ude00 \\u00e9 \\n \\\" \\\\\"}",  /* a pair, BMP, others */
    "{\"model\":'\\ud83d'}",                               /* single quotes: no escapes */
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(I2aApiError) error = check (good[i]);

      g_assert_null (error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/json/private/long-identifier", test_long_identifier);
  g_test_add_func ("/core/json/private/string-with-quote", test_string_with_quote);
  g_test_add_func ("/core/json/private/short-key", test_short_key_and_characters);
  g_test_add_func ("/core/json/escapes/lone-surrogates", test_lone_surrogates);
  g_test_add_func ("/core/json/escapes/short-hides-nesting", test_short_escape_hides_nesting);
  g_test_add_func ("/core/json/escapes/not-json", test_bad_escape);
  g_test_add_func ("/core/json/escapes/good", test_good_escapes);
  g_test_add_func ("/core/json/numbers/exponent", test_exponent_numbers);
  return g_test_run ();
}

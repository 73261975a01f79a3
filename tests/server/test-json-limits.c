/* test-json-limits.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The document-limit scan on raw bytes: deep nesting (where json-glib's
 * recursive parser would overflow the stack), element counts, string
 * lengths and numbers json-glib cannot represent. */
#include "config.h"

#include <string.h>

#include "i2a-error.h"
#include "i2a-json-limits.h"

static I2aApiError *
check (const char *text)
{
  I2aJsonLimits limits;

  i2a_json_limits_init_default (&limits);
  return i2a_json_check_limits (text, strlen (text), &limits);
}

static void
assert_problem (I2aApiError *error,
                const char  *code,
                const char  *param)
{
  g_assert_nonnull (error);
  g_test_message ("%s: %s", error->code, error->message);
  g_assert_cmpuint (error->http_status, ==, 400);
  g_assert_cmpstr (error->code, ==, code);
  g_assert_cmpstr (error->param, ==, param);
  i2a_api_error_free (error);
}

/* @prefix, then @n times @open, then @suffix */
static char *
nested (const char *prefix,
        const char *open,
        guint       n,
        const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < n; i++)
    g_string_append (s, open);
  g_string_append (s, suffix);
  return g_string_free (s, FALSE);
}

static void
test_depth (void)
{
  g_autofree char *deep = nested ("", "[", 200000, "");
  g_autofree char *objects = nested ("", "{\"a\":", 70000, "1");
  g_autofree char *at_limit = nested ("", "[", 64, "");
  g_autofree char *over = nested ("", "[", 65, "");
  g_autofree char *messages = nested ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":", "[", 70000, "");
  g_autofree char *tools = nested ("{\"model\":\"m\",\"tools\":[{\"type\":\"function\",\"function\":{\"parameters\":", "{\"x\":", 70000, "");
  /* json-glib skips comments and takes single-quoted strings: a quote
   * inside either must not hide the brackets after it. */
  g_autofree char *comment = nested ("/* \" */", "[", 1000, "");
  g_autofree char *single = nested ("['\"',", "[", 1000, "");
  g_autofree char *in_string = nested ("[\"", "[", 1000, "\"]");

  g_autofree char *index_path = nested ("", "[0]", 64, "");
  g_autofree char *key_path = nested ("a", ".a", 63, "");

  assert_problem (check (deep), "nesting_too_deep", index_path);
  assert_problem (check (objects), "nesting_too_deep", key_path);
  g_assert_null (check (at_limit));
  assert_problem (check (over), "nesting_too_deep", index_path);
  {
    I2aApiError *e = check (messages);

    g_assert_nonnull (e);
    g_assert_cmpstr (e->code, ==, "nesting_too_deep");
    g_assert_true (g_str_has_prefix (e->param, "messages[0].content[0][0]"));
    g_assert_nonnull (strstr (e->message, "server.max_depth = 64"));
    i2a_api_error_free (e);
  }
  {
    I2aApiError *e = check (tools);

    g_assert_nonnull (e);
    g_assert_cmpstr (e->code, ==, "nesting_too_deep");
    g_assert_true (g_str_has_prefix (e->param, "tools[0].function.parameters.x.x"));
    i2a_api_error_free (e);
  }
  assert_problem (check (comment), "nesting_too_deep", index_path);
  g_clear_pointer (&comment, g_free);
  {
    I2aApiError *e = check (single);

    g_assert_nonnull (e);
    g_assert_cmpstr (e->code, ==, "nesting_too_deep");
    i2a_api_error_free (e);
  }
  /* Brackets inside a string are text. */
  g_assert_null (check (in_string));
  g_assert_null (check ("[\"\\\"[[[\", {\"k\\\"\":[1]}]"));
}

static char *
array_doc (const char *prefix,
           const char *item,
           guint       n,
           const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < n; i++)
    {
      if (i)
        g_string_append_c (s, ',');
      g_string_append (s, item);
    }
  g_string_append (s, suffix);
  return g_string_free (s, FALSE);
}

static void
test_counts (void)
{
  const char *msg = "{\"role\":\"user\",\"content\":\"hi\"}";
  g_autofree char *ok = array_doc ("{\"model\":\"m\",\"messages\":[", msg, 10000, "]}");
  g_autofree char *many = array_doc ("{\"model\":\"m\",\"messages\":[", msg, 10001, "]}");
  g_autofree char *input = array_doc ("{\"model\":\"m\",\"input\":[", msg, 10001, "]}");
  g_autofree char *parts = array_doc ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"},{\"role\":\"user\",\"content\":[",
                                      "{\"type\":\"text\",\"text\":\"x\"}", 1001, "]}]}");
  g_autofree char *tools = array_doc ("{\"model\":\"m\",\"tools\":[", "{\"type\":\"function\"}", 513, "]}");
  g_autofree char *nested_messages = array_doc ("{\"model\":\"m\",\"metadata\":{\"messages\":[", "1", 20000, "]}}");
  g_autofree char *values = array_doc ("[", "0", 1000001, "]");
  I2aJsonLimits small = { .depth = 64, .string_bytes = 8, .values = 10, .messages = 2, .parts = 2, .tools = 1 };

  g_assert_null (check (ok));
  assert_problem (check (many), "too_many_messages", "messages");
  assert_problem (check (input), "too_many_messages", "input");
  assert_problem (check (parts), "too_many_content_parts", "messages[1].content");
  assert_problem (check (tools), "too_many_tools", "tools");
  g_assert_null (check (nested_messages));
  assert_problem (check (values), "too_many_values", NULL);
  {
    I2aApiError *e = check (many);

    g_assert_nonnull (strstr (e->message, "server.max_messages = 10000"));
    i2a_api_error_free (e);
  }

  assert_problem (i2a_json_check_limits ("{\"model\":\"123456789\"}", 21, &small), "string_too_long", "model");
  assert_problem (i2a_json_check_limits ("{\"123456789\":1}", 15, &small), "string_too_long", NULL);
  g_assert_null (i2a_json_check_limits ("{\"model\":\"12345678\"}", 20, &small));
  assert_problem (i2a_json_check_limits ("[1,2,3,4,5,6,7,8,9,10]", 22, &small), "too_many_values", NULL);
}

static void
test_numbers (void)
{
  assert_problem (check ("{\"temperature\":1e999}"), "number_out_of_range", "temperature");
  assert_problem (check ("{\"a\":[1,-1e400]}"), "number_out_of_range", "a[1]");
  assert_problem (check ("{\"max_tokens\":9223372036854775808}"), "number_out_of_range", "max_tokens");
  assert_problem (check ("{\"seed\":-9223372036854775809}"), "number_out_of_range", "seed");
  assert_problem (check ("{\"x\":{\"seed\":99999999999999999999999999999999}}"), "number_out_of_range", "x.seed");
  g_assert_null (check ("{\"a\":9223372036854775807,\"b\":-9223372036854775808,\"c\":1.7e308,"
                        "\"d\":1e-999,\"e\":\"1e999\",\"f\":0.5,\"g\":-0}"));
}

static void
test_files (void)
{
  g_autofree char *deep = nested ("{\n\"secret-key\":\n", "[", 100000, "");
  g_autoptr(GError) error = NULL;

  g_assert_false (i2a_json_check_depth (deep, strlen (deep), 64, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==, "line 3: nested more than 64 levels deep");
  g_clear_error (&error);
  g_assert_false (i2a_json_check_depth ("{\"sk-secret\":\n1e999}", 20, 64, &error));
  g_assert_null (strstr (error->message, "sk-secret"));
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_clear_error (&error);
  g_assert_true (i2a_json_check_depth ("{\"a\":[[1]]}", 11, 64, &error));
  g_assert_no_error (error);
  g_assert_true (i2a_json_check_depth ("", 0, 64, &error));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/json-limits/depth", test_depth);
  g_test_add_func ("/server/json-limits/counts", test_counts);
  g_test_add_func ("/server/json-limits/numbers", test_numbers);
  g_test_add_func ("/server/json-limits/files", test_files);
  return g_test_run ();
}

/* test-client-text.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* src/clients text helpers: pretty JSON (masking, doubles), comment
 * detection, the unified diff, and the client key choice. */
#include "config.h"

#include <string.h>

#include "i2a-client-key.h"
#include "i2a-json-pretty.h"
#include "i2a-line-diff.h"

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_pretty (void)
{
  g_autoptr(JsonNode) root = parse ("{\"a\":0.7,\"b\":1.0,\"c\":1e300,\"d\":-3,\"e\":\"\\u00e9\\t\\u0001\\\"\","
                                    "\"f\":[],\"g\":{},\"h\":[true,null],"
                                    "\"apiKey\":\"sk-secret-12345678\",\"token\":\"{env:T}\",\"name\":\"sk-visible-1234\"}");
  g_autofree char *plain = i2a_json_pretty (root, I2A_JSON_PRETTY_DEFAULT, NULL);
  g_autofree char *masked = i2a_json_pretty (root, I2A_JSON_PRETTY_MASK_SECRETS, NULL);

  g_assert_cmpstr (plain, ==,
                   "{\n"
                   "  \"a\": 0.7,\n"
                   "  \"b\": 1.0,\n"
                   "  \"c\": 1e+300,\n"
                   "  \"d\": -3,\n"
                   "  \"e\": \"é\\t\\u0001\\\"\",\n"
                   "  \"f\": [],\n"
                   "  \"g\": {},\n"
                   "  \"h\": [\n"
                   "    true,\n"
                   "    null\n"
                   "  ],\n"
                   "  \"apiKey\": \"sk-secret-12345678\",\n"
                   "  \"token\": \"{env:T}\",\n"
                   "  \"name\": \"sk-visible-1234\"\n"
                   "}\n");
  g_assert_null (strstr (masked, "sk-secret"));
  g_assert_nonnull (strstr (masked, "\"apiKey\": \"…5678\""));
  g_assert_nonnull (strstr (masked, "{env:T}"));
  g_assert_nonnull (strstr (masked, "sk-visible-1234"));
}

static void
test_find_comment (void)
{
  guint line = 0, column = 0;
  const char *url = "{\"u\": \"https://x/*y*/\", \"q\": \"a\\\"//b\"}";
  const char *line_comment = "{\n  \"a\": 1, // why\n}";
  const char *block = "{\"a\": /* c */ 1}";

  g_assert_false (i2a_json_find_comment (url, strlen (url), NULL, NULL));
  g_assert_true (i2a_json_find_comment (line_comment, strlen (line_comment), &line, &column));
  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (column, ==, 11);
  g_assert_true (i2a_json_find_comment (block, strlen (block), NULL, NULL));
}

static void
test_line_diff (void)
{
  g_autofree char *same = i2a_line_diff_unified ("a\nb\n", "a\nb\n", "x", "y", 3);
  g_autofree char *change = i2a_line_diff_unified ("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
                                                   "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n",
                                                   "old", "new", 1);
  g_autofree char *fresh = i2a_line_diff_unified ("", "{\n}\n", "old", "new", 3);

  g_assert_cmpstr (same, ==, "");
  g_assert_cmpstr (change, ==,
                   "--- old\n+++ new\n"
                   "@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n"
                   "@@ -10,1 +10,2 @@\n 10\n+11\n");
  g_assert_cmpstr (fresh, ==, "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+{\n+}\n");
}

static void
test_client_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aKeysConfig) config = i2a_keys_config_parse (
    "{\"auth\": {\"enabled\": true, \"required\": true},\n"
    " \"accounts\": {\"acc1\": {\"api_key\": \"sk-up-1\"}, \"acc2\": {\"api_key\": \"sk-up-2\"},\n"
    "              \"acc3\": {\"api_key\": \"sk-up-3\", \"enabled\": false}},\n"
    " \"keys\": {\"sk-only-one\": {\"account\": \"acc1\"},\n"
    "          \"sk-both\": {\"accounts\": [\"acc2\", \"acc1\"], \"strategy\": \"round_robin\"}}}",
    -1, "keys.json", &error);
  g_autoptr(I2aKeysConfig) none = i2a_keys_config_parse (
    "{\"accounts\": {\"acc1\": {\"api_key\": \"sk-up-1\"}, \"acc2\": {\"api_key\": \"sk-up-2\"}},\n"
    " \"keys\": {\"sk-only-one\": {\"account\": \"acc1\"}}}", -1, "keys.json", &error);

  g_assert_no_error (error);
  /* acc3 is disabled: a route without it still reaches every account in use. */
  g_assert_cmpstr (i2a_client_key_find_for_all (config), ==, "sk-both");
  g_assert_null (i2a_client_key_find_for_all (none));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clients/json/pretty", test_pretty);
  g_test_add_func ("/clients/json/find-comment", test_find_comment);
  g_test_add_func ("/clients/diff/unified", test_line_diff);
  g_test_add_func ("/clients/client-key/find-for-all", test_client_key);
  return g_test_run ();
}

/* Hostile input against the real server over loopback: documents that
 * would crash or exhaust the parser, requests a web page could send,
 * connections that never finish, and secrets that must not leak. */
#include "config.h"

#include <string.h>

#include "i2a-test-util.h"

static char *
repeat (const char *prefix,
        const char *unit,
        guint       n,
        const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  g_string_append (s, suffix);
  return g_string_free (s, FALSE);
}

static I2aTestResponse *
post_json (I2aTestProxy *p,
           const char   *path,
           const char   *body)
{
  g_autofree char *url = i2a_test_proxy_url (p, path);

  return i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 0, 0);
}

static void
assert_healthy (I2aTestProxy *p)
{
  g_autofree char *url = i2a_test_proxy_url (p, "/health");
  g_autoptr(I2aTestResponse) r = i2a_test_request (p->client, "GET", url, NULL, NULL, NULL, 0, 0);

  g_assert_cmpuint (r->status, ==, 200);
}

/* ---- documents ---------------------------------------------------------- */

static void
test_nesting (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  /* 200 KB of '[' overflowed the parser's stack and killed the process. */
  g_autofree char *bare = repeat ("", "[", 200000, "");
  g_autofree char *messages = repeat ("{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":",
                                      "[", 100000, "");
  g_autofree char *tools = repeat ("{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                                   "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":",
                                   "{\"a\":", 100000, "");
  const char *bodies[] = { bare, messages, tools };
  const char *params[] = { "[0]", "messages[0].content", "tools[0].function.parameters.a" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(I2aTestResponse) r = post_json (p, "/v1/chat/completions", bodies[i]);
      g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 400);

      g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "nesting_too_deep");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (err, "param"), params[i]));
      g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "max_depth"));
    }
  assert_healthy (p);
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

static void
test_document_limits (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  I2aJsonLimits limits;
  g_autofree char *many = NULL;
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(JsonObject) err = NULL;

  i2a_json_limits_init_default (&limits);
  limits.messages = 3;
  i2a_server_set_json_limits (p->server, &limits);
  many = repeat ("{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}",
                 ",{\"role\":\"user\",\"content\":\"a\"}", 3, "]}");
  r = post_json (p, "/v1/chat/completions", many);
  err = i2a_test_assert_openai_error (r, 400);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "too_many_messages");
  g_assert_cmpstr (json_object_get_string_member (err, "param"), ==, "messages");
  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "server.max_messages = 3"));
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

/* json-glib printed 1e999 as "inf.0" (invalid JSON) and wrapped integers
 * beyond int64 (to -1 and worse) on their way to the upstream. */
static void
test_numbers (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  const char *bodies[] = {
    "{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":1e999}",
    "{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":99999999999999999999}",
    "{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"seed\":-9223372036854775809}",
  };
  const char *params[] = { "temperature", "max_tokens", "seed" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(I2aTestResponse) r = post_json (p, "/v1/chat/completions", bodies[i]);
      g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 400);

      g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "number_out_of_range");
      g_assert_cmpstr (json_object_get_string_member (err, "param"), ==, params[i]);
    }
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/harden/document/nesting", test_nesting);
  g_test_add_func ("/harden/document/limits", test_document_limits);
  g_test_add_func ("/harden/document/numbers", test_numbers);
  return g_test_run ();
}

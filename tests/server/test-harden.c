/* Hostile input against the real server over loopback: documents that
 * would crash or exhaust the parser, requests a web page could send,
 * connections that never finish, and secrets that must not leak. */
#include "config.h"

#include <string.h>

#include "i2a-test-util.h"

/* Every key, token and password this test hands the server: none may show
 * up in a log line or a response. */
#define CLIENT_TOKEN   "sk-client-token-7f3a9c21d4e5b6a7"
#define ACCOUNT_KEY    "sk-account-key-0badc0ffee1234567"
#define URL_PASSWORD   "hunter2pw-9d8c7b"
#define URL_QUERY_KEY  "querykey-5e4d3c2b1a"
static const char *const secrets[] = { I2A_TEST_KEY, CLIENT_TOKEN, ACCOUNT_KEY, URL_PASSWORD, URL_QUERY_KEY };

static GMutex   log_lock;
static GString *log_text;      /* every log line of this process */
static GString *response_text; /* every response this file received */

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_autofree char *line = g_log_writer_format_fields (level, fields, n_fields, FALSE);

  g_mutex_lock (&log_lock);
  g_string_append (log_text, line);
  g_string_append_c (log_text, '\n');
  g_mutex_unlock (&log_lock);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return g_log_writer_default (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static gboolean
log_contains (const char *text)
{
  gboolean found;

  g_mutex_lock (&log_lock);
  found = strstr (log_text->str, text) != NULL;
  g_mutex_unlock (&log_lock);
  return found;
}

static I2aTestResponse *
record (I2aTestResponse *r)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_string_append_printf (response_text, "%u\n", r->status);
  if (r->headers)
    {
      soup_message_headers_iter_init (&iter, r->headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        g_string_append_printf (response_text, "%s: %s\n", name, value);
    }
  g_string_append_len (response_text, r->body->str, r->body->len);
  g_string_append_c (response_text, '\n');
  return r;
}

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

  return record (i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 0, 0));
}

static void
assert_healthy (I2aTestProxy *p)
{
  g_autofree char *url = i2a_test_proxy_url (p, "/health");
  g_autoptr(I2aTestResponse) r = record (i2a_test_request (p->client, "GET", url, NULL, NULL, NULL, 0, 0));

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

/* ---- secrets ----------------------------------------------------------- */

static gboolean
logged (gpointer data)
{
  return log_contains (data);
}

/* json-glib's parse errors quote the text they did not expect, which in
 * settings.json is the CLI's key. */
static void
test_settings_error_scrubbed (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *path = g_build_filename (p->iflow_dir, "settings.json", NULL);
  g_autofree char *creds = g_build_filename (p->iflow_dir, "oauth_creds.json", NULL);

  i2a_test_write_file (path, "{\"selectedAuthType\":\"oauth-iflow\",\n\"apiKey\": " I2A_TEST_KEY "}");
  g_assert_true (i2a_test_wait_until (logged, (gpointer) "settings.json: 2:", 5000));
  i2a_test_write_file (path, "{\"apiKey\": \"" I2A_TEST_KEY "\" \"baseUrl\": \"x\"}");
  g_assert_true (i2a_test_wait_until (logged, (gpointer) "settings.json: 1:", 5000));
  i2a_test_write_file (creds, "{'access_token': '" I2A_TEST_KEY "' 1}");
  g_assert_true (i2a_test_wait_until (logged, (gpointer) "oauth_creds.json: 1:", 5000));
  g_assert_false (log_contains (I2A_TEST_KEY));
  g_assert_false (log_contains ("sk-0123"));
  /* The last good values stay in use. */
  assert_healthy (p);
  i2a_test_proxy_free (p);
}

typedef struct
{
  I2aFakeIflow   *fake;
  char           *dir;
  char           *keys_path;
  I2aCliSettings *cli;
  I2aPool        *pool;
  I2aServer      *server;
  char           *base;
  SoupSession    *client;
} KeysEnv;

static gboolean
pool_loaded (gpointer data)
{
  return i2a_pool_is_loaded (data);
}

/* A pool from keys.json; "@BASE@" in @json becomes the fake's URL. */
static KeysEnv *
keys_env_new (const char *json)
{
  KeysEnv *e = g_new0 (KeysEnv, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *iflow = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *text = NULL;

  e->fake = i2a_fake_iflow_new ();
  i2a_fake_iflow_add_key (e->fake, ACCOUNT_KEY);
  url = i2a_fake_iflow_dup_base_url (e->fake);
  parts = g_strsplit (json, "@BASE@", -1);
  text = g_strjoinv (url + strlen ("http://"), parts);
  e->dir = i2a_test_mkdtemp ();
  e->keys_path = g_build_filename (e->dir, "keys.json", NULL);
  i2a_test_write_file (e->keys_path, text);
  iflow = g_build_filename (e->dir, "iflow", NULL);
  e->cli = i2a_cli_settings_new (iflow);
  e->pool = i2a_pool_new_with_keys (e->cli, e->keys_path);
  g_assert_true (i2a_test_wait_until (pool_loaded, e->pool, 5000));
  e->server = i2a_server_new (e->pool);
  i2a_server_set_timeouts (e->server, 10, 10, 0);
  g_assert_true (i2a_server_start (e->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  e->base = g_strdup_printf ("http://127.0.0.1:%u", i2a_server_get_port (e->server));
  e->client = soup_session_new_with_options ("timeout", 0, NULL);
  return e;
}

static void
keys_env_free (KeysEnv *e)
{
  i2a_server_stop (e->server);
  g_clear_object (&e->server);
  g_clear_object (&e->pool);
  g_clear_object (&e->cli);
  g_clear_object (&e->client);
  i2a_fake_iflow_free (e->fake);
  i2a_test_rm_rf (e->dir);
  g_free (e->dir);
  g_free (e->keys_path);
  g_free (e->base);
  g_free (e);
}

static I2aTestResponse *
keys_env_request (KeysEnv    *e,
                  const char *method,
                  const char *path,
                  const char *token,
                  const char *body)
{
  g_autofree char *url = g_strconcat (e->base, path, NULL);

  return record (i2a_test_request (e->client, method, url, token, body ? "application/json" : NULL,
                                   body, 0, 0));
}

static void
test_base_url_masked (void)
{
  KeysEnv *e = keys_env_new ("{\"accounts\": {\"acc1\": {\"provider\": \"openai\", \"api_key\": \"" ACCOUNT_KEY "\", "
                             "\"base_url\": \"http://user:" URL_PASSWORD "@@BASE@?key=" URL_QUERY_KEY "#frag\"}},"
                             "\"auth\": {\"enabled\": true, \"required\": true},"
                             "\"keys\": {\"" CLIENT_TOKEN "\": {\"account\": \"acc1\"}}}");
  g_autoptr(I2aTestResponse) debug = keys_env_request (e, "GET", "/debug/accounts", CLIENT_TOKEN, NULL);
  g_autoptr(JsonObject) obj = i2a_test_response_json (debug);
  g_autofree char *fake = i2a_fake_iflow_dup_base_url (e->fake);
  g_autofree char *chat_body = i2a_test_chat_body ("glm-5", "hi", FALSE);
  g_autoptr(I2aTestResponse) chat = keys_env_request (e, "POST", "/v1/chat/completions", CLIENT_TOKEN, chat_body);
  g_autoptr(I2aTestResponse) wrong = keys_env_request (e, "POST", "/v1/chat/completions",
                                                       CLIENT_TOKEN "x", chat_body);
  JsonObject *acc;

  g_assert_cmpuint (debug->status, ==, 200);
  acc = json_object_get_object_member (json_object_get_object_member (obj, "accounts"), "acc1");
  g_assert_cmpstr (json_object_get_string_member (acc, "base_url"), ==, fake);
  g_assert_null (strstr (debug->body->str, URL_PASSWORD));
  g_assert_null (strstr (debug->body->str, URL_QUERY_KEY));
  g_assert_cmpuint (wrong->status, ==, 401);
  g_test_message ("chat: %u %s", chat->status, chat->body->str);
  keys_env_free (e);
}

/* A keys.json the parser rejects, with a client token where it stops. */
static void
test_keys_error_scrubbed (void)
{
  KeysEnv *e = keys_env_new ("{\"auth\": {\"enabled\": true},\n \"keys\": {\"a\": \"" CLIENT_TOKEN "\" \"b\": 2}}");
  const GError *error = i2a_pool_get_load_error (e->pool);

  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "keys.json:2:"));
  g_assert_null (strstr (error->message, CLIENT_TOKEN));
  keys_env_free (e);
}

/* Runs last: nothing above leaked a secret into a log line or a response. */
static void
test_no_secret_anywhere (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      g_test_message ("looking for %s", secrets[i]);
      g_assert_false (log_contains (secrets[i]));
      g_assert_null (strstr (response_text->str, secrets[i]));
    }
  /* The capture did see the traffic. */
  g_assert_cmpuint (response_text->len, >, 1000);
  g_assert_true (log_contains ("Listening on"));
}

int
main (int argc, char **argv)
{
  /* Capture every level, debug included: a secret in a debug line is a
   * leak too (--verbose). Warnings are expected and must not abort. */
  log_text = g_string_new (NULL);
  response_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_log_set_debug_enabled (TRUE);
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  g_test_add_func ("/harden/document/nesting", test_nesting);
  g_test_add_func ("/harden/document/limits", test_document_limits);
  g_test_add_func ("/harden/document/numbers", test_numbers);
  g_test_add_func ("/harden/secrets/settings-error", test_settings_error_scrubbed);
  g_test_add_func ("/harden/secrets/keys-error", test_keys_error_scrubbed);
  g_test_add_func ("/harden/secrets/base-url", test_base_url_masked);
  /* Keep last. */
  g_test_add_func ("/harden/secrets/nowhere", test_no_secret_anywhere);
  return g_test_run ();
}

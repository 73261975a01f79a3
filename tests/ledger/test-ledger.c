/* test-ledger.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The usage ledger end to end: the real proxy, the fake iFlow and a real
 * SQLite file; plus the iflow2api process killed under load. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "i2a-json.h"
#include "pool-test-env.h"

#define TWO_ACCOUNTS(extra1)                                                                  \
  "\"accounts\": {"                                                                           \
  "\"acc1\": {\"api_key\": \"" KEY_1 "\", \"base_url\": \"@BASE@\"" extra1 "},"               \
  "\"acc2\": {\"api_key\": \"" KEY_2 "\", \"base_url\": \"@BASE@\"}}"

typedef struct
{
  Env       *env;
  char      *dir;
  char      *db_path;
  I2aLedger *ledger;
} Fixture;

static void
fixture_set_up (Fixture    *f,
                const char *keys_json)
{
  g_autoptr(GError) error = NULL;

  f->env = env_new (keys_json);
  f->dir = i2a_test_mkdtemp ();
  f->db_path = g_build_filename (f->dir, "data", "usage.db", NULL);
  f->ledger = i2a_ledger_open (f->db_path, &error);
  g_assert_no_error (error);
  i2a_pool_set_ledger (f->env->pool, f->ledger);
}

static void
fixture_tear_down (Fixture *f)
{
  i2a_pool_set_ledger (f->env->pool, NULL);
  env_free (f->env);
  g_assert_finalize_object (f->ledger);
  i2a_test_rm_rf (f->dir);
  g_free (f->db_path);
  g_free (f->dir);
}

/* Rows as "field=value" lines, oldest first. */
typedef struct
{
  char   *account;
  char   *client_key;
  char   *endpoint;
  char   *error_type;
  gint64  status, stream, prompt, completion, estimated, bytes_in, bytes_out, ttfb, duration;
} Row;

static void
row_free (Row *r)
{
  g_free (r->account);
  g_free (r->client_key);
  g_free (r->endpoint);
  g_free (r->error_type);
  g_free (r);
}

static char *
col (sqlite3_stmt *s,
     int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (s, i));
}

static GPtrArray *
read_rows (const char *path)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT account, client_key, endpoint, error_type, status, stream, "
                                           "prompt_tokens, completion_tokens, estimated, bytes_in, bytes_out, "
                                           "ttfb_ms, duration_ms FROM usage ORDER BY id", -1, &s, NULL), ==, SQLITE_OK);
  while (sqlite3_step (s) == SQLITE_ROW)
    {
      Row *r = g_new0 (Row, 1);

      r->account = col (s, 0);
      r->client_key = col (s, 1);
      r->endpoint = col (s, 2);
      r->error_type = col (s, 3);
      r->status = sqlite3_column_int64 (s, 4);
      r->stream = sqlite3_column_int64 (s, 5);
      r->prompt = sqlite3_column_int64 (s, 6);
      r->completion = sqlite3_column_int64 (s, 7);
      r->estimated = sqlite3_column_int64 (s, 8);
      r->bytes_in = sqlite3_column_int64 (s, 9);
      r->bytes_out = sqlite3_column_int64 (s, 10);
      r->ttfb = sqlite3_column_int64 (s, 11);
      r->duration = sqlite3_column_int64 (s, 12);
      g_ptr_array_add (rows, r);
    }
  sqlite3_finalize (s);
  sqlite3_close (db);
  return rows;
}

static JsonObject *
usage_of_stream (I2aTestResponse *r)
{
  for (guint i = 0; i < r->events->len; i++)
    if (strstr (r->events->pdata[i], "\"usage\""))
      {
        g_autoptr(JsonObject) chunk = i2a_json_parse_object (r->events->pdata[i], strlen (r->events->pdata[i]));

        return json_object_ref (json_object_get_object_member (chunk, "usage"));
      }
  g_assert_not_reached ();
}

static I2aTestResponse *
chat_body (Env        *e,
           const char *token,
           const char *body)
{
  g_autofree char *url = g_strconcat (e->base, "/v1/chat/completions", NULL);

  return i2a_test_request (e->client, "POST", url, token, "application/json", body, 0, 0);
}

static gboolean
server_idle (gpointer data)
{
  return i2a_server_get_active_requests (data) == 0;
}

/* A request is recorded when the server is done with it, which can be just
 * after the client has read the last byte: wait for that, then write. */
static void
flush_when_idle (Fixture *f)
{
  g_assert_true (i2a_test_wait_until (server_idle, f->env->server, 5000));
  i2a_ledger_flush (f->ledger);
}

static void
test_rows (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(I2aTestResponse) plain = NULL, stream = NULL, failover = NULL, error = NULL;
  g_autoptr(JsonObject) plain_json = NULL, stream_usage = NULL;
  JsonObject *pu;
  Row *r;

  fixture_set_up (&f, "{" TWO_ACCOUNTS ("") ", \"keys\": {\"" TOK_A "\": "
                  "{\"accounts\": [\"acc1\", \"acc2\"], \"label\": \"alice\"}}}");
  plain = chat (f.env, TOK_A, "hi", FALSE);
  g_assert_cmpuint (plain->status, ==, 200);
  plain_json = i2a_test_response_json (plain);
  pu = json_object_get_object_member (plain_json, "usage");
  stream = chat_body (f.env, TOK_A, "{\"model\":\"glm-5\",\"stream\":true,\"stream_options\":"
                      "{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  g_assert_cmpuint (stream->status, ==, 200);
  stream_usage = usage_of_stream (stream);

  /* acc1 fails with a 500: the request fails over to acc2. */
  i2a_fake_iflow_set_key_scenario (f.env->fake, KEY_1, "fake:http 500");
  failover = chat (f.env, TOK_A, "hi", FALSE);
  g_assert_cmpuint (failover->status, ==, 200);
  i2a_fake_iflow_set_key_scenario (f.env->fake, KEY_1, NULL);
  error = chat (f.env, TOK_A, "fake:http 400", FALSE);
  g_assert_cmpuint (error->status, ==, 400);

  flush_when_idle (&f);
  rows = read_rows (f.db_path);
  g_assert_cmpuint (rows->len, ==, 4);

  r = rows->pdata[0];
  g_assert_cmpstr (r->endpoint, ==, "chat");
  g_assert_cmpstr (r->client_key, ==, "alice");
  g_assert_cmpint (r->status, ==, 200);
  g_assert_false (r->stream);
  g_assert_cmpint (r->prompt, ==, json_object_get_int_member (pu, "prompt_tokens"));
  g_assert_cmpint (r->completion, ==, json_object_get_int_member (pu, "completion_tokens"));
  g_assert_false (r->estimated);
  g_assert_cmpint (r->bytes_out, ==, plain->body->len);
  g_assert_cmpint (r->bytes_in, >, 0);
  g_assert_null (r->error_type);

  r = rows->pdata[1];
  g_assert_true (r->stream);
  g_assert_cmpint (r->prompt, ==, json_object_get_int_member (stream_usage, "prompt_tokens"));
  g_assert_cmpint (r->completion, ==, json_object_get_int_member (stream_usage, "completion_tokens"));
  g_assert_false (r->estimated);
  g_assert_cmpint (r->ttfb, <=, r->duration);

  r = rows->pdata[2];
  g_assert_cmpstr (r->account, ==, "acc2");
  g_assert_cmpint (r->status, ==, 200);
  g_assert_cmpint (r->prompt, ==, json_object_get_int_member (pu, "prompt_tokens"));

  r = rows->pdata[3];
  g_assert_cmpint (r->status, ==, 400);
  g_assert_nonnull (r->error_type);
  g_assert_cmpint (r->prompt + r->completion, ==, 0);

  /* The summary the CLI and /debug/usage show. */
  {
    g_autoptr(I2aTestResponse) u = get (f.env, "/debug/usage?since=24h&by=account", TOK_A);
    g_autoptr(JsonObject) obj = i2a_test_response_json (u);
    JsonObject *total;

    g_assert_cmpuint (u->status, ==, 200);
    total = json_object_get_object_member (obj, "total");
    g_assert_cmpint (json_object_get_int_member (total, "requests"), ==, 4);
    g_assert_cmpint (json_object_get_int_member (total, "errors"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (total, "input_tokens"), ==,
                     3 * json_object_get_int_member (pu, "prompt_tokens"));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "groups")), ==, 2);
  }
  {
    g_autoptr(I2aTestResponse) bad = get (f.env, "/debug/usage?by=colour", TOK_A);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (bad, 400);
  }
  fixture_tear_down (&f);
}

static void
test_restart_keeps_totals (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) before = NULL, after = NULL;
  g_autoptr(GError) error = NULL;
  gint64 req = 0, tok = 0, req2 = 0, tok2 = 0;

  fixture_set_up (&f, "{" TWO_ACCOUNTS ("") "}");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (f.env, NULL, "hi", i % 2);
      g_assert_cmpuint (r->status, ==, 200);
    }
  i2a_ledger_get_today (f.ledger, I2A_USAGE_SCOPE_ALL, NULL, &req, &tok);
  g_assert_cmpint (req, ==, 3);
  before = i2a_ledger_read_summary (f.db_path, 0, I2A_USAGE_BY_MODEL, &error);
  g_assert_no_error (error);

  /* "Restart": close (which flushes), open again. */
  i2a_pool_set_ledger (f.env->pool, NULL);
  g_assert_finalize_object (f.ledger);
  f.ledger = i2a_ledger_open (f.db_path, &error);
  g_assert_no_error (error);
  i2a_pool_set_ledger (f.env->pool, f.ledger);
  after = i2a_ledger_read_summary (f.db_path, 0, I2A_USAGE_BY_MODEL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpint (((I2aUsageGroup *) after->pdata[0])->requests, ==, 3);
  g_assert_cmpint (((I2aUsageGroup *) after->pdata[0])->completion_tokens, >, 0);
  /* The in-memory windows come back from the file too. */
  i2a_ledger_get_today (f.ledger, I2A_USAGE_SCOPE_ALL, NULL, &req2, &tok2);
  g_assert_cmpint (req2, ==, req);
  g_assert_cmpint (tok2, ==, tok);
  fixture_tear_down (&f);
}

static void
replaced_cb (I2aLedger  *ledger,
             const char *moved_to,
             const char *reason,
             char      **out)
{
  *out = g_strdup (moved_to);
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static void
test_corrupt_moved_aside (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "usage.db", NULL);
  g_autofree char *moved = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aLedgerRow) row = i2a_ledger_row_new ();
  g_autoptr(GPtrArray) groups = NULL;
  I2aLedger *ledger;
  GStatBuf st;

  i2a_test_write_file (path, "this is not a database, just some text that is long enough "
                             "to fill the header of one. ..................................");
  g_test_expect_message ("i2a-ledger", G_LOG_LEVEL_WARNING, "*moved it to*");
  ledger = i2a_ledger_open (path, &error);
  g_assert_no_error (error);
  g_signal_connect (ledger, "database-replaced", G_CALLBACK (replaced_cb), &moved);
  g_assert_true (i2a_test_wait_until (is_set, &moved, 5000));
  g_test_assert_expected_messages ();
  g_assert_true (g_str_has_prefix (moved, path));
  g_assert_true (g_file_get_contents (moved, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "this is not a database"));

  /* The new file works, and is private. */
  row->time_ms = g_get_real_time () / 1000;
  row->endpoint = g_strdup ("chat");
  row->status = 200;
  row->prompt_tokens = 3;
  i2a_ledger_record (ledger, g_steal_pointer (&row));
  i2a_ledger_flush (ledger);
  groups = i2a_ledger_read_summary (path, 0, I2A_USAGE_BY_ENDPOINT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (groups->len, ==, 1);
  g_assert_cmpint (((I2aUsageGroup *) groups->pdata[0])->prompt_tokens, ==, 3);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_finalize_object (ledger);
  i2a_test_rm_rf (dir);
}

static gboolean
quota_free (gpointer data)
{
  Fixture *f = data;

  return i2a_pool_get_quota_resets_in (f->env->pool, account (f->env, "acc1")) == 0;
}

static void
test_quota (void)
{
  Fixture f = { 0 };
  g_autoptr(I2aTestResponse) over = NULL, again = NULL;
  g_autoptr(JsonObject) err = NULL;
  g_autoptr(JsonObject) dbg = NULL;
  guint signalled = 0;

  /* acc2 is not in the key's route: only acc1 serves it. */
  fixture_set_up (&f, "{" TWO_ACCOUNTS (", \"quota\": {\"requests\": 2, \"window\": \"3s\"}")
                  ", \"keys\": {\"" TOK_A "\": {\"account\": \"acc1\"}}}");
  g_signal_connect_swapped (f.env->pool, "quota-exhausted", G_CALLBACK (g_atomic_int_inc), &signalled);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (f.env, TOK_A, "hi", FALSE);
      g_assert_cmpuint (r->status, ==, 200);
    }
  over = chat (f.env, TOK_A, "hi", FALSE);
  err = i2a_test_assert_openai_error (over, 429);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "quota_exhausted");
  g_assert_nonnull (soup_message_headers_get_one (over->headers, "Retry-After"));
  g_assert_cmpuint (signalled, ==, 1);
  g_assert_cmpuint (seen (f.env, KEY_1), ==, 2);
  dbg = debug_account (f.env, "acc1");
  g_assert_true (json_object_get_boolean_member (dbg, "quota_exhausted"));
  g_assert_cmpint (json_object_get_int_member (dbg, "quota_resets_in_seconds"), >, 0);
  g_assert_cmpint (json_object_get_int_member (dbg, "quota_resets_in_seconds"), <=, 3);

  /* The window frees capacity: back in rotation. */
  g_assert_true (i2a_test_wait_until (quota_free, &f, 5000));
  again = chat (f.env, TOK_A, "hi", FALSE);
  g_assert_cmpuint (again->status, ==, 200);
  fixture_tear_down (&f);
}

static void
test_key_limits (void)
{
  Fixture f = { 0 };
  g_autoptr(I2aTestResponse) over = NULL, tokens_over = NULL, other = NULL;
  g_autoptr(JsonObject) err = NULL, err2 = NULL;

  fixture_set_up (&f, "{" TWO_ACCOUNTS ("") ", \"keys\": {"
                  "\"" TOK_A "\": {\"accounts\": [\"acc1\", \"acc2\"], \"label\": \"alice\","
                  " \"limits\": {\"requests_per_minute\": 2}},"
                  "\"" TOK_P "\": {\"accounts\": [\"acc1\", \"acc2\"],"
                  " \"limits\": {\"tokens_per_day\": 10}}}}");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(I2aTestResponse) r = chat (f.env, TOK_A, "hi", FALSE);
      g_assert_cmpuint (r->status, ==, 200);
    }
  over = chat (f.env, TOK_A, "hi", FALSE);
  err = i2a_test_assert_openai_error (over, 429);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "key_requests_per_minute");
  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "2 requests per minute"));
  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "alice"));
  g_assert_cmpint (atoi (soup_message_headers_get_one (over->headers, "Retry-After")), >, 0);
  g_assert_cmpint (atoi (soup_message_headers_get_one (over->headers, "Retry-After")), <=, 60);

  /* 12 tokens used of 10 a day. */
  other = chat (f.env, TOK_P, "hi", FALSE);
  g_assert_cmpuint (other->status, ==, 200);
  tokens_over = chat (f.env, TOK_P, "hi", FALSE);
  err2 = i2a_test_assert_openai_error (tokens_over, 429);
  g_assert_cmpstr (json_object_get_string_member (err2, "code"), ==, "key_tokens_per_day");
  g_assert_nonnull (strstr (json_object_get_string_member (err2, "message"), "10 tokens per day"));
  /* Never the key itself, only its hash. */
  g_assert_null (strstr (tokens_over->body->str, TOK_P));
  g_assert_nonnull (strstr (json_object_get_string_member (err2, "message"), "key-"));
  fixture_tear_down (&f);
}

/* An OpenAI-compatible upstream gets the client's body, plus the usage
 * request in streams; the client that did not ask sees no usage chunk. */
static void
test_openai_stream_usage (void)
{
  Fixture f = { 0 };
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  I2aFakeRequest *up;

  fixture_set_up (&f, "{\"accounts\": {\"acc1\": {\"api_key\": \"" KEY_1 "\", \"base_url\": \"@BASE@\","
                  " \"provider\": \"openai\"}}}");
  i2a_fake_iflow_set_require_signature (f.env->fake, FALSE);
  r = chat (f.env, NULL, "hi", TRUE);
  g_assert_cmpuint (r->status, ==, 200);
  up = i2a_fake_iflow_get_last_request (f.env->fake);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (up->body, "stream_options"),
                                                 "include_usage"));
  for (guint i = 0; i < r->events->len; i++)
    g_assert_null (strstr (r->events->pdata[i], "\"usage\""));
  flush_when_idle (&f);
  rows = read_rows (f.db_path);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_false (((Row *) rows->pdata[0])->estimated);
  g_assert_cmpint (((Row *) rows->pdata[0])->prompt, >, 0);
  fixture_tear_down (&f);
}

/* Every front door is recorded under its own name, with the upstream's
 * token counts. */
static void
test_front_doors (void)
{
  Fixture f = { 0 };
  g_autofree char *url = NULL;
  g_autoptr(I2aTestResponse) m = NULL, r = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;

  fixture_set_up (&f, "{" TWO_ACCOUNTS ("") "}");
  url = g_strconcat (f.env->base, "/v1/messages", NULL);
  m = i2a_test_request (f.env->client, "POST", url, NULL, "application/json",
                        "{\"model\":\"glm-5\",\"max_tokens\":64,\"stream\":true,"
                        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 0, 0);
  g_assert_cmpuint (m->status, ==, 200);
  g_free (url);
  url = g_strconcat (f.env->base, "/v1/responses", NULL);
  r = i2a_test_request (f.env->client, "POST", url, NULL, "application/json",
                        "{\"model\":\"glm-5\",\"input\":\"hi\"}", 0, 0);
  g_assert_cmpuint (r->status, ==, 200);
  flush_when_idle (&f);
  groups = i2a_ledger_read_summary (f.db_path, 0, I2A_USAGE_BY_ENDPOINT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (groups->len, ==, 2);
  g_assert_cmpstr (((I2aUsageGroup *) groups->pdata[0])->key, ==, "messages");
  g_assert_cmpstr (((I2aUsageGroup *) groups->pdata[1])->key, ==, "responses");
  for (guint i = 0; i < 2; i++)
    {
      I2aUsageGroup *g = groups->pdata[i];

      g_assert_cmpint (g->requests, ==, 1);
      g_assert_cmpint (g->prompt_tokens, >, 0);   /* from the fake's usage, not estimated */
      g_assert_cmpint (g->completion_tokens, >, 0);
      g_assert_cmpint (g->estimated, ==, 0);
    }
  fixture_tear_down (&f);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ledger/rows", test_rows);
  g_test_add_func ("/ledger/restart-keeps-totals", test_restart_keeps_totals);
  g_test_add_func ("/ledger/corrupt-moved-aside", test_corrupt_moved_aside);
  g_test_add_func ("/ledger/quota", test_quota);
  g_test_add_func ("/ledger/key-limits", test_key_limits);
  g_test_add_func ("/ledger/openai-stream-usage", test_openai_stream_usage);
  g_test_add_func ("/ledger/front-doors", test_front_doors);
  return g_test_run ();
}

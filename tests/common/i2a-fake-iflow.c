/* i2a-fake-iflow.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A fake iFlow upstream; see i2a-fake-iflow.h for the scenarios. */
#define G_LOG_DOMAIN "i2a-fake-iflow"

#include "config.h"

#include <string.h>
#include <stdlib.h>

#include "i2a-fake-iflow.h"
#include "i2a-fake-iflow-script.h"

struct _I2aFakeIflow
{
  SoupServer *server;
  guint       port;
  GHashTable *keys;          /* key -> scenario override or "" */
  GHashTable *in_flight;     /* key -> GUINT */
  GHashTable *max_in_flight; /* key -> GUINT */
  GHashTable *counts;        /* key -> GUINT */
  GHashTable *models;        /* key ("" = every key) -> GStrv served by GET /v1/models */
  guint       models_status; /* 0: answer; else fail GET /v1/models with it */
  guint       models_requests;
  GPtrArray  *requests;
  gboolean    require_signature;
  guint       events;
  guint       delay_ms;
  guint       aborted;
  gint64      last_abort;
  guint64     chunks_written; /* body chunks the sockets accepted */
  GList      *active;        /* FakeStream */
};

typedef struct
{
  I2aFakeIflow      *fake;
  SoupServerMessage *msg;
  char              *key;
  char              *model;
  guint              total;
  guint              sent;
  guint              delay_ms;
  guint              break_after;   /* 0 = never */
  gboolean           nospace;
  gboolean           nodone;
  gboolean           reasoning;
  gint64             prompt_tokens;
  guint              pad;          /* content bytes per event (flood) */
  gboolean           finished;
  gboolean           hang;
  guint              timer;
  GSource           *watch;
} FakeStream;

static void
fake_request_free (I2aFakeRequest *r)
{
  g_free (r->api_key);
  g_free (r->model);
  g_clear_pointer (&r->body, json_object_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_pointer (&r->raw, g_bytes_unref);
  g_free (r->header_problem);
  g_free (r);
}

static guint
counter_get (GHashTable *t,
             const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (t, key ? key : ""));
}

static void
counter_add (GHashTable *t,
             const char *key,
             int         delta)
{
  g_hash_table_insert (t, g_strdup (key ? key : ""),
                       GUINT_TO_POINTER ((guint) ((int) counter_get (t, key) + delta)));
}

static void
begin_request (I2aFakeIflow *self,
               const char   *key)
{
  guint now;

  counter_add (self->in_flight, key, 1);
  counter_add (self->counts, key, 1);
  now = counter_get (self->in_flight, key);
  if (now > counter_get (self->max_in_flight, key))
    g_hash_table_insert (self->max_in_flight, g_strdup (key ? key : ""), GUINT_TO_POINTER (now));
}

static void
end_request (I2aFakeIflow *self,
             const char   *key)
{
  counter_add (self->in_flight, key, -1);
}

static char *
check_headers (SoupMessageHeaders *h,
               const char         *key)
{
  const char *ua = soup_message_headers_get_one (h, "user-agent");
  const char *sid = soup_message_headers_get_one (h, "session-id");
  const char *cid = soup_message_headers_get_one (h, "conversation-id");
  const char *ts = soup_message_headers_get_one (h, "x-iflow-timestamp");
  const char *sig = soup_message_headers_get_one (h, "x-iflow-signature");
  const char *tp = soup_message_headers_get_one (h, "traceparent");
  g_autofree char *message = NULL;
  g_autofree char *expected = NULL;
  gint64 ms;

  if (g_strcmp0 (ua, "iFlow-Cli") != 0)
    return g_strdup_printf ("user-agent is '%s', not iFlow-Cli", ua ? ua : "(none)");
  if (sid == NULL || !g_str_has_prefix (sid, "session-") || !g_uuid_string_is_valid (sid + 8))
    return g_strdup ("bad session-id");
  if (cid == NULL || !g_uuid_string_is_valid (cid))
    return g_strdup ("bad conversation-id");
  if (tp == NULL || strlen (tp) != 55 || !g_str_has_prefix (tp, "00-") || !g_str_has_suffix (tp, "-01"))
    return g_strdup ("bad traceparent");
  if (ts == NULL || sig == NULL)
    return g_strdup ("missing x-iflow-timestamp or x-iflow-signature");
  ms = g_ascii_strtoll (ts, NULL, 10);
  if (ABS (g_get_real_time () / 1000 - ms) > 60000)
    return g_strdup ("x-iflow-timestamp is not the current time in ms");
  message = g_strdup_printf ("iFlow-Cli:%s:%s", sid, ts);
  expected = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) key, strlen (key), message, -1);
  if (g_strcmp0 (expected, sig) != 0)
    return g_strdup ("x-iflow-signature does not match");
  return NULL;
}

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static char *
completion_json (const char *model,
                 const char *content,
                 const char *reasoning,
                 gint64      prompt_tokens)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id"); json_builder_add_string_value (b, "chatcmpl-fake");
  json_builder_set_member_name (b, "object"); json_builder_add_string_value (b, "chat.completion");
  json_builder_set_member_name (b, "created"); json_builder_add_int_value (b, 1700000000);
  json_builder_set_member_name (b, "model"); json_builder_add_string_value (b, model);
  json_builder_set_member_name (b, "choices");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index"); json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "message");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role"); json_builder_add_string_value (b, "assistant");
  json_builder_set_member_name (b, "content"); json_builder_add_string_value (b, content);
  if (reasoning)
    {
      json_builder_set_member_name (b, "reasoning_content");
      json_builder_add_string_value (b, reasoning);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "finish_reason"); json_builder_add_string_value (b, "stop");
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "usage");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "prompt_tokens"); json_builder_add_int_value (b, prompt_tokens);
  json_builder_set_member_name (b, "completion_tokens"); json_builder_add_int_value (b, 7);
  json_builder_set_member_name (b, "total_tokens"); json_builder_add_int_value (b, prompt_tokens + 7);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static char *
chunk_json (const char *model,
            guint       index,
            const char *field,
            const char *text,
            gboolean    usage,
            gboolean    last,
            gint64      prompt_tokens)
{
  if (usage)
    return g_strdup_printf ("{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                            "\"model\":\"%s\",\"choices\":[],\"usage\":{\"prompt_tokens\":%" G_GINT64_FORMAT ","
                            "\"completion_tokens\":%u,\"total_tokens\":%" G_GINT64_FORMAT "}}", model, prompt_tokens,
                            index, index + prompt_tokens);
  return g_strdup_printf ("{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                          "\"model\":\"%s\",\"choices\":[{\"index\":0,\"delta\":{\"%s\":\"%s%u\"},"
                          "\"finish_reason\":%s}]}", model, field, text, index,
                          last ? "\"stop\"" : "null");
}

static void stream_free (FakeStream *s);

static void
stream_finish (FakeStream *s,
               gboolean    aborted)
{
  if (s->finished)
    return;
  s->finished = TRUE;
  g_clear_handle_id (&s->timer, g_source_remove);
  if (s->watch)
    {
      g_source_destroy (s->watch);
      g_clear_pointer (&s->watch, g_source_unref);
    }
  if (aborted)
    {
      s->fake->aborted++;
      s->fake->last_abort = g_get_monotonic_time ();
    }
  end_request (s->fake, s->key);
}

static void
stream_msg_finished_cb (SoupServerMessage *msg,
                        FakeStream        *s)
{
  stream_finish (s, s->sent < s->total || s->hang);
  s->fake->active = g_list_remove (s->fake->active, s);
  g_signal_handlers_disconnect_by_data (msg, s);
  stream_free (s);
}

static void
append (FakeStream *s,
        const char *text)
{
  soup_message_body_append (soup_server_message_get_response_body (s->msg), SOUP_MEMORY_COPY,
                            text, strlen (text));
}

static gboolean
stream_tick_cb (gpointer user_data)
{
  FakeStream *s = user_data;
  const char *prefix = s->nospace ? "data:" : "data: ";
  g_autofree char *chunk = NULL;
  g_autofree char *line = NULL;

  if (s->break_after > 0 && s->sent >= s->break_after)
    {
      /* Drop the connection mid-stream, as a crashing upstream would. */
      GIOStream *io;

      s->timer = 0;
      s->hang = TRUE;
      stream_finish (s, FALSE);
      io = soup_server_message_steal_connection (s->msg);
      g_io_stream_close (io, NULL, NULL);
      g_object_unref (io);
      return G_SOURCE_REMOVE;
    }

  if (s->sent < s->total)
    {
      gboolean think = s->reasoning && s->sent < s->total / 2;
      g_autofree char *padding = s->pad ? g_strnfill (s->pad, 'x') : NULL;

      chunk = chunk_json (s->model, s->sent, think ? "reasoning_content" : "content",
                          padding ? padding : think ? "thought-" : "token-", FALSE, s->sent + 1 == s->total, 0);
      line = g_strdup_printf ("%s%s\n\n", prefix, chunk);
      append (s, line);
      s->sent++;
    }
  if (s->sent >= s->total)
    {
      g_autofree char *usage = chunk_json (s->model, s->sent, NULL, NULL, TRUE, FALSE, s->prompt_tokens);
      g_autofree char *usage_line = g_strdup_printf ("%s%s\n\n", prefix, usage);

      append (s, usage_line);
      if (!s->nodone)
        append (s, s->nospace ? "data:[DONE]\n\n" : "data: [DONE]\n\n");
      soup_message_body_complete (soup_server_message_get_response_body (s->msg));
      s->timer = 0;
      stream_finish (s, FALSE);
      soup_server_message_unpause (s->msg);
      return G_SOURCE_REMOVE;
    }
  soup_server_message_unpause (s->msg);
  return G_SOURCE_CONTINUE;
}

/* A paused fake message would not notice the proxy hanging up either. */
static gboolean
stream_socket_cb (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  FakeStream *s = user_data;
  char byte;
  GInputVector vec = { &byte, 1 };
  int flags = G_SOCKET_MSG_PEEK;
  gssize n = 0;

  if (!(condition & (G_IO_HUP | G_IO_ERR)))
    n = g_socket_receive_message (socket, NULL, &vec, 1, NULL, NULL, &flags, NULL, NULL);
  if (n < 0)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&s->watch, g_source_unref);
  if (n == 0 && !s->finished)
    {
      stream_finish (s, TRUE);
      /* Complete so that libsoup writes, fails and frees the message. */
      soup_message_body_complete (soup_server_message_get_response_body (s->msg));
      soup_server_message_unpause (s->msg);
    }
  return G_SOURCE_REMOVE;
}

static void
stream_free (FakeStream *s)
{
  g_clear_handle_id (&s->timer, g_source_remove);
  if (s->watch)
    {
      g_source_destroy (s->watch);
      g_source_unref (s->watch);
    }
  g_free (s->key);
  g_free (s->model);
  g_object_unref (s->msg);
  g_free (s);
}

static void
stream_wrote_chunk_cb (SoupServerMessage *msg,
                       FakeStream        *s)
{
  s->fake->chunks_written++;
}

static FakeStream *
stream_new (I2aFakeIflow      *self,
            SoupServerMessage *msg,
            const char        *key,
            const char        *model)
{
  FakeStream *s = g_new0 (FakeStream, 1);
  GSocket *socket = soup_server_message_get_socket (msg);

  s->fake = self;
  s->msg = g_object_ref (msg);
  s->key = g_strdup (key);
  s->model = g_strdup (model);
  s->total = self->events;
  s->delay_ms = self->delay_ms;
  self->active = g_list_prepend (self->active, s);
  soup_server_message_pause (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (stream_msg_finished_cb), s);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (stream_wrote_chunk_cb), s);
  if (socket)
    {
      s->watch = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (s->watch, (GSourceFunc) stream_socket_cb, s, NULL);
      g_source_attach (s->watch, NULL);
    }
  return s;
}

static void
start_sse (FakeStream *s)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (s->msg);

  soup_server_message_set_status (s->msg, 200, NULL);
  soup_message_headers_set_encoding (h, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (h, "Content-Type", "text/event-stream");
  if (s->delay_ms == 0)
    {
      /* Emit everything now, one event at a time. */
      while (!s->finished && (s->break_after == 0 || s->sent < s->break_after))
        stream_tick_cb (s);
      /* Leave the peer time to read what was sent: closing with unread
       * data makes the kernel send a reset that can discard it. */
      if (!s->finished && s->break_after > 0)
        s->timer = g_timeout_add (200, stream_tick_cb, s);
      return;
    }
  s->timer = g_timeout_add (s->delay_ms, stream_tick_cb, s);
}

static const char *
last_user_content (JsonObject *body)
{
  JsonArray *messages;
  guint n;

  if (!json_object_has_member (body, "messages"))
    return "";
  messages = json_object_get_array_member (body, "messages");
  n = messages ? json_array_get_length (messages) : 0;
  for (guint i = n; i > 0; i--)
    {
      JsonObject *m = json_array_get_object_element (messages, i - 1);
      if (m && g_strcmp0 (json_object_get_string_member_with_default (m, "role", ""), "user") == 0)
        {
          JsonNode *c = json_object_get_member (m, "content");
          if (c && JSON_NODE_HOLDS_VALUE (c) && json_node_get_value_type (c) == G_TYPE_STRING)
            return json_node_get_string (c);
          return "";
        }
    }
  return "";
}

typedef struct
{
  SoupServerMessage *msg;
  guint              code;
  char              *model;
} LateError;

/* A scenario's HTTP status: what the prompt says when it is one libsoup
 * can send (the HTTP fuzzer writes any digits there), else @fallback. */
static guint
fake_status (const char *text,
             guint       fallback)
{
  int code = text ? atoi (text) : 0;

  return code >= 100 && code <= 599 ? (guint) code : fallback;
}

static gboolean
late_error_cb (gpointer data)
{
  LateError *late = data;
  g_autofree char *body = NULL;

  /* 200: a normal completion, just late. */
  if (late->code == 200)
    body = completion_json (late->model, "Hello from fake iFlow", NULL, 10);
  else
    body = g_strdup_printf ("{\"error\":{\"message\":\"fake upstream error %u\","
                            "\"type\":\"upstream_error\"}}", late->code);
  reply_json (late->msg, late->code, body);
  soup_server_message_unpause (late->msg);
  g_object_unref (late->msg);
  g_free (late->model);
  g_free (late);
  return G_SOURCE_REMOVE;
}

static void
handle_chat (I2aFakeIflow      *self,
             SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (h, "Authorization");
  const char *key = auth && g_str_has_prefix (auth, "Bearer ") ? auth + 7 : NULL;
  g_autoptr(GBytes) raw = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  I2aFakeRequest *req = g_new0 (I2aFakeRequest, 1);
  const char *scenario, *override;
  g_autofree char *first_line = NULL;
  g_auto(GStrv) argv = NULL;
  gint64 prompt_tokens;
  FakeStream *s;

  req->api_key = g_strdup (key);
  req->headers = soup_message_headers_ref (h);
  req->raw = g_bytes_ref (raw);
  g_ptr_array_add (self->requests, req);

  if (key == NULL || !g_hash_table_contains (self->keys, key))
    {
      reply_json (msg, 401, "{\"error\":{\"message\":\"Invalid API key\",\"type\":\"authentication_error\"}}");
      return;
    }
  req->header_problem = check_headers (h, key);
  req->signature_ok = req->header_problem == NULL;
  if (self->require_signature && req->header_problem)
    {
      g_autofree char *body = g_strdup_printf ("{\"status\":\"435\",\"msg\":\"Model not support (%s)\",\"body\":null}",
                                               req->header_problem);
      reply_json (msg, 200, body);
      return;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      reply_json (msg, 400, "{\"error\":{\"message\":\"Bad request!\",\"type\":\"invalid_request_error\"}}");
      return;
    }
  req->body = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  req->model = g_strdup (json_object_get_string_member_with_default (req->body, "model", ""));
  req->stream = json_object_get_boolean_member_with_default (req->body, "stream", FALSE);

  req->prompt_tokens = prompt_tokens = i2a_fake_prompt_tokens (req->body);

  override = g_hash_table_lookup (self->keys, key);
  scenario = (override && *override) ? override : last_user_content (req->body);
  if (!g_str_has_prefix (scenario, "fake:") && i2a_fake_find_scenario (req->body))
    scenario = i2a_fake_find_scenario (req->body);
  first_line = g_strndup (scenario, strcspn (scenario, "\n"));
  argv = g_strsplit (g_str_has_prefix (first_line, "fake:") ? first_line + 5 : "default", " ", 3);

  if ((g_str_equal (argv[0], "tool") || g_str_equal (argv[0], "tool-late")) && argv[1] && argv[2])
    {
      g_autoptr(GPtrArray) script = i2a_fake_tool_script (req->body, req->model, argv[1], argv[2],
                                                          g_str_equal (argv[0], "tool-late"),
                                                          req->stream, prompt_tokens);
      if (!req->stream)
        {
          reply_json (msg, 200, script->pdata[0]);
          return;
        }
      {
        SoupMessageHeaders *rh = soup_server_message_get_response_headers (msg);

        soup_server_message_set_status (msg, 200, NULL);
        soup_message_headers_replace (rh, "Content-Type", "text/event-stream");
        for (guint i = 0; i < script->len; i++)
          {
            g_autofree char *event = g_strdup_printf ("data: %s\n\n", (char *) script->pdata[i]);
            soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY,
                                      event, strlen (event));
          }
        soup_message_body_complete (soup_server_message_get_response_body (msg));
      }
      return;
    }

  if (g_str_equal (argv[0], "business"))
    {
      g_autofree char *body = g_strdup_printf ("{\"status\":\"%s\",\"msg\":\"%s\",\"body\":null}",
                                               argv[1] ? argv[1] : "500", argv[1] && argv[2] ? argv[2] : "error");
      reply_json (msg, 200, body);
      return;
    }
  if (g_str_equal (argv[0], "http"))
    {
      guint code = fake_status (argv[1], 500);
      g_autofree char *body = g_strdup_printf ("{\"error\":{\"message\":\"fake upstream error %u\","
                                               "\"type\":\"upstream_error\"}}", code);
      reply_json (msg, code, body);
      return;
    }
  if (g_str_equal (argv[0], "late-error"))
    {
      LateError *late = g_new0 (LateError, 1);

      late->msg = g_object_ref (msg);
      late->model = g_strdup (req->model);
      late->code = fake_status (argv[1] ? argv[2] : NULL, 502);
      soup_server_message_pause (msg);
      g_timeout_add (argv[1] ? atoi (argv[1]) : 1000, late_error_cb, late);
      return;
    }
  if (g_str_equal (argv[0], "retry-after"))
    {
      reply_json (msg, 429, "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    argv[1] ? argv[1] : "7");
      return;
    }
  if (g_str_equal (argv[0], "echo") && !req->stream)
    {
      g_autofree char *escaped = g_strescape (g_bytes_get_data (raw, NULL), NULL);
      g_autofree char *body = completion_json (req->model, g_bytes_get_data (raw, NULL), NULL, prompt_tokens);
      (void) escaped;
      reply_json (msg, 200, body);
      return;
    }

  begin_request (self, key);
  if (!req->stream)
    {
      if (g_str_equal (argv[0], "hang-headers") || g_str_equal (argv[0], "slow"))
        {
          s = stream_new (self, msg, key, req->model);
          s->hang = TRUE;
          return;
        }
      {
        g_autofree char *body = completion_json (req->model, "Hello from fake iFlow",
                                                 g_str_equal (argv[0], "reasoning") ? "Thinking about it" : NULL,
                                                 prompt_tokens);
        end_request (self, key);
        reply_json (msg, 200, body);
      }
      return;
    }

  s = stream_new (self, msg, key, req->model);
  s->prompt_tokens = prompt_tokens;
  if (g_str_equal (argv[0], "hang-headers"))
    {
      s->hang = TRUE;
      return;
    }
  if (g_str_equal (argv[0], "slow"))
    {
      s->total = argv[1] ? atoi (argv[1]) : 5;
      s->delay_ms = argv[1] && argv[2] ? atoi (argv[2]) : 100;
    }
  else if (g_str_equal (argv[0], "flood"))
    {
      s->total = argv[1] ? atoi (argv[1]) : 100;
      s->pad = argv[1] && argv[2] ? atoi (argv[2]) : 1024;
      s->delay_ms = 0;
    }
  else if (g_str_equal (argv[0], "break-after"))
    {
      s->break_after = argv[1] ? MAX (atoi (argv[1]), 1) : 1;
      s->total = s->break_after + 10;
    }
  else if (g_str_equal (argv[0], "nospace"))
    s->nospace = TRUE;
  else if (g_str_equal (argv[0], "nodone"))
    s->nodone = TRUE;
  else if (g_str_equal (argv[0], "reasoning"))
    {
      s->reasoning = TRUE;
      s->total = 6;
    }
  else if (g_str_equal (argv[0], "empty"))
    {
      SoupMessageHeaders *rh = soup_server_message_get_response_headers (msg);
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_replace (rh, "Content-Type", "text/event-stream");
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      stream_finish (s, FALSE);
      soup_server_message_unpause (msg);
      return;
    }
  else if (g_str_equal (argv[0], "error-event"))
    {
      g_autofree char *line = g_strdup_printf ("data: {\"status\":\"%s\",\"msg\":\"limit reached\",\"body\":null}\n\n",
                                               argv[1] ? argv[1] : "449");
      SoupMessageHeaders *rh = soup_server_message_get_response_headers (msg);
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_replace (rh, "Content-Type", "text/event-stream");
      append (s, line);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      stream_finish (s, FALSE);
      soup_server_message_unpause (msg);
      return;
    }
  start_sse (s);
}

/* An OpenAI-compatible model list: the key's own list, else the common one. */
static void
handle_models (I2aFakeIflow      *self,
               SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (h, "Authorization");
  const char *key = auth && g_str_has_prefix (auth, "Bearer ") ? auth + 7 : "";
  g_autoptr(GString) body = g_string_new ("{\"object\":\"list\",\"data\":[");
  char **list;

  self->models_requests++;
  if (self->models_status != 0)
    {
      reply_json (msg, self->models_status,
                  "{\"error\":{\"message\":\"fake models failure\",\"type\":\"server_error\"}}");
      return;
    }
  if (g_hash_table_size (self->keys) > 0 && !g_hash_table_contains (self->keys, key))
    {
      reply_json (msg, 401, "{\"error\":{\"message\":\"Invalid API key\",\"type\":\"authentication_error\"}}");
      return;
    }
  list = g_hash_table_lookup (self->models, key);
  if (list == NULL)
    list = g_hash_table_lookup (self->models, "");
  for (guint i = 0; list && list[i]; i++)
    g_string_append_printf (body, "%s{\"id\":\"%s\",\"object\":\"model\",\"owned_by\":\"fake\"}",
                            i ? "," : "", list[i]);
  g_string_append (body, "]}");
  reply_json (msg, 200, body->str);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  I2aFakeIflow *self = user_data;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  if (g_str_equal (path, "/v1/chat/completions") && g_str_equal (soup_server_message_get_method (msg), "POST"))
    handle_chat (self, msg);
  else if (g_str_equal (path, "/v1/models") && g_str_equal (soup_server_message_get_method (msg), "GET"))
    handle_models (self, msg);
  else
    reply_json (msg, 404, "{\"error\":{\"message\":\"not found\"}}");
}

I2aFakeIflow *
i2a_fake_iflow_new (void)
{
  I2aFakeIflow *self = g_new0 (I2aFakeIflow, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_request_free);
  self->require_signature = TRUE;
  self->events = 3;
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);
  {
    /* Our own socket for a real backlog: soup_server_listen_local's 10
     * would make the fake the bottleneck of benchmarks. */
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
    g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);

    if (sock)
      g_socket_set_listen_backlog (sock, 1024);
    if (sock == NULL || !g_socket_bind (sock, addr, TRUE, &error) || !g_socket_listen (sock, &error) ||
        !soup_server_listen_socket (self->server, sock, 0, &error))
      g_error ("fake iFlow cannot listen: %s", error->message);
  }
  uris = soup_server_get_uris (self->server);
  self->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return self;
}

void
i2a_fake_iflow_free (I2aFakeIflow *self)
{
  while (self->active)
    {
      FakeStream *s = self->active->data;
      self->active = g_list_delete_link (self->active, self->active);
      g_signal_handlers_disconnect_by_data (s->msg, s);
      stream_free (s);
    }
  soup_server_disconnect (self->server);
  g_object_unref (self->server);
  g_hash_table_unref (self->keys);
  g_hash_table_unref (self->in_flight);
  g_hash_table_unref (self->max_in_flight);
  g_hash_table_unref (self->counts);
  g_hash_table_unref (self->models);
  g_ptr_array_unref (self->requests);
  g_free (self);
}

void i2a_fake_iflow_add_key (I2aFakeIflow *self, const char *k) { g_hash_table_insert (self->keys, g_strdup (k), g_strdup ("")); }
void i2a_fake_iflow_set_key_scenario (I2aFakeIflow *self, const char *k, const char *scenario) { g_hash_table_insert (self->keys, g_strdup (k), g_strdup (scenario ? scenario : "")); }
void i2a_fake_iflow_set_require_signature (I2aFakeIflow *self, gboolean r) { self->require_signature = r; }
void i2a_fake_iflow_set_stream_shape (I2aFakeIflow *self, guint events, guint delay_ms) { self->events = events; self->delay_ms = delay_ms; }
guint i2a_fake_iflow_get_port (I2aFakeIflow *self) { return self->port; }
char *i2a_fake_iflow_dup_base_url (I2aFakeIflow *self) { return g_strdup_printf ("http://127.0.0.1:%u/v1", self->port); }
GPtrArray *i2a_fake_iflow_get_requests (I2aFakeIflow *self) { return self->requests; }
I2aFakeRequest *i2a_fake_iflow_get_last_request (I2aFakeIflow *self) { return self->requests->len ? self->requests->pdata[self->requests->len - 1] : NULL; }
void i2a_fake_iflow_clear_requests (I2aFakeIflow *self) { g_ptr_array_set_size (self->requests, 0); }
guint i2a_fake_iflow_get_in_flight (I2aFakeIflow *self, const char *k) { return counter_get (self->in_flight, k); }
guint i2a_fake_iflow_get_max_in_flight (I2aFakeIflow *self, const char *k) { return counter_get (self->max_in_flight, k); }
guint i2a_fake_iflow_get_request_count (I2aFakeIflow *self, const char *k) { return counter_get (self->counts, k); }
guint i2a_fake_iflow_get_aborted (I2aFakeIflow *self) { return self->aborted; }
guint64 i2a_fake_iflow_get_chunks_written (I2aFakeIflow *self) { return self->chunks_written; }
gint64 i2a_fake_iflow_get_last_abort_time (I2aFakeIflow *self) { return self->last_abort; }
void i2a_fake_iflow_set_models (I2aFakeIflow *self, const char *k, const char *const *models) { g_hash_table_insert (self->models, g_strdup (k ? k : ""), g_strdupv ((char **) models)); }
void i2a_fake_iflow_set_models_status (I2aFakeIflow *self, guint status) { self->models_status = status; }
guint i2a_fake_iflow_get_models_requests (I2aFakeIflow *self) { return self->models_requests; }

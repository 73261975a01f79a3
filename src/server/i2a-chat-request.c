#define G_LOG_DOMAIN "i2a-chat-request"

#include "config.h"

#include <string.h>

#include "i2a-chat-request.h"
#include "i2a-http.h"
#include "i2a-sse-parser.h"
#include "i2a-upstream-error.h"
#include "i2a-upstream-request.h"

#define READ_SIZE        16384
#define MAX_EVENT_SIZE   (4 * 1024 * 1024)
#define MAX_JSON_BODY    (32 * 1024 * 1024)
/* Backpressure (gnome-c-notes P11): stop reading upstream while this many
 * chunks wait to be written to a slow client. */
#define PENDING_HIGH     64
#define PENDING_LOW      16

struct _I2aChatRequest
{
  GObject            parent_instance;

  I2aServer         *server;
  SoupServerMessage *msg;
  I2aDispatch       *dispatch;
  JsonObject        *request;
  GBytes            *raw;
  gboolean           stream;
  char              *model;

  GCancellable      *cancellable;   /* the whole request */
  GCancellable      *attempt;       /* the current upstream attempt */
  I2aAccount        *account;
  SoupMessage       *upstream;
  GInputStream      *body;
  GByteArray        *buffer;        /* whole-body reads */
  I2aSseParser      *parser;
  I2aApiError       *stream_error;  /* error found while parsing events */
  I2aApiError       *outcome;       /* failure to report at the end */

  GSource           *socket_watch;
  /* Deadlines are checked by the server's once-a-second sweep: a timer
   * source per request would make every main-loop iteration pay for
   * thousands of streams. Monotonic µs, 0 = none. */
  gint64             deadline;      /* first-byte or idle timeout */
  gint64             last_write;    /* for SSE keep-alive comments */
  guint              backoff_id;

  guint              events_sent;
  guint              pending_chunks;
  gboolean           reading;
  gboolean           read_paused;
  gboolean           committed;     /* status and headers went out */
  gboolean           saw_done;
  gboolean           saw_finish;    /* a finish_reason or usage went by */
  gboolean           done;          /* we finished the response */
  gboolean           client_gone;
  gboolean           emitted_done;
};

G_DEFINE_FINAL_TYPE (I2aChatRequest, i2a_chat_request, G_TYPE_OBJECT)

enum { DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void acquire_next (I2aChatRequest *self);
static void read_next (I2aChatRequest *self);

/* ---- lifecycle ---------------------------------------------------------- */

static void
stop_timers (I2aChatRequest *self)
{
  self->deadline = 0;
  g_clear_handle_id (&self->backoff_id, g_source_remove);
}

static void
drop_attempt (I2aChatRequest *self)
{
  if (self->attempt)
    g_cancellable_cancel (self->attempt);
  g_clear_object (&self->attempt);
  g_clear_object (&self->body);
  g_clear_object (&self->upstream);
  g_clear_pointer (&self->buffer, g_byte_array_unref);
  g_clear_pointer (&self->parser, i2a_sse_parser_free);
  g_clear_pointer (&self->stream_error, i2a_api_error_free);
  g_clear_object (&self->account);
  self->deadline = 0;
  self->reading = FALSE;
  self->read_paused = FALSE;
}

static void
remove_socket_watch (I2aChatRequest *self)
{
  if (self->socket_watch)
    {
      g_source_destroy (self->socket_watch);
      g_clear_pointer (&self->socket_watch, g_source_unref);
    }
}

/* The request is over for us: free the slot, tell the server. */
static void
finish (I2aChatRequest *self)
{
  if (self->emitted_done)
    return;
  self->emitted_done = TRUE;
  stop_timers (self);
  remove_socket_watch (self);
  drop_attempt (self);
  i2a_dispatch_release (self->dispatch, self->outcome);
  g_signal_handlers_disconnect_by_data (self->msg, self);
  g_signal_emit (self, signals[DONE], 0);
}

static void
client_gone (I2aChatRequest *self)
{
  if (self->client_gone || self->emitted_done)
    return;
  self->client_gone = TRUE;
  g_debug ("Client went away; cancelling the upstream request");
  g_cancellable_cancel (self->cancellable);
  if (self->outcome == NULL)
    self->outcome = i2a_api_error_new (499, "request_cancelled", "client_closed",
                                       "The client closed the connection");
  finish (self);
}

static void
msg_finished_cb (SoupServerMessage *msg,
                 I2aChatRequest    *self)
{
  /* "finished" also fires on abort, before "disconnected" (P4). */
  if (!self->done)
    client_gone (self);
  else
    finish (self);
}

static void
msg_disconnected_cb (SoupServerMessage *msg,
                     I2aChatRequest    *self)
{
  if (!self->done)
    client_gone (self);
}

static void
wrote_chunk_cb (SoupServerMessage *msg,
                I2aChatRequest    *self)
{
  if (self->pending_chunks > 0)
    self->pending_chunks--;
  if (self->read_paused && self->pending_chunks <= PENDING_LOW && !self->done)
    {
      self->read_paused = FALSE;
      read_next (self);
    }
}

/* A paused SoupServerMessage does not notice a hang-up (P3): peek at the
 * socket ourselves so an abandoned request stops costing tokens at once. */
static gboolean
socket_readable_cb (GSocket        *socket,
                    GIOCondition    condition,
                    gpointer        user_data)
{
  I2aChatRequest *self = user_data;
  char byte;
  GInputVector vec = { &byte, 1 };
  int flags = G_SOCKET_MSG_PEEK;
  gssize n;

  if (condition & (G_IO_HUP | G_IO_ERR))
    n = 0;
  else
    n = g_socket_receive_message (socket, NULL, &vec, 1, NULL, NULL, &flags, NULL, NULL);

  if (n == 0)
    {
      g_autoptr(I2aChatRequest) hold = g_object_ref (self);

      g_clear_pointer (&self->socket_watch, g_source_unref);
      if (!self->done && !self->emitted_done)
        {
          /* Let libsoup notice too: the write on the dead socket fails and
           * it tears the connection down. */
          if (!self->committed)
            i2a_http_reply_simple_error (self->msg, 499, "client_closed", "client closed");
          else
            soup_message_body_complete (soup_server_message_get_response_body (self->msg));
          self->done = TRUE;
          soup_server_message_unpause (self->msg);
          client_gone (self);
        }
      return G_SOURCE_REMOVE;
    }
  if (n < 0)
    return G_SOURCE_CONTINUE;
  /* Pipelined bytes: cannot tell EOF apart any more; stop watching. */
  g_clear_pointer (&self->socket_watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
add_socket_watch (I2aChatRequest *self)
{
  GSocket *socket = i2a_server_lookup_socket (self->server, self->msg);

  if (socket == NULL)
    return;
  self->socket_watch = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->socket_watch, (GSourceFunc) socket_readable_cb, self, NULL);
  g_source_attach (self->socket_watch, NULL);
}

/* ---- replying ----------------------------------------------------------- */

static void
append_chunk (I2aChatRequest *self,
              char           *text,
              gsize           len)
{
  SoupMessageBody *body = soup_server_message_get_response_body (self->msg);

  soup_message_body_append (body, SOUP_MEMORY_TAKE, text, len);
  self->pending_chunks++;
  self->last_write = g_get_monotonic_time ();
  soup_server_message_unpause (self->msg);
}

static void
commit_stream (I2aChatRequest *self)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (self->msg);

  self->committed = TRUE;
  /* From now on every event (or keep-alive) is a write, and a failed write
   * is how libsoup reports the hang-up: one poll source less per stream. */
  remove_socket_watch (self);
  i2a_http_prepare_response (self->msg);
  soup_server_message_set_status (self->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (h, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (h, "Content-Type", "text/event-stream; charset=utf-8");
  soup_message_headers_replace (h, "Cache-Control", "no-cache");
  soup_message_headers_replace (h, "X-Accel-Buffering", "no");
}

static void
complete_stream (I2aChatRequest *self)
{
  self->done = TRUE;
  stop_timers (self);
  soup_message_body_complete (soup_server_message_get_response_body (self->msg));
  soup_server_message_unpause (self->msg);
}

/* Failure after the first byte: never a silent clean end (P10). */
static void
end_stream_with_error (I2aChatRequest    *self,
                       const I2aApiError *error)
{
  g_autofree char *json = i2a_api_error_to_string (error);
  char *text = g_strdup_printf ("data: %s\n\ndata: [DONE]\n\n", json);

  append_chunk (self, text, strlen (text));
  complete_stream (self);
}

static void
reply_error (I2aChatRequest    *self,
             const I2aApiError *error)
{
  if (self->done || self->client_gone)
    return;
  if (self->committed)
    {
      end_stream_with_error (self, error);
      return;
    }
  self->done = TRUE;
  stop_timers (self);
  i2a_http_reply_error (self->msg, error);
  soup_server_message_unpause (self->msg);
}

/* ---- attempts and failover ---------------------------------------------- */

static gboolean
backoff_done_cb (gpointer user_data)
{
  I2aChatRequest *self = user_data;

  self->backoff_id = 0;
  acquire_next (self);
  return G_SOURCE_REMOVE;
}

/* The current attempt failed with @error (transfer full). */
static void
attempt_failed (I2aChatRequest *self,
                I2aApiError    *error)
{
  const char *account_id = self->account ? i2a_account_get_id (self->account) : "?";

  g_info ("Attempt on account %s failed: %u %s", account_id, error->http_status, error->message);
  drop_attempt (self);

  if (self->committed)
    {
      /* No silent failover after the first byte. */
      g_clear_pointer (&self->outcome, i2a_api_error_free);
      self->outcome = i2a_api_error_copy (error);
      end_stream_with_error (self, error);
      i2a_api_error_free (error);
      return;
    }

  i2a_dispatch_release (self->dispatch, error);
  if (!self->client_gone && i2a_dispatch_should_retry (self->dispatch, error))
    {
      guint delay = i2a_dispatch_get_backoff_ms (self->dispatch);

      i2a_api_error_free (error);
      self->backoff_id = g_timeout_add (delay, backoff_done_cb, self);
      return;
    }
  reply_error (self, error);
  i2a_api_error_free (error);
}

static void
timed_out (I2aChatRequest *self)
{
  const char *phase = self->committed ? "between events" : "before the first byte";

  self->deadline = 0;
  attempt_failed (self, i2a_api_error_new (504, "timeout", "upstream_timeout",
                                           "The upstream sent nothing for %u s %s",
                                           self->committed ? i2a_server_get_idle_timeout (self->server)
                                                           : i2a_server_get_first_byte_timeout (self->server),
                                           phase));
}

static void
arm_timer (I2aChatRequest *self,
           guint           seconds)
{
  self->deadline = seconds > 0 ? g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC : 0;
}

void
i2a_chat_request_tick (I2aChatRequest *self,
                       gint64          now)
{
  guint keepalive = i2a_server_get_keepalive_interval (self->server);

  if (self->done || self->emitted_done)
    return;
  if (self->deadline > 0 && now >= self->deadline)
    {
      timed_out (self);
      return;
    }
  /* SSE comment: keeps proxies and clients from timing out a quiet model,
   * and a write is how libsoup learns the client is gone. */
  if (self->stream && self->committed && keepalive > 0 && self->pending_chunks < PENDING_HIGH &&
      now - self->last_write >= (gint64) keepalive * G_USEC_PER_SEC)
    append_chunk (self, g_strdup (": keep-alive\n\n"), 14);
}

/* ---- whole-body responses (errors and non-streaming) -------------------- */

static void
whole_body_complete (I2aChatRequest *self)
{
  SoupMessageHeaders *h = soup_message_get_response_headers (self->upstream);
  guint status = soup_message_get_status (self->upstream);
  I2aApiError *error;

  error = i2a_upstream_error_classify (status, (const char *) self->buffer->data, self->buffer->len,
                                       soup_message_headers_get_one (h, "Retry-After"),
                                       i2a_dispatch_get_retry_status_codes (self->dispatch));
  if (error == NULL && self->stream)
    error = i2a_api_error_new (502, "api_error", "bad_upstream_response",
                               "The upstream answered a streaming request with %s instead of "
                               "an event stream",
                               soup_message_headers_get_content_type (h, NULL) ?: "no content type");
  if (error)
    {
      attempt_failed (self, error);
      return;
    }

  /* Non-streaming success: relay the JSON as is. */
  {
    g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->buffer));
    self->done = TRUE;
    stop_timers (self);
    i2a_http_reply_bytes (self->msg, SOUP_STATUS_OK, "application/json", bytes);
    drop_attempt (self);
    soup_server_message_unpause (self->msg);
  }
}

static void
whole_body_read_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(I2aChatRequest) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  /* A read of an attempt that was dropped (failover, timeout). */
  if (self->emitted_done || self->buffer == NULL || G_INPUT_STREAM (source) != self->body)
    return;
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        attempt_failed (self, i2a_upstream_error_from_gerror (error));
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      whole_body_complete (self);
      return;
    }
  if (self->buffer->len + g_bytes_get_size (bytes) > MAX_JSON_BODY)
    {
      attempt_failed (self, i2a_api_error_new (502, "api_error", "upstream_response_too_large",
                                               "The upstream response exceeded %d MiB",
                                               MAX_JSON_BODY / (1024 * 1024)));
      return;
    }
  g_byte_array_append (self->buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  arm_timer (self, i2a_server_get_idle_timeout (self->server));
  g_input_stream_read_bytes_async (self->body, READ_SIZE * 4, G_PRIORITY_DEFAULT, self->attempt,
                                   whole_body_read_cb, g_object_ref (self));
}

/* ---- streaming ---------------------------------------------------------- */

/* A JSON event that is an error rather than a chunk: iFlow's business
 * errors ({"status":"449","msg":...}) or {"error":{...}}. */
static I2aApiError *
classify_event (const char *data,
                gsize       len,
                GArray     *codes)
{
  if (len == 0 || data[0] != '{')
    return NULL;
  if (strstr (data, "\"choices\"") != NULL)
    return NULL;
  if (strstr (data, "\"error\"") == NULL && strstr (data, "\"status\"") == NULL)
    return NULL;
  return i2a_upstream_error_classify (200, data, len, NULL, codes);
}

static void
sse_event_cb (const char *event,
              const char *data,
              gsize       len,
              gpointer    user_data)
{
  I2aChatRequest *self = user_data;
  GString *out;

  if (self->stream_error || self->done)
    return;

  if (g_str_equal (data, "[DONE]"))
    {
      self->saw_done = TRUE;
      if (!self->committed)
        return;
    }
  else
    {
      I2aApiError *error = classify_event (data, len, i2a_dispatch_get_retry_status_codes (self->dispatch));

      if (error && !self->committed)
        {
          /* Before the first byte an error event is still an HTTP error. */
          self->stream_error = error;
          return;
        }
      if (error)
        {
          g_clear_pointer (&self->outcome, i2a_api_error_free);
          self->outcome = error;
        }
      if (!self->saw_finish &&
          (strstr (data, "\"finish_reason\":\"") || strstr (data, "\"finish_reason\": \"") ||
           strstr (data, "\"usage\":{") || strstr (data, "\"usage\": {")))
        self->saw_finish = TRUE;
    }

  if (!self->committed)
    commit_stream (self);

  out = g_string_sized_new (len + 16);
  if (event)
    g_string_append_printf (out, "event: %s\n", event);
  /* Multi-line data goes back out as one data: line each. */
  for (const char *p = data; p;)
    {
      const char *nl = strchr (p, '\n');
      g_string_append (out, "data: ");
      g_string_append_len (out, p, nl ? nl - p : (gssize) strlen (p));
      g_string_append (out, "\n");
      p = nl ? nl + 1 : NULL;
    }
  g_string_append_c (out, '\n');
  self->events_sent++;
  {
    gsize out_len = out->len;
    append_chunk (self, g_string_free (out, FALSE), out_len);
  }
}

static void
stream_eof (I2aChatRequest *self)
{
  i2a_sse_parser_finish (self->parser);
  if (self->stream_error)
    {
      attempt_failed (self, g_steal_pointer (&self->stream_error));
      return;
    }
  if (!self->committed)
    {
      attempt_failed (self, i2a_api_error_new (502, "api_error", "empty_upstream_stream",
                                               "The upstream closed the stream without sending any event"));
      return;
    }
  /* libsoup 3.2 reports a connection dropped mid-body as a clean EOF: a
   * stream that ends with neither [DONE] nor a finish_reason/usage was cut
   * off, and the client must be told (P10). */
  if (!self->saw_done && !self->saw_finish)
    {
      I2aApiError *cut = i2a_api_error_new (502, "api_error", "upstream_stream_truncated",
                                            "The upstream stream ended before the response was "
                                            "complete (no finish_reason and no [DONE])");

      /* A dropped connection is the account's (or its server's) fault. */
      cut->account_failure = TRUE;
      attempt_failed (self, cut);
      return;
    }
  /* iFlow does not always send [DONE]; clients wait for it. */
  if (!self->saw_done)
    append_chunk (self, g_strdup ("data: [DONE]\n\n"), 14);
  drop_attempt (self);
  complete_stream (self);
}

static void
stream_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(I2aChatRequest) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gsize len;

  if (G_INPUT_STREAM (source) != self->body)
    return;
  self->reading = FALSE;
  if (self->emitted_done || self->parser == NULL || self->done)
    return;
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          I2aApiError *err = i2a_upstream_error_from_gerror (error);

          /* The upstream broke off mid-stream. */
          g_free (err->message);
          err->message = g_strdup_printf ("The upstream stream failed: %s", error->message);
          attempt_failed (self, err);
        }
      return;
    }

  len = g_bytes_get_size (bytes);
  if (len == 0)
    {
      stream_eof (self);
      return;
    }

  arm_timer (self, self->committed ? i2a_server_get_idle_timeout (self->server)
                                   : i2a_server_get_first_byte_timeout (self->server));
  if (!i2a_sse_parser_feed (self->parser, g_bytes_get_data (bytes, NULL), len, &error))
    {
      attempt_failed (self, i2a_api_error_new (502, "api_error", "bad_upstream_response",
                                               "%s", error->message));
      return;
    }

  if (self->stream_error && !self->committed)
    {
      attempt_failed (self, g_steal_pointer (&self->stream_error));
      return;
    }
  /* A JSON error body on a 200 (not SSE at all) has no blank line: it ends
   * at EOF and is classified then. Keep reading. */
  if (self->pending_chunks > PENDING_HIGH)
    {
      self->read_paused = TRUE;
      return;
    }
  read_next (self);
}

static void
read_next (I2aChatRequest *self)
{
  if (self->reading || self->body == NULL)
    return;
  self->reading = TRUE;
  g_input_stream_read_bytes_async (self->body, READ_SIZE, G_PRIORITY_DEFAULT, self->attempt,
                                   stream_read_cb, g_object_ref (self));
}

/* Not SSE: an iFlow JSON error body on 200, most likely. */
static void
sse_raw_fallback (const char *event,
                  const char *data,
                  gsize       len,
                  gpointer    user_data)
{
}

static void
upstream_sent_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(I2aChatRequest) self = user_data;
  g_autoptr(GError) error = NULL;
  GInputStream *body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  SoupMessageHeaders *h;
  guint status;
  const char *ctype;

  if (self->emitted_done || self->upstream == NULL ||
      soup_session_get_async_result_message (SOUP_SESSION (source), result) != self->upstream)
    {
      g_clear_object (&body);
      return;
    }
  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        attempt_failed (self, i2a_upstream_error_from_gerror (error));
      return;
    }

  self->body = body;
  status = soup_message_get_status (self->upstream);
  h = soup_message_get_response_headers (self->upstream);
  ctype = soup_message_headers_get_content_type (h, NULL);

  if (self->stream && SOUP_STATUS_IS_SUCCESSFUL (status) &&
      ctype && g_ascii_strcasecmp (ctype, "text/event-stream") == 0)
    {
      self->parser = i2a_sse_parser_new (MAX_EVENT_SIZE, sse_event_cb, self);
      read_next (self);
      return;
    }

  (void) sse_raw_fallback;
  self->buffer = g_byte_array_new ();
  g_input_stream_read_bytes_async (self->body, READ_SIZE * 4, G_PRIORITY_DEFAULT, self->attempt,
                                   whole_body_read_cb, g_object_ref (self));
}

static void
start_attempt (I2aChatRequest *self,
               I2aAccount     *account)
{
  I2aUpstreamTarget target = { 0 };

  self->account = account;
  i2a_account_fill_target (account, &target);
  self->upstream = i2a_upstream_request_new (&target, self->request, self->raw, self->stream);
  if (self->upstream == NULL)
    {
      attempt_failed (self, i2a_api_error_new (500, "api_error", "bad_base_url",
                                               "Account %s has an invalid base_url '%s'",
                                               i2a_account_get_id (account), target.base_url));
      return;
    }
  self->attempt = g_cancellable_new ();
  g_signal_connect_object (self->cancellable, "cancelled",
                           G_CALLBACK (g_cancellable_cancel), self->attempt, G_CONNECT_SWAPPED);
  arm_timer (self, i2a_server_get_first_byte_timeout (self->server));
  g_debug ("Forwarding %s (%s) to account %s", self->model, self->stream ? "stream" : "json",
           i2a_account_get_id (account));
  soup_session_send_async (i2a_server_get_session (self->server), self->upstream,
                           G_PRIORITY_DEFAULT, self->attempt, upstream_sent_cb, g_object_ref (self));
}

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(I2aChatRequest) self = user_data;
  I2aApiError *error = NULL;
  I2aAccount *account = i2a_dispatch_acquire_finish (I2A_DISPATCH (source), result, &error);

  if (self->emitted_done || self->client_gone)
    {
      if (account)
        i2a_dispatch_release (self->dispatch, NULL);
      g_clear_object (&account);
      g_clear_pointer (&error, i2a_api_error_free);
      return;
    }
  if (account == NULL)
    {
      if (self->outcome == NULL)
        self->outcome = i2a_api_error_copy (error);
      reply_error (self, error);
      i2a_api_error_free (error);
      return;
    }
  start_attempt (self, account);
}

static void
acquire_next (I2aChatRequest *self)
{
  i2a_dispatch_acquire_async (self->dispatch, self->cancellable, acquired_cb, g_object_ref (self));
}

/* ---- public ------------------------------------------------------------- */

void
i2a_chat_request_start (I2aChatRequest *self)
{
  soup_server_message_pause (self->msg);
  g_signal_connect (self->msg, "finished", G_CALLBACK (msg_finished_cb), self);
  g_signal_connect (self->msg, "disconnected", G_CALLBACK (msg_disconnected_cb), self);
  g_signal_connect (self->msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), self);
  add_socket_watch (self);
  acquire_next (self);
}

void
i2a_chat_request_abort (I2aChatRequest *self,
                        const char     *reason)
{
  g_autoptr(I2aApiError) error = NULL;

  if (self->done || self->emitted_done)
    return;
  error = i2a_api_error_new (503, "service_unavailable", "server_shutting_down", "%s", reason);
  g_cancellable_cancel (self->cancellable);
  drop_attempt (self);
  if (self->outcome == NULL)
    self->outcome = i2a_api_error_copy (error);
  self->outcome->account_failure = FALSE;
  reply_error (self, error);
}

static void
i2a_chat_request_dispose (GObject *object)
{
  I2aChatRequest *self = I2A_CHAT_REQUEST (object);

  stop_timers (self);
  remove_socket_watch (self);
  drop_attempt (self);
  if (self->msg)
    g_signal_handlers_disconnect_by_data (self->msg, self);
  g_clear_object (&self->msg);
  g_clear_object (&self->dispatch);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->request, json_object_unref);
  g_clear_pointer (&self->raw, g_bytes_unref);
  g_clear_pointer (&self->outcome, i2a_api_error_free);
  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (i2a_chat_request_parent_class)->dispose (object);
}

static void
i2a_chat_request_class_init (I2aChatRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = i2a_chat_request_dispose;

  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
i2a_chat_request_init (I2aChatRequest *self)
{
  self->cancellable = g_cancellable_new ();
}

I2aChatRequest *
i2a_chat_request_new (I2aServer         *server,
                      SoupServerMessage *msg,
                      I2aDispatch       *dispatch,
                      JsonObject        *request,
                      GBytes            *raw)
{
  I2aChatRequest *self = g_object_new (I2A_TYPE_CHAT_REQUEST, NULL);

  self->server = server;
  self->msg = g_object_ref (msg);
  self->dispatch = g_object_ref (dispatch);
  self->request = json_object_ref (request);
  self->raw = g_bytes_ref (raw);
  self->stream = json_object_get_boolean_member_with_default (request, "stream", FALSE);
  self->model = g_strdup (json_object_get_string_member (request, "model"));
  return self;
}

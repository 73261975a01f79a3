/* i2a-chat-request.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The control half of a chat request: its lifecycle, the pool's accounts
 * tried one after the other (failover), timeouts, and the client going away.
 * Reading and relaying the answer is in i2a-chat-relay.c. */
#define G_LOG_DOMAIN "i2a-chat-request"

#include "config.h"

#include <string.h>

#include "i2a-chat-request-private.h"
#include "i2a-http.h"
#include "i2a-sse-parser.h"
#include "i2a-upstream-error.h"
#include "i2a-upstream-request.h"
#include "i2a-util.h"

G_DEFINE_FINAL_TYPE (I2aChatRequest, i2a_chat_request, G_TYPE_OBJECT)

enum { DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void acquire_next (I2aChatRequest *self);

/* ---- lifecycle ---------------------------------------------------------- */

void
_i2a_chat_stop_timers (I2aChatRequest *self)
{
  self->deadline = 0;
  g_clear_handle_id (&self->backoff_id, g_source_remove);
}

void
_i2a_chat_drop_attempt (I2aChatRequest *self)
{
  if (self->attempt)
    g_cancellable_cancel (self->attempt);
  /* A cancelled read may still be in flight: its buffer goes with its
   * stream, which the read keeps alive until it completes. */
  if (self->reading && self->body && self->read_buffer)
    g_object_set_data_full (G_OBJECT (self->body), "i2a-read-buffer",
                            g_steal_pointer (&self->read_buffer), g_free);
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

void
_i2a_chat_remove_socket_watch (I2aChatRequest *self)
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
  _i2a_chat_stop_timers (self);
  _i2a_chat_remove_socket_watch (self);
  _i2a_chat_drop_attempt (self);
  /* Before the slot is freed: a request is always either in flight or in
   * the ledger, which quotas count. */
  _i2a_chat_ledger_record (self);
  i2a_dispatch_release (self->dispatch, self->outcome);
  g_signal_handlers_disconnect_by_data (self->msg, self);
  {
    g_autoptr(I2aChatRequest) hold = g_object_ref (self);

    g_signal_emit (self, signals[DONE], 0);
    /* A direct call rather than a signal handler: this runs for every
     * request. */
    i2a_server_request_done (self->server, self);
  }
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
  /* libsoup emits "finished" on abort too, before "disconnected". */
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
      _i2a_chat_read_next (self);
    }
}

static void add_socket_watch (I2aChatRequest *self, GIOCondition condition);

/* The client's side is closed and the request is not answered yet. */
static void
client_hung_up (I2aChatRequest *self)
{
  g_autoptr(I2aChatRequest) hold = g_object_ref (self);

  g_clear_pointer (&self->socket_watch, g_source_unref);
  if (self->done || self->emitted_done)
    return;
  /* Let libsoup notice too: the write on the dead socket fails and it
   * tears the connection down. */
  if (!self->committed)
    {
      g_autoptr(I2aApiError) gone = i2a_api_error_new (499, NULL, "client_closed",
                                                       "client closed");
      self->door->reply_error (self->msg, gone);
    }
  else
    soup_message_body_complete (soup_server_message_get_response_body (self->msg));
  self->done = TRUE;
  soup_server_message_unpause (self->msg);
  client_gone (self);
}

/* End of file on a complete request: the client either closed the socket
 * or only shut down its sending side and still waits for the answer. The
 * two look the same from here until something is sent: an interim
 * "100 Continue" (which HTTP/1.1 clients must accept, and which ones that
 * expect no 1xx skip) makes a closed socket answer with a reset at once,
 * while a half-closed one takes it and gets the real answer after it.
 * HTTP/1.0 clients may not be sent a 1xx; their half-close is believed. */
static void
client_eof (I2aChatRequest *self,
            GSocket        *socket)
{
  static const char probe[] = "HTTP/1.1 100 Continue\r\n\r\n";

  if (soup_server_message_get_http_version (self->msg) == SOUP_HTTP_1_1)
    {
      gssize n = g_socket_send (socket, probe, sizeof probe - 1, NULL, NULL);

      if (n != (gssize) (sizeof probe - 1))
        {
          client_hung_up (self);
          return;
        }
    }
  /* From now on only an error or a full hang-up on the socket counts. */
  g_clear_pointer (&self->socket_watch, g_source_unref);
  add_socket_watch (self, G_IO_HUP | G_IO_ERR);
}

/* A paused SoupServerMessage does not notice a hang-up until its next
 * write (libsoup 3.2): peek at the
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
    {
      client_hung_up (self);
      return G_SOURCE_REMOVE;
    }
  n = g_socket_receive_message (socket, NULL, &vec, 1, NULL, NULL, &flags, NULL, NULL);
  if (n == 0)
    {
      if (self->done || self->emitted_done)
        g_clear_pointer (&self->socket_watch, g_source_unref);
      else
        client_eof (self, socket);
      return G_SOURCE_REMOVE;
    }
  if (n < 0)
    return G_SOURCE_CONTINUE;
  /* Pipelined bytes: cannot tell EOF apart any more; stop watching. */
  g_clear_pointer (&self->socket_watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
add_socket_watch (I2aChatRequest *self,
                  GIOCondition    condition)
{
  GSocket *socket = i2a_server_lookup_socket (self->server, self->msg);

  if (socket == NULL)
    return;
  self->socket_watch = g_socket_create_source (socket, condition, NULL);
  g_source_set_callback (self->socket_watch, (GSourceFunc) socket_readable_cb, self, NULL);
  g_source_attach (self->socket_watch, NULL);
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
void
_i2a_chat_attempt_failed (I2aChatRequest *self,
                I2aApiError    *error)
{
  const char *account_id = self->account ? i2a_account_get_id (self->account) : "?";

  g_info ("Attempt on account %s failed: %u %s", account_id, error->http_status, error->message);
  _i2a_chat_drop_attempt (self);

  if (self->events_sent > 0)
    {
      /* No silent failover after the first byte. */
      g_clear_pointer (&self->outcome, i2a_api_error_free);
      self->outcome = i2a_api_error_copy (error);
      _i2a_chat_end_stream_with_error (self, error);
      i2a_api_error_free (error);
      return;
    }

  i2a_dispatch_release (self->dispatch, error);
  if (!self->client_gone && i2a_dispatch_should_retry (self->dispatch, error))
    {
      guint delay = i2a_dispatch_get_backoff_ms (self->dispatch);

      /* Nothing reached the client: the next attempt starts a fresh answer. */
      self->door->reply_free (self->reply);
      self->reply = self->door->reply_new (self->client_request, self->request);
      i2a_api_error_free (error);
      self->backoff_id = g_timeout_add (delay, backoff_done_cb, self);
      return;
    }
  _i2a_chat_reply_error (self, error);
  i2a_api_error_free (error);
}

static void
timed_out (I2aChatRequest *self)
{
  const char *phase = self->events_sent > 0 ? "between events" : "before the first byte";

  self->deadline = 0;
  _i2a_chat_attempt_failed (self, i2a_api_error_new (504, "timeout", "upstream_timeout",
                                           "The upstream sent nothing for %u s %s",
                                           self->events_sent > 0 ? i2a_server_get_idle_timeout (self->server)
                                                           : i2a_server_get_first_byte_timeout (self->server),
                                           phase));
}

void
_i2a_chat_arm_timer (I2aChatRequest *self,
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
  /* Keeps proxies and clients from timing out a quiet model, and a write
   * is how libsoup learns the client is gone. Some doors send it while
   * waiting for the first byte too (the request's start counts as the
   * last write then). */
  if (!self->stream || keepalive == 0 || self->pending_chunks >= PENDING_HIGH ||
      now - self->last_write < (gint64) keepalive * G_USEC_PER_SEC)
    return;
  if (!self->committed && self->door->keepalive_before_first_byte)
    _i2a_chat_commit_stream (self);
  if (self->committed)
    _i2a_chat_append_chunk (self, g_strdup (self->door->keepalive), strlen (self->door->keepalive));
}

static void
start_attempt (I2aChatRequest *self,
               I2aAccount     *account)
{
  I2aUpstreamTarget target = { 0 };
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GBytes) raw = NULL;

  self->account = account;
  g_free (self->account_id);
  self->account_id = g_strdup (i2a_account_get_id (account));
  i2a_account_fill_target (account, &target);
  /* A body prepared from the client's request fits only when the upstream
   * is asked for the model the client named. */
  if (!_i2a_chat_model_for_attempt (self, &request, &raw) &&
      (guint) target.provider < G_N_ELEMENTS (self->prepared) && self->prepared[target.provider])
    self->upstream = i2a_upstream_request_new_with_body (&target, self->prepared[target.provider], self->stream);
  else
    self->upstream = i2a_upstream_request_new (&target, request, raw, self->stream);
  if (self->upstream == NULL)
    {
      g_autofree char *shown = i2a_url_for_display (target.base_url);

      _i2a_chat_attempt_failed (self, i2a_api_error_new (500, "api_error", "bad_base_url",
                                               "Account %s has an invalid base_url '%s'",
                                               i2a_account_get_id (account), shown));
      return;
    }
  /* Not linked to self->cancellable: everything that cancels the request
   * drops the attempt, which cancels this one. */
  self->attempt = g_cancellable_new ();
  _i2a_chat_arm_timer (self, i2a_server_get_first_byte_timeout (self->server));
  g_debug ("Forwarding %s (%s) to account %s", self->model, self->stream ? "stream" : "json",
           i2a_account_get_id (account));
  soup_session_send_async (i2a_server_get_session (self->server), self->upstream,
                           G_PRIORITY_DEFAULT, self->attempt, _i2a_chat_upstream_sent_cb, g_object_ref (self));
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
      _i2a_chat_reply_error (self, error);
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
  /* Backpressure only matters for a stream, written chunk by chunk. */
  if (self->stream)
    g_signal_connect (self->msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), self);
  add_socket_watch (self, G_IO_IN | G_IO_HUP | G_IO_ERR);
  self->last_write = g_get_monotonic_time ();
  _i2a_chat_model_begin (self);
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
  _i2a_chat_drop_attempt (self);
  if (self->outcome == NULL)
    self->outcome = i2a_api_error_copy (error);
  self->outcome->account_failure = FALSE;
  _i2a_chat_reply_error (self, error);
}

static void
i2a_chat_request_dispose (GObject *object)
{
  I2aChatRequest *self = I2A_CHAT_REQUEST (object);

  _i2a_chat_stop_timers (self);
  _i2a_chat_remove_socket_watch (self);
  _i2a_chat_drop_attempt (self);
  if (self->msg)
    g_signal_handlers_disconnect_by_data (self->msg, self);
  g_clear_object (&self->msg);
  g_clear_object (&self->dispatch);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->request, json_object_unref);
  g_clear_pointer (&self->client_request, json_object_unref);
  if (self->reply)
    self->door->reply_free (g_steal_pointer (&self->reply));
  g_clear_pointer (&self->raw, g_bytes_unref);
  g_clear_pointer (&self->prepared[0], g_bytes_unref);
  g_clear_pointer (&self->prepared[1], g_bytes_unref);
  g_clear_pointer (&self->outcome, i2a_api_error_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->account_id, g_free);
  g_clear_pointer (&self->model_answered, g_free);
  g_clear_pointer (&self->error_type, g_free);
  g_clear_pointer (&self->read_buffer, g_free);

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
i2a_chat_request_new_for_door (I2aServer          *server,
                               SoupServerMessage  *msg,
                               I2aDispatch        *dispatch,
                               const I2aFrontDoor *door,
                               JsonObject         *client_request,
                               JsonObject         *request,
                               GBytes             *raw)
{
  I2aChatRequest *self = g_object_new (I2A_TYPE_CHAT_REQUEST, NULL);

  self->server = server;
  self->msg = g_object_ref (msg);
  self->dispatch = g_object_ref (dispatch);
  self->door = door;
  self->client_request = json_object_ref (client_request);
  self->request = json_object_ref (request);
  self->raw = g_bytes_ref (raw);
  self->stream = json_object_get_boolean_member_with_default (request, "stream", FALSE);
  self->model = g_strdup (json_object_get_string_member (request, "model"));
  self->reply = door->reply_new (client_request, request);
  self->client_wants_usage = _i2a_chat_ledger_client_wants_usage (request);
  self->started_us = g_get_monotonic_time ();
  return self;
}

I2aChatRequest *
i2a_chat_request_new (I2aServer         *server,
                      SoupServerMessage *msg,
                      I2aDispatch       *dispatch,
                      JsonObject        *request,
                      GBytes            *raw)
{
  return i2a_chat_request_new_for_door (server, msg, dispatch, &i2a_chat_door,
                                        request, request, raw);
}

const I2aFrontDoor *
i2a_chat_request_get_door (I2aChatRequest *self)
{
  return self->door;
}

void
i2a_chat_request_set_prepared_body (I2aChatRequest *self,
                                    I2aProvider     provider,
                                    GBytes         *body)
{
  g_return_if_fail ((guint) provider < G_N_ELEMENTS (self->prepared));
  g_clear_pointer (&self->prepared[provider], g_bytes_unref);
  self->prepared[provider] = body ? g_bytes_ref (body) : NULL;
}

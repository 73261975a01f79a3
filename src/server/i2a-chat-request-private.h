/* i2a-chat-request-private.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-chat-request-private.h: shared by the two halves of a chat request:
 * i2a-chat-request.c (lifecycle, attempts, failover, timeouts) and
 * i2a-chat-relay.c (reading the upstream answer and writing the client's). */
#pragma once

#include "i2a-chat-request.h"
#include "i2a-front-door.h"
#include "i2a-ledger.h"
#include "i2a-sse-parser.h"

G_BEGIN_DECLS

#define READ_SIZE        16384
#define MAX_EVENT_SIZE   (4 * 1024 * 1024)
#define MAX_JSON_BODY    (32 * 1024 * 1024)
/* Backpressure: libsoup keeps every appended chunk in memory until it is
 * written, so stop reading upstream while this many chunks wait for a slow
 * client. */
#define PENDING_HIGH     64
#define PENDING_LOW      16

struct _I2aChatRequest
{
  GObject            parent_instance;

  I2aServer         *server;
  SoupServerMessage *msg;
  I2aDispatch       *dispatch;
  const I2aFrontDoor *door;         /* every client-facing byte */
  I2aReply          *reply;         /* the door's state for this answer */
  JsonObject        *client_request; /* as the client sent it */
  JsonObject        *request;       /* the chat request sent upstream */
  GBytes            *raw;
  GBytes            *prepared[2];   /* upstream body per provider, built off the main loop */
  gboolean           stream;
  char              *model;

  GCancellable      *cancellable;   /* the whole request */
  GCancellable      *attempt;       /* the current upstream attempt */
  I2aAccount        *account;
  SoupMessage       *upstream;
  GInputStream      *body;
  GByteArray        *buffer;        /* whole-body reads */
  gsize              body_filled;   /* bytes of buffer read so far */
  gsize              body_expected; /* Content-Length of the answer, 0 = unknown */
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

  /* Translated events written; until the first one, failover stays
   * possible even when keep-alives already committed the headers. */
  guint              events_sent;
  guint              pending_chunks;
  char              *read_buffer;    /* stream reads; grows with the events */
  gsize              read_buffer_size;
  gboolean           reading;
  gboolean           read_paused;
  gboolean           committed;     /* status and headers went out */
  gboolean           saw_done;
  gboolean           saw_finish;    /* a finish_reason or usage went by */
  gboolean           done;          /* we finished the response */
  gboolean           client_gone;
  gboolean           emitted_done;

  /* For the usage ledger (i2a-chat-ledger.c). */
  gboolean           client_wants_usage;
  gboolean           have_usage;
  I2aTokenUsage      usage;
  char              *account_id;    /* the last account tried */
  char              *model_answered;
  char              *error_type;    /* of the error the client got */
  guint              error_status;
  gint64             started_us;    /* monotonic */
  gint64             first_byte_us;
  gint64             bytes_out;
  gsize              content_bytes; /* text relayed, for estimates */
};

/* i2a-chat-request.c */
void _i2a_chat_stop_timers           (I2aChatRequest    *self);
void _i2a_chat_drop_attempt          (I2aChatRequest    *self);
void _i2a_chat_remove_socket_watch   (I2aChatRequest    *self);
void _i2a_chat_arm_timer             (I2aChatRequest    *self,
                                      guint              seconds);
/* The current attempt failed with @error (transfer full): fail over or
 * answer the client. */
void _i2a_chat_attempt_failed        (I2aChatRequest    *self,
                                      I2aApiError       *error);

/* i2a-chat-model.c: aliases, fallbacks, sticky sessions */
void  _i2a_chat_model_begin        (I2aChatRequest     *self);
/* What to send upstream in this attempt (new references); TRUE when the
 * model differs from the client's (an alias target or a fallback). */
gboolean _i2a_chat_model_for_attempt (I2aChatRequest   *self,
                                   JsonObject        **request,
                                   GBytes            **raw);
void  _i2a_chat_model_add_header   (I2aChatRequest     *self,
                                    SoupMessageHeaders *headers);
/* @data with "model" set back to the client's name, or NULL when it
 * needs no change. */
char *_i2a_chat_model_rename       (I2aChatRequest     *self,
                                    const char         *data,
                                    gsize               len,
                                    gsize              *out_len);

/* i2a-chat-relay.c */
void _i2a_chat_append_chunk          (I2aChatRequest    *self,
                                      char              *text,
                                      gsize              len);
/* Status line and SSE headers (before the first event or keep-alive). */
void _i2a_chat_commit_stream         (I2aChatRequest    *self);
void _i2a_chat_end_stream_with_error (I2aChatRequest    *self,
                                      const I2aApiError *error);
void _i2a_chat_reply_error           (I2aChatRequest    *self,
                                      const I2aApiError *error);
void _i2a_chat_read_next             (I2aChatRequest    *self);
/* soup_session_send_async callback of an attempt. */
void _i2a_chat_upstream_sent_cb      (GObject           *source,
                                      GAsyncResult      *result,
                                      gpointer           user_data);

/* i2a-chat-ledger.c */
gboolean _i2a_chat_ledger_client_wants_usage (JsonObject     *request);
/* A stream event on its way to the client: TRUE to drop it (the usage
 * chunk the client did not ask for). */
gboolean _i2a_chat_ledger_filter_event (I2aChatRequest    *self,
                                        const char        *data,
                                        gsize              len);
/* The whole non-streaming answer, before it is sent. */
void     _i2a_chat_ledger_note_body    (I2aChatRequest    *self,
                                        const char        *data,
                                        gsize              len);
/* The request ended: queue its row (when the pool has a ledger). */
void     _i2a_chat_ledger_record       (I2aChatRequest    *self);

G_END_DECLS

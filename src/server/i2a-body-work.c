/* i2a-body-work.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-body-work"

#include "config.h"

#include "i2a-body-work.h"
#include "i2a-chat-request.h"
#include "i2a-upstream-request.h"

typedef struct
{
  SoupServerMessage *msg;
  SoupMessageBody   *body;     /* the request's, or NULL */
  I2aBodyWorkFunc    work;
  I2aBodyDoneFunc    done;
  gpointer           data;
} Job;

static void
job_free (Job *job)
{
  g_object_unref (job->msg);
  g_clear_pointer (&job->body, soup_message_body_unref);
  g_free (job);
}

static void
work_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  /* Joining the received pieces copies the whole body: here, not on the
   * main loop. Nothing else touches the body meanwhile: it is complete,
   * and its message is paused until this task returns. */
  g_autoptr(GBytes) body = job->body ? soup_message_body_flatten (job->body) : NULL;

  job->work (body, job->data);
  g_task_return_boolean (task, TRUE);
}

static void
worked_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));

  soup_server_message_unpause (job->msg);
  job->done (I2A_SERVER (source), job->msg, job->data);
}

static void
run_in_thread (I2aServer         *server,
               SoupServerMessage *msg,
               SoupMessageBody   *body,
               I2aBodyWorkFunc    work,
               I2aBodyDoneFunc    done,
               gpointer           data)
{
  g_autoptr(GTask) task = NULL;
  Job *job = g_new0 (Job, 1);

  job->msg = g_object_ref (msg);
  job->body = body ? soup_message_body_ref (body) : NULL;
  job->work = work;
  job->done = done;
  job->data = data;
  /* The task holds the server: it outlives a stop while the work runs. */
  task = g_task_new (server, NULL, worked_cb, NULL);
  g_task_set_source_tag (task, run_in_thread);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, work_thread);
}

void
i2a_body_work_run (I2aServer         *server,
                   SoupServerMessage *msg,
                   I2aBodyWorkFunc    work,
                   I2aBodyDoneFunc    done,
                   gpointer           data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) raw = NULL;

  if (body->length >= I2A_PARSE_IN_THREAD_BYTES)
    {
      run_in_thread (server, msg, body, work, done, data);
      return;
    }
  raw = soup_message_body_flatten (body);
  work (raw, data);
  done (server, msg, data);
}

void
i2a_body_work_continue (I2aServer         *server,
                        SoupServerMessage *msg,
                        gsize              size,
                        I2aBodyWorkFunc    work,
                        I2aBodyDoneFunc    done,
                        gpointer           data)
{
  if (size >= I2A_PARSE_IN_THREAD_BYTES)
    {
      run_in_thread (server, msg, NULL, work, done, data);
      return;
    }
  work (NULL, data);
  done (server, msg, data);
}

void
i2a_body_work_prepare (JsonObject *chat,
                       GBytes     *chat_raw,
                       GBytes     *prepared[2])
{
  gboolean stream = json_object_get_boolean_member_with_default (chat, "stream", FALSE);

  if (g_bytes_get_size (chat_raw) < I2A_PARSE_IN_THREAD_BYTES)
    return;
  prepared[I2A_PROVIDER_IFLOW] = i2a_upstream_request_build_body (I2A_PROVIDER_IFLOW, chat, chat_raw, stream);
  prepared[I2A_PROVIDER_OPENAI] = i2a_upstream_request_build_body (I2A_PROVIDER_OPENAI, chat, chat_raw, stream);
}

void
i2a_body_work_start (I2aServer          *server,
                     SoupServerMessage  *msg,
                     const I2aFrontDoor *door,
                     const char         *client_token,
                     JsonObject         *client_request,
                     JsonObject         *chat,
                     GBytes             *chat_raw,
                     GBytes            **prepared)
{
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(I2aDispatch) dispatch = NULL;
  I2aChatRequest *request;

  /* A big body's work may end after the server was stopped. */
  if (!i2a_server_is_running (server))
    {
      error = i2a_api_error_new (SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, "server_stopped",
                                 "The server is shutting down");
      door->reply_error (msg, error);
      return;
    }
  if ((dispatch = i2a_pool_begin (i2a_server_get_pool (server), client_token, &error)) == NULL)
    {
      door->reply_error (msg, error);
      return;
    }
  request = i2a_chat_request_new_for_door (server, msg, dispatch, door, client_request, chat, chat_raw);
  for (guint i = 0; prepared && i < 2; i++)
    i2a_chat_request_set_prepared_body (request, (I2aProvider) i, prepared[i]);
  i2a_server_run_request (server, request);
}

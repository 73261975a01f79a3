/* i2a-oauth-login.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-oauth-login.c: one browser login attempt over a loopback redirect */
#define G_LOG_DOMAIN "i2a-oauth"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "i2a-error.h"
#include "i2a-util.h"
#include "i2a-oauth-login.h"

#define DEFAULT_TIMEOUT_SECONDS 300
#define STATE_BYTES             32
#define USER_INFO_TRIES         3

struct _I2aOAuthLogin
{
  GObject            parent_instance;

  I2aOAuthClient    *client;
  guint              timeout_seconds;
  guint              first_port;

  char              *state;
  char              *redirect_uri;
  char              *authorize_url;
  guint              port;

  SoupServer        *server;
  SoupServerMessage *final_msg;       /* compared only, never dereferenced */
  guint              shutdown_id;

  GTask             *task;            /* set while the login runs */
  GCancellable      *op_cancellable;  /* token exchange + user info */
  GSource           *cancel_source;
  guint              timeout_id;
  guint              retry_id;
  guint              user_info_tries;
  I2aOAuthTokens    *tokens;
  gboolean           started;
  gboolean           got_code;
  gboolean           saw_bad_state;
};

G_DEFINE_FINAL_TYPE (I2aOAuthLogin, i2a_oauth_login, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_TIMEOUT_SECONDS,
  PROP_FIRST_PORT,
  PROP_AUTHORIZE_URL,
  PROP_REDIRECT_URI,
  PROP_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void request_user_info (I2aOAuthLogin *self);

void
i2a_oauth_login_result_free (I2aOAuthLoginResult *result)
{
  if (result == NULL)
    return;
  i2a_oauth_tokens_free (result->tokens);
  i2a_oauth_user_info_free (result->user_info);
  g_free (result);
}

/* ---------------------------------------------------------------- listener */

static void
shutdown_listener (I2aOAuthLogin *self)
{
  g_clear_handle_id (&self->shutdown_id, g_source_remove);
  if (self->server == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->server, self);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  self->final_msg = NULL;
  g_debug ("Login listener closed");
}

static void
shutdown_idle_cb (gpointer user_data)
{
  I2aOAuthLogin *self = user_data;

  self->shutdown_id = 0;
  shutdown_listener (self);
}

/* Never from inside a SoupServer handler: the server is still using itself. */
static void
schedule_shutdown (I2aOAuthLogin *self)
{
  if (self->server != NULL && self->shutdown_id == 0)
    self->shutdown_id = g_idle_add_once (shutdown_idle_cb, self);
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     I2aOAuthLogin     *self)
{
  /* The last page went out (or the browser left): the listener is done. */
  if (msg == self->final_msg)
    {
      self->final_msg = NULL;
      if (self->task == NULL || self->got_code)
        schedule_shutdown (self);
    }
}

static void
respond_page (SoupServerMessage *msg,
              guint              status,
              const char        *title,
              const char        *text)
{
  g_autofree char *t = g_markup_escape_text (title, -1);
  g_autofree char *p = g_markup_escape_text (text, -1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char *html;

  html = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width\">"
                          "<title>%s</title></head>\n"
                          "<body style=\"font-family: sans-serif; text-align: center; "
                          "margin-top: 4em\"><h1>%s</h1><p>%s</p></body></html>\n",
                          t, t, p);
  /* No idle keep-alive connections: libsoup 3.2.3 never frees one that the
   * client closes. */
  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_TAKE,
                                    html, strlen (html));
}

static void
respond_status (SoupServerMessage *msg,
                guint              status)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
  soup_server_message_set_status (msg, status, NULL);
}

/* ---------------------------------------------------------------- completion */

static void
complete (I2aOAuthLogin       *self,
          GError              *error,
          I2aOAuthLoginResult *result)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    {
      g_clear_error (&error);
      i2a_oauth_login_result_free (result);
      return;
    }

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  /* Stops a token exchange still in flight after a timeout or cancel. */
  g_cancellable_cancel (self->op_cancellable);
  g_clear_pointer (&self->tokens, i2a_oauth_tokens_free);

  if (self->final_msg == NULL)
    schedule_shutdown (self);

  if (error != NULL)
    {
      g_debug ("Login failed: %s", error->message);
      g_task_return_error (task, error);
    }
  else
    {
      g_debug ("Login complete");
      g_task_return_pointer (task, result, (GDestroyNotify) i2a_oauth_login_result_free);
    }
}

static gboolean
timeout_cb (gpointer user_data)
{
  I2aOAuthLogin *self = user_data;

  self->timeout_id = 0;
  if (self->saw_bad_state && !self->got_code)
    complete (self, g_error_new (I2A_ERROR, I2A_ERROR_OAUTH_STATE_MISMATCH,
                                 "The login was not completed: the browser came back with a "
                                 "state that does not belong to this login"), NULL);
  else
    complete (self, g_error_new (I2A_ERROR, I2A_ERROR_OAUTH_TIMEOUT,
                                 "The login was not completed within %u seconds",
                                 self->timeout_seconds), NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  I2aOAuthLogin *self = user_data;

  complete (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       "The login was cancelled"), NULL);
  return G_SOURCE_REMOVE;
}

/* ---------------------------------------------------------------- exchange */

static gboolean
retry_user_info_cb (gpointer user_data)
{
  I2aOAuthLogin *self = user_data;

  self->retry_id = 0;
  request_user_info (self);
  return G_SOURCE_REMOVE;
}

static void
user_info_done_cb (GObject      *source,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(I2aOAuthLogin) self = user_data;
  g_autoptr(GError) error = NULL;
  I2aOAuthUserInfo *info;
  I2aOAuthLoginResult *result;

  info = i2a_oauth_client_get_user_info_finish (I2A_OAUTH_CLIENT (source), res, &error);
  if (self->task == NULL)
    {
      i2a_oauth_user_info_free (info);
      return;
    }
  if (info == NULL)
    {
      /* The official CLI retries transient user-info failures too. */
      if (g_error_matches (error, I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT) &&
          self->user_info_tries < USER_INFO_TRIES)
        {
          g_debug ("User info failed transiently, retrying");
          self->retry_id = g_timeout_add (500 * self->user_info_tries, retry_user_info_cb, self);
          return;
        }
      g_prefix_error (&error, "Signed in, but the API key could not be fetched: ");
      complete (self, g_steal_pointer (&error), NULL);
      return;
    }

  result = g_new0 (I2aOAuthLoginResult, 1);
  result->tokens = g_steal_pointer (&self->tokens);
  result->user_info = info;
  complete (self, NULL, result);
}

static void
request_user_info (I2aOAuthLogin *self)
{
  self->user_info_tries++;
  i2a_oauth_client_get_user_info_async (self->client, self->tokens->access_token,
                                        self->op_cancellable, user_info_done_cb,
                                        g_object_ref (self));
}

static void
exchange_done_cb (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(I2aOAuthLogin) self = user_data;
  g_autoptr(GError) error = NULL;
  I2aOAuthTokens *tokens;

  tokens = i2a_oauth_client_exchange_code_finish (I2A_OAUTH_CLIENT (source), res, &error);
  if (self->task == NULL)
    {
      i2a_oauth_tokens_free (tokens);
      return;
    }
  if (tokens == NULL)
    {
      complete (self, g_steal_pointer (&error), NULL);
      return;
    }
  self->tokens = tokens;
  request_user_info (self);
}

/* ---------------------------------------------------------------- handlers */

static void
default_handler (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  respond_status (msg, SOUP_STATUS_NOT_FOUND);
}

/* Only plain tokens like "access_denied" make it into an error message. */
static gboolean
is_plain_word (const char *s)
{
  gsize n = 0;

  for (; s != NULL && *s != '\0'; s++, n++)
    if (!g_ascii_isalnum (*s) && *s != '_' && *s != '-' && *s != '.')
      return FALSE;
  return n > 0 && n <= 64;
}

static void
callback_handler (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  I2aOAuthLogin *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *state;
  const char *err;
  const char *code;

  /* Handlers match by prefix; only the exact path is ours. */
  if (g_strcmp0 (path, I2A_OAUTH_CALLBACK_PATH) != 0)
    {
      respond_status (msg, SOUP_STATUS_NOT_FOUND);
      return;
    }
  if (g_strcmp0 (method, "GET") != 0)
    {
      respond_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED);
      return;
    }
  if (self->task == NULL || self->got_code)
    {
      respond_page (msg, SOUP_STATUS_BAD_REQUEST, _("Login already finished"),
                    _("This login has already finished. You can close this tab."));
      return;
    }

  state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  if (!i2a_secret_equal (state, self->state))
    {
      /* Possibly a drive-by request from some web page: refuse it, but keep
       * waiting for the real browser. */
      g_debug ("Callback rejected: state missing or mismatched");
      self->saw_bad_state = TRUE;
      respond_page (msg, SOUP_STATUS_BAD_REQUEST, _("Login failed"),
                    _("This sign-in response does not belong to the login in progress. "
                      "Start the login again from iflow2api."));
      return;
    }

  err = g_hash_table_lookup (query, "error");
  code = g_hash_table_lookup (query, "code");
  self->final_msg = msg;

  if (err != NULL)
    {
      respond_page (msg, SOUP_STATUS_OK, _("Login failed"),
                    _("The sign-in was refused or cancelled. Return to iflow2api to try again."));
      complete (self, g_error_new (I2A_ERROR, I2A_ERROR_OAUTH_DENIED,
                                   "The sign-in was refused (%s)",
                                   is_plain_word (err) ? err : "error"), NULL);
      return;
    }
  if (code == NULL || *code == '\0')
    {
      respond_page (msg, SOUP_STATUS_BAD_REQUEST, _("Login failed"),
                    _("The sign-in response has no authorization code. "
                      "Return to iflow2api to try again."));
      complete (self, g_error_new_literal (I2A_ERROR, I2A_ERROR_FAILED,
                                           "The sign-in response has no authorization code"),
                NULL);
      return;
    }

  g_debug ("Callback accepted, exchanging the code");
  self->got_code = TRUE;
  respond_page (msg, SOUP_STATUS_OK, _("Login complete"),
                _("You can close this tab and return to iflow2api."));
  i2a_oauth_client_exchange_code_async (self->client, code, self->redirect_uri,
                                        self->op_cancellable, exchange_done_cb,
                                        g_object_ref (self));
}

static gboolean
bind_listener (I2aOAuthLogin  *self,
               GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) error6 = NULL;
  GSList *uris;
  gboolean bound = FALSE;

  self->server = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_handler (self->server, NULL, default_handler, self, NULL);
  soup_server_add_handler (self->server, I2A_OAUTH_CALLBACK_PATH, callback_handler, self, NULL);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_finished_cb), self);

  /* Ports from 11451 as the desktop proxies do, then any free port. */
  for (guint i = 0; self->first_port > 0 && i < I2A_OAUTH_LOGIN_PORT_TRIES && !bound; i++)
    {
      guint port = self->first_port + i;

      if (port > 65535)
        break;
      g_clear_error (&local_error);
      bound = soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                        &local_error);
    }
  if (!bound)
    {
      g_clear_error (&local_error);
      bound = soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                        &local_error);
    }
  if (!bound)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED,
                   "Cannot listen on 127.0.0.1 for the login callback: %s",
                   local_error->message);
      g_clear_object (&self->server);
      return FALSE;
    }

  uris = soup_server_get_uris (self->server);
  self->port = uris != NULL ? (guint) g_uri_get_port (uris->data) : 0;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* "localhost" may resolve to ::1 first in the browser; no IPv6 loopback
   * (containers) is fine. */
  if (!soup_server_listen_local (self->server, self->port, SOUP_SERVER_LISTEN_IPV6_ONLY, &error6))
    g_debug ("No ::1 listener for the login callback: %s", error6->message);

  g_debug ("Login listener on port %u", self->port);
  return TRUE;
}

/* ---------------------------------------------------------------- GObject */

static void
i2a_oauth_login_dispose (GObject *object)
{
  I2aOAuthLogin *self = I2A_OAUTH_LOGIN (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  if (self->op_cancellable != NULL)
    g_cancellable_cancel (self->op_cancellable);
  shutdown_listener (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (i2a_oauth_login_parent_class)->dispose (object);
}

static void
i2a_oauth_login_finalize (GObject *object)
{
  I2aOAuthLogin *self = I2A_OAUTH_LOGIN (object);

  g_clear_object (&self->op_cancellable);
  g_clear_pointer (&self->tokens, i2a_oauth_tokens_free);
  g_clear_pointer (&self->state, i2a_secret_free);
  g_clear_pointer (&self->redirect_uri, g_free);
  g_clear_pointer (&self->authorize_url, g_free);

  G_OBJECT_CLASS (i2a_oauth_login_parent_class)->finalize (object);
}

static void
i2a_oauth_login_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  I2aOAuthLogin *self = I2A_OAUTH_LOGIN (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_TIMEOUT_SECONDS:
      g_value_set_uint (value, self->timeout_seconds);
      break;
    case PROP_FIRST_PORT:
      g_value_set_uint (value, self->first_port);
      break;
    case PROP_AUTHORIZE_URL:
      g_value_set_string (value, self->authorize_url);
      break;
    case PROP_REDIRECT_URI:
      g_value_set_string (value, self->redirect_uri);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_oauth_login_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  I2aOAuthLogin *self = I2A_OAUTH_LOGIN (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_TIMEOUT_SECONDS:
      i2a_oauth_login_set_timeout_seconds (self, g_value_get_uint (value));
      break;
    case PROP_FIRST_PORT:
      i2a_oauth_login_set_first_port (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_oauth_login_constructed (GObject *object)
{
  I2aOAuthLogin *self = I2A_OAUTH_LOGIN (object);

  G_OBJECT_CLASS (i2a_oauth_login_parent_class)->constructed (object);

  if (self->client == NULL)
    self->client = i2a_oauth_client_new (NULL);
}

static void
i2a_oauth_login_class_init (I2aOAuthLoginClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = i2a_oauth_login_constructed;
  object_class->dispose = i2a_oauth_login_dispose;
  object_class->finalize = i2a_oauth_login_finalize;
  object_class->get_property = i2a_oauth_login_get_property;
  object_class->set_property = i2a_oauth_login_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, I2A_TYPE_OAUTH_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT_SECONDS] =
    g_param_spec_uint ("timeout-seconds", NULL, NULL, 1, G_MAXUINT / 1000,
                       DEFAULT_TIMEOUT_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIRST_PORT] =
    g_param_spec_uint ("first-port", NULL, NULL, 0, 65535, I2A_OAUTH_LOGIN_FIRST_PORT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTHORIZE_URL] =
    g_param_spec_string ("authorize-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REDIRECT_URI] =
    g_param_spec_string ("redirect-uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
i2a_oauth_login_init (I2aOAuthLogin *self)
{
  self->timeout_seconds = DEFAULT_TIMEOUT_SECONDS;
  self->first_port = I2A_OAUTH_LOGIN_FIRST_PORT;
  self->op_cancellable = g_cancellable_new ();
}

I2aOAuthLogin *
i2a_oauth_login_new (I2aOAuthClient *client)
{
  return g_object_new (I2A_TYPE_OAUTH_LOGIN, "client", client, NULL);
}

I2aOAuthClient *
i2a_oauth_login_get_client (I2aOAuthLogin *self)
{
  g_return_val_if_fail (I2A_IS_OAUTH_LOGIN (self), NULL);
  return self->client;
}

guint
i2a_oauth_login_get_timeout_seconds (I2aOAuthLogin *self)
{
  g_return_val_if_fail (I2A_IS_OAUTH_LOGIN (self), 0);
  return self->timeout_seconds;
}

void
i2a_oauth_login_set_timeout_seconds (I2aOAuthLogin *self,
                                     guint          seconds)
{
  g_return_if_fail (I2A_IS_OAUTH_LOGIN (self));
  g_return_if_fail (seconds > 0);

  if (self->timeout_seconds == seconds)
    return;
  self->timeout_seconds = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT_SECONDS]);
}

guint
i2a_oauth_login_get_first_port (I2aOAuthLogin *self)
{
  g_return_val_if_fail (I2A_IS_OAUTH_LOGIN (self), 0);
  return self->first_port;
}

void
i2a_oauth_login_set_first_port (I2aOAuthLogin *self,
                                guint          port)
{
  g_return_if_fail (I2A_IS_OAUTH_LOGIN (self));
  g_return_if_fail (port <= 65535);

  if (self->first_port == port)
    return;
  self->first_port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_PORT]);
}

const char *
i2a_oauth_login_get_authorize_url (I2aOAuthLogin *self)
{
  g_return_val_if_fail (I2A_IS_OAUTH_LOGIN (self), NULL);
  return self->authorize_url;
}

const char *
i2a_oauth_login_get_redirect_uri (I2aOAuthLogin *self)
{
  g_return_val_if_fail (I2A_IS_OAUTH_LOGIN (self), NULL);
  return self->redirect_uri;
}

guint
i2a_oauth_login_get_port (I2aOAuthLogin *self)
{
  g_return_val_if_fail (I2A_IS_OAUTH_LOGIN (self), 0);
  return self->port;
}

void
i2a_oauth_login_start_async (I2aOAuthLogin       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (I2A_IS_OAUTH_LOGIN (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_oauth_login_start_async);

  if (!bind_listener (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->state = i2a_random_token (STATE_BYTES);
  self->redirect_uri = g_strdup_printf ("http://localhost:%u" I2A_OAUTH_CALLBACK_PATH,
                                        self->port);
  self->authorize_url = i2a_oauth_client_build_authorize_url (self->client, self->redirect_uri,
                                                              self->state);
  self->task = g_steal_pointer (&task);

  self->timeout_id = g_timeout_add (self->timeout_seconds * 1000, timeout_cb, self);
  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (cancelled_cb), self, NULL);
      g_source_attach (self->cancel_source, g_main_context_get_thread_default ());
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REDIRECT_URI]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTHORIZE_URL]);
}

I2aOAuthLoginResult *
i2a_oauth_login_start_finish (I2aOAuthLogin  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

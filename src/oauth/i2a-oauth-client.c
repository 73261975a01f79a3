/* i2a-oauth-client.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-oauth-client.c: iFlow OAuth endpoints
 *
 * One SoupSession for all calls. Redirects are never followed: a 307 on
 * the token endpoint would resend the form (and the refresh token) to
 * wherever the Location points. */
#define G_LOG_DOMAIN "i2a-oauth"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-util.h"
#include "i2a-oauth-private.h"

#define DEFAULT_TIMEOUT_SECONDS 30

struct _I2aOAuthClient
{
  GObject      parent_instance;

  char        *base_url;
  guint        timeout;
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (I2aOAuthClient, i2a_oauth_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  I2aOAuthOp   op;
  SoupMessage *msg;
  char        *secret;     /* what we sent; scrubbed from server texts */
} Request;

static void
request_free (Request *req)
{
  g_clear_object (&req->msg);
  i2a_secret_free (req->secret);
  g_free (req);
}

/* ---------------------------------------------------------------- base URL */

/* Returns a normalised copy, or NULL when @url is not an absolute http(s)
 * URL with a host. */
static char *
normalize_base_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || *url == '\0')
    return NULL;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return NULL;
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;
  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return NULL;
  return i2a_strip_trailing_slash (url);
}

char *
i2a_oauth_dup_default_base_url (void)
{
  const char *env = g_getenv (I2A_OAUTH_BASE_ENV);
  char *base;

  if (env == NULL || *env == '\0')
    return g_strdup (I2A_OAUTH_DEFAULT_BASE);
  base = normalize_base_url (env);
  if (base == NULL)
    {
      g_warning ("Ignoring %s: not an http(s) URL; using %s",
                 I2A_OAUTH_BASE_ENV, I2A_OAUTH_DEFAULT_BASE);
      return g_strdup (I2A_OAUTH_DEFAULT_BASE);
    }
  return base;
}

/* ---------------------------------------------------------------- GObject */

static void
i2a_oauth_client_constructed (GObject *object)
{
  I2aOAuthClient *self = I2A_OAUTH_CLIENT (object);
  g_autoptr(GUri) uri = NULL;

  G_OBJECT_CLASS (i2a_oauth_client_parent_class)->constructed (object);

  if (self->base_url == NULL)
    self->base_url = i2a_oauth_dup_default_base_url ();

  uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0 &&
      !i2a_host_is_loopback (g_uri_get_host (uri)))
    g_warning ("OAuth base %s is not HTTPS: tokens would travel in clear text",
               self->base_url);

  /* The session's I/O timeout also bounds a server that never answers. */
  self->session = soup_session_new_with_options ("timeout", self->timeout,
                                                 "idle-timeout", self->timeout,
                                                 "user-agent", I2A_OAUTH_USER_AGENT,
                                                 NULL);
}

static void
i2a_oauth_client_finalize (GObject *object)
{
  I2aOAuthClient *self = I2A_OAUTH_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);

  G_OBJECT_CLASS (i2a_oauth_client_parent_class)->finalize (object);
}

static void
i2a_oauth_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  I2aOAuthClient *self = I2A_OAUTH_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_oauth_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  I2aOAuthClient *self = I2A_OAUTH_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);

        g_free (self->base_url);
        self->base_url = normalize_base_url (url);
        if (url != NULL && self->base_url == NULL)
          {
            g_autofree char *shown = i2a_url_for_display (url);

            g_warning ("Invalid OAuth base URL %s, using the default", shown);
          }
      }
      break;
    case PROP_TIMEOUT:
      self->timeout = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_oauth_client_class_init (I2aOAuthClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = i2a_oauth_client_constructed;
  object_class->finalize = i2a_oauth_client_finalize;
  object_class->get_property = i2a_oauth_client_get_property;
  object_class->set_property = i2a_oauth_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 600, DEFAULT_TIMEOUT_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
i2a_oauth_client_init (I2aOAuthClient *self)
{
  self->timeout = DEFAULT_TIMEOUT_SECONDS;
}

I2aOAuthClient *
i2a_oauth_client_new (const char *base_url)
{
  return g_object_new (I2A_TYPE_OAUTH_CLIENT, "base-url", base_url, NULL);
}

const char *
i2a_oauth_client_get_base_url (I2aOAuthClient *self)
{
  g_return_val_if_fail (I2A_IS_OAUTH_CLIENT (self), NULL);
  return self->base_url;
}

guint
i2a_oauth_client_get_timeout (I2aOAuthClient *self)
{
  g_return_val_if_fail (I2A_IS_OAUTH_CLIENT (self), 0);
  return self->timeout;
}

char *
i2a_oauth_client_build_authorize_url (I2aOAuthClient *self,
                                      const char     *redirect_uri,
                                      const char     *state)
{
  g_autofree char *query = NULL;

  g_return_val_if_fail (I2A_IS_OAUTH_CLIENT (self), NULL);
  g_return_val_if_fail (redirect_uri != NULL, NULL);
  g_return_val_if_fail (state != NULL, NULL);

  query = soup_form_encode ("client_id", I2A_OAUTH_CLIENT_ID,
                            "loginMethod", "phone",
                            "type", "phone",
                            "redirect", redirect_uri,
                            "state", state,
                            NULL);
  return g_strdup_printf ("%s/oauth?%s", self->base_url, query);
}

static JsonObject *
parse_object (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return i2a_json_parse_object (data, len);
}

/* ---------------------------------------------------------------- requests */

static void
request_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) obj = NULL;
  guint status;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      g_debug ("%s: transport error", _i2a_oauth_op_name (req->op));
      g_task_return_error (task, _i2a_oauth_error_from_transport (req->op, error));
      return;
    }

  status = soup_message_get_status (req->msg);
  obj = parse_object (bytes);
  g_debug ("%s: HTTP %u, %" G_GSIZE_FORMAT " bytes", _i2a_oauth_op_name (req->op), status,
           g_bytes_get_size (bytes));

  if (status != SOUP_STATUS_OK || _i2a_oauth_answer_says_not_success (obj))
    {
      g_task_return_error (task, _i2a_oauth_error_from_answer (req->op, req->secret, status, obj));
      return;
    }
  if (obj == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               "%s failed: the answer is not a JSON object", _i2a_oauth_op_name (req->op));
      return;
    }

  if (req->op == I2A_OAUTH_OP_USER_INFO)
    {
      I2aOAuthUserInfo *info = _i2a_oauth_user_info_from_json (obj);

      if (info == NULL)
        g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                                 "%s failed: the answer has no apiKey", _i2a_oauth_op_name (req->op));
      else
        g_task_return_pointer (task, info, (GDestroyNotify) i2a_oauth_user_info_free);
    }
  else
    {
      I2aOAuthTokens *tokens = _i2a_oauth_tokens_from_json (obj);

      if (tokens == NULL)
        {
          g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                                   "%s failed: the answer has no access token", _i2a_oauth_op_name (req->op));
          return;
        }
      /* No rotation: the old refresh token stays valid (iFlow's refresh grant does not rotate it). */
      if (tokens->refresh_token == NULL && req->op == I2A_OAUTH_OP_REFRESH)
        tokens->refresh_token = g_strdup (req->secret);
      g_task_return_pointer (task, tokens, (GDestroyNotify) i2a_oauth_tokens_free);
    }
}

static void
start_request (I2aOAuthClient      *self,
               I2aOAuthOp           op,
               SoupMessage         *msg,
               const char          *secret,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag)
{
  GTask *task;
  Request *req;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);

  req = g_new0 (Request, 1);
  req->op = op;
  req->msg = msg;
  req->secret = g_strdup (secret);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    request_done_cb, task);
}

static SoupMessage *
new_token_message (I2aOAuthClient *self,
                   char           *form)
{
  g_autofree char *url = g_strdup_printf ("%s/oauth/token", self->base_url);
  g_autofree char *pair = g_strdup (I2A_OAUTH_CLIENT_ID ":" I2A_OAUTH_CLIENT_SECRET);
  g_autofree char *b64 = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_autofree char *basic = g_strdup_printf ("Basic %s", b64);
  SoupMessage *msg;

  msg = soup_message_new_from_encoded_form ("POST", url, form);
  if (msg == NULL)
    return NULL;
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", basic);
  return msg;
}

static void
return_bad_url (I2aOAuthClient      *self,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data,
                gpointer             source_tag)
{
  g_autofree char *shown = i2a_url_for_display (self->base_url);

  g_task_report_new_error (self, callback, user_data, source_tag,
                           I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                           "Invalid OAuth base URL %s", shown);
}

void
i2a_oauth_client_exchange_code_async (I2aOAuthClient      *self,
                                      const char          *code,
                                      const char          *redirect_uri,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  SoupMessage *msg;

  g_return_if_fail (I2A_IS_OAUTH_CLIENT (self));
  g_return_if_fail (code != NULL);
  g_return_if_fail (redirect_uri != NULL);

  msg = new_token_message (self, soup_form_encode ("grant_type", "authorization_code",
                                                   "code", code,
                                                   "redirect_uri", redirect_uri,
                                                   "client_id", I2A_OAUTH_CLIENT_ID,
                                                   "client_secret", I2A_OAUTH_CLIENT_SECRET,
                                                   NULL));
  if (msg == NULL)
    {
      return_bad_url (self, cancellable, callback, user_data, i2a_oauth_client_exchange_code_async);
      return;
    }
  start_request (self, I2A_OAUTH_OP_EXCHANGE, msg, code, cancellable, callback, user_data,
                 i2a_oauth_client_exchange_code_async);
}

I2aOAuthTokens *
i2a_oauth_client_exchange_code_finish (I2aOAuthClient  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
i2a_oauth_client_refresh_async (I2aOAuthClient      *self,
                                const char          *refresh_token,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  SoupMessage *msg;

  g_return_if_fail (I2A_IS_OAUTH_CLIENT (self));
  g_return_if_fail (refresh_token != NULL);

  msg = new_token_message (self, soup_form_encode ("grant_type", "refresh_token",
                                                   "refresh_token", refresh_token,
                                                   "client_id", I2A_OAUTH_CLIENT_ID,
                                                   "client_secret", I2A_OAUTH_CLIENT_SECRET,
                                                   NULL));
  if (msg == NULL)
    {
      return_bad_url (self, cancellable, callback, user_data, i2a_oauth_client_refresh_async);
      return;
    }
  start_request (self, I2A_OAUTH_OP_REFRESH, msg, refresh_token, cancellable, callback, user_data,
                 i2a_oauth_client_refresh_async);
}

I2aOAuthTokens *
i2a_oauth_client_refresh_finish (I2aOAuthClient  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
i2a_oauth_client_get_user_info_async (I2aOAuthClient      *self,
                                      const char          *access_token,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  char *url;
  SoupMessage *msg;

  g_return_if_fail (I2A_IS_OAUTH_CLIENT (self));
  g_return_if_fail (access_token != NULL);

  escaped = g_uri_escape_string (access_token, NULL, FALSE);
  url = g_strdup_printf ("%s/api/oauth/getUserInfo?accessToken=%s", self->base_url, escaped);
  msg = soup_message_new ("GET", url);
  i2a_secret_free (url);
  i2a_secret_free (g_steal_pointer (&escaped));
  if (msg == NULL)
    {
      return_bad_url (self, cancellable, callback, user_data, i2a_oauth_client_get_user_info_async);
      return;
    }
  start_request (self, I2A_OAUTH_OP_USER_INFO, msg, access_token, cancellable, callback, user_data,
                 i2a_oauth_client_get_user_info_async);
}

I2aOAuthUserInfo *
i2a_oauth_client_get_user_info_finish (I2aOAuthClient  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

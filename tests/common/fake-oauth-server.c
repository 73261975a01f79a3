/* fake-oauth-server.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fake-oauth-server.c: local stand-in for iflow.cn's OAuth endpoints */
#define G_LOG_DOMAIN "fake-oauth"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "fake-oauth-server.h"

#define CLIENT_ID     "10009311001"
#define CLIENT_SECRET "4Z3YjXycVsQvyGF1etiNlIBB4RsqSDtW"
#define USER_AGENT    "iFlow-Cli"

typedef struct
{
  FakeOAuthFailure mode;
  guint            remaining;   /* when !forever */
  gboolean         forever;
} Failure;

struct _FakeOAuthServer
{
  SoupServer             *server;
  char                   *base_url;

  FakeOAuthAuthorizeMode  authorize_mode;
  gint64                  expires_in;
  char                   *next_api_key;
  char                   *user_info_data;
  gboolean                rotate;
  Failure                 token_failure;
  Failure                 user_info_failure;

  GHashTable             *codes;          /* code -> redirect it was issued for */
  GHashTable             *refresh_tokens; /* set */
  GHashTable             *access_tokens;  /* set */
  GPtrArray              *issued;         /* NULL-terminated */
  GPtrArray              *hung;           /* paused SoupServerMessage */

  guint                   n_authorize;
  guint                   n_exchange;
  guint                   n_refresh;
  guint                   n_user_info;
  guint                   n_bad;

  GHashTable             *last_authorize_query;
  char                   *last_redirect_uri;
  char                   *last_access_token;
  char                   *last_refresh_token;
  char                   *last_api_key;
};

static GList *live_fakes;

/* ---------------------------------------------------------------- helpers */

static char *
random_hex (gsize n_chars)
{
  GString *s = g_string_new (NULL);

  while (s->len < n_chars)
    g_string_append_printf (s, "%08x", g_random_int ());
  g_string_truncate (s, n_chars);
  return g_string_free (s, FALSE);
}

static const char *
record_issued (FakeOAuthServer *self,
               char            *secret)
{
  /* Keep the array NULL-terminated for get_issued_secrets(). */
  g_ptr_array_remove_index (self->issued, self->issued->len - 1);
  g_ptr_array_add (self->issued, secret);
  g_ptr_array_add (self->issued, NULL);
  return secret;
}

static char *
issue (FakeOAuthServer *self,
       const char      *prefix)
{
  g_autofree char *hex = random_hex (32);
  char *token = g_strdup_printf ("%s%s", prefix, hex);

  record_issued (self, g_strdup (token));
  return token;
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *json)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    json, strlen (json));
}

static gboolean
take_failure (Failure          *failure,
              FakeOAuthFailure *out)
{
  *out = failure->mode;
  if (failure->mode == FAKE_OAUTH_OK)
    return FALSE;
  if (!failure->forever && --failure->remaining == 0)
    failure->mode = FAKE_OAUTH_OK;
  return TRUE;
}

static void
set_failure (Failure          *failure,
             FakeOAuthFailure  mode,
             guint             times)
{
  failure->mode = mode;
  failure->forever = times == 0;
  failure->remaining = times;
}

static void
hung_finished_cb (SoupServerMessage *msg,
                  FakeOAuthServer   *self)
{
  g_signal_handlers_disconnect_by_data (msg, self);
  g_ptr_array_remove (self->hung, msg);
}

static void
hang (FakeOAuthServer   *self,
      SoupServerMessage *msg)
{
  soup_server_message_pause (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (hung_finished_cb), self);
  g_ptr_array_add (self->hung, g_object_ref (msg));
}

/* TRUE when the request carries what the official CLI sends. */
static gboolean
check_client_headers (SoupServerMessage *msg,
                      gboolean           want_basic)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *ua = soup_message_headers_get_one (h, "User-Agent");
  const char *accept = soup_message_headers_get_one (h, "Accept");
  const char *auth = soup_message_headers_get_one (h, "Authorization");
  g_autofree char *b64 = g_base64_encode ((const guchar *) CLIENT_ID ":" CLIENT_SECRET,
                                          strlen (CLIENT_ID ":" CLIENT_SECRET));
  g_autofree char *basic = g_strdup_printf ("Basic %s", b64);

  if (g_strcmp0 (ua, USER_AGENT) != 0)
    return FALSE;
  if (accept == NULL || strstr (accept, "application/json") == NULL)
    return FALSE;
  if (want_basic && g_strcmp0 (auth, basic) != 0)
    return FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------- handlers */

static void
authorize_handler (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  FakeOAuthServer *self = user_data;
  const char *redirect;
  const char *state;
  g_autofree char *code = NULL;
  g_autofree char *other_state = NULL;
  g_autofree char *params = NULL;
  g_autofree char *location = NULL;

  if (g_strcmp0 (path, "/oauth") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  self->n_authorize++;
  g_clear_pointer (&self->last_authorize_query, g_hash_table_unref);
  if (query != NULL)
    self->last_authorize_query = g_hash_table_ref (query);

  redirect = query != NULL ? g_hash_table_lookup (query, "redirect") : NULL;
  state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  if (redirect == NULL || state == NULL ||
      g_strcmp0 (g_hash_table_lookup (query, "client_id"), CLIENT_ID) != 0 ||
      g_strcmp0 (g_hash_table_lookup (query, "loginMethod"), "phone") != 0 ||
      g_strcmp0 (g_hash_table_lookup (query, "type"), "phone") != 0)
    {
      self->n_bad++;
      respond_json (msg, SOUP_STATUS_BAD_REQUEST, "{\"error\":\"invalid_request\"}");
      return;
    }

  switch (self->authorize_mode)
    {
    case FAKE_OAUTH_AUTHORIZE_GRANT:
      code = issue (self, "code-");
      g_hash_table_insert (self->codes, g_strdup (code), g_strdup (redirect));
      params = soup_form_encode ("code", code, "state", state, NULL);
      break;
    case FAKE_OAUTH_AUTHORIZE_BAD_STATE:
      code = issue (self, "code-");
      g_hash_table_insert (self->codes, g_strdup (code), g_strdup (redirect));
      other_state = random_hex (24);
      params = soup_form_encode ("code", code, "state", other_state, NULL);
      break;
    case FAKE_OAUTH_AUTHORIZE_DENY:
      params = soup_form_encode ("error", "access_denied", "state", state, NULL);
      break;
    case FAKE_OAUTH_AUTHORIZE_NO_CODE:
      params = soup_form_encode ("state", state, NULL);
      break;
    default:
      g_assert_not_reached ();
    }

  location = g_strdup_printf ("%s%s%s", redirect, strchr (redirect, '?') ? "&" : "?", params);
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

static void
issue_tokens (FakeOAuthServer   *self,
              SoupServerMessage *msg,
              const char        *keep_refresh)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *access = issue (self, "at-");
  g_autofree char *refresh = keep_refresh ? g_strdup (keep_refresh) : issue (self, "rt-");

  g_hash_table_add (self->access_tokens, g_strdup (access));
  g_hash_table_add (self->refresh_tokens, g_strdup (refresh));
  g_free (self->last_access_token);
  self->last_access_token = g_strdup (access);
  g_free (self->last_refresh_token);
  self->last_refresh_token = g_strdup (refresh);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "access_token");
  json_builder_add_string_value (b, access);
  if (keep_refresh == NULL)
    {
      json_builder_set_member_name (b, "refresh_token");
      json_builder_add_string_value (b, refresh);
    }
  if (self->expires_in >= 0)
    {
      json_builder_set_member_name (b, "expires_in");
      json_builder_add_int_value (b, self->expires_in);
    }
  json_builder_set_member_name (b, "token_type");
  json_builder_add_string_value (b, "bearer");
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, "read");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, FALSE);
  respond_json (msg, SOUP_STATUS_OK, json);
}

static void
token_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  FakeOAuthServer *self = user_data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *text = NULL;
  const char *ctype;
  const char *grant;
  FakeOAuthFailure failure;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  ctype = soup_message_headers_get_content_type (h, NULL);
  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  form = soup_form_decode (text);
  if (!check_client_headers (msg, TRUE) ||
      g_strcmp0 (ctype, "application/x-www-form-urlencoded") != 0 ||
      g_strcmp0 (g_hash_table_lookup (form, "client_id"), CLIENT_ID) != 0 ||
      g_strcmp0 (g_hash_table_lookup (form, "client_secret"), CLIENT_SECRET) != 0)
    {
      self->n_bad++;
      respond_json (msg, SOUP_STATUS_UNAUTHORIZED, "{\"error\":\"invalid_client\"}");
      return;
    }

  grant = g_hash_table_lookup (form, "grant_type");
  if (g_strcmp0 (grant, "authorization_code") == 0)
    self->n_exchange++;
  else if (g_strcmp0 (grant, "refresh_token") == 0)
    self->n_refresh++;
  else
    {
      self->n_bad++;
      respond_json (msg, SOUP_STATUS_BAD_REQUEST, "{\"error\":\"unsupported_grant_type\"}");
      return;
    }

  if (take_failure (&self->token_failure, &failure))
    {
      switch (failure)
        {
        case FAKE_OAUTH_FAIL_OVERLOAD:
          respond_json (msg, SOUP_STATUS_OK,
                        "{\"success\":false,\"code\":\"500\",\"message\":"
                        "\"当前使用人数太多，请稍后再试 (too many people)\",\"data\":null}");
          return;
        case FAKE_OAUTH_FAIL_INVALID_GRANT:
          respond_json (msg, SOUP_STATUS_BAD_REQUEST,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"refresh_token 无效\"}");
          return;
        case FAKE_OAUTH_FAIL_SERVER_ERROR:
          respond_json (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "{\"error\":\"server_error\"}");
          return;
        case FAKE_OAUTH_FAIL_HANG:
          hang (self, msg);
          return;
        case FAKE_OAUTH_OK:
        default:
          g_assert_not_reached ();
        }
    }

  if (g_strcmp0 (grant, "authorization_code") == 0)
    {
      const char *code = g_hash_table_lookup (form, "code");
      const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
      const char *issued_for = code ? g_hash_table_lookup (self->codes, code) : NULL;

      g_free (self->last_redirect_uri);
      self->last_redirect_uri = g_strdup (redirect_uri);
      if (issued_for == NULL)
        {
          respond_json (msg, SOUP_STATUS_BAD_REQUEST,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"unknown code\"}");
          return;
        }
      if (g_strcmp0 (issued_for, redirect_uri) != 0)
        {
          self->n_bad++;
          g_hash_table_remove (self->codes, code);
          respond_json (msg, SOUP_STATUS_BAD_REQUEST,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"redirect_uri mismatch\"}");
          return;
        }
      g_hash_table_remove (self->codes, code);   /* single use */
      issue_tokens (self, msg, NULL);
    }
  else
    {
      const char *rt = g_hash_table_lookup (form, "refresh_token");
      g_autofree char *keep = NULL;

      if (rt == NULL || !g_hash_table_contains (self->refresh_tokens, rt))
        {
          respond_json (msg, SOUP_STATUS_BAD_REQUEST,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"refresh_token 无效\"}");
          return;
        }
      if (self->rotate)
        g_hash_table_remove (self->refresh_tokens, rt);
      else
        keep = g_strdup (rt);
      issue_tokens (self, msg, keep);
    }
}

static void
user_info_handler (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  FakeOAuthServer *self = user_data;
  const char *token = query != NULL ? g_hash_table_lookup (query, "accessToken") : NULL;
  g_autofree char *json = NULL;
  g_autofree char *key_json = NULL;
  FakeOAuthFailure failure;

  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  if (!check_client_headers (msg, FALSE))
    {
      self->n_bad++;
      respond_json (msg, SOUP_STATUS_BAD_REQUEST, "{\"success\":false,\"message\":\"bad client\"}");
      return;
    }
  self->n_user_info++;

  if (take_failure (&self->user_info_failure, &failure))
    {
      switch (failure)
        {
        case FAKE_OAUTH_FAIL_OVERLOAD:
          respond_json (msg, SOUP_STATUS_OK,
                        "{\"success\":false,\"code\":\"500\",\"message\":"
                        "\"当前使用人数太多，请稍后再试 (too many people)\"}");
          return;
        case FAKE_OAUTH_FAIL_INVALID_GRANT:
          respond_json (msg, SOUP_STATUS_UNAUTHORIZED,
                        "{\"success\":false,\"message\":\"invalid_token\"}");
          return;
        case FAKE_OAUTH_FAIL_SERVER_ERROR:
          respond_json (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "{\"success\":false}");
          return;
        case FAKE_OAUTH_FAIL_HANG:
          hang (self, msg);
          return;
        case FAKE_OAUTH_OK:
        default:
          g_assert_not_reached ();
        }
    }

  if (token == NULL || !g_hash_table_contains (self->access_tokens, token))
    {
      respond_json (msg, SOUP_STATUS_UNAUTHORIZED,
                    "{\"success\":false,\"message\":\"access token invalid\"}");
      return;
    }

  if (self->user_info_data != NULL)
    {
      json = g_strdup_printf ("{\"success\":true,\"data\":%s}", self->user_info_data);
      respond_json (msg, SOUP_STATUS_OK, json);
      return;
    }

  g_free (self->last_api_key);
  if (self->next_api_key != NULL)
    self->last_api_key = g_strdup (self->next_api_key);
  else
    self->last_api_key = issue (self, "sk-");
  key_json = g_strescape (self->last_api_key, NULL);
  json = g_strdup_printf ("{\"success\":true,\"data\":{\"apiKey\":\"%s\","
                          "\"email\":\"tester@example.com\",\"phone\":\"13800000000\","
                          "\"username\":\"tester\"}}", key_json);
  respond_json (msg, SOUP_STATUS_OK, json);
}

/* ---------------------------------------------------------------- public */

FakeOAuthServer *
fake_oauth_server_new (void)
{
  FakeOAuthServer *self = g_new0 (FakeOAuthServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  self->expires_in = 172800;
  self->rotate = TRUE;
  self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->access_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->issued = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->issued, NULL);
  self->hung = g_ptr_array_new_with_free_func (g_object_unref);

  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, "/oauth", authorize_handler, self, NULL);
  soup_server_add_handler (self->server, "/oauth/token", token_handler, self, NULL);
  soup_server_add_handler (self->server, "/api/oauth/getUserInfo", user_info_handler, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("fake OAuth server cannot listen: %s", error->message);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  live_fakes = g_list_prepend (live_fakes, self);
  return self;
}

void
fake_oauth_server_free (FakeOAuthServer *self)
{
  if (self == NULL)
    return;

  live_fakes = g_list_remove (live_fakes, self);
  while (self->hung->len > 0)
    {
      SoupServerMessage *msg = g_object_ref (g_ptr_array_index (self->hung, 0));

      g_signal_handlers_disconnect_by_data (msg, self);
      g_ptr_array_remove_index (self->hung, 0);
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (msg);
      g_object_unref (msg);
    }
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_ptr_array_unref (self->hung);
  g_ptr_array_unref (self->issued);
  g_hash_table_unref (self->codes);
  g_hash_table_unref (self->refresh_tokens);
  g_hash_table_unref (self->access_tokens);
  g_clear_pointer (&self->last_authorize_query, g_hash_table_unref);
  g_free (self->last_redirect_uri);
  g_free (self->last_access_token);
  g_free (self->last_refresh_token);
  g_free (self->last_api_key);
  g_free (self->next_api_key);
  g_free (self->user_info_data);
  g_free (self->base_url);
  g_free (self);
}

const char *
fake_oauth_server_get_base_url (FakeOAuthServer *self)
{
  return self->base_url;
}

void
fake_oauth_server_set_authorize_mode (FakeOAuthServer        *self,
                                      FakeOAuthAuthorizeMode  mode)
{
  self->authorize_mode = mode;
}

void
fake_oauth_server_set_expires_in (FakeOAuthServer *self,
                                  gint64           seconds)
{
  self->expires_in = seconds;
}

void
fake_oauth_server_set_next_api_key (FakeOAuthServer *self,
                                    const char      *api_key)
{
  g_free (self->next_api_key);
  self->next_api_key = g_strdup (api_key);
  if (api_key != NULL)
    record_issued (self, g_strdup (api_key));
}

void
fake_oauth_server_set_user_info_data (FakeOAuthServer *self,
                                      const char      *data_json)
{
  g_free (self->user_info_data);
  self->user_info_data = g_strdup (data_json);
}

void
fake_oauth_server_set_rotate_refresh_token (FakeOAuthServer *self,
                                            gboolean         rotate)
{
  self->rotate = rotate;
}

void
fake_oauth_server_set_token_failure (FakeOAuthServer  *self,
                                     FakeOAuthFailure  failure,
                                     guint             times)
{
  set_failure (&self->token_failure, failure, times);
}

void
fake_oauth_server_set_user_info_failure (FakeOAuthServer  *self,
                                         FakeOAuthFailure  failure,
                                         guint             times)
{
  set_failure (&self->user_info_failure, failure, times);
}

char *
fake_oauth_server_add_refresh_token (FakeOAuthServer *self)
{
  char *rt = issue (self, "rt-");

  g_hash_table_add (self->refresh_tokens, g_strdup (rt));
  return rt;
}

void
fake_oauth_server_add_access_token (FakeOAuthServer *self,
                                    const char      *token)
{
  g_hash_table_add (self->access_tokens, g_strdup (token));
  record_issued (self, g_strdup (token));
}

gboolean
fake_oauth_server_refresh_token_is_valid (FakeOAuthServer *self,
                                          const char      *token)
{
  return token != NULL && g_hash_table_contains (self->refresh_tokens, token);
}

guint
fake_oauth_server_get_authorize_count (FakeOAuthServer *self)
{
  return self->n_authorize;
}

guint
fake_oauth_server_get_code_exchange_count (FakeOAuthServer *self)
{
  return self->n_exchange;
}

guint
fake_oauth_server_get_refresh_count (FakeOAuthServer *self)
{
  return self->n_refresh;
}

guint
fake_oauth_server_get_user_info_count (FakeOAuthServer *self)
{
  return self->n_user_info;
}

guint
fake_oauth_server_get_bad_request_count (FakeOAuthServer *self)
{
  return self->n_bad;
}

GHashTable *
fake_oauth_server_get_last_authorize_query (FakeOAuthServer *self)
{
  return self->last_authorize_query;
}

const char *
fake_oauth_server_get_last_redirect_uri (FakeOAuthServer *self)
{
  return self->last_redirect_uri;
}

const char *
fake_oauth_server_get_last_access_token (FakeOAuthServer *self)
{
  return self->last_access_token;
}

const char *
fake_oauth_server_get_last_refresh_token (FakeOAuthServer *self)
{
  return self->last_refresh_token;
}

const char *
fake_oauth_server_get_last_api_key (FakeOAuthServer *self)
{
  return self->last_api_key;
}

const char * const *
fake_oauth_server_get_issued_secrets (FakeOAuthServer *self)
{
  return (const char * const *) self->issued->pdata;
}

/* ---------------------------------------------------------------- browser */

static void
send_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (res);
}

gboolean
fake_browser_open (const char  *url,
                   guint       *out_status,
                   char       **out_body,
                   GError     **error)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
  g_autofree char *current = g_strdup (url);

  for (guint hop = 0; hop < 5; hop++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", current);
      g_autoptr(GAsyncResult) res = NULL;
      g_autoptr(GBytes) bytes = NULL;
      const char *location;
      guint status;

      if (msg == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad URL %s", current);
          return FALSE;
        }
      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
                                        send_done_cb, &res);
      while (res == NULL)
        g_main_context_iteration (NULL, TRUE);
      bytes = soup_session_send_and_read_finish (session, res, error);
      if (bytes == NULL)
        return FALSE;

      status = soup_message_get_status (msg);
      location = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                               "Location");
      if (SOUP_STATUS_IS_REDIRECTION (status) && location != NULL)
        {
          char *next = g_uri_resolve_relative (current, location, G_URI_FLAGS_ENCODED, error);

          if (next == NULL)
            return FALSE;
          g_free (current);
          current = next;
          continue;
        }

      if (out_status != NULL)
        *out_status = status;
      if (out_body != NULL)
        *out_body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "too many redirects");
  return FALSE;
}

/* ---------------------------------------------------------------- log guard */

static GPtrArray *forbidden;
static GPtrArray *leaks;

static const char *
find_secret (const char *text)
{
  if (text == NULL)
    return NULL;
  for (GList *l = live_fakes; l != NULL; l = l->next)
    {
      FakeOAuthServer *fake = l->data;

      for (guint i = 0; i + 1 < fake->issued->len; i++)
        {
          const char *s = g_ptr_array_index (fake->issued, i);

          if (strlen (s) >= 6 && strstr (text, s) != NULL)
            return s;
        }
    }
  for (guint i = 0; forbidden != NULL && i < forbidden->len; i++)
    {
      const char *s = g_ptr_array_index (forbidden, i);

      if (strstr (text, s) != NULL)
        return s;
    }
  return NULL;
}

static GLogWriterOutput
guard_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  const char *message = NULL;
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
        message = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0)
        domain = fields[i].value;
    }

  if (find_secret (message) != NULL)
    g_ptr_array_add (leaks, g_strdup_printf ("a %s message from %s contains a secret",
                                             (level & G_LOG_LEVEL_DEBUG) ? "debug" : "log",
                                             domain ? domain : "(no domain)"));

  /* GTest already shows debug/info as TAP comments; keep stdout clean. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
fake_oauth_log_guard_install (void)
{
  forbidden = g_ptr_array_new_with_free_func (g_free);
  leaks = g_ptr_array_new_with_free_func (g_free);
  g_log_set_debug_enabled (TRUE);
  g_log_set_writer_func (guard_writer, NULL, NULL);
}

void
fake_oauth_log_guard_forbid (const char *secret)
{
  g_assert_nonnull (forbidden);
  if (secret != NULL && *secret != '\0')
    g_ptr_array_add (forbidden, g_strdup (secret));
}

void
fake_oauth_log_guard_assert_clean (void)
{
  guint n;

  g_assert_nonnull (leaks);
  n = leaks->len;
  for (guint i = 0; i < n; i++)
    g_test_message ("LEAK: %s", (const char *) g_ptr_array_index (leaks, i));
  g_ptr_array_set_size (leaks, 0);
  g_ptr_array_set_size (forbidden, 0);
  g_assert_cmpuint (n, ==, 0);
}

void
fake_oauth_assert_no_secret (const char *text)
{
  const char *s = find_secret (text);

  /* Do not print the text: it holds the secret. */
  if (s != NULL)
    g_error ("a secret leaked into a message (%" G_GSIZE_FORMAT " chars)", strlen (text));
}

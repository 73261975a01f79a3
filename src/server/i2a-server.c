/* i2a-server.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-server"

#include "config.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "i2a-chat-request.h"
#include "i2a-chat-validate.h"
#include "i2a-connections.h"
#include "i2a-debug-endpoint.h"
#include "i2a-error.h"
#include "i2a-front-door.h"
#include "i2a-gate.h"
#include "i2a-http.h"
#include "i2a-body-work.h"
#include "i2a-keepalive.h"
#include "i2a-messages-door.h"
#include "i2a-responses-door.h"
#include "i2a-model-index.h"
#include "i2a-models.h"
#include "i2a-refuse.h"
#include "i2a-server.h"
#include "i2a-upstream-request.h"
#include "i2a-usage-endpoint.h"
#include "i2a-session-set.h"
#include "i2a-util.h"

struct _I2aServer
{
  GObject      parent_instance;

  I2aPool     *pool;
  I2aSessionSet *sessions;
  SoupServer  *soup;
  GHashTable  *requests;      /* I2aChatRequest set */
  char        *host;
  guint        port;
  gsize        max_body;
  I2aJsonLimits json_limits;     /* set by the app; keys.json's win */
  I2aJsonLimits effective_limits;
  guint        max_connections;   /* likewise, for the connection layer */
  guint        header_timeout;
  guint        body_timeout;
  guint        keepalive_timeout;
  GStrv        allowed_hosts;   /* set by the app, besides keys.json's */
  GStrv        allowed_origins;
  guint        first_byte_timeout;
  guint        idle_timeout;
  guint        keepalive_interval;
  gboolean     running;
  SoupServer  *draining;      /* stopped, finishing aborted responses */
  GSocket     *listener;
  GSource     *listen_source;
  guint        sweep_id;      /* timeouts and keep-alives of all requests */
  guint        peak_since_trim; /* most requests in flight since memory was last trimmed */
  GHashTable  *sockets;       /* "ip:port" of the peer -> GSocket (weak) */
  I2aConnections *connections;
  guint        accept_backoff_ms;
  guint        accept_retry_id;
  GBytes      *models_body;   /* serialized /v1/models, until the pool changes */
  I2aKeepalive *keepalive;    /* connections between requests */
  guint        drain_id;
};

G_DEFINE_FINAL_TYPE (I2aServer, i2a_server, G_TYPE_OBJECT)

enum { PROP_0, PROP_RUNNING, PROP_PORT, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* ---- endpoints ---------------------------------------------------------- */

static gboolean
require_method (SoupServerMessage *msg,
                const char        *method)
{
  if (g_str_equal (soup_server_message_get_method (msg), method))
    return TRUE;
  if (g_str_equal (method, SOUP_METHOD_GET) &&
      g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_HEAD))
    return TRUE;
  {
    g_autofree char *text = g_strdup_printf ("Method %s is not allowed on %s; use %s",
                                             soup_server_message_get_method (msg),
                                             g_uri_get_path (soup_server_message_get_uri (msg)),
                                             method);
    i2a_http_reply_simple_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", text);
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", method);
  }
  return FALSE;
}

static void
handle_health (I2aServer         *self,
               SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  i2a_pool_add_health (self->pool, b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "active_requests");
  json_builder_add_int_value (b, g_hash_table_size (self->requests));
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  i2a_http_reply_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_models (I2aServer         *self,
               SoupServerMessage *msg)
{
  g_autoptr(I2aApiError) error = NULL;

  /* Like OpenAI's: with required client auth the catalogue needs a key. */
  if (!i2a_pool_check_client_token (self->pool, i2a_http_get_bearer (msg), &error))
    {
      i2a_http_reply_error (msg, error);
      return;
    }
  /* A client key routed to some accounts sees only their models. */
  if (i2a_keys_config_lookup_token (i2a_pool_get_config (self->pool), i2a_http_get_bearer (msg), NULL) != NULL)
    {
      g_autoptr(JsonNode) node = i2a_pool_build_model_list (self->pool, i2a_http_get_bearer (msg), 1735689600);

      i2a_http_reply_json (msg, SOUP_STATUS_OK, node);
      return;
    }
  /* Built once and served as prepared bytes until the pool changes
   * (accounts, configuration, discovered models), which is what the list
   * depends on. */
  if (self->models_body == NULL)
    {
      /* A fixed "created" keeps the answer cacheable and deterministic. */
      g_autoptr(JsonNode) node = i2a_pool_build_model_list (self->pool, NULL, 1735689600);
      char *text = json_to_string (node, FALSE);

      self->models_body = g_bytes_new_take (text, strlen (text));
    }
  i2a_http_reply_bytes (msg, SOUP_STATUS_OK, "application/json", self->models_body);
}

static void
pool_changed_cb (I2aServer *self)
{
  g_clear_pointer (&self->models_body, g_bytes_unref);
}

static void
finish_draining (I2aServer *self)
{
  g_clear_handle_id (&self->drain_id, g_source_remove);
  if (self->draining)
    {
      soup_server_disconnect (self->draining);
      g_clear_object (&self->draining);
    }
  g_hash_table_remove_all (self->requests);
}

static gboolean
drain_timeout_cb (gpointer user_data)
{
  I2aServer *self = user_data;

  self->drain_id = 0;
  finish_draining (self);
  return G_SOURCE_REMOVE;
}

void
i2a_server_request_done (I2aServer      *self,
                         I2aChatRequest *request)
{
  g_hash_table_remove (self->requests, request);
  /* Never drop the SoupServer from inside one of its own signals. */
  if (self->draining && g_hash_table_size (self->requests) == 0)
    {
      g_clear_handle_id (&self->drain_id, g_source_remove);
      self->drain_id = g_idle_add (drain_timeout_cb, self);
    }
}

static void ensure_sweep (I2aServer *self);

static void
continue_chat (I2aServer         *self,
               SoupServerMessage *msg,
               GBytes            *raw,
               JsonObject        *request,
               GBytes           **prepared)
{
  i2a_body_work_start (self, msg, &i2a_chat_door, i2a_http_get_bearer (msg),
                       request, request, raw, prepared);
}

/* A chat body, checked and parsed, with its upstream bodies built: off
 * the main loop when it is big. */
typedef struct
{
  GBytes            *raw;
  char              *content_type;
  I2aJsonLimits      limits;
  JsonObject        *request;
  I2aApiError       *error;
  GBytes            *prepared[2];
} ChatParse;

static void
chat_parse_free (ChatParse *p)
{
  g_clear_pointer (&p->raw, g_bytes_unref);
  g_free (p->content_type);
  g_clear_pointer (&p->request, json_object_unref);
  g_clear_pointer (&p->error, i2a_api_error_free);
  g_clear_pointer (&p->prepared[0], g_bytes_unref);
  g_clear_pointer (&p->prepared[1], g_bytes_unref);
  g_free (p);
}

static void
chat_parse (GBytes   *body,
            gpointer  data)
{
  ChatParse *p = data;

  p->raw = g_bytes_ref (body);
  p->request = i2a_chat_validate_full (p->content_type, p->raw, &p->limits, &p->error);
  if (p->request)
    i2a_body_work_prepare (p->request, p->raw, p->prepared);
}

static void
chat_parsed (I2aServer         *self,
             SoupServerMessage *msg,
             gpointer           data)
{
  ChatParse *p = data;

  if (p->request == NULL)
    i2a_http_reply_error (msg, p->error);
  else
    continue_chat (self, msg, p->raw, p->request, p->prepared);
  chat_parse_free (p);
}

static void
handle_chat (I2aServer         *self,
             SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  ChatParse *p = g_new0 (ChatParse, 1);

  p->content_type = g_strdup (soup_message_headers_get_one (h, "Content-Type"));
  p->limits = *i2a_server_get_json_limits (self);
  i2a_body_work_run (self, msg, chat_parse, chat_parsed, p);
}

void
i2a_server_run_request (I2aServer      *self,
                        I2aChatRequest *chat)
{
  g_hash_table_add (self->requests, chat);
  ensure_sweep (self);
  i2a_chat_request_start (chat);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *unused_path,
           GHashTable        *query,
           gpointer           user_data)
{
  I2aServer *self = user_data;
  g_autofree char *path = i2a_http_normalized_path (msg);

  if (!self->running)
    i2a_http_reply_simple_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "server_stopped",
                                 "The server is shutting down");
  else if (g_str_equal (path, "/health"))
    {
      if (require_method (msg, SOUP_METHOD_GET))
        handle_health (self, msg);
    }
  /* Before /v1/models: Codex's catalogue is asked with ?client_version. */
  else if (i2a_responses_door_route (self, msg, path, query))
    ;
  /* Before /v1/models too: Anthropic clients get their list shape. */
  else if (i2a_messages_door_route (self, msg, path))
    ;
  else if (g_str_equal (path, "/v1/models") || g_str_equal (path, "/models"))
    {
      if (require_method (msg, SOUP_METHOD_GET))
        handle_models (self, msg);
    }
  else if (g_str_equal (path, "/debug/accounts"))
    {
      if (require_method (msg, SOUP_METHOD_GET))
        i2a_debug_endpoint_handle (self->pool, msg);
    }
  else if (g_str_equal (path, "/debug/usage"))
    {
      if (require_method (msg, SOUP_METHOD_GET))
        i2a_usage_endpoint_handle (self->pool, msg, query);
    }
  else if (g_str_equal (path, "/v1/chat/completions") || g_str_equal (path, "/chat/completions"))
    {
      if (require_method (msg, SOUP_METHOD_POST))
        handle_chat (self, msg);
    }
  else
    {
      g_autofree char *text = g_strdup_printf ("Unknown path %s. Endpoints: /health, /v1/models, "
                                               "/v1/chat/completions, /v1/messages, /v1/responses", path);
      i2a_http_reply_simple_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", text);
    }
}

static const I2aKeysServer *
keys_server (I2aServer *self)
{
  I2aKeysConfig *config = self->pool ? i2a_pool_get_config (self->pool) : NULL;

  return config ? &config->server : NULL;
}

static gsize
effective_max_body (I2aServer *self)
{
  const I2aKeysServer *k = keys_server (self);

  return k && k->max_body_bytes ? (gsize) k->max_body_bytes : self->max_body;
}

/* keys.json's "server" values over the app's (read each time, so a reload
 * applies at once). */
static void
sync_connection_limits (I2aServer *self)
{
  const I2aKeysServer *k = keys_server (self);

#define PICK(field, own) (k && k->field ? k->field : self->own)
  i2a_connections_set_limits (self->connections, PICK (max_connections, max_connections),
                              PICK (header_timeout_seconds, header_timeout),
                              PICK (body_timeout_seconds, body_timeout),
                              PICK (keepalive_timeout_seconds, keepalive_timeout));
#undef PICK
}

/* The door whose error shape a path's refusals take. Front doors add
 * their paths here; everything else answers in the chat door's shape. */
static const I2aFrontDoor *
door_for_path (const char *path)
{
  if (g_str_has_prefix (path, "/v1/messages") || g_str_has_prefix (path, "/messages"))
    return &i2a_messages_door;
  return &i2a_chat_door;
}

/* A client key in any of the headers clients put it in: Authorization
 * (OpenAI, ANTHROPIC_AUTH_TOKEN) or x-api-key (ANTHROPIC_API_KEY). */
static const char *
client_token (SoupServerMessage *msg)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "x-api-key");

  return key && *key ? key : i2a_http_get_bearer (msg);
}

/* Paths that reveal nothing and that monitors and clients probe without
 * a key. */
static gboolean
is_open_path (const char *method,
              const char *path)
{
  return g_str_equal (path, "/health") ||
         ((g_str_equal (path, "/") || g_str_equal (path, "/api/hello")) &&
          (g_str_equal (method, SOUP_METHOD_HEAD) || g_str_equal (method, SOUP_METHOD_GET)));
}

/* Answer a CORS preflight from an allowed origin. */
static void
reply_preflight (SoupServerMessage *msg)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  const char *headers = soup_message_headers_get_one (req, "Access-Control-Request-Headers");

  i2a_http_prepare_response (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  soup_message_headers_replace (resp, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  soup_message_headers_replace (resp, "Access-Control-Allow-Headers",
                                headers ? headers : "Authorization, Content-Type");
  soup_message_headers_replace (resp, "Access-Control-Max-Age", "600");
}

/* Everything decided from the request line and headers, before libsoup
 * reads a byte of the body: Host, Origin, auth, media type and length.
 * NULL to go on. */
static I2aApiError *
check_headers (I2aServer         *self,
               SoupServerMessage *msg,
               const char        *path)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *origin = soup_message_headers_get_one (h, "Origin");
  g_auto(GStrv) hosts = i2a_server_dup_allowed_hosts (self);
  g_auto(GStrv) origins = i2a_server_dup_allowed_origins (self);
  I2aApiError *error;
  goffset length;

  if ((error = i2a_gate_check_host (soup_message_headers_get_one (h, "Host"), self->port,
                                    (const char *const *) hosts)) != NULL)
    return error;
  if ((error = i2a_gate_check_origin (origin, (const char *const *) origins)) != NULL)
    return error;
  if (origin)
    {
      SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);

      soup_message_headers_replace (resp, "Access-Control-Allow-Origin", origin);
      soup_message_headers_replace (resp, "Vary", "Origin");
    }
  if (g_str_equal (method, SOUP_METHOD_OPTIONS) && origin)
    return NULL;
  if (!is_open_path (method, path) &&
      !i2a_pool_check_client_token (self->pool, client_token (msg), &error))
    return error;
  if ((error = i2a_gate_check_content_type (method, soup_message_headers_get_one (h, "Content-Type"))) != NULL)
    return error;
  if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CHUNKED)
    /* Without a length the body could grow without bound in memory. */
    return i2a_api_error_new (411, "invalid_request_error", "length_required",
                              "Send the request with a Content-Length header "
                              "(chunked request bodies are not accepted)");
  length = soup_message_headers_get_content_length (h);
  if (length > (goffset) effective_max_body (self))
    return i2a_api_error_new (413, "invalid_request_error", "request_too_large",
                              "The request body is %" G_GOFFSET_FORMAT " bytes; the limit is "
                              "%" G_GSIZE_FORMAT " bytes (server.max_body_bytes)",
                              length, effective_max_body (self));
  return NULL;
}

/* Runs after the headers, before libsoup reads the body. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *unused_path,
          GHashTable        *query,
          gpointer           user_data)
{
  I2aServer *self = user_data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  g_autofree char *path = i2a_http_normalized_path (msg);
  g_autoptr(I2aApiError) error = check_headers (self, msg, path);

  if (error == NULL)
    {
      if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_OPTIONS) &&
          soup_message_headers_get_one (h, "Origin"))
        reply_preflight (msg);
      return;
    }
  door_for_path (path)->reply_error (msg, error);
  /* libsoup would still read the whole announced body: don't let it. */
  if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CHUNKED ||
      soup_message_headers_get_content_length (h) > 0)
    i2a_refuse_and_close (msg);
}

/* Access log for --verbose; never the headers (they carry keys). */
static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);

  /* Requests libsoup refused itself (a malformed request line) have no URI. */
  g_debug ("%s %s -> %u", soup_server_message_get_method (msg) ? soup_server_message_get_method (msg) : "-",
           uri ? g_uri_get_path (uri) : "(invalid request)", soup_server_message_get_status (msg));
}

/* ---- listening ----------------------------------------------------------- */

static char *
peer_key (GSocketAddress *address)
{
  g_autofree char *ip = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

typedef struct
{
  GHashTable *sockets;
  char       *key;
} SocketEntry;

static void
socket_gone_cb (gpointer  data,
                GObject  *where_the_object_was)
{
  SocketEntry *entry = data;

  if (entry->sockets && g_hash_table_lookup (entry->sockets, entry->key) == where_the_object_was)
    g_hash_table_remove (entry->sockets, entry->key);
  g_clear_pointer (&entry->sockets, g_hash_table_unref);
  g_free (entry->key);
  g_free (entry);
}

/* We accept connections ourselves and hand them to libsoup: its own
 * listener in 3.2.3 leaks a GSocket per connection (fixed in 3.3), which
 * a long-running proxy cannot afford. */
static void
hand_over (I2aServer *self,
           GSocket   *socket)
{
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (socket);
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  SocketEntry *entry;

  if (self->keepalive == NULL || local == NULL || remote == NULL)
    return;
  sync_connection_limits (self);
  if (!i2a_connections_admit (self->connections, socket))
    {
      i2a_connections_refuse (self->connections, socket);
      return;
    }
  ensure_sweep (self);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  entry = g_new0 (SocketEntry, 1);
  entry->sockets = g_hash_table_ref (self->sockets);
  entry->key = peer_key (remote);
  if (entry->key)
    g_hash_table_replace (self->sockets, g_strdup (entry->key), socket);
  g_object_weak_ref (G_OBJECT (socket), socket_gone_cb, entry);

  i2a_keepalive_accept (self->keepalive, connection, local, remote);
}

/* Drain the accept queue on each wakeup (up to a bound, to stay fair to
 * the streams): one accept per main-loop iteration cannot keep up with a
 * burst while thousands of streams keep the loop busy. */
static gboolean listen_ready_cb (GSocket *listener, GIOCondition condition, gpointer user_data);

static void
watch_listener (I2aServer *self)
{
  self->listen_source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_callback (self->listen_source, (GSourceFunc) listen_ready_cb, self, NULL);
  g_source_attach (self->listen_source, NULL);
}

static gboolean
accept_retry_cb (gpointer user_data)
{
  I2aServer *self = user_data;

  self->accept_retry_id = 0;
  if (self->listener)
    watch_listener (self);
  return G_SOURCE_REMOVE;
}

/* Drain the accept queue on each wakeup (up to a bound, to stay fair to
 * the streams): one accept per main-loop iteration cannot keep up with a
 * burst while thousands of streams keep the loop busy. */
static gboolean
listen_ready_cb (GSocket      *listener,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  I2aServer *self = user_data;

  for (guint i = 0; i < 256; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = g_socket_accept (listener, NULL, &error);

      if (client == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          /* Out of descriptors (EMFILE, ENFILE) or memory: the pending
           * connection keeps the listener readable, so retrying at once
           * would spin. Stop watching for a while, longer each time. */
          self->accept_backoff_ms = CLAMP (self->accept_backoff_ms * 2, 50, 2000);
          g_warning ("Cannot accept connections (%s); retrying in %u ms",
                     error->message, self->accept_backoff_ms);
          g_clear_handle_id (&self->accept_retry_id, g_source_remove);
          self->accept_retry_id = g_timeout_add (self->accept_backoff_ms, accept_retry_cb, self);
          g_source_destroy (self->listen_source);
          g_clear_pointer (&self->listen_source, g_source_unref);
          return G_SOURCE_REMOVE;
        }
      self->accept_backoff_ms = 0;
      hand_over (self, client);
    }
  return G_SOURCE_CONTINUE;
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    I2aServer         *self)
{
  i2a_connections_request_started (self->connections, i2a_server_lookup_socket (self, msg), msg);
}

static gboolean
sweep_cb (gpointer user_data)
{
  I2aServer *self = user_data;
  g_autoptr(GPtrArray) active = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;
  gint64 now = g_get_monotonic_time ();

  /* A tick may finish a request, which removes it from the table. */
  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (active, g_object_ref (key));
  for (guint i = 0; i < active->len; i++)
    i2a_chat_request_tick (active->pdata[i], now);

  /* After a burst of streams glibc keeps the freed heap (RSS stayed at the
   * peak in bench/): give it back once the proxy is idle again. */
  self->peak_since_trim = MAX (self->peak_since_trim, active->len);
#ifdef __GLIBC__
  if (active->len == 0 && self->peak_since_trim >= 64)
    {
      malloc_trim (0);
      self->peak_since_trim = 0;
    }
#endif
  /* Nothing in flight and no connection open: no reason to wake an idle
   * desktop every second. The next connection starts the sweep again. */
  sync_connection_limits (self);
  if (i2a_connections_sweep (self->connections, now) == 0 && active->len == 0)
    {
      self->sweep_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_sweep (I2aServer *self)
{
  if (self->sweep_id == 0)
    self->sweep_id = g_timeout_add_seconds (1, sweep_cb, self);
}

GSocket *
i2a_server_lookup_socket (I2aServer         *self,
                          SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  g_autofree char *key = NULL;

  if (socket)
    return socket;
  key = peer_key (soup_server_message_get_remote_address (msg));
  return key ? g_hash_table_lookup (self->sockets, key) : NULL;
}

static GSocket *
keepalive_lookup (SoupServerMessage *msg,
                  gpointer           user_data)
{
  return i2a_server_lookup_socket (user_data, msg);
}

static void
stop_listening (I2aServer *self)
{
  g_clear_handle_id (&self->accept_retry_id, g_source_remove);
  if (self->listen_source)
    {
      g_source_destroy (self->listen_source);
      g_clear_pointer (&self->listen_source, g_source_unref);
    }
  if (self->listener)
    g_socket_close (self->listener, NULL);
  g_clear_object (&self->listener);
}

static GSocket *
open_listener (GSocketAddress  *address,
               GError         **error)
{
  g_autoptr(GSocket) socket = g_socket_new (g_socket_address_get_family (address),
                                            G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);

  if (socket == NULL)
    return NULL;
  /* GSocketListener's default backlog of 10 overflows under bursts of
   * new connections (every response closes its connection). */
  g_socket_set_listen_backlog (socket, 1024);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  return g_steal_pointer (&socket);
}

/* ---- object ------------------------------------------------------------- */

static void
i2a_server_dispose (GObject *object)
{
  I2aServer *self = I2A_SERVER (object);

  i2a_server_stop (self);
  stop_listening (self);
  finish_draining (self);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->sessions)
    i2a_session_set_abort (self->sessions);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->sessions, i2a_session_set_free);
  g_clear_object (&self->pool);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->sockets, g_hash_table_unref);
  g_clear_pointer (&self->connections, i2a_connections_free);
  g_clear_pointer (&self->models_body, g_bytes_unref);
  g_clear_pointer (&self->keepalive, i2a_keepalive_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->allowed_hosts, g_strfreev);
  g_clear_pointer (&self->allowed_origins, g_strfreev);

  G_OBJECT_CLASS (i2a_server_parent_class)->dispose (object);
}

static void
i2a_server_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  I2aServer *self = I2A_SERVER (object);

  switch (prop_id)
    {
    case PROP_RUNNING: g_value_set_boolean (value, self->running); break;
    case PROP_PORT: g_value_set_uint (value, self->port); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_server_class_init (I2aServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = i2a_server_dispose;
  object_class->get_property = i2a_server_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
i2a_server_init (I2aServer *self)
{
  self->requests = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->connections = i2a_connections_new ();
  self->max_body = I2A_DEFAULT_MAX_BODY;
  i2a_json_limits_init_default (&self->json_limits);
  self->max_connections = I2A_DEFAULT_MAX_CONNECTIONS;
  self->header_timeout = I2A_DEFAULT_HEADER_TIMEOUT;
  self->body_timeout = I2A_DEFAULT_BODY_TIMEOUT;
  self->keepalive_timeout = I2A_DEFAULT_KEEPALIVE_TIMEOUT;
  /* Non-streaming answers arrive only when generation is complete. */
  self->first_byte_timeout = 600;
  self->idle_timeout = 300;
  self->keepalive_interval = 15;

  self->sessions = i2a_session_set_new ();
}

I2aServer *
i2a_server_new (I2aPool *pool)
{
  I2aServer *self = g_object_new (I2A_TYPE_SERVER, NULL);

  self->pool = g_object_ref (pool);
  g_signal_connect_object (pool, "changed", G_CALLBACK (pool_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (pool, "config-reloaded", G_CALLBACK (pool_changed_cb), self, G_CONNECT_SWAPPED);
  return self;
}

gboolean
i2a_server_start (I2aServer   *self,
                  const char  *host,
                  guint        port,
                  GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (!self->running, FALSE);
  /* Restarting: the old listener must be gone to rebind the port. */
  finish_draining (self);

  if (host == NULL)
    host = I2A_DEFAULT_HOST;
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL && g_ascii_strcasecmp (host, "localhost") == 0)
    inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid listen address '%s': give an IP address such as 127.0.0.1", host);
      return FALSE;
    }
  /* Beyond loopback, anyone on the network could spend the accounts. */
  if (!g_inet_address_get_is_loopback (inet) && !i2a_pool_get_auth_required (self->pool))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_BIND_REFUSED,
                   "Refusing to listen on %s without client authentication: anyone who can reach "
                   "this address could use your accounts. Set \"auth\": {\"enabled\": true, "
                   "\"required\": true} and add a client key under \"keys\" in %s, or listen on "
                   "127.0.0.1", host,
                   i2a_pool_get_config_path (self->pool) ? i2a_pool_get_config_path (self->pool)
                                                         : "~/.iflow2api/keys.json");
      return FALSE;
    }
  i2a_pool_set_exposed (self->pool, !g_inet_address_get_is_loopback (inet));

  self->soup = soup_server_new ("server-header", "iflow2api/" PACKAGE_VERSION " ", NULL);
  soup_server_add_early_handler (self->soup, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, server_cb, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), NULL);
  self->keepalive = i2a_keepalive_new (self->soup, keepalive_lookup, self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (request_finished_cb), NULL);

  address = g_inet_socket_address_new (inet, port);
  self->listener = open_listener (address, error);
  if (self->listener == NULL || (effective = g_socket_get_local_address (self->listener, error)) == NULL)
    {
      g_clear_object (&self->listener);
      g_clear_pointer (&self->keepalive, i2a_keepalive_free);
      g_clear_object (&self->soup);
      return FALSE;
    }
  watch_listener (self);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_free (self->host);
  self->host = g_strdup (host);
  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_message ("Listening on http://%s:%u/v1", host, self->port);
  return TRUE;
}

void
i2a_server_stop (I2aServer *self)
{
  GHashTableIter iter;
  gpointer key;
  g_autoptr(GPtrArray) active = g_ptr_array_new_with_free_func (g_object_unref);

  if (!self->running)
    return;
  self->running = FALSE;
  stop_listening (self);
  g_clear_pointer (&self->keepalive, i2a_keepalive_free);

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (active, g_object_ref (key));
  for (guint i = 0; i < active->len; i++)
    i2a_chat_request_abort (active->pdata[i], "The server is shutting down");

  /* Disconnecting now would cut the error events just queued: give the
   * aborted responses a moment to reach their clients. */
  self->draining = g_steal_pointer (&self->soup);
  if (g_hash_table_size (self->requests) == 0)
    finish_draining (self);
  else
    self->drain_id = g_timeout_add (2000, drain_timeout_cb, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

gboolean
i2a_server_is_draining (I2aServer *self)
{
  return self->draining != NULL;
}

gboolean i2a_server_is_running (I2aServer *self) { return self->running; }
guint i2a_server_get_port (I2aServer *self) { return self->port; }
I2aPool *i2a_server_get_pool (I2aServer *self) { return self->pool; }
SoupSession *i2a_server_get_session (I2aServer *self) { return i2a_session_set_next (self->sessions); }
guint i2a_server_get_active_requests (I2aServer *self) { return g_hash_table_size (self->requests); }
guint i2a_server_get_first_byte_timeout (I2aServer *self) { return self->first_byte_timeout; }
guint i2a_server_get_idle_timeout (I2aServer *self) { return self->idle_timeout; }
guint i2a_server_get_keepalive_interval (I2aServer *self) { return self->keepalive_interval; }

char *
i2a_server_dup_base_url (I2aServer *self)
{
  const char *host = self->host ? self->host : I2A_DEFAULT_HOST;
  gboolean v6 = strchr (host, ':') != NULL;

  return g_strdup_printf ("http://%s%s%s:%u/v1", v6 ? "[" : "", host, v6 ? "]" : "", self->port);
}

void
i2a_server_set_timeouts (I2aServer *self,
                         guint      first_byte_seconds,
                         guint      idle_seconds,
                         guint      keepalive_seconds)
{
  self->first_byte_timeout = first_byte_seconds;
  self->idle_timeout = idle_seconds;
  self->keepalive_interval = keepalive_seconds;
}

void
i2a_server_set_json_limits (I2aServer           *self,
                            const I2aJsonLimits *limits)
{
  self->json_limits = *limits;
}

const I2aJsonLimits *
i2a_server_get_json_limits (I2aServer *self)
{
  const I2aKeysServer *k = keys_server (self);

  self->effective_limits = self->json_limits;
  if (k)
    {
      I2aJsonLimits *l = &self->effective_limits;

      l->depth = k->max_depth ? k->max_depth : l->depth;
      l->messages = k->max_messages ? k->max_messages : l->messages;
      l->parts = k->max_content_parts ? k->max_content_parts : l->parts;
      l->tools = k->max_tools ? k->max_tools : l->tools;
      l->values = k->max_values ? k->max_values : l->values;
      l->string_bytes = k->max_string_bytes ? (gsize) k->max_string_bytes : l->string_bytes;
    }
  return &self->effective_limits;
}

void
i2a_server_set_max_body (I2aServer *self,
                         gsize      max_body)
{
  self->max_body = max_body;
}

void
i2a_server_set_allowed_hosts (I2aServer          *self,
                              const char *const *names)
{
  g_strfreev (self->allowed_hosts);
  self->allowed_hosts = g_strdupv ((char **) names);
}

void
i2a_server_set_allowed_origins (I2aServer          *self,
                                const char *const *origins)
{
  g_strfreev (self->allowed_origins);
  self->allowed_origins = g_strdupv ((char **) origins);
}

static GStrv
union_of (GStrv              mine,
          const char *const *theirs)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (mine)
    g_strv_builder_addv (b, (const char **) mine);
  if (theirs)
    g_strv_builder_addv (b, (const char **) theirs);
  return g_strv_builder_end (b);
}

GStrv
i2a_server_dup_allowed_hosts (I2aServer *self)
{
  const I2aKeysServer *k = keys_server (self);

  return union_of (self->allowed_hosts, k ? (const char *const *) k->allowed_hosts : NULL);
}

GStrv
i2a_server_dup_allowed_origins (I2aServer *self)
{
  const I2aKeysServer *k = keys_server (self);

  return union_of (self->allowed_origins, k ? (const char *const *) k->allowed_origins : NULL);
}

void
i2a_server_set_connection_limits (I2aServer *self,
                                  guint      max_connections,
                                  guint      header_seconds,
                                  guint      body_seconds,
                                  guint      keepalive_seconds)
{
  self->max_connections = max_connections;
  self->header_timeout = header_seconds;
  self->body_timeout = body_seconds;
  self->keepalive_timeout = keepalive_seconds;
  sync_connection_limits (self);
}

guint
i2a_server_get_open_connections (I2aServer *self)
{
  return i2a_connections_get_count (self->connections);
}

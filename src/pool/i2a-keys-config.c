/* i2a-keys-config.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-keys-config"

#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-cli-settings.h"
#include "i2a-enum.h"
#include "i2a-error.h"
#include "i2a-keys-config.h"
#include "i2a-usage-window.h"
#include "i2a-util.h"

/* Validation walks the document once; the first problem wins and its
 * message names the JSON path, so the user can find it. */
typedef struct
{
  const char *filename;
  GError    **error;
  gboolean    failed;
} Check;

static void check_fail (Check *c, const char *path, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
check_fail (Check      *c,
            const char *path,
            const char *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (c->failed)
    return;
  c->failed = TRUE;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (c->error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG, "%s: %s: %s",
               c->filename ? c->filename : "keys.json", path, text);
}

static gboolean
provider_from_string (const char  *text,
                      I2aProvider *out)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);

  return i2a_enum_from_nick (I2A_TYPE_PROVIDER, lower, (int *) out);
}

char *
i2a_keys_config_default_path (void)
{
  const char *env = g_getenv ("IFLOW2API_KEYS_PATH");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_home_dir (), ".iflow2api", "keys.json", NULL);
}

/* ---- memory ------------------------------------------------------------- */

static void
keys_account_free (I2aKeysAccount *a)
{
  g_free (a->id);
  g_free (a->label);
  g_free (a->email);
  g_free (a->auth_type);
  i2a_secret_free (a->api_key);
  g_free (a->base_url);
  g_free (a);
}

static void
keys_route_free (I2aKeysRoute *r)
{
  if (r == NULL)
    return;
  g_strfreev (r->accounts);
  g_free (r->key_id);
  g_free (r);
}

static void
config_clear (I2aKeysConfig *self)
{
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->tokens, g_ptr_array_unref);
  g_clear_pointer (&self->routes, g_ptr_array_unref);
  g_clear_pointer (&self->default_route, keys_route_free);
  g_clear_pointer (&self->resilience.retry_status_codes, g_array_unref);
  g_clear_pointer (&self->root, json_node_unref);
  g_clear_pointer (&self->model_rules, i2a_model_rules_free);
  g_clear_pointer (&self->server.allowed_hosts, g_strfreev);
  g_clear_pointer (&self->server.allowed_origins, g_strfreev);
}

I2aKeysConfig *
i2a_keys_config_ref (I2aKeysConfig *self)
{
  return g_rc_box_acquire (self);
}

void
i2a_keys_config_unref (I2aKeysConfig *self)
{
  g_rc_box_release_full (self, (GDestroyNotify) config_clear);
}

I2aKeysConfig *
i2a_keys_config_new_empty (void)
{
  I2aKeysConfig *self = g_rc_box_new0 (I2aKeysConfig);
  static const guint codes[] = { 429, 500, 502, 503, 504 };

  self->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) keys_account_free);
  self->tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) i2a_secret_free);
  self->routes = g_ptr_array_new_with_free_func ((GDestroyNotify) keys_route_free);
  self->resilience.enabled = TRUE;
  self->resilience.failure_threshold = 3;
  self->resilience.cool_down_seconds = 30;
  self->resilience.retry_attempts = 1;
  self->resilience.retry_backoff_ms = 200;
  self->resilience.retry_status_codes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (self->resilience.retry_status_codes, codes, G_N_ELEMENTS (codes));
  self->queue_max_length = I2A_KEYS_DEFAULT_QUEUE_LENGTH;
  self->queue_max_wait_seconds = I2A_KEYS_DEFAULT_QUEUE_WAIT;
  self->usage_retention_days = 365;
  self->root = i2a_json_node_new_object ();
  return self;
}

/* ---- typed members ------------------------------------------------------ */

static const char *
node_kind (JsonNode *node)
{
  GType t;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT: return "an object";
    case JSON_NODE_ARRAY: return "an array";
    case JSON_NODE_NULL: return "null";
    case JSON_NODE_VALUE:
    default:
      t = json_node_get_value_type (node);
      if (t == G_TYPE_STRING)
        return "a string";
      if (t == G_TYPE_BOOLEAN)
        return "a boolean";
      if (t == G_TYPE_DOUBLE)
        return "a fractional number";
      return "a number";
    }
}

/* Absent and null members both mean "use the default". */
static JsonNode *
member (JsonObject *obj,
        const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node == NULL || JSON_NODE_HOLDS_NULL (node) ? NULL : node;
}

static gboolean
get_bool (Check      *c,
          JsonObject *obj,
          const char *name,
          const char *path,
          gboolean    fallback)
{
  JsonNode *node = member (obj, name);

  if (node == NULL)
    return fallback;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      check_fail (c, path, "expected true or false, got %s", node_kind (node));
      return fallback;
    }
  return json_node_get_boolean (node);
}

static const char *
get_string (Check      *c,
            JsonObject *obj,
            const char *name,
            const char *path)
{
  JsonNode *node = member (obj, name);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      check_fail (c, path, "expected a string, got %s", node_kind (node));
      return NULL;
    }
  return json_node_get_string (node);
}

static guint
get_uint (Check      *c,
          JsonObject *obj,
          const char *name,
          const char *path,
          guint       minimum,
          guint       fallback)
{
  JsonNode *node = member (obj, name);
  gint64 v;

  if (node == NULL)
    return fallback;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      check_fail (c, path, "expected a whole number, got %s", node_kind (node));
      return fallback;
    }
  v = json_node_get_int (node);
  if (v < (gint64) minimum || v > G_MAXINT)
    {
      check_fail (c, path, "must be a whole number of at least %u, got %" G_GINT64_FORMAT, minimum, v);
      return fallback;
    }
  return (guint) v;
}

static JsonObject *
get_object (Check      *c,
            JsonObject *obj,
            const char *name,
            const char *path)
{
  JsonNode *node = member (obj, name);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      check_fail (c, path, "expected an object, got %s", node_kind (node));
      return NULL;
    }
  return json_node_get_object (node);
}

/* ---- sections ----------------------------------------------------------- */

/* "quota": {"requests": N, "tokens": N, "window": "5h"}. Windows are
 * "5h", "1d", "7d" (any N with s, m, h or d: tests use seconds). */
static void
parse_quota (Check        *c,
             I2aKeysQuota *quota,
             JsonObject   *obj,
             const char   *path)
{
  g_autofree char *p = NULL;
  const char *window;

  if (obj == NULL)
    return;
  quota->requests = get_uint (c, obj, "requests", (p = g_strdup_printf ("%s.requests", path)), 0, 0);
  g_free (p);
  quota->tokens = get_uint (c, obj, "tokens", (p = g_strdup_printf ("%s.tokens", path)), 0, 0);
  g_free (p);
  p = g_strdup_printf ("%s.window", path);
  window = get_string (c, obj, "window", p);
  if (window == NULL)
    check_fail (c, p, "a quota needs a window such as \"5h\", \"1d\" or \"7d\"");
  else if (!i2a_usage_parse_duration (window, &quota->window_ms) || quota->window_ms > 31 * 24 * 3600 * G_GINT64_CONSTANT (1000))
    check_fail (c, p, "'%s' is not a window such as \"5h\", \"1d\" or \"7d\" (at most 31d)", window);
}

/* "limits": {"requests_per_minute": N, "tokens_per_day": N} of a client key. */
static void
parse_limits (Check        *c,
              I2aKeysRoute *route,
              JsonObject   *obj,
              const char   *path)
{
  g_autofree char *p = NULL;

  if (obj == NULL)
    return;
  route->requests_per_minute = get_uint (c, obj, "requests_per_minute",
                                         (p = g_strdup_printf ("%s.requests_per_minute", path)), 0, 0);
  g_free (p);
  route->tokens_per_day = get_uint (c, obj, "tokens_per_day",
                                    (p = g_strdup_printf ("%s.tokens_per_day", path)), 0, 0);
}

/* What the ledger and logs call a client key: its label, else a short
 * hash that identifies it without revealing it. */
static char *
key_id (const char *token,
        const char *label)
{
  g_autofree char *hash = NULL;

  if (label && *label)
    return g_strdup (label);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  hash[12] = '\0';
  return g_strdup_printf ("key-%s", hash);
}

static void
parse_account (Check         *c,
               I2aKeysConfig *self,
               const char    *id,
               JsonNode      *node)
{
  g_autofree char *path = g_strdup_printf ("accounts.%s", id);
  g_autofree char *p = NULL;
  I2aKeysAccount *a;
  JsonObject *obj;
  const char *s;

#define SUB(name) (g_free (p), p = g_strdup_printf ("%s.%s", path, name))
  if (*id == '\0')
    {
      check_fail (c, "accounts", "an account id must not be empty");
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      check_fail (c, path, "expected an object, got %s", node_kind (node));
      return;
    }
  obj = json_node_get_object (node);
  a = g_new0 (I2aKeysAccount, 1);
  g_ptr_array_add (self->accounts, a);
  a->id = g_strdup (id);
  a->label = g_strdup (get_string (c, obj, "label", SUB ("label")));
  a->email = g_strdup (get_string (c, obj, "email", SUB ("email")));
  a->auth_type = g_strdup (get_string (c, obj, "auth_type", SUB ("auth_type")));
  s = get_string (c, obj, "api_key", SUB ("api_key"));
  a->api_key = s && *s ? g_strdup (s) : NULL;
  a->enabled = get_bool (c, obj, "enabled", SUB ("enabled"), TRUE);
  a->max_concurrency = get_uint (c, obj, "max_concurrency", SUB ("max_concurrency"), 0, 0);
  {
    /* Once: two SUB () in one call would free each other's string. */
    const char *quota_path = SUB ("quota");

    parse_quota (c, &a->quota, get_object (c, obj, "quota", quota_path), quota_path);
  }

  s = get_string (c, obj, "provider", SUB ("provider"));
  a->provider = I2A_PROVIDER_IFLOW;
  /* Any case: "OpenAI" is as good as "openai". */
  if (s && !provider_from_string (s, &a->provider))
    check_fail (c, p, "unknown provider '%s' (use \"iflow\" or \"openai\")", s);

  s = get_string (c, obj, "base_url", SUB ("base_url"));
  if (s == NULL)
    s = I2A_DEFAULT_BASE_URL;
  if ((!g_str_has_prefix (s, "http://") && !g_str_has_prefix (s, "https://")) ||
      !g_uri_is_valid (s, G_URI_FLAGS_NONE, NULL) || strlen (s) <= strlen ("https://"))
    {
      g_autofree char *shown = i2a_url_for_display (s);

      check_fail (c, p, "'%s' is not an http:// or https:// URL", shown);
    }
  a->base_url = i2a_strip_trailing_slash (s);
#undef SUB
}

static GStrv
get_string_list (Check      *c,
                 JsonObject *obj,
                 const char *name,
                 const char *path)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  JsonNode *node = member (obj, name);
  JsonArray *array;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      check_fail (c, path, "expected an array of strings, got %s", node_kind (node));
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING ||
          *json_node_get_string (item) == '\0')
        {
          check_fail (c, path, "expected an array of non-empty strings");
          return NULL;
        }
      g_strv_builder_add (b, json_node_get_string (item));
    }
  return g_strv_builder_end (b);
}

/* "server": limits on the wire and on documents, browser protections. */
static void
parse_server (Check         *c,
              I2aKeysConfig *self,
              JsonObject    *obj)
{
  I2aKeysServer *s = &self->server;

  s->max_body_bytes = get_uint (c, obj, "max_body_bytes", "server.max_body_bytes", 1, 0);
  s->max_connections = get_uint (c, obj, "max_connections", "server.max_connections", 1, 0);
  s->header_timeout_seconds = get_uint (c, obj, "header_timeout_seconds", "server.header_timeout_seconds", 1, 0);
  s->body_timeout_seconds = get_uint (c, obj, "body_timeout_seconds", "server.body_timeout_seconds", 1, 0);
  s->keepalive_timeout_seconds = get_uint (c, obj, "keepalive_timeout_seconds",
                                           "server.keepalive_timeout_seconds", 1, 0);
  s->max_depth = get_uint (c, obj, "max_depth", "server.max_depth", 1, 0);
  s->max_messages = get_uint (c, obj, "max_messages", "server.max_messages", 1, 0);
  s->max_content_parts = get_uint (c, obj, "max_content_parts", "server.max_content_parts", 1, 0);
  s->max_tools = get_uint (c, obj, "max_tools", "server.max_tools", 1, 0);
  s->max_values = get_uint (c, obj, "max_values", "server.max_values", 1, 0);
  s->max_string_bytes = get_uint (c, obj, "max_string_bytes", "server.max_string_bytes", 1, 0);
  /* The parser recurses per level: keep well inside the stack. */
  if (s->max_depth > 512)
    check_fail (c, "server.max_depth", "must be at most 512, got %u", s->max_depth);
  s->allowed_hosts = get_string_list (c, obj, "allowed_hosts", "server.allowed_hosts");
  s->allowed_origins = get_string_list (c, obj, "allowed_origins", "server.allowed_origins");
}

static I2aKeysRoute *
parse_route (Check         *c,
             I2aKeysConfig *self,
             const char    *path,
             JsonNode      *node)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *p = NULL;
  I2aKeysRoute *route;
  JsonObject *obj;
  JsonNode *one, *many;
  const char *s;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      check_fail (c, path, "expected an object such as {\"account\": \"acc1\"}, got %s", node_kind (node));
      return NULL;
    }
  obj = json_node_get_object (node);
  one = member (obj, "account");
  many = member (obj, "accounts");
  if (one && many)
    {
      check_fail (c, path, "give either \"account\" or \"accounts\", not both");
      return NULL;
    }
  if (!one && !many)
    {
      check_fail (c, path, "needs \"account\": \"<id>\" or \"accounts\": [\"<id>\", ...]");
      return NULL;
    }
  if (one)
    {
      p = g_strdup_printf ("%s.account", path);
      s = get_string (c, obj, "account", p);
      if (s == NULL)
        return NULL;
      if (i2a_keys_config_lookup_account (self, s) == NULL)
        check_fail (c, p, "unknown account '%s'", s);
      g_ptr_array_add (ids, g_strdup (s));
    }
  else if (!JSON_NODE_HOLDS_ARRAY (many))
    {
      p = g_strdup_printf ("%s.accounts", path);
      check_fail (c, p, "expected an array of account ids, got %s", node_kind (many));
      return NULL;
    }
  else
    {
      JsonArray *array = json_node_get_array (many);
      guint n = json_array_get_length (array);

      if (n == 0)
        {
          g_autofree char *ap = g_strdup_printf ("%s.accounts", path);
          check_fail (c, ap, "must list at least one account");
        }
      for (guint i = 0; i < n; i++)
        {
          JsonNode *e = json_array_get_element (array, i);

          g_free (p);
          p = g_strdup_printf ("%s.accounts[%u]", path, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
            check_fail (c, p, "expected an account id string, got %s", node_kind (e));
          else if (i2a_keys_config_lookup_account (self, json_node_get_string (e)) == NULL)
            check_fail (c, p, "unknown account '%s'", json_node_get_string (e));
          else if (!g_ptr_array_find_with_equal_func (ids, json_node_get_string (e), g_str_equal, NULL))
            g_ptr_array_add (ids, g_strdup (json_node_get_string (e)));
        }
    }

  route = g_new0 (I2aKeysRoute, 1);
  g_free (p);
  p = g_strdup_printf ("%s.strategy", path);
  s = get_string (c, obj, "strategy", p);
  if (s && !i2a_enum_from_nick (I2A_TYPE_STRATEGY, s, (int *) &route->strategy))
    check_fail (c, p, "unknown strategy '%s' (use \"least_busy\" or \"round_robin\")", s);
  g_free (p);
  p = g_strdup_printf ("%s.sticky", path);
  /* Sessions follow their account by default only where the strategy
   * does not promise rotation. */
  route->sticky = get_bool (c, obj, "sticky", p, route->strategy == I2A_STRATEGY_LEAST_BUSY);
  g_ptr_array_add (ids, NULL);
  route->accounts = (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
  return route;
}

static void
parse_resilience (Check         *c,
                  I2aKeysConfig *self,
                  JsonObject    *obj)
{
  I2aResilience *r = &self->resilience;
  JsonNode *codes;

  r->enabled = get_bool (c, obj, "enabled", "resilience.enabled", r->enabled);
  r->failure_threshold = get_uint (c, obj, "failure_threshold", "resilience.failure_threshold", 1,
                                   r->failure_threshold);
  r->cool_down_seconds = get_uint (c, obj, "cool_down_seconds", "resilience.cool_down_seconds", 1,
                                   r->cool_down_seconds);
  r->retry_attempts = get_uint (c, obj, "retry_attempts", "resilience.retry_attempts", 0, r->retry_attempts);
  r->retry_backoff_ms = get_uint (c, obj, "retry_backoff_ms", "resilience.retry_backoff_ms", 0,
                                  r->retry_backoff_ms);
  codes = member (obj, "retry_status_codes");
  if (codes == NULL)
    return;
  if (!JSON_NODE_HOLDS_ARRAY (codes))
    {
      check_fail (c, "resilience.retry_status_codes", "expected an array of HTTP statuses, got %s",
                  node_kind (codes));
      return;
    }
  g_array_set_size (r->retry_status_codes, 0);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (codes)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (codes), i);
      g_autofree char *p = g_strdup_printf ("resilience.retry_status_codes[%u]", i);
      guint code;

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64 ||
          json_node_get_int (e) < 100 || json_node_get_int (e) > 599)
        {
          check_fail (c, p, "expected an HTTP status between 100 and 599");
          return;
        }
      code = (guint) json_node_get_int (e);
      g_array_append_val (r->retry_status_codes, code);
    }
}

I2aKeysConfig *
i2a_keys_config_new_from_root (JsonNode    *root,
                               const char  *filename,
                               GError     **error)
{
  g_autoptr(I2aKeysConfig) self = i2a_keys_config_new_empty ();
  Check c = { filename, error, FALSE };
  JsonObject *top, *section;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      check_fail (&c, "top level", "expected an object, got %s", root ? node_kind (root) : "nothing");
      return NULL;
    }
  g_clear_pointer (&self->root, json_node_unref);
  self->root = json_node_copy (root);
  top = json_node_get_object (self->root);

  if ((section = get_object (&c, top, "auth", "auth")) != NULL)
    {
      self->auth_enabled = get_bool (&c, section, "enabled", "auth.enabled", FALSE);
      self->auth_required = get_bool (&c, section, "required", "auth.required", FALSE);
    }
  if ((section = get_object (&c, top, "accounts", "accounts")) != NULL)
    {
      json_object_iter_init_ordered (&iter, section);
      while (!c.failed && json_object_iter_next_ordered (&iter, &name, &node))
        parse_account (&c, self, name, node);
    }
  if ((section = get_object (&c, top, "keys", "keys")) != NULL)
    {
      json_object_iter_init_ordered (&iter, section);
      while (!c.failed && json_object_iter_next_ordered (&iter, &name, &node))
        {
          /* Never a whole client token in a message. */
          g_autofree char *mask = i2a_mask_secret (name);
          g_autofree char *path = g_strdup_printf ("keys.%s", mask);
          I2aKeysRoute *route;

          if (*name == '\0')
            {
              check_fail (&c, "keys", "a client key must not be empty");
              break;
            }
          route = parse_route (&c, self, path, node);
          if (route == NULL)
            break;
          {
            JsonObject *robj = json_node_get_object (node);
            g_autofree char *lp = g_strdup_printf ("%s.label", path);
            g_autofree char *mp = g_strdup_printf ("%s.limits", path);

            route->key_id = key_id (name, get_string (&c, robj, "label", lp));
            parse_limits (&c, route, get_object (&c, robj, "limits", mp), mp);
          }
          g_ptr_array_add (self->tokens, g_strdup (name));
          g_ptr_array_add (self->routes, route);
        }
    }
  if (!c.failed && (node = member (top, "default")) != NULL)
    self->default_route = parse_route (&c, self, "default", node);
  if (!c.failed && (section = get_object (&c, top, "resilience", "resilience")) != NULL)
    parse_resilience (&c, self, section);
  if (!c.failed && (section = get_object (&c, top, "queue", "queue")) != NULL)
    {
      self->queue_max_length = get_uint (&c, section, "max_length", "queue.max_length", 0,
                                         self->queue_max_length);
      self->queue_max_wait_seconds = get_uint (&c, section, "max_wait_seconds", "queue.max_wait_seconds", 0,
                                               self->queue_max_wait_seconds);
    }

  if (!c.failed && (section = get_object (&c, top, "server", "server")) != NULL)
    parse_server (&c, self, section);
  if (!c.failed && (section = get_object (&c, top, "usage", "usage")) != NULL)
    self->usage_retention_days = get_uint (&c, section, "retention_days", "usage.retention_days", 0,
                                           self->usage_retention_days);

  if (!c.failed)
    {
      self->model_rules = i2a_model_rules_parse (top, filename, error);
      c.failed = self->model_rules == NULL;
    }
  if (c.failed)
    return NULL;
  return g_steal_pointer (&self);
}

I2aKeysConfig *
i2a_keys_config_parse (const char  *data,
                       gssize       length,
                       const char  *filename,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;

  if (!i2a_json_load_private (parser, data, length < 0 ? strlen (data) : (gsize) length, &local))
    {
      /* The message starts with "LINE:COL: " when the parser has a place. */
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG, "%s%s%s",
                   filename ? filename : "keys.json",
                   g_ascii_isdigit (local->message[0]) ? ":" : ": ", local->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   "%s: the file is empty; expected a JSON object", filename ? filename : "keys.json");
      return NULL;
    }
  return i2a_keys_config_new_from_root (json_parser_get_root (parser), filename, error);
}

/* ---- queries ------------------------------------------------------------ */

const I2aKeysAccount *
i2a_keys_config_lookup_account (I2aKeysConfig *self,
                                const char    *id)
{
  for (guint i = 0; i < self->accounts->len; i++)
    {
      const I2aKeysAccount *a = self->accounts->pdata[i];

      if (g_strcmp0 (a->id, id) == 0)
        return a;
    }
  return NULL;
}

I2aKeysRoute *
i2a_keys_config_lookup_token (I2aKeysConfig *self,
                              const char    *token,
                              guint         *n_compared)
{
  I2aKeysRoute *found = NULL;
  guint compared = 0;

  if (token != NULL)
    for (guint i = 0; i < self->tokens->len; i++)
      {
        /* Every token is compared, match or not. */
        gboolean match = i2a_secret_equal (self->tokens->pdata[i], token);

        compared++;
        if (match && found == NULL)
          found = self->routes->pdata[i];
      }
  if (n_compared)
    *n_compared = compared;
  return found;
}

char *
i2a_keys_config_root_to_data (JsonNode *root)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  GString *text;
  char *data;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  data = json_generator_to_data (gen, NULL);
  text = g_string_new (data);
  g_free (data);
  g_string_append_c (text, '\n');
  return g_string_free (text, FALSE);
}

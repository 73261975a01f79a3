/* i2a-keys-config.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-keys-config.h: ~/.iflow2api/keys.json, parsed and validated.
 *
 * Compatible with the keys.json of zyylovelyyso/iflow2api (auth, accounts,
 * keys, default, resilience) plus optional additions: per account
 * "enabled", "label", "provider" ("iflow" | "openai"), accounts without
 * "api_key" (the key comes from the keyring), and a top-level "queue".
 * A config is immutable once built (the route cursors are the only
 * runtime state in it); a reload builds a new one. */
#pragma once

#include <json-glib/json-glib.h>

#include "i2a-model-rules.h"
#include "i2a-upstream-request.h"

G_BEGIN_DECLS

#define I2A_KEYS_DEFAULT_QUEUE_LENGTH     100
#define I2A_KEYS_DEFAULT_QUEUE_WAIT       120
#define I2A_KEYS_DEFAULT_MAX_CONCURRENCY  4   /* for accounts the app adds */

typedef enum
{
  I2A_STRATEGY_LEAST_BUSY,   /*< nick=least_busy >*/
  I2A_STRATEGY_ROUND_ROBIN,  /*< nick=round_robin >*/
} I2aStrategy;

/* I2A_TYPE_STRATEGY: the nicks are the keys.json and settings strings. */
#include "i2a-pool-enums.h"

/* "quota" of an account: what it may use in any rolling @window_ms. */
typedef struct
{
  gint64       requests;         /* 0 = no request quota */
  gint64       tokens;           /* 0 = no token quota (prompt + completion) */
  gint64       window_ms;        /* 0 = no quota at all */
} I2aKeysQuota;

typedef struct
{
  char        *id;
  char        *label;
  char        *email;
  char        *auth_type;
  char        *api_key;          /* NULL: none in the file (keyring / OAuth) */
  char        *base_url;         /* without trailing slash */
  I2aProvider  provider;
  guint        max_concurrency;  /* 0 = unlimited */
  gboolean     enabled;
  I2aKeysQuota quota;
} I2aKeysAccount;

typedef struct
{
  char        **accounts;        /* account ids, NULL-terminated, never empty */
  I2aStrategy   strategy;
  guint         cursor;          /* rotation state, owned by the pool */
  /* Client keys only (NULL / 0 for "default"): */
  char         *key_id;          /* "label", else "key-" + 12 hex of its SHA-256: never the key */
  gint64        requests_per_minute; /* "limits"; 0 = none */
  gint64        tokens_per_day;
  gboolean      sticky;          /* "sticky" (default true): keep a conversation on one account */
} I2aKeysRoute;

typedef struct
{
  gboolean  enabled;
  guint     failure_threshold;
  guint     cool_down_seconds;
  guint     retry_attempts;
  guint     retry_backoff_ms;
  GArray   *retry_status_codes;  /* guint */
} I2aResilience;

/* keys.json "server": the server's limits and browser protections. 0 (or
 * NULL) = the server's default. */
typedef struct
{
  guint64  max_body_bytes;
  guint    max_connections;
  guint    header_timeout_seconds;
  guint    body_timeout_seconds;
  guint    keepalive_timeout_seconds;
  guint    max_depth;
  guint    max_messages;
  guint    max_content_parts;
  guint    max_tools;
  guint    max_values;
  guint64  max_string_bytes;
  GStrv    allowed_hosts;
  GStrv    allowed_origins;
} I2aKeysServer;

typedef struct
{
  gboolean       auth_enabled;
  gboolean       auth_required;
  GPtrArray     *accounts;        /* I2aKeysAccount *, in file order */
  GPtrArray     *tokens;          /* char * client tokens (secrets) */
  GPtrArray     *routes;          /* I2aKeysRoute *, parallel to tokens */
  I2aKeysRoute  *default_route;   /* NULL when absent */
  I2aResilience  resilience;
  guint          queue_max_length;
  guint          queue_max_wait_seconds;
  guint          usage_retention_days;
  I2aKeysServer  server; /* "usage": {"retention_days"}; 0 = forever */
  JsonNode      *root;            /* the document as read, for edits */
  I2aModelRules *model_rules;     /* "aliases" and "fallbacks" */
} I2aKeysConfig;

/* $IFLOW2API_KEYS_PATH, else ~/.iflow2api/keys.json. */
char          *i2a_keys_config_default_path (void);

/* No accounts, no auth: the CLI login serves everything. */
I2aKeysConfig *i2a_keys_config_new_empty    (void);
/* @filename only names the file in messages. Errors (I2A_ERROR_INVALID_CONFIG)
 * read "FILE:LINE:COL: problem" for bad JSON and "FILE: json.path: problem"
 * for bad content; client tokens in paths are masked. */
I2aKeysConfig *i2a_keys_config_parse        (const char     *data,
                                             gssize          length,
                                             const char     *filename,
                                             GError        **error);
/* Validate a document (an object node; copied). */
I2aKeysConfig *i2a_keys_config_new_from_root (JsonNode      *root,
                                              const char    *filename,
                                              GError       **error);
I2aKeysConfig *i2a_keys_config_ref          (I2aKeysConfig  *self);
void           i2a_keys_config_unref        (I2aKeysConfig  *self);

const I2aKeysAccount *i2a_keys_config_lookup_account (I2aKeysConfig *self,
                                                      const char    *id);
/* The route of a client token, or NULL. Compares against every token in
 * constant time per token and never stops early, so the time taken does
 * not reveal which token (or prefix) matched. @n_compared (optional) gets
 * the number of comparisons made. */
I2aKeysRoute  *i2a_keys_config_lookup_token (I2aKeysConfig  *self,
                                             const char     *token,
                                             guint          *n_compared);
/* Pretty JSON of the document, for writing back. */
char          *i2a_keys_config_root_to_data (JsonNode       *root);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aKeysConfig, i2a_keys_config_unref)

G_END_DECLS

/* pool-test-env.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* pool-test-env.h: the end-to-end harness of the pool tests: a fake iFlow
 * knowing three account keys, keys.json in a temp dir, the pool and the
 * server on a free port, and a client that can run requests in parallel. */
#pragma once

#include "i2a-debug-endpoint.h"
#include "i2a-error.h"
#include "i2a-test-util.h"

G_BEGIN_DECLS

#define KEY_1 "sk-upstream-account-one-111111111111"
#define KEY_2 "sk-upstream-account-two-222222222222"
#define KEY_3 "sk-upstream-account-three-3333333333"
#define TOK_A "sk-local-user-a-aaaaaaaaaaaaaaaaaaaa"
#define TOK_P "sk-local-pool-pppppppppppppppppppppp"
#define TOK_R "sk-local-rr-rrrrrrrrrrrrrrrrrrrrrrrr"

/* @BASE@ becomes the fake's base URL. */
#define ACCOUNTS3(extra1, extra2, extra3)                                                        \
  "\"accounts\": {"                                                                              \
  "\"acc1\": {\"api_key\": \"" KEY_1 "\", \"base_url\": \"@BASE@\"" extra1 "},"                 \
  "\"acc2\": {\"api_key\": \"" KEY_2 "\", \"base_url\": \"@BASE@\"" extra2 "},"                 \
  "\"acc3\": {\"api_key\": \"" KEY_3 "\", \"base_url\": \"@BASE@\"" extra3 "}}"
#define ROUTES                                                                                   \
  "\"keys\": {\"" TOK_A "\": {\"account\": \"acc1\"},"                                           \
  "\"" TOK_P "\": {\"accounts\": [\"acc1\", \"acc2\", \"acc3\"], \"strategy\": \"least_busy\"}," \
  "\"" TOK_R "\": {\"accounts\": [\"acc1\", \"acc2\", \"acc3\"], \"strategy\": \"round_robin\"}}"

typedef struct
{
  I2aFakeIflow   *fake;
  char           *dir;
  char           *keys_path;
  I2aCliSettings *cli;
  I2aPool        *pool;
  I2aServer      *server;
  char           *base;
  SoupSession    *client;
  guint           reloads;
} Env;

typedef struct
{
  SoupMessage  *msg;
  GCancellable *cancellable;
  GBytes       *body;
  GError       *error;
  guint         status;
  gboolean      done;
} Async;

/* @keys_json NULL: no keys.json; "@BASE@" becomes the fake's base URL. */
Env             *env_new       (const char *keys_json);
void             env_free      (Env        *e);
/* Wait until every edit made through the pool is on disk. */
void             env_flush     (Env        *e);
/* Atomic, like an editor's save. */
void             write_keys    (Env        *e,
                                const char *json);
I2aTestResponse *chat          (Env        *e,
                                const char *token,
                                const char *content,
                                gboolean    stream);
I2aTestResponse *get           (Env        *e,
                                const char *path,
                                const char *token);
const char      *last_key      (Env        *e);
/* Requests (any outcome) the fake saw with @key. */
guint            seen          (Env        *e,
                                const char *key);
I2aAccount      *account       (Env        *e,
                                const char *id);
gboolean         account_idle  (gpointer    account);
JsonObject      *debug_account (Env        *e,
                                const char *id);
Async           *async_chat    (Env        *e,
                                const char *token,
                                const char *content,
                                gboolean    stream);
void             async_free    (Async      *a);
gboolean         all_done      (gpointer    list);
gboolean         async_is_done (gpointer    async);

G_END_DECLS

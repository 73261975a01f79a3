/* i2a-routing.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-routing.h: the model side of routing one request, and the pool's
 * sticky-session table.
 *
 * A request's model goes through the keys.json aliases first (the client's
 * name, then the model that is asked of the upstream); only accounts that
 * serve it are candidates (i2a_account_serves_model). When every account
 * of that model is unavailable before the first byte (circuit open, queue
 * full, 429 or quota), the request moves on to the next model of its
 * fallback chain; each step is logged and counted for /debug/accounts.
 *
 * Sticky sessions: requests of one conversation (same session key) go to
 * the account that served it last while that account is healthy and has a
 * free slot, so upstream prompt caches hit. The table is a bounded LRU kept
 * on the pool. On for least_busy routes unless the route says
 * "sticky": false. */
#pragma once

#include "i2a-pool.h"

G_BEGIN_DECLS

#define I2A_STICKY_MAX_SESSIONS 10000

typedef struct _I2aRouting I2aRouting;

/* @client_model NULL: no model routing (any account). @session_key NULL:
 * not sticky. */
I2aRouting  *i2a_routing_new          (I2aKeysConfig *config,
                                       const char    *client_model,
                                       const char    *session_key,
                                       gboolean       follow);
/* Go to the account the session used last (else only record it). */
gboolean     i2a_routing_follows      (I2aRouting    *self);
void         i2a_routing_free         (I2aRouting    *self);
/* The model asked of the upstream for the next attempt (after aliases and
 * fallbacks); NULL when the request named none. */
const char  *i2a_routing_get_model    (I2aRouting    *self);
gboolean     i2a_routing_serves       (I2aRouting    *self,
                                       I2aAccount    *account);
/* Move to the next model of the fallback chain; FALSE at its end. */
gboolean     i2a_routing_next_model   (I2aRouting    *self,
                                       I2aPool       *pool,
                                       const char    *why);
gboolean     i2a_routing_has_next     (I2aRouting    *self);
const char  *i2a_routing_get_session  (I2aRouting    *self);

/* The pool's sticky table. */
const char  *i2a_pool_sticky_lookup   (I2aPool       *pool,
                                       const char    *session_key);
void         i2a_pool_sticky_set      (I2aPool       *pool,
                                       const char    *session_key,
                                       const char    *account_id);
/* Members "sticky" ({sessions, moves, per account}) and "fallbacks"
 * ({"from -> to": count}) for /debug/accounts. */
void         i2a_pool_add_routing_debug (I2aPool     *pool,
                                         JsonBuilder *builder);
/* Sessions currently stuck to @account_id. */
guint        i2a_pool_sticky_count    (I2aPool       *pool,
                                       const char    *account_id);

/* The session key of a chat request: @header_session (the client's
 * x-claude-code-session-id or session_id header), else "prompt_cache_key",
 * else "user", else a hash of the system prompt and the first user
 * message; NULL when there is nothing to go by. Front doors that know a
 * conversation id put it in "prompt_cache_key" of the chat JSON they build,
 * or leave the client's header in place. @follow: whether the request
 * continues a conversation (an explicit key, or an assistant turn in the
 * messages); a first turn known only by its hash just records its account,
 * so identical one-shot requests still spread over the accounts. */
char        *i2a_routing_session_key  (JsonObject    *request,
                                       const char    *header_session,
                                       gboolean      *follow);

G_END_DECLS

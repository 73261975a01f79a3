/* i2a-model-discovery.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-model-discovery.h: which models each OpenAI-compatible account
 * serves.
 *
 * For every provider "openai" account of the pool, GET {base}/models: at
 * start, whenever an account's base URL or key changes (add, edit, the key
 * arriving from the keyring), every 6 hours, and on demand. The lists land
 * on the accounts (i2a_account_set_models: the "models", "n-models",
 * "models-error" properties the window binds to) and in a cache file in
 * the XDG cache dir, so a start without network still knows them. A failed
 * refresh keeps the last list and puts the error on the account. GTK-free. */
#pragma once

#include "i2a-pool.h"

G_BEGIN_DECLS

#define I2A_MODEL_DISCOVERY_INTERVAL_SECONDS (6 * 3600)

#define I2A_TYPE_MODEL_DISCOVERY (i2a_model_discovery_get_type ())
G_DECLARE_FINAL_TYPE (I2aModelDiscovery, i2a_model_discovery, I2A, MODEL_DISCOVERY, GObject)

/* @cache_path NULL: $XDG_CACHE_HOME/iflow2api/models.json. */
I2aModelDiscovery *i2a_model_discovery_new   (I2aPool            *pool,
                                              const char         *cache_path);
/* Put the cached lists on the pool's accounts (no network); for one-shot
 * commands. start () does it too. */
void               i2a_model_discovery_load_cache (I2aModelDiscovery *self);
/* Apply the cache, then follow the pool and refresh as described above. */
void               i2a_model_discovery_start (I2aModelDiscovery  *self);
/* Refresh one account (@account_id) or every openai account (NULL) now.
 * Completes when every fetch finished; FALSE with the first error (each
 * account keeps its own in "models-error"). */
void               i2a_model_discovery_refresh_async  (I2aModelDiscovery   *self,
                                                       const char          *account_id,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean           i2a_model_discovery_refresh_finish (I2aModelDiscovery   *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
/* Completes when the cache write of the last refresh is on disk. */
void               i2a_model_discovery_flush_async    (I2aModelDiscovery   *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean           i2a_model_discovery_flush_finish   (I2aModelDiscovery   *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS

/* i2a-model-index.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-model-index.h: the models a pool serves, for /v1/models, `iflow2api
 * models`, the Models page and the 404 of an unknown model.
 *
 * The union of the iFlow catalogue (when an iFlow account, or the iFlow
 * CLI login, is among the accounts), every enabled account's discovered
 * models, and the exact alias names of keys.json; without duplicates
 * (ignoring case), each with the accounts that serve it. A client key
 * limited to some accounts sees only theirs. */
#pragma once

#include "i2a-pool.h"

G_BEGIN_DECLS

typedef struct
{
  char      *id;
  char      *owned_by;   /* the provider label: "iflow", an account's label, or "alias" */
  GPtrArray *accounts;   /* char * account ids serving it (an alias: its target's) */
  char      *alias_of;   /* the target, for an alias; else NULL */
} I2aServedModel;

void       i2a_served_model_free      (I2aServedModel *model);

/* I2aServedModel *, catalogue first, then discovered models in account
 * order, then aliases. @token: the client key whose route limits the
 * accounts (NULL: every account, or the "default" route). */
GPtrArray *i2a_pool_list_models       (I2aPool        *self,
                                       const char     *token);
/* The OpenAI list shape of i2a_pool_list_models. */
JsonNode  *i2a_pool_build_model_list  (I2aPool        *self,
                                       const char     *token,
                                       gint64          created);
/* Up to @max known model ids closest to @model (edit distance, then a
 * shared prefix), for "did you mean". NULL-terminated. */
GStrv      i2a_pool_suggest_models    (I2aPool        *self,
                                       const char     *token,
                                       const char     *model,
                                       guint           max);

/* The same for the accounts of @route (NULL: every account). */
GStrv      i2a_pool_suggest_models_for_route (I2aPool      *self,
                                              I2aKeysRoute *route,
                                              const char   *model,
                                              guint         max);

G_END_DECLS

/* i2a-model-rules.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-model-rules.h: keys.json "aliases" and "fallbacks".
 *
 *   "aliases":   {"claude-*": "glm-4.7", "gpt-5": "deepseek-chat"}
 *   "fallbacks": {"glm-5": ["glm-4.7", "deepseek-v3.2-chat"]}
 *
 * An alias renames the model a client asks for before routing: an exact
 * name wins, then the pattern with the longest prefix before its trailing
 * '*'. Matching ignores case. A fallback chain lists the models to try, in
 * order, when every account serving a model is unavailable before the
 * first byte. Part of an immutable I2aKeysConfig. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _I2aModelRules I2aModelRules;

/* Reads "aliases" and "fallbacks" of the top-level object @top. NULL with
 * an I2A_ERROR_INVALID_CONFIG error "FILE: json.path: problem". */
I2aModelRules      *i2a_model_rules_parse       (JsonObject    *top,
                                                 const char    *filename,
                                                 GError       **error);
void                i2a_model_rules_free        (I2aModelRules *self);

/* The alias target for @model, or NULL when no alias applies. */
const char         *i2a_model_rules_resolve     (I2aModelRules *self,
                                                 const char    *model);
/* The fallback chain of @model (without @model), or NULL. */
const char *const  *i2a_model_rules_fallbacks   (I2aModelRules *self,
                                                 const char    *model);
/* Alias names without a '*', in file order, with their targets. */
guint               i2a_model_rules_n_aliases   (I2aModelRules *self);
const char         *i2a_model_rules_alias_name  (I2aModelRules *self,
                                                 guint          index);
const char         *i2a_model_rules_alias_target (I2aModelRules *self,
                                                  guint          index);

G_END_DECLS

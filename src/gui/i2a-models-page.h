/* i2a-models-page.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-models-page.h: the Models page of the main window
 *
 * Every model the pool serves (the iFlow catalogue, what discovery found
 * on each OpenAI-compatible account, the alias names) with the accounts
 * that serve it, a button to ask every service again, and an editor for
 * the keys.json "aliases" and "fallbacks". Edits go through the pool's
 * edit API, which rewrites keys.json atomically (0600) and keeps what it
 * does not know. */
#pragma once

#include <adwaita.h>

#include "i2a-model-discovery.h"
#include "i2a-pool.h"

G_BEGIN_DECLS

#define I2A_TYPE_MODELS_PAGE (i2a_models_page_get_type ())
G_DECLARE_FINAL_TYPE (I2aModelsPage, i2a_models_page, I2A, MODELS_PAGE, AdwBin)

void        i2a_models_page_set_sources    (I2aModelsPage     *self,
                                            I2aPool           *pool,
                                            I2aModelDiscovery *discovery);

/* For tests: the rows shown. A model row's title is the model id, its
 * subtitle who serves it; an alias row reads "name → model". */
guint       i2a_models_page_get_n_models   (I2aModelsPage     *self);
const char *i2a_models_page_get_model      (I2aModelsPage     *self,
                                            guint              index,
                                            const char       **served_by);
guint       i2a_models_page_get_n_aliases  (I2aModelsPage     *self);
/* Fills the alias form and adds it, like a user would. */
void        i2a_models_page_add_alias      (I2aModelsPage     *self,
                                            const char        *name,
                                            const char        *target);
/* Removes the alias @name with its row's button. FALSE if it has none. */
gboolean    i2a_models_page_remove_alias   (I2aModelsPage     *self,
                                            const char        *name);
void        i2a_models_page_add_fallback   (I2aModelsPage     *self,
                                            const char        *model,
                                            const char        *chain);
/* The last error an edit or a refresh showed, or NULL. */
const char *i2a_models_page_get_error      (I2aModelsPage     *self);
gboolean    i2a_models_page_is_refreshing  (I2aModelsPage     *self);

G_END_DECLS

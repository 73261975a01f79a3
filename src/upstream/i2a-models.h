/* i2a-models.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-models.h: the model catalogue (models.json in the GResource). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One catalogue entry. Owned by the catalogue, valid for the whole process. */
typedef struct
{
  const char *id;                 /* official spelling, e.g. "iFlow-ROME-30BA3B" */
  const char *name;               /* display name, e.g. "GLM-5" */
  gint64      context_length;     /* tokens; 0 if unknown */
  gint64      max_output_tokens;  /* tokens the official CLI asks for by default */
  gboolean    thinking;           /* can produce reasoning_content */
  gboolean    vision;             /* accepts image input */
} I2aModelInfo;

/* OpenAI list shape: {"object":"list","data":[{id,object:"model",created,
 * owned_by:"iflow",permission:[],root,parent:null}]} */
JsonNode           *i2a_models_build_list   (gint64      created);
/* Catalogue spelling for a client id (case-insensitive, aliases such as
 * "iflow-rome-30ba3b", "deepseek-v3.2", "iflow/glm-5"); NULL if unknown. */
const char         *i2a_models_canonical_id (const char *client_id);
/* Number of entries, for tests. */
guint               i2a_models_count        (void);
/* Entry @index (0 .. count-1) in catalogue order; NULL past the end. */
const I2aModelInfo *i2a_models_get          (guint       index);
/* Entry for a client id (same matching as canonical_id); NULL if unknown. */
const I2aModelInfo *i2a_models_lookup       (const char *client_id);

G_END_DECLS

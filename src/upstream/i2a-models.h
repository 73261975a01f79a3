/* i2a-models.h: the model catalogue (data/models.json in the GResource). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* OpenAI list shape: {"object":"list","data":[{id,object:"model",created,owned_by}]} */
JsonNode   *i2a_models_build_list   (gint64      created);
/* Catalogue spelling for a client id (case-insensitive, aliases such as
 * "iflow-rome-30ba3b", "deepseek-v3.2", "iflow/glm-5"); NULL if unknown. */
const char *i2a_models_canonical_id (const char *client_id);
/* Number of entries, for tests. */
guint       i2a_models_count        (void);

G_END_DECLS

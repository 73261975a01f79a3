/* i2a-client-keys-group.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-keys-group.h: the local API keys clients use, and their routes
 *
 * One row per client key of keys.json (masked), with its route (which
 * accounts, which strategy), copy and regenerate; rebuilt when the pool
 * applies a new configuration ("config-reloaded"). */
#pragma once

#include <adwaita.h>

#include "i2a-pool.h"

G_BEGIN_DECLS

#define I2A_TYPE_CLIENT_KEYS_GROUP (i2a_client_keys_group_get_type ())
G_DECLARE_FINAL_TYPE (I2aClientKeysGroup, i2a_client_keys_group, I2A, CLIENT_KEYS_GROUP, AdwBin)

GtkWidget *i2a_client_keys_group_new       (void);
void       i2a_client_keys_group_set_pool  (I2aClientKeysGroup *self,
                                            I2aPool            *pool);
guint      i2a_client_keys_group_get_n_keys (I2aClientKeysGroup *self);
/* For tests: the AdwActionRow of key @index; its "regenerate-button"
 * data is the regenerate button. */
GtkWidget *i2a_client_keys_group_get_row   (I2aClientKeysGroup *self,
                                            guint               index);

G_END_DECLS

/* i2a-account-store-private.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-store-private.h: what the account store's own files share
 * (i2a-account-store.c: object, accessors, lookups in keys.json;
 * i2a-account-store-load.c: following the pool, secrets from the keyring;
 * i2a-account-store-save.c: saving a browser login or the iFlow CLI's;
 * i2a-account-store-logout.c: removing an account). Not for other
 * subsystems. */
#pragma once

#include "i2a-account-store.h"

G_BEGIN_DECLS

struct _I2aAccountStore
{
  GObject         parent_instance;

  I2aPool        *pool;
  I2aSecretStore *secrets;
  I2aRefresher   *refresher;
  I2aOAuthClient *client;       /* for import without a refresher */
  char           *default_base_url;
  GCancellable   *cancellable;
  gulong          reloaded_handler;
  gulong          expired_handler;
  gboolean        started;

  guint           pending;      /* keyring lookups in flight */
  guint           generation;   /* bumped by every sync */
  GError         *load_error;   /* from the last sync, if any */
  GPtrArray      *load_waiters; /* GTask */
};

/* i2a-account-store.c */
gboolean _i2a_account_store_entry_is_login (const I2aKeysAccount *entry);

G_END_DECLS

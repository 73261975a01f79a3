/* i2a-account-ops.h: every change the UI makes to accounts, in one place
 *
 * The widgets never edit the pool, keys.json or the keyring themselves;
 * they call these. Where the pool has no editing API yet, the functions
 * apply the change to the live account only (and say so in a g_debug), so
 * wiring the persistent API later touches this file alone. */
#pragma once

#include <gio/gio.h>

#include "i2a-oauth-login.h"
#include "i2a-pool.h"
#include "i2a-secret-store.h"

G_BEGIN_DECLS

void        i2a_account_ops_set_enabled         (I2aPool             *pool,
                                                 I2aAccount          *account,
                                                 gboolean             enabled);
/* 0 = no limit. */
void        i2a_account_ops_set_max_concurrency (I2aPool             *pool,
                                                 I2aAccount          *account,
                                                 guint                max);
/* FALSE for accounts the app cannot remove (the shared iFlow CLI login). */
gboolean    i2a_account_ops_can_remove          (I2aPool             *pool,
                                                 I2aAccount          *account);
/* Removes the account from the pool (and keys.json) and clears its
 * keyring item. */
void        i2a_account_ops_remove_async        (I2aPool             *pool,
                                                 I2aSecretStore      *secrets,
                                                 I2aAccount          *account,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean    i2a_account_ops_remove_finish       (GAsyncResult        *result,
                                                 GError             **error);

/* Saves a finished browser login: tokens to the keyring, the account to
 * the pool. @replace_id names the account being logged in again, NULL for
 * a new one. Returns the account (new ref). */
void        i2a_account_ops_add_login_async     (I2aPool             *pool,
                                                 I2aSecretStore      *secrets,
                                                 const char          *replace_id,
                                                 const I2aOAuthLoginResult *result,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
I2aAccount *i2a_account_ops_add_login_finish    (GAsyncResult        *result,
                                                 GError             **error);

/* Re-reads the iFlow CLI login (~/.iflow). */
void        i2a_account_ops_import_cli          (I2aPool             *pool);

/* The account with @id, or NULL (new ref). */
I2aAccount *i2a_account_ops_lookup              (GListModel          *accounts,
                                                 const char          *id);

G_END_DECLS

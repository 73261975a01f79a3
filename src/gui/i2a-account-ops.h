/* i2a-account-ops.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-ops.h: every change the UI makes to accounts, in one place
 *
 * The widgets never edit the pool, keys.json or the keyring themselves;
 * they call these, which use the pool's edit API (keys.json) and
 * I2aAccountStore (keys.json + keyring). The iFlow CLI's own login
 * ("iflow-cli") is not in keys.json: edits to it apply to the live
 * account only, and it cannot be removed here. */
#pragma once

#include <gio/gio.h>

#include "i2a-account-store.h"

G_BEGIN_DECLS

void        i2a_account_ops_set_enabled         (I2aPool             *pool,
                                                 I2aAccount          *account,
                                                 gboolean             enabled);
/* 0 = no limit. */
void        i2a_account_ops_set_max_concurrency (I2aPool             *pool,
                                                 I2aAccount          *account,
                                                 guint                max);
gboolean    i2a_account_ops_can_remove          (I2aPool             *pool,
                                                 I2aAccount          *account);
/* Removes the account from keys.json and clears its keyring item. */
void        i2a_account_ops_remove_async        (I2aAccountStore     *store,
                                                 I2aAccount          *account,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean    i2a_account_ops_remove_finish       (GAsyncResult        *result,
                                                 GError             **error);

/* Saves a finished browser login (keyring + keys.json). @replace_id: the
 * account being logged in again, NULL for a new one. @base_url: the chat
 * base URL of a compatible iFlow deployment (NULL: the default). With @share_with_cli
 * the iFlow CLI's settings.json gets the new key too (best effort).
 * Returns the account (new ref). */
void        i2a_account_ops_add_login_async     (I2aAccountStore     *store,
                                                 const char          *replace_id,
                                                 const I2aOAuthLoginResult *result,
                                                 const char          *base_url,
                                                 gboolean             share_with_cli,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
I2aAccount *i2a_account_ops_add_login_finish    (GAsyncResult        *result,
                                                 GError             **error);

/* Imports the iFlow CLI's login (~/.iflow) as a pool account. */
void        i2a_account_ops_import_cli_async    (I2aAccountStore     *store,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
I2aAccount *i2a_account_ops_import_cli_finish   (GAsyncResult        *result,
                                                 GError             **error);

/* Replaces client key @old_token with a new one on the same route
 * (NULL: adds a key for all accounts). Returns the key (a secret). */
char       *i2a_account_ops_regenerate_key      (I2aPool             *pool,
                                                 const char          *old_token,
                                                 GError             **error);

/* An account of an OpenAI-compatible service, as the Add Account and
 * Edit dialogs fill it in. */
typedef struct
{
  const char *preset_id;        /* add: the basis of the new id; NULL: from the label */
  const char *label;
  const char *base_url;
  const char *api_key;          /* a secret; NULL or "": none (edit: keep) */
  guint       max_concurrency;  /* 0 = no limit */
  const char *quota_window;     /* "5h", "1d", "7d"; NULL: no quota */
  gint64      quota_requests;   /* 0 = no request quota */
  gint64      quota_tokens;     /* 0 = no token quota */
} I2aApiAccountFields;

/* Adds (@account NULL) or edits an api-key account: the key goes to the
 * keyring, keys.json gets the entry without it. Returns the account
 * (new ref). */
void        i2a_account_ops_save_api_account_async  (I2aAccountStore           *store,
                                                     I2aAccount                *account,
                                                     const I2aApiAccountFields *fields,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
I2aAccount *i2a_account_ops_save_api_account_finish (GAsyncResult              *result,
                                                     GError                   **error);

/* Asks GET {@base_url}/models with @api_key (NULL: none) and returns how
 * many models it lists; on failure the upstream's own error message. */
void        i2a_account_ops_test_connection_async   (const char                *base_url,
                                                     const char                *api_key,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
gint        i2a_account_ops_test_connection_finish  (GAsyncResult              *result,
                                                     GError                   **error);

/* Whether @account still has its key written in keys.json. */
gboolean    i2a_account_ops_has_plaintext_key       (I2aPool                   *pool,
                                                     I2aAccount                *account);
/* Moves that key to the keyring and rewrites keys.json without it. */
void        i2a_account_ops_move_key_async          (I2aAccountStore           *store,
                                                     I2aAccount                *account,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
gboolean    i2a_account_ops_move_key_finish         (GAsyncResult              *result,
                                                     GError                   **error);

/* Whether @text is an http(s) URL with a host, as base URLs must be. */
gboolean    i2a_account_ops_is_base_url         (const char          *text);

/* The account with @id, or NULL (new ref). */
I2aAccount *i2a_account_ops_lookup              (GListModel          *accounts,
                                                 const char          *id);

G_END_DECLS

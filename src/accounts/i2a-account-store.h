/* i2a-account-store.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-store.h: accounts that live in keys.json + the keyring.
 *
 * The glue between a login (or the iFlow CLI's own login) and the pool:
 *  - saving: secrets (apiKey, access/refresh token, expiry) go to the
 *    Secret Service first, then an entry without any secret goes to
 *    keys.json (id, label, email, provider "iflow", base_url,
 *    max_concurrency, auth_type). A login for an email/phone the pool
 *    already has updates that account instead of adding one;
 *  - loading: accounts whose keys.json entry has no api_key get their key
 *    from the keyring, now and after every keys.json reload (so a login
 *    made by `iflow2api login` in another process shows up live); OAuth
 *    ones are handed to the I2aRefresher;
 *  - logout: the entry and its keyring item go.
 * Without a Secret Service nothing is saved (I2A_ERROR_SECRETS_UNAVAILABLE,
 * never a plaintext fallback), and accounts that need the keyring are
 * shown in the error state while the others keep serving. */
#pragma once

#include <gio/gio.h>

#include "i2a-cli-settings.h"
#include "i2a-oauth-login.h"
#include "i2a-pool.h"
#include "i2a-refresher.h"
#include "i2a-secret-store.h"

G_BEGIN_DECLS

#define I2A_TYPE_ACCOUNT_STORE (i2a_account_store_get_type ())
G_DECLARE_FINAL_TYPE (I2aAccountStore, i2a_account_store, I2A, ACCOUNT_STORE, GObject)

/* @refresher NULL: no refresh (one-shot commands). */
I2aAccountStore *i2a_account_store_new         (I2aPool          *pool,
                                                I2aSecretStore   *secrets,
                                                I2aRefresher     *refresher);
/* Everything the running app needs: a secret store, an OAuth client for
 * $IFLOW2API_OAUTH_BASE, a refresher hooked into @pool's dispatch, and
 * start () called. */
I2aAccountStore *i2a_account_store_new_for_app (I2aPool          *pool);

I2aPool         *i2a_account_store_get_pool          (I2aAccountStore *self);
I2aSecretStore  *i2a_account_store_get_secret_store  (I2aAccountStore *self);
I2aRefresher    *i2a_account_store_get_refresher     (I2aAccountStore *self);

/* chat base URL of accounts added by a login (NULL: $IFLOW2API_API_BASE,
 * else the iFlow default https://apis.iflow.cn/v1). */
void             i2a_account_store_set_default_base_url (I2aAccountStore *self,
                                                         const char      *base_url);

/* Follow the pool: load keyring secrets for key-less accounts now and
 * after every reload; refresh on "token-expired". */
void             i2a_account_store_start       (I2aAccountStore  *self);
/* Completes when the keyring secrets of the configuration in force are
 * loaded (start () first). FALSE with SECRETS_UNAVAILABLE when the
 * keyring could not be read (those accounts stay unusable). */
void             i2a_account_store_wait_loaded_async  (I2aAccountStore     *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         i2a_account_store_wait_loaded_finish (I2aAccountStore     *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Accounts this app logged in or imported (auth_type oauth-iflow or a
 * key-less api-key entry) in the configuration in force. */
guint            i2a_account_store_count_login_accounts (I2aAccountStore *self);

/* The id of the account for @id, label or email (exact, then
 * case-insensitive), or NULL; for the command line. */
char            *i2a_account_store_resolve     (I2aAccountStore  *self,
                                                const char       *name);

/* Save a browser login. @replace_id: the account being logged in again
 * (NULL: the one with the same email/phone, else a new one). @label NULL:
 * keep the label / use the email. Returns the live account (new ref);
 * @created tells whether it is new. */
void             i2a_account_store_add_login_async  (I2aAccountStore           *self,
                                                     const I2aOAuthLoginResult *login,
                                                     const char                *replace_id,
                                                     const char                *label,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
I2aAccount      *i2a_account_store_add_login_finish (I2aAccountStore           *self,
                                                     GAsyncResult              *result,
                                                     gboolean                  *created,
                                                     GError                   **error);

/* Import the iFlow CLI's login (settings.json apiKey/baseUrl and
 * oauth_creds.json tokens) as a pool account. @cli must be loaded. With an
 * access token, getUserInfo is asked for the email (best effort).
 * Importing again updates the account of the same email/phone, else the
 * earlier import (id "iflow-cli-…") unless that one is another user's:
 * a repeat import never adds a second account. */
void             i2a_account_store_import_cli_async  (I2aAccountStore     *self,
                                                      I2aCliSettings      *cli,
                                                      const char          *label,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
I2aAccount      *i2a_account_store_import_cli_finish (I2aAccountStore     *self,
                                                      GAsyncResult        *result,
                                                      gboolean            *created,
                                                      GError             **error);

/* Remove the account from keys.json and clear its keyring item. A missing
 * keyring item is fine; an unreachable keyring is an error, after the
 * entry is gone. */
void             i2a_account_store_logout_async  (I2aAccountStore     *self,
                                                  const char          *account_id,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         i2a_account_store_logout_finish (I2aAccountStore     *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* ---- accounts of OpenAI-compatible providers (i2a-account-store-api-key.c)
 *
 * The key goes to the keyring, keys.json gets the entry without it
 * ("auth_type": "api-key"; "none" when there is no key, as for a local
 * server). Accounts whose keys.json entry still has a plaintext "api_key"
 * keep working; moving the key rewrites keys.json (atomically, 0600,
 * unknown members kept) without it, after the keyring has it. */
typedef struct
{
  const char *id_hint;          /* add: basis of the new id (a preset id); NULL = from the label */
  const char *label;            /* NULL = leave / the id */
  const char *base_url;         /* add: required; edit: NULL = leave */
  const char *api_key;          /* secret; NULL = leave (edit) / none; "" = none */
  gint        max_concurrency;  /* -1 = leave / the default */
} I2aApiKeyAccountSpec;

#define I2A_API_KEY_ACCOUNT_SPEC_INIT { NULL, NULL, NULL, NULL, -1 }

/* Adds a provider "openai" account; returns its id. */
void             i2a_account_store_add_api_key_async   (I2aAccountStore            *self,
                                                        const I2aApiKeyAccountSpec *spec,
                                                        GCancellable               *cancellable,
                                                        GAsyncReadyCallback         callback,
                                                        gpointer                    user_data);
char            *i2a_account_store_add_api_key_finish  (I2aAccountStore            *self,
                                                        GAsyncResult               *result,
                                                        GError                    **error);
/* Changes what @spec sets on an "openai" account. A new key goes to the
 * keyring (and a plaintext one leaves keys.json). */
void             i2a_account_store_edit_api_key_async  (I2aAccountStore            *self,
                                                        const char                 *account_id,
                                                        const I2aApiKeyAccountSpec *spec,
                                                        GCancellable               *cancellable,
                                                        GAsyncReadyCallback         callback,
                                                        gpointer                    user_data);
gboolean         i2a_account_store_edit_api_key_finish (I2aAccountStore            *self,
                                                        GAsyncResult               *result,
                                                        GError                    **error);
/* TRUE when keys.json holds the account's key in plaintext. */
gboolean         i2a_account_store_has_plaintext_key   (I2aAccountStore            *self,
                                                        const char                 *account_id);
/* "Move key to the keyring" for one account. */
void             i2a_account_store_move_key_async      (I2aAccountStore            *self,
                                                        const char                 *account_id,
                                                        GCancellable               *cancellable,
                                                        GAsyncReadyCallback         callback,
                                                        gpointer                    user_data);
gboolean         i2a_account_store_move_key_finish     (I2aAccountStore            *self,
                                                        GAsyncResult               *result,
                                                        GError                    **error);
/* Every plaintext key, one account after the other; stops at the first
 * failure. @n_moved gets how many moved (also on failure). */
void             i2a_account_store_migrate_keys_async  (I2aAccountStore            *self,
                                                        GCancellable               *cancellable,
                                                        GAsyncReadyCallback         callback,
                                                        gpointer                    user_data);
gboolean         i2a_account_store_migrate_keys_finish (I2aAccountStore            *self,
                                                        GAsyncResult               *result,
                                                        guint                      *n_moved,
                                                        GError                    **error);

G_END_DECLS

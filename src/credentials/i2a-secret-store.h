/* i2a-secret-store.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-secret-store.h: account credentials in the Secret Service (libsecret)
 *
 * One item per account (schema io.github.iflow2api.Iflow2Api.Account,
 * attributes account-id and kind="account"), holding one JSON blob
 * {api_key, access_token, refresh_token, expires_at} plus the non-secret
 * refresh status {refreshed_at, refresh_failures, last_refresh_error}.
 * Writes (store, clear) run one at a time in the order they were asked,
 * so callers never overlap (libsecret's file backend cannot take that). There is no plaintext
 * fallback: without a usable Secret Service every call fails with
 * I2A_ERROR_SECRETS_UNAVAILABLE and a message saying what is missing. */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

#define I2A_SECRET_SCHEMA_NAME "io.github.iflow2api.Iflow2Api.Account"

typedef struct
{
  char   *api_key;
  char   *access_token;
  char   *refresh_token;
  gint64  expires_at;        /* unix seconds; 0 = unknown */

  /* Not secret: the refresh status, kept with the credentials so that
   * another process (`iflow2api accounts`) and the next start see it. */
  gint64  refreshed_at;      /* unix seconds of the last login or refresh; 0 = unknown */
  guint   refresh_failures;  /* failed refresh tries since then */
  char   *last_refresh_error;
} I2aAccountSecrets;

I2aAccountSecrets  *i2a_account_secrets_new   (void);
I2aAccountSecrets  *i2a_account_secrets_copy  (const I2aAccountSecrets *secrets);
/* Overwrites every secret before freeing. */
void                i2a_account_secrets_free  (I2aAccountSecrets       *secrets);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aAccountSecrets, i2a_account_secrets_free)

const SecretSchema *i2a_secret_store_get_schema (void);

#define I2A_TYPE_SECRET_STORE (i2a_secret_store_get_type ())
G_DECLARE_FINAL_TYPE (I2aSecretStore, i2a_secret_store, I2A, SECRET_STORE, GObject)

I2aSecretStore     *i2a_secret_store_new      (void);

/* Creates or replaces the account's item. @label NULL = a default label. */
void                i2a_secret_store_store_async             (I2aSecretStore          *self,
                                                              const char              *account_id,
                                                              const char              *label,
                                                              const I2aAccountSecrets *secrets,
                                                              GCancellable            *cancellable,
                                                              GAsyncReadyCallback      callback,
                                                              gpointer                 user_data);
gboolean            i2a_secret_store_store_finish            (I2aSecretStore          *self,
                                                              GAsyncResult            *result,
                                                              GError                 **error);

/* NULL with no error when the account has no item. */
void                i2a_secret_store_lookup_async            (I2aSecretStore          *self,
                                                              const char              *account_id,
                                                              GCancellable            *cancellable,
                                                              GAsyncReadyCallback      callback,
                                                              gpointer                 user_data);
I2aAccountSecrets  *i2a_secret_store_lookup_finish           (I2aSecretStore          *self,
                                                              GAsyncResult            *result,
                                                              GError                 **error);

/* TRUE if an item was removed; FALSE with no error if there was none. */
void                i2a_secret_store_clear_async             (I2aSecretStore          *self,
                                                              const char              *account_id,
                                                              GCancellable            *cancellable,
                                                              GAsyncReadyCallback      callback,
                                                              gpointer                 user_data);
gboolean            i2a_secret_store_clear_finish            (I2aSecretStore          *self,
                                                              GAsyncResult            *result,
                                                              GError                 **error);

/* Sorted, without duplicates; an empty array (not NULL) when none. */
void                i2a_secret_store_list_account_ids_async  (I2aSecretStore          *self,
                                                              GCancellable            *cancellable,
                                                              GAsyncReadyCallback      callback,
                                                              gpointer                 user_data);
GStrv               i2a_secret_store_list_account_ids_finish (I2aSecretStore          *self,
                                                              GAsyncResult            *result,
                                                              GError                 **error);

G_END_DECLS

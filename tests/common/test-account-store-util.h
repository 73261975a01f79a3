/* test-account-store-util.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* test-account-store-util.h: the real login stack for the OAuth tests.
 *
 * Fake iflow.cn OAuth server + fake iFlow chat API + keys.json in a temp
 * dir + the real pool, keyring (whatever SECRET_BACKEND says), refresher,
 * account store, and optionally the proxy server on a free port. */
#pragma once

#include "fake-oauth-server.h"
#include "i2a-account-store.h"
#include "i2a-cli-interop.h"
#include "i2a-error.h"
#include "i2a-test-util.h"

G_BEGIN_DECLS

typedef struct
{
  FakeOAuthServer *oauth;
  I2aFakeIflow    *fake;
  char            *fake_base;
  char            *home;
  char            *iflow_dir;
  char            *keys_path;
  I2aCliSettings  *cli;
  I2aPool         *pool;
  I2aSecretStore  *secrets;
  I2aOAuthClient  *client;
  I2aRefresher    *refresher;
  I2aAccountStore *store;
  I2aServer       *server;
  char            *base;
  SoupSession     *http;
} LoginStack;

/* OAuth client I/O timeout for the next login_stack_new () (0: default). */
extern guint login_stack_oauth_timeout;

/* @keys_json: initial keys.json (NULL: none). @with_server: start the
 * proxy. The refresher's backoff base delay is 20 ms. */
LoginStack        *login_stack_new           (const char   *keys_json,
                                              gboolean      with_server);
void               login_stack_free          (LoginStack   *s);

/* A browser login through the fake OAuth server (real I2aOAuthLogin). */
I2aOAuthLoginResult *login_stack_browser_login (LoginStack *s);
/* Saves it; asserts success; returns the account (new ref). The apiKey
 * is added to the fake iFlow. */
I2aAccount        *login_stack_add_login     (LoginStack          *s,
                                              I2aOAuthLoginResult *result,
                                              const char          *replace_id,
                                              const char          *label,
                                              gboolean            *created);
/* browser_login + add_login. */
I2aAccount        *login_stack_login         (LoginStack   *s,
                                              const char   *label);

/* Blocking wrappers. */
I2aAccountSecrets *login_stack_keyring_lookup (LoginStack  *s,
                                               const char  *id,
                                               GError     **error);
void               login_stack_keyring_store  (LoginStack  *s,
                                               const char  *id,
                                               const I2aAccountSecrets *secrets);
void               login_stack_flush          (LoginStack  *s);
void               login_stack_wait_loaded    (LoginStack  *s);

/* Whole file as a string ("" when missing). */
char              *login_stack_read_file      (const char  *path);
/* Fails when the file contains any secret the fake server issued, or
 * @extra (NULL-terminated, may be NULL). */
void               login_stack_assert_file_has_no_secret (LoginStack         *s,
                                                          const char         *path,
                                                          const char * const *extra);

/* POST a chat to the proxy. */
I2aTestResponse   *login_stack_chat           (LoginStack  *s,
                                               const char  *content,
                                               gboolean     stream);
/* Run the main loop for @ms. */
void               login_stack_spin           (guint        ms);

G_END_DECLS

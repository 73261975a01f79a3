/* fake-oauth-server.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fake-oauth-server.h: a local stand-in for iflow.cn's OAuth endpoints
 *
 * A real SoupServer on 127.0.0.1:<ephemeral>, serving
 *   GET  /oauth                  authorize page: answers 302 to the `redirect`
 *                                parameter at once, as if the user logged in
 *   POST /oauth/token            authorization_code and refresh_token grants
 *   GET  /api/oauth/getUserInfo  apiKey/email/phone/username for a token
 * Point I2aOAuthClient at fake_oauth_server_get_base_url().
 *
 * It checks what the real server needs (Basic header, client id/secret in
 * the form, byte-identical redirect_uri, User-Agent iFlow-Cli, Accept JSON);
 * a request failing a check gets 400/401 and bumps the bad-request counter.
 * Codes are single use; refresh tokens rotate (old one dies) unless told not
 * to. Everything it issues is recorded so tests can check logs for leaks. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  FAKE_OAUTH_OK,
  FAKE_OAUTH_FAIL_OVERLOAD,      /* HTTP 200 {"success":false,"code":"500","message":"…太多…"} */
  FAKE_OAUTH_FAIL_INVALID_GRANT, /* token: 400 invalid_grant; user info: 401 */
  FAKE_OAUTH_FAIL_SERVER_ERROR,  /* HTTP 500 */
  FAKE_OAUTH_FAIL_HANG,          /* never answers (client timeout tests) */
} FakeOAuthFailure;

typedef enum
{
  FAKE_OAUTH_AUTHORIZE_GRANT,     /* 302 → redirect?code=…&state=<same> */
  FAKE_OAUTH_AUTHORIZE_DENY,      /* 302 → redirect?error=access_denied&state=<same> */
  FAKE_OAUTH_AUTHORIZE_BAD_STATE, /* 302 → redirect?code=…&state=<other> */
  FAKE_OAUTH_AUTHORIZE_NO_CODE,   /* 302 → redirect?state=<same> */
} FakeOAuthAuthorizeMode;

typedef struct _FakeOAuthServer FakeOAuthServer;

FakeOAuthServer    *fake_oauth_server_new                   (void);
void                fake_oauth_server_free                  (FakeOAuthServer        *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeOAuthServer, fake_oauth_server_free)

/* "http://127.0.0.1:<port>", no trailing slash. */
const char         *fake_oauth_server_get_base_url          (FakeOAuthServer        *self);

/* Behaviour. */
void                fake_oauth_server_set_authorize_mode    (FakeOAuthServer        *self,
                                                             FakeOAuthAuthorizeMode  mode);
/* expires_in of issued tokens (default 172800); < 0 leaves it out. */
void                fake_oauth_server_set_expires_in        (FakeOAuthServer        *self,
                                                             gint64                  seconds);
/* apiKey for every following getUserInfo; NULL (default) = a fresh
 * "sk-<32 hex>" per call. */
void                fake_oauth_server_set_next_api_key      (FakeOAuthServer        *self,
                                                             const char             *api_key);
/* Raw "data" object JSON for getUserInfo (e.g. to test searchApiKey);
 * NULL = the normal answer. */
void                fake_oauth_server_set_user_info_data    (FakeOAuthServer        *self,
                                                             const char             *data_json);
/* New refresh token on every refresh (default TRUE; the old one dies). */
void                fake_oauth_server_set_rotate_refresh_token (FakeOAuthServer     *self,
                                                             gboolean                rotate);
/* Fail the next @times requests (0 = until changed) of that endpoint. */
void                fake_oauth_server_set_token_failure     (FakeOAuthServer        *self,
                                                             FakeOAuthFailure        failure,
                                                             guint                   times);
void                fake_oauth_server_set_user_info_failure (FakeOAuthServer        *self,
                                                             FakeOAuthFailure        failure,
                                                             guint                   times);

/* Seed credentials (returns a new string; also recorded as issued). */
char               *fake_oauth_server_add_refresh_token     (FakeOAuthServer        *self);
void                fake_oauth_server_add_access_token      (FakeOAuthServer        *self,
                                                             const char             *token);
gboolean            fake_oauth_server_refresh_token_is_valid(FakeOAuthServer        *self,
                                                             const char             *token);

/* Counters and what was seen. */
guint               fake_oauth_server_get_authorize_count   (FakeOAuthServer        *self);
guint               fake_oauth_server_get_code_exchange_count (FakeOAuthServer      *self);
guint               fake_oauth_server_get_refresh_count     (FakeOAuthServer        *self);
guint               fake_oauth_server_get_user_info_count   (FakeOAuthServer        *self);
/* Requests refused by a protocol check (wrong header, client, redirect…). */
guint               fake_oauth_server_get_bad_request_count (FakeOAuthServer        *self);
/* Query of the last GET /oauth (decoded), or NULL. */
GHashTable         *fake_oauth_server_get_last_authorize_query (FakeOAuthServer     *self);
/* redirect_uri of the last authorization_code grant, or NULL. */
const char         *fake_oauth_server_get_last_redirect_uri (FakeOAuthServer        *self);
const char         *fake_oauth_server_get_last_access_token (FakeOAuthServer        *self);
const char         *fake_oauth_server_get_last_refresh_token(FakeOAuthServer        *self);
const char         *fake_oauth_server_get_last_api_key      (FakeOAuthServer        *self);
/* Every code, token and apiKey handed out (NULL-terminated, borrowed). */
const char * const *fake_oauth_server_get_issued_secrets    (FakeOAuthServer        *self);

/* ---- A test "browser": GET @url, following redirects by hand (the 302
 * from /oauth lands on the login's callback listener), spinning the thread
 * default main context meanwhile. Returns FALSE on transport errors. */
gboolean            fake_browser_open                       (const char             *url,
                                                             guint                  *out_status,
                                                             char                  **out_body,
                                                             GError                **error);

/* ---- Log guard: a GLib log writer that records any message containing a
 * secret issued by a live fake server or passed to _forbid(). Debug
 * messages are enabled so that g_debug is checked too; warnings and worse
 * still go to the default writer. */
void                fake_oauth_log_guard_install            (void);
void                fake_oauth_log_guard_forbid             (const char             *secret);
/* Fails the test if any message leaked a secret since the last call. */
void                fake_oauth_log_guard_assert_clean       (void);
/* Fails the test if @text contains a secret (e.g. an error message). */
void                fake_oauth_assert_no_secret             (const char             *text);

G_END_DECLS

/* i2a-test-util.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-test-util.h: shared test plumbing: temp dirs, an HTTP client that
 * runs the main loop while it waits, and a proxy + fake iFlow harness. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "i2a-fake-iflow.h"
#include "i2a-secret-store.h"
#include "i2a-server.h"

G_BEGIN_DECLS

#define I2A_TEST_KEY "sk-0123456789abcdef0123456789abcdef"

char      *i2a_test_mkdtemp        (void);
void       i2a_test_rm_rf          (const char *path);
void       i2a_test_write_file     (const char *path,
                                    const char *contents);
/* The contents of @path; a read error fails the test. */
char      *i2a_test_read_file      (const char *path);
/* Iterate the default main context until @cond returns TRUE or @timeout_ms
 * passes; returns the last value of @cond. */
gboolean   i2a_test_wait_until     (gboolean  (*cond) (gpointer data),
                                    gpointer    data,
                                    guint       timeout_ms);
void       i2a_test_sleep_ms       (guint       ms);
/* Wait up to @timeout_ms until @fake has seen @n requests abandoned by
 * their client (the proxy hanging up upstream). */
gboolean   i2a_test_wait_fake_aborts (I2aFakeIflow *fake,
                                      guint         n,
                                      guint         timeout_ms);
/* Wait up to @timeout_ms until @server has no request in progress. */
gboolean   i2a_test_wait_no_active (I2aServer  *server,
                                    guint       timeout_ms);
/* A GAsyncReadyCallback that keeps a reference to the result in
 * *(GAsyncResult **) @slot, and the loop that waits for it: the tests'
 * way of calling an async API synchronously (the app never blocks). */
void       i2a_test_result_cb      (GObject      *source,
                                    GAsyncResult *result,
                                    gpointer      slot);
/* Iterate the default main context until *@slot is set; returns the
 * result, owned by the caller, and leaves *@slot NULL. */
GAsyncResult *i2a_test_wait_result (GAsyncResult **slot);
/* Wait (5 s at most) until @pool's background keys.json writes have
 * landed, and assert that they succeeded. */
void       i2a_test_pool_flush     (I2aPool      *pool);
/* The secrets @store holds for account @id (NULL: none), looked up within
 * 5 s; a lookup error fails the test. */
I2aAccountSecrets *i2a_test_secrets_lookup (I2aSecretStore *store,
                                            const char     *id);
/* Iterate the default main context until nothing is pending, so the
 * callbacks of torn-down requests run and drop their references. */
void       i2a_test_drain          (void);
/* Stop @server, wait until its streams have drained, and assert that
 * dropping the caller's reference finalizes it once the callbacks in
 * flight have run (i2a_test_finalize_soon ()): nothing else may hold it. */
void       i2a_test_server_finalize (I2aServer  *server);
/* Drop the caller's reference to @object and assert that it is finalized
 * once the operations in flight on it have finished (5 s at most): like
 * g_assert_finalize_object () for objects that async calls still hold. */
void       i2a_test_finalize_soon  (gpointer    object);

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GString            *body;
  GPtrArray          *events;       /* char *: each "data:" payload */
  GArray             *event_times;  /* gint64 monotonic µs per event */
  gint64              start_time;
  gint64              headers_time;
  GError             *error;
  gboolean            done;
} I2aTestResponse;

void       i2a_test_response_free  (I2aTestResponse *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aTestResponse, i2a_test_response_free)

/* Full request; @close_after_events > 0 closes the connection once that
 * many SSE events arrived (a client hanging up mid-stream), and
 * @close_after_ms > 0 closes after that long regardless. */
I2aTestResponse *i2a_test_request  (SoupSession *session,
                                    const char  *method,
                                    const char  *url,
                                    const char  *token,
                                    const char  *content_type,
                                    const char  *body,
                                    guint        close_after_events,
                                    guint        close_after_ms);
/* The setup subcommands of the real binary ($I2A_BINARY) for a client
 * (COMMAND: "codex", "claude-code"), as a user runs them, one step each:
 * 0 the preview and 1 --apply (both --port 8765 --keys @keys --model
 * glm-4.7), 2 --list-backups, 3 --undo; with HOME=@home, LC_ALL=C and
 * @env_var=@env_value. Asserts the step succeeded; returns its stdout and
 * stderr together. */
#define I2A_TEST_CLIENT_STEPS 4
char      *i2a_test_run_client_step (const char *command,
                                     guint       step,
                                     const char *home,
                                     const char *keys,
                                     const char *env_var,
                                     const char *env_value);
/* A keys.json (0600) that requires client auth and has @client_key for
 * its one account. */
void       i2a_test_write_client_keys (const char *path,
                                       const char *client_key);

/* JSON of the response body, or NULL. */
JsonObject *i2a_test_response_json (I2aTestResponse *r);
/* The error object of an OpenAI error body (asserts the shape). */
JsonObject *i2a_test_assert_openai_error (I2aTestResponse *r,
                                          guint            status);

typedef struct
{
  I2aFakeIflow   *fake;
  char           *home;         /* temp dir; iFlow dir is home/.iflow */
  char           *iflow_dir;
  I2aCliSettings *cli;
  I2aPool        *pool;
  I2aServer      *server;
  char           *base;         /* http://127.0.0.1:port */
  SoupSession    *client;
} I2aTestProxy;

/* Fake iFlow with I2A_TEST_KEY, settings.json pointing at it, and the
 * proxy on a free port. @with_login FALSE writes no settings.json. */
I2aTestProxy *i2a_test_proxy_new   (gboolean      with_login);
void          i2a_test_proxy_free  (I2aTestProxy *p);
char         *i2a_test_proxy_url   (I2aTestProxy *p,
                                    const char   *path);
/* POST a chat body to /v1/chat/completions. */
I2aTestResponse *i2a_test_proxy_chat (I2aTestProxy *p,
                                      const char   *body);
char         *i2a_test_chat_body   (const char   *model,
                                    const char   *content,
                                    gboolean      stream);

G_END_DECLS

/* i2a-ledger.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-ledger.h: the usage ledger, one SQLite row per finished request.
 *
 * The database lives at $XDG_DATA_HOME/iflow2api/usage.db (mode 0600, WAL).
 * i2a_ledger_record () is called on the main thread when a request ends;
 * it only appends to an in-memory queue. A worker thread commits the queue
 * in one transaction every second, or as soon as 500 rows wait, so neither
 * the main loop nor a relay ever waits for the disk; a crash loses at most
 * the last second. A database that turns out corrupt or unwritable is
 * renamed aside ("usage.db.broken-<time>"), a fresh one is started and
 * "database-replaced" is emitted; the proxy keeps serving either way.
 *
 * The ledger also keeps the last eight days per account and per client key
 * in memory (i2a-usage-window.h), loaded at open and updated on every
 * record, so quota and rate-limit checks are a binary search, not a query.
 *
 * Signals (main thread): "recorded" (const I2aLedgerRow *) after a row is
 * queued, for live views; "database-replaced" (const char *moved_to,
 * const char *reason). */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "i2a-usage-window.h"

G_BEGIN_DECLS

#define I2A_LEDGER_DEFAULT_RETENTION_DAYS 365
#define I2A_LEDGER_BATCH_ROWS             500

typedef struct
{
  gint64    time_ms;           /* wall clock when the request finished */
  char     *endpoint;          /* front door: "chat", "messages", "responses" */
  gboolean  stream;
  char     *client_key;        /* label or "key-<hash>"; never the key; NULL without auth */
  char     *account;           /* the last account tried; NULL when none was */
  char     *model_requested;
  char     *model_sent;
  guint     status;            /* HTTP status the client got (499: client left) */
  char     *error_type;        /* NULL on success */
  gint64    prompt_tokens;
  gint64    completion_tokens;
  gint64    reasoning_tokens;
  gint64    cached_tokens;
  gboolean  estimated;         /* no usage from upstream: counts are estimates */
  gint64    ttfb_ms;           /* -1: no byte reached the client */
  gint64    duration_ms;
  gint64    bytes_in;
  gint64    bytes_out;
} I2aLedgerRow;

/* Token counts as an OpenAI-style "usage" object gives them. */
typedef struct
{
  gint64 prompt;
  gint64 completion;
  gint64 reasoning;   /* completion_tokens_details.reasoning_tokens */
  gint64 cached;      /* prompt_tokens_details.cached_tokens */
} I2aTokenUsage;

/* Reads @object's "usage" member (a chat response or stream chunk).
 * FALSE when there is none (or it holds no counts). */
gboolean      i2a_usage_read      (JsonObject    *object,
                                   I2aTokenUsage *out);

/* The same from a whole JSON answer without parsing all of it: only the
 * last "usage" object is parsed. */
gboolean      i2a_usage_scan      (const char    *data,
                                   gsize          len,
                                   I2aTokenUsage *out);

I2aLedgerRow *i2a_ledger_row_new  (void);
I2aLedgerRow *i2a_ledger_row_copy (const I2aLedgerRow *row);
void          i2a_ledger_row_free (I2aLedgerRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aLedgerRow, i2a_ledger_row_free)

typedef enum
{
  I2A_USAGE_BY_DAY,
  I2A_USAGE_BY_ACCOUNT,
  I2A_USAGE_BY_MODEL,
  I2A_USAGE_BY_KEY,
  I2A_USAGE_BY_ENDPOINT,
} I2aUsageBy;

/* I2A_TYPE_USAGE_BY: nicks "day", "account", "model", "key", "endpoint"
 * (the "by" of the usage command and endpoint). */
#include "i2a-ledger-enums.h"

/* "24h", "7d", "30d", "90m", "45s" or a local date "YYYY-MM-DD": the
 * wall-clock start in Unix ms. FALSE for anything else. */
gboolean    i2a_usage_parse_since    (const char *text,
                                      gint64      now_ms,
                                      gint64     *since_ms);

/* One group of a summary. */
typedef struct
{
  char   *key;                 /* day "YYYY-MM-DD", account, model, key or endpoint; "" = none */
  char   *day;                 /* set by i2a_ledger_query_days: the day of the bar */
  gint64  requests;
  gint64  errors;              /* status >= 400 */
  gint64  prompt_tokens;
  gint64  completion_tokens;
  gint64  reasoning_tokens;
  gint64  cached_tokens;
  gint64  estimated;           /* rows whose counts are estimates */
} I2aUsageGroup;

void        i2a_usage_group_free     (I2aUsageGroup *group);
/* Summary as JSON: {"since": ms, "by": "...", "groups": [...], "total": {...}}. */
JsonNode   *i2a_usage_groups_to_json (GPtrArray   *groups,
                                      gint64       since_ms,
                                      I2aUsageBy   by);

#define I2A_TYPE_LEDGER (i2a_ledger_get_type ())
G_DECLARE_FINAL_TYPE (I2aLedger, i2a_ledger, I2A, LEDGER, GObject)

/* $XDG_DATA_HOME/iflow2api/usage.db, or $IFLOW2API_USAGE_DB when set;
 * NULL when $IFLOW2API_USAGE_DB is "off" (no ledger). */
char       *i2a_ledger_default_path  (void);
/* The app's ledger at the default path; NULL (with a warning) when it is
 * off or cannot be opened: the proxy then serves without one. */
I2aLedger  *i2a_ledger_open_default  (void);
/* Opens (creating or migrating, moving a broken file aside) and starts the
 * writer. Fails only when no database can be created at all; the caller
 * then serves without a ledger. */
I2aLedger  *i2a_ledger_open          (const char  *path,
                                      GError     **error);
const char *i2a_ledger_get_path      (I2aLedger   *self);
/* Rows older than this are deleted once a day (and at open). 0 = keep all. */
void        i2a_ledger_set_retention_days (I2aLedger *self,
                                           guint      days);
guint       i2a_ledger_get_retention_days (I2aLedger *self);
/* Queue one row (transfer full). Main thread. */
void        i2a_ledger_record        (I2aLedger    *self,
                                      I2aLedgerRow *row);
/* Commit what is queued and wait for it (shutdown). */
void        i2a_ledger_flush         (I2aLedger   *self);
/* Flush, stop the writer and close the database. Also done on finalize. */
void        i2a_ledger_close         (I2aLedger   *self);

/* Recent usage (the last eight days) of one account, one client key, or
 * everything (I2A_USAGE_SCOPE_ALL, @id ignored). Transfer none; NULL when
 * nothing was recorded for it. */
typedef enum
{
  I2A_USAGE_SCOPE_ALL,
  I2A_USAGE_SCOPE_ACCOUNT,
  I2A_USAGE_SCOPE_KEY,
} I2aUsageScope;

I2aUsageWindow *i2a_ledger_get_window (I2aLedger    *self,
                                       I2aUsageScope scope,
                                       const char   *id);
/* Requests and tokens since local midnight. */
void        i2a_ledger_get_today     (I2aLedger    *self,
                                      I2aUsageScope scope,
                                      const char   *id,
                                      gint64       *requests,
                                      gint64       *tokens);

/* A summary since @since_ms grouped @by, read on the writer thread after
 * the queue is committed (so it includes every recorded row).
 * Result: GPtrArray of I2aUsageGroup. */
void        i2a_ledger_query_async   (I2aLedger           *self,
                                      gint64               since_ms,
                                      I2aUsageBy           by,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GPtrArray  *i2a_ledger_query_finish  (I2aLedger           *self,
                                      GAsyncResult        *result,
                                      GError             **error);
/* Tokens per day and per @by (account or model) since @since_ms, for the
 * chart: groups with both "day" and "key" set, by day then key. */
void        i2a_ledger_query_days_async  (I2aLedger           *self,
                                          gint64               since_ms,
                                          I2aUsageBy           by,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GPtrArray  *i2a_ledger_query_days_finish (I2aLedger           *self,
                                          GAsyncResult        *result,
                                          GError             **error);

/* Read a database file directly (the `iflow2api usage` command, which may
 * run beside a serving iflow2api): read-only, never creates it. */
GPtrArray  *i2a_ledger_read_summary  (const char  *path,
                                      gint64       since_ms,
                                      I2aUsageBy   by,
                                      GError     **error);

/* The recent windows of a database file, read-only, for a process that
 * is not the one serving (`iflow2api accounts`): "a:ID" / "k:ID" / "*" ->
 * I2aUsageWindow. An empty table when the file does not exist. */
GHashTable *i2a_ledger_read_windows  (const char  *path,
                                      GError     **error);

/* "2 h 13 min", "5 min", "40 s" (translated). */
char       *i2a_usage_format_duration (guint       seconds);
/* "1.2 M", "35.4 k", "812": token counts at a glance. */
char       *i2a_usage_format_count    (gint64      count);

G_END_DECLS

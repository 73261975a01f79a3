/* i2a-ledger-db.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-ledger-db.h: the SQLite side of the ledger (schema, migrations,
 * batched inserts, pruning, summaries). Every function takes the
 * connection it works on and does no locking: the ledger's writer thread
 * owns its connection, `iflow2api usage` opens its own read-only one. */
#pragma once

#include <sqlite3.h>

#include "i2a-ledger.h"

G_BEGIN_DECLS

#define I2A_LEDGER_SCHEMA_VERSION 1

/* Opens @path (creating it with mode 0600 unless @read_only) and brings
 * the schema up to date. *@broken is set when the file exists but is not a
 * usable ledger (corrupt, not a database, unwritable), so the caller can
 * move it aside and start again. */
sqlite3   *i2a_ledger_db_open       (const char  *path,
                                     gboolean     read_only,
                                     gboolean    *broken,
                                     GError     **error);
/* Renames @path (and its -wal/-shm files) to "@path.broken-YYYYMMDD-HHMMSS".
 * Returns the new name, or NULL with @error. */
char      *i2a_ledger_db_move_aside (const char  *path,
                                     GError     **error);

/* One transaction for all @rows (I2aLedgerRow). @names caches name -> id
 * for this connection. *@broken as above. */
gboolean   i2a_ledger_db_insert     (sqlite3     *db,
                                     GPtrArray   *rows,
                                     GHashTable  *names,
                                     gboolean    *broken,
                                     GError     **error);
/* Deletes rows finished before @before_ms; returns how many. */
gint64     i2a_ledger_db_prune      (sqlite3     *db,
                                     gint64       before_ms,
                                     GError     **error);
/* I2aUsageGroup per @by since @since_ms. */
GPtrArray *i2a_ledger_db_summary    (sqlite3     *db,
                                     gint64       since_ms,
                                     I2aUsageBy   by,
                                     gboolean     per_day,
                                     GError     **error);

typedef void (*I2aLedgerDbRecentFunc) (gint64      time_ms,
                                       const char *account,
                                       const char *client_key,
                                       gint64      tokens,
                                       gpointer    user_data);
/* Every row since @since_ms, oldest first. */
gboolean   i2a_ledger_db_each_recent (sqlite3              *db,
                                      gint64                since_ms,
                                      I2aLedgerDbRecentFunc func,
                                      gpointer              user_data,
                                      GError              **error);

gboolean   i2a_ledger_db_is_broken_code (int code);

G_END_DECLS

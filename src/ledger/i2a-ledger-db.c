/* i2a-ledger-db.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-ledger"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "i2a-error.h"
#include "i2a-ledger-db.h"

/* Strings repeat on almost every row (endpoint, account, model, key):
 * storing each once in "names" keeps a year of rows several times
 * smaller. The "usage" view reads like the plain table. */
static const char *const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
  "CREATE TABLE requests ("
  "  id INTEGER PRIMARY KEY,"
  "  time_ms INTEGER NOT NULL,"
  "  endpoint INTEGER,"
  "  stream INTEGER NOT NULL,"
  "  client_key INTEGER,"
  "  account INTEGER,"
  "  model_requested INTEGER,"
  "  model_sent INTEGER,"
  "  status INTEGER NOT NULL,"
  "  error_type INTEGER,"
  "  prompt_tokens INTEGER NOT NULL,"
  "  completion_tokens INTEGER NOT NULL,"
  "  reasoning_tokens INTEGER NOT NULL,"
  "  cached_tokens INTEGER NOT NULL,"
  "  estimated INTEGER NOT NULL,"
  "  ttfb_ms INTEGER,"
  "  duration_ms INTEGER NOT NULL,"
  "  bytes_in INTEGER NOT NULL,"
  "  bytes_out INTEGER NOT NULL);"
  "CREATE INDEX requests_time ON requests (time_ms);"
  "CREATE VIEW usage AS SELECT r.id, r.time_ms,"
  "  datetime (r.time_ms / 1000, 'unixepoch') AS time,"
  "  e.name AS endpoint, r.stream, k.name AS client_key, a.name AS account,"
  "  mr.name AS model_requested, ms.name AS model_sent, r.status, et.name AS error_type,"
  "  r.prompt_tokens, r.completion_tokens, r.reasoning_tokens, r.cached_tokens, r.estimated,"
  "  r.ttfb_ms, r.duration_ms, r.bytes_in, r.bytes_out"
  "  FROM requests r"
  "  LEFT JOIN names e ON e.id = r.endpoint LEFT JOIN names k ON k.id = r.client_key"
  "  LEFT JOIN names a ON a.id = r.account LEFT JOIN names mr ON mr.id = r.model_requested"
  "  LEFT JOIN names ms ON ms.id = r.model_sent LEFT JOIN names et ON et.id = r.error_type;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == I2A_LEDGER_SCHEMA_VERSION);

gboolean
i2a_ledger_db_is_broken_code (int code)
{
  switch (code & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
fail (sqlite3     *db,
      int          code,
      const char  *what,
      gboolean    *broken,
      GError     **error)
{
  if (broken && i2a_ledger_db_is_broken_code (code))
    *broken = TRUE;
  g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED, "%s: %s", what,
               db ? sqlite3_errmsg (db) : sqlite3_errstr (code));
  return FALSE;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      gboolean    *broken,
      GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return fail (db, rc, "usage database", broken, error);
  return TRUE;
}

static gint64
user_version (sqlite3 *db,
              int     *rc)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  *rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (*rc == SQLITE_OK && (*rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      v = sqlite3_column_int64 (stmt, 0);
      *rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  return v;
}

static gboolean
migrate (sqlite3     *db,
         gboolean    *broken,
         GError     **error)
{
  int rc;
  gint64 version = user_version (db, &rc);

  if (version < 0)
    return fail (db, rc, "usage database", broken, error);
  if (version > I2A_LEDGER_SCHEMA_VERSION)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED,
                   "usage database: schema version %" G_GINT64_FORMAT " is newer than this "
                   "iflow2api knows (%d)", version, I2A_LEDGER_SCHEMA_VERSION);
      return FALSE;
    }
  for (gint64 v = version; v < I2A_LEDGER_SCHEMA_VERSION; v++)
    {
      g_autofree char *sql = g_strdup_printf ("BEGIN; %s PRAGMA user_version = %" G_GINT64_FORMAT "; COMMIT;",
                                              migrations[v], v + 1);

      if (!exec (db, sql, broken, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }
  return TRUE;
}

/* The file holds what clients did and when: owner-only from the start,
 * before SQLite writes anything into it. */
static gboolean
create_private (const char  *path,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create %s: %s",
                   dir, g_strerror (saved));
      return FALSE;
    }
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot open %s: %s",
                   path, g_strerror (saved));
      return FALSE;
    }
  fchmod (fd, 0600);
  close (fd);
  return TRUE;
}

sqlite3 *
i2a_ledger_db_open (const char  *path,
                    gboolean     read_only,
                    gboolean    *broken,
                    GError     **error)
{
  sqlite3 *db = NULL;
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc;

  *broken = FALSE;
  if (!read_only && !create_private (path, error))
    return NULL;
  rc = sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      fail (db, rc, path, broken, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  /* SQLite's page cache (2 MB by default) fills as the file grows and is
   * kept for the life of the connection: a long-running server would hold
   * most of its ledger in memory for nothing, since rows are appended and
   * reports read them once. 256 KiB holds the indexes' upper pages. */
  if (!exec (db, "PRAGMA cache_size = -256", broken, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  /* WAL: readers (the usage command, the window's queries) never block
   * the writer. NORMAL sync: a power cut may lose the last commits, never
   * the file. */
  if ((!read_only && !exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", broken, error)) ||
      (read_only && !exec (db, "SELECT count(*) FROM sqlite_master", broken, error)) ||
      (!read_only && !migrate (db, broken, error)))
    {
      sqlite3_close (db);
      return NULL;
    }
  if (read_only)
    {
      int rc2;
      gint64 v = user_version (db, &rc2);

      if (v != I2A_LEDGER_SCHEMA_VERSION)
        {
          g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED, "%s: not a usage database of this "
                       "iflow2api (schema version %" G_GINT64_FORMAT ")", path, v);
          sqlite3_close (db);
          return NULL;
        }
    }
  return db;
}

char *
i2a_ledger_db_move_aside (const char  *path,
                          GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.broken-%s", path, stamp);
  static const char *const suffixes[] = { "-wal", "-shm" };

  for (guint n = 2; g_file_test (target, G_FILE_TEST_EXISTS); n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.broken-%s-%u", path, stamp, n);
    }
  if (g_rename (path, target) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot move %s aside: %s",
                   path, g_strerror (saved));
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS))
        g_rename (from, to);
    }
  return g_steal_pointer (&target);
}

/* ---- inserts ------------------------------------------------------------ */

static gint64
name_id (sqlite3     *db,
         GHashTable  *names,
         const char  *name,
         int         *rc)
{
  sqlite3_stmt *stmt = NULL;
  gpointer cached;
  gint64 id = 0;

  if (name == NULL)
    return 0;
  if (g_hash_table_lookup_extended (names, name, NULL, &cached))
    return GPOINTER_TO_SIZE (cached);
  *rc = sqlite3_prepare_v2 (db, "INSERT INTO names (name) VALUES (?1) "
                                "ON CONFLICT (name) DO UPDATE SET name = name RETURNING id",
                            -1, &stmt, NULL);
  if (*rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      *rc = sqlite3_step (stmt);
      if (*rc == SQLITE_ROW)
        {
          id = sqlite3_column_int64 (stmt, 0);
          *rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  if (id > 0)
    g_hash_table_insert (names, g_strdup (name), GSIZE_TO_POINTER ((gsize) id));
  return id;
}

static void
bind_name (sqlite3_stmt *stmt,
           int           index,
           gint64        id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, index, id);
  else
    sqlite3_bind_null (stmt, index);
}

static int
insert_row (sqlite3            *db,
            sqlite3_stmt       *stmt,
            GHashTable         *names,
            const I2aLedgerRow *row)
{
  const char *strings[] = { row->endpoint, row->client_key, row->account,
                            row->model_requested, row->model_sent, row->error_type };
  static const int columns[] = { 2, 4, 5, 6, 7, 9 };
  int rc = SQLITE_OK;

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      gint64 id = name_id (db, names, strings[i], &rc);

      if (rc != SQLITE_OK)
        return rc;
      bind_name (stmt, columns[i], id);
    }
  sqlite3_bind_int64 (stmt, 1, row->time_ms);
  sqlite3_bind_int (stmt, 3, row->stream ? 1 : 0);
  sqlite3_bind_int (stmt, 8, row->status);
  sqlite3_bind_int64 (stmt, 10, row->prompt_tokens);
  sqlite3_bind_int64 (stmt, 11, row->completion_tokens);
  sqlite3_bind_int64 (stmt, 12, row->reasoning_tokens);
  sqlite3_bind_int64 (stmt, 13, row->cached_tokens);
  sqlite3_bind_int (stmt, 14, row->estimated ? 1 : 0);
  if (row->ttfb_ms >= 0)
    sqlite3_bind_int64 (stmt, 15, row->ttfb_ms);
  sqlite3_bind_int64 (stmt, 16, row->duration_ms);
  sqlite3_bind_int64 (stmt, 17, row->bytes_in);
  sqlite3_bind_int64 (stmt, 18, row->bytes_out);
  rc = sqlite3_step (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

gboolean
i2a_ledger_db_insert (sqlite3     *db,
                      GPtrArray   *rows,
                      GHashTable  *names,
                      gboolean    *broken,
                      GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *broken = FALSE;
  if (!exec (db, "BEGIN IMMEDIATE", broken, error))
    return FALSE;
  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO requests (time_ms, endpoint, stream, client_key, account, "
                           "model_requested, model_sent, status, error_type, prompt_tokens, "
                           "completion_tokens, reasoning_tokens, cached_tokens, estimated, ttfb_ms, "
                           "duration_ms, bytes_in, bytes_out) VALUES "
                           "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                           -1, &stmt, NULL);
  for (guint i = 0; rc == SQLITE_OK && i < rows->len; i++)
    rc = insert_row (db, stmt, names, rows->pdata[i]);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    {
      fail (db, rc, "usage database", broken, error);
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      /* Ids of names inserted in the rolled-back transaction are gone. */
      g_hash_table_remove_all (names);
      return FALSE;
    }
  if (!exec (db, "COMMIT", broken, error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      g_hash_table_remove_all (names);
      return FALSE;
    }
  return TRUE;
}

gint64
i2a_ledger_db_prune (sqlite3     *db,
                     gint64       before_ms,
                     GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "DELETE FROM requests WHERE time_ms < ?1", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, before_ms);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      fail (db, rc, "usage database", NULL, error);
      return -1;
    }
  return sqlite3_changes64 (db);
}

/* ---- reading ------------------------------------------------------------ */

static const char *
group_expr (I2aUsageBy by)
{
  switch (by)
    {
    case I2A_USAGE_BY_ACCOUNT:  return "account";
    case I2A_USAGE_BY_MODEL:    return "model_requested";
    case I2A_USAGE_BY_KEY:      return "client_key";
    case I2A_USAGE_BY_ENDPOINT: return "endpoint";
    case I2A_USAGE_BY_DAY:
    default:                    return "date (time_ms / 1000, 'unixepoch', 'localtime')";
    }
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           i)
{
  const unsigned char *text = sqlite3_column_text (stmt, i);

  return g_strdup (text ? (const char *) text : "");
}

GPtrArray *
i2a_ledger_db_summary (sqlite3     *db,
                       gint64       since_ms,
                       I2aUsageBy   by,
                       gboolean     per_day,
                       GError     **error)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) i2a_usage_group_free);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  sql = g_strdup_printf ("SELECT %s, %s, count (*), sum (status >= 400), sum (prompt_tokens), "
                         "sum (completion_tokens), sum (reasoning_tokens), sum (cached_tokens), "
                         "sum (estimated) FROM usage WHERE time_ms >= ?1 GROUP BY 1, 2 ORDER BY 1, 2",
                         per_day ? group_expr (I2A_USAGE_BY_DAY) : "''", group_expr (by));
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    sqlite3_bind_int64 (stmt, 1, since_ms);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      I2aUsageGroup *g = g_new0 (I2aUsageGroup, 1);

      g->day = per_day ? dup_column (stmt, 0) : NULL;
      g->key = dup_column (stmt, 1);
      g->requests = sqlite3_column_int64 (stmt, 2);
      g->errors = sqlite3_column_int64 (stmt, 3);
      g->prompt_tokens = sqlite3_column_int64 (stmt, 4);
      g->completion_tokens = sqlite3_column_int64 (stmt, 5);
      g->reasoning_tokens = sqlite3_column_int64 (stmt, 6);
      g->cached_tokens = sqlite3_column_int64 (stmt, 7);
      g->estimated = sqlite3_column_int64 (stmt, 8);
      g_ptr_array_add (groups, g);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      fail (db, rc, "usage database", NULL, error);
      return NULL;
    }
  return g_steal_pointer (&groups);
}

gboolean
i2a_ledger_db_each_recent (sqlite3              *db,
                           gint64                since_ms,
                           I2aLedgerDbRecentFunc func,
                           gpointer              user_data,
                           GError              **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "SELECT time_ms, account, client_key, "
                                   "prompt_tokens + completion_tokens FROM usage "
                                   "WHERE time_ms >= ?1 ORDER BY time_ms", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    sqlite3_bind_int64 (stmt, 1, since_ms);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      func (sqlite3_column_int64 (stmt, 0), (const char *) sqlite3_column_text (stmt, 1),
            (const char *) sqlite3_column_text (stmt, 2), sqlite3_column_int64 (stmt, 3), user_data);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return fail (db, rc, "usage database", NULL, error);
  return TRUE;
}

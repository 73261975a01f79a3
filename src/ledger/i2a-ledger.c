/* i2a-ledger.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The ledger object: the queue the main thread appends to, the writer
 * thread that commits it, recovery from a broken database, and the
 * in-memory windows for quotas and limits. SQL is in i2a-ledger-db.c. */
#define G_LOG_DOMAIN "i2a-ledger"

#include "config.h"

#include "i2a-error.h"
#include "i2a-ledger-db.h"

/* Longest window anything asks about (a 7-day quota), plus a day. */
#define RECENT_MS        (8 * 24 * 3600 * G_GINT64_CONSTANT (1000))
#define PRUNE_EVERY_US   (24 * 3600 * G_GINT64_CONSTANT (1000000))
/* Rows kept for another try while the disk refuses them. */
#define MAX_RETRY_ROWS   20000

struct _I2aLedger
{
  GObject       parent_instance;

  char         *path;
  GMainContext *context;        /* where signals are emitted */
  GHashTable   *windows;        /* "a:ID" / "k:ID" / "*" -> I2aUsageWindow; main thread */
  gint          retention_days; /* atomic */

  /* shared with the writer, under lock */
  GMutex        lock;
  GCond         cond;
  GPtrArray    *queue;          /* I2aLedgerRow * */
  GQueue        jobs;           /* GTask * (queries) */
  guint64       flush_wanted;
  guint64       flush_done;
  gboolean      stopping;
  GThread      *thread;

  /* the writer's own */
  sqlite3      *db;
  GHashTable   *names;
  gint64        last_prune;     /* monotonic µs */
  gint64        last_reopen;
};

G_DEFINE_FINAL_TYPE (I2aLedger, i2a_ledger, G_TYPE_OBJECT)

enum { RECORDED, DATABASE_REPLACED, N_SIGNALS };
static guint signals[N_SIGNALS];

char *
i2a_ledger_default_path (void)
{
  const char *env = g_getenv ("IFLOW2API_USAGE_DB");

  if (g_strcmp0 (env, "off") == 0)
    return NULL;
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "iflow2api", "usage.db", NULL);
}

I2aLedger *
i2a_ledger_open_default (void)
{
  g_autofree char *path = i2a_ledger_default_path ();
  g_autoptr(GError) error = NULL;
  I2aLedger *ledger;

  if (path == NULL)
    return NULL;
  ledger = i2a_ledger_open (path, &error);
  if (ledger == NULL)
    g_warning ("Usage is not recorded: %s", error->message);
  return ledger;
}

/* ---- signals from the writer ---------------------------------------------- */

typedef struct
{
  I2aLedger *ledger;
  char      *moved_to;
  char      *reason;
} Replaced;

static gboolean
emit_replaced_cb (gpointer data)
{
  Replaced *r = data;

  g_signal_emit (r->ledger, signals[DATABASE_REPLACED], 0, r->moved_to, r->reason);
  return G_SOURCE_REMOVE;
}

static void
replaced_free (gpointer data)
{
  Replaced *r = data;

  g_object_unref (r->ledger);
  g_free (r->moved_to);
  g_free (r->reason);
  g_free (r);
}

static void
announce_replaced (I2aLedger  *self,
                   const char *moved_to,
                   const char *reason)
{
  Replaced *r = g_new0 (Replaced, 1);
  GSource *source = g_idle_source_new ();

  g_warning ("The usage database %s was unusable (%s); moved it to %s and started a new one",
             self->path, reason, moved_to);
  r->ledger = g_object_ref (self);
  r->moved_to = g_strdup (moved_to);
  r->reason = g_strdup (reason);
  g_source_set_callback (source, emit_replaced_cb, r, replaced_free);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* ---- opening and recovery --------------------------------------------------- */

/* Open, and when the file is broken move it aside and start afresh. */
static sqlite3 *
open_or_replace (I2aLedger  *self,
                 GError    **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *moved_to = NULL;
  gboolean broken = FALSE;
  sqlite3 *db = i2a_ledger_db_open (self->path, FALSE, &broken, &local);

  if (db != NULL || !broken || !g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      if (db == NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      return db;
    }
  moved_to = i2a_ledger_db_move_aside (self->path, error);
  if (moved_to == NULL)
    return NULL;
  announce_replaced (self, moved_to, local->message);
  return i2a_ledger_db_open (self->path, FALSE, &broken, error);
}

static void
replace_broken (I2aLedger  *self,
                const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *moved_to = NULL;
  gboolean broken;

  g_clear_pointer (&self->db, sqlite3_close);
  g_hash_table_remove_all (self->names);
  moved_to = i2a_ledger_db_move_aside (self->path, &error);
  if (moved_to == NULL)
    {
      g_warning ("The usage database is unusable (%s) and cannot be moved aside: %s",
                 reason, error->message);
      return;
    }
  announce_replaced (self, moved_to, reason);
  self->db = i2a_ledger_db_open (self->path, FALSE, &broken, &error);
  if (self->db == NULL)
    g_warning ("Cannot start a new usage database: %s", error->message);
}

/* ---- the writer thread ---------------------------------------------------------- */

static void
write_rows (I2aLedger *self,
            GPtrArray *rows)
{
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(GError) error = NULL;
      gboolean broken = FALSE;

      if (self->db == NULL)
        {
          gint64 now = g_get_monotonic_time ();

          /* Retry a missing database now and then, not on every batch. */
          if (now - self->last_reopen < 10 * G_USEC_PER_SEC)
            break;
          self->last_reopen = now;
          self->db = open_or_replace (self, &error);
          if (self->db == NULL)
            {
              g_warning ("Usage not recorded: %s", error->message);
              break;
            }
        }
      if (i2a_ledger_db_insert (self->db, rows, self->names, &broken, &error))
        {
          g_ptr_array_set_size (rows, 0);
          return;
        }
      if (!broken)
        {
          g_warning ("Usage rows not written yet: %s", error->message);
          break;
        }
      replace_broken (self, error->message);
    }
  /* Keep them (ahead of newer rows) for the next round, within bounds. */
  g_mutex_lock (&self->lock);
  if (self->queue->len + rows->len <= MAX_RETRY_ROWS)
    {
      GPtrArray *newer = g_steal_pointer (&self->queue);

      self->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) i2a_ledger_row_free);
      g_ptr_array_set_free_func (rows, NULL);
      g_ptr_array_set_free_func (newer, NULL);
      g_ptr_array_extend (self->queue, rows, NULL, NULL);
      g_ptr_array_extend (self->queue, newer, NULL, NULL);
      g_ptr_array_unref (newer);
      g_ptr_array_set_size (rows, 0);
      g_ptr_array_set_free_func (rows, (GDestroyNotify) i2a_ledger_row_free);
    }
  else
    g_warning ("Dropped %u usage rows: the database keeps refusing them", rows->len);
  g_mutex_unlock (&self->lock);
  g_ptr_array_set_size (rows, 0);
}

static void
prune (I2aLedger *self)
{
  guint days = (guint) g_atomic_int_get (&self->retention_days);
  g_autoptr(GError) error = NULL;
  gint64 deleted;

  self->last_prune = g_get_monotonic_time ();
  if (days == 0 || self->db == NULL)
    return;
  deleted = i2a_ledger_db_prune (self->db, g_get_real_time () / 1000 - (gint64) days * 24 * 3600 * 1000, &error);
  if (deleted < 0)
    g_warning ("Pruning the usage database failed: %s", error->message);
  else if (deleted > 0)
    g_info ("Pruned %" G_GINT64_FORMAT " usage rows older than %u days", deleted, days);
}

typedef struct
{
  gint64     since_ms;
  I2aUsageBy by;
  gboolean   per_day;
} Query;

static void
run_job (I2aLedger *self,
         GTask     *task)
{
  Query *q = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *groups;

  if (self->db == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED, "The usage database is not available");
      return;
    }
  groups = i2a_ledger_db_summary (self->db, q->since_ms, q->by, q->per_day, &error);
  if (groups)
    g_task_return_pointer (task, groups, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

static gpointer
writer_thread (gpointer data)
{
  I2aLedger *self = data;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) i2a_ledger_row_free);

  prune (self);
  g_mutex_lock (&self->lock);
  for (;;)
    {
      GQueue jobs = G_QUEUE_INIT;
      guint64 flush_target;
      gboolean stop;
      gint64 deadline;

      /* Idle: sleep until a row comes (or the daily prune is due). Rows
       * waiting: commit within a second, or at once when a batch is full. */
      deadline = g_get_monotonic_time () + (self->queue->len > 0 ? G_USEC_PER_SEC : PRUNE_EVERY_US);
      while (!self->stopping && self->queue->len < I2A_LEDGER_BATCH_ROWS &&
             self->flush_wanted == self->flush_done && self->jobs.length == 0)
        {
          if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
            break;
          if (self->queue->len > 0 && deadline - g_get_monotonic_time () > G_USEC_PER_SEC)
            deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
        }
      g_ptr_array_extend_and_steal (rows, g_steal_pointer (&self->queue));
      self->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) i2a_ledger_row_free);
      jobs = self->jobs;
      g_queue_init (&self->jobs);
      flush_target = self->flush_wanted;
      stop = self->stopping;
      g_mutex_unlock (&self->lock);

      if (rows->len > 0)
        write_rows (self, rows);
      if (g_get_monotonic_time () - self->last_prune >= PRUNE_EVERY_US)
        prune (self);
      for (GList *l = jobs.head; l; l = l->next)
        {
          run_job (self, l->data);
          g_object_unref (l->data);
        }
      g_queue_clear (&jobs);

      g_mutex_lock (&self->lock);
      self->flush_done = flush_target;
      g_cond_broadcast (&self->cond);
      if (stop && self->queue->len == 0 && self->jobs.length == 0)
        break;
    }
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->db, sqlite3_close);
  return NULL;
}

/* ---- the in-memory windows ------------------------------------------------------ */

static I2aUsageWindow *
window_for (I2aLedger  *self,
            const char *prefix,
            const char *id)
{
  g_autofree char *key = g_strconcat (prefix, id, NULL);
  I2aUsageWindow *w = g_hash_table_lookup (self->windows, key);

  if (w == NULL)
    {
      w = i2a_usage_window_new ();
      g_hash_table_insert (self->windows, g_steal_pointer (&key), w);
    }
  return w;
}

static void
account_event (I2aLedger  *self,
               gint64      time_ms,
               const char *account,
               const char *client_key,
               gint64      tokens)
{
  i2a_usage_window_add (window_for (self, "*", ""), time_ms, tokens);
  if (account)
    i2a_usage_window_add (window_for (self, "a:", account), time_ms, tokens);
  if (client_key)
    i2a_usage_window_add (window_for (self, "k:", client_key), time_ms, tokens);
}

static void
recent_cb (gint64      time_ms,
           const char *account,
           const char *client_key,
           gint64      tokens,
           gpointer    user_data)
{
  account_event (user_data, time_ms, account, client_key, tokens);
}

I2aUsageWindow *
i2a_ledger_get_window (I2aLedger    *self,
                       I2aUsageScope scope,
                       const char   *id)
{
  g_autofree char *key = NULL;
  I2aUsageWindow *w;
  gint64 now = g_get_real_time () / 1000;

  g_return_val_if_fail (I2A_IS_LEDGER (self), NULL);
  key = scope == I2A_USAGE_SCOPE_ALL ? g_strdup ("*")
        : g_strconcat (scope == I2A_USAGE_SCOPE_ACCOUNT ? "a:" : "k:", id, NULL);
  w = g_hash_table_lookup (self->windows, key);
  if (w)
    i2a_usage_window_prune (w, now - RECENT_MS);
  return w;
}

void
i2a_ledger_get_today (I2aLedger    *self,
                      I2aUsageScope scope,
                      const char   *id,
                      gint64       *requests,
                      gint64       *tokens)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                          g_date_time_get_month (now),
                                                          g_date_time_get_day_of_month (now), 0, 0, 0);
  gint64 now_ms = g_date_time_to_unix (now) * 1000 + g_date_time_get_microsecond (now) / 1000;
  I2aUsageWindow *w = i2a_ledger_get_window (self, scope, id);

  *requests = 0;
  *tokens = 0;
  if (w)
    i2a_usage_window_sum (w, now_ms, now_ms - g_date_time_to_unix (midnight) * 1000 + 1,
                          requests, tokens);
}

/* ---- public ---------------------------------------------------------------------- */

I2aLedger *
i2a_ledger_open (const char  *path,
                 GError     **error)
{
  g_autoptr(I2aLedger) self = g_object_new (I2A_TYPE_LEDGER, NULL);
  g_autoptr(GError) local = NULL;

  self->path = g_strdup (path);
  self->db = open_or_replace (self, error);
  if (self->db == NULL)
    return NULL;
  if (!i2a_ledger_db_each_recent (self->db, g_get_real_time () / 1000 - RECENT_MS, recent_cb, self, &local))
    g_warning ("Could not read recent usage for quotas: %s", local->message);
  self->thread = g_thread_new ("i2a-ledger", writer_thread, self);
  return g_steal_pointer (&self);
}

const char *
i2a_ledger_get_path (I2aLedger *self)
{
  return self->path;
}

void
i2a_ledger_set_retention_days (I2aLedger *self,
                               guint      days)
{
  g_atomic_int_set (&self->retention_days, (gint) MIN (days, G_MAXINT));
}

guint
i2a_ledger_get_retention_days (I2aLedger *self)
{
  return (guint) g_atomic_int_get (&self->retention_days);
}

void
i2a_ledger_record (I2aLedger    *self,
                   I2aLedgerRow *row)
{
  g_return_if_fail (I2A_IS_LEDGER (self));

  /* Only what a quota or limit can still ask about stays in memory. */
  if (row->time_ms >= g_get_real_time () / 1000 - RECENT_MS)
    account_event (self, row->time_ms, row->account, row->client_key,
                   row->prompt_tokens + row->completion_tokens);
  g_signal_emit (self, signals[RECORDED], 0, row);
  g_mutex_lock (&self->lock);
  if (self->thread == NULL)
    {
      g_mutex_unlock (&self->lock);
      i2a_ledger_row_free (row);
      return;
    }
  g_ptr_array_add (self->queue, row);
  /* The first row starts the one-second clock; a full batch goes now. */
  if (self->queue->len == 1 || self->queue->len >= I2A_LEDGER_BATCH_ROWS)
    g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
i2a_ledger_flush (I2aLedger *self)
{
  guint64 target;

  g_mutex_lock (&self->lock);
  if (self->thread != NULL)
    {
      target = ++self->flush_wanted;
      g_cond_broadcast (&self->cond);
      while (self->flush_done < target)
        g_cond_wait (&self->cond, &self->lock);
    }
  g_mutex_unlock (&self->lock);
}

void
i2a_ledger_close (I2aLedger *self)
{
  GThread *thread;

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  thread = g_steal_pointer (&self->thread);
  g_mutex_unlock (&self->lock);
  if (thread)
    g_thread_join (thread);
  g_clear_pointer (&self->db, sqlite3_close);
}

static void
query_async (I2aLedger           *self,
             gint64               since_ms,
             I2aUsageBy           by,
             gboolean             per_day,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Query *q = g_new0 (Query, 1);

  g_task_set_source_tag (task, tag);
  q->since_ms = since_ms;
  q->by = by;
  q->per_day = per_day;
  g_task_set_task_data (task, q, g_free);
  g_mutex_lock (&self->lock);
  if (self->thread == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED, "The usage ledger is closed");
      g_object_unref (task);
      return;
    }
  g_queue_push_tail (&self->jobs, task);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
i2a_ledger_query_async (I2aLedger           *self,
                        gint64               since_ms,
                        I2aUsageBy           by,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  query_async (self, since_ms, by, FALSE, cancellable, callback, user_data, i2a_ledger_query_async);
}

GPtrArray *
i2a_ledger_query_finish (I2aLedger     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
i2a_ledger_query_days_async (I2aLedger           *self,
                             gint64               since_ms,
                             I2aUsageBy           by,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  query_async (self, since_ms, by, TRUE, cancellable, callback, user_data, i2a_ledger_query_days_async);
}

GPtrArray *
i2a_ledger_query_days_finish (I2aLedger     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
i2a_ledger_read_summary (const char  *path,
                         gint64       since_ms,
                         I2aUsageBy   by,
                         GError     **error)
{
  gboolean broken;
  sqlite3 *db;
  GPtrArray *groups;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_ptr_array_new_with_free_func ((GDestroyNotify) i2a_usage_group_free);
  db = i2a_ledger_db_open (path, TRUE, &broken, error);
  if (db == NULL)
    return NULL;
  groups = i2a_ledger_db_summary (db, since_ms, by, FALSE, error);
  sqlite3_close (db);
  return groups;
}

static void
collect_cb (gint64      time_ms,
            const char *account,
            const char *client_key,
            gint64      tokens,
            gpointer    user_data)
{
  GHashTable *windows = user_data;
  const char *prefixes[] = { "*", "a:", "k:" };
  const char *ids[] = { "", account, client_key };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *key = NULL;
      I2aUsageWindow *w;

      if (ids[i] == NULL)
        continue;
      key = g_strconcat (prefixes[i], ids[i], NULL);
      w = g_hash_table_lookup (windows, key);
      if (w == NULL)
        {
          w = i2a_usage_window_new ();
          g_hash_table_insert (windows, g_steal_pointer (&key), w);
        }
      i2a_usage_window_add (w, time_ms, tokens);
    }
}

GHashTable *
i2a_ledger_read_windows (const char  *path,
                         GError     **error)
{
  g_autoptr(GHashTable) windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) i2a_usage_window_free);
  gboolean broken;
  sqlite3 *db;
  gboolean ok;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&windows);
  db = i2a_ledger_db_open (path, TRUE, &broken, error);
  if (db == NULL)
    return NULL;
  ok = i2a_ledger_db_each_recent (db, g_get_real_time () / 1000 - RECENT_MS, collect_cb, windows, error);
  sqlite3_close (db);
  return ok ? g_steal_pointer (&windows) : NULL;
}

static void
i2a_ledger_finalize (GObject *object)
{
  I2aLedger *self = I2A_LEDGER (object);

  i2a_ledger_close (self);
  g_ptr_array_unref (self->queue);
  g_hash_table_unref (self->windows);
  g_hash_table_unref (self->names);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->path);
  G_OBJECT_CLASS (i2a_ledger_parent_class)->finalize (object);
}

static void
i2a_ledger_class_init (I2aLedgerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = i2a_ledger_finalize;

  signals[RECORDED] = g_signal_new ("recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[DATABASE_REPLACED] = g_signal_new ("database-replaced", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
i2a_ledger_init (I2aLedger *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) i2a_ledger_row_free);
  self->windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) i2a_usage_window_free);
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->retention_days = I2A_LEDGER_DEFAULT_RETENTION_DAYS;
  self->last_reopen = G_MININT64 / 2;
}

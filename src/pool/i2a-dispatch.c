/* i2a-dispatch.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-dispatch"

#include "config.h"

#include "i2a-error.h"
#include "i2a-model-index.h"
#include "i2a-pool-private.h"
#include "i2a-routing.h"

/* One client request's way through the pool: pick an account of its route
 * (strategy, health, capacity), wait in the pool's FIFO queue when every
 * eligible account is at its max_concurrency, and feed each attempt's
 * outcome to the circuit breaker. */

struct _I2aDispatch
{
  GObject        parent_instance;

  I2aPool       *pool;
  I2aKeysConfig *config;        /* keeps @route alive across reloads */
  I2aKeysRoute  *route;         /* NULL: every configured account */
  I2aAccount    *current;       /* holds a slot while set */
  gboolean       current_trial; /* the half-open trial of its account */
  GCancellable  *cancellable;   /* of the last acquire: the client's */
  GPtrArray     *tried;
  guint          attempts;
  I2aApiError   *last_outcome;

  /* OAuth: refresh before forwarding, one retry after "token expired" */
  I2aAccount    *retry_same;    /* the next acquire takes this account */
  gboolean       token_retried;
  gint64         key_since;     /* monotonic µs the caller got the account */
  gint64         rejected_since;

  /* The model asked for (aliases, fallbacks) and the conversation */
  I2aRouting    *routing;
};

G_DEFINE_FINAL_TYPE (I2aDispatch, i2a_dispatch, G_TYPE_OBJECT)

typedef enum
{
  PICK_OK,
  PICK_BUSY,      /* eligible accounts exist, all at their limit */
  PICK_OPEN,      /* every remaining account's circuit is open */
  PICK_QUOTA,     /* every remaining account is out of its quota */
  PICK_TRIED,     /* only accounts this request already failed on */
  PICK_NO_KEY,    /* enabled accounts, none logged in */
  PICK_DISABLED,
  PICK_NONE,
  PICK_NO_MODEL,  /* no account of the route serves the model */
} PickResult;

typedef struct
{
  I2aDispatch *dispatch;
  GTask       *task;
  GSource     *cancel_source;
  guint        timeout_id;
  GPtrArray   *counted;       /* accounts whose "queued" we raised */
  I2aAccount  *account;       /* result, or */
  I2aApiError *error;
} Waiter;

/* ---- candidates and selection ------------------------------------------- */

/* The CLI login alone is served as before: nothing to fail over to, and
 * refusing its requests would only hide the upstream's own answer. */
static gboolean
breaker_on (I2aPool *pool)
{
  return pool->config->resilience.enabled && i2a_pool_is_multi_account (pool);
}

static GPtrArray *
candidates (I2aDispatch *self)
{
  I2aPool *pool = self->pool;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->retry_same != NULL)
    g_ptr_array_add (out, g_object_ref (self->retry_same));
  else if (!i2a_pool_is_multi_account (pool))
    g_ptr_array_add (out, g_object_ref (pool->cli_account));
  else if (self->route == NULL)
    for (guint i = 0; i < pool->accounts->len; i++)
      g_ptr_array_add (out, g_object_ref (pool->accounts->pdata[i]));
  else
    for (guint i = 0; self->route->accounts[i]; i++)
      {
        /* By id in the live list: a reload may have replaced the rest. */
        for (guint j = 0; j < pool->accounts->len; j++)
          if (g_strcmp0 (i2a_account_get_id (pool->accounts->pdata[j]), self->route->accounts[i]) == 0)
            g_ptr_array_add (out, g_object_ref (pool->accounts->pdata[j]));
      }
  /* Only accounts that serve the model (an unknown list serves any). The
   * iFlow CLI's login alone is served as before, whatever the model. */
  for (guint i = out->len; self->routing != NULL && i2a_pool_is_multi_account (pool) && i > 0; i--)
    if (!i2a_routing_serves (self->routing, out->pdata[i - 1]))
      g_ptr_array_remove_index (out, i - 1);
  return out;
}

static gboolean
sticky_on (I2aDispatch *self)
{
  return i2a_routing_get_session (self->routing) != NULL &&
         (self->route == NULL || self->route->sticky);
}

/* The account this conversation used last, when it is a candidate. */
static gint
sticky_index (I2aDispatch *self,
              GPtrArray   *cands)
{
  const char *id = sticky_on (self) && i2a_routing_follows (self->routing) ? i2a_pool_sticky_lookup (self->pool, i2a_routing_get_session (self->routing))
                                    : NULL;

  for (guint i = 0; id != NULL && i < cands->len; i++)
    if (g_str_equal (i2a_account_get_id (cands->pdata[i]), id))
      return (gint) i;
  return -1;
}

/* @account: set on PICK_OK (transfer full); NULL for a dry run that
 * leaves the rotation alone. @retry_after: seconds on PICK_OPEN. */
static PickResult
pick (I2aDispatch  *self,
      I2aAccount  **account,
      gint         *retry_after)
{
  g_autoptr(GPtrArray) cands = candidates (self);
  gboolean breaker = breaker_on (self->pool);
  I2aStrategy strategy = self->route ? self->route->strategy : I2A_STRATEGY_LEAST_BUSY;
  guint *cursor = self->route ? &self->route->cursor : &self->pool->all_cursor;
  g_autofree gboolean *eligible = g_new0 (gboolean, cands->len + 1);
  guint n_busy = 0, n_open = 0, n_tried = 0, n_nokey = 0, n_disabled = 0, n_eligible = 0, n_quota = 0;
  gint64 quota_at = G_MAXINT64, free_at;
  guint min_in_flight = G_MAXUINT;
  gint64 now = g_get_monotonic_time ();
  gint64 wait = G_MAXINT64;
  gint sticky;

  if (cands->len == 0 && i2a_routing_get_model (self->routing) != NULL && i2a_pool_is_multi_account (self->pool))
    return PICK_NO_MODEL;
  for (guint i = 0; i < cands->len; i++)
    {
      I2aAccount *a = cands->pdata[i];
      I2aPoolSlot *slot = _i2a_pool_slot (a);
      guint max = i2a_account_get_max_concurrency (a);

      if (!i2a_account_get_enabled (a))
        n_disabled++;
      else if (!i2a_account_is_usable (a))
        n_nokey++;
      else if (g_ptr_array_find (self->tried, a, NULL))
        n_tried++;
      else if (breaker && slot->open_until > now)
        {
          n_open++;
          wait = MIN (wait, slot->open_until - now);
        }
      else if (breaker && slot->open_until != 0 && slot->trial_active)
        {
          /* Half-open, its one trial is running. */
          n_open++;
          wait = MIN (wait, G_USEC_PER_SEC);
        }
      else if (max > 0 && i2a_account_get_in_flight (a) >= max)
        n_busy++;
      else if ((free_at = i2a_pool_quota_free_at (self->pool, a)) != 0)
        {
          n_quota++;
          quota_at = MIN (quota_at, free_at);
        }
      else
        {
          eligible[i] = TRUE;
          n_eligible++;
          min_in_flight = MIN (min_in_flight, i2a_account_get_in_flight (a));
        }
    }

  /* A conversation stays on its account while that one is healthy and
   * has a free slot. */
  sticky = n_eligible > 0 ? sticky_index (self, cands) : -1;
  if (sticky >= 0 && eligible[sticky])
    {
      if (account != NULL)
        *account = g_object_ref (cands->pdata[sticky]);
      return PICK_OK;
    }
  if (n_eligible > 0)
    {
      guint n = cands->len;
      guint start = *cursor % n;

      /* Start after the last pick: ties rotate, round robin rotates over
       * the healthy members only. */
      for (guint k = 0; k < n; k++)
        {
          guint i = (start + k) % n;

          if (!eligible[i])
            continue;
          if (strategy == I2A_STRATEGY_LEAST_BUSY &&
              i2a_account_get_in_flight (cands->pdata[i]) != min_in_flight)
            continue;
          if (account != NULL)
            {
              *cursor = i + 1;
              *account = g_object_ref (cands->pdata[i]);
            }
          return PICK_OK;
        }
      g_assert_not_reached ();
    }
  if (n_busy > 0)
    return PICK_BUSY;
  if (n_open > 0)
    {
      *retry_after = (gint) MAX (1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      return PICK_OPEN;
    }
  if (n_quota > 0)
    {
      gint64 left = quota_at == G_MAXINT64 ? 1000 : quota_at - g_get_real_time () / 1000;

      *retry_after = (gint) MAX (1, (left + 999) / 1000);
      return PICK_QUOTA;
    }
  if (n_tried > 0)
    return PICK_TRIED;
  if (n_nokey > 0)
    return PICK_NO_KEY;
  if (n_disabled > 0)
    return PICK_DISABLED;
  return PICK_NONE;
}

static I2aApiError *
model_not_found (I2aDispatch *self)
{
  const char *model = i2a_routing_get_model (self->routing);
  g_auto(GStrv) close = i2a_pool_suggest_models_for_route (self->pool, self->route, model, 3);
  g_autofree char *list = g_strjoinv ("”, “", close);

  if (close[0] == NULL)
    return i2a_api_error_new (404, "invalid_request_error", "model_not_found",
                              "The model “%s” is not served by any account for this API key", model);
  return i2a_api_error_new (404, "invalid_request_error", "model_not_found",
                            "The model “%s” is not served by any account for this API key; "
                            "closest known: “%s”", model, list);
}

static I2aApiError *
pick_error (I2aDispatch *self,
            PickResult   result,
            gint         retry_after)
{
  I2aApiError *error;

  /* On a failover attempt the first account's error says more. */
  if (self->last_outcome && (result == PICK_OPEN || result == PICK_TRIED))
    return i2a_api_error_copy (self->last_outcome);

  switch (result)
    {
    case PICK_OPEN:
      error = i2a_api_error_new (503, "service_unavailable", "accounts_cooling_down",
                                 "Every account for this API key failed repeatedly and is cooling down; "
                                 "retry in %d s", retry_after);
      error->retry_after = retry_after;
      return error;
    case PICK_QUOTA:
      error = i2a_api_error_new (429, "rate_limit_error", "quota_exhausted",
                                 "Every account for this API key has used up its quota; the first "
                                 "has room again in %d s", retry_after);
      error->retry_after = retry_after;
      _i2a_pool_emit_quota_exhausted (self->pool, self->route ? self->route->key_id : NULL,
                                      (guint) retry_after);
      return error;
    case PICK_NO_KEY:
      if (!i2a_pool_is_multi_account (self->pool))
        return i2a_api_error_new (401, "authentication_error", "not_logged_in",
                                  "Not logged in to iFlow. Log in with `iflow2api login`, "
                                  "with the iFlow CLI (`iflow`), or add an account to "
                                  "~/.iflow2api/keys.json.");
      return i2a_api_error_new (401, "authentication_error", "not_logged_in",
                                "No account for this API key is logged in. Log in again in iflow2api "
                                "or set \"api_key\" for the account in keys.json.");
    case PICK_DISABLED:
      return i2a_api_error_new (503, "service_unavailable", "accounts_disabled",
                                "Every account for this API key is disabled; enable one in keys.json "
                                "or in iflow2api.");
    case PICK_NO_MODEL:
      return model_not_found (self);
    case PICK_TRIED:
    case PICK_NONE:
    case PICK_OK:
    case PICK_BUSY:
    default:
      return i2a_api_error_new (503, "service_unavailable", "no_account",
                                "No account is available for this API key");
    }
}

/* Take a slot on @account (transfer full) for the next attempt. */
static void
grant (I2aDispatch *self,
       I2aAccount  *account)
{
  I2aPoolSlot *slot = _i2a_pool_slot (account);

  self->current = account;
  self->current_trial = FALSE;
  if (breaker_on (self->pool) && slot->open_until != 0 &&
      slot->open_until <= g_get_monotonic_time ())
    {
      slot->trial_active = TRUE;
      self->current_trial = TRUE;
      g_info ("Account %s: cool-down over, sending one trial request", i2a_account_get_id (account));
    }
  self->attempts++;
  g_ptr_array_add (self->tried, g_object_ref (account));
  if (sticky_on (self))
    i2a_pool_sticky_set (self->pool, i2a_routing_get_session (self->routing), i2a_account_get_id (account));
  i2a_account_set_in_flight (account, i2a_account_get_in_flight (account) + 1);
}

/* ---- the queue ---------------------------------------------------------- */

static gboolean
waiter_return_cb (gpointer user_data)
{
  Waiter *w = user_data;

  g_task_return_pointer (w->task, w, NULL);
  return G_SOURCE_REMOVE;
}

static void
waiter_free (Waiter *w)
{
  g_clear_object (&w->account);
  g_clear_pointer (&w->error, i2a_api_error_free);
  g_object_unref (w->task);
  g_free (w);
}

/* Leave the queue with @account (transfer full) or @error (transfer full). */
static void
waiter_complete (Waiter      *w,
                 I2aAccount  *account,
                 I2aApiError *error)
{
  I2aPool *pool = w->dispatch->pool;

  g_queue_remove (&pool->waiters, w);
  if (w->cancel_source)
    {
      g_source_destroy (w->cancel_source);
      g_clear_pointer (&w->cancel_source, g_source_unref);
    }
  g_clear_handle_id (&w->timeout_id, g_source_remove);
  for (guint i = 0; i < w->counted->len; i++)
    {
      I2aAccount *a = w->counted->pdata[i];
      guint q = i2a_account_get_queued (a);

      i2a_account_set_queued (a, q > 0 ? q - 1 : 0);
    }
  g_clear_pointer (&w->counted, g_ptr_array_unref);
  w->account = account;
  w->error = error;
  if (account)
    grant (w->dispatch, g_object_ref (account));
  _i2a_pool_notify_queue (pool);
  /* Never call back into the server from inside its own release(). */
  g_idle_add_full (G_PRIORITY_DEFAULT, waiter_return_cb, w, NULL);
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *w = user_data;

  g_debug ("A queued request's client went away; it leaves the queue");
  waiter_complete (w, NULL, i2a_api_error_new (499, "request_cancelled", "client_closed",
                                               "The client closed the connection while queued"));
  return G_SOURCE_REMOVE;
}

static gboolean
waiter_timeout_cb (gpointer user_data)
{
  Waiter *w = user_data;
  I2aApiError *error;

  w->timeout_id = 0;
  error = i2a_api_error_new (429, "rate_limit_error", "queue_timeout",
                             "Every account for this API key stayed at its max_concurrency for %u s; "
                             "retry later or raise max_concurrency in keys.json",
                             w->dispatch->pool->config->queue_max_wait_seconds);
  error->retry_after = 1;
  waiter_complete (w, NULL, error);
  return G_SOURCE_REMOVE;
}

static void
enqueue (I2aDispatch *self,
         GTask       *task)
{
  I2aPool *pool = self->pool;
  g_autoptr(GPtrArray) cands = candidates (self);
  Waiter *w = g_new0 (Waiter, 1);

  w->dispatch = self;
  w->task = g_object_ref (task);
  w->counted = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < cands->len; i++)
    {
      I2aAccount *a = cands->pdata[i];

      if (i2a_account_is_usable (a) && !g_ptr_array_find (self->tried, a, NULL))
        {
          i2a_account_set_queued (a, i2a_account_get_queued (a) + 1);
          g_ptr_array_add (w->counted, g_object_ref (a));
        }
    }
  if (self->cancellable)
    {
      w->cancel_source = g_cancellable_source_new (self->cancellable);
      g_source_set_callback (w->cancel_source, G_SOURCE_FUNC (waiter_cancelled_cb), w, NULL);
      g_source_attach (w->cancel_source, NULL);
    }
  /* In 64 bits: seconds × 1000 wraps a guint past 49 days. */
  w->timeout_id = g_timeout_add ((guint) MIN ((guint64) pool->config->queue_max_wait_seconds * 1000, G_MAXUINT),
                                 waiter_timeout_cb, w);
  g_queue_push_tail (&pool->waiters, w);
  _i2a_pool_notify_queue (pool);
  g_debug ("All eligible accounts are busy; request queued (%u waiting)", pool->waiters.length);
}

void
_i2a_pool_kick_queue (I2aPool *self)
{
  GList *l = self->waiters.head;

  /* Oldest first: a freed slot goes to the longest waiter that can use it. */
  while (l != NULL)
    {
      GList *next = l->next;
      Waiter *w = l->data;
      I2aAccount *account = NULL;
      gint retry_after = -1;
      PickResult result = pick (w->dispatch, &account, &retry_after);

      if (result == PICK_OK)
        waiter_complete (w, account, NULL);
      else if (result != PICK_BUSY)
        waiter_complete (w, NULL, pick_error (w->dispatch, result, retry_after));
      l = next;
    }
}

void
_i2a_pool_fail_waiters (I2aPool *self)
{
  while (self->waiters.head)
    waiter_complete (self->waiters.head->data, NULL,
                     i2a_api_error_new (503, "service_unavailable", "server_shutting_down",
                                        "The account pool is shutting down"));
}

/* ---- circuit timer ------------------------------------------------------ */

static gboolean
circuit_timer_cb (gpointer user_data)
{
  I2aPool *self = user_data;

  self->circuit_timer = 0;
  /* Some cool-down ended: waiters may proceed, the UI may redraw. */
  _i2a_pool_kick_queue (self);
  _i2a_pool_emit_changed (self);
  _i2a_pool_schedule_circuit_timer (self);
  return G_SOURCE_REMOVE;
}

void
_i2a_pool_schedule_circuit_timer (I2aPool *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 next = G_MAXINT64;

  g_clear_handle_id (&self->circuit_timer, g_source_remove);
  for (guint i = 0; i < self->accounts->len; i++)
    {
      I2aPoolSlot *slot = _i2a_pool_slot (self->accounts->pdata[i]);

      if (slot->open_until > now)
        next = MIN (next, slot->open_until);
    }
  if (next != G_MAXINT64)
    self->circuit_timer = g_timeout_add ((guint) ((next - now) / 1000) + 1, circuit_timer_cb, self);
}

/* ---- object ------------------------------------------------------------- */

static void
i2a_dispatch_dispose (GObject *object)
{
  I2aDispatch *self = I2A_DISPATCH (object);

  /* A request torn down mid-attempt (client gone) still frees its slot. */
  if (self->current)
    {
      g_autoptr(I2aApiError) gone = i2a_api_error_new (499, "request_cancelled", NULL,
                                                       "Client closed the request");
      i2a_dispatch_release (self, gone);
    }
  g_clear_object (&self->pool);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config, i2a_keys_config_unref);
  g_clear_pointer (&self->tried, g_ptr_array_unref);
  g_clear_pointer (&self->last_outcome, i2a_api_error_free);
  g_clear_object (&self->retry_same);
  g_clear_pointer (&self->routing, i2a_routing_free);

  G_OBJECT_CLASS (i2a_dispatch_parent_class)->dispose (object);
}

static void
i2a_dispatch_class_init (I2aDispatchClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = i2a_dispatch_dispose;
}

static void
i2a_dispatch_init (I2aDispatch *self)
{
  self->tried = g_ptr_array_new_with_free_func (g_object_unref);
}

I2aDispatch *
_i2a_dispatch_new (I2aPool       *pool,
                   I2aKeysConfig *config,
                   I2aKeysRoute  *route)
{
  I2aDispatch *self = g_object_new (I2A_TYPE_DISPATCH, NULL);

  self->pool = g_object_ref (pool);
  self->config = i2a_keys_config_ref (config);
  self->route = route;
  return self;
}

static gboolean
fallback_applies (I2aDispatch *self,
                  PickResult   result)
{
  I2aPool *pool = self->pool;

  switch (result)
    {
    case PICK_OPEN:
    case PICK_QUOTA:
    case PICK_TRIED:
    case PICK_NO_MODEL:
      return TRUE;
    case PICK_BUSY:
      /* Waiting is better than another model while the queue has room. */
      return pool->waiters.length >= pool->config->queue_max_length ||
             pool->config->queue_max_wait_seconds == 0;
    case PICK_OK:
    case PICK_NO_KEY:
    case PICK_DISABLED:
    case PICK_NONE:
    default:
      return FALSE;
    }
}

static const char *
pick_reason (PickResult result)
{
  switch (result)
    {
    case PICK_OPEN: return "circuit open";
    case PICK_QUOTA: return "quota used up";
    case PICK_TRIED: return "failed on this request";
    case PICK_NO_MODEL: return "no account serves it";
    case PICK_BUSY: return "queue full";
    case PICK_OK:
    case PICK_NO_KEY:
    case PICK_DISABLED:
    case PICK_NONE:
    default: return "unavailable";
    }
}

static void
acquire_inner (I2aDispatch         *self,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  I2aPool *pool = self->pool;
  I2aAccount *account = NULL;
  gint retry_after = -1;
  PickResult result;
  Waiter *w;

  g_return_if_fail (self->current == NULL);
  g_set_object (&self->cancellable, cancellable);
  /* The result must come back even when cancelled: it may hold a slot. */
  g_task_set_check_cancellable (task, FALSE);

  w = g_new0 (Waiter, 1);
  w->task = g_object_ref (task);
  if (cancellable && g_cancellable_is_cancelled (cancellable))
    {
      w->error = i2a_api_error_new (499, "request_cancelled", "client_closed", "The client closed the connection");
      g_task_return_pointer (task, w, NULL);
      return;
    }
  /* Anything freed since the last release goes to earlier waiters first. */
  if (pool->waiters.length > 0)
    _i2a_pool_kick_queue (pool);

  result = pick (self, &account, &retry_after);
  g_clear_object (&self->retry_same);
  /* Every account of this model is unavailable: the next model of its
   * fallback chain, before the first byte. */
  while (result != PICK_OK && fallback_applies (self, result) &&
         i2a_routing_next_model (self->routing, pool, pick_reason (result)))
    result = pick (self, &account, &retry_after);
  if (result == PICK_OK)
    {
      w->account = g_object_ref (account);
      grant (self, account);
    }
  else if (result == PICK_BUSY && pool->waiters.length < pool->config->queue_max_length &&
           pool->config->queue_max_wait_seconds > 0)
    {
      g_object_unref (w->task);
      g_free (w);
      enqueue (self, task);
      return;
    }
  else if (result == PICK_BUSY)
    {
      w->error = i2a_api_error_new (429, "rate_limit_error", "queue_full",
                                    "Every account for this API key is at its max_concurrency and %u "
                                    "requests are already waiting; retry later",
                                    pool->waiters.length);
      w->error->retry_after = 1;
    }
  else
    w->error = pick_error (self, result, retry_after);
  g_task_return_pointer (task, w, NULL);
}

/* ---- the refresh gate ---------------------------------------------------
 *
 * After an account is picked (its slot held), an OAuth account whose key
 * is due (wall clock) or was just rejected as expired waits for the one
 * refresh of that account; one that turns out to need a login is given
 * back and another is picked. */

static void gate_acquired_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
gate_return (GTask  *outer,
             Waiter *w)
{
  I2aDispatch *self = g_task_get_source_object (outer);

  /* The caller captures the account's key now. */
  self->key_since = g_get_monotonic_time ();
  g_task_return_pointer (outer, w, NULL);
}

static void
gate_fresh_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  I2aDispatch *self = g_task_get_source_object (outer);
  Waiter *w = g_object_steal_data (G_OBJECT (outer), "i2a-waiter");
  g_autoptr(GError) error = NULL;

  if (i2a_refresher_ensure_fresh_finish (I2A_REFRESHER (source), result, &error) ||
      !g_error_matches (error, I2A_ERROR, I2A_ERROR_OAUTH_INVALID_GRANT) || self->current == NULL)
    {
      /* Fresh, or a failed refresh: the old key may still work. */
      gate_return (outer, w);
      return;
    }
  {
    g_autoptr(I2aApiError) skipped = i2a_api_error_new (499, "needs_login", NULL, "The account needs a new login");

    /* Not the account's fault as a request: give the slot back uncounted. */
    i2a_dispatch_release (self, skipped);
  }
  g_clear_object (&w->account);
  waiter_free (w);
  acquire_inner (self, g_task_get_cancellable (outer), gate_acquired_cb, g_object_ref (outer));
}

static void
gate_acquired_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  I2aDispatch *self = I2A_DISPATCH (source);
  I2aRefresher *refresher = self->pool->refresher;
  Waiter *w = g_task_propagate_pointer (G_TASK (result), NULL);
  gint64 rejected_since = self->rejected_since;

  self->rejected_since = 0;
  if (w->account == NULL || refresher == NULL || !i2a_refresher_manages (refresher, w->account) ||
      (rejected_since == 0 && !i2a_refresher_needs_wait (refresher, w->account)))
    {
      gate_return (outer, w);
      return;
    }
  g_object_set_data (G_OBJECT (outer), "i2a-waiter", w);
  i2a_refresher_ensure_fresh_async (refresher, w->account, rejected_since, g_task_get_cancellable (outer),
                                    gate_fresh_cb, g_object_ref (outer));
}

void
i2a_dispatch_acquire_async (I2aDispatch         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *outer;

  if (self->pool->refresher == NULL)
    {
      acquire_inner (self, cancellable, callback, user_data);
      return;
    }
  outer = g_task_new (self, cancellable, callback, user_data);
  /* Like the inner task: the result may hold a slot. */
  g_task_set_check_cancellable (outer, FALSE);
  acquire_inner (self, cancellable, gate_acquired_cb, outer);
}

I2aAccount *
i2a_dispatch_acquire_finish (I2aDispatch   *self,
                             GAsyncResult  *result,
                             I2aApiError  **error)
{
  Waiter *w = g_task_propagate_pointer (G_TASK (result), NULL);
  I2aAccount *account;

  g_return_val_if_fail (w != NULL, NULL);
  account = g_steal_pointer (&w->account);
  if (error)
    *error = g_steal_pointer (&w->error);
  waiter_free (w);
  return account;
}

void
i2a_dispatch_release (I2aDispatch       *self,
                      const I2aApiError *outcome)
{
  I2aAccount *account = g_steal_pointer (&self->current);
  I2aPool *pool = self->pool;
  const I2aResilience *res = &pool->config->resilience;
  I2aPoolSlot *slot;
  gboolean cancelled, success, failure, changed = FALSE;
  guint n;

  if (account == NULL)
    return;
  slot = _i2a_pool_slot (account);
  n = i2a_account_get_in_flight (account);
  i2a_account_set_in_flight (account, n > 0 ? n - 1 : 0);
  if (self->current_trial)
    slot->trial_active = FALSE;

  /* A client that went away says nothing about the account. */
  cancelled = (self->cancellable && g_cancellable_is_cancelled (self->cancellable)) ||
              (outcome && outcome->http_status == 499);
  success = outcome == NULL && !cancelled;
  failure = outcome != NULL && outcome->account_failure && !cancelled;
  if (!cancelled)
    i2a_account_count_request (account, failure);

  if (success)
    {
      i2a_account_set_consecutive_failures (account, 0);
      if (slot->open_until != 0)
        {
          g_info ("Account %s works again; circuit closed", i2a_account_get_id (account));
          slot->open_until = 0;
          i2a_account_set_circuit_open_until (account, 0);
          changed = TRUE;
        }
    }
  else if (failure)
    {
      gint64 cool = 0;

      n = i2a_account_get_consecutive_failures (account) + 1;
      i2a_account_set_consecutive_failures (account, n);
      i2a_account_set_last_error (account, outcome->message);
      if (breaker_on (pool) && (self->current_trial || n >= res->failure_threshold))
        cool = (gint64) res->cool_down_seconds * G_USEC_PER_SEC;
      /* The upstream said how long to stay away: honour it. */
      if (breaker_on (pool) && outcome->http_status == 429 && outcome->retry_after > 0)
        cool = MAX (cool, (gint64) outcome->retry_after * G_USEC_PER_SEC);
      if (cool > 0)
        {
          gint64 until = g_get_monotonic_time () + cool;

          slot->open_until = MAX (slot->open_until, until);
          i2a_account_set_circuit_open_until (account, g_get_real_time () / G_USEC_PER_SEC +
                                              (slot->open_until - g_get_monotonic_time () + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
          g_info ("Account %s: circuit open for %" G_GINT64_FORMAT " s after %u consecutive failure(s): %s",
                  i2a_account_get_id (account), cool / G_USEC_PER_SEC, n, outcome->message);
          _i2a_pool_schedule_circuit_timer (pool);
          changed = TRUE;
        }
    }
  self->current_trial = FALSE;
  if (outcome && outcome->token_expired && !cancelled)
    _i2a_pool_emit_token_expired (pool, account);

  _i2a_pool_kick_queue (pool);
  if (changed)
    _i2a_pool_emit_changed (pool);
  g_object_unref (account);
}

gboolean
i2a_dispatch_should_retry (I2aDispatch       *self,
                           const I2aApiError *outcome)
{
  const I2aResilience *res = &self->pool->config->resilience;
  gint retry_after = -1;
  PickResult result;

  /* "token expired": refresh, then ONE retry on the same account. */
  if (outcome != NULL && outcome->token_expired && !self->token_retried && self->pool->refresher &&
      self->tried->len > 0 && !(self->cancellable && g_cancellable_is_cancelled (self->cancellable)))
    {
      I2aAccount *last = self->tried->pdata[self->tried->len - 1];

      if (i2a_refresher_manages (self->pool->refresher, last) && i2a_account_is_usable (last))
        {
          self->token_retried = TRUE;
          g_set_object (&self->retry_same, last);
          self->rejected_since = self->key_since;
          g_ptr_array_remove_index (self->tried, self->tried->len - 1);
          return TRUE;
        }
    }
  if (outcome == NULL || !outcome->retryable || !res->enabled)
    return FALSE;
  if (self->cancellable && g_cancellable_is_cancelled (self->cancellable))
    return FALSE;
  if (self->attempts > res->retry_attempts)
    {
      if (!i2a_routing_has_next (self->routing))
        return FALSE;
      /* The retries of this model are spent; the fallback chain is not. */
      g_clear_pointer (&self->last_outcome, i2a_api_error_free);
      self->last_outcome = i2a_api_error_copy (outcome);
      self->attempts = 0;
      i2a_routing_next_model (self->routing, self->pool, outcome->message);
      return TRUE;
    }
  g_clear_pointer (&self->last_outcome, i2a_api_error_free);
  self->last_outcome = i2a_api_error_copy (outcome);
  /* Only another healthy account of the route: never hammer the same one. */
  result = pick (self, NULL, &retry_after);
  if (result == PICK_OK || result == PICK_BUSY)
    return TRUE;
  /* The model's accounts are used up: acquire moves along the fallback
   * chain. */
  return i2a_routing_has_next (self->routing);
}

guint
i2a_dispatch_get_backoff_ms (I2aDispatch *self)
{
  return self->pool->config->resilience.retry_backoff_ms;
}

const char *
i2a_dispatch_get_client_key_id (I2aDispatch *self)
{
  return self->route ? self->route->key_id : NULL;
}

GArray *
i2a_dispatch_get_retry_status_codes (I2aDispatch *self)
{
  return self->pool->config->resilience.retry_status_codes;
}

/* ---- model and session -------------------------------------------------- */

void
i2a_dispatch_set_request (I2aDispatch *self,
                          const char  *model,
                          const char  *session_key,
                          gboolean     follow)
{
  g_return_if_fail (I2A_IS_DISPATCH (self));
  g_return_if_fail (self->current == NULL && self->attempts == 0);

  g_clear_pointer (&self->routing, i2a_routing_free);
  self->routing = i2a_routing_new (self->config, model, session_key, follow);
}

const char *
i2a_dispatch_get_model (I2aDispatch *self)
{
  g_return_val_if_fail (I2A_IS_DISPATCH (self), NULL);
  return i2a_routing_get_model (self->routing);
}

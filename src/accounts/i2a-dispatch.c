#define G_LOG_DOMAIN "i2a-dispatch"

#include "config.h"

#include "i2a-pool-private.h"

struct _I2aDispatch
{
  GObject     parent_instance;

  I2aPool    *pool;
  I2aAccount *current;   /* holds a slot while set */
  GPtrArray  *tried;
  guint       attempts;
};

G_DEFINE_FINAL_TYPE (I2aDispatch, i2a_dispatch, G_TYPE_OBJECT)

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
  g_clear_pointer (&self->tried, g_ptr_array_unref);

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
i2a_dispatch_new (I2aPool *pool)
{
  I2aDispatch *self = g_object_new (I2A_TYPE_DISPATCH, NULL);

  self->pool = g_object_ref (pool);
  return self;
}

void
i2a_dispatch_acquire_async (I2aDispatch         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  I2aAccount *account;

  g_return_if_fail (self->current == NULL);

  account = i2a_pool_pick_account (self->pool, self->tried);
  if (account == NULL)
    {
      g_task_return_pointer (task,
                             i2a_api_error_new (401, "authentication_error", "not_logged_in",
                                                "Not logged in to iFlow. Log in with `iflow2api login`, "
                                                "with the iFlow CLI (`iflow`), or add an account to "
                                                "~/.iflow2api/keys.json."),
                             (GDestroyNotify) i2a_api_error_free);
      g_task_set_task_data (task, GINT_TO_POINTER (1), NULL);
      return;
    }
  self->current = account;
  self->attempts++;
  g_ptr_array_add (self->tried, g_object_ref (account));
  i2a_pool_account_acquired (self->pool, account);
  g_task_return_pointer (task, g_object_ref (account), g_object_unref);
}

I2aAccount *
i2a_dispatch_acquire_finish (I2aDispatch   *self,
                             GAsyncResult  *result,
                             I2aApiError  **error)
{
  GTask *task = G_TASK (result);
  gpointer value;

  if (g_task_get_task_data (task) != NULL)
    {
      I2aApiError *err = g_task_propagate_pointer (task, NULL);

      if (error)
        *error = err;
      else
        i2a_api_error_free (err);
      return NULL;
    }
  value = g_task_propagate_pointer (task, NULL);
  return value;
}

void
i2a_dispatch_release (I2aDispatch       *self,
                      const I2aApiError *outcome)
{
  I2aAccount *account = g_steal_pointer (&self->current);

  if (account == NULL)
    return;
  i2a_pool_account_released (self->pool, account, outcome);
  g_object_unref (account);
}

gboolean
i2a_dispatch_should_retry (I2aDispatch       *self,
                           const I2aApiError *outcome)
{
  g_autoptr(I2aAccount) next = NULL;

  if (outcome == NULL || !outcome->retryable)
    return FALSE;
  next = i2a_pool_pick_account (self->pool, self->tried);
  return next != NULL && self->attempts < 2;
}

guint
i2a_dispatch_get_backoff_ms (I2aDispatch *self)
{
  return 200;
}

guint
i2a_dispatch_get_attempts (I2aDispatch *self)
{
  return self->attempts;
}

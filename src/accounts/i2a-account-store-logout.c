/* i2a-account-store-logout.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-store-logout.c: removing an account: the refresher forgets
 * it, keys.json loses the entry, then its keyring item is cleared. */
#define G_LOG_DOMAIN "i2a-account-store"

#include "config.h"

#include "i2a-account-store-private.h"

static void
logout_cleared_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  i2a_secret_store_clear_finish (I2A_SECRET_STORE (source), result, &error);
  if (error != NULL)
    {
      g_prefix_error (&error, "The account was removed, but its keyring item could not be: ");
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_boolean (task, TRUE);
}

static void
logout_flushed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  I2aAccountStore *self = g_task_get_source_object (task);
  const char *id = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!i2a_pool_flush_finish (I2A_POOL (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  i2a_secret_store_clear_async (self->secrets, id, g_task_get_cancellable (task),
                                logout_cleared_cb, g_object_ref (task));
}

void
i2a_account_store_logout_async (I2aAccountStore     *self,
                                const char          *account_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));
  g_return_if_fail (account_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_account_store_logout_async);
  g_task_set_task_data (task, g_strdup (account_id), g_free);
  if (self->refresher)
    i2a_refresher_forget (self->refresher, account_id);
  if (!i2a_pool_remove_account (self->pool, account_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  i2a_pool_flush_async (self->pool, cancellable, logout_flushed_cb, g_steal_pointer (&task));
}

gboolean
i2a_account_store_logout_finish (I2aAccountStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* i2a-client-setup.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-setup.c: the plan (preview, masked diff, backup rotation,
 * undo) shared by every client; the clients' writers are in their own
 * files and listed in i2a-clients.c. */
#define G_LOG_DOMAIN "i2a-client-setup"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "i2a-client-file.h"
#include "i2a-client-setup.h"
#include "i2a-error.h"
#include "i2a-line-diff.h"

struct _I2aClientPlan
{
  GObject              parent_instance;

  const I2aClient     *client;
  I2aClientPlanKind    kind;
  char                *path;
  /* The file as read when the plan was made, to notice later edits. */
  gboolean             old_exists;
  char                *old_contents;
  gsize                old_length;
  guint                old_mode;
  /* What applying writes (NULL with !new_exists: remove the file). */
  gboolean             new_exists;
  char                *new_contents;
  gsize                new_length;
  gboolean             pending_key;
  char                *backup_path;     /* undo: the one restored */
  char                *old_text;
  char                *new_text;
  char                *diff;
};

G_DEFINE_FINAL_TYPE (I2aClientPlan, i2a_client_plan, G_TYPE_OBJECT)

static void
i2a_client_plan_finalize (GObject *object)
{
  I2aClientPlan *self = I2A_CLIENT_PLAN (object);

  g_free (self->path);
  g_free (self->old_contents);
  g_free (self->new_contents);
  g_free (self->backup_path);
  g_free (self->old_text);
  g_free (self->new_text);
  g_free (self->diff);
  G_OBJECT_CLASS (i2a_client_plan_parent_class)->finalize (object);
}

static void
i2a_client_plan_class_init (I2aClientPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = i2a_client_plan_finalize;
}

static void
i2a_client_plan_init (I2aClientPlan *self)
{
}

/* The diff of the display texts (labels as git shows them). */
static void
finish_diff (I2aClientPlan *self)
{
  /* Translators: diff header labels after the file name. */
  const char *after_note = self->kind == I2A_CLIENT_PLAN_UNDO ? _("(restored)") : _("(after setup)");
  g_autofree char *before = self->old_exists ? g_strdup (self->path)
                                             : g_strdup_printf ("%s %s", self->path, _("(new file)"));
  g_autofree char *after = g_strdup_printf ("%s %s", self->path, self->new_exists ? after_note : _("(removed)"));

  self->diff = i2a_line_diff_unified (self->old_text, self->new_text, before, after, 3);
}

I2aClientPlan *
i2a_client_plan_setup (const I2aClient         *client,
                       const char              *path,
                       const I2aClientOptions  *options,
                       GError                 **error)
{
  g_autoptr(I2aClientPlan) self = g_object_new (I2A_TYPE_CLIENT_PLAN, NULL);
  I2aClientOptions defaults = { 0 };

  g_return_val_if_fail (client != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  if (options == NULL)
    options = &defaults;

  self->client = client;
  self->kind = I2A_CLIENT_PLAN_SETUP;
  self->path = g_strdup (path);
  if (!i2a_client_file_read (path, &self->old_contents, &self->old_length,
                             &self->old_exists, &self->old_mode, error))
    return NULL;
  if (self->old_exists)
    self->old_text = client->show (path, self->old_contents, self->old_length, error);
  else
    self->old_text = g_strdup ("");
  if (self->old_text == NULL)
    return NULL;
  self->new_contents = client->write (path, self->old_exists ? self->old_contents : NULL,
                                      self->old_length, options, error);
  if (self->new_contents == NULL)
    return NULL;
  self->new_exists = TRUE;
  self->new_length = strlen (self->new_contents);
  self->new_text = client->show (path, self->new_contents, self->new_length, error);
  if (self->new_text == NULL)
    return NULL;
  self->pending_key = g_strcmp0 (options->api_key, I2A_CLIENT_PENDING_KEY) == 0;
  finish_diff (self);
  return g_steal_pointer (&self);
}

/* The display text of a file for an undo: one someone broke since still
 * gets restored, it is only not shown. */
static char *
show_for_undo (const I2aClient *client,
               const char      *path,
               const char      *contents,
               gsize            length,
               gboolean        *shown)
{
  g_autoptr(GError) error = NULL;
  char *text = client->show (path, contents, length, &error);

  *shown = text != NULL;
  if (text == NULL)
    text = g_strdup_printf ("%s\n", _("(not readable: not shown)"));
  return text;
}

I2aClientPlan *
i2a_client_plan_undo (const I2aClient  *client,
                      const char       *path,
                      GError          **error)
{
  g_autoptr(I2aClientPlan) self = g_object_new (I2A_TYPE_CLIENT_PLAN, NULL);
  g_auto(GStrv) backups = NULL;
  gboolean backup_exists = FALSE;
  gboolean old_shown = TRUE, new_shown = TRUE;

  g_return_val_if_fail (client != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  self->client = client;
  self->kind = I2A_CLIENT_PLAN_UNDO;
  self->path = g_strdup (path);
  backups = i2a_client_file_list_backups (path, error);
  if (backups == NULL)
    return NULL;
  if (backups[0] == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no backup of %s to restore"), path);
      return NULL;
    }
  self->backup_path = g_strdup (backups[0]);
  if (!i2a_client_file_read (path, &self->old_contents, &self->old_length,
                             &self->old_exists, &self->old_mode, error) ||
      !i2a_client_file_read (self->backup_path, &self->new_contents, &self->new_length,
                             &backup_exists, NULL, error))
    return NULL;
  if (!backup_exists)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("%s disappeared"), self->backup_path);
      return NULL;
    }
  /* An empty backup records that there was no file before the setup. */
  self->new_exists = self->new_length > 0;
  if (!self->new_exists)
    g_clear_pointer (&self->new_contents, g_free);

  self->old_text = self->old_exists
                   ? show_for_undo (client, path, self->old_contents, self->old_length, &old_shown)
                   : g_strdup ("");
  self->new_text = self->new_exists
                   ? show_for_undo (client, self->backup_path, self->new_contents, self->new_length, &new_shown)
                   : g_strdup ("");
  if (old_shown && new_shown)
    finish_diff (self);
  else
    self->diff = i2a_line_diff_unified (self->old_text, self->new_text, path, self->backup_path, 3);
  return g_steal_pointer (&self);
}

I2aClientPlanKind
i2a_client_plan_get_kind (I2aClientPlan *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_PLAN (self), I2A_CLIENT_PLAN_SETUP);
  return self->kind;
}

const char *
i2a_client_plan_get_path (I2aClientPlan *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_PLAN (self), NULL);
  return self->path;
}

gboolean
i2a_client_plan_get_file_exists (I2aClientPlan *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_PLAN (self), FALSE);
  return self->old_exists;
}

gboolean
i2a_client_plan_get_changed (I2aClientPlan *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_PLAN (self), FALSE);
  if (self->kind == I2A_CLIENT_PLAN_UNDO)
    return TRUE;  /* at least the backup goes */
  if (self->old_exists != self->new_exists)
    return TRUE;
  return self->old_length != self->new_length ||
         memcmp (self->old_contents, self->new_contents, self->old_length) != 0;
}

const char *
i2a_client_plan_get_old_text (I2aClientPlan *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_PLAN (self), NULL);
  return self->old_text;
}

const char *
i2a_client_plan_get_new_text (I2aClientPlan *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_PLAN (self), NULL);
  return self->new_text;
}

const char *
i2a_client_plan_get_diff (I2aClientPlan *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_PLAN (self), NULL);
  return self->diff;
}

const char *
i2a_client_plan_get_backup_path (I2aClientPlan *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_PLAN (self), NULL);
  return self->backup_path;
}

/* ---- applying ----------------------------------------------------------- */

static gboolean
check_unchanged (I2aClientPlan  *self,
                 guint            *mode,
                 GError          **error)
{
  g_autofree char *now = NULL;
  gsize length = 0;
  gboolean exists = FALSE;

  if (!i2a_client_file_read (self->path, &now, &length, &exists, mode, error))
    return FALSE;
  if (exists != self->old_exists ||
      (exists && (length != self->old_length || memcmp (now, self->old_contents, length) != 0)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WRONG_ETAG,
                   _("%s changed since the preview; nothing was written (preview again)"), self->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
i2a_client_plan_apply (I2aClientPlan  *self,
                       char            **backup_path,
                       GError          **error)
{
  g_autofree char *backup = NULL;
  guint mode = 0;

  g_return_val_if_fail (I2A_IS_CLIENT_PLAN (self), FALSE);
  if (backup_path)
    *backup_path = NULL;
  if (self->pending_key)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED,
                   _("The client key is not created yet; this plan is only a preview"));
      return FALSE;
    }
  if (!check_unchanged (self, &mode, error))
    return FALSE;
  if (!self->old_exists)
    mode = 0600;

  if (self->kind == I2A_CLIENT_PLAN_UNDO)
    {
      gboolean ok;

      if (self->new_exists)
        ok = i2a_client_file_write_atomic (self->path, self->new_contents, self->new_length,
                                           mode, error);
      else
        ok = i2a_client_file_remove (self->path, error);
      /* Restored: that backup is used up (a second undo goes further back). */
      return ok && i2a_client_file_remove (self->backup_path, error);
    }

  if (!i2a_client_plan_get_changed (self))
    return TRUE;
  /* An empty backup stands for "no file": undo then removes it again. */
  backup = i2a_client_file_backup (self->path, self->old_exists ? self->old_contents : "",
                                   self->old_exists ? self->old_length : 0, error);
  if (backup == NULL)
    return FALSE;
  if (!i2a_client_file_write_atomic (self->path, self->new_contents, self->new_length,
                                     mode, error))
    return FALSE;
  if (!i2a_client_file_prune_backups (self->path, I2A_CLIENT_MAX_BACKUPS, error))
    return FALSE;
  if (backup_path)
    *backup_path = g_steal_pointer (&backup);
  return TRUE;
}

char **
i2a_client_list_backups (const char  *path,
                         GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  return i2a_client_file_list_backups (path, error);
}

/* ---- async -------------------------------------------------------------- */

typedef struct
{
  const I2aClient    *client;
  char               *path;
  I2aClientOptions    options;   /* strings owned */
  gboolean            have_options;
} PlanData;

static void
plan_data_free (PlanData *data)
{
  g_free (data->path);
  g_free ((char *) data->options.provider);
  g_free ((char *) data->options.base_url);
  g_free ((char *) data->options.api_key);
  g_free ((char *) data->options.model);
  g_free ((char *) data->options.small_model);
  g_free (data);
}

static void
plan_setup_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  PlanData *data = task_data;
  GError *error = NULL;
  I2aClientPlan *plan = i2a_client_plan_setup (data->client, data->path, data->have_options ? &data->options : NULL, &error);

  if (plan)
    g_task_return_pointer (task, plan, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
i2a_client_plan_setup_async (const I2aClient           *client,
                             const char                *path,
                             const I2aClientOptions  *options,
                             GCancellable              *cancellable,
                             GAsyncReadyCallback        callback,
                             gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  PlanData *data = g_new0 (PlanData, 1);

  g_task_set_source_tag (task, i2a_client_plan_setup_async);
  data->client = client;
  data->path = g_strdup (path);
  if (options)
    {
      data->have_options = TRUE;
      data->options.provider = g_strdup (options->provider);
      data->options.base_url = g_strdup (options->base_url);
      data->options.api_key = g_strdup (options->api_key);
      data->options.model = g_strdup (options->model);
      data->options.small_model = g_strdup (options->small_model);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) plan_data_free);
  g_task_run_in_thread (task, plan_setup_thread);
}

I2aClientPlan *
i2a_client_plan_setup_finish (GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
plan_undo_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PlanData *data = task_data;
  GError *error = NULL;
  I2aClientPlan *plan = i2a_client_plan_undo (data->client, data->path, &error);

  if (plan)
    g_task_return_pointer (task, plan, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
i2a_client_plan_undo_async (const I2aClient     *client,
                            const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  PlanData *data = g_new0 (PlanData, 1);

  data->client = client;
  data->path = g_strdup (path);
  g_task_set_source_tag (task, i2a_client_plan_undo_async);
  g_task_set_task_data (task, data, (GDestroyNotify) plan_data_free);
  g_task_run_in_thread (task, plan_undo_thread);
}

I2aClientPlan *
i2a_client_plan_undo_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
apply_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  char *backup = NULL;

  /* The backup path, or "" when none was made. */
  if (i2a_client_plan_apply (source, &backup, &error))
    g_task_return_pointer (task, backup ? backup : g_strdup (""), g_free);
  else
    g_task_return_error (task, error);
}

void
i2a_client_plan_apply_async (I2aClientPlan     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_return_if_fail (I2A_IS_CLIENT_PLAN (self));
  g_task_set_source_tag (task, i2a_client_plan_apply_async);
  g_task_run_in_thread (task, apply_thread);
}

gboolean
i2a_client_plan_apply_finish (I2aClientPlan  *self,
                              GAsyncResult     *result,
                              char            **backup_path,
                              GError          **error)
{
  g_autofree char *backup = g_task_propagate_pointer (G_TASK (result), error);

  if (backup_path)
    *backup_path = NULL;
  if (backup == NULL)
    return FALSE;
  if (backup_path && *backup != '\0')
    *backup_path = g_steal_pointer (&backup);
  return TRUE;
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  char **backups = i2a_client_list_backups (task_data, &error);

  if (backups)
    g_task_return_pointer (task, backups, (GDestroyNotify) g_strfreev);
  else
    g_task_return_error (task, error);
}

void
i2a_client_list_backups_async (const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, i2a_client_list_backups_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, list_thread);
}

char **
i2a_client_list_backups_finish (GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

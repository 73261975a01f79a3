/* i2a-autostart.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-autostart"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "i2a-autostart.h"
#include "i2a-background.h"

gboolean
i2a_autostart_uses_portal (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) || g_getenv ("FLATPAK_ID") != NULL;
}

char *
i2a_autostart_dup_path (void)
{
  g_autofree char *name = g_strconcat (APP_ID, ".desktop", NULL);

  return g_build_filename (g_get_user_config_dir (), "autostart", name, NULL);
}

char *
i2a_autostart_dup_entry (const char *exec)
{
  /* Not translated: the launcher's own desktop file carries the
   * translated name; this one only has to start the app. */
  return g_strdup_printf ("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=iflow2api\n"
                          "Exec=%s\n"
                          "Icon=" APP_ID "\n"
                          "Terminal=false\n"
                          "NoDisplay=true\n"
                          "X-GNOME-Autostart-enabled=true\n",
                          exec);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
write_entry (GTask *task)
{
  GFile *file = g_task_get_task_data (task);
  g_autofree char *exec = NULL;
  char *entry;
  GBytes *bytes;

  exec = g_build_filename (BINDIR, "iflow2api", NULL);
  entry = i2a_autostart_dup_entry (exec);
  bytes = g_bytes_new_take (entry, strlen (entry));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION,
                                       g_task_get_cancellable (task), written_cb, task);
  g_bytes_unref (bytes);
}

static void dir_made_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
config_dir_made_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;

  if (!g_file_make_directory_finish (G_FILE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  dir = g_file_get_parent (g_task_get_task_data (task));
  g_file_make_directory_async (dir, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                               dir_made_cb, task);
}

static void
dir_made_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  /* A fresh home may not even have ~/.config yet: make it, then retry. */
  if (!g_file_make_directory_finish (G_FILE (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
      !GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "retried")))
    {
      g_autoptr(GFile) parent = g_file_get_parent (G_FILE (object));

      g_object_set_data (G_OBJECT (task), "retried", GINT_TO_POINTER (TRUE));
      g_file_make_directory_async (parent, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   config_dir_made_cb, task);
      return;
    }
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  write_entry (task);
}

/* ---- inside Flatpak: the Background portal ---------------------------- */

static void
portal_answered_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean enabled = GPOINTER_TO_INT (g_task_get_task_data (task));

  /* Withdrawing autostart works whatever the user answers about running
   * in the background: the portal removes the entry either way. */
  if (i2a_background_request_finish (result, &error) ||
      (!enabled && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
portal_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  i2a_background_request_async (bus, "", _("Start iflow2api when you log in."),
                                GPOINTER_TO_INT (g_task_get_task_data (task)),
                                g_task_get_cancellable (task), portal_answered_cb, task);
}

void
i2a_autostart_set_async (gboolean             enabled,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *path = NULL;
  GFile *file;
  g_autoptr(GFile) dir = NULL;

  g_task_set_source_tag (task, i2a_autostart_set_async);
  /* A file written by hand inside the sandbox would never reach the
   * session: ask the portal instead. */
  if (i2a_autostart_uses_portal ())
    {
      g_task_set_task_data (task, GINT_TO_POINTER (enabled), NULL);
      g_bus_get (G_BUS_TYPE_SESSION, cancellable, portal_bus_cb, task);
      return;
    }

  path = i2a_autostart_dup_path ();
  file = g_file_new_for_path (path);
  dir = g_file_get_parent (file);
  g_task_set_task_data (task, file, g_object_unref);
  if (enabled)
    g_file_make_directory_async (dir, G_PRIORITY_DEFAULT, cancellable, dir_made_cb, task);
  else
    g_file_delete_async (file, G_PRIORITY_DEFAULT, cancellable, deleted_cb, task);
}

gboolean
i2a_autostart_set_finish (GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

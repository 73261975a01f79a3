/* i2a-client-file.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-client-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "i2a-client-file.h"

#define BACKUP_INFIX ".bak-"
#define STAMP_LEN    15     /* YYYYmmdd-HHMMSS */

static gboolean
set_errno_error (GError     **error,
                 int          saved,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               "%s %s: %s", what, path, g_strerror (saved));
  return FALSE;
}

gboolean
i2a_client_file_read (const char  *path,
                      char       **contents,
                      gsize       *length,
                      gboolean    *exists,
                      guint       *mode,
                      GError     **error)
{
  GStatBuf st;
  g_autoptr(GError) local_error = NULL;

  *contents = NULL;
  *length = 0;
  *exists = FALSE;
  if (mode)
    *mode = 0;
  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        return TRUE;
      return set_errno_error (error, saved, "Cannot read", path);
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "%s is not a regular file", path);
      return FALSE;
    }
  if (!g_file_get_contents (path, contents, length, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *exists = TRUE;
  if (mode)
    *mode = st.st_mode & 07777;
  return TRUE;
}

/* The file a write to @path lands in: symlinks followed (a dotfiles
 * manager's link must stay a link), even to a target not created yet. */
static char *
resolve_links (const char *path)
{
  g_autofree char *current = g_strdup (path);

  for (guint hops = 0; hops < 40; hops++)
    {
      g_autofree char *target = g_file_read_link (current, NULL);
      g_autofree char *dir = NULL;

      if (target == NULL)
        break;
      if (g_path_is_absolute (target))
        {
          g_free (current);
          current = g_steal_pointer (&target);
          continue;
        }
      dir = g_path_get_dirname (current);
      g_free (current);
      current = g_build_filename (dir, target, NULL);
    }
  return g_steal_pointer (&current);
}

gboolean
i2a_client_file_write_atomic (const char  *path,
                              const char  *contents,
                              gsize        length,
                              guint        mode,
                              GError     **error)
{
  g_autofree char *target = resolve_links (path);
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *base = g_path_get_basename (target);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  gsize done = 0;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return set_errno_error (error, errno, "Cannot create", dir);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, "Cannot write in", dir);
  /* fchmod, unlike the mode given to open(), ignores the umask. */
  if (fchmod (fd, mode) != 0)
    goto fail;
  while (done < length)
    {
      gssize n = write (fd, contents + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      done += n;
    }
  if (fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (rename (tmp, target) != 0)
    goto fail;
  return TRUE;

fail:
  {
    int saved = errno;

    if (fd >= 0)
      close (fd);
    g_unlink (tmp);
    return set_errno_error (error, saved, "Cannot write", target);
  }
}

gboolean
i2a_client_file_remove (const char  *path,
                        GError     **error)
{
  g_autofree char *target = resolve_links (path);

  if (g_unlink (target) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, "Cannot remove", target);
  return TRUE;
}

/* ---- backups ------------------------------------------------------------ */

typedef struct
{
  char   *path;
  char    stamp[STAMP_LEN + 1];
  guint64 serial;     /* the "-N" after the stamp; 0 without */
} Backup;

static void
backup_free (Backup *backup)
{
  g_free (backup->path);
  g_free (backup);
}

/* Newest first. */
static int
backup_compare (gconstpointer a,
                gconstpointer b)
{
  const Backup *x = *(Backup * const *) a;
  const Backup *y = *(Backup * const *) b;
  int cmp = strcmp (y->stamp, x->stamp);

  if (cmp != 0)
    return cmp;
  return y->serial < x->serial ? -1 : y->serial > x->serial;
}

/* "YYYYmmdd-HHMMSS" or "YYYYmmdd-HHMMSS-N" */
static gboolean
parse_suffix (const char *suffix,
              Backup     *backup)
{
  for (guint i = 0; i < STAMP_LEN; i++)
    {
      gboolean want_dash = i == 8;

      if (suffix[i] == '\0' || (want_dash ? suffix[i] != '-' : !g_ascii_isdigit (suffix[i])))
        return FALSE;
    }
  memcpy (backup->stamp, suffix, STAMP_LEN);
  backup->stamp[STAMP_LEN] = '\0';
  backup->serial = 0;
  suffix += STAMP_LEN;
  if (*suffix == '\0')
    return TRUE;
  if (*suffix != '-' || suffix[1] == '\0')
    return FALSE;
  for (const char *c = suffix + 1; *c; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  backup->serial = g_ascii_strtoull (suffix + 1, NULL, 10);
  return TRUE;
}

static GPtrArray *
scan_backups (const char  *path,
              GError     **error)
{
  g_autofree char *dir_path = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, BACKUP_INFIX, NULL);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) backup_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &local_error);
  const char *name;

  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&found);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      Backup *backup;

      if (!g_str_has_prefix (name, prefix))
        continue;
      backup = g_new0 (Backup, 1);
      if (!parse_suffix (name + strlen (prefix), backup))
        {
          backup_free (backup);
          continue;
        }
      backup->path = g_build_filename (dir_path, name, NULL);
      g_ptr_array_add (found, backup);
    }
  g_ptr_array_sort (found, backup_compare);
  return g_steal_pointer (&found);
}

char **
i2a_client_file_list_backups (const char  *path,
                              GError     **error)
{
  g_autoptr(GPtrArray) found = scan_backups (path, error);
  GPtrArray *paths;

  if (found == NULL)
    return NULL;
  paths = g_ptr_array_new ();
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add (paths, g_strdup (((Backup *) found->pdata[i])->path));
  g_ptr_array_add (paths, NULL);
  return (char **) g_ptr_array_free (paths, FALSE);
}

char *
i2a_client_file_backup (const char  *path,
                        const char  *contents,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(GPtrArray) found = scan_backups (path, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *backup = NULL;

  if (found == NULL)
    return NULL;
  /* Names must sort in creation order even for two backups in one second
   * or a clock that went back (DST): continue after the newest one. */
  if (found->len > 0 && strcmp (((Backup *) found->pdata[0])->stamp, stamp) >= 0)
    {
      Backup *newest = found->pdata[0];

      backup = g_strdup_printf ("%s" BACKUP_INFIX "%s-%" G_GUINT64_FORMAT,
                                path, newest->stamp, newest->serial + 1);
    }
  else
    backup = g_strdup_printf ("%s" BACKUP_INFIX "%s", path, stamp);
  if (!i2a_client_file_write_atomic (backup, contents, length, 0600, error))
    return NULL;
  return g_steal_pointer (&backup);
}

gboolean
i2a_client_file_prune_backups (const char  *path,
                               guint        keep,
                               GError     **error)
{
  g_autoptr(GPtrArray) found = scan_backups (path, error);

  if (found == NULL)
    return FALSE;
  for (guint i = keep; i < found->len; i++)
    {
      const char *old = ((Backup *) found->pdata[i])->path;

      if (g_unlink (old) != 0 && errno != ENOENT)
        return set_errno_error (error, errno, "Cannot remove", old);
    }
  return TRUE;
}

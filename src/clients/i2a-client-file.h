/* i2a-client-file.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-file.h: a client program's config file: read, atomic write
 * keeping permissions, and timestamped backups next to it. Blocking I/O:
 * call from a worker thread in the app. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @contents gets NULL and @exists FALSE (no error) for a missing file;
 * @mode (optional) the permission bits, 0 when missing. */
gboolean  i2a_client_file_read          (const char  *path,
                                         char       **contents,
                                         gsize       *length,
                                         gboolean    *exists,
                                         guint       *mode,
                                         GError     **error);
/* Temp file + fsync + rename with permission bits @mode (not subject to
 * the umask). A symlink at @path is kept: its target is replaced. Missing
 * parent directories are created 0700. */
gboolean  i2a_client_file_write_atomic  (const char  *path,
                                         const char  *contents,
                                         gsize        length,
                                         guint        mode,
                                         GError     **error);
/* Remove @path (its target when a symlink); a missing file is fine. */
gboolean  i2a_client_file_remove        (const char  *path,
                                         GError     **error);

/* Write @contents to a new "<path>.bak-YYYYmmdd-HHMMSS[-N]" (0600) that
 * sorts after every existing backup; returns its path. */
char     *i2a_client_file_backup        (const char  *path,
                                         const char  *contents,
                                         gsize        length,
                                         GError     **error);
/* Backups of @path, newest first; an empty list when there are none. */
char    **i2a_client_file_list_backups  (const char  *path,
                                         GError     **error);
/* Delete all but the newest @keep backups. */
gboolean  i2a_client_file_prune_backups (const char  *path,
                                         guint        keep,
                                         GError     **error);

G_END_DECLS

/* gui-test-util.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "gui-test-util.h"
#include "i2a-gui-resources.h"

static char *test_home;

static void
remove_home (void)
{
  if (test_home != NULL)
    i2a_test_rm_rf (test_home);
  g_clear_pointer (&test_home, g_free);
}

const char *
gui_test_init (int    *argc,
               char ***argv)
{
  g_autofree char *config = NULL;
  g_autofree char *data = NULL;
  g_autofree char *cache = NULL;

  test_home = i2a_test_mkdtemp ();
  atexit (remove_home);
  config = g_build_filename (test_home, ".config", NULL);
  data = g_build_filename (test_home, ".local", "share", NULL);
  cache = g_build_filename (test_home, ".cache", NULL);
  g_setenv ("HOME", test_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_unsetenv ("IFLOW2API_KEYS_PATH");

  setlocale (LC_ALL, "");
  /* The translations compiled in the build tree (po/<lang>/LC_MESSAGES). */
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (argc, argv, NULL);
  adw_init ();
  /* Links the resource in; its constructor registers it. */
  (void) i2a_gui_get_resource ();
  return test_home;
}

void
gui_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static GskRenderNode *
snapshot_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  gdk_paintable_snapshot (paintable, snapshot,
                          gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  return gtk_snapshot_free_to_node (snapshot);
}

char *
gui_test_save_png (GtkWidget  *window,
                   GtkWidget  *dialog,
                   const char *name)
{
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderNode) window_node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  char *path;

  /* A stray PNG once landed in the repository root. */
  g_assert_null (strchr (name, G_DIR_SEPARATOR));
  path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  window_node = snapshot_widget (window);
  g_assert_nonnull (window_node);
  gtk_snapshot_append_node (snapshot, window_node);
  if (dialog != NULL)
    {
      g_autoptr(GskRenderNode) dialog_node = snapshot_widget (dialog);
      int dw = gtk_widget_get_width (dialog);
      int dh = gtk_widget_get_height (dialog);

      /* What a modal dialog looks like over its parent. */
      gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.3 },
                                 &GRAPHENE_RECT_INIT (0, 0, width, height));
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - dw) / 2, (height - dh) / 2));
      gtk_snapshot_append_node (snapshot, dialog_node);
      gtk_snapshot_restore (snapshot);
    }
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Wrote %s (%dx%d)", path, width, height);
  return path;
}

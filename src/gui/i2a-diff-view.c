/* i2a-diff-view.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-diff-view.c: a unified diff as one label per line */
#define G_LOG_DOMAIN "i2a-diff-view"

#include "config.h"

#include "i2a-diff-view.h"

struct _I2aDiffView
{
  GtkBox parent_instance;
};

G_DEFINE_FINAL_TYPE (I2aDiffView, i2a_diff_view, GTK_TYPE_BOX)

/* One label per line, classed for the colours: the same view in the
 * dialog and in the undo confirmation. */
void
i2a_diff_view_set_diff (I2aDiffView *self,
                        const char  *diff)
{
  GtkBox *box = GTK_BOX (self);
  g_auto(GStrv) lines = NULL;
  GtkWidget *child;

  g_return_if_fail (I2A_IS_DIFF_VIEW (self));
  g_return_if_fail (diff != NULL);

  lines = g_strsplit (diff, "\n", -1);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
  for (guint i = 0; lines[i] != NULL && (lines[i][0] != '\0' || lines[i + 1] != NULL); i++)
    {
      const char *line = lines[i];
      GtkWidget *label = gtk_label_new (line);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      if (g_str_has_prefix (line, "+++") || g_str_has_prefix (line, "---"))
        gtk_widget_add_css_class (label, "i2a-diff-header");
      else if (line[0] == '+')
        gtk_widget_add_css_class (label, "i2a-diff-added");
      else if (line[0] == '-')
        gtk_widget_add_css_class (label, "i2a-diff-removed");
      else if (line[0] == '@')
        gtk_widget_add_css_class (label, "i2a-diff-hunk");
      gtk_box_append (box, label);
    }
}

static void
i2a_diff_view_class_init (I2aDiffViewClass *klass)
{
}

static void
i2a_diff_view_init (I2aDiffView *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_widget_add_css_class (GTK_WIDGET (self), "i2a-diff");
  gtk_widget_add_css_class (GTK_WIDGET (self), "monospace");
}

GtkWidget *
i2a_diff_view_new (void)
{
  return g_object_new (I2A_TYPE_DIFF_VIEW, NULL);
}

/* i2a-usage-dialog.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-usage-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-usage-dialog.h"
#include "i2a-usage-page.h"

GtkWindow *
i2a_usage_dialog_new (GtkWindow *parent,
                      I2aLedger *ledger)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *content;

  gtk_window_set_title (GTK_WINDOW (window), _("Usage"));
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 760);
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_hide_on_close (GTK_WINDOW (window), FALSE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  if (ledger)
    content = i2a_usage_page_new (ledger);
  else
    {
      content = adw_status_page_new ();
      adw_status_page_set_icon_name (ADW_STATUS_PAGE (content), "dialog-information-symbolic");
      adw_status_page_set_title (ADW_STATUS_PAGE (content), _("Usage Is Not Recorded"));
      adw_status_page_set_description (ADW_STATUS_PAGE (content),
                                       _("The usage ledger is off (IFLOW2API_USAGE_DB=off) or its "
                                         "database could not be opened."));
    }
  gtk_widget_set_vexpand (content, TRUE);
  gtk_box_append (GTK_BOX (box), content);
  adw_window_set_content (ADW_WINDOW (window), box);
  return GTK_WINDOW (window);
}

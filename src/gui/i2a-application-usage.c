/* i2a-application-usage.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The application's side of the usage ledger: opening and closing it,
 * notifications (a database moved aside, every account of a key out of
 * quota), today's totals for the tray tooltip, and the Usage window. */
#define G_LOG_DOMAIN "i2a-application"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-application-private.h"
#include "i2a-usage-dialog.h"

static void
database_replaced_cb (I2aApplication *self,
                      const char     *moved_to,
                      const char     *reason)
{
  g_autofree char *body = NULL;

  /* TRANSLATORS: %s is the file name the old database was renamed to */
  body = g_strdup_printf (_("It could not be used and was moved to %s. A new one was started; "
                            "earlier usage is in the old file."), moved_to);
  _i2a_application_notify (self, "usage-database-replaced", _("Usage database replaced"), body,
                           "app.usage", NULL, NULL);
}

static void
quota_exhausted_cb (I2aApplication *self,
                    const char     *key_id,
                    guint           resets_in)
{
  g_autofree char *when = i2a_usage_format_duration (resets_in);
  g_autofree char *body = NULL;

  if (key_id)
    /* TRANSLATORS: %s is a client key's label, then a duration */
    body = g_strdup_printf (_("Every account of client key “%s” has used up its quota. "
                              "The first has room again in %s."), key_id, when);
  else
    /* TRANSLATORS: %s is a duration such as "2 h 13 min" */
    body = g_strdup_printf (_("Every account has used up its quota. The first has room again in %s."), when);
  _i2a_application_notify (self, "quota-exhausted", _("Out of quota"), body, "app.show-window", NULL, NULL);
}

static gboolean
status_cb (gpointer user_data)
{
  I2aApplication *self = user_data;

  self->usage_status_id = 0;
  _i2a_application_update_status (self);
  return G_SOURCE_REMOVE;
}

/* The tooltip follows finished requests, at most once a second. */
static void
recorded_cb (I2aApplication *self)
{
  if (self->usage_status_id == 0)
    self->usage_status_id = g_timeout_add_seconds (1, status_cb, self);
}

static void
usage_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  I2aApplication *self = user_data;
  GtkWindow *window = i2a_usage_dialog_new (i2a_application_get_main_window (self), self->ledger);

  gtk_window_present (window);
}

void
_i2a_application_usage_start (I2aApplication *self)
{
  static const char *accels[] = { "<Control>u", NULL };
  static const GActionEntry entries[] = { { "usage", usage_activated, NULL, NULL, NULL, { 0 } } };

  self->ledger = i2a_ledger_open_default ();
  i2a_pool_set_ledger (self->pool, self->ledger);
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.usage", accels);
  g_signal_connect_object (self->pool, "quota-exhausted", G_CALLBACK (quota_exhausted_cb), self,
                           G_CONNECT_SWAPPED);
  if (self->ledger == NULL)
    return;
  g_signal_connect_object (self->ledger, "database-replaced", G_CALLBACK (database_replaced_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ledger, "recorded", G_CALLBACK (recorded_cb), self, G_CONNECT_SWAPPED);
}

void
_i2a_application_usage_stop (I2aApplication *self)
{
  g_clear_handle_id (&self->usage_status_id, g_source_remove);
  /* Every finished request reaches the disk before we exit. */
  if (self->ledger)
    i2a_ledger_close (self->ledger);
}

char *
_i2a_application_usage_today (I2aApplication *self)
{
  gint64 requests, tokens;
  g_autofree char *count = NULL;
  g_autofree char *n = NULL;

  if (self->ledger == NULL)
    return NULL;
  i2a_ledger_get_today (self->ledger, I2A_USAGE_SCOPE_ALL, NULL, &requests, &tokens);
  count = i2a_usage_format_count (tokens);
  n = g_strdup_printf ("%" G_GINT64_FORMAT, requests);
  /* TRANSLATORS: tray tooltip line: requests and tokens since midnight */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Today: %s request, %s tokens",
                                       "Today: %s requests, %s tokens", (gulong) MIN (requests, G_MAXINT)),
                          n, count);
}

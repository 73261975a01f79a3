/* i2a-usage-command.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "iflow2api"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "i2a-ledger.h"
#include "i2a-enum.h"
#include "i2a-usage-command.h"

static void
print_row (const char *const *cells,
           const int          *widths,
           guint               n)
{
  for (guint c = 0; c < n; c++)
    {
      /* Labels left, numbers right; width by characters (labels may be
       * CJK, close enough for a terminal table). */
      int pad = widths[c] - (int) g_utf8_strlen (cells[c], -1);

      if (c == 0)
        g_print ("%s%*s", cells[c], MAX (pad, 0) + 2, "");
      else
        g_print ("%*s%s%s", MAX (pad, 0), "", cells[c], c + 1 < n ? "  " : "");
    }
  g_print ("\n");
}

static void
print_table (GPtrArray  *groups,
             I2aUsageBy  by)
{
  /* TRANSLATORS: column headings of `iflow2api usage`; the first is the
   * grouping (day, account, model, key or endpoint) */
  const char *heads[] = { NULL, N_("REQUESTS"), N_("ERRORS"), N_("INPUT TOKENS"), N_("OUTPUT TOKENS") };
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  int widths[5] = { 0 };
  gint64 total[4] = { 0 }, estimated = 0;
  guint rows = groups->len + 2;

  g_ptr_array_add (cells, g_ascii_strup (i2a_enum_to_nick (I2A_TYPE_USAGE_BY, by), -1));
  for (guint c = 1; c < 5; c++)
    g_ptr_array_add (cells, g_strdup (_(heads[c])));
  for (guint i = 0; i <= groups->len; i++)
    {
      const I2aUsageGroup *g = i < groups->len ? groups->pdata[i] : NULL;
      gint64 v[4];

      if (g)
        {
          v[0] = g->requests; v[1] = g->errors; v[2] = g->prompt_tokens; v[3] = g->completion_tokens;
          for (guint k = 0; k < 4; k++)
            total[k] += v[k];
          estimated += g->estimated;
          /* TRANSLATORS: the group of requests with no account / key / model */
          g_ptr_array_add (cells, g_strdup (*g->key ? g->key : _("(none)")));
        }
      else
        {
          memcpy (v, total, sizeof v);
          g_ptr_array_add (cells, g_strdup (_("TOTAL")));
        }
      for (guint k = 0; k < 4; k++)
        g_ptr_array_add (cells, g_strdup_printf ("%" G_GINT64_FORMAT, v[k]));
    }
  for (guint r = 0; r < rows; r++)
    for (guint c = 0; c < 5; c++)
      widths[c] = MAX (widths[c], (int) g_utf8_strlen (cells->pdata[r * 5 + c], -1));
  for (guint r = 0; r < rows; r++)
    print_row ((const char *const *) cells->pdata + r * 5, widths, 5);
  if (estimated > 0)
    {
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, estimated);

      /* TRANSLATORS: %s is a number of requests */
      g_print (ngettext ("\n%s request has estimated token counts (the upstream sent no usage).\n",
                         "\n%s requests have estimated token counts (the upstream sent no usage).\n",
                         (gulong) estimated), n);
    }
}

int
i2a_usage_command_run (int    argc,
                       char **argv)
{
  g_autofree char *since = NULL;
  g_autofree char *by_text = NULL;
  g_autofree char *path = i2a_ledger_default_path ();
  g_autofree char *prog = g_strdup_printf ("%s %s", argv[0], argv[1]);
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  gboolean json = FALSE;
  gint64 since_ms;
  I2aUsageBy by;
  GOptionEntry entries[] = {
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      N_("Start: 24h, 7d, 30d (any N with s, m, h or d) or a date YYYY-MM-DD (default 7d)"), N_("WHEN") },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by_text,
      N_("Group by day, account, model, key or endpoint (default day)"), N_("GROUP") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON (for scripts)"), NULL },
    { NULL }
  };

  g_set_prgname (prog);
  argv[1] = prog;
  argc--;
  argv++;
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, N_("Requests, errors and tokens from the usage ledger "
                                            "($XDG_DATA_HOME/iflow2api/usage.db)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("iflow2api: %s\n", error->message);
      return 2;
    }
  if (!i2a_usage_parse_since (since ? since : "7d", g_get_real_time () / 1000, &since_ms))
    {
      g_printerr (_("iflow2api: --since takes 24h, 7d, 30d or a date YYYY-MM-DD, not “%s”\n"), since);
      return 2;
    }
  if (!i2a_enum_from_nick (I2A_TYPE_USAGE_BY, by_text ? by_text : "day", (int *) &by))
    {
      g_printerr (_("iflow2api: --by takes day, account, model, key or endpoint, not “%s”\n"), by_text);
      return 2;
    }
  if (path == NULL)
    {
      g_printerr ("%s\n", _("iflow2api: the usage ledger is off (IFLOW2API_USAGE_DB=off)"));
      return 1;
    }
  groups = i2a_ledger_read_summary (path, since_ms, by, &error);
  if (groups == NULL)
    {
      g_printerr ("iflow2api: %s\n", error->message);
      return 1;
    }
  if (json)
    {
      g_autoptr(JsonNode) node = i2a_usage_groups_to_json (groups, since_ms, by);
      g_autofree char *text = json_to_string (node, TRUE);

      g_print ("%s\n", text);
      return 0;
    }
  print_table (groups, by);
  return 0;
}

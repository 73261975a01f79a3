/* i2a-line-diff.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-line-diff"

#include "config.h"

#include <string.h>

#include "i2a-line-diff.h"

/* Past this many cells the LCS table costs more than a preview is worth. */
#define MAX_TABLE_CELLS (8u * 1024u * 1024u)

typedef struct
{
  char  op;      /* ' ', '-', '+' */
  guint old_i;   /* index in old lines (for ' ' and '-') */
  guint new_i;   /* index in new lines (for ' ' and '+') */
} Edit;

/* Lines without their "\n"; a final newline does not make an empty line. */
static char **
split_lines (const char *text,
             guint      *n)
{
  char **lines;
  guint len;

  if (text == NULL || *text == '\0')
    {
      *n = 0;
      return g_new0 (char *, 1);
    }
  lines = g_strsplit (text, "\n", -1);
  len = g_strv_length (lines);
  if (len > 0 && lines[len - 1][0] == '\0')
    {
      g_free (lines[len - 1]);
      lines[len - 1] = NULL;
      len--;
    }
  *n = len;
  return lines;
}

static void
add_edit (GArray *edits,
          char    op,
          guint   old_i,
          guint   new_i)
{
  Edit e = { op, old_i, new_i };

  g_array_append_val (edits, e);
}

/* Edit script for old[lo_a..hi_a) -> new[lo_b..hi_b): a longest common
 * subsequence table, or "all removed, all added" when it would be huge. */
static void
diff_middle (char  **a,
             guint   lo_a,
             guint   hi_a,
             char  **b,
             guint   lo_b,
             guint   hi_b,
             GArray *edits)
{
  guint n = hi_a - lo_a, m = hi_b - lo_b;
  guint32 *table;
  guint i = 0, j = 0;

  if ((guint64) (n + 1) * (m + 1) > MAX_TABLE_CELLS)
    {
      for (i = lo_a; i < hi_a; i++)
        add_edit (edits, '-', i, lo_b);
      for (j = lo_b; j < hi_b; j++)
        add_edit (edits, '+', hi_a, j);
      return;
    }
  /* table[i][j] = LCS length of a[lo_a+i..] and b[lo_b+j..]. */
  table = g_new0 (guint32, (gsize) (n + 1) * (m + 1));
#define T(x, y) table[(gsize) (x) * (m + 1) + (y)]
  for (guint x = n; x-- > 0;)
    for (guint y = m; y-- > 0;)
      {
        if (strcmp (a[lo_a + x], b[lo_b + y]) == 0)
          T (x, y) = T (x + 1, y + 1) + 1;
        else
          T (x, y) = MAX (T (x + 1, y), T (x, y + 1));
      }
  while (i < n || j < m)
    {
      if (i < n && j < m && strcmp (a[lo_a + i], b[lo_b + j]) == 0)
        {
          add_edit (edits, ' ', lo_a + i, lo_b + j);
          i++, j++;
        }
      else if (j < m && (i == n || T (i, j + 1) > T (i + 1, j)))
        {
          add_edit (edits, '+', lo_a + i, lo_b + j);
          j++;
        }
      else
        {
          add_edit (edits, '-', lo_a + i, lo_b + j);
          i++;
        }
    }
#undef T
  g_free (table);
}

/* "start,count" of a unified hunk header; an empty range names the line
 * before it, as diff(1) does. */
static void
append_range (GString *out,
              guint    first,
              guint    count)
{
  g_string_append_printf (out, "%u,%u", count == 0 ? first : first + 1, count);
}

char *
i2a_line_diff_unified (const char *old_text,
                       const char *new_text,
                       const char *old_label,
                       const char *new_label,
                       guint       context)
{
  g_auto(GStrv) a = NULL;
  g_auto(GStrv) b = NULL;
  g_autoptr(GArray) edits = g_array_new (FALSE, FALSE, sizeof (Edit));
  GString *out;
  guint n, m, prefix = 0, suffix = 0, k = 0;

  a = split_lines (old_text, &n);
  b = split_lines (new_text, &m);
  while (prefix < n && prefix < m && strcmp (a[prefix], b[prefix]) == 0)
    prefix++;
  while (suffix < n - prefix && suffix < m - prefix &&
         strcmp (a[n - 1 - suffix], b[m - 1 - suffix]) == 0)
    suffix++;
  if (prefix == n && prefix == m)
    return g_strdup ("");

  for (guint i = 0; i < prefix; i++)
    add_edit (edits, ' ', i, i);
  diff_middle (a, prefix, n - suffix, b, prefix, m - suffix, edits);
  for (guint i = 0; i < suffix; i++)
    add_edit (edits, ' ', n - suffix + i, m - suffix + i);

  out = g_string_new (NULL);
  g_string_append_printf (out, "--- %s\n+++ %s\n", old_label, new_label);
  while (k < edits->len)
    {
      guint start, end, first_change, old_count = 0, new_count = 0, next;
      Edit *first;

      /* Next change, then the hunk around it, merged with any change that
       * lies within 2 × context unchanged lines. */
      while (k < edits->len && g_array_index (edits, Edit, k).op == ' ')
        k++;
      if (k == edits->len)
        break;
      first_change = k;
      start = first_change > context ? first_change - context : 0;
      end = first_change;
      for (next = first_change; next < edits->len; next++)
        {
          if (g_array_index (edits, Edit, next).op != ' ')
            end = next;
          else if (next - end > 2 * context)
            break;
        }
      end = MIN (end + context + 1, edits->len);

      for (guint i = start; i < end; i++)
        {
          char op = g_array_index (edits, Edit, i).op;

          old_count += op != '+';
          new_count += op != '-';
        }
      first = &g_array_index (edits, Edit, start);
      g_string_append (out, "@@ -");
      append_range (out, first->old_i, old_count);
      g_string_append (out, " +");
      append_range (out, first->new_i, new_count);
      g_string_append (out, " @@\n");
      for (guint i = start; i < end; i++)
        {
          Edit *e = &g_array_index (edits, Edit, i);

          g_string_append_c (out, e->op);
          g_string_append (out, e->op == '+' ? b[e->new_i] : a[e->old_i]);
          g_string_append_c (out, '\n');
        }
      k = end;
    }
  return g_string_free (out, FALSE);
}

/* test-token-estimate.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The local token estimate ends on any text (it runs on the main loop for
 * every Messages request and count_tokens call). */
#include "config.h"

#include "i2a-token-estimate.h"

static void
test_every_character_moves_on (void)
{
  /* Control characters, no-break and ideographic spaces, a line separator,
   * invalid UTF-8: each once stopped the scan from moving on. */
  static const char *texts[] = {
    "be\004rief", "\001", "\x7f", "a\xc2\xa0" "b", "\xe3\x80\x80", "x\xe2\x80\xa8y",
    "\xc2\xa0\xc2\xa0\n", "\xff\xfe", "tab\tand  spaces\n\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      gint64 n = i2a_token_estimate_text (texts[i], -1);

      g_assert_cmpint (n, >=, 0);
      g_assert_cmpint (n, <=, 8);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/translate/token-estimate/every-character-moves-on", test_every_character_moves_on);
  return g_test_run ();
}

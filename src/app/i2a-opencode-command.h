/* i2a-opencode-command.h: `iflow2api opencode`, point OpenCode at the
 * local endpoint (i2a-opencode.h does the work).
 *
 *   iflow2api opencode [--print]   show what would change (the default)
 *   iflow2api opencode --apply     back up and write it
 *   iflow2api opencode --undo      put the newest backup back
 *   iflow2api opencode --list-backups
 *
 * with --config PATH, --provider NAME, --model ID, --small-model ID,
 * --port PORT, --keys PATH. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @argv[1] is "opencode". Returns the exit status. */
int i2a_opencode_command_run (int    argc,
                              char **argv);

G_END_DECLS

/* i2a-usage-command.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-usage-command.h: `iflow2api usage [--since 24h|7d|30d|YYYY-MM-DD]
 * [--by day|account|model|key|endpoint] [--json]`: requests, errors and
 * tokens per group, read from the usage ledger (also while iflow2api
 * serves; rows reach the file within a second). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int i2a_usage_command_run (int    argc,
                           char **argv);

G_END_DECLS

/* i2a-headless.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-headless.h: run the server without a display. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char     *host;
  int       port;
  char     *keys_path;
  char     *iflow_dir;
  gboolean  verbose;
} I2aServeOptions;

/* Blocks in a main loop until SIGINT/SIGTERM; returns the exit status. */
int i2a_headless_run (const I2aServeOptions *options);

G_END_DECLS

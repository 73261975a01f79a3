/* i2a-cli-settings.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-cli-settings.h: the iFlow CLI's own login (~/.iflow/settings.json and
 * ~/.iflow/oauth_creds.json), read asynchronously and re-read whenever the
 * files change, so a login with the iFlow CLI is picked up without a
 * restart. A missing or malformed file is not fatal: the last good values
 * stay and the reason is logged with file, line and problem. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define I2A_DEFAULT_BASE_URL "https://apis.iflow.cn/v1"

#define I2A_TYPE_CLI_SETTINGS (i2a_cli_settings_get_type ())
G_DECLARE_FINAL_TYPE (I2aCliSettings, i2a_cli_settings, I2A, CLI_SETTINGS, GObject)

/* @dir: the ~/.iflow directory (NULL = $HOME/.iflow). Starts loading and
 * monitoring at once; "changed" is emitted after every (re)load. */
I2aCliSettings *i2a_cli_settings_new            (const char     *dir);
const char     *i2a_cli_settings_get_dir        (I2aCliSettings *self);
gboolean        i2a_cli_settings_is_loaded      (I2aCliSettings *self);
/* NULL when not logged in. Secret: never log it. */
const char     *i2a_cli_settings_get_api_key    (I2aCliSettings *self);
const char     *i2a_cli_settings_get_base_url   (I2aCliSettings *self);
const char     *i2a_cli_settings_get_auth_type  (I2aCliSettings *self);
const char     *i2a_cli_settings_get_model_name (I2aCliSettings *self);
/* From oauth_creds.json, for import (may be NULL / 0). */
const char     *i2a_cli_settings_get_refresh_token (I2aCliSettings *self);
const char     *i2a_cli_settings_get_access_token  (I2aCliSettings *self);
gint64          i2a_cli_settings_get_expires_at    (I2aCliSettings *self);
/* Reload now (tests, resume); completion is signalled by "changed". */
void            i2a_cli_settings_reload         (I2aCliSettings *self);
/* Load the two files' contents (NULL = missing) at once, as a reload would
 * read them; for tests and fuzzing. Emits "changed". */
void            i2a_cli_settings_load_data      (I2aCliSettings *self,
                                                 const char     *settings,
                                                 gsize           settings_len,
                                                 const char     *creds,
                                                 gsize           creds_len);

G_END_DECLS

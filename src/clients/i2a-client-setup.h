/* i2a-client-setup.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-setup.h: point a client program (OpenCode, Claude Code,
 * Codex…) at the local endpoint, with a preview, backups and undo. No GTK:
 * the CLI (`iflow2api <client>`) and the GUI share it.
 *
 * A client is a table entry (I2aClient): its name, where its config file
 * is, and one writer that turns the file as it is into the file as it
 * should be, plus a function that shows a file's content with every
 * secret masked. Everything else is shared here:
 *
 * A plan is computed first (nothing is written): the file as it is, the
 * file as it would be, and a unified diff of the two for people to read,
 * with every secret-looking value masked. Applying a setup plan backs the
 * file up to "<file>.bak-YYYYmmdd-HHMMSS" (mode 0600; the newest
 * I2A_CLIENT_MAX_BACKUPS are kept) and replaces it atomically, keeping
 * its permissions (0600 for a new file: it may hold a key) and writing
 * through a symlink to its target. Applying an undo plan puts the newest
 * backup back the same way and deletes that backup. A setup that created
 * the file leaves an empty backup, so undo removes the file again.
 *
 * The synchronous calls do blocking file I/O (CLI, tests); the app uses
 * the _async variants, which run them in a worker thread. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define I2A_CLIENT_MAX_BACKUPS 5
/* An API key value that stands for "a client key --apply will create":
 * plans with it preview fine but cannot be applied. */
#define I2A_CLIENT_PENDING_KEY "<new client key>"

/* What a writer is asked to set. Each client uses what it understands. */
typedef struct
{
  const char *provider;     /* the provider's name in the client; NULL: "iflow2api" */
  const char *base_url;     /* NULL: "http://127.0.0.1:8000/v1" (OpenAI style, with /v1) */
  const char *api_key;      /* NULL: I2A_CLIENT_KEY_NO_AUTH (a secret otherwise) */
  /* A catalogue id sets the client's default model; NULL sets the
   * client's default only when the file has none yet; "" leaves it. */
  const char *model;
  /* A catalogue id sets the small/fast model; NULL or "" leaves it. */
  const char *small_model;
} I2aClientOptions;

typedef enum
{
  I2A_CLIENT_OPTION_CONFIG      = 1 << 0,   /* --config PATH */
  I2A_CLIENT_OPTION_PROVIDER    = 1 << 1,   /* --provider NAME */
  I2A_CLIENT_OPTION_SMALL_MODEL = 1 << 2,   /* --small-model ID */
} I2aClientOptionFlags;

typedef struct _I2aClient I2aClient;
struct _I2aClient
{
  const char           *id;            /* "opencode": the subcommand and the GUI action target */
  const char           *name;          /* "OpenCode": a product name, not translated */
  I2aClientOptionFlags  cli_options;   /* which optional CLI options apply */
  /* Help texts, marked for translation and translated where shown. */
  const char           *config_help;   /* for --config; NULL without I2A_CLIENT_OPTION_CONFIG */
  const char           *model_help;    /* for --model */
  const char           *small_model_help; /* for --small-model; NULL without I2A_CLIENT_OPTION_SMALL_MODEL */
  /* How to use the client afterwards ("Run `codex --profile iflow2api`."),
   * marked for translation, or NULL. */
  const char           *usage_hint;
  /* With client auth off the client is given no key at all (instead of
   * I2A_CLIENT_KEY_NO_AUTH): only what people are told differs. */
  gboolean              no_key_without_auth;

  /* The config file written, computed afresh (environment included). */
  char               *(*default_path) (void);
  /* The new file content (NUL-terminated) from the current one
   * (@contents NULL: no file). Errors: I2A_ERROR_INVALID_CONFIG (the file
   * cannot be rewritten without damage, an unknown model…). Pure: no I/O. */
  char               *(*write)        (const char               *path,
                                       const char               *contents,
                                       gsize                     length,
                                       const I2aClientOptions   *options,
                                       GError                  **error);
  /* @contents for people (secrets masked, I2A_CLIENT_KEY_NO_AUTH and
   * I2A_CLIENT_PENDING_KEY shown); NULL with I2A_ERROR_INVALID_CONFIG
   * when the content cannot be read. Pure: no I/O. */
  char               *(*show)         (const char               *path,
                                       const char               *contents,
                                       gsize                     length,
                                       GError                  **error);
};

/* The table of known clients, NULL-terminated. */
const I2aClient * const *i2a_clients_all (void);
/* The client with this id, or NULL. */
const I2aClient         *i2a_client_find (const char *id);

typedef enum
{
  I2A_CLIENT_PLAN_SETUP,
  I2A_CLIENT_PLAN_UNDO,
} I2aClientPlanKind;

#define I2A_TYPE_CLIENT_PLAN (i2a_client_plan_get_type ())
G_DECLARE_FINAL_TYPE (I2aClientPlan, i2a_client_plan, I2A, CLIENT_PLAN, GObject)

/* Errors: those of client->write and client->show, G_IO_ERROR_* (reading). */
I2aClientPlan    *i2a_client_plan_setup           (const I2aClient          *client,
                                                   const char               *path,
                                                   const I2aClientOptions   *options,
                                                   GError                  **error);
/* Restore the newest backup of @path: G_IO_ERROR_NOT_FOUND when none. */
I2aClientPlan    *i2a_client_plan_undo            (const I2aClient          *client,
                                                   const char               *path,
                                                   GError                  **error);

I2aClientPlanKind i2a_client_plan_get_kind        (I2aClientPlan *self);
const char       *i2a_client_plan_get_path        (I2aClientPlan *self);
/* Whether the file exists now (before the plan is applied). */
gboolean          i2a_client_plan_get_file_exists (I2aClientPlan *self);
/* FALSE when applying would not change the file's content. */
gboolean          i2a_client_plan_get_changed     (I2aClientPlan *self);
/* For display only (secrets masked); "" for no file. */
const char       *i2a_client_plan_get_old_text    (I2aClientPlan *self);
const char       *i2a_client_plan_get_new_text    (I2aClientPlan *self);
/* Unified diff of the two display texts; "" when unchanged. */
const char       *i2a_client_plan_get_diff        (I2aClientPlan *self);
/* Undo: the backup that would be restored. Setup: NULL. */
const char       *i2a_client_plan_get_backup_path (I2aClientPlan *self);

/* Write the plan. Fails with G_IO_ERROR_WRONG_ETAG (nothing written) when
 * the file changed since the plan was made: make a new plan. A setup plan
 * that changes nothing writes nothing (no backup either). @backup_path
 * (optional) gets the backup made by a setup, NULL otherwise. */
gboolean          i2a_client_plan_apply           (I2aClientPlan  *self,
                                                   char          **backup_path,
                                                   GError        **error);

/* Backups of @path, newest first (NULL-terminated, never NULL). */
char            **i2a_client_list_backups         (const char     *path,
                                                   GError        **error);

/* The same in a worker thread. */
void              i2a_client_plan_setup_async     (const I2aClient          *client,
                                                   const char               *path,
                                                   const I2aClientOptions   *options,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
I2aClientPlan    *i2a_client_plan_setup_finish    (GAsyncResult             *result,
                                                   GError                  **error);
void              i2a_client_plan_undo_async      (const I2aClient          *client,
                                                   const char               *path,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
I2aClientPlan    *i2a_client_plan_undo_finish     (GAsyncResult             *result,
                                                   GError                  **error);
void              i2a_client_plan_apply_async     (I2aClientPlan            *self,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
gboolean          i2a_client_plan_apply_finish    (I2aClientPlan            *self,
                                                   GAsyncResult             *result,
                                                   char                    **backup_path,
                                                   GError                  **error);
void              i2a_client_list_backups_async   (const char               *path,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
char            **i2a_client_list_backups_finish  (GAsyncResult             *result,
                                                   GError                  **error);

G_END_DECLS

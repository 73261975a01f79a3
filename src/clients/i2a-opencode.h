/* i2a-opencode.h: point OpenCode at the local endpoint, with a preview,
 * backups and undo. No GTK: the CLI (`iflow2api opencode`) and the GUI
 * share it.
 *
 * A plan is computed first (nothing is written): the file as it is, the
 * file as it would be, and a unified diff of the two for people to read,
 * with every secret-looking value masked. Applying a setup plan backs the
 * file up to "<file>.bak-YYYYmmdd-HHMMSS" (mode 0600; the newest
 * I2A_OPENCODE_MAX_BACKUPS are kept) and replaces it atomically, keeping
 * its permissions (0600 for a new file: it holds a key) and writing
 * through a symlink to its target. Applying an undo plan puts the newest
 * backup back the same way and deletes that backup. A setup that created
 * the file leaves an empty backup, so undo removes the file again.
 *
 * Only plain JSON is rewritten: a file with comments (opencode.jsonc
 * style) is refused rather than losing them. A UTF-8 BOM is fine.
 * Everything but provider.<name>, "model" and "small_model" is kept as
 * is (values and member order; the layout becomes 2-space indented).
 *
 * The synchronous calls do blocking file I/O (CLI, tests); the app uses
 * the _async variants, which run them in a worker thread. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define I2A_OPENCODE_DEFAULT_PROVIDER "iflow2api"
#define I2A_OPENCODE_DEFAULT_MODEL    "glm-5"
#define I2A_OPENCODE_MAX_BACKUPS      5
/* An apiKey value that stands for "a client key --apply will create":
 * plans with it preview fine but cannot be applied. */
#define I2A_OPENCODE_PENDING_KEY      "<new client key>"

typedef struct
{
  const char *provider;     /* NULL: I2A_OPENCODE_DEFAULT_PROVIDER */
  const char *base_url;     /* NULL: "http://127.0.0.1:8000/v1" */
  const char *api_key;      /* NULL: I2A_CLIENT_KEY_NO_AUTH (a secret otherwise) */
  /* A catalogue id ("glm-5", "iflow2api/glm-5") sets "model"; NULL sets
   * I2A_OPENCODE_DEFAULT_MODEL only when the file has no "model" yet;
   * "" leaves "model" alone. */
  const char *model;
  /* A catalogue id sets "small_model"; NULL or "" leaves it alone. */
  const char *small_model;
} I2aOpencodeOptions;

typedef enum
{
  I2A_OPENCODE_PLAN_SETUP,
  I2A_OPENCODE_PLAN_UNDO,
} I2aOpencodePlanKind;

#define I2A_TYPE_OPENCODE_PLAN (i2a_opencode_plan_get_type ())
G_DECLARE_FINAL_TYPE (I2aOpencodePlan, i2a_opencode_plan, I2A, OPENCODE_PLAN, GObject)

/* $OPENCODE_CONFIG if set, else $XDG_CONFIG_HOME/opencode/opencode.json,
 * or opencode.jsonc there when only that exists. */
char             *i2a_opencode_default_config_path (void);

/* Errors: I2A_ERROR_INVALID_CONFIG (comments, not JSON, not an object,
 * provider.<name> not an object, unknown model), G_IO_ERROR_* (reading). */
I2aOpencodePlan  *i2a_opencode_plan_setup          (const char                *path,
                                                    const I2aOpencodeOptions  *options,
                                                    GError                   **error);
/* Restore the newest backup of @path: G_IO_ERROR_NOT_FOUND when none. */
I2aOpencodePlan  *i2a_opencode_plan_undo           (const char                *path,
                                                    GError                   **error);

I2aOpencodePlanKind i2a_opencode_plan_get_kind     (I2aOpencodePlan *self);
const char       *i2a_opencode_plan_get_path       (I2aOpencodePlan *self);
/* Whether the file exists now (before the plan is applied). */
gboolean          i2a_opencode_plan_get_file_exists (I2aOpencodePlan *self);
/* FALSE when applying would not change the file's content. */
gboolean          i2a_opencode_plan_get_changed    (I2aOpencodePlan *self);
/* For display only (secrets masked, normalised layout); "" for no file. */
const char       *i2a_opencode_plan_get_old_text   (I2aOpencodePlan *self);
const char       *i2a_opencode_plan_get_new_text   (I2aOpencodePlan *self);
/* Unified diff of the two display texts; "" when unchanged. */
const char       *i2a_opencode_plan_get_diff       (I2aOpencodePlan *self);
/* Undo: the backup that would be restored. Setup: NULL. */
const char       *i2a_opencode_plan_get_backup_path (I2aOpencodePlan *self);

/* Write the plan. Fails with G_IO_ERROR_WRONG_ETAG (nothing written) when
 * the file changed since the plan was made: make a new plan. A setup plan
 * that changes nothing writes nothing (no backup either). @backup_path
 * (optional) gets the backup made by a setup, NULL otherwise. */
gboolean          i2a_opencode_plan_apply          (I2aOpencodePlan  *self,
                                                    char            **backup_path,
                                                    GError          **error);

/* Backups of @path, newest first (NULL-terminated, never NULL). */
char            **i2a_opencode_list_backups        (const char       *path,
                                                    GError          **error);

/* The same in a worker thread. */
void              i2a_opencode_plan_setup_async    (const char                *path,
                                                    const I2aOpencodeOptions  *options,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
I2aOpencodePlan  *i2a_opencode_plan_setup_finish   (GAsyncResult              *result,
                                                    GError                   **error);
void              i2a_opencode_plan_undo_async     (const char                *path,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
I2aOpencodePlan  *i2a_opencode_plan_undo_finish    (GAsyncResult              *result,
                                                    GError                   **error);
void              i2a_opencode_plan_apply_async    (I2aOpencodePlan           *self,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
gboolean          i2a_opencode_plan_apply_finish   (I2aOpencodePlan           *self,
                                                    GAsyncResult              *result,
                                                    char                     **backup_path,
                                                    GError                   **error);
void              i2a_opencode_list_backups_async  (const char                *path,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
char            **i2a_opencode_list_backups_finish (GAsyncResult              *result,
                                                    GError                   **error);

G_END_DECLS

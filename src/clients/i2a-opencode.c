#define G_LOG_DOMAIN "i2a-opencode"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "i2a-json.h"
#include "i2a-client-file.h"
#include "i2a-client-key.h"
#include "i2a-error.h"
#include "i2a-json-pretty.h"
#include "i2a-line-diff.h"
#include "i2a-models.h"
#include "i2a-opencode.h"

#define DEFAULT_BASE_URL   "http://127.0.0.1:8000/v1"
#define SCHEMA_URL         "https://opencode.ai/config.json"
#define PROVIDER_NPM       "@ai-sdk/openai-compatible"
#define PROVIDER_LABEL     "iflow2api"
/* OpenCode sends limit.output as max_tokens and rejects 0. */
#define FALLBACK_CONTEXT   128000
#define FALLBACK_OUTPUT    32000
#define UTF8_BOM           "\xef\xbb\xbf"

struct _I2aOpencodePlan
{
  GObject              parent_instance;

  I2aOpencodePlanKind  kind;
  char                *path;
  /* The file as read when the plan was made, to notice later edits. */
  gboolean             old_exists;
  char                *old_contents;
  gsize                old_length;
  guint                old_mode;
  /* What applying writes (NULL with !new_exists: remove the file). */
  gboolean             new_exists;
  char                *new_contents;
  gsize                new_length;
  gboolean             pending_key;
  char                *backup_path;     /* undo: the one restored */
  char                *old_text;
  char                *new_text;
  char                *diff;
};

G_DEFINE_FINAL_TYPE (I2aOpencodePlan, i2a_opencode_plan, G_TYPE_OBJECT)

static const char * const public_values[] = {
  I2A_CLIENT_KEY_NO_AUTH, I2A_OPENCODE_PENDING_KEY, NULL
};

static void
i2a_opencode_plan_finalize (GObject *object)
{
  I2aOpencodePlan *self = I2A_OPENCODE_PLAN (object);

  g_free (self->path);
  g_free (self->old_contents);
  g_free (self->new_contents);
  g_free (self->backup_path);
  g_free (self->old_text);
  g_free (self->new_text);
  g_free (self->diff);
  G_OBJECT_CLASS (i2a_opencode_plan_parent_class)->finalize (object);
}

static void
i2a_opencode_plan_class_init (I2aOpencodePlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = i2a_opencode_plan_finalize;
}

static void
i2a_opencode_plan_init (I2aOpencodePlan *self)
{
}

char *
i2a_opencode_default_config_path (void)
{
  const char *env = g_getenv ("OPENCODE_CONFIG");
  g_autofree char *json = NULL;
  g_autofree char *jsonc = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  /* g_get_user_config_dir () caches $XDG_CONFIG_HOME for the process;
   * OpenCode reads it afresh, so do the same. */
  env = g_getenv ("XDG_CONFIG_HOME");
  if (env != NULL && g_path_is_absolute (env))
    json = g_build_filename (env, "opencode", "opencode.json", NULL);
  else
    json = g_build_filename (g_get_home_dir (), ".config", "opencode", "opencode.json", NULL);
  jsonc = g_strconcat (json, "c", NULL);
  if (!g_file_test (json, G_FILE_TEST_EXISTS) && g_file_test (jsonc, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&jsonc);
  return g_steal_pointer (&json);
}

/* ---- reading ------------------------------------------------------------ */

/* The document in @contents (BOM skipped; blank = {}), refusing what a
 * rewrite would damage. */
static JsonNode *
parse_config (const char  *path,
              const char  *contents,
              gsize        length,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  const char *message;
  guint line = 0, column = 0;
  JsonNode *root;

  if (length >= 3 && memcmp (contents, UTF8_BOM, 3) == 0)
    {
      contents += 3;
      length -= 3;
    }
  if (!g_utf8_validate_len (contents, length, NULL))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s is not UTF-8 text; it was left unchanged"), path);
      return NULL;
    }
  /* json-glib skips block comments without a word: the rewrite would
   * silently drop them. */
  if (i2a_json_find_comment (contents, length, &line, &column))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s:%u:%u: the file has comments (JSONC). Rewriting it would lose them, so it "
                     "was left unchanged: remove the comments first, or add the provider by hand"),
                   path, line, column);
      return NULL;
    }
  {
    g_autofree char *blank = g_strstrip (g_strndup (contents, length));

    if (*blank == '\0')
      return i2a_json_node_new_object ();
  }
  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    {
      /* "<data>:3:5: Parse error: ..." -> "PATH:3:5: Parse error: ..." */
      message = local_error->message;
      if (g_str_has_prefix (message, "<data>:"))
        message += strlen ("<data>:");
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s:%s (only plain JSON can be rewritten: no trailing commas); "
                     "the file was left unchanged"), path, message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s: the top level is not a JSON object; the file was left unchanged"), path);
      return NULL;
    }
  return json_node_copy (root);
}

/* ---- computing ---------------------------------------------------------- */

/* The member @name of @obj as an object; created when missing or null.
 * NULL (with @error) when it holds something else: that is the user's. */
static JsonObject *
ensure_object (JsonObject  *obj,
               const char  *name,
               const char  *json_path,
               GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    json_object_set_object_member (obj, name, json_object_new ());
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("“%s” is not a JSON object; the file was left unchanged"), json_path);
      return NULL;
    }
  return json_object_get_object_member (obj, name);
}

static void
set_model_entry (JsonObject         *models,
                 const I2aModelInfo *info)
{
  JsonObject *entry, *limit;
  JsonNode *node = json_object_get_member (models, info->id);

  /* Members the user added to a model (options, variants...) stay. */
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    json_object_set_object_member (models, info->id, json_object_new ());
  entry = json_object_get_object_member (models, info->id);
  json_object_set_string_member (entry, "name", info->name);
  limit = json_object_new ();
  json_object_set_int_member (limit, "context", info->context_length > 0 ? info->context_length : FALLBACK_CONTEXT);
  json_object_set_int_member (limit, "output", info->max_output_tokens > 0 ? info->max_output_tokens : FALLBACK_OUTPUT);
  json_object_set_object_member (entry, "limit", limit);
  json_object_set_boolean_member (entry, "reasoning", info->thinking);
  if (info->vision)
    {
      JsonObject *modalities = json_object_new ();
      JsonArray *input = json_array_new ();
      JsonArray *output = json_array_new ();

      json_array_add_string_element (input, "text");
      json_array_add_string_element (input, "image");
      json_array_add_string_element (output, "text");
      json_object_set_array_member (modalities, "input", input);
      json_object_set_array_member (modalities, "output", output);
      json_object_set_boolean_member (entry, "attachment", TRUE);
      json_object_set_object_member (entry, "modalities", modalities);
    }
}

/* "glm-5" or "<provider>/glm-5" -> "<provider>/glm-5" (catalogue spelling). */
static char *
model_ref (const char  *provider,
           const char  *id,
           const char  *option,
           GError     **error)
{
  g_autofree char *prefix = g_strconcat (provider, "/", NULL);
  const char *canonical;

  if (g_str_has_prefix (id, prefix))
    id += strlen (prefix);
  canonical = i2a_models_canonical_id (id);
  if (canonical == NULL)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s: “%s” is not a model iflow2api knows (see GET /v1/models)"), option, id);
      return NULL;
    }
  return g_strconcat (prefix, canonical, NULL);
}

static gboolean
apply_setup (JsonObject                *root,
             const I2aOpencodeOptions  *options,
             gboolean                   new_file,
             GError                   **error)
{
  const char *name = options->provider ? options->provider : I2A_OPENCODE_DEFAULT_PROVIDER;
  g_autofree char *provider_path = NULL;
  g_autofree char *options_path = NULL;
  g_autofree char *models_path = NULL;
  JsonObject *providers, *provider, *provider_options, *models;

  if (*name == '\0' || strchr (name, '/') != NULL)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("“%s” cannot name an OpenCode provider (empty or with a “/”)"), name);
      return FALSE;
    }
  if (new_file)
    json_object_set_string_member (root, "$schema", SCHEMA_URL);

  provider_path = g_strconcat ("provider.", name, NULL);
  options_path = g_strconcat (provider_path, ".options", NULL);
  models_path = g_strconcat (provider_path, ".models", NULL);
  if (!(providers = ensure_object (root, "provider", "provider", error)) ||
      !(provider = ensure_object (providers, name, provider_path, error)))
    return FALSE;
  json_object_set_string_member (provider, "npm", PROVIDER_NPM);
  json_object_set_string_member (provider, "name", PROVIDER_LABEL);
  if (!(provider_options = ensure_object (provider, "options", options_path, error)))
    return FALSE;
  json_object_set_string_member (provider_options, "baseURL",
                                 options->base_url ? options->base_url : DEFAULT_BASE_URL);
  json_object_set_string_member (provider_options, "apiKey",
                                 options->api_key ? options->api_key : I2A_CLIENT_KEY_NO_AUTH);
  if (!(models = ensure_object (provider, "models", models_path, error)))
    return FALSE;
  /* Models the user added by hand (for an OpenAI-compatible account)
   * are kept; catalogue entries are refreshed. */
  for (guint i = 0; i < i2a_models_count (); i++)
    set_model_entry (models, i2a_models_get (i));

  if (options->model == NULL ? !json_object_has_member (root, "model") : *options->model != '\0')
    {
      g_autofree char *ref = model_ref (name, options->model ? options->model : I2A_OPENCODE_DEFAULT_MODEL,
                                        "--model", error);

      if (ref == NULL)
        return FALSE;
      json_object_set_string_member (root, "model", ref);
    }
  if (options->small_model != NULL && *options->small_model != '\0')
    {
      g_autofree char *ref = model_ref (name, options->small_model, "--small-model", error);

      if (ref == NULL)
        return FALSE;
      json_object_set_string_member (root, "small_model", ref);
    }
  return TRUE;
}

/* Display texts and their diff (labels "a/…" and "b/…" as git shows). */
static void
finish_plan (I2aOpencodePlan *self,
             JsonNode        *old_root,
             JsonNode        *new_root)
{
  /* Translators: diff header labels after the file name. */
  const char *after_note = self->kind == I2A_OPENCODE_PLAN_UNDO ? _("(restored)") : _("(after setup)");
  g_autofree char *before = self->old_exists ? g_strdup (self->path)
                                             : g_strdup_printf ("%s %s", self->path, _("(new file)"));
  g_autofree char *after = g_strdup_printf ("%s %s", self->path, self->new_exists ? after_note : _("(removed)"));

  self->old_text = old_root ? i2a_json_pretty (old_root, I2A_JSON_PRETTY_MASK_SECRETS, public_values) : g_strdup ("");
  self->new_text = new_root ? i2a_json_pretty (new_root, I2A_JSON_PRETTY_MASK_SECRETS, public_values) : g_strdup ("");
  self->diff = i2a_line_diff_unified (self->old_text, self->new_text, before, after, 3);
}

I2aOpencodePlan *
i2a_opencode_plan_setup (const char                *path,
                         const I2aOpencodeOptions  *options,
                         GError                   **error)
{
  g_autoptr(I2aOpencodePlan) self = g_object_new (I2A_TYPE_OPENCODE_PLAN, NULL);
  g_autoptr(JsonNode) old_root = NULL;
  g_autoptr(JsonNode) new_root = NULL;
  I2aOpencodeOptions defaults = { 0 };

  g_return_val_if_fail (path != NULL, NULL);
  if (options == NULL)
    options = &defaults;

  self->kind = I2A_OPENCODE_PLAN_SETUP;
  self->path = g_strdup (path);
  if (!i2a_client_file_read (path, &self->old_contents, &self->old_length,
                             &self->old_exists, &self->old_mode, error))
    return NULL;
  if (self->old_exists)
    {
      old_root = parse_config (path, self->old_contents, self->old_length, error);
      if (old_root == NULL)
        return NULL;
      /* json_node_copy () shares the object: parse a second, separate one. */
      new_root = parse_config (path, self->old_contents, self->old_length, error);
    }
  else
    new_root = i2a_json_node_new_object ();

  if (!apply_setup (json_node_get_object (new_root), options, !self->old_exists, error))
    return NULL;
  self->new_exists = TRUE;
  self->new_contents = i2a_json_pretty (new_root, I2A_JSON_PRETTY_DEFAULT, NULL);
  self->new_length = strlen (self->new_contents);
  self->pending_key = g_strcmp0 (options->api_key, I2A_OPENCODE_PENDING_KEY) == 0;
  finish_plan (self, old_root, new_root);
  return g_steal_pointer (&self);
}

I2aOpencodePlan *
i2a_opencode_plan_undo (const char  *path,
                        GError     **error)
{
  g_autoptr(I2aOpencodePlan) self = g_object_new (I2A_TYPE_OPENCODE_PLAN, NULL);
  g_auto(GStrv) backups = NULL;
  g_autoptr(JsonNode) old_root = NULL;
  g_autoptr(JsonNode) new_root = NULL;
  g_autoptr(GError) parse_error = NULL;
  gboolean backup_exists = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  self->kind = I2A_OPENCODE_PLAN_UNDO;
  self->path = g_strdup (path);
  backups = i2a_client_file_list_backups (path, error);
  if (backups == NULL)
    return NULL;
  if (backups[0] == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no backup of %s to restore"), path);
      return NULL;
    }
  self->backup_path = g_strdup (backups[0]);
  if (!i2a_client_file_read (path, &self->old_contents, &self->old_length,
                             &self->old_exists, &self->old_mode, error) ||
      !i2a_client_file_read (self->backup_path, &self->new_contents, &self->new_length,
                             &backup_exists, NULL, error))
    return NULL;
  if (!backup_exists)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("%s disappeared"), self->backup_path);
      return NULL;
    }
  /* An empty backup records that there was no file before the setup. */
  self->new_exists = self->new_length > 0;
  if (!self->new_exists)
    g_clear_pointer (&self->new_contents, g_free);

  /* The texts are only for display: a file someone broke since still
   * gets restored. */
  if (self->old_exists)
    old_root = parse_config (path, self->old_contents, self->old_length, &parse_error);
  g_clear_error (&parse_error);
  if (self->new_exists)
    new_root = parse_config (self->backup_path, self->new_contents, self->new_length, &parse_error);
  finish_plan (self, old_root, new_root);
  if (self->old_exists && old_root == NULL)
    {
      g_free (self->old_text);
      self->old_text = g_strdup_printf ("%s\n", _("(not valid JSON: not shown)"));
    }
  if (self->new_exists && new_root == NULL)
    {
      g_free (self->new_text);
      self->new_text = g_strdup_printf ("%s\n", _("(not valid JSON: not shown)"));
    }
  if ((self->old_exists && old_root == NULL) || (self->new_exists && new_root == NULL))
    {
      g_free (self->diff);
      self->diff = i2a_line_diff_unified (self->old_text, self->new_text, path, self->backup_path, 3);
    }
  return g_steal_pointer (&self);
}

I2aOpencodePlanKind
i2a_opencode_plan_get_kind (I2aOpencodePlan *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_PLAN (self), I2A_OPENCODE_PLAN_SETUP);
  return self->kind;
}

const char *
i2a_opencode_plan_get_path (I2aOpencodePlan *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_PLAN (self), NULL);
  return self->path;
}

gboolean
i2a_opencode_plan_get_file_exists (I2aOpencodePlan *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_PLAN (self), FALSE);
  return self->old_exists;
}

gboolean
i2a_opencode_plan_get_changed (I2aOpencodePlan *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_PLAN (self), FALSE);
  if (self->kind == I2A_OPENCODE_PLAN_UNDO)
    return TRUE;  /* at least the backup goes */
  if (self->old_exists != self->new_exists)
    return TRUE;
  return self->old_length != self->new_length ||
         memcmp (self->old_contents, self->new_contents, self->old_length) != 0;
}

const char *
i2a_opencode_plan_get_old_text (I2aOpencodePlan *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_PLAN (self), NULL);
  return self->old_text;
}

const char *
i2a_opencode_plan_get_new_text (I2aOpencodePlan *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_PLAN (self), NULL);
  return self->new_text;
}

const char *
i2a_opencode_plan_get_diff (I2aOpencodePlan *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_PLAN (self), NULL);
  return self->diff;
}

const char *
i2a_opencode_plan_get_backup_path (I2aOpencodePlan *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_PLAN (self), NULL);
  return self->backup_path;
}

/* ---- applying ----------------------------------------------------------- */

static gboolean
check_unchanged (I2aOpencodePlan  *self,
                 guint            *mode,
                 GError          **error)
{
  g_autofree char *now = NULL;
  gsize length = 0;
  gboolean exists = FALSE;

  if (!i2a_client_file_read (self->path, &now, &length, &exists, mode, error))
    return FALSE;
  if (exists != self->old_exists ||
      (exists && (length != self->old_length || memcmp (now, self->old_contents, length) != 0)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WRONG_ETAG,
                   _("%s changed since the preview; nothing was written (preview again)"), self->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
i2a_opencode_plan_apply (I2aOpencodePlan  *self,
                         char            **backup_path,
                         GError          **error)
{
  g_autofree char *backup = NULL;
  guint mode = 0;

  g_return_val_if_fail (I2A_IS_OPENCODE_PLAN (self), FALSE);
  if (backup_path)
    *backup_path = NULL;
  if (self->pending_key)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED,
                   _("The client key is not created yet; this plan is only a preview"));
      return FALSE;
    }
  if (!check_unchanged (self, &mode, error))
    return FALSE;
  if (!self->old_exists)
    mode = 0600;

  if (self->kind == I2A_OPENCODE_PLAN_UNDO)
    {
      gboolean ok;

      if (self->new_exists)
        ok = i2a_client_file_write_atomic (self->path, self->new_contents, self->new_length,
                                           mode, error);
      else
        ok = i2a_client_file_remove (self->path, error);
      /* Restored: that backup is used up (a second undo goes further back). */
      return ok && i2a_client_file_remove (self->backup_path, error);
    }

  if (!i2a_opencode_plan_get_changed (self))
    return TRUE;
  /* An empty backup stands for "no file": undo then removes it again. */
  backup = i2a_client_file_backup (self->path, self->old_exists ? self->old_contents : "",
                                   self->old_exists ? self->old_length : 0, error);
  if (backup == NULL)
    return FALSE;
  if (!i2a_client_file_write_atomic (self->path, self->new_contents, self->new_length,
                                     mode, error))
    return FALSE;
  if (!i2a_client_file_prune_backups (self->path, I2A_OPENCODE_MAX_BACKUPS, error))
    return FALSE;
  if (backup_path)
    *backup_path = g_steal_pointer (&backup);
  return TRUE;
}

char **
i2a_opencode_list_backups (const char  *path,
                           GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  return i2a_client_file_list_backups (path, error);
}

/* ---- async -------------------------------------------------------------- */

typedef struct
{
  char               *path;
  I2aOpencodeOptions  options;   /* strings owned */
  gboolean            have_options;
} PlanData;

static void
plan_data_free (PlanData *data)
{
  g_free (data->path);
  g_free ((char *) data->options.provider);
  g_free ((char *) data->options.base_url);
  g_free ((char *) data->options.api_key);
  g_free ((char *) data->options.model);
  g_free ((char *) data->options.small_model);
  g_free (data);
}

static void
plan_setup_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  PlanData *data = task_data;
  GError *error = NULL;
  I2aOpencodePlan *plan = i2a_opencode_plan_setup (data->path, data->have_options ? &data->options : NULL, &error);

  if (plan)
    g_task_return_pointer (task, plan, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
i2a_opencode_plan_setup_async (const char                *path,
                               const I2aOpencodeOptions  *options,
                               GCancellable              *cancellable,
                               GAsyncReadyCallback        callback,
                               gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  PlanData *data = g_new0 (PlanData, 1);

  g_task_set_source_tag (task, i2a_opencode_plan_setup_async);
  data->path = g_strdup (path);
  if (options)
    {
      data->have_options = TRUE;
      data->options.provider = g_strdup (options->provider);
      data->options.base_url = g_strdup (options->base_url);
      data->options.api_key = g_strdup (options->api_key);
      data->options.model = g_strdup (options->model);
      data->options.small_model = g_strdup (options->small_model);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) plan_data_free);
  g_task_run_in_thread (task, plan_setup_thread);
}

I2aOpencodePlan *
i2a_opencode_plan_setup_finish (GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
plan_undo_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;
  I2aOpencodePlan *plan = i2a_opencode_plan_undo (task_data, &error);

  if (plan)
    g_task_return_pointer (task, plan, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
i2a_opencode_plan_undo_async (const char          *path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, i2a_opencode_plan_undo_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, plan_undo_thread);
}

I2aOpencodePlan *
i2a_opencode_plan_undo_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
apply_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  char *backup = NULL;

  /* The backup path, or "" when none was made. */
  if (i2a_opencode_plan_apply (source, &backup, &error))
    g_task_return_pointer (task, backup ? backup : g_strdup (""), g_free);
  else
    g_task_return_error (task, error);
}

void
i2a_opencode_plan_apply_async (I2aOpencodePlan     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_return_if_fail (I2A_IS_OPENCODE_PLAN (self));
  g_task_set_source_tag (task, i2a_opencode_plan_apply_async);
  g_task_run_in_thread (task, apply_thread);
}

gboolean
i2a_opencode_plan_apply_finish (I2aOpencodePlan  *self,
                                GAsyncResult     *result,
                                char            **backup_path,
                                GError          **error)
{
  g_autofree char *backup = g_task_propagate_pointer (G_TASK (result), error);

  if (backup_path)
    *backup_path = NULL;
  if (backup == NULL)
    return FALSE;
  if (backup_path && *backup != '\0')
    *backup_path = g_steal_pointer (&backup);
  return TRUE;
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  char **backups = i2a_opencode_list_backups (task_data, &error);

  if (backups)
    g_task_return_pointer (task, backups, (GDestroyNotify) g_strfreev);
  else
    g_task_return_error (task, error);
}

void
i2a_opencode_list_backups_async (const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, i2a_opencode_list_backups_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, list_thread);
}

char **
i2a_opencode_list_backups_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

#define G_LOG_DOMAIN "i2a-account-ops"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "i2a-account-ops.h"
#include "i2a-error.h"

/* The account the pool makes from the iFlow CLI's own login. */
#define CLI_ACCOUNT_ID "iflow-cli"
/* How long to wait for the CLI settings to re-read what we wrote. */
#define CLI_RELOAD_TIMEOUT_MS 10000

I2aAccount *
i2a_account_ops_lookup (GListModel *accounts,
                        const char *id)
{
  guint n = g_list_model_get_n_items (accounts);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(I2aAccount) account = g_list_model_get_item (accounts, i);

      if (g_strcmp0 (i2a_account_get_id (account), id) == 0)
        return g_steal_pointer (&account);
    }
  return NULL;
}

void
i2a_account_ops_set_enabled (I2aPool    *pool,
                             I2aAccount *account,
                             gboolean    enabled)
{
  g_return_if_fail (I2A_IS_ACCOUNT (account));

  /* TODO(pool edit API): persist to keys.json through the pool. */
  g_debug ("Account %s %s (live only)", i2a_account_get_id (account),
           enabled ? "enabled" : "disabled");
  i2a_account_set_enabled (account, enabled);
}

void
i2a_account_ops_set_max_concurrency (I2aPool    *pool,
                                     I2aAccount *account,
                                     guint       max)
{
  g_return_if_fail (I2A_IS_ACCOUNT (account));

  /* TODO(pool edit API): persist to keys.json through the pool. */
  g_debug ("Account %s: at most %u parallel requests (live only)",
           i2a_account_get_id (account), max);
  i2a_account_set_max_concurrency (account, max);
}

gboolean
i2a_account_ops_can_remove (I2aPool    *pool,
                            I2aAccount *account)
{
  /* The CLI login belongs to the iFlow CLI: log out there instead. */
  return g_strcmp0 (i2a_account_get_id (account), CLI_ACCOUNT_ID) != 0;
}

static void
remove_clear_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!i2a_secret_store_clear_finish (I2A_SECRET_STORE (object), result, &error))
    {
      if (error != NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  /* TODO(pool edit API): remove from the pool and keys.json here. Until the
   * pool can, the account stays listed, which must not look like success. */
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("Its keyring item was removed, but this version cannot remove "
                             "accounts from the pool yet. Edit ~/.iflow2api/keys.json instead."));
}

void
i2a_account_ops_remove_async (I2aPool             *pool,
                              I2aSecretStore      *secrets,
                              I2aAccount          *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, i2a_account_ops_remove_async);
  if (!i2a_account_ops_can_remove (pool, account))
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               _("This login belongs to the iFlow CLI. Log out there to remove it."));
      return;
    }
  i2a_secret_store_clear_async (secrets, i2a_account_get_id (account), cancellable,
                                remove_clear_cb, g_steal_pointer (&task));
}

gboolean
i2a_account_ops_remove_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Saving a browser login ------------------------------------------
 *
 * The pool cannot add accounts yet, so a login is saved the way the iFlow
 * CLI saves its own (~/.iflow/settings.json + oauth_creds.json, 0600,
 * replaced atomically, other keys kept); the pool's CLI account picks it up
 * when I2aCliSettings re-reads the files.
 * TODO(pool add API): store tokens with I2aSecretStore and add the account
 * to the pool / keys.json instead. */

typedef struct
{
  I2aPool          *pool;
  I2aCliSettings   *cli;
  GFile            *dir;
  I2aOAuthTokens   *tokens;
  I2aOAuthUserInfo *user_info;
  gulong            changed_id;
  guint             timeout_id;
} AddLogin;

static void
add_login_free (gpointer data)
{
  AddLogin *add = data;

  g_clear_signal_handler (&add->changed_id, add->cli);
  g_clear_handle_id (&add->timeout_id, g_source_remove);
  g_clear_object (&add->pool);
  g_clear_object (&add->cli);
  g_clear_object (&add->dir);
  g_clear_pointer (&add->tokens, i2a_oauth_tokens_free);
  g_clear_pointer (&add->user_info, i2a_oauth_user_info_free);
  g_free (add);
}

static GBytes *
wipeable_json (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *data;

  json_node_set_object (node, object);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, &len);
  /* The free func wipes: the document holds the API key. */
  return g_bytes_new_with_free_func (data, len, (GDestroyNotify) i2a_oauth_wipe_free, data);
}

static void
cli_reloaded_cb (I2aCliSettings *cli,
                 GTask          *task)
{
  AddLogin *add = g_task_get_task_data (task);
  I2aAccount *account;

  if (g_strcmp0 (i2a_cli_settings_get_api_key (cli), add->user_info->api_key) != 0)
    return;  /* an older reload; ours comes next */

  g_clear_signal_handler (&add->changed_id, add->cli);
  g_clear_handle_id (&add->timeout_id, g_source_remove);
  account = i2a_account_ops_lookup (G_LIST_MODEL (add->pool), CLI_ACCOUNT_ID);
  if (account != NULL)
    i2a_account_set_expires_at (account, add->tokens->expires_at);
  g_task_return_pointer (task, account, g_object_unref);
  g_object_unref (task);
}

static gboolean
cli_reload_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  AddLogin *add = g_task_get_task_data (task);

  add->timeout_id = 0;
  g_clear_signal_handler (&add->changed_id, add->cli);
  g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                           _("The login was saved, but iflow2api did not pick it up. Check %s."),
                           i2a_cli_settings_get_dir (add->cli));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
creds_written_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddLogin *add = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  add->changed_id = g_signal_connect (add->cli, "changed", G_CALLBACK (cli_reloaded_cb), task);
  add->timeout_id = g_timeout_add (CLI_RELOAD_TIMEOUT_MS, cli_reload_timeout_cb, task);
  /* The callbacks own the task from here. */
  g_steal_pointer (&task);
  i2a_cli_settings_reload (add->cli);
}

static void
settings_written_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddLogin *add = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) creds = json_object_new ();
  g_autoptr(GFile) file = g_file_get_child (add->dir, "oauth_creds.json");
  g_autoptr(GBytes) bytes = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  json_object_set_string_member (creds, "access_token", add->tokens->access_token);
  json_object_set_string_member (creds, "refresh_token", add->tokens->refresh_token);
  json_object_set_int_member (creds, "expiry_date", add->tokens->expires_at * 1000);
  json_object_set_string_member (creds, "token_type", add->tokens->token_type ? add->tokens->token_type : "bearer");
  if (add->tokens->scope != NULL)
    json_object_set_string_member (creds, "scope", add->tokens->scope);
  json_object_set_string_member (creds, "apiKey", add->user_info->api_key);
  bytes = wipeable_json (creds);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       g_task_get_cancellable (task),
                                       creds_written_cb, g_steal_pointer (&task));
}

static void
settings_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddLogin *add = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonObject) settings = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_load_contents_finish (G_FILE (object), result, &data, &len, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Keep every key the CLI wrote; a broken file is replaced. */
  if (data != NULL && json_parser_load_from_data (parser, data, len, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    settings = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  else
    settings = json_object_new ();
  if (data != NULL)
    explicit_bzero (data, len);

  json_object_set_string_member (settings, "selectedAuthType", "oauth-iflow");
  json_object_set_string_member (settings, "apiKey", add->user_info->api_key);
  json_object_set_string_member (settings, "searchApiKey", add->user_info->api_key);
  if (!json_object_has_member (settings, "baseUrl"))
    json_object_set_string_member (settings, "baseUrl", I2A_DEFAULT_BASE_URL);

  bytes = wipeable_json (settings);
  g_file_replace_contents_bytes_async (G_FILE (object), bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       g_task_get_cancellable (task),
                                       settings_written_cb, g_steal_pointer (&task));
}

static void
dir_made_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;

  if (!g_file_make_directory_finish (G_FILE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  file = g_file_get_child (G_FILE (object), "settings.json");
  g_file_load_contents_async (file, g_task_get_cancellable (task),
                              settings_loaded_cb, g_steal_pointer (&task));
}

void
i2a_account_ops_add_login_async (I2aPool                   *pool,
                                 I2aSecretStore            *secrets,
                                 const char                *replace_id,
                                 const I2aOAuthLoginResult *result,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  AddLogin *add;

  g_return_if_fail (I2A_IS_POOL (pool));
  g_return_if_fail (result != NULL && result->tokens != NULL && result->user_info != NULL);

  g_task_set_source_tag (task, i2a_account_ops_add_login_async);
  if (result->user_info->api_key == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               _("iFlow did not return an API key for this account."));
      return;
    }

  add = g_new0 (AddLogin, 1);
  add->pool = g_object_ref (pool);
  add->cli = g_object_ref (i2a_pool_get_cli_settings (pool));
  add->dir = g_file_new_for_path (i2a_cli_settings_get_dir (add->cli));
  add->tokens = i2a_oauth_tokens_copy (result->tokens);
  add->user_info = i2a_oauth_user_info_copy (result->user_info);
  g_task_set_task_data (task, add, add_login_free);

  g_file_make_directory_async (add->dir, G_PRIORITY_DEFAULT, cancellable,
                               dir_made_cb, g_steal_pointer (&task));
}

I2aAccount *
i2a_account_ops_add_login_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
i2a_account_ops_import_cli (I2aPool *pool)
{
  g_return_if_fail (I2A_IS_POOL (pool));

  i2a_cli_settings_reload (i2a_pool_get_cli_settings (pool));
}

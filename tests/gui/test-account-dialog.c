/* test-account-dialog.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Adding, testing, editing and removing an account of an OpenAI-compatible
 * service from the window, against a real gnome-keyring (the test runs
 * under keyring-session.sh) and a fake service on loopback that answers
 * GET /v1/models. Afterwards the keyring holds the key; keys.json and the
 * log do not. Screenshots (account-dialog-<lang>.png, …) in the language
 * of $LANGUAGE. */
#include "config.h"

#include <sys/stat.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "fake-oauth-server.h"
#include "gui-test-app.h"
#include "i2a-account-row.h"
#include "i2a-accounts-pane.h"
#include "i2a-add-account-dialog.h"
#include "i2a-login-dialog.h"
#include "i2a-models-page.h"

#define GOOD_KEY  "sk-gui-test-0123456789abcdefghij"
#define NEW_KEY   "sk-gui-test-rotated-9876543210zyx"
#define WRONG_KEY "sk-gui-test-wrong-key-000000000000"

static const char *test_home;
static const char *lang;
static GString *log_text;
static I2aFakeIflow *service;   /* the OpenAI-compatible service */
static char *service_url;

/* ---- the fake service -------------------------------------------------- */

/* It knows the two keys and lists three models; any other key gets 401. */
static void
start_service (void)
{
  static const char *const models[] = { "kimi-k2", "kimi-k2-turbo", "moonshot-v1-8k", NULL };

  service = i2a_fake_iflow_new ();
  i2a_fake_iflow_add_key (service, GOOD_KEY);
  i2a_fake_iflow_add_key (service, NEW_KEY);
  i2a_fake_iflow_set_models (service, NULL, models);
  service_url = i2a_fake_iflow_dup_base_url (service);
}

/* ---- the log ------------------------------------------------------------ */

/* Everything logged, debug included, to check no key shows up. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      {
        g_string_append_len (log_text, fields[i].value, fields[i].length);
        g_string_append_c (log_text, '\n');
      }
  if (g_log_writer_default_would_drop (level, NULL))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, data);
}

/* ---- helpers ------------------------------------------------------------ */

static char *
keys_path (void)
{
  return g_build_filename (test_home, ".iflow2api", "keys.json", NULL);
}

static char *
shot_name (const char *name)
{
  return g_strdup_printf ("%s-%s.png", name, lang);
}

static void
settle (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  gui_test_spin (500);
}

static void
shoot (GtkWidget  *window,
       GtkWidget  *dialog,
       const char *name)
{
  g_autofree char *file = shot_name (name);
  g_autofree char *path = NULL;

  if (dialog != NULL)
    settle (dialog);
  settle (window);
  path = gui_test_save_png (window, dialog, file);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

static GtkWidget *
child (GtkWidget  *dialog,
       const char *name)
{
  GtkWidget *widget = GTK_WIDGET (gtk_widget_get_template_child (dialog, I2A_TYPE_ADD_ACCOUNT_DIALOG,
                                                                 name));

  g_assert_nonnull (widget);
  return widget;
}

static void
type_into (GtkWidget  *dialog,
           const char *row,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, row)), text);
}

static gboolean
not_busy (gpointer data)
{
  return !i2a_add_account_dialog_is_busy (data);
}

static const char *
run_test (GtkWidget *dialog)
{
  GtkWidget *button = child (dialog, "test_button");

  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (i2a_add_account_dialog_is_busy (I2A_ADD_ACCOUNT_DIALOG (dialog)));
  g_assert_true (i2a_test_wait_until (not_busy, dialog, 10000));
  return i2a_add_account_dialog_get_test_text (I2A_ADD_ACCOUNT_DIALOG (dialog));
}

static gboolean
dialog_gone (gpointer data)
{
  return i2a_window_get_account_dialog (data) == NULL;
}

/* Saves and waits for the dialog to close, or fails with what it said. */
static void
save (I2aWindow *window,
      GtkWidget *dialog)
{
  g_signal_emit_by_name (child (dialog, "save_button"), "clicked");
  if (!i2a_test_wait_until (dialog_gone, window, 10000))
    g_error ("Not saved: %s", i2a_add_account_dialog_get_error_text (I2A_ADD_ACCOUNT_DIALOG (dialog)));
}

/* keys.json once the pool has written it. */
static char *
read_keys (Run *run)
{
  g_autofree char *path = keys_path ();
  char *contents = NULL;
  GStatBuf st;

  i2a_test_pool_flush (i2a_application_get_pool (run->app));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  return contents;
}

static gboolean
keys_has_account (const char *keys,
                  const char *id)
{
  g_autoptr(JsonNode) root = json_from_string (keys, NULL);
  JsonObject *accounts;

  g_assert_nonnull (root);
  if (!json_object_has_member (json_node_get_object (root), "accounts"))
    return FALSE;
  accounts = json_object_get_object_member (json_node_get_object (root), "accounts");
  return json_object_has_member (accounts, id);
}

/* The key the keyring (a new connection to it) holds for @id, or NULL. */
static char *
keyring_key (const char *id)
{
  g_autoptr(I2aSecretStore) secrets = i2a_secret_store_new ();
  g_autoptr(I2aAccountSecrets) found = i2a_test_secrets_lookup (secrets, id);

  return found ? g_strdup (found->api_key) : NULL;
}

static I2aAccount *
account_labelled (Run        *run,
                  const char *label)
{
  I2aAccountsPane *pane = I2A_ACCOUNTS_PANE (i2a_window_get_accounts_pane (main_window (run)));

  for (guint i = 0; i < i2a_accounts_pane_get_n_rows (pane); i++)
    {
      I2aAccount *account = i2a_account_row_get_account (I2A_ACCOUNT_ROW (i2a_accounts_pane_get_row (pane, i)));

      if (g_strcmp0 (i2a_account_get_label (account), label) == 0)
        return account;
    }
  return NULL;
}

static GtkWidget *
row_button (Run        *run,
            I2aAccount *account,
            const char *name)
{
  I2aAccountsPane *pane = I2A_ACCOUNTS_PANE (i2a_window_get_accounts_pane (main_window (run)));

  for (guint i = 0; i < i2a_accounts_pane_get_n_rows (pane); i++)
    {
      GtkWidget *row = i2a_accounts_pane_get_row (pane, i);

      if (i2a_account_row_get_account (I2A_ACCOUNT_ROW (row)) == account)
        return GTK_WIDGET (gtk_widget_get_template_child (row, I2A_TYPE_ACCOUNT_ROW, name));
    }
  g_assert_not_reached ();
}

static gboolean
has_three_models (gpointer data)
{
  return i2a_account_get_models (data) != NULL &&
         g_strv_length ((char **) i2a_account_get_models (data)) == 3;
}

/* The row of the Models page for @model, and who serves it. */
static gboolean
page_has_model (I2aModelsPage *page,
                const char    *model,
                const char   **served_by)
{
  for (guint i = 0; i < i2a_models_page_get_n_models (page); i++)
    if (g_strcmp0 (i2a_models_page_get_model (page, i, served_by), model) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
page_has_alias_model (gpointer data)
{
  return page_has_model (data, "gpt-5", NULL);
}

static const char *removed_label;

static gboolean
row_gone (gpointer data)
{
  return account_labelled (data, removed_label) == NULL;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* not ours */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
has_message_dialog (gpointer data)
{
  return find_message_dialog () != NULL;
}

/* ---- presets --------------------------------------------------------------- */

static void
drive_presets (Run *run)
{
  I2aWindow *window = main_window (run);
  GtkWidget *dialog;
  GtkWidget *save;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL);
  dialog = GTK_WIDGET (i2a_window_get_account_dialog (window));
  save = child (dialog, "save_button");

  /* A cloud service: its base URL, where keys are made, what they look
   * like; no saving without a key. */
  g_assert_true (i2a_add_account_dialog_select_preset (I2A_ADD_ACCOUNT_DIALOG (dialog), "deepseek"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "base_url_row"))), ==,
                   "https://api.deepseek.com/v1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "label_row"))), ==, "DeepSeek");
  g_assert_true (gtk_widget_get_visible (child (dialog, "keys_link")));
  g_assert_cmpstr (gtk_link_button_get_uri (GTK_LINK_BUTTON (child (dialog, "keys_link"))), ==,
                   "https://platform.deepseek.com/api_keys");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (dialog, "hint_row"))), "sk-"));
  g_assert_false (gtk_widget_get_sensitive (save));
  shoot (GTK_WIDGET (window), dialog, "add-account-preset");

  /* A local server needs no key; the preset's fields follow the choice. */
  g_assert_true (i2a_add_account_dialog_select_preset (I2A_ADD_ACCOUNT_DIALOG (dialog), "ollama"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "base_url_row"))), ==,
                   "http://127.0.0.1:11434/v1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "label_row"))), ==, "Ollama");
  g_assert_false (gtk_widget_get_visible (child (dialog, "keys_link")));
  g_assert_true (gtk_widget_get_sensitive (save));

  /* What the user typed stays when the preset changes. */
  type_into (dialog, "label_row", "My box");
  g_assert_true (i2a_add_account_dialog_select_preset (I2A_ADD_ACCOUNT_DIALOG (dialog), "vllm"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "label_row"))), ==, "My box");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "base_url_row"))), ==,
                   "http://127.0.0.1:8000/v1");
  gtk_window_close (GTK_WINDOW (dialog));
  quit_app (run);
}

static void
test_presets (void)
{
  Run *run = run_new (test_home);

  run_app (run, drive_presets);
  run_free (run);
}

/* ---- the Models page ---------------------------------------------------- */

/* Every model with the accounts serving it; an alias and a fallback edited
 * on the page land in keys.json, which keeps what it does not know. */
static void
drive_models_page (Run        *run,
                   I2aAccount *account)
{
  I2aWindow *window = main_window (run);
  I2aModelsPage *page = I2A_MODELS_PAGE (i2a_window_get_models_page (window));
  g_autofree char *keys = NULL;
  g_autofree char *alias_of = NULL;
  const char *served_by = NULL;

  i2a_window_show_page (window, "models");
  g_assert_true (page_has_model (page, "kimi-k2", &served_by));
  g_assert_cmpstr (served_by, ==, i2a_account_get_label (account));
  g_assert_true (page_has_model (page, "moonshot-v1-8k", NULL));
  g_assert_cmpuint (i2a_models_page_get_n_aliases (page), ==, 0);

  i2a_models_page_add_alias (page, "gpt-5", "kimi-k2");
  i2a_models_page_add_alias (page, "claude-*", "kimi-k2-turbo");
  i2a_models_page_add_fallback (page, "kimi-k2", "kimi-k2-turbo, moonshot-v1-8k");
  g_assert_null (i2a_models_page_get_error (page));
  g_assert_true (i2a_test_wait_until (page_has_alias_model, page, 5000));
  g_assert_true (page_has_model (page, "gpt-5", &served_by));
  alias_of = g_strdup_printf (_("Alias of %s"), "kimi-k2");
  g_assert_cmpstr (served_by, ==, alias_of);
  g_assert_cmpuint (i2a_models_page_get_n_aliases (page), ==, 2);
  shoot (GTK_WIDGET (window), NULL, "models-page");

  keys = read_keys (run);
  g_assert_nonnull (strstr (keys, "\"gpt-5\" : \"kimi-k2\""));
  g_assert_nonnull (strstr (keys, "\"claude-*\" : \"kimi-k2-turbo\""));
  g_assert_nonnull (strstr (keys, "\"fallbacks\""));
  g_assert_nonnull (strstr (keys, "\"moonshot-v1-8k\""));
  g_assert_nonnull (strstr (keys, "\"x-note\""));
  g_clear_pointer (&keys, g_free);

  /* The pool routes by them at once. */
  g_assert_cmpstr (i2a_model_rules_resolve (i2a_pool_get_config (i2a_application_get_pool (run->app))->model_rules,
                                            "claude-sonnet-4"), ==, "kimi-k2-turbo");

  g_assert_true (i2a_models_page_remove_alias (page, "gpt-5"));
  keys = read_keys (run);
  g_assert_null (strstr (keys, "\"gpt-5\""));
  g_assert_nonnull (strstr (keys, "\"claude-*\""));
  g_assert_nonnull (strstr (keys, "\"x-note\""));
  i2a_window_show_page (window, "main");
}

/* ---- add, edit, remove --------------------------------------------------- */

static void
drive_add_edit_remove (Run *run)
{
  I2aWindow *window = main_window (run);
  I2aPool *pool = i2a_application_get_pool (run->app);
  GtkWidget *dialog;
  g_autofree char *keys = NULL;
  g_autofree char *id = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *path = keys_path ();
  I2aAccount *account;
  GtkWidget *button;
  const char *text;

  /* The empty window's main action opens the dialog. */
  g_assert_cmpstr (i2a_window_get_visible_page (window), ==, "empty");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL);
  dialog = GTK_WIDGET (i2a_window_get_account_dialog (window));
  g_assert_nonnull (dialog);
  g_assert_true (i2a_add_account_dialog_select_preset (I2A_ADD_ACCOUNT_DIALOG (dialog), "custom"));
  shoot (GTK_WIDGET (window), dialog, "add-account");

  /* Nothing to save or test without a base URL. */
  g_assert_false (gtk_widget_get_sensitive (child (dialog, "save_button")));
  g_assert_false (gtk_widget_get_sensitive (child (dialog, "test_button")));
  type_into (dialog, "base_url_row", "not a url");
  g_assert_false (gtk_widget_get_sensitive (child (dialog, "test_button")));
  type_into (dialog, "label_row", "Kimi");
  type_into (dialog, "base_url_row", service_url);

  /* The service's own error, before anything is saved. */
  type_into (dialog, "key_row", WRONG_KEY);
  text = run_test (dialog);
  g_assert_nonnull (strstr (text, "Invalid API key"));
  g_assert_nonnull (strstr (text, "401"));
  g_assert_true (g_file_get_contents (path, &keys, NULL, NULL));
  g_assert_null (strstr (keys, "accounts"));
  g_assert_null (strstr (keys, WRONG_KEY));
  g_clear_pointer (&keys, g_free);

  type_into (dialog, "key_row", GOOD_KEY);
  text = run_test (dialog);
  expected = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d model", "%d models", 3), 3);
  g_assert_cmpstr (text, ==, expected);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (dialog, "limit_spin")), 6);
  shoot (GTK_WIDGET (window), dialog, "add-account-tested");

  save (window, dialog);
  account = account_labelled (run, "Kimi");
  g_assert_nonnull (account);
  id = g_strdup (i2a_account_get_id (account));
  g_assert_cmpstr (i2a_window_get_visible_page (window), ==, "accounts");
  g_assert_cmpstr (i2a_account_get_base_url (account), ==, service_url);
  g_assert_cmpuint (i2a_account_get_max_concurrency (account), ==, 6);
  g_assert_true (i2a_account_is_usable (account));
  shoot (GTK_WIDGET (window), NULL, "account-added");

  /* The key is in the keyring, not in keys.json. */
  keys = read_keys (run);
  g_assert_null (strstr (keys, GOOD_KEY));
  g_assert_nonnull (strstr (keys, "\"api-key\""));
  g_assert_nonnull (strstr (keys, service_url));
  stored = keyring_key (id);
  g_assert_cmpstr (stored, ==, GOOD_KEY);
  g_clear_pointer (&keys, g_free);
  g_clear_pointer (&stored, g_free);

  /* Discovery asks the service after the add; the row shows the count. */
  g_assert_true (i2a_test_wait_until (has_three_models, account, 10000));
  text = adw_action_row_get_subtitle (ADW_ACTION_ROW (row_button (run, account, "models_row")));
  g_assert_cmpstr (text, ==, expected);
  g_assert_true (gtk_widget_get_visible (row_button (run, account, "models_row")));
  g_assert_false (gtk_widget_get_visible (row_button (run, account, "plaintext_row")));

  drive_models_page (run, account);

  /* Edit: the same fields, filled in; an empty key keeps the stored one. */
  button = row_button (run, account, "edit_button");
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
  dialog = GTK_WIDGET (i2a_window_get_account_dialog (window));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "label_row"))), ==, "Kimi");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "base_url_row"))), ==, service_url);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, "key_row"))), ==, "");
  g_assert_true (gtk_widget_get_sensitive (child (dialog, "save_button")));
  text = run_test (dialog);
  g_assert_cmpstr (text, ==, expected);
  type_into (dialog, "label_row", "Kimi (work)");
  type_into (dialog, "key_row", NEW_KEY);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (dialog, "limit_spin")), 2);
  /* A quota: 100 requests in 5 hours. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, "quota_window_row")), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (dialog, "quota_requests_spin")), 100);
  shoot (GTK_WIDGET (window), dialog, "edit-account");
  save (window, dialog);
  account = i2a_pool_lookup_account (pool, id);
  g_assert_cmpstr (i2a_account_get_label (account), ==, "Kimi (work)");
  g_assert_cmpuint (i2a_account_get_max_concurrency (account), ==, 2);
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, NEW_KEY);
  keys = read_keys (run);
  g_assert_nonnull (strstr (keys, "Kimi (work)"));
  {
    const I2aKeysAccount *entry = i2a_keys_config_lookup_account (i2a_pool_get_config (pool), id);

    g_assert_nonnull (strstr (keys, "\"quota\""));
    g_assert_cmpint (entry->quota.requests, ==, 100);
    g_assert_cmpint (entry->quota.tokens, ==, 0);
    g_assert_cmpint (entry->quota.window_ms, ==, 5 * 3600 * 1000);
  }
  g_assert_null (strstr (keys, NEW_KEY));
  g_assert_null (strstr (keys, GOOD_KEY));
  stored = keyring_key (id);
  g_assert_cmpstr (stored, ==, NEW_KEY);
  g_clear_pointer (&keys, g_free);
  g_clear_pointer (&stored, g_free);

  /* Remove: asks first, then the entry and the keyring item go. */
  g_signal_emit_by_name (row_button (run, account, "remove_button"), "clicked");
  g_assert_true (i2a_test_wait_until (has_message_dialog, NULL, 5000));
  adw_message_dialog_response (find_message_dialog (), "remove");
  removed_label = "Kimi (work)";
  g_assert_true (i2a_test_wait_until (row_gone, run, 10000));
  g_assert_null (i2a_pool_lookup_account (pool, id));
  g_assert_cmpstr (i2a_window_get_visible_page (window), ==, "empty");
  keys = read_keys (run);
  g_assert_false (keys_has_account (keys, id));
  stored = keyring_key (id);
  g_assert_null (stored);

  /* Nothing logged the keys. */
  g_assert_null (strstr (log_text->str, GOOD_KEY));
  g_assert_null (strstr (log_text->str, NEW_KEY));
  g_assert_null (strstr (log_text->str, WRONG_KEY));
  quit_app (run);
}

static void
test_add_edit_remove (void)
{
  g_autofree char *dir = g_build_filename (test_home, ".iflow2api", NULL);
  g_autofree char *path = keys_path ();
  Run *run;

  /* A member the app does not know, which every rewrite must keep. */
  g_mkdir_with_parents (dir, 0700);
  i2a_test_write_file (path, "{\"x-note\": \"kept by every rewrite\"}");
  g_chmod (path, 0600);
  run = run_new (test_home);

  run_app (run, drive_add_edit_remove);
  run_free (run);
}

/* ---- Move key to the keyring --------------------------------------------- */

static gboolean
plaintext_row_hidden (gpointer data)
{
  Run *run = data;
  I2aAccount *account = account_labelled (run, "Plain");

  return account != NULL && !gtk_widget_get_visible (row_button (run, account, "plaintext_row"));
}

static gboolean
has_models_error (gpointer data)
{
  return i2a_account_get_models_error (data) != NULL;
}

static gboolean
row_shown (gpointer data)
{
  return account_labelled (data, "Plain") != NULL;
}

static void
drive_move_key (Run *run)
{
  I2aWindow *window = main_window (run);
  I2aAccount *account;
  g_autofree char *keys = NULL;
  g_autofree char *stored = NULL;
  const char *text;

  g_assert_true (i2a_test_wait_until (row_shown, run, 5000));
  account = account_labelled (run, "Plain");
  g_assert_true (gtk_widget_get_visible (row_button (run, account, "plaintext_row")));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (gtk_widget_get_ancestor (row_button (run, account, "plaintext_row"),
                                                                            I2A_TYPE_ACCOUNT_ROW)), TRUE);
  shoot (GTK_WIDGET (window), NULL, "move-key");

  g_signal_emit_by_name (row_button (run, account, "move_key_button"), "clicked");
  g_assert_true (i2a_test_wait_until (plaintext_row_hidden, run, 10000));
  account = account_labelled (run, "Plain");
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, GOOD_KEY);
  g_assert_true (i2a_account_is_usable (account));
  keys = read_keys (run);
  g_assert_null (strstr (keys, GOOD_KEY));
  g_assert_nonnull (strstr (keys, "\"x-note\""));
  stored = keyring_key ("plain");
  g_assert_cmpstr (stored, ==, GOOD_KEY);
  g_assert_null (strstr (log_text->str, GOOD_KEY));

  /* A failed refresh keeps the list and shows why on the account. */
  g_assert_true (i2a_test_wait_until (has_three_models, account, 10000));
  i2a_fake_iflow_set_models_status (service, 503);
  g_signal_emit_by_name (row_button (run, account, "refresh_models_button"), "clicked");
  g_assert_true (i2a_test_wait_until (has_models_error, account, 10000));
  i2a_fake_iflow_set_models_status (service, 0);
  g_assert_true (has_three_models (account));
  text = adw_action_row_get_subtitle (ADW_ACTION_ROW (row_button (run, account, "models_row")));
  g_assert_nonnull (strstr (text, "fake models failure"));
  shoot (GTK_WIDGET (window), NULL, "models-error");
  quit_app (run);
}

static void
test_move_key (void)
{
  g_autofree char *dir = g_build_filename (test_home, ".iflow2api", NULL);
  g_autofree char *path = keys_path ();
  g_autofree char *contents = NULL;
  Run *run;

  g_mkdir_with_parents (dir, 0700);
  contents = g_strdup_printf ("{\"x-note\": \"kept\", \"accounts\": {\"plain\": {\"label\": \"Plain\", "
                              "\"provider\": \"openai\", \"base_url\": \"%s\", \"api_key\": \"%s\"}}}",
                              service_url, GOOD_KEY);
  i2a_test_write_file (path, contents);
  g_chmod (path, 0600);
  run = run_new (test_home);
  run_app (run, drive_move_key);
  run_free (run);
  g_unlink (path);
}

/* ---- "Log in with iFlow", one choice of Add Account ------------------- */

/* The test browser as the default http(s) handler, before GIO reads the
 * desktop files. FALSE when it was not built. */
static gboolean
install_test_browser (void)
{
  const char *browser = g_getenv ("I2A_TEST_BROWSER");
  g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  g_autofree char *desktop = g_build_filename (apps, "i2a-test-browser.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (g_get_user_config_dir (), "mimeapps.list", NULL);
  g_autofree char *contents = NULL;

  if (browser == NULL || !g_file_test (browser, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  g_mkdir_with_parents (apps, 0700);
  g_mkdir_with_parents (g_get_user_config_dir (), 0700);
  contents = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Test browser\n"
                              "Exec=%s %%u\nNoDisplay=true\n"
                              "MimeType=x-scheme-handler/http;x-scheme-handler/https;\n", browser);
  i2a_test_write_file (desktop, contents);
  i2a_test_write_file (mimeapps,
                       "[Default Applications]\n"
                       "x-scheme-handler/http=i2a-test-browser.desktop\n"
                       "x-scheme-handler/https=i2a-test-browser.desktop\n");
  return TRUE;
}

#define DEPLOYMENT_URL "https://iflow.example.com/v1"

static gboolean
login_closed (gpointer data)
{
  return i2a_window_get_login_dialog (data) == NULL;
}

static void
drive_login_choice (Run *run)
{
  I2aWindow *window = main_window (run);
  GtkWidget *dialog;
  GtkWindow *login;
  GtkWidget *base_url_row;
  I2aAccount *account;
  g_autofree char *keys = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL);
  dialog = GTK_WIDGET (i2a_window_get_account_dialog (window));
  g_assert_nonnull (dialog);
  g_signal_emit_by_name (child (dialog, "login_row"), "activated");

  /* Add Account hands over to the browser login, whose Advanced field
   * points the account at a compatible deployment. */
  g_assert_null (i2a_window_get_account_dialog (window));
  login = i2a_window_get_login_dialog (window);
  g_assert_nonnull (login);
  base_url_row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (login), I2A_TYPE_LOGIN_DIALOG,
                                                            "base_url_row"));
  gtk_editable_set_text (GTK_EDITABLE (base_url_row), DEPLOYMENT_URL "/");
  /* It closes itself once the login is saved. */
  g_assert_true (i2a_test_wait_until (login_closed, window, 20000));
  account = account_labelled (run, "tester@example.com");
  g_assert_nonnull (account);
  g_assert_cmpstr (i2a_account_get_base_url (account), ==, DEPLOYMENT_URL);
  keys = read_keys (run);
  g_assert_nonnull (strstr (keys, DEPLOYMENT_URL));
  quit_app (run);
}

static void
test_login_choice (void)
{
  g_autoptr(FakeOAuthServer) oauth = NULL;
  g_autofree char *path = keys_path ();
  Run *run;

  if (!install_test_browser ())
    {
      g_test_skip ("test-browser not built");
      return;
    }
  oauth = fake_oauth_server_new ();
  g_setenv ("IFLOW2API_OAUTH_BASE", fake_oauth_server_get_base_url (oauth), TRUE);
  run = run_new (test_home);
  run_app (run, drive_login_choice);
  run_free (run);
  g_unsetenv ("IFLOW2API_OAUTH_BASE");
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  lang = g_getenv ("LANGUAGE");
  if (lang == NULL || *lang == '\0')
    lang = "en";
  log_text = g_string_new (NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);
  test_home = gui_test_init (&argc, &argv);
  start_service ();

  g_test_add_func ("/gui/account-dialog/presets", test_presets);
  g_test_add_func ("/gui/account-dialog/add-edit-remove", test_add_edit_remove);
  g_test_add_func ("/gui/account-dialog/move-key", test_move_key);
  g_test_add_func ("/gui/account-dialog/login-choice", test_login_choice);
  return g_test_run ();
}

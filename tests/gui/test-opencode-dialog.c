/* test-opencode-dialog.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* "Set Up OpenCode" in the real app (app.setup-client('opencode') and
 * the older app.setup-opencode), against the
 * OpenCode config in the test's XDG_CONFIG_HOME:
 *  - the preview shows the provider diff (lines classed added/removed),
 *    Apply writes provider.iflow2api with the test server's port and
 *    keeps a backup named in a toast, Undo (after its confirmation) puts
 *    the file back byte for byte;
 *  - with client auth on and no key for every account, the preview masks
 *    the key to be made and Apply creates it in keys.json first;
 *  - a file with comments, a file changed after the preview and (not as
 *    root) a directory that cannot be written show an error and the file
 *    stays as it was;
 *  - a screenshot of the dialog, opencode-dialog-<lang>.png in the test
 *    build dir ($LANGUAGE, default English). */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gui-test-app.h"
#include "i2a-client-dialog.h"

static const char *test_home;
static const char *lang;

static const char original[] =
  "{\n  \"$schema\": \"https://opencode.ai/config.json\",\n  \"theme\": \"tokyonight\"\n}\n";

#define ACCOUNT_JSON \
  "\"acc1\": {\"label\": \"One\", \"provider\": \"openai\", \"base_url\": \"http://127.0.0.1:9/v1\", " \
  "\"api_key\": \"" I2A_TEST_KEY "\"}"

/* ---- files ---------------------------------------------------------------- */

static char *
opencode_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "opencode", NULL);
}

static char *
opencode_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "opencode", "opencode.json", NULL);
}

static char *
keys_path (void)
{
  return g_build_filename (test_home, ".iflow2api", "keys.json", NULL);
}

static void
write_opencode (const char *contents)
{
  g_autofree char *dir = opencode_dir ();
  g_autofree char *path = opencode_path ();

  g_mkdir_with_parents (dir, 0700);
  i2a_test_write_file (path, contents);
}

/* Backup file names next to opencode.json, sorted. */
static GPtrArray *
list_backups (void)
{
  g_autofree char *dir = opencode_dir ();
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "opencode.json.bak-"))
      g_ptr_array_add (names, g_strdup (name));
  return names;
}

static void
clean_files (void)
{
  g_autofree char *dir = opencode_dir ();
  g_autofree char *keys = keys_path ();

  i2a_test_rm_rf (dir);
  g_unlink (keys);
}

/* ---- the dialog ----------------------------------------------------------- */

/* What app.setup-opencode opens, once its preview is ready. */
static I2aClientDialog *
open_dialog (Run *run)
{
  I2aClientDialog *dialog;

  /* What the window's Clients section activates. */
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "setup-client", g_variant_new_string ("opencode"));
  dialog = gui_test_find_client_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (i2a_client_dialog_get_client (dialog) == i2a_client_find ("opencode"));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (dialog)), "OpenCode"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (main_window (run)));
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_idle, dialog, 10000));
  return dialog;
}

/* A click as a user can make it: the button must be shown and enabled. */
static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static char *
expected_base_url (Run *run)
{
  return g_strdup_printf ("http://127.0.0.1:%u/v1",
                          i2a_server_get_port (i2a_application_get_server (run->app)));
}

/* Each diff line is a label classed by its first character; returns how
 * many added lines hold @needle. */
static guint
check_diff_view (I2aClientDialog *dialog,
                 const char        *needle)
{
  GtkWidget *view = i2a_client_dialog_get_diff_view (dialog);
  guint n_lines = 0, n_found = 0;

  g_assert_true (gtk_widget_is_visible (view));
  for (GtkWidget *child = gtk_widget_get_first_child (view); child; child = gtk_widget_get_next_sibling (child))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (child));

      n_lines++;
      if (g_str_has_prefix (text, "+++") || g_str_has_prefix (text, "---"))
        continue;
      g_assert_true (gtk_widget_has_css_class (child, "i2a-diff-added") == (text[0] == '+'));
      g_assert_true (gtk_widget_has_css_class (child, "i2a-diff-removed") == (text[0] == '-'));
      if (text[0] == '+' && strstr (text, needle) != NULL)
        n_found++;
    }
  g_assert_cmpuint (n_lines, >, 3);
  return n_found;
}

static JsonObject *
provider_options (JsonNode *root)
{
  JsonObject *obj = json_node_get_object (root);
  JsonObject *provider = json_object_get_object_member (json_object_get_object_member (obj, "provider"),
                                                        "iflow2api");

  g_assert_nonnull (provider);
  return json_object_get_object_member (provider, "options");
}

static JsonNode *
parse_opencode (void)
{
  g_autofree char *path = opencode_path ();
  g_autoptr(GError) error = NULL;
  JsonNode *root = json_from_string (i2a_test_read_file (path), &error);

  g_assert_no_error (error);
  g_assert_nonnull (root);
  return root;
}

/* <name>-<lang>.png of @dialog over @window, once both are drawn. */
static void
save_shot (GtkWidget  *window,
           GtkWidget  *dialog,
           const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name, lang);
  g_autofree char *path = NULL;

  gtk_test_widget_wait_for_draw (dialog);
  gtk_test_widget_wait_for_draw (window);
  gui_test_spin (300);
  path = gui_test_save_png (window, dialog, file);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* ---- setup, then undo ------------------------------------------------------ */

static void
drive_setup_undo (Run *run)
{
  g_autofree char *path = opencode_path ();
  g_autofree char *url = expected_base_url (run);
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(JsonNode) root = NULL;
  I2aClientDialog *dialog = open_dialog (run);
  GtkWindow *confirm;

  g_assert_cmpstr (i2a_client_dialog_get_config_path (dialog), ==, path);
  g_assert_cmpstr (i2a_client_dialog_get_base_url (dialog), ==, url);
  g_assert_null (i2a_client_dialog_get_error_text (dialog));
  g_assert_nonnull (strstr (i2a_client_dialog_get_diff_text (dialog), "\"iflow2api\": {"));
  g_assert_cmpuint (check_diff_view (dialog, url), ==, 1);
  /* No backup yet: nothing to undo. */
  g_assert_false (gtk_widget_is_visible (i2a_client_dialog_get_undo_button (dialog)));
  /* Opening it again shows the same dialog. */
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "setup-opencode", NULL);
  g_assert_true (gui_test_find_client_dialog () == dialog);

  click (i2a_client_dialog_get_apply_button (dialog));
  g_assert_true (i2a_client_dialog_get_busy (dialog));
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_idle, dialog, 10000));
  g_assert_null (i2a_client_dialog_get_error_text (dialog));

  root = parse_opencode ();
  g_assert_cmpstr (json_object_get_string_member (provider_options (root), "baseURL"), ==, url);
  /* Client auth is off: the fixed placeholder key. */
  g_assert_cmpstr (json_object_get_string_member (provider_options (root), "apiKey"), ==, "iflow2api-local");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "theme"), ==, "tokyonight");
  backups = list_backups ();
  g_assert_cmpuint (backups->len, ==, 1);
  g_assert_nonnull (strstr (i2a_client_dialog_get_last_toast (dialog), backups->pdata[0]));
  /* Done: nothing left to apply, and undo is offered. */
  g_assert_cmpstr (i2a_client_dialog_get_diff_text (dialog), ==, "");
  g_assert_false (gtk_widget_get_sensitive (i2a_client_dialog_get_apply_button (dialog)));

  click (i2a_client_dialog_get_undo_button (dialog));
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_confirming, dialog, 10000));
  confirm = i2a_client_dialog_get_confirm_dialog (dialog);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (confirm));
  save_shot (GTK_WIDGET (dialog), GTK_WIDGET (confirm), "opencode-undo");
  /* Nothing is restored before the answer. */
  contents = i2a_test_read_file (path);
  g_assert_cmpstr (contents, !=, original);
  g_clear_pointer (&contents, g_free);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "restore");
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_idle, dialog, 10000));
  g_assert_null (i2a_client_dialog_get_error_text (dialog));

  contents = i2a_test_read_file (path);
  g_assert_cmpstr (contents, ==, original);
  g_clear_pointer (&backups, g_ptr_array_unref);
  backups = list_backups ();
  g_assert_cmpuint (backups->len, ==, 0);
  g_assert_false (gtk_widget_is_visible (i2a_client_dialog_get_undo_button (dialog)));
  /* Back to the first preview. */
  g_assert_cmpuint (check_diff_view (dialog, url), ==, 1);
  g_assert_true (gtk_widget_get_sensitive (i2a_client_dialog_get_apply_button (dialog)));

  /* Cancel closes it. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  g_assert_null (gui_test_find_client_dialog ());
  quit_app (run);
}

static void
test_setup_undo (void)
{
  Run *run;

  write_opencode (original);
  run = run_new (test_home);
  run_app (run, drive_setup_undo);
  run_free (run);
  clean_files ();
}

/* ---- a client key made on Apply -------------------------------------------- */

static void
drive_new_key (Run *run)
{
  I2aPool *pool = i2a_application_get_pool (run->app);
  I2aClientDialog *dialog = open_dialog (run);
  g_autoptr(JsonNode) root = NULL;
  I2aKeysConfig *config;
  const char *key;

  g_assert_true (i2a_pool_get_config (pool)->auth_enabled);
  g_assert_cmpuint (i2a_pool_get_config (pool)->tokens->len, ==, 0);
  g_assert_nonnull (strstr (i2a_client_dialog_get_diff_text (dialog), "<new client key>"));

  click (i2a_client_dialog_get_apply_button (dialog));
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_idle, dialog, 10000));
  g_assert_null (i2a_client_dialog_get_error_text (dialog));

  config = i2a_pool_get_config (pool);
  g_assert_cmpuint (config->tokens->len, ==, 1);
  key = config->tokens->pdata[0];
  root = parse_opencode ();
  g_assert_cmpstr (json_object_get_string_member (provider_options (root), "apiKey"), ==, key);
  /* The key is on disk for the next start too. */
  {
    g_autofree char *keys = keys_path ();
    g_autofree char *text = i2a_test_read_file (keys);

    g_assert_nonnull (strstr (text, key));
  }
  /* A secret is never shown whole. */
  g_assert_null (strstr (i2a_client_dialog_get_diff_text (dialog), key));
  g_assert_cmpstr (i2a_client_dialog_get_diff_text (dialog), ==, "");
  quit_app (run);
}

static void
test_new_key (void)
{
  g_autofree char *keys = keys_path ();
  g_autofree char *dir = g_path_get_dirname (keys);
  Run *run;

  g_mkdir_with_parents (dir, 0700);
  i2a_test_write_file (keys, "{\"auth\": {\"enabled\": true}, \"accounts\": {" ACCOUNT_JSON "}}");
  run = run_new (test_home);
  run_app (run, drive_new_key);
  run_free (run);
  clean_files ();
}

/* ---- errors ---------------------------------------------------------------- */

static void
drive_comments (Run *run)
{
  g_autofree char *path = opencode_path ();
  g_autofree char *contents = NULL;
  I2aClientDialog *dialog = open_dialog (run);
  const char *error = i2a_client_dialog_get_error_text (dialog);

  g_assert_nonnull (error);
  /* Names the file and the line of the comment. */
  g_assert_nonnull (strstr (error, path));
  g_assert_nonnull (strstr (error, ":2:"));
  g_assert_cmpstr (i2a_client_dialog_get_diff_text (dialog), ==, "");
  g_assert_false (gtk_widget_get_sensitive (i2a_client_dialog_get_apply_button (dialog)));
  save_shot (GTK_WIDGET (main_window (run)), GTK_WIDGET (dialog), "opencode-error");
  contents = i2a_test_read_file (path);
  g_assert_cmpstr (contents, ==, "{\n  // mine\n  \"theme\": \"x\"\n}\n");
  quit_app (run);
}

static void
test_comments (void)
{
  Run *run;

  write_opencode ("{\n  // mine\n  \"theme\": \"x\"\n}\n");
  run = run_new (test_home);
  run_app (run, drive_comments);
  run_free (run);
  clean_files ();
}

static void
drive_stale (Run *run)
{
  static const char edited[] = "{\"theme\": \"edited\"}\n";
  g_autofree char *path = opencode_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) backups = NULL;
  I2aClientDialog *dialog = open_dialog (run);

  g_assert_null (strstr (i2a_client_dialog_get_diff_text (dialog), "edited"));
  /* Someone edits the file while the preview is on screen. */
  i2a_test_write_file (path, edited);
  click (i2a_client_dialog_get_apply_button (dialog));
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_idle, dialog, 10000));

  g_assert_nonnull (i2a_client_dialog_get_error_text (dialog));
  contents = i2a_test_read_file (path);
  g_assert_cmpstr (contents, ==, edited);
  backups = list_backups ();
  g_assert_cmpuint (backups->len, ==, 0);
  /* The new preview is of the edited file. */
  g_assert_nonnull (strstr (i2a_client_dialog_get_diff_text (dialog), "edited"));
  quit_app (run);
}

static void
test_stale (void)
{
  Run *run;

  write_opencode (original);
  run = run_new (test_home);
  run_app (run, drive_stale);
  run_free (run);
  clean_files ();
}

static void
drive_unwritable (Run *run)
{
  g_autofree char *path = opencode_path ();
  g_autofree char *dir = opencode_dir ();
  g_autofree char *contents = NULL;
  I2aClientDialog *dialog = open_dialog (run);

  g_assert_null (i2a_client_dialog_get_error_text (dialog));
  click (i2a_client_dialog_get_apply_button (dialog));
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_idle, dialog, 10000));
  g_chmod (dir, 0700);

  g_assert_nonnull (i2a_client_dialog_get_error_text (dialog));
  contents = i2a_test_read_file (path);
  g_assert_cmpstr (contents, ==, original);
  /* Still offered, for when the permissions are fixed. */
  g_assert_true (gtk_widget_get_sensitive (i2a_client_dialog_get_apply_button (dialog)));
  quit_app (run);
}

static void
test_unwritable (void)
{
  g_autofree char *dir = opencode_dir ();
  Run *run;

  write_opencode (original);
  g_chmod (dir, 0500);
  if (access (dir, W_OK) == 0)
    {
      g_test_skip ("permissions do not apply (running as root)");
      g_chmod (dir, 0700);
      clean_files ();
      return;
    }
  run = run_new (test_home);
  run_app (run, drive_unwritable);
  run_free (run);
  g_chmod (dir, 0700);
  clean_files ();
}

/* ---- screenshot ------------------------------------------------------------ */

static void
drive_screenshot (Run *run)
{
  I2aClientDialog *dialog = open_dialog (run);

  save_shot (GTK_WIDGET (main_window (run)), GTK_WIDGET (dialog), "opencode-dialog");
  quit_app (run);
}

static void
test_screenshot (void)
{
  Run *run;

  write_opencode (original);
  run = run_new (test_home);
  run_app (run, drive_screenshot);
  run_free (run);
  clean_files ();
}

int
main (int   argc,
      char *argv[])
{
  lang = g_getenv ("LANGUAGE");
  if (lang == NULL || *lang == '\0')
    lang = "en";
  test_home = gui_test_init (&argc, &argv);
  g_unsetenv ("OPENCODE_CONFIG");
  gui_test_notifications ();

  g_test_add_func ("/gui/opencode/setup-undo", test_setup_undo);
  g_test_add_func ("/gui/opencode/new-key", test_new_key);
  g_test_add_func ("/gui/opencode/comments", test_comments);
  g_test_add_func ("/gui/opencode/stale-preview", test_stale);
  g_test_add_func ("/gui/opencode/unwritable", test_unwritable);
  g_test_add_func ("/gui/opencode/screenshot", test_screenshot);
  return g_test_run ();
}

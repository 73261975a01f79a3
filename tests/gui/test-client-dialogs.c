/* test-client-dialogs.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A client's row in the window's Clients section: its button opens the
 * shared client-setup dialog for that client; the preview shows what
 * changes, Apply writes the client's file keeping the user's own settings,
 * and Undo puts the file back byte for byte. The same drive for each
 * client, with what its file must hold after Apply:
 *  - Claude Code: the env block of $CLAUDE_CONFIG_DIR/settings.json (the
 *    test server's root, no /v1);
 *  - Codex: the profile $CODEX_HOME/iflow2api.config.toml (the test
 *    server's /v1 URL, no key while client auth is off). */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gui-test-app.h"

typedef struct
{
  const char *id;
  const char *title;
  const char *env_var;      /* the client's config dir */
  const char *dir_name;     /* that dir, under the test home */
  const char *file_name;
  const char *original;     /* the user's file before Apply */
  const char *in_preview;   /* a line of the preview */
  void      (*check_written) (Run        *run,
                              const char *written);
} ClientCase;

static const char *test_home;

static guint
server_port (Run *run)
{
  return i2a_server_get_port (i2a_application_get_server (run->app));
}

static void
check_claude_code (Run        *run,
                   const char *written)
{
  g_autofree char *root_url = g_strdup_printf ("http://127.0.0.1:%u", server_port (run));
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *env;

  g_assert_true (json_parser_load_from_data (parser, written, -1, NULL));
  env = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "env");
  g_assert_cmpstr (json_object_get_string_member (env, "ANTHROPIC_BASE_URL"), ==, root_url);
  g_assert_cmpstr (json_object_get_string_member (env, "ANTHROPIC_AUTH_TOKEN"), ==, "iflow2api-local");
  g_assert_cmpstr (json_object_get_string_member (env, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), ==, "1");
  g_assert_cmpstr (json_object_get_string_member (env, "MY_FLAG"), ==, "1");
}

static void
check_codex (Run        *run,
             const char *written)
{
  g_autofree char *url_line = g_strdup_printf ("base_url = \"http://127.0.0.1:%u/v1\"\n", server_port (run));

  g_assert_nonnull (strstr (written, "model_provider = \"iflow2api\"\nmodel = \"glm-4.7\"\n"));
  g_assert_nonnull (strstr (written, "model_reasoning_effort = \"high\"\n"));
  g_assert_nonnull (strstr (written, "[model_providers.iflow2api]\n"));
  g_assert_nonnull (strstr (written, url_line));
  g_assert_nonnull (strstr (written, "supports_websockets = false\n"));
  g_assert_null (strstr (written, "bearer"));
}

static const ClientCase claude_code = {
  "claude-code", "Claude Code", "CLAUDE_CONFIG_DIR", "claude-config", "settings.json",
  "{\n  \"theme\": \"dark\",\n  \"env\": {\n    \"MY_FLAG\": \"1\"\n  }\n}\n",
  "ANTHROPIC_BASE_URL", check_claude_code,
};

static const ClientCase codex = {
  "codex", "Codex", "CODEX_HOME", "codex-home", "iflow2api.config.toml",
  "model = \"glm-4.7\"\nmodel_reasoning_effort = \"high\"\n",
  "+wire_api = \"responses\"", check_codex,
};

/* The case run_app () drives (its driver takes no data). */
static const ClientCase *current;

static char *
config_path (const ClientCase *c)
{
  return g_build_filename (g_getenv (c->env_var), c->file_name, NULL);
}

static void
drive (Run *run)
{
  const ClientCase *c = current;
  g_autofree char *path = config_path (c);
  GtkWidget *button = gui_test_find_setup_button (GTK_WIDGET (main_window (run)), c->id);
  g_autofree char *written = NULL;
  g_autofree char *restored = NULL;
  I2aClientDialog *dialog;

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  dialog = gui_test_find_client_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (i2a_client_dialog_get_client (dialog) == i2a_client_find (c->id));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (dialog)), c->title));
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_idle, dialog, 10000));
  g_assert_cmpstr (i2a_client_dialog_get_config_path (dialog), ==, path);
  g_assert_null (i2a_client_dialog_get_error_text (dialog));
  g_assert_nonnull (strstr (i2a_client_dialog_get_diff_text (dialog), c->in_preview));

  g_signal_emit_by_name (i2a_client_dialog_get_apply_button (dialog), "clicked");
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_idle, dialog, 10000));
  g_assert_null (i2a_client_dialog_get_error_text (dialog));
  written = i2a_test_read_file (path);
  c->check_written (run, written);

  g_signal_emit_by_name (i2a_client_dialog_get_undo_button (dialog), "clicked");
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_confirming, dialog, 10000));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (i2a_client_dialog_get_confirm_dialog (dialog)), "restore");
  g_assert_true (i2a_test_wait_until (gui_test_client_dialog_idle, dialog, 10000));
  restored = i2a_test_read_file (path);
  g_assert_cmpstr (restored, ==, c->original);

  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  quit_app (run);
}

static void
test_setup_undo (gconstpointer data)
{
  const ClientCase *c = data;
  g_autofree char *dir = g_build_filename (test_home, c->dir_name, NULL);
  g_autofree char *path = NULL;
  Run *run;

  g_setenv (c->env_var, dir, TRUE);
  g_mkdir_with_parents (dir, 0700);
  path = config_path (c);
  i2a_test_write_file (path, c->original);
  current = c;
  run = run_new (test_home);
  run_app (run, drive);
  run_free (run);
  i2a_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  test_home = gui_test_init (&argc, &argv);
  gui_test_notifications ();
  g_test_add_data_func ("/gui/claude-code/setup-undo", &claude_code, test_setup_undo);
  g_test_add_data_func ("/gui/codex/setup-undo", &codex, test_setup_undo);
  return g_test_run ();
}

/* test-autostart-portal.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* test-autostart-portal.c: autostart under Flatpak goes through the
 * Background portal, outside it through the XDG autostart file.
 *
 * Runs on a private session bus (dbus-run-session). The test owns
 * org.freedesktop.portal.Desktop on its own connection, records every
 * RequestBackground call and answers on the Request object the way
 * xdg-desktop-portal does. */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "i2a-autostart.h"
#include "i2a-test-util.h"

#define PORTAL_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_PATH "/org/freedesktop/portal/desktop"

static const char portal_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.Background'>"
  "    <method name='RequestBackground'>"
  "      <arg type='s' name='parent_window' direction='in'/>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='o' name='handle' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct
{
  GDBusConnection *bus;       /* the portal's own connection */
  guint            object_id;
  guint            owner_id;
  gboolean         owned;
  GPtrArray       *calls;     /* (sa{sv}) parameters, in call order */
  guint32          response;  /* 0 granted, 1 cancelled, 2 refused */
  gboolean         grant_autostart;
} FakePortal;

typedef struct
{
  FakePortal *portal;
  char       *destination;
  char       *handle;
  gboolean    autostart;
} PendingResponse;

static gboolean
send_response (gpointer data)
{
  PendingResponse *pending = data;
  FakePortal *portal = pending->portal;
  GVariantBuilder results;

  g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&results, "{sv}", "background",
                         g_variant_new_boolean (portal->response == 0));
  g_variant_builder_add (&results, "{sv}", "autostart",
                         g_variant_new_boolean (portal->response == 0 && pending->autostart &&
                                                portal->grant_autostart));
  g_assert_true (g_dbus_connection_emit_signal (portal->bus, pending->destination, pending->handle,
                                                "org.freedesktop.portal.Request", "Response",
                                                g_variant_new ("(ua{sv})", portal->response,
                                                               &results),
                                                NULL));
  g_free (pending->destination);
  g_free (pending->handle);
  g_free (pending);
  return G_SOURCE_REMOVE;
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  FakePortal *portal = user_data;
  g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 1);
  g_autofree char *escaped = g_strdup (sender + 1);
  const char *token = "t";
  PendingResponse *pending = g_new0 (PendingResponse, 1);

  g_ptr_array_add (portal->calls, g_variant_ref (parameters));
  g_variant_lookup (options, "handle_token", "&s", &token);
  g_variant_lookup (options, "autostart", "b", &pending->autostart);
  g_strdelimit (escaped, ".", '_');
  pending->portal = portal;
  pending->destination = g_strdup (sender);
  pending->handle = g_strconcat (PORTAL_PATH "/request/", escaped, "/", token, NULL);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", pending->handle));
  /* Like xdg-desktop-portal: the answer comes later, as a signal. */
  g_idle_add (send_response, pending);
}

static const GDBusInterfaceVTable vtable = { method_call_cb, NULL, NULL, { 0 } };

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  ((FakePortal *) user_data)->owned = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fake_portal_start (FakePortal *portal)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (portal_xml, &error);
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);

  g_assert_no_error (error);
  /* Its own connection, so the app's requests really cross the bus. */
  portal->bus = g_dbus_connection_new_for_address_sync (address,
                                                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                        NULL, NULL, &error);
  g_assert_no_error (error);
  portal->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  portal->object_id = g_dbus_connection_register_object (portal->bus, PORTAL_PATH,
                                                         info->interfaces[0], &vtable,
                                                         portal, NULL, &error);
  g_assert_no_error (error);
  portal->owner_id = g_bus_own_name_on_connection (portal->bus, PORTAL_NAME,
                                                   G_BUS_NAME_OWNER_FLAGS_NONE,
                                                   name_acquired_cb, NULL, portal, NULL);
  g_assert_true (i2a_test_wait_until (is_true, &portal->owned, 5000));
}

static void
fake_portal_stop (FakePortal *portal)
{
  g_bus_unown_name (portal->owner_id);
  g_dbus_connection_unregister_object (portal->bus, portal->object_id);
  g_ptr_array_unref (portal->calls);
  g_dbus_connection_close_sync (portal->bus, NULL, NULL);
  /* The name watcher lets go of the connection from an idle. */
  g_object_add_weak_pointer (G_OBJECT (portal->bus), (gpointer *) &portal->bus);
  g_object_unref (portal->bus);
  g_assert_true (i2a_test_wait_until (is_null, &portal->bus, 5000));
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Result;

static void
set_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Result *r = user_data;

  r->ok = i2a_autostart_set_finish (result, &r->error);
  r->done = TRUE;
}

static gboolean
set_autostart (gboolean   enabled,
               GError   **error)
{
  Result r = { FALSE, FALSE, NULL };

  i2a_autostart_set_async (enabled, NULL, set_cb, &r);
  g_assert_true (i2a_test_wait_until (is_true, &r.done, 5000));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.ok;
}

/* The options of call @i: autostart, commandline (NULL when absent). */
static gboolean
call_autostart (FakePortal  *portal,
                guint        i,
                char      ***commandline)
{
  const char *parent = NULL;
  g_autoptr(GVariant) options = NULL;
  const char *reason = NULL;
  const char *token = NULL;
  gboolean autostart;

  g_assert_cmpuint (portal->calls->len, >, i);
  g_variant_get (portal->calls->pdata[i], "(&s@a{sv})", &parent, &options);
  g_assert_cmpstr (parent, ==, "");
  g_assert_true (g_variant_lookup (options, "reason", "&s", &reason));
  g_assert_cmpstr (reason, !=, "");
  g_assert_true (g_variant_lookup (options, "handle_token", "&s", &token));
  /* Always stated: the portal applies it on every request. */
  g_assert_true (g_variant_lookup (options, "autostart", "b", &autostart));
  *commandline = NULL;
  g_variant_lookup (options, "commandline", "^as", commandline);
  return autostart;
}

static void
test_portal_toggle (void)
{
  FakePortal portal = { 0 };
  g_autofree char *path = i2a_autostart_dup_path ();
  g_auto(GStrv) commandline = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("FLATPAK_ID", "io.github.iflow2api.Iflow2Api", TRUE);
  g_assert_true (i2a_autostart_uses_portal ());
  fake_portal_start (&portal);
  portal.grant_autostart = TRUE;

  g_assert_true (set_autostart (TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (portal.calls->len, ==, 1);
  g_assert_true (call_autostart (&portal, 0, &commandline));
  g_assert_nonnull (commandline);
  g_assert_cmpuint (g_strv_length (commandline), ==, 1);
  g_assert_cmpstr (commandline[0], ==, "iflow2api");
  /* The sandbox's own file would never reach the session. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&commandline, g_strfreev);

  g_assert_true (set_autostart (FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (portal.calls->len, ==, 2);
  g_assert_false (call_autostart (&portal, 1, &commandline));
  g_assert_null (commandline);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  fake_portal_stop (&portal);
  g_unsetenv ("FLATPAK_ID");
}

static void
test_portal_refused (void)
{
  FakePortal portal = { 0 };
  g_auto(GStrv) commandline = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("FLATPAK_ID", "io.github.iflow2api.Iflow2Api", TRUE);
  fake_portal_start (&portal);

  /* Refused outright. */
  portal.response = 2;
  g_assert_false (set_autostart (TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (call_autostart (&portal, 0, &commandline));
  g_clear_pointer (&commandline, g_strfreev);

  /* Background allowed, autostart not granted. */
  portal.response = 0;
  portal.grant_autostart = FALSE;
  g_assert_false (set_autostart (TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Withdrawing works whatever the answer: the portal removes the entry. */
  portal.response = 2;
  g_assert_true (set_autostart (FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (portal.calls->len, ==, 3);
  g_assert_false (call_autostart (&portal, 2, &commandline));

  fake_portal_stop (&portal);
  g_unsetenv ("FLATPAK_ID");
}

static void
test_no_sandbox_writes_file (void)
{
  FakePortal portal = { 0 };
  g_autofree char *path = i2a_autostart_dup_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_unsetenv ("FLATPAK_ID");
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("running inside Flatpak");
      return;
    }
  g_assert_false (i2a_autostart_uses_portal ());
  fake_portal_start (&portal);

  g_assert_true (set_autostart (TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Exec="));
  g_assert_true (set_autostart (FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (portal.calls->len, ==, 0);

  fake_portal_stop (&portal);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = i2a_test_mkdtemp ();
  g_autofree char *config = g_build_filename (home, "config", NULL);
  int status;

  /* Before GLib caches the user dirs. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_unsetenv ("FLATPAK_ID");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gui/autostart/portal/toggle", test_portal_toggle);
  g_test_add_func ("/gui/autostart/portal/refused", test_portal_refused);
  g_test_add_func ("/gui/autostart/no-sandbox/writes-file", test_no_sandbox_writes_file);
  status = g_test_run ();
  i2a_test_rm_rf (home);
  return status;
}

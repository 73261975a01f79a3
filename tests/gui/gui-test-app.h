/* gui-test-app.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* gui-test-app.h: running the real app in a UI test, and the desktop
 * services it talks to over the private session bus (dbus-run-session)
 *
 * Each test runs the app with g_application_run(); a "driver" runs once it
 * is activated and ends by quitting it. The stand-in services (a
 * StatusNotifierWatcher, a notification server) live on their own bus
 * connections, as the real ones live in other processes. */
#pragma once

#include "gui-test-util.h"
#include "i2a-application.h"
#include "i2a-client-dialog.h"
#include "i2a-window.h"

G_BEGIN_DECLS

#define GUI_TEST_OBJECT_PATH "/io/github/iflow2api/Iflow2Api"

typedef struct _Run Run;
typedef void (*Driver) (Run *run);

struct _Run
{
  I2aApplication *app;
  Driver          driver;
  const char     *home;
  gboolean        driver_scheduled;
  gboolean        checked_after;   /* set by a check that runs after the driver */
  gboolean        timed_out;
  guint           timeout_id;
};

/* A new app on a free port, no ~/.iflow of the test machine. */
Run       *run_new                 (const char  *home);
/* Runs it until it quits; asserts it did before a safety timeout. */
void       run_app                 (Run         *run,
                                    Driver       driver);
void       run_free                (Run         *run);
void       quit_app                (Run         *run);
I2aWindow *main_window             (Run         *run);

gboolean   is_true                 (gpointer     data);

/* A new connection to the session bus, like another process's. */
GDBusConnection *gui_test_bus_connection_new (void);

/* A service on its own connection: object exported first, name owned last
 * (so clients never see the name without the object). */
typedef struct _FakeService FakeService;

FakeService *fake_service_new      (const char                 *name,
                                    const char                 *path,
                                    const char                 *xml,
                                    const GDBusInterfaceVTable *vtable,
                                    gpointer                    data);
void         fake_service_free     (FakeService                *service);

/* org.kde.StatusNotifierWatcher with a host registered. It records the
 * item that registers (its bus name and object path), as a tray host
 * would to read the item's properties. */
typedef struct
{
  FakeService *service;
  char        *item_sender;
  char        *item_path;
} FakeWatcher;

FakeWatcher *fake_watcher_new      (void);
void         fake_watcher_free     (FakeWatcher                *watcher);

/* org.freedesktop.Notifications for the whole test process: the summaries
 * it was sent (clear it at will). Started once, never stopped: see
 * gui-test-app.c for the GLib bug that stopping it would hit. */
GPtrArray   *gui_test_notifications (void);

/* The client-setup dialog that is open, or NULL. */
I2aClientDialog *gui_test_find_client_dialog (void);
/* The button below @widget of the Clients row whose action target is @id. */
GtkWidget   *gui_test_find_setup_button (GtkWidget  *widget,
                                         const char *id);
/* i2a_test_wait_until () conditions on an I2aClientDialog: no work in
 * progress; the confirmation of Undo shown. */
gboolean     gui_test_client_dialog_idle       (gpointer dialog);
gboolean     gui_test_client_dialog_confirming (gpointer dialog);

G_END_DECLS

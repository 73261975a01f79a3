/* i2a-account-row.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-account-row"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "i2a-account-ops.h"
#include "i2a-account-row.h"
#include "i2a-enum.h"

struct _I2aAccountRow
{
  AdwExpanderRow  parent_instance;

  I2aAccount     *account;
  I2aPool        *pool;
  guint           countdown_id;
  gboolean        updating;     /* writing widgets from the account */

  AdwAvatar      *avatar;
  GtkLabel       *load_label;
  GtkLabel       *status_label;
  GtkSwitch      *enabled_switch;
  GtkSpinButton  *limit_spin;
  AdwActionRow   *limit_row;
  AdwActionRow   *usage_row;
  AdwActionRow   *expiry_row;
  AdwActionRow   *models_row;
  GtkButton      *refresh_models_button;
  AdwActionRow   *plaintext_row;
  GtkButton      *move_key_button;
  AdwActionRow   *error_row;
  AdwActionRow   *id_row;
  GtkButton      *edit_button;
  GtkButton      *relogin_button;
  GtkButton      *remove_button;
};

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_POOL,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (I2aAccountRow, i2a_account_row, ADW_TYPE_EXPANDER_ROW)

static const char *status_classes[] = { "success", "warning", "error", "accent", "dim-label" };

char *
i2a_account_row_format_countdown (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                            (int) (seconds / 60 % 60), (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

static void
set_status (I2aAccountRow *self,
            const char    *text,
            const char    *css_class)
{
  gtk_label_set_label (self->status_label, text);
  for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), status_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css_class);
}

static gboolean countdown_cb (gpointer user_data);

/* The badge: the most important reason first. */
static void
update_status (I2aAccountRow *self)
{
  I2aAccount *account = self->account;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 until = i2a_account_get_circuit_open_until (account);
  gboolean counting = FALSE;

  if (!i2a_account_get_enabled (account))
    set_status (self, _("Disabled"), "dim-label");
  else if (i2a_account_get_state (account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
    set_status (self, _("Needs login"), "error");
  else if (!i2a_account_has_api_key (account))
    set_status (self, _("Not logged in"), "dim-label");
  else if (i2a_account_get_state (account) == I2A_ACCOUNT_STATE_REFRESHING)
    set_status (self, _("Refreshing"), "accent");
  else if (until > now)
    {
      g_autofree char *left = i2a_account_row_format_countdown (until - now);
      g_autofree char *text = NULL;

      /* Failures in a row opened the circuit; without them the account
       * is resting after a rate limit. */
      if (i2a_account_get_consecutive_failures (account) > 0)
        /* Translators: %s is a countdown like 0:42 */
        text = g_strdup_printf (_("Circuit open · %s"), left);
      else
        /* Translators: %s is a countdown like 0:42 */
        text = g_strdup_printf (_("Cooling down · %s"), left);
      set_status (self, text, "warning");
      counting = TRUE;
    }
  else if (self->pool && i2a_pool_get_quota_resets_in (self->pool, account) > 0)
    {
      g_autofree char *left = i2a_usage_format_duration (i2a_pool_get_quota_resets_in (self->pool, account));
      /* TRANSLATORS: an account's state; %s is a duration such as "2 h 13 min" */
      g_autofree char *text = g_strdup_printf (_("quota — resets in %s"), left);

      set_status (self, text, "warning");
      counting = TRUE;
    }
  else if (i2a_account_get_state (account) == I2A_ACCOUNT_STATE_ERROR)
    set_status (self, _("Error"), "error");
  else
    set_status (self, _("Ready"), "success");

  if (counting && self->countdown_id == 0)
    self->countdown_id = g_timeout_add_seconds (1, countdown_cb, self);
  else if (!counting)
    g_clear_handle_id (&self->countdown_id, g_source_remove);
}

static gboolean
countdown_cb (gpointer user_data)
{
  I2aAccountRow *self = user_data;

  update_status (self);
  return self->countdown_id != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
update_title (I2aAccountRow *self)
{
  I2aAccount *account = self->account;
  const char *label = i2a_account_get_label (account);
  const char *email = i2a_account_get_email (account);
  const char *provider = i2a_enum_to_nick (I2A_TYPE_PROVIDER, i2a_account_get_provider (account));
  g_autofree char *subtitle = NULL;

  if (label == NULL || *label == '\0')
    label = email != NULL && *email != '\0' ? email : i2a_account_get_id (account);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), label);
  adw_avatar_set_text (self->avatar, label);

  /* Provider names are not translated: they are what keys.json says. */
  if (email != NULL && *email != '\0' && g_strcmp0 (email, label) != 0)
    subtitle = g_strdup_printf ("%s · %s", email, provider);
  else
    subtitle = g_strdup (provider);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), subtitle);
}

static void
update_load (I2aAccountRow *self)
{
  guint max = i2a_account_get_max_concurrency (self->account);
  guint in_flight = i2a_account_get_in_flight (self->account);
  guint queued = i2a_account_get_queued (self->account);
  g_autofree char *text = NULL;

  if (max > 0)
    text = g_strdup_printf ("%u / %u", in_flight, max);
  else
    text = g_strdup_printf ("%u / ∞", in_flight);
  if (queued > 0)
    {
      /* Translators: "2 / 4 (+3 waiting)": requests waiting for a free slot */
      char *with_queue = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (+%u waiting)",
                                                       "%s (+%u waiting)", queued),
                                          text, queued);
      g_free (text);
      text = with_queue;
    }
  gtk_label_set_label (self->load_label, text);
}

static void
update_usage (I2aAccountRow *self)
{
  guint64 requests = i2a_account_get_requests (self->account);
  guint64 errors = i2a_account_get_errors (self->account);
  g_autofree char *req_text = NULL;
  g_autofree char *err_text = NULL;
  g_autofree char *text = NULL;

  req_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " request",
                                           "%" PRIu64 " requests", (gulong) requests),
                              (uint64_t) requests);
  err_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " error",
                                           "%" PRIu64 " errors", (gulong) errors),
                              (uint64_t) errors);
  /* Translators: "12 requests, 1 error" */
  text = g_strdup_printf (_("%s, %s"), req_text, err_text);
  if (self->pool && i2a_pool_get_ledger (self->pool))
    {
      gint64 today_requests, today_tokens;
      g_autofree char *count = NULL;
      g_autofree char *with_tokens = NULL;

      i2a_ledger_get_today (i2a_pool_get_ledger (self->pool), I2A_USAGE_SCOPE_ACCOUNT,
                            i2a_account_get_id (self->account), &today_requests, &today_tokens);
      count = i2a_usage_format_count (today_tokens);
      /* TRANSLATORS: "12 requests, 1 error" then the tokens used today, e.g. "3.4 k" */
      with_tokens = g_strdup_printf (_("%s · %s tokens today"), text, count);
      g_free (text);
      text = g_steal_pointer (&with_tokens);
    }
  adw_action_row_set_subtitle (self->usage_row, text);
}

static void
update_expiry (I2aAccountRow *self)
{
  gint64 expires_at = i2a_account_get_expires_at (self->account);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->expiry_row), expires_at > 0);
  if (expires_at <= 0)
    return;
  when = g_date_time_new_from_unix_local (expires_at);
  date = g_date_time_format (when, "%Y-%m-%d %H:%M");
  if (expires_at <= now)
    /* Translators: %s is a date and time */
    text = g_strdup_printf (_("Token expired %s"), date);
  else
    /* Translators: %s is a date and time */
    text = g_strdup_printf (_("Token valid until %s"), date);
  adw_action_row_set_subtitle (self->expiry_row, text);
}

static void
update_error (I2aAccountRow *self)
{
  const char *error = i2a_account_get_last_error (self->account);
  const char *refresh_error = i2a_account_get_last_refresh_error (self->account);

  if (error == NULL || *error == '\0')
    error = refresh_error;
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), error != NULL && *error != '\0');
  adw_action_row_set_subtitle (self->error_row, error ? error : "");
}

/* Discovery: how many models, and why the last refresh failed. */
static void
update_models (I2aAccountRow *self)
{
  const char *const *models = i2a_account_get_models (self->account);
  const char *error = i2a_account_get_models_error (self->account);
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;
  guint n = models ? g_strv_length ((char **) models) : 0;

  gtk_widget_set_visible (GTK_WIDGET (self->models_row),
                          i2a_account_get_provider (self->account) == I2A_PROVIDER_OPENAI);
  if (models == NULL)
    count = g_strdup (_("Not known yet"));
  else
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d model", "%d models", n), (int) n);
  if (error != NULL && *error != '\0')
    /* Translators: "12 models · last refresh failed: HTTP 401: …" */
    text = g_strdup_printf (_("%s · last refresh failed: %s"), count, error);
  adw_action_row_set_subtitle (self->models_row, text ? text : count);
}

static void
update_plaintext (I2aAccountRow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->plaintext_row),
                          i2a_account_ops_has_plaintext_key (self->pool, self->account));
}

static void
update_controls (I2aAccountRow *self)
{
  self->updating = TRUE;
  gtk_switch_set_active (self->enabled_switch, i2a_account_get_enabled (self->account));
  gtk_spin_button_set_value (self->limit_spin, i2a_account_get_max_concurrency (self->account));
  self->updating = FALSE;

  gtk_widget_set_visible (GTK_WIDGET (self->relogin_button),
                          i2a_account_get_provider (self->account) == I2A_PROVIDER_IFLOW);
  /* iFlow logins change by logging in again. */
  gtk_widget_set_visible (GTK_WIDGET (self->edit_button),
                          i2a_account_get_provider (self->account) == I2A_PROVIDER_OPENAI &&
                          i2a_account_ops_can_remove (self->pool, self->account));
  gtk_widget_set_sensitive (GTK_WIDGET (self->remove_button),
                            i2a_account_ops_can_remove (self->pool, self->account));
}

static void
account_notify_cb (I2aAccount    *account,
                   GParamSpec    *pspec,
                   I2aAccountRow *self)
{
  const char *name = pspec->name;

  if (g_str_equal (name, "label") || g_str_equal (name, "email") || g_str_equal (name, "provider"))
    update_title (self);
  if (g_str_equal (name, "in-flight") || g_str_equal (name, "queued") ||
      g_str_equal (name, "max-concurrency"))
    update_load (self);
  if (g_str_equal (name, "requests") || g_str_equal (name, "errors"))
    update_usage (self);
  if (g_str_equal (name, "expires-at"))
    update_expiry (self);
  if (g_str_equal (name, "last-error") || g_str_equal (name, "last-refresh-error"))
    update_error (self);
  if (g_str_equal (name, "models") || g_str_equal (name, "models-error") ||
      g_str_equal (name, "provider"))
    update_models (self);
  if (g_str_equal (name, "enabled") || g_str_equal (name, "max-concurrency") ||
      g_str_equal (name, "provider"))
    update_controls (self);
  if (g_str_equal (name, "enabled") || g_str_equal (name, "state") ||
      g_str_equal (name, "has-api-key") || g_str_equal (name, "circuit-open-until") ||
      g_str_equal (name, "consecutive-failures"))
    update_status (self);
}

static void
enabled_switch_notify_cb (I2aAccountRow *self)
{
  if (!self->updating && self->account != NULL)
    i2a_account_ops_set_enabled (self->pool, self->account,
                                 gtk_switch_get_active (self->enabled_switch));
}

static void
limit_spin_changed_cb (I2aAccountRow *self)
{
  if (!self->updating && self->account != NULL)
    i2a_account_ops_set_max_concurrency (self->pool, self->account,
                                         (guint) gtk_spin_button_get_value_as_int (self->limit_spin));
}

static void
i2a_account_row_constructed (GObject *object)
{
  I2aAccountRow *self = I2A_ACCOUNT_ROW (object);
  GVariant *target;

  G_OBJECT_CLASS (i2a_account_row_parent_class)->constructed (object);

  target = g_variant_new_string (i2a_account_get_id (self->account));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->edit_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->refresh_models_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->move_key_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->relogin_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->remove_button), target);
  adw_action_row_set_subtitle (self->id_row, i2a_account_get_id (self->account));

  update_title (self);
  update_load (self);
  update_usage (self);
  update_expiry (self);
  update_error (self);
  update_controls (self);
  update_status (self);
  update_models (self);
  update_plaintext (self);

  g_signal_connect_object (self->account, "notify", G_CALLBACK (account_notify_cb), self, 0);
  /* Moving the key to the keyring rewrites keys.json. */
  if (self->pool != NULL)
    g_signal_connect_object (self->pool, "config-reloaded", G_CALLBACK (update_plaintext),
                             self, G_CONNECT_SWAPPED);
}

static void
i2a_account_row_dispose (GObject *object)
{
  I2aAccountRow *self = I2A_ACCOUNT_ROW (object);

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_clear_object (&self->account);
  g_clear_object (&self->pool);

  G_OBJECT_CLASS (i2a_account_row_parent_class)->dispose (object);
}

static void
i2a_account_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  I2aAccountRow *self = I2A_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_POOL:
      g_value_set_object (value, self->pool);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_account_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  I2aAccountRow *self = I2A_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    case PROP_POOL:
      self->pool = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_account_row_class_init (I2aAccountRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = i2a_account_row_constructed;
  object_class->dispose = i2a_account_row_dispose;
  object_class->get_property = i2a_account_row_get_property;
  object_class->set_property = i2a_account_row_set_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, I2A_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POOL] =
    g_param_spec_object ("pool", NULL, NULL, I2A_TYPE_POOL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/iflow2api/Iflow2Api/ui/i2a-account-row.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, load_label);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, limit_spin);
  gtk_widget_class_bind_template_callback (widget_class, enabled_switch_notify_cb);
  gtk_widget_class_bind_template_callback (widget_class, limit_spin_changed_cb);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, limit_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, usage_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, models_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, refresh_models_button);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, plaintext_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, move_key_button);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, error_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, id_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, relogin_button);
  gtk_widget_class_bind_template_child (widget_class, I2aAccountRow, remove_button);
}

static void
i2a_account_row_init (I2aAccountRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
recorded_cb (I2aAccountRow      *self,
             const I2aLedgerRow *row)
{
  if (g_strcmp0 (row->account, i2a_account_get_id (self->account)) != 0)
    return;
  update_usage (self);
  update_status (self);
}

GtkWidget *
i2a_account_row_new (I2aAccount *account,
                     I2aPool    *pool)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (pool == NULL || I2A_IS_POOL (pool), NULL);

  {
    I2aAccountRow *self = g_object_new (I2A_TYPE_ACCOUNT_ROW, "account", account, "pool", pool, NULL);

    /* Tokens today and the quota change as requests finish. */
    if (pool && i2a_pool_get_ledger (pool))
      g_signal_connect_object (i2a_pool_get_ledger (pool), "recorded", G_CALLBACK (recorded_cb),
                               self, G_CONNECT_SWAPPED);
    return GTK_WIDGET (self);
  }
}

I2aAccount *
i2a_account_row_get_account (I2aAccountRow *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT_ROW (self), NULL);

  return self->account;
}

const char *
i2a_account_row_get_status_text (I2aAccountRow *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT_ROW (self), NULL);

  return gtk_label_get_label (self->status_label);
}

const char *
i2a_account_row_get_load_text (I2aAccountRow *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT_ROW (self), NULL);

  return gtk_label_get_label (self->load_label);
}

/* i2a-account.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-account"

#include "config.h"

#include <string.h>

#include "i2a-account.h"
#include "i2a-models.h"
#include "i2a-util.h"

struct _I2aAccount
{
  GObject          parent_instance;

  char            *id;
  char            *label;
  char            *email;
  I2aProvider      provider;
  char            *base_url;
  char            *auth_type;
  gboolean         enabled;
  guint            max_concurrency;
  char            *api_key;
  char            *session_id;
  char            *conversation_id;

  guint            in_flight;
  guint            queued;
  guint64          requests;
  guint64          errors;
  guint            consecutive_failures;
  gint64           circuit_open_until;
  char            *last_error;

  I2aAccountState  state;
  gint64           expires_at;
  gint64           last_refresh;
  guint            refresh_failures;
  char            *last_refresh_error;

  char           **models;
  char            *models_error;
  gint64           models_updated;
};

G_DEFINE_FINAL_TYPE (I2aAccount, i2a_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_LABEL,
  PROP_EMAIL,
  PROP_PROVIDER,
  PROP_BASE_URL,
  PROP_AUTH_TYPE,
  PROP_ENABLED,
  PROP_MAX_CONCURRENCY,
  PROP_HAS_API_KEY,
  PROP_IN_FLIGHT,
  PROP_QUEUED,
  PROP_REQUESTS,
  PROP_ERRORS,
  PROP_CONSECUTIVE_FAILURES,
  PROP_CIRCUIT_OPEN_UNTIL,
  PROP_LAST_ERROR,
  PROP_STATE,
  PROP_EXPIRES_AT,
  PROP_LAST_REFRESH,
  PROP_REFRESH_FAILURES,
  PROP_LAST_REFRESH_ERROR,
  PROP_MODELS,
  PROP_N_MODELS,
  PROP_MODELS_ERROR,
  PROP_MODELS_UPDATED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Replace a string field and notify only on a real change. */
static void
set_string (I2aAccount  *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

#define SET_SCALAR(field, value, prop)                                  \
  G_STMT_START {                                                        \
    if (self->field != (value))                                         \
      {                                                                 \
        self->field = (value);                                          \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);   \
      }                                                                 \
  } G_STMT_END

static void
i2a_account_finalize (GObject *object)
{
  I2aAccount *self = I2A_ACCOUNT (object);

  g_free (self->id);
  g_free (self->label);
  g_free (self->email);
  g_free (self->base_url);
  g_free (self->auth_type);
  i2a_secret_free (self->api_key);
  g_free (self->session_id);
  g_free (self->conversation_id);
  g_free (self->last_error);
  g_free (self->last_refresh_error);
  g_strfreev (self->models);
  g_free (self->models_error);

  G_OBJECT_CLASS (i2a_account_parent_class)->finalize (object);
}

static void
i2a_account_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  I2aAccount *self = I2A_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    case PROP_EMAIL: g_value_set_string (value, self->email); break;
    case PROP_PROVIDER: g_value_set_enum (value, self->provider); break;
    case PROP_BASE_URL: g_value_set_string (value, self->base_url); break;
    case PROP_AUTH_TYPE: g_value_set_string (value, self->auth_type); break;
    case PROP_ENABLED: g_value_set_boolean (value, self->enabled); break;
    case PROP_MAX_CONCURRENCY: g_value_set_uint (value, self->max_concurrency); break;
    case PROP_HAS_API_KEY: g_value_set_boolean (value, i2a_account_has_api_key (self)); break;
    case PROP_IN_FLIGHT: g_value_set_uint (value, self->in_flight); break;
    case PROP_QUEUED: g_value_set_uint (value, self->queued); break;
    case PROP_REQUESTS: g_value_set_uint64 (value, self->requests); break;
    case PROP_ERRORS: g_value_set_uint64 (value, self->errors); break;
    case PROP_CONSECUTIVE_FAILURES: g_value_set_uint (value, self->consecutive_failures); break;
    case PROP_CIRCUIT_OPEN_UNTIL: g_value_set_int64 (value, self->circuit_open_until); break;
    case PROP_LAST_ERROR: g_value_set_string (value, self->last_error); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_EXPIRES_AT: g_value_set_int64 (value, self->expires_at); break;
    case PROP_LAST_REFRESH: g_value_set_int64 (value, self->last_refresh); break;
    case PROP_REFRESH_FAILURES: g_value_set_uint (value, self->refresh_failures); break;
    case PROP_LAST_REFRESH_ERROR: g_value_set_string (value, self->last_refresh_error); break;
    case PROP_MODELS: g_value_set_boxed (value, self->models); break;
    case PROP_N_MODELS: g_value_set_int (value, self->models ? (int) g_strv_length (self->models) : -1); break;
    case PROP_MODELS_ERROR: g_value_set_string (value, self->models_error); break;
    case PROP_MODELS_UPDATED: g_value_set_int64 (value, self->models_updated); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_account_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  I2aAccount *self = I2A_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID: self->id = g_value_dup_string (value); break;
    case PROP_LABEL: i2a_account_set_label (self, g_value_get_string (value)); break;
    case PROP_ENABLED: i2a_account_set_enabled (self, g_value_get_boolean (value)); break;
    case PROP_MAX_CONCURRENCY: i2a_account_set_max_concurrency (self, g_value_get_uint (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_account_class_init (I2aAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = i2a_account_finalize;
  object_class->get_property = i2a_account_get_property;
  object_class->set_property = i2a_account_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL,
                                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, rw);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, ro);
  properties[PROP_PROVIDER] = g_param_spec_enum ("provider", NULL, NULL, I2A_TYPE_PROVIDER,
                                                 I2A_PROVIDER_IFLOW, ro);
  properties[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, ro);
  properties[PROP_AUTH_TYPE] = g_param_spec_string ("auth-type", NULL, NULL, NULL, ro);
  properties[PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, TRUE, rw);
  properties[PROP_MAX_CONCURRENCY] = g_param_spec_uint ("max-concurrency", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_HAS_API_KEY] = g_param_spec_boolean ("has-api-key", NULL, NULL, FALSE, ro);
  properties[PROP_IN_FLIGHT] = g_param_spec_uint ("in-flight", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_QUEUED] = g_param_spec_uint ("queued", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_REQUESTS] = g_param_spec_uint64 ("requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_ERRORS] = g_param_spec_uint64 ("errors", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_CONSECUTIVE_FAILURES] = g_param_spec_uint ("consecutive-failures", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_CIRCUIT_OPEN_UNTIL] = g_param_spec_int64 ("circuit-open-until", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, I2A_TYPE_ACCOUNT_STATE,
                                              I2A_ACCOUNT_STATE_OK, ro);
  properties[PROP_EXPIRES_AT] = g_param_spec_int64 ("expires-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_REFRESH] = g_param_spec_int64 ("last-refresh", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_REFRESH_FAILURES] = g_param_spec_uint ("refresh-failures", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LAST_REFRESH_ERROR] = g_param_spec_string ("last-refresh-error", NULL, NULL, NULL, ro);
  properties[PROP_MODELS] = g_param_spec_boxed ("models", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_N_MODELS] = g_param_spec_int ("n-models", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_MODELS_ERROR] = g_param_spec_string ("models-error", NULL, NULL, NULL, ro);
  properties[PROP_MODELS_UPDATED] = g_param_spec_int64 ("models-updated", NULL, NULL, 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
i2a_account_init (I2aAccount *self)
{
  g_autofree char *uuid = g_uuid_string_random ();

  self->enabled = TRUE;
  self->session_id = g_strdup_printf ("session-%s", uuid);
  self->conversation_id = g_uuid_string_random ();
}

I2aAccount *
i2a_account_new (const char  *id,
                 I2aProvider  provider,
                 const char  *base_url)
{
  I2aAccount *self = g_object_new (I2A_TYPE_ACCOUNT, "id", id, NULL);

  self->provider = provider;
  self->base_url = i2a_strip_trailing_slash (base_url);
  return self;
}

const char *i2a_account_get_id (I2aAccount *self) { return self->id; }
const char *i2a_account_get_label (I2aAccount *self) { return self->label; }
void i2a_account_set_label (I2aAccount *self, const char *label) { set_string (self, &self->label, label, PROP_LABEL); }
const char *i2a_account_get_email (I2aAccount *self) { return self->email; }
void i2a_account_set_email (I2aAccount *self, const char *email) { set_string (self, &self->email, email, PROP_EMAIL); }
I2aProvider i2a_account_get_provider (I2aAccount *self) { return self->provider; }
void i2a_account_set_provider (I2aAccount *self, I2aProvider provider) { SET_SCALAR (provider, provider, PROP_PROVIDER); }
const char *i2a_account_get_base_url (I2aAccount *self) { return self->base_url; }
const char *i2a_account_get_auth_type (I2aAccount *self) { return self->auth_type; }
void i2a_account_set_auth_type (I2aAccount *self, const char *auth_type) { set_string (self, &self->auth_type, auth_type, PROP_AUTH_TYPE); }
gboolean i2a_account_get_enabled (I2aAccount *self) { return self->enabled; }
void i2a_account_set_enabled (I2aAccount *self, gboolean enabled) { SET_SCALAR (enabled, !!enabled, PROP_ENABLED); }
guint i2a_account_get_max_concurrency (I2aAccount *self) { return self->max_concurrency; }
void i2a_account_set_max_concurrency (I2aAccount *self, guint max) { SET_SCALAR (max_concurrency, max, PROP_MAX_CONCURRENCY); }

void
i2a_account_set_base_url (I2aAccount *self,
                          const char *base_url)
{
  g_autofree char *stripped = i2a_strip_trailing_slash (base_url);

  set_string (self, &self->base_url, stripped, PROP_BASE_URL);
}

const char *
i2a_account_get_api_key (I2aAccount *self)
{
  return self->api_key;
}

void
i2a_account_set_api_key (I2aAccount *self,
                         const char *api_key)
{
  gboolean had = i2a_account_has_api_key (self);

  if (g_strcmp0 (self->api_key, api_key) == 0)
    return;
  i2a_secret_free (self->api_key);
  self->api_key = g_strdup (api_key);
  if (had != i2a_account_has_api_key (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_API_KEY]);
}

gboolean
i2a_account_has_api_key (I2aAccount *self)
{
  return self->api_key != NULL && self->api_key[0] != '\0';
}

char *
i2a_account_dup_api_key_mask (I2aAccount *self)
{
  return i2a_mask_secret (self->api_key);
}

const char *i2a_account_get_session_id (I2aAccount *self) { return self->session_id; }
const char *i2a_account_get_conversation_id (I2aAccount *self) { return self->conversation_id; }

void
i2a_account_fill_target (I2aAccount        *self,
                         I2aUpstreamTarget *target)
{
  target->provider = self->provider;
  target->base_url = self->base_url;
  target->api_key = self->api_key;
  target->session_id = self->session_id;
  target->conversation_id = self->conversation_id;
}

guint i2a_account_get_in_flight (I2aAccount *self) { return self->in_flight; }
void i2a_account_set_in_flight (I2aAccount *self, guint n) { SET_SCALAR (in_flight, n, PROP_IN_FLIGHT); }
guint i2a_account_get_queued (I2aAccount *self) { return self->queued; }
void i2a_account_set_queued (I2aAccount *self, guint n) { SET_SCALAR (queued, n, PROP_QUEUED); }
guint64 i2a_account_get_requests (I2aAccount *self) { return self->requests; }
guint64 i2a_account_get_errors (I2aAccount *self) { return self->errors; }

void
i2a_account_count_request (I2aAccount *self,
                           gboolean    failed)
{
  self->requests++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUESTS]);
  if (failed)
    {
      self->errors++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERRORS]);
    }
}

guint i2a_account_get_consecutive_failures (I2aAccount *self) { return self->consecutive_failures; }
void i2a_account_set_consecutive_failures (I2aAccount *self, guint n) { SET_SCALAR (consecutive_failures, n, PROP_CONSECUTIVE_FAILURES); }
gint64 i2a_account_get_circuit_open_until (I2aAccount *self) { return self->circuit_open_until; }
void i2a_account_set_circuit_open_until (I2aAccount *self, gint64 until) { SET_SCALAR (circuit_open_until, until, PROP_CIRCUIT_OPEN_UNTIL); }

gboolean
i2a_account_is_circuit_open (I2aAccount *self,
                             gint64      now)
{
  return self->circuit_open_until > now;
}

const char *i2a_account_get_last_error (I2aAccount *self) { return self->last_error; }
void i2a_account_set_last_error (I2aAccount *self, const char *message) { set_string (self, &self->last_error, message, PROP_LAST_ERROR); }
I2aAccountState i2a_account_get_state (I2aAccount *self) { return self->state; }
void i2a_account_set_state (I2aAccount *self, I2aAccountState state) { SET_SCALAR (state, state, PROP_STATE); }
gint64 i2a_account_get_expires_at (I2aAccount *self) { return self->expires_at; }
void i2a_account_set_expires_at (I2aAccount *self, gint64 t) { SET_SCALAR (expires_at, t, PROP_EXPIRES_AT); }
gint64 i2a_account_get_last_refresh (I2aAccount *self) { return self->last_refresh; }
void i2a_account_set_last_refresh (I2aAccount *self, gint64 t) { SET_SCALAR (last_refresh, t, PROP_LAST_REFRESH); }
guint i2a_account_get_refresh_failures (I2aAccount *self) { return self->refresh_failures; }
void i2a_account_set_refresh_failures (I2aAccount *self, guint n) { SET_SCALAR (refresh_failures, n, PROP_REFRESH_FAILURES); }
const char *i2a_account_get_last_refresh_error (I2aAccount *self) { return self->last_refresh_error; }
void i2a_account_set_last_refresh_error (I2aAccount *self, const char *m) { set_string (self, &self->last_refresh_error, m, PROP_LAST_REFRESH_ERROR); }

gboolean
i2a_account_is_usable (I2aAccount *self)
{
  return self->enabled &&
         (i2a_account_has_api_key (self) || g_strcmp0 (self->auth_type, I2A_AUTH_TYPE_NONE) == 0) &&
         self->state != I2A_ACCOUNT_STATE_NEEDS_LOGIN;
}

/* ---- served models ------------------------------------------------------ */

const char *const *
i2a_account_get_models (I2aAccount *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT (self), NULL);
  return (const char *const *) self->models;
}

void
i2a_account_set_models (I2aAccount        *self,
                        const char *const *models,
                        gint64             updated)
{
  g_return_if_fail (I2A_IS_ACCOUNT (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (models == NULL || self->models == NULL ||
      !g_strv_equal ((const char *const *) self->models, models))
    {
      g_strfreev (self->models);
      self->models = g_strdupv ((char **) models);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODELS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MODELS]);
    }
  SET_SCALAR (models_updated, updated, PROP_MODELS_UPDATED);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
i2a_account_serves_model (I2aAccount *self,
                          const char *model)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT (self), FALSE);

  if (model == NULL)
    return TRUE;
  /* iFlow accounts serve the iFlow catalogue (and its aliases). */
  if (self->models == NULL && self->provider == I2A_PROVIDER_IFLOW)
    return i2a_models_lookup (model) != NULL;
  if (self->models == NULL)
    return TRUE;
  for (guint i = 0; self->models[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->models[i], model) == 0)
      return TRUE;
  return FALSE;
}

const char *
i2a_account_get_models_error (I2aAccount *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT (self), NULL);
  return self->models_error;
}

void
i2a_account_set_models_error (I2aAccount *self,
                              const char *message)
{
  g_return_if_fail (I2A_IS_ACCOUNT (self));
  set_string (self, &self->models_error, message, PROP_MODELS_ERROR);
}

gint64
i2a_account_get_models_updated (I2aAccount *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT (self), 0);
  return self->models_updated;
}

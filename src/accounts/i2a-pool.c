#define G_LOG_DOMAIN "i2a-pool"

#include "config.h"

#include "i2a-pool-private.h"

#define CLI_ACCOUNT_ID "iflow-cli"

struct _I2aPool
{
  GObject         parent_instance;

  I2aCliSettings *cli;
  GListStore     *accounts;
  I2aAccount     *cli_account;
};

static void i2a_pool_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (I2aPool, i2a_pool, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, i2a_pool_list_model_init))

static GType
i2a_pool_get_item_type (GListModel *model)
{
  return I2A_TYPE_ACCOUNT;
}

static guint
i2a_pool_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (I2A_POOL (model)->accounts));
}

static gpointer
i2a_pool_get_item (GListModel *model,
                   guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (I2A_POOL (model)->accounts), position);
}

static void
i2a_pool_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = i2a_pool_get_item_type;
  iface->get_n_items = i2a_pool_get_n_items;
  iface->get_item = i2a_pool_get_item;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  I2aPool    *self)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
cli_changed_cb (I2aCliSettings *cli,
                I2aPool        *self)
{
  I2aAccount *account = self->cli_account;

  i2a_account_set_api_key (account, i2a_cli_settings_get_api_key (cli));
  i2a_account_set_base_url (account, i2a_cli_settings_get_base_url (cli));
  i2a_account_set_auth_type (account, i2a_cli_settings_get_auth_type (cli));
}

static void
i2a_pool_dispose (GObject *object)
{
  I2aPool *self = I2A_POOL (object);

  if (self->cli)
    g_signal_handlers_disconnect_by_data (self->cli, self);
  if (self->accounts)
    g_signal_handlers_disconnect_by_data (self->accounts, self);
  g_clear_object (&self->cli);
  g_clear_object (&self->cli_account);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (i2a_pool_parent_class)->dispose (object);
}

static void
i2a_pool_class_init (I2aPoolClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = i2a_pool_dispose;
}

static void
i2a_pool_init (I2aPool *self)
{
  self->accounts = g_list_store_new (I2A_TYPE_ACCOUNT);
  g_signal_connect (self->accounts, "items-changed", G_CALLBACK (items_changed_cb), self);
}

I2aPool *
i2a_pool_new (I2aCliSettings *cli)
{
  I2aPool *self = g_object_new (I2A_TYPE_POOL, NULL);

  self->cli = g_object_ref (cli);
  self->cli_account = i2a_account_new (CLI_ACCOUNT_ID, I2A_PROVIDER_IFLOW,
                                       i2a_cli_settings_get_base_url (cli));
  i2a_account_set_label (self->cli_account, "iFlow CLI login");
  g_signal_connect (cli, "changed", G_CALLBACK (cli_changed_cb), self);
  cli_changed_cb (cli, self);
  g_list_store_append (self->accounts, self->cli_account);
  return self;
}

I2aCliSettings *
i2a_pool_get_cli_settings (I2aPool *self)
{
  return self->cli;
}

I2aDispatch *
i2a_pool_begin (I2aPool      *self,
                const char   *token,
                I2aApiError **error)
{
  return i2a_dispatch_new (self);
}

I2aAccount *
i2a_pool_pick_account (I2aPool   *self,
                       GPtrArray *tried)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(I2aAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (i2a_account_is_usable (account) &&
          (tried == NULL || !g_ptr_array_find (tried, account, NULL)))
        return g_steal_pointer (&account);
    }
  return NULL;
}

void
i2a_pool_account_acquired (I2aPool    *self,
                           I2aAccount *account)
{
  i2a_account_set_in_flight (account, i2a_account_get_in_flight (account) + 1);
}

void
i2a_pool_account_released (I2aPool           *self,
                           I2aAccount        *account,
                           const I2aApiError *outcome)
{
  guint n = i2a_account_get_in_flight (account);

  i2a_account_set_in_flight (account, n > 0 ? n - 1 : 0);
  i2a_account_count_request (account, outcome != NULL && outcome->account_failure);
  if (outcome && outcome->account_failure)
    i2a_account_set_last_error (account, outcome->message);
}

gboolean
i2a_pool_is_healthy (I2aPool *self)
{
  g_autoptr(I2aAccount) account = i2a_pool_pick_account (self, NULL);

  return account != NULL;
}

void
i2a_pool_add_health (I2aPool     *self,
                     JsonBuilder *builder)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  guint enabled = 0, available = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(I2aAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (i2a_account_get_enabled (account))
        enabled++;
      if (i2a_account_is_usable (account))
        available++;
    }

  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, available > 0 ? "healthy" : "degraded");
  json_builder_set_member_name (builder, "iflow_logged_in");
  json_builder_add_boolean_value (builder, available > 0);
  json_builder_set_member_name (builder, "multi_account");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "accounts_total");
  json_builder_add_int_value (builder, available > 0 ? n : 0);
  json_builder_set_member_name (builder, "accounts_enabled");
  json_builder_add_int_value (builder, available > 0 ? enabled : 0);
  json_builder_set_member_name (builder, "accounts_available");
  json_builder_add_int_value (builder, available);
}

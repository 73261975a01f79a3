/* i2a-accounts-pane.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-accounts-pane"

#include "config.h"

#include "i2a-account-row.h"
#include "i2a-accounts-pane.h"

struct _I2aAccountsPane
{
  AdwBin      parent_instance;

  GListModel *model;
  GtkListBox *list_box;
};

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (I2aAccountsPane, i2a_accounts_pane, ADW_TYPE_BIN)

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  I2aAccountsPane *self = user_data;
  I2aPool *pool = I2A_IS_POOL (self->model) ? I2A_POOL (self->model) : NULL;

  return i2a_account_row_new (I2A_ACCOUNT (item), pool);
}

static void
i2a_accounts_pane_dispose (GObject *object)
{
  I2aAccountsPane *self = I2A_ACCOUNTS_PANE (object);

  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (i2a_accounts_pane_parent_class)->dispose (object);
}

static void
i2a_accounts_pane_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  I2aAccountsPane *self = I2A_ACCOUNTS_PANE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_accounts_pane_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  I2aAccountsPane *self = I2A_ACCOUNTS_PANE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      i2a_accounts_pane_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_accounts_pane_class_init (I2aAccountsPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = i2a_accounts_pane_dispose;
  object_class->get_property = i2a_accounts_pane_get_property;
  object_class->set_property = i2a_accounts_pane_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/iflow2api/Iflow2Api/ui/i2a-accounts-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aAccountsPane, list_box);
}

static void
i2a_accounts_pane_init (I2aAccountsPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
i2a_accounts_pane_new (void)
{
  return g_object_new (I2A_TYPE_ACCOUNTS_PANE, NULL);
}

GListModel *
i2a_accounts_pane_get_model (I2aAccountsPane *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNTS_PANE (self), NULL);

  return self->model;
}

void
i2a_accounts_pane_set_model (I2aAccountsPane *self,
                             GListModel      *model)
{
  g_return_if_fail (I2A_IS_ACCOUNTS_PANE (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (!g_set_object (&self->model, model))
    return;
  if (model != NULL)
    gtk_list_box_bind_model (self->list_box, model, create_row_cb, self, NULL);
  else
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

guint
i2a_accounts_pane_get_n_rows (I2aAccountsPane *self)
{
  guint n = 0;

  g_return_val_if_fail (I2A_IS_ACCOUNTS_PANE (self), 0);

  while (gtk_list_box_get_row_at_index (self->list_box, (int) n) != NULL)
    n++;
  return n;
}

GtkWidget *
i2a_accounts_pane_get_row (I2aAccountsPane *self,
                           guint            index)
{
  g_return_val_if_fail (I2A_IS_ACCOUNTS_PANE (self), NULL);

  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list_box, (int) index));
}

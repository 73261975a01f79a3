/* i2a-models-page.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-models-page"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-model-index.h"
#include "i2a-models-page.h"
#include "i2a-window.h"

struct _I2aModelsPage
{
  AdwBin             parent_instance;

  I2aPool           *pool;
  I2aModelDiscovery *discovery;
  GPtrArray         *watched;      /* accounts whose notify we follow */
  GCancellable      *cancellable;
  guint              rebuild_id;
  gboolean           refreshing;
  char              *error;

  GtkListBox        *models_list;
  GtkListBox        *aliases_list;
  GtkListBox        *fallbacks_list;
  GtkButton         *refresh_button;
  GtkSpinner        *refresh_spinner;
  AdwEntryRow       *alias_name_row;
  AdwEntryRow       *alias_target_row;
  GtkButton         *add_alias_button;
  AdwEntryRow       *fallback_model_row;
  AdwEntryRow       *fallback_chain_row;
  GtkButton         *add_fallback_button;
};

G_DEFINE_FINAL_TYPE (I2aModelsPage, i2a_models_page, ADW_TYPE_BIN)

/* ---- reading ------------------------------------------------------------ */

/* The keys.json member @name (an object), or NULL. */
static JsonObject *
rules_member (I2aModelsPage *self,
              const char    *name)
{
  I2aKeysConfig *config = self->pool ? i2a_pool_get_config (self->pool) : NULL;
  JsonNode *node;

  if (config == NULL || config->root == NULL || !JSON_NODE_HOLDS_OBJECT (config->root))
    return NULL;
  node = json_object_get_member (json_node_get_object (config->root), name);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* A copy of the member to edit (an empty object when there is none). */
static JsonObject *
copy_rules_member (I2aModelsPage *self,
                   const char    *name)
{
  JsonObject *current = rules_member (self, name);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) copy = NULL;
  g_autofree char *text = NULL;

  if (current == NULL)
    return json_object_new ();
  /* json_node_copy () shares the members; edits need a deep copy. */
  node = json_node_init_object (json_node_alloc (), current);
  text = json_to_string (node, FALSE);
  copy = json_from_string (text, NULL);
  return json_object_ref (json_node_get_object (copy));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static char *
describe_servers (I2aModelsPage        *self,
                  const I2aServedModel *model)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (model->alias_of != NULL)
    /* Translators: %s is a model name */
    return g_strdup_printf (_("Alias of %s"), model->alias_of);
  for (guint i = 0; i < model->accounts->len; i++)
    {
      const char *id = model->accounts->pdata[i];
      I2aAccount *account = i2a_pool_lookup_account (self->pool, id);
      const char *label = account ? i2a_account_get_label (account) : NULL;

      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, label != NULL && *label != '\0' ? label : id);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
rebuild_models (I2aModelsPage *self)
{
  g_autoptr(GPtrArray) models = NULL;

  clear_list (self->models_list);
  if (self->pool == NULL)
    return;
  models = i2a_pool_list_models (self->pool, NULL);
  for (guint i = 0; i < models->len; i++)
    {
      const I2aServedModel *model = models->pdata[i];
      g_autofree char *servers = describe_servers (self, model);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), model->id);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), servers);
      gtk_widget_add_css_class (row, "property");
      gtk_list_box_append (self->models_list, row);
    }
}

/* ---- writing ------------------------------------------------------------ */

static void
show_error (I2aModelsPage *self,
            const char    *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_free (self->error);
  self->error = g_strdup (message);
  if (I2A_IS_WINDOW (root))
    i2a_window_add_toast (I2A_WINDOW (root), message);
}

/* Writes the new members (NULL: leave); an empty one is removed. */
static gboolean
save_rules (I2aModelsPage *self,
            JsonObject    *aliases,
            JsonObject    *fallbacks)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->error, g_free);
  if (!i2a_pool_set_model_rules (self->pool, aliases, fallbacks, &error))
    {
      show_error (self, error->message);
      return FALSE;
    }
  return TRUE;
}

static void
remove_rule_cb (GtkButton     *button,
                I2aModelsPage *self)
{
  const char *member = g_object_get_data (G_OBJECT (button), "member");
  const char *name = g_object_get_data (G_OBJECT (button), "name");
  g_autoptr(JsonObject) rules = copy_rules_member (self, member);

  json_object_remove_member (rules, name);
  if (g_str_equal (member, "aliases"))
    save_rules (self, rules, NULL);
  else
    save_rules (self, NULL, rules);
}

/* Clicking a rule puts it in the form below, to change and add again. */
static void
rule_activated_cb (AdwActionRow  *row,
                   I2aModelsPage *self)
{
  const char *member = g_object_get_data (G_OBJECT (row), "member");
  const char *name = g_object_get_data (G_OBJECT (row), "name");
  const char *value = g_object_get_data (G_OBJECT (row), "value");

  if (g_str_equal (member, "aliases"))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->alias_name_row), name);
      gtk_editable_set_text (GTK_EDITABLE (self->alias_target_row), value);
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->fallback_model_row), name);
      gtk_editable_set_text (GTK_EDITABLE (self->fallback_chain_row), value);
    }
}

static void
append_rule_row (I2aModelsPage *self,
                 GtkListBox    *list,
                 const char    *member,
                 const char    *name,
                 const char    *value)
{
  g_autofree char *title = g_strdup_printf ("%s → %s", name, value);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "member", g_strdup (member), g_free);
  g_object_set_data_full (G_OBJECT (row), "name", g_strdup (name), g_free);
  g_object_set_data_full (G_OBJECT (row), "value", g_strdup (value), g_free);
  g_signal_connect (row, "activated", G_CALLBACK (rule_activated_cb), self);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Remove"));
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "member", g_strdup (member), g_free);
  g_object_set_data_full (G_OBJECT (button), "name", g_strdup (name), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (remove_rule_cb), self);
  g_object_set_data (G_OBJECT (row), "remove-button", button);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  gtk_list_box_append (list, row);
}

static char *
join_chain (JsonNode *node)
{
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *array;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup ("");
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, json_node_get_string (item));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
rebuild_rules (I2aModelsPage *self)
{
  JsonObject *aliases = rules_member (self, "aliases");
  JsonObject *fallbacks = rules_member (self, "fallbacks");
  g_autoptr(GList) names = NULL;

  clear_list (self->aliases_list);
  clear_list (self->fallbacks_list);
  if (aliases != NULL)
    {
      names = json_object_get_members (aliases);
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *node = json_object_get_member (aliases, l->data);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            append_rule_row (self, self->aliases_list, "aliases", l->data, json_node_get_string (node));
        }
      g_clear_pointer (&names, g_list_free);
    }
  if (fallbacks != NULL)
    {
      names = json_object_get_members (fallbacks);
      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *chain = join_chain (json_object_get_member (fallbacks, l->data));

          append_rule_row (self, self->fallbacks_list, "fallbacks", l->data, chain);
        }
    }
}

static char *
entry_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
alias_changed_cb (I2aModelsPage *self)
{
  g_autofree char *name = entry_text (self->alias_name_row);
  g_autofree char *target = entry_text (self->alias_target_row);

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_alias_button), *name != '\0' && *target != '\0');
}

static void
add_alias_cb (I2aModelsPage *self)
{
  g_autofree char *name = entry_text (self->alias_name_row);
  g_autofree char *target = entry_text (self->alias_target_row);
  g_autoptr(JsonObject) aliases = NULL;

  if (*name == '\0' || *target == '\0')
    return;
  aliases = copy_rules_member (self, "aliases");
  json_object_set_string_member (aliases, name, target);
  if (!save_rules (self, aliases, NULL))
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->alias_name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->alias_target_row), "");
}

static JsonArray *
split_chain (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  JsonArray *chain = json_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        json_array_add_string_element (chain, parts[i]);
    }
  return chain;
}

static void
fallback_changed_cb (I2aModelsPage *self)
{
  g_autofree char *model = entry_text (self->fallback_model_row);
  g_autofree char *chain = entry_text (self->fallback_chain_row);

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_fallback_button), *model != '\0' && *chain != '\0');
}

static void
add_fallback_cb (I2aModelsPage *self)
{
  g_autofree char *model = entry_text (self->fallback_model_row);
  g_autofree char *text = entry_text (self->fallback_chain_row);
  g_autoptr(JsonObject) fallbacks = NULL;
  JsonArray *chain;

  if (*model == '\0' || *text == '\0')
    return;
  chain = split_chain (text);
  if (json_array_get_length (chain) == 0)
    {
      json_array_unref (chain);
      return;
    }
  fallbacks = copy_rules_member (self, "fallbacks");
  json_object_set_array_member (fallbacks, model, chain);
  if (!save_rules (self, NULL, fallbacks))
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->fallback_model_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->fallback_chain_row), "");
}

/* ---- following the pool ------------------------------------------------- */

static void schedule_rebuild (I2aModelsPage *self);

static void
unwatch_accounts (I2aModelsPage *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_data (self->watched->pdata[i], self);
  g_ptr_array_set_size (self->watched, 0);
}

static void
watch_accounts (I2aModelsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pool));

  unwatch_accounts (self);
  for (guint i = 0; i < n; i++)
    {
      I2aAccount *account = g_list_model_get_item (G_LIST_MODEL (self->pool), i);

      g_signal_connect_swapped (account, "notify::models", G_CALLBACK (schedule_rebuild), self);
      g_signal_connect_swapped (account, "notify::label", G_CALLBACK (schedule_rebuild), self);
      g_signal_connect_swapped (account, "notify::enabled", G_CALLBACK (schedule_rebuild), self);
      g_ptr_array_add (self->watched, account);
    }
}

static void
rebuild_cb (gpointer data)
{
  I2aModelsPage *self = data;

  self->rebuild_id = 0;
  watch_accounts (self);
  rebuild_models (self);
  rebuild_rules (self);
}

/* Many changes come at once (a reload, a refresh of every account). */
static void
schedule_rebuild (I2aModelsPage *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add_once (rebuild_cb, self);
}

static void
refreshed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(I2aModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!i2a_model_discovery_refresh_finish (I2A_MODEL_DISCOVERY (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->refreshing = FALSE;
  gtk_spinner_stop (self->refresh_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), TRUE);
  if (error != NULL)
    {
      /* Translators: %s is what a service answered */
      g_autofree char *text = g_strdup_printf (_("Not every service answered: %s"), error->message);

      show_error (self, text);
    }
  schedule_rebuild (self);
}

static void
refresh_clicked_cb (I2aModelsPage *self)
{
  if (self->discovery == NULL || self->refreshing)
    return;
  self->refreshing = TRUE;
  g_clear_pointer (&self->error, g_free);
  gtk_spinner_start (self->refresh_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), FALSE);
  i2a_model_discovery_refresh_async (self->discovery, NULL, self->cancellable,
                                     refreshed_cb, g_object_ref (self));
}

static void
i2a_models_page_dispose (GObject *object)
{
  I2aModelsPage *self = I2A_MODELS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  i2a_models_page_set_sources (self, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), I2A_TYPE_MODELS_PAGE);

  G_OBJECT_CLASS (i2a_models_page_parent_class)->dispose (object);
}

static void
i2a_models_page_finalize (GObject *object)
{
  I2aModelsPage *self = I2A_MODELS_PAGE (object);

  g_ptr_array_unref (self->watched);
  g_free (self->error);

  G_OBJECT_CLASS (i2a_models_page_parent_class)->finalize (object);
}

static void
i2a_models_page_class_init (I2aModelsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = i2a_models_page_dispose;
  object_class->finalize = i2a_models_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/iflow2api/Iflow2Api/ui/i2a-models-page.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, models_list);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, aliases_list);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, fallbacks_list);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, refresh_spinner);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, alias_name_row);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, alias_target_row);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, add_alias_button);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, fallback_model_row);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, fallback_chain_row);
  gtk_widget_class_bind_template_child (widget_class, I2aModelsPage, add_fallback_button);
  gtk_widget_class_bind_template_callback (widget_class, refresh_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, alias_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_alias_cb);
  gtk_widget_class_bind_template_callback (widget_class, fallback_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_fallback_cb);
}

static void
i2a_models_page_init (I2aModelsPage *self)
{
  GtkWidget *placeholder;

  self->watched = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  placeholder = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (placeholder), _("No models yet: add an account"));
  gtk_list_box_set_placeholder (self->models_list, placeholder);
}

void
i2a_models_page_set_sources (I2aModelsPage     *self,
                             I2aPool           *pool,
                             I2aModelDiscovery *discovery)
{
  g_return_if_fail (I2A_IS_MODELS_PAGE (self));

  if (self->pool != NULL)
    {
      unwatch_accounts (self);
      g_signal_handlers_disconnect_by_data (self->pool, self);
    }
  g_set_object (&self->pool, pool);
  g_set_object (&self->discovery, discovery);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), discovery != NULL);
  if (pool == NULL)
    return;
  g_signal_connect_swapped (pool, "items-changed", G_CALLBACK (schedule_rebuild), self);
  g_signal_connect_swapped (pool, "config-reloaded", G_CALLBACK (schedule_rebuild), self);
  rebuild_cb (self);
}

guint
i2a_models_page_get_n_models (I2aModelsPage *self)
{
  guint n = 0;

  g_return_val_if_fail (I2A_IS_MODELS_PAGE (self), 0);

  while (gtk_list_box_get_row_at_index (self->models_list, (int) n) != NULL)
    n++;
  return n;
}

const char *
i2a_models_page_get_model (I2aModelsPage  *self,
                           guint           index,
                           const char    **served_by)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (I2A_IS_MODELS_PAGE (self), NULL);

  row = gtk_list_box_get_row_at_index (self->models_list, (int) index);
  if (row == NULL)
    return NULL;
  if (served_by != NULL)
    *served_by = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

guint
i2a_models_page_get_n_aliases (I2aModelsPage *self)
{
  guint n = 0;

  g_return_val_if_fail (I2A_IS_MODELS_PAGE (self), 0);

  while (gtk_list_box_get_row_at_index (self->aliases_list, (int) n) != NULL)
    n++;
  return n;
}

void
i2a_models_page_add_alias (I2aModelsPage *self,
                           const char    *name,
                           const char    *target)
{
  g_return_if_fail (I2A_IS_MODELS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->alias_name_row), name);
  gtk_editable_set_text (GTK_EDITABLE (self->alias_target_row), target);
  g_signal_emit_by_name (self->add_alias_button, "clicked");
}

gboolean
i2a_models_page_remove_alias (I2aModelsPage *self,
                              const char    *name)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (I2A_IS_MODELS_PAGE (self), FALSE);

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->aliases_list, i)) != NULL; i++)
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "name"), name) == 0)
      {
        GtkWidget *button = g_object_get_data (G_OBJECT (row), "remove-button");

        g_signal_emit_by_name (button, "clicked");
        return TRUE;
      }
  return FALSE;
}

void
i2a_models_page_add_fallback (I2aModelsPage *self,
                              const char    *model,
                              const char    *chain)
{
  g_return_if_fail (I2A_IS_MODELS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->fallback_model_row), model);
  gtk_editable_set_text (GTK_EDITABLE (self->fallback_chain_row), chain);
  g_signal_emit_by_name (self->add_fallback_button, "clicked");
}

const char *
i2a_models_page_get_error (I2aModelsPage *self)
{
  g_return_val_if_fail (I2A_IS_MODELS_PAGE (self), NULL);

  return self->error;
}

gboolean
i2a_models_page_is_refreshing (I2aModelsPage *self)
{
  g_return_val_if_fail (I2A_IS_MODELS_PAGE (self), FALSE);

  return self->refreshing;
}

/* test-provider-presets.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The provider presets resource: every preset the add dialog and
 * `iflow2api add --preset` offer, with the fields they show. */
#include "config.h"

#include "i2a-provider-preset.h"

static const char *const expected[] = {
  "deepseek", "moonshot", "zhipu", "dashscope", "siliconflow", "openrouter",
  "groq", "ollama", "lmstudio", "llamacpp", "vllm", "custom",
};

static void
test_presets_all (void)
{
  GListModel *model = i2a_provider_presets_get ();

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(I2aProviderPreset) p = g_list_model_get_item (model, i);
      const char *url = i2a_provider_preset_get_base_url (p);
      gboolean custom = g_str_equal (expected[i], "custom");

      g_assert_cmpstr (i2a_provider_preset_get_id (p), ==, expected[i]);
      g_assert_nonnull (i2a_provider_preset_get_name (p));
      if (custom)
        {
          g_assert_cmpstr (url, ==, "");
          g_assert_false (i2a_provider_preset_get_needs_key (p));
        }
      else if (i2a_provider_preset_get_local (p))
        {
          g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
          g_assert_false (i2a_provider_preset_get_needs_key (p));
          g_assert_null (i2a_provider_preset_get_key_url (p));
        }
      else
        {
          g_assert_true (g_str_has_prefix (url, "https://"));
          g_assert_true (g_str_has_prefix (i2a_provider_preset_get_key_url (p), "https://"));
          g_assert_nonnull (i2a_provider_preset_get_key_hint (p));
          g_assert_true (i2a_provider_preset_get_needs_key (p));
        }
      g_assert_false (g_str_has_suffix (url, "/"));
    }
}

static void
test_presets_find (void)
{
  I2aProviderPreset *p = i2a_provider_presets_find ("DeepSeek");
  g_autofree char *url = NULL;

  g_assert_nonnull (p);
  g_assert_true (p == i2a_provider_presets_find ("deepseek"));
  g_assert_cmpstr (i2a_provider_preset_get_base_url (p), ==, "https://api.deepseek.com/v1");
  g_assert_true (i2a_provider_presets_find ("GROQ") == i2a_provider_presets_find ("groq"));
  g_assert_null (i2a_provider_presets_find ("nope"));

  g_object_get (i2a_provider_presets_find ("ollama"), "base-url", &url, NULL);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:11434/v1");
  g_assert_true (i2a_provider_presets_find_by_url ("http://127.0.0.1:11434/v1/")
                 == i2a_provider_presets_find ("ollama"));
  g_assert_null (i2a_provider_presets_find_by_url ("https://example.com/v1"));
  g_assert_null (i2a_provider_presets_find_by_url (""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/providers/presets/all", test_presets_all);
  g_test_add_func ("/providers/presets/find", test_presets_find);
  return g_test_run ();
}

/* i2a-provider-preset.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-provider-preset.h: the provider presets offered when adding an
 * account (DeepSeek, Kimi, GLM, local servers, Custom, …).
 *
 * Presets are data: presets.json in this library's GResource. Each one has
 * a stable id (what `iflow2api add --preset` matches, with the name), a
 * display name, the OpenAI-compatible base URL, the page where keys are
 * made and a hint of the key's shape. Local servers (Ollama, LM Studio,
 * llama.cpp, vLLM) need no key. GTK-free; the list is a GListModel so a
 * combo row can show it directly. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define I2A_TYPE_PROVIDER_PRESET (i2a_provider_preset_get_type ())
G_DECLARE_FINAL_TYPE (I2aProviderPreset, i2a_provider_preset, I2A, PROVIDER_PRESET, GObject)

/* Properties of the same names ("id", "name", "base-url", "key-url",
 * "key-hint", "needs-key", "local"); all read-only. */
const char *i2a_provider_preset_get_id        (I2aProviderPreset *self);
const char *i2a_provider_preset_get_name      (I2aProviderPreset *self);
/* "" for Custom. */
const char *i2a_provider_preset_get_base_url  (I2aProviderPreset *self);
/* NULL when the provider has no key page (local servers, Custom). */
const char *i2a_provider_preset_get_key_url   (I2aProviderPreset *self);
/* A placeholder such as "sk-…"; NULL when none. */
const char *i2a_provider_preset_get_key_hint  (I2aProviderPreset *self);
/* FALSE for local servers and Custom: an empty key is accepted. */
gboolean    i2a_provider_preset_get_needs_key (I2aProviderPreset *self);
/* TRUE for servers that run on this machine. */
gboolean    i2a_provider_preset_get_local     (I2aProviderPreset *self);

/* Every preset in display order (Custom last). Loaded once; transfer none,
 * valid for the whole process. */
GListModel        *i2a_provider_presets_get  (void);
/* The preset whose id or name equals @name, ignoring case; NULL if none.
 * Transfer none. */
I2aProviderPreset *i2a_provider_presets_find (const char *name);
/* The preset whose base URL equals @base_url (ignoring one trailing '/');
 * NULL if none. Lets a list show "DeepSeek" for an account added by hand. */
I2aProviderPreset *i2a_provider_presets_find_by_url (const char *base_url);

G_END_DECLS

/* i2a-enum.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-enum"

#include "config.h"

#include "i2a-enum.h"

/* The class of a static enum type lives as long as the process and its
 * nicks are static strings, so the reference taken here is never dropped. */
static GEnumClass *
enum_class (GType type)
{
  GEnumClass *klass = g_type_class_peek (type);

  return klass != NULL ? klass : g_type_class_ref (type);
}

const char *
i2a_enum_to_nick (GType type,
                  int   value)
{
  GEnumValue *v;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), NULL);

  v = g_enum_get_value (enum_class (type), value);
  return v != NULL ? v->value_nick : NULL;
}

gboolean
i2a_enum_from_nick (GType       type,
                    const char *nick,
                    int        *value)
{
  GEnumValue *v;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), FALSE);

  if (nick == NULL || (v = g_enum_get_value_by_nick (enum_class (type), nick)) == NULL)
    return FALSE;
  *value = v->value;
  return TRUE;
}

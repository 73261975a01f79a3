#define G_LOG_DOMAIN "i2a-error"

#include "i2a-error.h"

G_DEFINE_QUARK (i2a-error-quark, i2a_error)

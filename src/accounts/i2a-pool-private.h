/* i2a-pool-private.h: what I2aDispatch needs from the pool. */
#pragma once

#include "i2a-pool.h"

G_BEGIN_DECLS

I2aDispatch *i2a_dispatch_new          (I2aPool     *pool);
/* A usable account that is not in @tried, or NULL. */
I2aAccount  *i2a_pool_pick_account     (I2aPool     *self,
                                        GPtrArray   *tried);
void         i2a_pool_account_acquired (I2aPool     *self,
                                        I2aAccount  *account);
void         i2a_pool_account_released (I2aPool     *self,
                                        I2aAccount  *account,
                                        const I2aApiError *outcome);

G_END_DECLS

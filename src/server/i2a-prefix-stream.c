/* i2a-prefix-stream.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-prefix-stream"

#include "config.h"

#include <string.h>

#include "i2a-prefix-stream.h"

struct _I2aPrefixStream
{
  GInputStream  parent_instance;

  GBytes       *prefix;
  gsize         offset;     /* bytes of the prefix already read */
  GInputStream *base;
};

static void i2a_prefix_stream_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (I2aPrefixStream, i2a_prefix_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      i2a_prefix_stream_pollable_init))

static gsize
prefix_left (I2aPrefixStream *self)
{
  return self->prefix ? g_bytes_get_size (self->prefix) - self->offset : 0;
}

static gssize
read_prefix (I2aPrefixStream *self,
             void            *buffer,
             gsize            count)
{
  gsize n = MIN (count, prefix_left (self));

  memcpy (buffer, (const char *) g_bytes_get_data (self->prefix, NULL) + self->offset, n);
  self->offset += n;
  if (prefix_left (self) == 0)
    g_clear_pointer (&self->prefix, g_bytes_unref);
  return n;
}

static gssize
i2a_prefix_stream_read (GInputStream  *stream,
                        void          *buffer,
                        gsize          count,
                        GCancellable  *cancellable,
                        GError       **error)
{
  I2aPrefixStream *self = I2A_PREFIX_STREAM (stream);

  if (prefix_left (self) > 0)
    return read_prefix (self, buffer, count);
  return g_input_stream_read (self->base, buffer, count, cancellable, error);
}

static gboolean
i2a_prefix_stream_can_poll (GPollableInputStream *stream)
{
  I2aPrefixStream *self = I2A_PREFIX_STREAM (stream);

  return G_IS_POLLABLE_INPUT_STREAM (self->base) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
i2a_prefix_stream_is_readable (GPollableInputStream *stream)
{
  I2aPrefixStream *self = I2A_PREFIX_STREAM (stream);

  return prefix_left (self) > 0 || g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static gssize
i2a_prefix_stream_read_nonblocking (GPollableInputStream  *stream,
                                    void                  *buffer,
                                    gsize                  count,
                                    GError               **error)
{
  I2aPrefixStream *self = I2A_PREFIX_STREAM (stream);

  if (prefix_left (self) > 0)
    return read_prefix (self, buffer, count);
  return g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), buffer, count,
                                                   NULL, error);
}

static GSource *
i2a_prefix_stream_create_source (GPollableInputStream *stream,
                                 GCancellable         *cancellable)
{
  I2aPrefixStream *self = I2A_PREFIX_STREAM (stream);
  GSource *child;
  GSource *source;

  /* Bytes in hand are ready at once. */
  if (prefix_left (self) > 0)
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), cancellable);
  g_source_set_dummy_callback (child);
  source = g_pollable_source_new (G_OBJECT (stream));
  g_source_add_child_source (source, child);
  g_source_unref (child);
  return source;
}

static void
i2a_prefix_stream_finalize (GObject *object)
{
  I2aPrefixStream *self = I2A_PREFIX_STREAM (object);

  g_clear_pointer (&self->prefix, g_bytes_unref);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (i2a_prefix_stream_parent_class)->finalize (object);
}

static void
i2a_prefix_stream_class_init (I2aPrefixStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = i2a_prefix_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = i2a_prefix_stream_read;
}

static void
i2a_prefix_stream_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = i2a_prefix_stream_can_poll;
  iface->is_readable = i2a_prefix_stream_is_readable;
  iface->read_nonblocking = i2a_prefix_stream_read_nonblocking;
  iface->create_source = i2a_prefix_stream_create_source;
}

static void
i2a_prefix_stream_init (I2aPrefixStream *self)
{
}

GInputStream *
i2a_prefix_stream_new (GBytes       *prefix,
                       GInputStream *base)
{
  I2aPrefixStream *self = g_object_new (I2A_TYPE_PREFIX_STREAM, NULL);

  if (prefix && g_bytes_get_size (prefix) > 0)
    self->prefix = g_bytes_ref (prefix);
  self->base = g_object_ref (base);
  return G_INPUT_STREAM (self);
}

/* ---- the connection for libsoup ----------------------------------------- */

/* The connection with the read-ahead bytes in front of its input. Closing
 * it closes the connection; dropping it does not (GIOStream closes a
 * stream it disposes of, and the connection outlives this wrapper). */
struct _I2aPrefixIOStream
{
  GIOStream     parent_instance;

  GInputStream *input;
  GIOStream    *base;
  gboolean      disposing;
};

G_DEFINE_FINAL_TYPE (I2aPrefixIOStream, i2a_prefix_io_stream, G_TYPE_IO_STREAM)

static GInputStream *
i2a_prefix_io_stream_get_input_stream (GIOStream *stream)
{
  return I2A_PREFIX_IO_STREAM (stream)->input;
}

static GOutputStream *
i2a_prefix_io_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (I2A_PREFIX_IO_STREAM (stream)->base);
}

static gboolean
i2a_prefix_io_stream_close (GIOStream     *stream,
                            GCancellable  *cancellable,
                            GError       **error)
{
  I2aPrefixIOStream *self = I2A_PREFIX_IO_STREAM (stream);

  return self->disposing || g_io_stream_close (self->base, cancellable, error);
}

static void
i2a_prefix_io_stream_dispose (GObject *object)
{
  I2A_PREFIX_IO_STREAM (object)->disposing = TRUE;
  G_OBJECT_CLASS (i2a_prefix_io_stream_parent_class)->dispose (object);
}

static void
i2a_prefix_io_stream_finalize (GObject *object)
{
  I2aPrefixIOStream *self = I2A_PREFIX_IO_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (i2a_prefix_io_stream_parent_class)->finalize (object);
}

static void
i2a_prefix_io_stream_class_init (I2aPrefixIOStreamClass *klass)
{
  GIOStreamClass *io_class = G_IO_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = i2a_prefix_io_stream_dispose;
  G_OBJECT_CLASS (klass)->finalize = i2a_prefix_io_stream_finalize;
  io_class->get_input_stream = i2a_prefix_io_stream_get_input_stream;
  io_class->get_output_stream = i2a_prefix_io_stream_get_output_stream;
  io_class->close_fn = i2a_prefix_io_stream_close;
}

static void
i2a_prefix_io_stream_init (I2aPrefixIOStream *self)
{
}

GIOStream *
i2a_prefix_io_stream_new (GBytes    *prefix,
                          GIOStream *base)
{
  I2aPrefixIOStream *self = g_object_new (I2A_TYPE_PREFIX_IO_STREAM, NULL);

  self->base = g_object_ref (base);
  self->input = i2a_prefix_stream_new (prefix, g_io_stream_get_input_stream (base));
  return G_IO_STREAM (self);
}

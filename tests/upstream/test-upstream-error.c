/* test-upstream-error.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <libsoup/soup.h>

#include "i2a-upstream-error.h"

static I2aApiError *
classify (guint       status,
          const char *body,
          const char *retry_after)
{
  return i2a_upstream_error_classify (status, body, body ? strlen (body) : 0, retry_after, NULL);
}

static void
test_success (void)
{
  static const char * const bodies[] = {
    NULL,
    "",
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}",
    "{\"id\":\"x\",\"choices\":[],\"error\":null}",
    "{\"status\":\"0\",\"msg\":\"ok\"}",
    "{\"status\":200,\"msg\":\"success\"}",
    "{\"status\":0}",
    "data: {\"choices\":[]}\n\n",
    "not json",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_test_message ("%s", bodies[i] ? bodies[i] : "(null)");
      g_assert_null (classify (200, bodies[i], NULL));
    }
  g_assert_null (classify (204, NULL, NULL));
}

/* A successful answer is only parsed when it could be an error: the quick
 * check must not let an error through, however its member names are
 * spelled, nor a completion that merely mentions them. */
static void
test_quick_check (void)
{
  g_autoptr(I2aApiError) escaped = classify (200, "{\"\\u0073tatus\":\"449\",\"msg\":\"busy\"}", NULL);
  g_autoptr(I2aApiError) spaced = classify (200, "{ \"error\" : { \"message\": \"bad\" } }", NULL);
  g_autoptr(I2aApiError) code = classify (200, "{\"error_code\":\"434\",\"message\":\"x\"}", NULL);

  g_assert_nonnull (escaped);
  g_assert_cmpstr (escaped->message, ==, "iFlow error 449: busy");
  g_assert_nonnull (spaced);
  g_assert_nonnull (code);
  g_assert_null (classify (200, "{\"choices\":[{\"message\":{\"content\":\"the \\\"status\\\" and \\\"error\\\" words\"}}]}", NULL));
  g_assert_null (classify (200, "{\"choices\":[{\"message\":{\"content\":\"caf\\u00e9\"}}]}", NULL));
}

typedef struct
{
  guint       http_status;
  const char *body;
  guint       status;
  const char *type;
  const char *code;
  const char *message;
  gboolean    retryable;
  gboolean    account_failure;
  gboolean    token_expired;
} Case;

static void
check_case (const Case *c)
{
  g_autoptr(I2aApiError) err = classify (c->http_status, c->body, NULL);

  g_test_message ("HTTP %u %s", c->http_status, c->body ? c->body : "(null)");
  g_assert_nonnull (err);
  g_assert_cmpuint (err->http_status, ==, c->status);
  g_assert_cmpstr (err->type, ==, c->type);
  g_assert_cmpstr (err->code, ==, c->code);
  g_assert_cmpstr (err->message, ==, c->message);
  g_assert_cmpint (err->retryable, ==, c->retryable);
  g_assert_cmpint (err->account_failure, ==, c->account_failure);
  g_assert_cmpint (err->token_expired, ==, c->token_expired);
  g_assert_cmpint (err->retry_after, ==, -1);
}

static void
test_business_errors (void)
{
  static const Case cases[] = {
    { 200, "{\"status\":\"434\",\"msg\":\"Invalid apiKey\",\"body\":null}",
      403, "permission_error", "434", "iFlow error 434: Invalid apiKey", TRUE, TRUE, FALSE },
    { 200, "{\"status\":\"438\",\"msg\":\"blocked due to unauthorized requests\"}",
      403, "permission_error", "438", "iFlow error 438: blocked due to unauthorized requests", TRUE, TRUE, FALSE },
    { 200, "{\"status\":\"439\",\"msg\":\"Your API Token has expired\"}",
      401, "authentication_error", "439", "iFlow error 439: Your API Token has expired", TRUE, TRUE, TRUE },
    { 200, "{\"status\":\"435\",\"msg\":\"Model not support\",\"body\":null}",
      400, "invalid_request_error", "model_not_supported", "iFlow error 435: Model not support", FALSE, FALSE, FALSE },
    { 200, "{\"status\":435,\"msg\":\"Model not support\"}",
      400, "invalid_request_error", "model_not_supported", "iFlow error 435: Model not support", FALSE, FALSE, FALSE },
    { 200, "{\"status\":\"429\",\"msg\":\"rate limited\"}",
      429, "rate_limit_error", "429", "iFlow error 429: rate limited", TRUE, TRUE, FALSE },
    { 200, "{\"status\":\"449\",\"msg\":\"当前模型已达到平台速率限制\"}",
      429, "rate_limit_error", "449", "iFlow error 449: 当前模型已达到平台速率限制", TRUE, TRUE, FALSE },
    { 200, "{\"status\":\"8211\",\"msg\":\"concurrency limit\"}",
      429, "rate_limit_error", "8211", "iFlow error 8211: concurrency limit", TRUE, TRUE, FALSE },
    { 200, "{\"status\":\"511\",\"msg\":\"content length exceeded\"}",
      413, "invalid_request_error", "511", "iFlow error 511: content length exceeded", FALSE, FALSE, FALSE },
    { 200, "{\"status\":\"413\",\"msg\":\"too long\"}",
      413, "invalid_request_error", "413", "iFlow error 413: too long", FALSE, FALSE, FALSE },
    { 200, "{\"status\":\"514\",\"msg\":\"model error\"}",
      502, "api_error", "514", "iFlow error 514: model error", TRUE, FALSE, FALSE },
    /* Unknown non-HTTP codes clamp to 502. */
    { 200, "{\"status\":\"9001\",\"msg\":\"odd\"}",
      502, "api_error", "9001", "iFlow error 9001: odd", TRUE, TRUE, FALSE },
    { 200, "{\"status\":\"300\",\"msg\":\"odd\"}",
      502, "api_error", "300", "iFlow error 300: odd", TRUE, TRUE, FALSE },
    { 200, "{\"status\":\"503\",\"msg\":\"busy\"}",
      503, "service_unavailable", "503", "iFlow error 503: busy", TRUE, TRUE, FALSE },
    { 200, "{\"status\":\"404\",\"msg\":\"nope\"}",
      404, "invalid_request_error", "404", "iFlow error 404: nope", FALSE, FALSE, FALSE },
    /* An unknown code whose text says the token expired. */
    { 200, "{\"status\":\"400\",\"msg\":\"token has expired\"}",
      401, "authentication_error", "400", "iFlow error 400: token has expired", TRUE, TRUE, TRUE },
    /* The other body forms. */
    { 200, "{\"error_code\":\"449\",\"message\":\"slow down\"}",
      429, "rate_limit_error", "449", "iFlow error 449: slow down", TRUE, TRUE, FALSE },
    { 200, "{\"error_code\":0,\"status\":\"435\",\"msg\":\"Model not support\"}",
      400, "invalid_request_error", "model_not_supported", "iFlow error 435: Model not support", FALSE, FALSE, FALSE },
    { 200, "{\"error\":{\"message\":\"boom\",\"code\":\"434\"}}",
      403, "permission_error", "434", "iFlow error 434: boom", TRUE, TRUE, FALSE },
    { 200, "{\"error\":{\"message\":\"boom\"}}",
      502, "api_error", "502", "iFlow error 502: boom", TRUE, TRUE, FALSE },
    { 200, "{\"status\":\"435\"}",
      400, "invalid_request_error", "model_not_supported", "iFlow error 435: unknown error", FALSE, FALSE, FALSE },
    /* A business code inside a real HTTP error wins over the HTTP status. */
    { 400, "{\"status\":\"439\",\"msg\":\"expired\"}",
      401, "authentication_error", "439", "iFlow error 439: expired", TRUE, TRUE, TRUE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    check_case (&cases[i]);
}

static void
test_http_errors (void)
{
  static const Case cases[] = {
    /* OpenAI-shaped bodies: the upstream's message, type and code are kept. */
    { 400, "{\"error\":{\"message\":\"Bad request!: {routify_response:{status:400}}\",\"type\":\"invalid_request_error\","
           "\"param\":null,\"code\":null}}",
      400, "invalid_request_error", "400", "Bad request!: {routify_response:{status:400}}", FALSE, FALSE, FALSE },
    { 400, "{\"error\":{\"message\":\"maximum context length exceeded\",\"type\":\"invalid_request_error\","
           "\"code\":\"context_length_exceeded\"}}",
      400, "invalid_request_error", "context_length_exceeded", "maximum context length exceeded", FALSE, FALSE, FALSE },
    { 404, "{\"error\":{\"message\":\"no such model\"}}",
      404, "invalid_request_error", "404", "no such model", FALSE, FALSE, FALSE },
    { 422, "{\"detail\":\"validation failed\"}",
      422, "invalid_request_error", "422", "validation failed", FALSE, FALSE, FALSE },
    { 401, "{\"error\":{\"message\":\"Invalid API key\",\"type\":\"authentication_error\"}}",
      401, "authentication_error", "401", "Invalid API key", TRUE, TRUE, FALSE },
    { 401, "{\"error\":{\"message\":\"Token expired\"}}",
      401, "authentication_error", "401", "Token expired", TRUE, TRUE, TRUE },
    { 403, "{\"msg\":\"forbidden\"}",
      403, "permission_error", "403", "forbidden", TRUE, TRUE, FALSE },
    { 400, "{\"msg\":\"your token is expired\"}",
      401, "authentication_error", "400", "your token is expired", TRUE, TRUE, TRUE },
    { 429, "{\"error\":{\"message\":\"Too many requests\",\"type\":\"rate_limit_error\"}}",
      429, "rate_limit_error", "429", "Too many requests", TRUE, TRUE, FALSE },
    { 500, NULL,
      500, "api_error", "500", "Upstream HTTP 500", TRUE, TRUE, FALSE },
    { 502, "<html>\n<body>Bad Gateway</body>\n</html>",
      502, "api_error", "502", "Upstream HTTP 502: <html> <body>Bad Gateway</body> </html>", TRUE, TRUE, FALSE },
    { 503, "", 503, "service_unavailable", "503", "Upstream HTTP 503", TRUE, TRUE, FALSE },
    { 504, "{}", 504, "api_error", "504", "Upstream HTTP 504", TRUE, TRUE, FALSE },
    { 501, "nope", 501, "api_error", "501", "Upstream HTTP 501: nope", FALSE, FALSE, FALSE },
    { 406, "status 406", 406, "invalid_request_error", "406", "Upstream HTTP 406: status 406", FALSE, FALSE, FALSE },
    { 413, "{\"error\":{\"message\":\"too large\"}}",
      413, "invalid_request_error", "413", "too large", FALSE, FALSE, FALSE },
    /* Statuses outside 400..599 clamp to 502. */
    { 302, NULL, 502, "api_error", "302", "Upstream HTTP 302", FALSE, FALSE, FALSE },
    { 600, NULL, 502, "api_error", "600", "Upstream HTTP 600", FALSE, FALSE, FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    check_case (&cases[i]);
}

static void
test_long_body_snippet (void)
{
  g_autofree char *body = g_strnfill (5000, 'z');
  g_autoptr(I2aApiError) err = classify (500, body, NULL);

  g_assert_nonnull (err);
  g_assert_cmpuint (strlen (err->message), <, 300);
  g_assert_true (g_str_has_prefix (err->message, "Upstream HTTP 500: zzz"));
  g_assert_true (g_utf8_validate (err->message, -1, NULL));
}

static void
test_retry_status_codes (void)
{
  g_autoptr(GArray) codes = g_array_new (FALSE, FALSE, sizeof (guint));
  guint c;
  g_autoptr(I2aApiError) e500 = NULL;
  g_autoptr(I2aApiError) e501 = NULL;
  g_autoptr(I2aApiError) e429 = NULL;
  g_autoptr(I2aApiError) biz = NULL;

  c = 501;
  g_array_append_val (codes, c);

  e500 = i2a_upstream_error_classify (500, NULL, 0, NULL, codes);
  e501 = i2a_upstream_error_classify (501, NULL, 0, NULL, codes);
  g_assert_false (e500->retryable);
  g_assert_false (e500->account_failure);
  g_assert_true (e501->retryable);
  g_assert_true (e501->account_failure);

  /* The iFlow rate-limit codes stay retryable whatever the list says. */
  e429 = i2a_upstream_error_classify (200, "{\"status\":\"449\",\"msg\":\"x\"}", 26, NULL, codes);
  g_assert_true (e429->retryable);
  biz = i2a_upstream_error_classify (200, "{\"status\":\"514\",\"msg\":\"x\"}", 26, NULL, codes);
  g_assert_false (biz->retryable);
}

static void
test_retry_after (void)
{
  g_autoptr(I2aApiError) secs = classify (429, NULL, "30");
  g_autoptr(I2aApiError) spaced = classify (429, NULL, " 7 ");
  g_autoptr(I2aApiError) junk = classify (429, NULL, "soon");
  g_autoptr(I2aApiError) none = classify (429, NULL, NULL);
  g_autoptr(I2aApiError) past = classify (503, NULL, "Wed, 21 Oct 2015 07:28:00 GMT");
  g_autoptr(I2aApiError) future = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 120);
  g_autofree char *date = soup_date_time_to_string (later, SOUP_DATE_HTTP);

  future = classify (503, NULL, date);
  g_assert_cmpint (secs->retry_after, ==, 30);
  g_assert_cmpint (spaced->retry_after, ==, 7);
  g_assert_cmpint (junk->retry_after, ==, -1);
  g_assert_cmpint (none->retry_after, ==, -1);
  g_assert_cmpint (past->retry_after, ==, 0);
  g_assert_cmpint (future->retry_after, >=, 115);
  g_assert_cmpint (future->retry_after, <=, 120);
}

static void
test_from_gerror (void)
{
  static const struct
  {
    GQuark (*domain) (void);
    gint     code;
    guint    status;
    gboolean retryable;
    gboolean account_failure;
  } cases[] = {
    { g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, 502, TRUE, TRUE },
    { g_io_error_quark, G_IO_ERROR_CONNECTION_CLOSED, 502, TRUE, TRUE },
    { g_io_error_quark, G_IO_ERROR_BROKEN_PIPE, 502, TRUE, TRUE },
    { g_io_error_quark, G_IO_ERROR_HOST_UNREACHABLE, 502, TRUE, TRUE },
    { g_io_error_quark, G_IO_ERROR_TIMED_OUT, 504, TRUE, TRUE },
    { g_resolver_error_quark, G_RESOLVER_ERROR_NOT_FOUND, 502, TRUE, TRUE },
    { g_tls_error_quark, G_TLS_ERROR_BAD_CERTIFICATE, 502, TRUE, TRUE },
    { g_io_error_quark, G_IO_ERROR_CANCELLED, 502, FALSE, FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new (cases[i].domain (), cases[i].code, "detail %u", i);
      g_autoptr(I2aApiError) err = i2a_upstream_error_from_gerror (error);
      g_autofree char *expected = g_strdup_printf ("detail %u", i);

      g_assert_cmpuint (err->http_status, ==, cases[i].status);
      g_assert_cmpint (err->retryable, ==, cases[i].retryable);
      g_assert_cmpint (err->account_failure, ==, cases[i].account_failure);
      g_assert_false (err->token_expired);
      g_assert_nonnull (strstr (err->message, expected));
      g_assert_cmpstr (err->type, ==, "api_error");
    }
}

static void
test_json_shape (void)
{
  g_autoptr(I2aApiError) err = classify (200, "{\"status\":\"435\",\"msg\":\"Model not support\"}", NULL);
  g_autofree char *text = i2a_api_error_to_string (err);

  g_assert_cmpstr (text, ==, "{\"error\":{\"message\":\"iFlow error 435: Model not support\","
                             "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_supported\"}}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/upstream/error/success", test_success);
  g_test_add_func ("/upstream/error/quick-check", test_quick_check);
  g_test_add_func ("/upstream/error/business", test_business_errors);
  g_test_add_func ("/upstream/error/http", test_http_errors);
  g_test_add_func ("/upstream/error/long-body", test_long_body_snippet);
  g_test_add_func ("/upstream/error/retry-status-codes", test_retry_status_codes);
  g_test_add_func ("/upstream/error/retry-after", test_retry_after);
  g_test_add_func ("/upstream/error/from-gerror", test_from_gerror);
  g_test_add_func ("/upstream/error/json-shape", test_json_shape);

  return g_test_run ();
}

/*
 * fuzz_client - a whole client session whose input is the server's side
 * of a dialogue, served from memory (no sockets, a fixed clock). The
 * client must end every session without crashing, hanging or reading
 * past its buffers, whatever the server says.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_client.h"

struct mem {
    const char *data;
    size_t size;
    size_t off;
    long clock;
};

static long mem_read(void *ctx, char *buf, size_t size, long deadline, struct smtp_error *err)
{
    struct mem *m = ctx;
    size_t n = m->size - m->off;

    if (m->clock >= deadline)
        return smtp_error_set(err, SMTP_ERR_TIMEOUT, 0, "timed out");
    if (n == 0)
        return 0;
    /* Small reads, so the incremental paths are exercised. */
    if (n > 7)
        n = 1 + (size_t)(m->data[m->off] & 7);
    if (n > size)
        n = size;
    memcpy(buf, m->data + m->off, n);
    m->off += n;
    m->clock++;
    return (long)n;
}

static long mem_write(void *ctx, const char *buf, size_t len, long deadline, struct smtp_error *err)
{
    (void)ctx;
    (void)buf;
    (void)deadline;
    (void)err;
    return (long)len;
}

static int mem_starttls(void *ctx, long deadline, struct smtp_error *err)
{
    (void)ctx;
    (void)deadline;
    return smtp_error_set(err, SMTP_ERR_TLS, 0, "no TLS in memory");
}

static void mem_tls_info(void *ctx, char *buf, size_t size)
{
    (void)ctx;
    if (size)
        buf[0] = 0;
}

static long mem_now(void *ctx)
{
    return ((struct mem *)ctx)->clock;
}

static void mem_close(void *ctx)
{
    (void)ctx;
}

static const struct smtp_transport_ops mem_ops = {mem_read,     mem_write, mem_starttls,
                                                  mem_tls_info, mem_now,   mem_close};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem m = {(const char *)data, size, 0, 0};
    struct smtp_transport t = {&mem_ops, &m};
    struct smtp_transport *tp = malloc(sizeof(t));
    struct smtp_client_params params;
    struct smtp_client *c;
    const char *rcpts[] = {"a@example.org", "b@example.org"};
    int codes[4];

    smtp_client_params_default(&params);
    params.step_timeout_ms = 1000000;
    params.total_timeout_ms = 1000000;
    params.limits.line_max = 512;
    params.limits.total_max = 8192;
    params.transcript_max = 16384;
    if ((c = smtp_client_new(&params)) == NULL || tp == NULL) {
        free(tp);
        smtp_client_free(c);
        return 0;
    }
    *tp = t;
    /* smtp_client_free closes the transport: mem_close frees nothing, tp is ours. */
    smtp_client_attach(c, tp);
    (void)smtp_client_banner(c);
    (void)smtp_client_ehlo(c, "fuzz.example");
    if (smtp_client_caps(c)->caps & SMTP_EHLO_STARTTLS)
        (void)smtp_client_starttls(c);
    (void)smtp_client_auth(c, SMTP_AUTH_CRAM_MD5, "user", "pass");
    (void)smtp_client_auth(c, SMTP_AUTH_LOGIN, "user", "pass");
    (void)smtp_client_envelope(c, "from@example.net", rcpts, 2, 1, codes);
    (void)smtp_client_message(c, ".dot\nline\r\n", 12);
    (void)smtp_client_quit(c);
    smtp_client_free(c);
    free(tp);
    return 0;
}

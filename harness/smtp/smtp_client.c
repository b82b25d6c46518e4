/*++
 * NAME
 *	smtp_client 3
 * SUMMARY
 *	SMTP client state machine over a transport
 * DESCRIPTION
 *	See smtp_client.h. Every state change goes through client_state(),
 *	which can trace "old -> new" (OpenSMTPD's smtp_client does the
 *	same). Input is read into one bounded buffer and cut into replies
 *	by smtp_reply_parse(); output lines are checked for CR and LF
 *	before they leave, so a caller cannot smuggle a second command
 *	inside an address (curl refuses the same).
 *--*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_client.h"
#include "smtp_sasl.h"

struct smtp_client {
    struct smtp_client_params params;
    struct smtp_transport *t;
    enum smtp_client_state state;
    struct smtp_error err;
    struct smtp_ehlo caps;
    int tls;
    long start_ms;
    char *ibuf; /* bytes read, not yet consumed */
    size_t ilen;
    size_t icap;
    struct smtp_reply_parser parser;
    char *rbuf; /* copy of the last reply */
    struct smtp_client_reply reply;
    struct smtp_transcript *tx;
    int own_tx; /* tx is ours to free */
};

static const char *const state_names[SMTP_CS_COUNT] = {
    "init", "connected", "greeted", "session", "tls",    "mail",
    "rcpt", "data",      "quit",    "closed",  "broken",
};

/* smtp_client_state_name - printable state */

const char *smtp_client_state_name(enum smtp_client_state state)
{
    return (unsigned)state < SMTP_CS_COUNT ? state_names[state] : "?";
}

/* now - the transport's clock, or the monotonic one */

static long now(const struct smtp_client *c)
{
    return c->t ? c->t->ops->now(c->t->ctx) : smtp_transport_now();
}

/* smtp_client_elapsed - ms since the dialogue began */

long smtp_client_elapsed(const struct smtp_client *c)
{
    return now(c) - c->start_ms;
}

/* tx_ms - a transcript time: since the dialogue began, or the shared record's start */

static long tx_ms(const struct smtp_client *c)
{
    return c->own_tx ? smtp_client_elapsed(c) : now(c) - c->params.transcript_t0;
}

/* note - an info line in the transcript */

static void note(struct smtp_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct smtp_client *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    smtp_transcript_vaddf(c->tx, SMTP_TX_INFO, tx_ms(c), fmt, ap);
    va_end(ap);
}

/* client_state - the single transition function */

static void client_state(struct smtp_client *c, enum smtp_client_state next)
{
    if (c->params.trace_states && next != c->state)
        note(c, "state %s -> %s", state_names[c->state], state_names[next]);
    c->state = next;
}

/* deadline - the step deadline, never past the dialogue's */

static long deadline(const struct smtp_client *c)
{
    long step = now(c) + c->params.step_timeout_ms;
    long total = c->start_ms + c->params.total_timeout_ms;

    return step < total ? step : total;
}

/* broke - the dialogue cannot go on; err already filled */

static int broke(struct smtp_client *c)
{
    if (c->err.cls == SMTP_ERR_TIMEOUT)
        note(c, "timeout: %s", c->err.msg);
    else
        note(c, "error (%s): %s", smtp_error_class_name(c->err.cls), c->err.msg);
    client_state(c, SMTP_CS_BROKEN);
    return -1;
}

/* ready - may a step run now? */

static int ready(struct smtp_client *c)
{
    if (c->state == SMTP_CS_BROKEN)
        return -1; /* keep the first error */
    smtp_error_clear(&c->err);
    if (c->t == NULL)
        return smtp_error_set(&c->err, SMTP_ERR_USAGE, 0, "not connected");
    if (c->state == SMTP_CS_CLOSED || c->state == SMTP_CS_QUIT)
        return smtp_error_set(&c->err, SMTP_ERR_CONN, 0, "the session is closed");
    return 0;
}

/* smtp_client_params_default - the defaults */

void smtp_client_params_default(struct smtp_client_params *params)
{
    memset(params, 0, sizeof(*params));
    params->step_timeout_ms = SMTP_CLIENT_STEP_TIMEOUT_DEFAULT;
    params->total_timeout_ms = SMTP_CLIENT_TOTAL_TIMEOUT_DEFAULT;
    smtp_reply_limits_default(&params->limits);
    params->transcript_max = SMTP_TRANSCRIPT_MAX_DEFAULT;
    params->pipelining = 1;
}

/* smtp_client_new - one handle per dialogue */

struct smtp_client *smtp_client_new(const struct smtp_client_params *params)
{
    struct smtp_client *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->params = *params;
    if (c->params.limits.total_max < 64)
        c->params.limits.total_max = 64;
    c->icap = c->params.limits.total_max;
    c->ibuf = malloc(c->icap);
    c->rbuf = malloc(c->icap);
    c->own_tx = c->params.transcript == NULL;
    c->tx = c->own_tx ? smtp_transcript_new(c->params.transcript_max) : c->params.transcript;
    if (c->ibuf == NULL || c->rbuf == NULL || c->tx == NULL) {
        smtp_client_free(c);
        return NULL;
    }
    smtp_reply_parser_init(&c->parser);
    c->start_ms = smtp_transport_now();
    return c;
}

/* smtp_client_free - close and release */

void smtp_client_free(struct smtp_client *c)
{
    if (c == NULL)
        return;
    smtp_transport_free(c->t);
    if (c->own_tx)
        smtp_transcript_free(c->tx);
    free(c->ibuf);
    free(c->rbuf);
    free(c);
}

/* smtp_client_attach - adopt a transport */

void smtp_client_attach(struct smtp_client *c, struct smtp_transport *t)
{
    smtp_transport_free(c->t);
    c->t = t;
    c->start_ms = now(c);
    c->ilen = 0;
    c->tls = 0;
    smtp_reply_parser_init(&c->parser);
    client_state(c, SMTP_CS_CONNECTED);
}

/* smtp_client_connect - TCP, and TLS at once for port 465 style */

int smtp_client_connect(struct smtp_client *c, const struct smtp_tcp_params *tcp)
{
    struct smtp_transport *t;
    char info[128];

    smtp_error_clear(&c->err);
    c->start_ms = smtp_transport_now();
    t = smtp_transport_tcp(tcp, deadline(c), &c->err);
    if (t == NULL) {
        note(c, "connect to %s port %s failed", tcp->host, tcp->port);
        return broke(c);
    }
    {
        long started = c->start_ms;

        smtp_client_attach(c, t);
        c->start_ms = started; /* the total deadline counts the connect */
    }
    note(c, "connected to %s port %s%s%s", tcp->host, tcp->port, tcp->local_address ? " from " : "",
         tcp->local_address ? tcp->local_address : "");
    if (tcp->implicit_tls) {
        c->tls = 1;
        t->ops->tls_info(t->ctx, info, sizeof(info));
        note(c, "TLS on connect: %s", info);
    }
    return 0;
}

/* send_raw - write bytes; the transcript gets shown, not bytes */

static int send_raw(struct smtp_client *c, const char *bytes, size_t len)
{
    if (c->t->ops->write(c->t->ctx, bytes, len, deadline(c), &c->err) < 0)
        return broke(c);
    return 0;
}

/* check_arg - refuse CR, LF and NUL in what becomes one command line */

static int check_arg(struct smtp_client *c, const char *what, const char *s)
{
    if (s == NULL)
        return 0;
    if (strpbrk(s, "\r\n") != NULL)
        return smtp_error_set(&c->err, SMTP_ERR_USAGE, 0, "CR or LF in %s", what);
    if (strlen(s) > SMTP_CLIENT_ARG_MAX)
        return smtp_error_set(&c->err, SMTP_ERR_USAGE, 0, "%s over %d octets", what,
                              SMTP_CLIENT_ARG_MAX);
    return 0;
}

/* append_line - line + CRLF to out; transcript gets shown (or the line) */

static int append_line(struct smtp_client *c, char *out, size_t *used, size_t size,
                       const char *line, const char *shown)
{
    size_t len = strlen(line);

    if (*used + len + 2 > size)
        return smtp_error_set(&c->err, SMTP_ERR_INTERNAL, 0, "command too long");
    memcpy(out + *used, line, len);
    memcpy(out + *used + len, "\r\n", 2);
    *used += len + 2;
    shown = shown ? shown : line;
    smtp_transcript_add(c->tx, SMTP_TX_CLIENT, tx_ms(c), shown, strlen(shown));
    return 0;
}

/* send_line - one command line */

static int send_line(struct smtp_client *c, const char *line, const char *shown)
{
    char buf[SMTP_CLIENT_ARG_MAX + 64];
    size_t used = 0;

    if (append_line(c, buf, &used, sizeof(buf), line, shown) < 0)
        return -1;
    return send_raw(c, buf, used);
}

/* keep_reply - copy the parsed reply out of the input buffer */

static void keep_reply(struct smtp_client *c, const struct smtp_reply *r)
{
    size_t pos = 0;
    const char *text;
    size_t len;

    memcpy(c->rbuf, r->raw, r->raw_len);
    c->reply.code = r->code;
    smtp_reply_enhanced(r, c->reply.enhanced, sizeof(c->reply.enhanced));
    c->reply.raw = c->rbuf;
    c->reply.raw_len = r->raw_len;
    c->reply.text = c->rbuf + (r->text - r->raw);
    c->reply.text_len = r->text_len;
    c->reply.nlines = r->nlines;
    c->reply.flags = r->flags;
    while (pos < r->raw_len) {
        const char *line = r->raw + pos;
        size_t before = pos;

        if (!smtp_reply_next_line(r, &pos, &text, &len))
            break;
        len = pos - before;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        smtp_transcript_add(c->tx, SMTP_TX_SERVER, tx_ms(c), line, len);
    }
}

/* smtp_client_read_reply - one reply, bounded in size, lines and time */

int smtp_client_read_reply(struct smtp_client *c)
{
    struct smtp_reply r;
    long n;
    long step_deadline;

    if (c->state == SMTP_CS_BROKEN)
        return -1;
    if (c->t == NULL)
        return smtp_error_set(&c->err, SMTP_ERR_USAGE, 0, "not connected");
    /*
     * One deadline for the whole reply, not per read: a server that
     * drips a byte a second must not stretch a step for ever.
     */
    step_deadline = deadline(c);
    for (;;) {
        long got;

        n = smtp_reply_parse(&c->parser, &c->params.limits, c->ibuf, c->ilen, &r);
        if (n > 0)
            break;
        if (n == SMTP_REPLY_MALFORMED) {
            size_t off = r.error_offset;
            size_t show = c->ilen - off < 200 ? c->ilen - off : 200;

            smtp_transcript_add(c->tx, SMTP_TX_SERVER, tx_ms(c), c->ibuf + off, show);
            smtp_error_set(&c->err, SMTP_ERR_PROTO, 0, "malformed reply: %s", r.error);
            smtp_error_set_reply(&c->err, c->ibuf + off, c->ilen - off);
            return broke(c);
        }
        got = c->t->ops->read(c->t->ctx, c->ibuf + c->ilen, c->icap - c->ilen, step_deadline,
                              &c->err);
        if (got < 0) {
            if (c->err.cls == SMTP_ERR_TIMEOUT)
                snprintf(c->err.msg, sizeof(c->err.msg), "no complete reply within %ld ms",
                         c->params.step_timeout_ms);
            if (c->ilen > 0)
                smtp_error_set_reply(&c->err, c->ibuf, c->ilen);
            return broke(c);
        }
        if (got == 0) {
            if (c->ilen > 0) {
                smtp_error_set(&c->err, SMTP_ERR_PROTO, 0,
                               "connection closed in the middle of a reply");
                smtp_error_set_reply(&c->err, c->ibuf, c->ilen);
            } else {
                smtp_error_set(&c->err, SMTP_ERR_CONN, 0, "connection closed by the server");
            }
            return broke(c);
        }
        c->ilen += (size_t)got;
    }
    keep_reply(c, &r);
    memmove(c->ibuf, c->ibuf + n, c->ilen - (size_t)n);
    c->ilen -= (size_t)n;
    smtp_reply_parser_init(&c->parser);
    /* RFC 5321 3.8: 421 means the server is closing the channel. */
    if (r.code == 421)
        client_state(c, SMTP_CS_CLOSED);
    return r.code;
}

/* command - send a line, read its reply */

static int command(struct smtp_client *c, const char *line, const char *shown)
{
    if (send_line(c, line, shown) < 0)
        return -1;
    return smtp_client_read_reply(c);
}

/* smtp_client_banner - RFC 5321 4.3.1: 220, or 554 and QUIT */

int smtp_client_banner(struct smtp_client *c)
{
    int code;

    if (ready(c) < 0)
        return -1;
    if ((code = smtp_client_read_reply(c)) < 0)
        return -1;
    if (code / 100 == 2 && c->state == SMTP_CS_CONNECTED)
        client_state(c, SMTP_CS_GREETED);
    return code;
}

/* hello - EHLO or HELO */

static int hello(struct smtp_client *c, const char *verb, const char *name)
{
    char line[SMTP_CLIENT_ARG_MAX + 16];
    int code;

    if (ready(c) < 0 || check_arg(c, "HELO name", name) < 0)
        return -1;
    snprintf(line, sizeof(line), "%s %s", verb, name);
    if ((code = command(c, line, NULL)) < 0)
        return -1;
    if (code == 250) {
        /* RFC 3207 4.2: what was offered before TLS is forgotten. */
        if (verb[0] == 'E')
            smtp_ehlo_parse(&(struct smtp_reply){.code = c->reply.code,
                                                 .raw = c->reply.raw,
                                                 .raw_len = c->reply.raw_len},
                            &c->caps);
        else
            memset(&c->caps, 0, sizeof(c->caps));
        client_state(c, SMTP_CS_SESSION);
    }
    return code;
}

int smtp_client_ehlo(struct smtp_client *c, const char *name)
{
    return hello(c, "EHLO", name);
}

int smtp_client_helo(struct smtp_client *c, const char *name)
{
    return hello(c, "HELO", name);
}

/* smtp_client_starttls - RFC 3207 */

int smtp_client_starttls(struct smtp_client *c)
{
    char info[128];
    int code;

    if (ready(c) < 0)
        return -1;
    if (c->tls)
        return smtp_error_set(&c->err, SMTP_ERR_USAGE, 0, "TLS is already active");
    if ((code = command(c, "STARTTLS", NULL)) < 0 || code != 220)
        return code;
    /*
     * RFC 3207 5 and CVE-2011-0411: anything after the 220 was sent in
     * plaintext and would be read as if it came through TLS.
     */
    if (c->ilen > 0) {
        smtp_error_set(&c->err, SMTP_ERR_PROTO, 0,
                       "server sent %zu bytes of plaintext after 220 to STARTTLS", c->ilen);
        smtp_error_set_reply(&c->err, c->ibuf, c->ilen);
        return broke(c);
    }
    if (c->t->ops->starttls(c->t->ctx, deadline(c), &c->err) < 0)
        return broke(c);
    c->tls = 1;
    memset(&c->caps, 0, sizeof(c->caps));
    c->t->ops->tls_info(c->t->ctx, info, sizeof(info));
    note(c, "TLS started: %s", info);
    client_state(c, SMTP_CS_TLS);
    return code;
}

/* auth_step - a redacted SASL response line and its reply */

static int auth_step(struct smtp_client *c, const char *b64)
{
    return command(c, b64, SMTP_TRANSCRIPT_REDACTED);
}

/* smtp_client_auth - RFC 4954 AUTH with PLAIN, LOGIN or CRAM-MD5 */

int smtp_client_auth(struct smtp_client *c, unsigned mech, const char *user, const char *pass)
{
    char resp[SMTP_SASL_RESPONSE_MAX];
    char line[SMTP_SASL_RESPONSE_MAX + 32];
    int code;

    if (ready(c) < 0)
        return -1;
    switch (mech) {
    case SMTP_AUTH_PLAIN:
        /* RFC 4954 4: the initial response rides on the AUTH line. */
        if (smtp_sasl_plain(NULL, user, pass, resp, sizeof(resp), &c->err) < 0)
            return -1;
        snprintf(line, sizeof(line), "AUTH PLAIN %s", resp);
        code = command(c, line, "AUTH PLAIN " SMTP_TRANSCRIPT_REDACTED);
        break;
    case SMTP_AUTH_LOGIN:
        if (smtp_sasl_encode(user, resp, sizeof(resp), &c->err) < 0)
            return -1;
        if ((code = command(c, "AUTH LOGIN", NULL)) != 334)
            break;
        if ((code = auth_step(c, resp)) != 334)
            break;
        if (smtp_sasl_encode(pass, resp, sizeof(resp), &c->err) < 0)
            return -1;
        code = auth_step(c, resp);
        break;
    case SMTP_AUTH_CRAM_MD5:
        if ((code = command(c, "AUTH CRAM-MD5", NULL)) != 334)
            break;
        if (smtp_sasl_cram_md5(user, pass, c->reply.text, c->reply.text_len, resp, sizeof(resp),
                               &c->err) < 0) {
            /* RFC 4954 4: "*" cancels the exchange. */
            (void)command(c, "*", NULL);
            c->err.cls = SMTP_ERR_PROTO;
            return broke(c);
        }
        code = auth_step(c, resp);
        break;
    default:
        return smtp_error_set(&c->err, SMTP_ERR_USAGE, 0, "unsupported AUTH mechanism");
    }
    memset(resp, 0, sizeof(resp));
    memset(line, 0, sizeof(line));
    return code;
}

/* path_line - "MAIL FROM:<from>[ params]" */

static int path_line(struct smtp_client *c, char *line, size_t size, const char *verb,
                     const char *addr, const char *params)
{
    if (check_arg(c, "address", addr) < 0 || check_arg(c, "ESMTP parameters", params) < 0)
        return -1;
    snprintf(line, size, "%s<%s>%s%s", verb, addr ? addr : "", params && *params ? " " : "",
             params && *params ? params : "");
    return 0;
}

/* smtp_client_mail - RFC 5321 4.1.1.2 */

int smtp_client_mail(struct smtp_client *c, const char *from, const char *params)
{
    char line[2 * SMTP_CLIENT_ARG_MAX + 32];
    int code;

    if (ready(c) < 0 || path_line(c, line, sizeof(line), "MAIL FROM:", from, params) < 0)
        return -1;
    if ((code = command(c, line, NULL)) == 250)
        client_state(c, SMTP_CS_MAIL);
    return code;
}

/* smtp_client_rcpt - RFC 5321 4.1.1.3 */

int smtp_client_rcpt(struct smtp_client *c, const char *to, const char *params)
{
    char line[2 * SMTP_CLIENT_ARG_MAX + 32];
    int code;

    if (ready(c) < 0 || path_line(c, line, sizeof(line), "RCPT TO:", to, params) < 0)
        return -1;
    if ((code = command(c, line, NULL)) / 100 == 2)
        client_state(c, SMTP_CS_RCPT);
    return code;
}

/* smtp_client_data - RFC 5321 4.1.1.4, up to the 354 */

int smtp_client_data(struct smtp_client *c)
{
    int code;

    if (ready(c) < 0)
        return -1;
    if ((code = command(c, "DATA", NULL)) == 354)
        client_state(c, SMTP_CS_DATA);
    return code;
}

/*
 * smtp_client_message - the message after 354. The one place where
 * bare LF becomes CRLF and a leading "." is doubled (RFC 5321 4.5.2).
 */
int smtp_client_message(struct smtp_client *c, const char *body, size_t len)
{
    size_t cap = 2 * len + 8;
    char *out;
    size_t o = 0;
    size_t i = 0;
    long t_ms;
    int code;

    if (ready(c) < 0)
        return -1;
    if ((out = malloc(cap)) == NULL)
        return smtp_error_set(&c->err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    t_ms = tx_ms(c);
    while (i < len) {
        const char *lf = memchr(body + i, '\n', len - i);
        size_t end = lf ? (size_t)(lf - body) : len;
        size_t content = end;

        if (content > i && body[content - 1] == '\r')
            content--;
        if (body[i] == '.' && content > i)
            out[o++] = '.';
        memcpy(out + o, body + i, content - i);
        o += content - i;
        out[o++] = '\r';
        out[o++] = '\n';
        smtp_transcript_add(c->tx, SMTP_TX_CLIENT, t_ms, body + i, content - i);
        i = lf ? end + 1 : len;
    }
    memcpy(out + o, ".\r\n", 3);
    o += 3;
    smtp_transcript_add(c->tx, SMTP_TX_CLIENT, t_ms, ".", 1);
    code = send_raw(c, out, o);
    free(out);
    if (code < 0)
        return -1;
    code = smtp_client_read_reply(c);
    if (code > 0 && c->state == SMTP_CS_DATA)
        client_state(c, SMTP_CS_SESSION);
    return code;
}

int smtp_client_rset(struct smtp_client *c)
{
    int code;

    if (ready(c) < 0)
        return -1;
    if ((code = command(c, "RSET", NULL)) == 250)
        client_state(c, SMTP_CS_SESSION);
    return code;
}

int smtp_client_noop(struct smtp_client *c)
{
    if (ready(c) < 0)
        return -1;
    return command(c, "NOOP", NULL);
}

/* smtp_client_quit - RFC 5321 4.1.1.10 */

int smtp_client_quit(struct smtp_client *c)
{
    int code;

    if (ready(c) < 0)
        return -1;
    code = command(c, "QUIT", NULL);
    if (code > 0)
        client_state(c, SMTP_CS_QUIT);
    return code;
}

/* smtp_client_raw - a line of the caller's */

int smtp_client_raw(struct smtp_client *c, const char *line)
{
    if (ready(c) < 0 || check_arg(c, "raw line", line) < 0)
        return -1;
    return command(c, line, NULL);
}

/* smtp_client_typed - a typed line, its secrets kept out of the transcript */

int smtp_client_typed(struct smtp_client *c, const char *line)
{
    char shown[64];
    int redacted;
    int code;

    if (ready(c) < 0 || check_arg(c, "typed line", line) < 0)
        return -1;
    redacted = smtp_transcript_redact(line, strlen(line), c->reply.code, shown, sizeof(shown));
    code = command(c, line, redacted ? shown : NULL);
    /* RFC 5321 4.1.1.4: after 354 the lines are the message's, up to its dot. */
    if (code == 354)
        client_state(c, SMTP_CS_DATA);
    return code;
}

/* smtp_client_send_bytes - anything, for fuzzing */

int smtp_client_send_bytes(struct smtp_client *c, const char *bytes, size_t len)
{
    size_t i = 0;

    if (ready(c) < 0)
        return -1;
    while (i < len) {
        const char *lf = memchr(bytes + i, '\n', len - i);
        size_t end = lf ? (size_t)(lf - bytes) + 1 : len;

        smtp_transcript_add(c->tx, SMTP_TX_CLIENT, tx_ms(c), bytes + i, end - i);
        i = end;
    }
    return send_raw(c, bytes, len);
}

/* smtp_client_envelope - MAIL, RCPTs, DATA; pipelined when offered */

int smtp_client_envelope(struct smtp_client *c, const char *from, const char *const *rcpts,
                         size_t nrcpts, int with_data, int *codes)
{
    size_t ncmd = 1 + nrcpts + (with_data ? 1 : 0);
    size_t cap = ncmd * (SMTP_CLIENT_ARG_MAX + 32);
    char line[SMTP_CLIENT_ARG_MAX + 32];
    char *out;
    size_t used = 0;
    size_t i;
    int any = 0;

    for (i = 0; i < ncmd; i++)
        codes[i] = 0;
    if (ready(c) < 0)
        return -1;
    if (!(c->params.pipelining && (c->caps.caps & SMTP_EHLO_PIPELINING))) {
        if ((codes[0] = smtp_client_mail(c, from, NULL)) < 0)
            return -1;
        for (i = 0; i < nrcpts; i++) {
            if ((codes[1 + i] = smtp_client_rcpt(c, rcpts[i], NULL)) < 0)
                return -1;
            any |= codes[1 + i] / 100 == 2;
        }
        if (with_data && codes[0] == 250 && any && (codes[1 + nrcpts] = smtp_client_data(c)) < 0)
            return -1;
        return 0;
    }
    if ((out = malloc(cap)) == NULL)
        return smtp_error_set(&c->err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    /* RFC 2920 3.1: DATA may only be the last command of a group. */
    for (i = 0; i < ncmd; i++) {
        int rc;

        if (i == 0)
            rc = path_line(c, line, sizeof(line), "MAIL FROM:", from, NULL);
        else if (i <= nrcpts)
            rc = path_line(c, line, sizeof(line), "RCPT TO:", rcpts[i - 1], NULL);
        else
            rc = snprintf(line, sizeof(line), "DATA") < 0;
        if (rc < 0 || append_line(c, out, &used, cap, line, NULL) < 0) {
            free(out);
            return -1;
        }
    }
    i = (size_t)send_raw(c, out, used);
    free(out);
    if ((long)i < 0)
        return -1;
    for (i = 0; i < ncmd; i++) {
        if ((codes[i] = smtp_client_read_reply(c)) < 0)
            return -1;
        if (i == 0 && codes[i] == 250)
            client_state(c, SMTP_CS_MAIL);
        else if (i > 0 && i <= nrcpts && codes[i] / 100 == 2)
            client_state(c, SMTP_CS_RCPT);
        else if (i == nrcpts + 1 && codes[i] == 354)
            client_state(c, SMTP_CS_DATA);
        if (c->state == SMTP_CS_CLOSED)
            break;
    }
    return 0;
}

/* smtp_client_refused - the last reply as an SMTP_ERR_REPLY record */

int smtp_client_refused(struct smtp_client *c, const char *step)
{
    smtp_error_set(&c->err, SMTP_ERR_REPLY, 0, "%s refused with %d", step, c->reply.code);
    c->err.code = c->reply.code;
    snprintf(c->err.enhanced, sizeof(c->err.enhanced), "%s", c->reply.enhanced);
    smtp_error_set_reply(&c->err, c->reply.raw, c->reply.raw_len);
    return -1;
}

/* smtp_client_close - close the transport */

void smtp_client_close(struct smtp_client *c)
{
    if (c->t == NULL)
        return;
    smtp_transport_free(c->t);
    c->t = NULL;
    note(c, "connection closed");
    if (c->state != SMTP_CS_BROKEN)
        client_state(c, SMTP_CS_CLOSED);
}

const struct smtp_client_reply *smtp_client_reply(const struct smtp_client *c)
{
    return &c->reply;
}

const struct smtp_ehlo *smtp_client_caps(const struct smtp_client *c)
{
    return &c->caps;
}

const struct smtp_error *smtp_client_error(const struct smtp_client *c)
{
    return &c->err;
}

const struct smtp_transcript *smtp_client_transcript(const struct smtp_client *c)
{
    return c->tx;
}

enum smtp_client_state smtp_client_state(const struct smtp_client *c)
{
    return c->state;
}

int smtp_client_tls_active(const struct smtp_client *c)
{
    return c->tls;
}

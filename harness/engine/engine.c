/*++
 * NAME
 *	engine 3
 * SUMMARY
 *	the dialogue engine: steps in, replies and verdicts out
 * DESCRIPTION
 *	See engine.h. One smtp_client per connection, all of them writing
 *	into the engine's transcript; the engine keeps what the callers
 *	check (the last reply, the capabilities of the last EHLO, whether a
 *	connect was refused) so that none of them keeps its own copy.
 *--*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "smtp_ehlo.h"

struct engine {
    struct smtp_client_params params;
    struct smtp_client *client; /* the connection, or NULL */
    struct smtp_transcript *tx;
    long t0;
    unsigned caps;
    int tls; /* the last connection went under TLS */
    struct engine_reply last;
};

static const char *const op_names[] = {
    [ENGINE_CONNECT] = "connect", [ENGINE_READ] = "banner",   [ENGINE_EHLO] = "ehlo",
    [ENGINE_HELO] = "helo",       [ENGINE_STARTTLS] = "tls",  [ENGINE_AUTH] = "auth",
    [ENGINE_MAIL] = "mail",       [ENGINE_RCPT] = "rcpt",     [ENGINE_DATA] = "data",
    [ENGINE_MESSAGE] = "dot",     [ENGINE_ENVELOPE] = "mail", [ENGINE_RSET] = "rset",
    [ENGINE_NOOP] = "noop",       [ENGINE_QUIT] = "quit",     [ENGINE_RAW] = "raw",
    [ENGINE_SEND] = "send",       [ENGINE_TYPED] = "typed",
};

/* engine_new - an engine and its transcript */

struct engine *engine_new(const struct smtp_client_params *params)
{
    struct engine *e = calloc(1, sizeof(*e));

    if (e == NULL)
        return NULL;
    e->params = *params;
    if ((e->tx = smtp_transcript_new(params->transcript_max)) == NULL) {
        free(e);
        return NULL;
    }
    e->t0 = smtp_transport_now();
    e->last.code = -1;
    return e;
}

void engine_free(struct engine *e)
{
    if (e == NULL)
        return;
    engine_close(e);
    smtp_transcript_free(e->tx);
    free(e);
}

/* engine_close - QUIT said, not awaited; the connection closed */

void engine_close(struct engine *e)
{
    enum smtp_client_state s;

    if (e->client == NULL)
        return;
    s = smtp_client_state(e->client);
    /* After a 354 a QUIT would be a line of the message: closing is what drops it. */
    if (s != SMTP_CS_BROKEN && s != SMTP_CS_CLOSED && s != SMTP_CS_QUIT && s != SMTP_CS_INIT &&
        s != SMTP_CS_DATA)
        (void)smtp_client_send_bytes(e->client, "QUIT\r\n", 6);
    smtp_client_close(e->client);
    smtp_client_free(e->client);
    e->client = NULL;
    e->caps = 0;
}

/* engine_note - the caller's line, between the dialogue's */

void engine_note(struct engine *e, char kind, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    smtp_transcript_vaddf(e->tx, kind, smtp_transport_now() - e->t0, fmt, ap);
    va_end(ap);
}

/* engine_match - S: CODE [ENH] ["text"] against a reply */

int engine_match(const struct engine_reply *r, const struct engine_expect *x)
{
    if (r->code <= 0)
        return 0;
    if (x->code_class ? r->code / 100 != x->code : r->code != x->code)
        return 0;
    if (x->enhanced && strcmp(r->enhanced, x->enhanced) != 0)
        return 0;
    return x->text == NULL || strcasestr(r->text, x->text) != NULL;
}

/* keep_reply - the client's last reply (code >= 0) or its error (code < 0) */

static void keep_reply(struct engine *e, int code)
{
    struct engine_reply *r = &e->last;

    r->code = code;
    r->enhanced[0] = 0;
    r->text[0] = 0;
    smtp_error_clear(&r->err);
    if (code > 0) {
        const struct smtp_client_reply *cr = smtp_client_reply(e->client);
        size_t n = cr->raw_len < sizeof(r->text) - 1 ? cr->raw_len : sizeof(r->text) - 1;
        size_t i;

        snprintf(r->enhanced, sizeof(r->enhanced), "%s", cr->enhanced);
        memcpy(r->text, cr->raw, n);
        r->text[n] = 0;
        for (i = 0; i < n; i++)
            if (r->text[i] == '\r' || r->text[i] == '\n' || r->text[i] == 0)
                r->text[i] = ' ';
    } else if (e->client) {
        r->err = *smtp_client_error(e->client);
    }
}

/* refuse - the server said no: the reply as the error record */

static enum engine_verdict refuse(struct engine *e, const char *name)
{
    smtp_client_refused(e->client, name);
    e->last.err = *smtp_client_error(e->client);
    return ENGINE_REFUSED;
}

/* not_offered - a capability the step needs was not in the last EHLO */

static enum engine_verdict not_offered(struct engine *e, const char *what)
{
    smtp_error_clear(&e->last.err);
    smtp_error_set(&e->last.err, SMTP_ERR_REPLY, 0, "%s not offered by the server", what);
    return ENGINE_REFUSED;
}

/* pick_mech - the first of PLAIN, LOGIN, CRAM-MD5 the server offers */

static unsigned pick_mech(unsigned offered)
{
    static const unsigned order[] = {SMTP_AUTH_PLAIN, SMTP_AUTH_LOGIN, SMTP_AUTH_CRAM_MD5};
    size_t i;

    for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (offered & order[i])
            return order[i];
    return 0;
}

/* connect - a new client on the engine's transcript */

static enum engine_verdict connect_to(struct engine *e, const struct engine_step *st)
{
    struct smtp_client_params p;

    engine_close(e);
    p = e->params;
    p.transcript = e->tx;
    p.transcript_t0 = e->t0;
    e->last.connect_refused = 0;
    e->tls = 0;
    if ((e->client = smtp_client_new(&p)) == NULL) {
        e->last.code = -1;
        smtp_error_set(&e->last.err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return ENGINE_BROKEN;
    }
    if (smtp_client_connect(e->client, st->tcp) < 0) {
        keep_reply(e, -1);
        e->last.connect_refused = e->last.err.sys_errno == ECONNREFUSED;
        return ENGINE_BROKEN;
    }
    keep_reply(e, 0);
    e->tls = smtp_client_tls_active(e->client);
    return ENGINE_OK;
}

/* auth - AUTH with the step's or the best offered mechanism */

static int auth(struct engine *e, const struct engine_step *st, enum engine_verdict *v)
{
    const struct smtp_ehlo *caps = smtp_client_caps(e->client);
    unsigned mech = st->mech;

    if (st->need_offered) {
        if (!(caps->caps & SMTP_EHLO_AUTH)) {
            *v = not_offered(e, "AUTH");
            return 0;
        }
        mech = st->mech ? (caps->auth_mechs & st->mech) : pick_mech(caps->auth_mechs);
        if (mech == 0) {
            *v = not_offered(e, st->mech ? smtp_ehlo_auth_name(st->mech)
                                         : "an AUTH mechanism relaylab speaks");
            return 0;
        }
    } else if (mech == 0) {
        mech = pick_mech(caps->auth_mechs);
        if (mech == 0)
            mech = SMTP_AUTH_PLAIN;
    }
    return smtp_client_auth(e->client, mech, st->user, st->pass);
}

/* envelope - MAIL, RCPTs, DATA as one group; refused when a part fails */

static enum engine_verdict envelope(struct engine *e, const struct engine_step *st)
{
    size_t i;
    int accepted = 0;
    int last;

    memset(st->codes, 0, (st->nrcpts + 2) * sizeof(int));
    if (smtp_client_envelope(e->client, st->arg, st->rcpts, st->nrcpts, st->with_data, st->codes) <
        0) {
        keep_reply(e, -1);
        e->last.envelope_part = st->codes[0] == 0 ? 0 : 1;
        return ENGINE_BROKEN;
    }
    for (i = 0; i < st->nrcpts; i++)
        accepted += st->codes[1 + i] / 100 == 2;
    last = st->with_data ? st->codes[st->nrcpts + 1] : st->codes[st->nrcpts];
    keep_reply(e, last);
    smtp_error_clear(&e->last.err);
    e->last.envelope_part = st->codes[0] != 250 ? 0 : accepted == 0 ? 1 : 2;
    if (st->codes[0] != 250)
        smtp_error_set(&e->last.err, SMTP_ERR_REPLY, 0, "mail refused with %d", st->codes[0]);
    else if (accepted == 0)
        smtp_error_set(&e->last.err, SMTP_ERR_REPLY, 0, "no recipient accepted (last reply %d)",
                       st->codes[st->nrcpts]);
    else if (st->with_data && st->codes[st->nrcpts + 1] != 354)
        smtp_error_set(&e->last.err, SMTP_ERR_REPLY, 0, "data refused with %d",
                       st->codes[st->nrcpts + 1]);
    else
        return ENGINE_OK;
    e->last.err.code = e->last.envelope_part == 0   ? st->codes[0]
                       : e->last.envelope_part == 1 ? st->codes[st->nrcpts]
                                                    : st->codes[st->nrcpts + 1];
    return ENGINE_REFUSED;
}

/* engine_step - one step, its reply, its verdict */

enum engine_verdict engine_step(struct engine *e, const struct engine_step *st)
{
    const char *name = st->name ? st->name : op_names[st->op];
    enum engine_verdict v = ENGINE_OK;
    struct smtp_client *c = e->client;
    int code = -1;

    if (st->op == ENGINE_CONNECT)
        return connect_to(e, st);
    if (c == NULL) {
        e->last.code = -1;
        smtp_error_clear(&e->last.err);
        smtp_error_set(&e->last.err, SMTP_ERR_USAGE, 0, "%s: no connection", name);
        return ENGINE_BROKEN;
    }
    switch (st->op) {
    case ENGINE_READ:
        code = smtp_client_state(c) == SMTP_CS_CONNECTED ? smtp_client_banner(c)
                                                         : smtp_client_read_reply(c);
        break;
    case ENGINE_EHLO:
        code = smtp_client_ehlo(c, st->arg);
        /* RFC 5321 4.1.4: a server that does not know EHLO gets HELO. */
        if (st->helo_fallback && (code == 500 || code == 502))
            code = smtp_client_helo(c, st->arg);
        e->caps = code == 250 ? smtp_client_caps(c)->caps : 0;
        break;
    case ENGINE_HELO:
        code = smtp_client_helo(c, st->arg);
        e->caps = 0;
        break;
    case ENGINE_STARTTLS:
        if (st->need_offered && !(e->caps & SMTP_EHLO_STARTTLS))
            return not_offered(e, "STARTTLS");
        code = smtp_client_starttls(c);
        e->caps = 0; /* RFC 3207 4.2: forget what was said before TLS */
        break;
    case ENGINE_AUTH:
        code = auth(e, st, &v);
        if (v != ENGINE_OK)
            return v;
        break;
    case ENGINE_MAIL:
        code = smtp_client_mail(c, st->arg, NULL);
        break;
    case ENGINE_RCPT:
        code = smtp_client_rcpt(c, st->arg, NULL);
        break;
    case ENGINE_DATA:
        code = smtp_client_data(c);
        if (code == 354)
            code = smtp_client_message(c, st->body ? st->body : "", st->body ? st->len : 0);
        break;
    case ENGINE_MESSAGE:
        code = smtp_client_message(c, st->body ? st->body : "", st->body ? st->len : 0);
        break;
    case ENGINE_ENVELOPE:
        return envelope(e, st);
    case ENGINE_RSET:
        code = smtp_client_rset(c);
        break;
    case ENGINE_NOOP:
        code = smtp_client_noop(c);
        break;
    case ENGINE_QUIT:
        code = smtp_client_quit(c);
        break;
    case ENGINE_RAW:
        code = smtp_client_raw(c, st->arg);
        break;
    case ENGINE_TYPED:
        code = smtp_client_typed(c, st->arg);
        break;
    case ENGINE_SEND:
        if (smtp_client_send_bytes(c, st->body, st->len) < 0) {
            keep_reply(e, -1);
            return ENGINE_BROKEN;
        }
        return ENGINE_OK;
    case ENGINE_CONNECT:
        break;
    }
    keep_reply(e, code);
    e->tls |= smtp_client_tls_active(c);
    if (code < 0)
        return ENGINE_BROKEN;
    if (st->expect && !engine_match(&e->last, st->expect))
        return refuse(e, name);
    return ENGINE_OK;
}

const struct engine_reply *engine_last(const struct engine *e)
{
    return &e->last;
}

const struct smtp_transcript *engine_transcript(const struct engine *e)
{
    return e->tx;
}

unsigned engine_caps(const struct engine *e)
{
    return e->caps;
}

int engine_open(const struct engine *e)
{
    enum smtp_client_state s;

    if (e->client == NULL)
        return 0;
    s = smtp_client_state(e->client);
    return s != SMTP_CS_BROKEN && s != SMTP_CS_CLOSED && s != SMTP_CS_INIT;
}

int engine_tls(const struct engine *e)
{
    return e->tls;
}

long engine_elapsed(const struct engine *e)
{
    return smtp_transport_now() - e->t0;
}

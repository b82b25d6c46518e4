/*++
 * NAME
 *	audit_dialogue 3
 * SUMMARY
 *	the battery's attempts sent to a server, several connections at once
 * DESCRIPTION
 *	See audit_dialogue.h. Every command goes out as the client's own
 *	line (ENGINE_RAW): the address forms are the point, and no client
 *	check may "fix" them; the client still refuses CR, LF and NUL.
 *--*/
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit_dialogue.h"
#include "engine.h"
#include "engine_pool.h"
#include "number.h"
#include "smtp_ehlo.h"

#define CHUNK_MAX 24 /* attempts on one connection before the next chunk */
/*
 * Messages on one connection: Exim queues, and does not deliver, every
 * message after smtp_accept_queue_per_connection (10 by default) on one
 * connection; those would never reach the sink.
 */
#define MESSAGES_MAX 8
#define TAG_DOMAIN "@relaylab.audit>"

static long now_ms(void)
{
    return smtp_transport_now();
}

struct run {
    const struct audit_target *t;
    const struct audit_battery *b;
    struct audit_outcome *out;
    size_t *order;
    size_t (*chunks)[2];
    size_t nchunks;
    pthread_mutex_t lock;
    long next_connect;
};

/* same_session - attempts that may share one connection */

static int session_cmp(const struct audit_attempt *x, const struct audit_attempt *y)
{
    if (x->listener != y->listener)
        return x->listener < y->listener ? -1 : 1;
    if (x->starttls != y->starttls)
        return x->starttls - y->starttls;
    if (x->auth != y->auth)
        return (int)x->auth - (int)y->auth;
    if (x->xclient != y->xclient)
        return x->xclient - y->xclient;
    return strcmp(x->helo, y->helo);
}

static int order_cmp(const void *l, const void *r, void *ctx)
{
    const struct audit_battery *b = ctx;
    size_t i = *(const size_t *)l, j = *(const size_t *)r;
    int c = session_cmp(&b->a[i], &b->a[j]);

    return c ? c : i < j ? -1 : i > j;
}

void audit_dialogue_message(const char *tag, size_t k, const struct audit_attempt *a, char *buf,
                            size_t size)
{
    snprintf(buf, size,
             "Message-ID: <%s.%zu" TAG_DOMAIN "\r\nFrom: <%s>\r\nTo: undisclosed-recipients:;\r\n"
             "Subject: relaylab audit: %s\r\n\r\nrelaylab audit attempt %zu: %s\r\n",
             tag, k, a->from[0] ? a->from : "MAILER-DAEMON", audit_family_name(a->family), k,
             a->what);
}

long audit_dialogue_tag(const char *tag, const char *id)
{
    size_t n = strlen(tag);
    const char *at;
    char digits[24];
    unsigned long long k;

    if (id[0] != '<' || strncmp(id + 1, tag, n) != 0 || id[1 + n] != '.' ||
        (at = strchr(id + n + 2, '@')) == NULL || strcmp(at, TAG_DOMAIN) != 0 ||
        (size_t)(at - (id + n + 2)) >= sizeof(digits))
        return -1;
    snprintf(digits, sizeof(digits), "%.*s", (int)(at - (id + n + 2)), id + n + 2);
    if (number_parse_unsigned(digits, LONG_MAX, &k) < 0 || k == 0)
        return -1;
    return (long)k - 1;
}

/* step - one engine step; the reply code, -1 when it broke */

static int step(struct engine *e, enum engine_op op, const char *arg)
{
    struct engine_step st = {.op = op, .arg = arg, .helo_fallback = op == ENGINE_EHLO};

    if (engine_step(e, &st) == ENGINE_BROKEN)
        return -1;
    return engine_last(e)->code;
}

/* keep - the last reply into the outcome */

static void keep(struct engine *e, struct audit_outcome *o)
{
    /* Cut to fit: the reply is shown as a hint, never parsed from here. */
    size_t n;

    snprintf(o->reply, sizeof(o->reply), "%.*s", (int)sizeof(o->reply) - 1, engine_last(e)->text);
    for (n = strlen(o->reply); n > 0 && o->reply[n - 1] == ' '; n--)
        o->reply[n - 1] = 0; /* the CR LF the engine made blanks */
}

/* pace - wait for the next connection the rate allows */

static void pace(struct run *r)
{
    long wait = 0;

    if (r->t->rate <= 0)
        return;
    pthread_mutex_lock(&r->lock);
    if (r->next_connect > now_ms())
        wait = r->next_connect - now_ms();
    r->next_connect = (wait ? r->next_connect : now_ms()) + (long)(1000.0 / r->t->rate);
    pthread_mutex_unlock(&r->lock);
    if (wait > 0) {
        struct timespec ts = {wait / 1000, (wait % 1000) * 1000000L};

        nanosleep(&ts, NULL);
    }
}

/* new_engine - an engine with the target's limits */

static struct engine *new_engine(const struct audit_target *t)
{
    struct smtp_client_params params;

    smtp_client_params_default(&params);
    params.step_timeout_ms = t->step_timeout_ms ? t->step_timeout_ms : 10000;
    /* A session may not outlive the budget (a tarpit answers slowly, step by step). */
    params.total_timeout_ms = t->deadline_ms == 0         ? 600000
                              : t->deadline_ms > now_ms() ? t->deadline_ms - now_ms()
                                                          : 1;
    params.transcript_max = 8192;
    return engine_new(&params);
}

/* connect_greet - connect, banner, EHLO; 250, the refusing code, or -1 */

static int connect_greet(struct engine *e, const struct audit_target *t,
                         const struct audit_listener *l, const char *helo, size_t client)
{
    struct smtp_tcp_params tcp = {0};
    struct engine_step st = {.op = ENGINE_CONNECT, .tcp = &tcp};
    char port[8];
    int code;

    snprintf(port, sizeof(port), "%d", l->port);
    tcp.host = t->host;
    tcp.port = port;
    tcp.local_address = t->nclients ? t->clients[client % t->nclients] : t->client_addr;
    tcp.implicit_tls = l->implicit_tls;
    tcp.tls_ctx = t->tls;
    if (engine_step(e, &st) != ENGINE_OK)
        return -1;
    if ((code = step(e, ENGINE_READ, NULL)) != 220)
        return code;
    return step(e, ENGINE_EHLO, helo);
}

/* session - a connection ready for the attempt's transactions; 0, or -1 (o says why) */

static int session(struct run *r, struct engine *e, const struct audit_attempt *a,
                   struct audit_outcome *o, size_t client)
{
    const struct audit_target *t = r->t;
    const char *const *lines = audit_auth_lines(a->auth);
    int code;

    pace(r);
    o->client = t->nclients ? client % t->nclients : 0;
    code = connect_greet(e, t, &t->listeners[a->listener], a->helo, client);
    if (code == 250 && a->starttls) {
        struct engine_step st = {.op = ENGINE_STARTTLS};

        code =
            engine_step(e, &st) == ENGINE_OK ? step(e, ENGINE_EHLO, a->helo) : engine_last(e)->code;
    }
    if (code == 250 && a->xclient) {
        /* Postfix XCLIENT: 220, a new session, and so a new EHLO. */
        code = step(e, ENGINE_RAW, "XCLIENT ADDR=127.0.0.1 NAME=localhost");
        if (code == 220)
            code = step(e, ENGINE_EHLO, a->helo);
    }
    for (; code == 250 && lines && *lines; lines++) {
        code = step(e, ENGINE_RAW, *lines);
        if (code == 334 && lines[1])
            code = 250;
        else if (code == 235)
            code = 250, lines = audit_auth_lines(AUDIT_AUTH_NONE);
        if (lines == NULL)
            break;
    }
    o->tls = engine_tls(e);
    if (code == 250)
        return 0;
    o->stage = AUDIT_AT_SESSION;
    o->session_code = code;
    keep(e, o);
    return -1;
}

/* transaction - MAIL, RCPT, then DATA or RSET; -1 when the connection broke */

static int transaction(struct run *r, struct engine *e, size_t k, struct audit_outcome *o)
{
    const struct audit_attempt *a = &r->b->a[k];
    char line[AUDIT_ADDR_MAX + 40];
    char body[1024];

    snprintf(line, sizeof(line), "MAIL FROM:<%s>%s", a->from, a->smtputf8 ? " SMTPUTF8" : "");
    o->stage = AUDIT_AT_MAIL;
    if ((o->mail = step(e, ENGINE_RAW, line)) < 0)
        return -1;
    keep(e, o);
    if (o->mail / 100 != 2) {
        (void)step(e, ENGINE_RSET, NULL); /* a broken connection shows at the next attempt */
        return 0;
    }
    snprintf(line, sizeof(line), "RCPT TO:<%s>", a->rcpt);
    o->stage = AUDIT_AT_RCPT;
    if ((o->rcpt = step(e, ENGINE_RAW, line)) < 0)
        return -1;
    keep(e, o);
    if (o->rcpt / 100 == 2 && r->t->send_data) {
        struct engine_step st = {.op = ENGINE_DATA, .body = body};

        audit_dialogue_message(r->t->tag, k + 1, a, body, sizeof(body));
        st.len = strlen(body);
        o->stage = AUDIT_AT_DATA;
        o->data = engine_step(e, &st) == ENGINE_BROKEN ? -1 : engine_last(e)->code;
        if (o->data < 0)
            return -1;
        keep(e, o);
    } else {
        (void)step(e, ENGINE_RSET, NULL); /* the attempt is done; a break shows at the next */
    }
    o->stage = AUDIT_DONE;
    return 0;
}

/*
 * deferral - 1 when a 4xx looks like a limit on this client rather than
 * the server's answer to the attempt: at MAIL (Postfix's and Exim's rate
 * limits answer there), or at RCPT or DATA with a reply that says so. A
 * "454 4.7.1 Relay access denied" (defer_unauth_destination) is an answer.
 */
static int deferral(const struct audit_outcome *o)
{
    static const char *const words[] = {"rate",  "limit", "too many", "too much",
                                        "later", "busy",  "temporar"};
    size_t i;

    if (o->mail / 100 == 4)
        return 1;
    if (o->rcpt / 100 != 4 && o->data / 100 != 4)
        return 0;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasestr(o->reply, words[i]))
            return 1;
    return 0;
}

/* chunk - the attempts of one chunk, on one connection (and new ones as needed) */

static void chunk(void *ctx, size_t item)
{
    struct run *r = ctx;
    size_t first = r->chunks[item][0], n = r->chunks[item][1];
    struct engine *e = NULL;
    size_t j, messages = 0, client = item, cur = 0;

    for (j = 0; j < n; j++) {
        size_t k = r->order[first + j];
        struct audit_outcome *o = &r->out[k];
        int tries;

        for (tries = 0; tries < 2 && now_ms() < r->t->deadline_ms; tries++) {
            if (tries && o->deferred && e) {
                /* Deferred (a rate limit, most likely): once more, from the next address. */
                engine_free(e);
                e = NULL;
                client++;
            }
            memset(o, 0, sizeof(*o));
            o->client = cur; /* the connection's, when it goes on */
            if (e && !engine_open(e)) {
                engine_free(e);
                e = NULL;
            }
            if (e == NULL) {
                if ((e = new_engine(r->t)) == NULL)
                    break;
                messages = 0;
                cur = r->t->nclients ? client % r->t->nclients : 0;
                if (session(r, e, &r->b->a[k], o, client) < 0) {
                    engine_free(e);
                    e = NULL;
                    o->deferred = o->session_code / 100 == 4;
                    if (o->deferred)
                        client++;
                    else if (o->session_code >= 0)
                        break; /* refused: an answer, not a break */
                    continue;
                }
            }
            if (transaction(r, e, k, o) == 0) {
                o->deferred = deferral(o);
                if (!o->deferred || r->t->nclients < 2)
                    break;
                continue;
            }
            engine_free(e);
            e = NULL;
        }
        messages += o->data == 250;
        /* AUTH and XCLIENT change the session: never shared with the next. */
        if (e && (r->b->a[k].auth || r->b->a[k].xclient || messages >= MESSAGES_MAX)) {
            engine_free(e);
            e = NULL;
        }
    }
    engine_free(e);
}

int audit_dialogue_run(const struct audit_target *t, const struct audit_battery *b,
                       struct audit_outcome *out, struct smtp_error *err)
{
    struct run r = {.t = t, .b = b, .out = out};
    size_t i;

    memset(out, 0, b->n * sizeof(*out));
    if (b->n == 0)
        return 0;
    r.order = malloc(b->n * sizeof(*r.order));
    r.chunks = malloc(b->n * sizeof(*r.chunks));
    if (r.order == NULL || r.chunks == NULL) {
        free(r.order);
        free(r.chunks);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    }
    for (i = 0; i < b->n; i++)
        r.order[i] = i;
    qsort_r(r.order, b->n, sizeof(*r.order), order_cmp, (void *)b);
    for (i = 0; i < b->n; i++) {
        int same = i > 0 && session_cmp(&b->a[r.order[i]], &b->a[r.order[i - 1]]) == 0 &&
                   r.chunks[r.nchunks - 1][1] < CHUNK_MAX && !b->a[r.order[i]].auth &&
                   !b->a[r.order[i]].xclient;

        if (same) {
            r.chunks[r.nchunks - 1][1]++;
        } else {
            r.chunks[r.nchunks][0] = i;
            r.chunks[r.nchunks++][1] = 1;
        }
    }
    pthread_mutex_init(&r.lock, NULL);
    if (engine_pool_run(t->jobs ? t->jobs : 4, r.nchunks, chunk, &r) < 0) {
        pthread_mutex_destroy(&r.lock);
        free(r.order);
        free(r.chunks);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "no worker thread: %s",
                              strerror(errno));
    }
    pthread_mutex_destroy(&r.lock);
    free(r.order);
    free(r.chunks);
    return 0;
}

/* listener_caps - one listener: EHLO before, and after STARTTLS when offered */

static int listener_caps(const struct audit_target *t, struct audit_listener *l, char *banner,
                         size_t size)
{
    struct engine *e = new_engine(t);
    unsigned caps;
    int code;

    if (e == NULL)
        return -1;
    code = connect_greet(e, t, l, AUDIT_HELO, 0);
    if (code != 250) {
        engine_free(e);
        return code < 0 ? -1 : 0;
    }
    caps = engine_caps(e);
    if (banner && banner[0] == 0) {
        /* The EHLO reply's first word is the server's name (RFC 5321 4.1.1.1). */
        const char *text = engine_last(e)->text;

        /* "250-name ..." or "250 name": the code and its separator first. */
        if (strlen(text) > 4 && text[3] != ' ' && text[3] != '-')
            text = "";
        text += strlen(text) > 4 ? 4 : strlen(text);
        snprintf(banner, size, "%.*s", (int)strcspn(text, " \t"), text);
    }
    l->starttls = !!(caps & SMTP_EHLO_STARTTLS) && !l->implicit_tls;
    l->xclient = !!(caps & SMTP_EHLO_XCLIENT);
    l->smtputf8 = !!(caps & SMTP_EHLO_SMTPUTF8);
    if (l->implicit_tls)
        l->auth_tls = !!(caps & SMTP_EHLO_AUTH);
    else
        l->auth_plain = !!(caps & SMTP_EHLO_AUTH);
    if (l->starttls) {
        struct engine_step st = {.op = ENGINE_STARTTLS};

        if (engine_step(e, &st) == ENGINE_OK && step(e, ENGINE_EHLO, AUDIT_HELO) == 250)
            l->auth_tls = !!(engine_caps(e) & SMTP_EHLO_AUTH);
    }
    engine_free(e);
    return 0;
}

int audit_dialogue_listeners(const struct audit_target *t, char *banner, size_t size,
                             struct smtp_error *err)
{
    size_t i, up = 0;

    if (banner && size)
        banner[0] = 0;
    for (i = 0; i < t->nlisteners; i++)
        if (listener_caps(t, &t->listeners[i], banner, size) == 0)
            up++;
    if (up == 0)
        return smtp_error_set(err, SMTP_ERR_CONN, 0, "no listener of %s answered EHLO", t->host);
    return 0;
}

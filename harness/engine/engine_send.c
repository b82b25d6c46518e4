/*++
 * NAME
 *	engine_send 3
 * SUMMARY
 *	relaylab send's dialogue: a stage plan over the engine
 * DESCRIPTION
 *	See engine_send.h.
 *--*/
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "engine_pool.h"
#include "engine_send.h"

static const struct {
    const char *name;  /* --quit-after and JSON name */
    const char *alias; /* swaks's other spelling */
} stages[] = {
    [ENGINE_SEND_CONNECT] = {"connect", "conn"},
    [ENGINE_SEND_BANNER] = {"banner", "greeting"},
    [ENGINE_SEND_EHLO] = {"first-helo", "first-ehlo"},
    [ENGINE_SEND_STARTTLS] = {"tls", "starttls"},
    [ENGINE_SEND_HELO] = {"helo", "ehlo"},
    [ENGINE_SEND_AUTH] = {"auth", "auth"},
    [ENGINE_SEND_MAIL] = {"mail", "from"},
    [ENGINE_SEND_RCPT] = {"rcpt", "to"},
    [ENGINE_SEND_DATA] = {"data", "data"},
    [ENGINE_SEND_MESSAGE] = {"dot", "message"},
    [ENGINE_SEND_QUIT] = {"quit", "quit"},
};

/* engine_send_params_default - see engine_send.h */

void engine_send_params_default(struct engine_send_params *p)
{
    memset(p, 0, sizeof(*p));
    p->from = "relaylab@relaylab.test";
    p->helo = "relaylab.test";
    p->quit_after = ENGINE_SEND_QUIT;
    smtp_client_params_default(&p->engine);
    p->engine.pipelining = 0; /* only with --pipeline */
    p->repeat = 1;
    p->concurrency = 1;
}

/* engine_send_stage_parse - see engine_send.h */

enum engine_send_stage engine_send_stage_parse(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
        if (strcasecmp(s, stages[i].name) == 0 || strcasecmp(s, stages[i].alias) == 0)
            return (enum engine_send_stage)i;
    return ENGINE_SEND_NONE;
}

/* engine_send_stage_name - see engine_send.h */

const char *engine_send_stage_name(enum engine_send_stage stage)
{
    return stage < ENGINE_SEND_NONE ? stages[stage].name : "done";
}

/* engine_send_server - HOST, HOST:PORT, [V6], [V6]:PORT */

int engine_send_server(const char *s, struct engine_send_params *o)
{
    const char *colon;
    size_t hlen;

    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (close == NULL)
            return -1;
        hlen = (size_t)(close - s - 1);
        if (hlen == 0 || hlen >= sizeof(o->host))
            return -1;
        memcpy(o->host, s + 1, hlen);
        o->host[hlen] = 0;
        colon = close[1] == ':' ? close + 1 : NULL;
        if (close[1] && !colon)
            return -1;
    } else {
        colon = strrchr(s, ':');
        if (colon && strchr(s, ':') != colon)
            colon = NULL; /* bare IPv6 address, no port */
        hlen = colon ? (size_t)(colon - s) : strlen(s);
        if (hlen == 0 || hlen >= sizeof(o->host))
            return -1;
        memcpy(o->host, s, hlen);
        o->host[hlen] = 0;
    }
    if (colon) {
        if (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(o->port) ||
            strspn(colon + 1, "0123456789") != strlen(colon + 1))
            return -1;
        snprintf(o->port, sizeof(o->port), "%s", colon + 1); /* length checked above */
    }
    return 0;
}

/* engine_send_default_message - a short RFC 5322 message */

char *engine_send_default_message(const struct engine_send_params *o, size_t *len)
{
    char date[64];
    char *buf;
    time_t now = time(NULL);
    struct tm tm;
    size_t cap = 1024 + o->nto * 1024;
    size_t used;
    size_t i;

    if ((buf = malloc(cap)) == NULL)
        return NULL;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    used = (size_t)snprintf(buf, cap, "Date: %s\nFrom: <%s>\nTo: ", date, o->from);
    for (i = 0; i < o->nto && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s<%s>", i ? ", " : "", o->to[i]);
    if (used < cap)
        used += (size_t)snprintf(buf + used, cap - used,
                                 "\nSubject: relaylab test %s\n"
                                 "Message-Id: <relaylab.%ld.%ld@%s>\n"
                                 "X-Mailer: relaylab\n\n"
                                 "This is a test message sent by relaylab.\n",
                                 date, (long)now, (long)getpid(), o->helo);
    *len = used < cap ? used : cap - 1;
    return buf;
}

/* verdict - the outcome of a stage the engine ran; 0 to go on */

static int verdict(struct engine *e, enum engine_verdict v, enum engine_send_stage st,
                   struct engine_send_outcome *out)
{
    if (v == ENGINE_OK)
        return 0;
    out->stage = st;
    out->verdict = v;
    out->err = engine_last(e)->err;
    return -1;
}

/* stage - one stage through the engine, then stop if --quit-after says so */

static int stage(struct engine *e, const struct engine_step *step, enum engine_send_stage st,
                 const struct engine_send_params *o, struct engine_send_outcome *out)
{
    if (verdict(e, engine_step(e, step), st, out) < 0)
        return -1;
    return o->quit_after == st ? -1 : 0;
}

/* greet - connect, banner, EHLO, STARTTLS and EHLO again, AUTH; 0 to go on */

static int greet(struct engine *e, const struct engine_send_params *o,
                 struct engine_send_outcome *out)
{
    static const struct engine_expect greeting = {2, 1, NULL, NULL};
    static const struct engine_expect ok = {250, 0, NULL, NULL};
    static const struct engine_expect ready = {220, 0, NULL, NULL};
    static const struct engine_expect authed = {235, 0, NULL, NULL};
    const char *name = o->sni ? o->sni : o->host;
    struct smtp_tcp_params tcp = {.host = o->host,
                                  .port = o->port,
                                  .local_address = o->local,
                                  .implicit_tls = o->tls_on_connect,
                                  .tls_ctx = o->tls_ctx,
                                  .sni = name,
                                  .verify_name = o->verify == SMTP_TLS_VERIFY_NAME ? name : NULL};
    const struct engine_step plan[] = {
        {.op = ENGINE_CONNECT, .tcp = &tcp},
        {.op = ENGINE_READ, .name = "banner", .expect = &greeting},
        {.op = ENGINE_EHLO,
         .name = "first-helo",
         .arg = o->helo,
         .helo_fallback = 1,
         .expect = &ok},
        {.op = ENGINE_STARTTLS, .name = "tls", .need_offered = 1, .expect = &ready},
        {.op = ENGINE_EHLO, .name = "helo", .arg = o->helo, .expect = &ok},
        {.op = ENGINE_AUTH,
         .mech = o->auth_mech,
         .user = o->user,
         .pass = o->pass,
         .need_offered = 1,
         .expect = &authed},
    };
    size_t i;

    for (i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
        if ((i == ENGINE_SEND_STARTTLS || i == ENGINE_SEND_HELO) && !o->tls)
            continue;
        if (i == ENGINE_SEND_AUTH && !o->auth)
            continue;
        if (stage(e, &plan[i], (enum engine_send_stage)i, o, out) < 0)
            return -1;
    }
    return 0;
}

/* engine_send_open - see engine_send.h */

int engine_send_open(struct engine *e, const struct engine_send_params *p,
                     struct engine_send_outcome *out)
{
    memset(out, 0, sizeof(*out));
    out->stage = ENGINE_SEND_NONE;
    out->verdict = ENGINE_OK;
    out->engine = e;
    (void)greet(e, p, out);
    return out->verdict == ENGINE_OK ? 0 : -1;
}

/* dialogue - the stages in order; fills out */

static void dialogue(struct engine *e, const struct engine_send_params *o,
                     struct engine_send_outcome *out)
{
    static const struct engine_expect ok = {250, 0, NULL, NULL};
    int codes[ENGINE_SEND_RCPT_MAX + 2];
    int quit_at_data = o->quit_after == ENGINE_SEND_DATA;
    struct engine_step st;
    enum engine_verdict v;

    if (engine_send_open(e, o, out) < 0 || o->quit_after < ENGINE_SEND_MAIL)
        goto quit;
    st = (struct engine_step){.op = ENGINE_ENVELOPE,
                              .arg = o->from,
                              .rcpts = o->to,
                              .nrcpts = o->nto,
                              .with_data = o->quit_after >= ENGINE_SEND_DATA,
                              .codes = codes};
    v = engine_step(e, &st);
    if (verdict(e, v, (enum engine_send_stage)(ENGINE_SEND_MAIL + engine_last(e)->envelope_part),
                out) < 0 ||
        o->quit_after < ENGINE_SEND_DATA)
        goto quit;
    /* --quit-after data: swaks stops here too; end the message so QUIT is a command. */
    st = (struct engine_step){.op = ENGINE_MESSAGE,
                              .body = quit_at_data ? "" : o->body,
                              .len = quit_at_data ? 0 : o->body_len,
                              .expect = quit_at_data ? NULL : &ok};
    (void)verdict(e, engine_step(e, &st), ENGINE_SEND_MESSAGE, out);
quit:
    /* A failed QUIT changes nothing: the verdict was reached before it. */
    if (engine_open(e)) {
        st = (struct engine_step){.op = ENGINE_QUIT};
        (void)engine_step(e, &st);
    }
    engine_close(e);
}

/* engine_send - see engine_send.h */

void engine_send(const struct engine_send_params *p, struct engine_send_outcome *out)
{
    /* Every stage that fails sets the whole record: nothing stale is left. */
    memset(out, 0, sizeof(*out));
    out->stage = ENGINE_SEND_NONE;
    out->verdict = ENGINE_OK;
    if ((out->engine = engine_new(&p->engine)) == NULL) {
        smtp_error_set(&out->err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        out->stage = ENGINE_SEND_CONNECT;
        out->verdict = ENGINE_BROKEN;
        return;
    }
    dialogue(out->engine, p, out);
}

struct repeat_state {
    const struct engine_send_params *p;
    struct engine_send_repeat_result *res;
    pthread_mutex_t lock; /* over res->first and res->first_transcript */
};

/* repeat_one - one dialogue of the repeat, on a pool worker */

static void repeat_one(void *arg, size_t item)
{
    struct repeat_state *st = arg;
    struct engine_send_repeat_result *res = st->res;
    struct engine_send_outcome out;

    (void)item;
    engine_send(st->p, &out);
    if (out.verdict != ENGINE_OK) {
        __atomic_fetch_add(&res->failed, 1, __ATOMIC_RELAXED);
        pthread_mutex_lock(&st->lock);
        if (!res->have_failure) {
            size_t size = 0;
            FILE *mem = open_memstream(&res->first_transcript, &size);

            res->have_failure = 1;
            res->first = out;
            res->first.engine = NULL;
            if (mem && out.engine)
                smtp_transcript_write(mem, engine_transcript(out.engine), 0);
            if (mem)
                fclose(mem);
        }
        pthread_mutex_unlock(&st->lock);
    }
    engine_free(out.engine);
}

/* engine_send_repeat - see engine_send.h */

int engine_send_repeat(const struct engine_send_params *p, struct engine_send_repeat_result *res)
{
    struct repeat_state st = {p, res, PTHREAD_MUTEX_INITIALIZER};
    long started = smtp_transport_now();
    long workers = p->concurrency < p->repeat ? p->concurrency : p->repeat;
    int threads, saved;

    memset(res, 0, sizeof(*res));
    threads = engine_pool_run((size_t)workers, (size_t)p->repeat, repeat_one, &st);
    saved = errno;
    pthread_mutex_destroy(&st.lock);
    if (threads < 0) {
        errno = saved;
        return -1;
    }
    res->threads = threads > 0 ? threads : 1;
    res->elapsed_ms = smtp_transport_now() - started;
    return 0;
}

/*++
 * NAME
 *	run_fuzz 3
 * SUMMARY
 *	grammar-aware fuzzer of SMTP dialogues against a live sandboxed MTA
 * DESCRIPTION
 *	See run_fuzz.h. One instance; dialogues in batches on the engine
 *	pool. Dialogue number k is a function of the seed and k alone (its
 *	own random stream), whatever ran beside it, and its message carries
 *	k in its Message-ID, so that mail in the sink is told apart by
 *	dialogue. The sink is read between batches, never waited on in the
 *	loop: a dialogue that may have relayed is a pending check, settled in
 *	the order of k when its mail arrives or its time is up. Outcomes are
 *	taken in the order of k too, on the caller's thread, which alone
 *	minimizes and writes findings.
 *--*/
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "audit_hints.h"
#include "engine.h"
#include "engine_pool.h"
#include "number.h"
#include "run.h"
#include "run_fuzz.h"
#include "smtp_client.h"
#include "smtp_sanitize.h"

#define FZ_STEPS_MAX RUN_FUZZ_COMMANDS_MAX
#define FZ_ARG_MAX 330 /* an address of the battery (AUDIT_ADDR_MAX) fits */
#define FZ_STATES_MAX 512
#define FZ_SINK_WAIT_MS 1500               /* how long relayed mail may take to reach the sink */
#define FZ_LINE_MAX RUN_FUZZ_LINE_MAX      /* one command line */
#define FZ_SEEN_MAX (2 * FZ_STEPS_MAX + 4) /* (command, reply) pairs of one dialogue */
#define FZ_PENDING_MAX 2048                /* dialogues whose mail may still reach the sink */
/*
 * Dialogues per worker between two looks at the sink. The batch ends when
 * its slowest dialogue does (a bare CR waits 100 ms for nothing), and the
 * workers that are done wait: with 32 a worker was busy 90% of the time,
 * with 256 99%. A look at the sink after about a second is soon enough.
 */
#define FZ_BATCH_PER_JOB 256
#define FZ_BATCH_MAX 4096 /* dialogues per batch at most, whatever the jobs */
#define FZ_KEY_MAX 160    /* "kind for senders in domain:" */
#define FZ_TAG_DOMAIN "@relaylab.test>"

enum fz_op { FZ_EHLO, FZ_HELO, FZ_MAIL, FZ_RCPT, FZ_DATA, FZ_RSET, FZ_NOOP, FZ_OPS };

static const char *const op_names[FZ_OPS] = {"EHLO", "HELO", "MAIL", "RCPT",
                                             "DATA", "RSET", "NOOP"};

struct fz_step {
    enum fz_op op;
    char arg[FZ_ARG_MAX];  /* name or address, without <> */
    char params[100];      /* ESMTP parameters */
    int space_after_colon; /* "MAIL FROM: <x>" */
    int no_brackets;       /* "RCPT TO:x" */
};

/* The words of a user's config: the audit's battery, built from its names. */
struct battery_words {
    const struct audit_battery *b;
};

struct fz_dialogue {
    struct fz_step steps[FZ_STEPS_MAX];
    size_t n;
    int bare_lf; /* 1: LF line ends, 2: CR line ends */
    int pipelined;
    int lower_verbs;
    int data_end; /* index into data_ends */
};

/*
 * End-of-data variants (RFC 5321 4.1.1.4 allows only CRLF "." CRLF).
 * A server may rightly keep waiting after one; the real end follows.
 */
static const char *const data_ends[] = {"\r\n.\r\n", "\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n"};

/* malformed - does the dialogue send line ends a server may wait past? */

static int malformed(const struct fz_dialogue *d)
{
    return d->bare_lf == 2 || d->data_end != 0;
}

struct fz_outcome {
    int victim_accepted;       /* a RCPT for the victim domain got 2xx */
    int data_ok;               /* the message was accepted */
    int broken;                /* the dialogue broke, for whatever reason */
    enum smtp_err_class broke; /* ... for a reason that is a finding */
    char detail[SMTP_ERROR_MSG_MAX + SMTP_ERROR_REPLY_MAX + 4];
    unsigned seen[FZ_SEEN_MAX]; /* (command, reply code) pairs, for the stats */
    size_t nseen;
};

/* One dialogue of a batch: run on a worker, taken in order after the batch. */
struct fz_slot {
    unsigned long k;
    int ran; /* 0: the time was up before it began */
    struct fz_outcome o;
};

/* A dialogue whose mail may still reach the sink. */
struct fz_pending {
    unsigned long k;
    long deadline; /* ms: no victim's mail by then, no relay */
    int relayed;
    char key[FZ_KEY_MAX];
    char rcpt[MTA_SINK_ADDR_MAX]; /* the victim's address as the sink got it */
};

struct fuzzer {
    struct mta_env *env;
    const struct run_fuzz_params *p;
    struct mta_instance *inst;
    char outside[32];
    struct fz_dialogue seed;
    char tag_prefix[64]; /* "<relaylab-fuzz.SEED." of every Message-ID */
    long end;            /* ms: no dialogue begins after */
    struct fz_slot *slots;
    unsigned states[FZ_STATES_MAX];
    size_t nstates;
    char keys[RUN_FUZZ_FINDINGS_MAX][FZ_KEY_MAX]; /* one finding per key */
    /* The sink, read without waiting: messages up to sink_seen are looked at. */
    size_t sink_seen;
    struct fz_pending *pending; /* a ring of FZ_PENDING_MAX, in the order of k */
    size_t pending_head, npending;
    unsigned long probe; /* the tag of minimize's dialogue; 0: none */
    int probe_relayed;
    unsigned long nprobes;
    struct run_fuzz_result *out;
    /* A user's config: its names, the battery the seeds come from. */
    int user;
    struct audit_names names;
    struct audit_battery battery;
    struct audit_hints hints;
    struct battery_words words;
    /* A relay's first key, and the key its simplest form had (user's config). */
    char aliases[4 * RUN_FUZZ_FINDINGS_MAX][2][FZ_KEY_MAX];
    size_t naliases;
};

static const char *const senders[] = {
    "",
    "user@relaylab.test",
    "postmaster@relaylab.test",
    "postmaster",
    "someone@example.net",
    "x@localhost",
    "x@[127.0.0.1]",
    "USER@RELAYLAB.TEST",
    "x@relaylab.test.",
    "x@sub.relaylab.test",
    "x@" MTA_HOSTNAME,
    "MAILER-DAEMON",
    "victim@example.org",
    "x@relaylab.test@example.net",
};

static const char *const rcpts[] = {
    "victim@example.org",
    "victim%example.org@relaylab.test",
    "example.org!victim@relaylab.test",
    "@relaylab.test:victim@example.org",
    "\"victim@example.org\"@relaylab.test",
    "victim@example.org.",
    "VICTIM@EXAMPLE.ORG",
    "victim@example.org@relaylab.test",
    "victim%example.org@[127.0.0.1]",
    "victim@[192.0.2.1]",
    "postmaster@relaylab.test",
    "victim@sub.example.org",
};

static const char *const esmtp[] = {
    "SIZE=100", "BODY=8BITMIME", "SMTPUTF8", "RET=HDRS", "NOTIFY=NEVER",
    "AUTH=<>",  "ENVID=x",       "X=",       "SIZE=-1"};

static const char *const helos[] = {"fuzz.example", "relaylab.test", MTA_HOSTNAME,
                                    "[127.0.0.1]",  "localhost",     ""};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* rnd - xorshift64*, one stream per dialogue (rng_for) */

static unsigned long rnd(unsigned long *rng, unsigned long n)
{
    *rng ^= *rng >> 12;
    *rng ^= *rng << 25;
    *rng ^= *rng >> 27;
    return n ? (*rng * 2685821657736338717UL >> 17) % n : 0;
}

/* rng_for - dialogue k's stream: splitmix64 of the seed and k, never 0 */

static unsigned long rng_for(unsigned long seed, unsigned long k)
{
    unsigned long z = (seed ? seed : 0x853c49e6748fea9bUL) + (k + 1) * 0x9e3779b97f4a7c15UL;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
    z ^= z >> 31;
    return z ? z : 1;
}

/* victim - is this address, as the sink got it, in the victim's hands? */

static int victim(const char *addr)
{
    const char *at = strrchr(addr, '@');
    size_t len;

    if (at == NULL)
        return 0;
    at++;
    if (strcasecmp(at, "[192.0.2.1]") == 0)
        return 1;
    len = strlen(at);
    if (len && at[len - 1] == '.')
        len--;
    return len >= 11 && strncasecmp(at + len - 11, RUN_FUZZ_VICTIM_DOMAIN, 11) == 0 &&
           (len == 11 || at[len - 12] == '.');
}

/* add_step - append one step */

static struct fz_step *add_step(struct fz_dialogue *d, enum fz_op op, const char *arg)
{
    struct fz_step *s;

    if (d->n == FZ_STEPS_MAX)
        return NULL;
    s = &d->steps[d->n++];
    memset(s, 0, sizeof(*s));
    s->op = op;
    snprintf(s->arg, sizeof(s->arg), "%s", arg ? arg : "");
    return s;
}

/* seed_dialogue - the scenario's commands for this MTA and variant */

static void seed_dialogue(struct fuzzer *f, struct fz_dialogue *d)
{
    const struct scenario *s = f->p->scenario;
    unsigned bit = scenario_mta_bit(mta_kind_name(f->p->mta));
    size_t i;

    memset(d, 0, sizeof(*d));
    for (i = 0; s && i < s->nsteps; i++) {
        const struct scenario_step *st = &s->steps[i];

        /* The fuzzer runs the host's MTAs. */
        if (!scenario_applies(&st->where, bit, f->p->variant, run_release_bit(NULL)))
            continue;
        if (st->op == SCN_EHLO || st->op == SCN_HELO)
            add_step(d, st->op == SCN_EHLO ? FZ_EHLO : FZ_HELO, st->arg ? st->arg : "fuzz.example");
        else if (st->op == SCN_MAIL)
            add_step(d, FZ_MAIL, strcmp(st->arg, "<>") == 0 ? "" : st->arg);
        else if (st->op == SCN_RCPT)
            add_step(d, FZ_RCPT, st->arg);
        else if (st->op == SCN_DATA)
            add_step(d, FZ_DATA, NULL);
        else if (st->op == SCN_RSET)
            add_step(d, FZ_RSET, NULL);
    }
    if (d->n == 0) {
        add_step(d, FZ_EHLO, "fuzz.example");
        add_step(d, FZ_MAIL, "someone@example.net");
        add_step(d, FZ_RCPT, "victim@example.org");
        add_step(d, FZ_DATA, NULL);
    }
}

/* find - index of the first step with op, or -1 */

static int find(const struct fz_dialogue *d, enum fz_op op)
{
    size_t i;

    for (i = 0; i < d->n; i++)
        if (d->steps[i].op == op)
            return (int)i;
    return -1;
}

/* word - a sender (0), recipient (1) or HELO name (2): the battery's with a user's config */

static const char *word(const struct battery_words *w, unsigned long *rng, int which)
{
    if (w && w->b->n) {
        const struct audit_attempt *a = &w->b->a[rnd(rng, w->b->n)];

        return which == 0 ? a->from : which == 1 ? a->rcpt : a->helo;
    }
    return which == 0   ? senders[rnd(rng, COUNT(senders))]
           : which == 1 ? rcpts[rnd(rng, COUNT(rcpts))]
                        : helos[rnd(rng, COUNT(helos))];
}

/* mutate - one to three changes from the grammar */

static void mutate(const struct battery_words *w, unsigned long *rng, struct fz_dialogue *d)
{
    int k, rounds = 1 + (int)rnd(rng, 3);

    for (k = 0; k < rounds; k++) {
        int i;

        switch (rnd(rng, 10)) {
        case 0:
        case 1: /* the sender */
            if ((i = find(d, FZ_MAIL)) < 0) {
                struct fz_step *s = add_step(d, FZ_MAIL, "");

                if (s == NULL)
                    break;
                i = (int)d->n - 1;
            }
            snprintf(d->steps[i].arg, FZ_ARG_MAX, "%s", word(w, rng, 0));
            break;
        case 2:
        case 3: /* the recipient: relay-trick forms */
            if ((i = find(d, FZ_RCPT)) < 0 || rnd(rng, 3) == 0) {
                if (add_step(d, FZ_RCPT, "") == NULL)
                    break;
                i = (int)d->n - 1;
            }
            snprintf(d->steps[i].arg, FZ_ARG_MAX, "%s", word(w, rng, 1));
            break;
        case 4: /* an ESMTP parameter */
            i = (int)rnd(rng, d->n);
            if (d->steps[i].op == FZ_MAIL || d->steps[i].op == FZ_RCPT)
                snprintf(d->steps[i].params, sizeof(d->steps[i].params), "%s",
                         esmtp[rnd(rng, COUNT(esmtp))]);
            break;
        case 5: /* path syntax */
            i = (int)rnd(rng, d->n);
            d->steps[i].space_after_colon ^= rnd(rng, 2);
            d->steps[i].no_brackets ^= rnd(rng, 4) == 0;
            break;
        case 6: /* order: swap, duplicate, drop, insert RSET/NOOP */
            if (d->n < 2)
                break;
            i = (int)rnd(rng, d->n);
            switch (rnd(rng, 4)) {
            case 0: {
                int j = (int)rnd(rng, d->n);
                struct fz_step t = d->steps[i];

                d->steps[i] = d->steps[j];
                d->steps[j] = t;
                break;
            }
            case 1:
                if (d->n < FZ_STEPS_MAX) {
                    memmove(&d->steps[i + 1], &d->steps[i],
                            (d->n - (size_t)i) * sizeof(d->steps[0]));
                    d->n++;
                }
                break;
            case 2:
                memmove(&d->steps[i], &d->steps[i + 1],
                        (d->n - (size_t)i - 1) * sizeof(d->steps[0]));
                d->n--;
                break;
            default:
                if (d->n < FZ_STEPS_MAX) {
                    memmove(&d->steps[i + 1], &d->steps[i],
                            (d->n - (size_t)i) * sizeof(d->steps[0]));
                    d->n++;
                    memset(&d->steps[i], 0, sizeof(d->steps[i]));
                    d->steps[i].op = rnd(rng, 2) ? FZ_RSET : FZ_NOOP;
                }
            }
            break;
        case 7: /* the greeting */
            if ((i = find(d, FZ_EHLO)) < 0 && (i = find(d, FZ_HELO)) < 0)
                break;
            d->steps[i].op = rnd(rng, 4) ? FZ_EHLO : FZ_HELO;
            snprintf(d->steps[i].arg, FZ_ARG_MAX, "%s", word(w, rng, 2));
            break;
        case 8: /* line ends, verb case, end of data */
            switch (rnd(rng, 3)) {
            case 0:
                d->bare_lf = rnd(rng, 4) == 0 ? (rnd(rng, 4) == 0 ? 2 : 1) : 0;
                break;
            case 1:
                d->lower_verbs = rnd(rng, 2);
                break;
            default:
                d->data_end = rnd(rng, 4) == 0 ? 1 + (int)rnd(rng, COUNT(data_ends) - 1) : 0;
            }
            break;
        default: /* pipelining */
            d->pipelined = rnd(rng, 2);
            break;
        }
    }
}

/* format - one command line, without its line end */

static void format_step(const struct fz_step *s, char *buf, size_t size);

static void format(const struct fz_dialogue *d, const struct fz_step *s, char *buf, size_t size)
{
    size_t i;

    format_step(s, buf, size);
    /* RFC 5321 2.4: verbs are case-insensitive. */
    for (i = 0; d && d->lower_verbs && buf[i] && buf[i] != ' ' && buf[i] != ':'; i++)
        if (buf[i] >= 'A' && buf[i] <= 'Z')
            buf[i] = (char)(buf[i] - 'A' + 'a');
}

static void format_step(const struct fz_step *s, char *buf, size_t size)
{
    const char *colon = s->space_after_colon ? ": " : ":";

    switch (s->op) {
    case FZ_EHLO:
    case FZ_HELO:
        snprintf(buf, size, "%s %s", op_names[s->op], s->arg);
        break;
    case FZ_MAIL:
    case FZ_RCPT:
        snprintf(buf, size, "%s%s%s%s%s%s%s", s->op == FZ_MAIL ? "MAIL FROM" : "RCPT TO", colon,
                 s->no_brackets ? "" : "<", s->arg, s->no_brackets ? "" : ">",
                 s->params[0] ? " " : "", s->params);
        break;
    default:
        snprintf(buf, size, "%s", op_names[s->op]);
    }
}

/* saw - one more (command, reply) pair of this dialogue */

static void saw(struct fz_outcome *o, enum fz_op op, int code)
{
    if (o->nseen < FZ_SEEN_MAX)
        o->seen[o->nseen++] = (unsigned)op * 1000 + (unsigned)(code > 0 ? code : 0);
}

/* note_states - a dialogue's pairs into the distinct ones seen */

static void note_states(struct fuzzer *f, const struct fz_outcome *o)
{
    size_t i, j;

    for (i = 0; i < o->nseen; i++) {
        for (j = 0; j < f->nstates && f->states[j] != o->seen[i]; j++)
            ;
        if (j == f->nstates && f->nstates < FZ_STATES_MAX)
            f->states[f->nstates++] = o->seen[i];
    }
}

/* battery_seed - one of the battery's plain-session attempts as a dialogue */

static void battery_seed(const struct fuzzer *f, unsigned long *rng, struct fz_dialogue *d)
{
    const struct audit_attempt *a = &f->battery.a[rnd(rng, f->battery.n)];

    memset(d, 0, sizeof(*d));
    add_step(d, FZ_EHLO, a->helo);
    add_step(d, FZ_MAIL, a->from);
    add_step(d, FZ_RCPT, a->rcpt);
    add_step(d, FZ_DATA, NULL);
}

/* make_dialogue - dialogue k: now and then the seed itself, mostly a mutation of it */

static void make_dialogue(const struct fuzzer *f, unsigned long k, struct fz_dialogue *d)
{
    unsigned long rng = rng_for(f->p->seed, k);

    if (f->user)
        battery_seed(f, &rng, d);
    else
        *d = f->seed;
    if (rnd(&rng, 8) != 0)
        mutate(f->user ? &f->words : NULL, &rng, d);
}

/* message - a message whose Message-ID names its dialogue's tag, then end */

static void message(const struct fuzzer *f, unsigned long tag, const char *end, char *buf,
                    size_t size)
{
    snprintf(buf, size, "Message-ID: %s%lu%s\r\nSubject: relaylab fuzz\r\n\r\nfuzz%s",
             f->tag_prefix, tag, FZ_TAG_DOMAIN, end);
}

/* message_tag - the tag in a Message-ID the sink got (any bytes); 0 if not one of ours */

static unsigned long message_tag(const struct fuzzer *f, const char *id)
{
    size_t n = strlen(f->tag_prefix);
    const char *at;
    char digits[24];
    unsigned long long tag;

    if (strncmp(id, f->tag_prefix, n) != 0 || (at = strchr(id + n, '@')) == NULL ||
        strcmp(at, FZ_TAG_DOMAIN) != 0 || (size_t)(at - (id + n)) >= sizeof(digits))
        return 0;
    snprintf(digits, sizeof(digits), "%.*s", (int)(at - (id + n)), id + n);
    return number_parse_unsigned(digits, ULONG_MAX, &tag) == 0 ? (unsigned long)tag : 0;
}

/* fz_send - bytes as the fuzzer wrote them; 0 or -1 */

static int fz_send(struct engine *e, const char *bytes, size_t len)
{
    struct engine_step step = {.op = ENGINE_SEND, .body = bytes, .len = len};

    return engine_step(e, &step) == ENGINE_OK ? 0 : -1;
}

/* fz_read - one reply's code, or -1 */

static int fz_read(struct engine *e)
{
    struct engine_step step = {.op = ENGINE_READ};

    return engine_step(e, &step) == ENGINE_OK ? engine_last(e)->code : -1;
}

/*
 * got - the reply to a command: its pair seen, a victim accepted (with a
 * user's config any accepted recipient: the sink's oracle judges where
 * its mail went, not the address's look)
 */
static void got(const struct fuzzer *f, struct fz_outcome *o, const struct fz_step *s, int code)
{
    saw(o, s->op, code);
    if (s->op == FZ_RCPT && code / 100 == 2 && (f->user || victim(s->arg)))
        o->victim_accepted = 1;
}

/* why_broken - why the dialogue broke, where that is a finding */

static void why_broken(const struct fz_dialogue *d, struct engine *e, struct fz_outcome *o)
{
    const struct smtp_error *err = &engine_last(e)->err;

    o->broken = 1;
    /* The server hanging up is its right; breaking the protocol is not. */
    /* Waiting past a malformed line end is the server's right too. */
    if (err->cls == SMTP_ERR_PROTO || (err->cls == SMTP_ERR_TIMEOUT && !malformed(d))) {
        o->broke = err->cls;
        snprintf(o->detail, sizeof(o->detail), "%s%s%s", err->msg, err->reply[0] ? ": " : "",
                 err->reply);
    }
}

/*
 * exec_dialogue - send it, read every reply, deliver when a victim got
 * through; the message's Message-ID names tag. On any thread: it reads
 * f and writes only o.
 */
static void exec_dialogue(const struct fuzzer *f, const struct fz_dialogue *d, unsigned long tag,
                          struct fz_outcome *o)
{
    struct smtp_client_params params;
    struct smtp_tcp_params tcp = {0};
    struct engine *e;
    struct engine_step step;
    const char *eol = d->bare_lf == 1 ? "\n" : d->bare_lf == 2 ? "\r" : "\r\n";
    char line[FZ_LINE_MAX];
    char batch[FZ_STEPS_MAX * FZ_LINE_MAX];
    char body[300], end[16];
    size_t used = 0;
    size_t pending[FZ_STEPS_MAX];
    size_t npending = 0;
    int data_sent = 0;
    size_t i;

    memset(o, 0, sizeof(*o));
    smtp_client_params_default(&params);
    /*
     * Bare CR line ends: the server never sees a line end and rightly
     * waits; every such dialogue ends in a time-out, so keep it short.
     */
    params.step_timeout_ms = d->bare_lf == 2 ? 100 : 3000;
    params.total_timeout_ms = 20000;
    params.transcript_max = 65536;
    if ((e = engine_new(&params)) == NULL)
        return;
    tcp.host = f->inst->addr;
    tcp.port = "25";
    tcp.local_address = f->outside;
    step = (struct engine_step){.op = ENGINE_CONNECT, .tcp = &tcp};
    if (engine_step(e, &step) != ENGINE_OK || fz_read(e) < 0)
        goto broke;
    for (i = 0; i <= d->n; i++) {
        const struct fz_step *s = i < d->n ? &d->steps[i] : NULL;
        int code;

        if (s && d->pipelined && s->op != FZ_DATA) {
            /* RFC 2920: the group goes in one write; DATA ends a group. */
            format(d, s, line, sizeof(line));
            used += (size_t)snprintf(batch + used, sizeof(batch) - used, "%s%s", line, eol);
            pending[npending++] = i;
            continue;
        }
        if (npending) {
            size_t j;

            if (fz_send(e, batch, used) < 0)
                goto broke;
            /* Exactly one reply per command of the group. */
            for (j = 0; j < npending; j++) {
                if ((code = fz_read(e)) < 0)
                    goto broke;
                got(f, o, &d->steps[pending[j]], code);
            }
            used = 0;
            npending = 0;
        }
        if (s == NULL)
            break;
        format(d, s, line, sizeof(line));
        snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s", eol);
        if (fz_send(e, line, strlen(line)) < 0 || (code = fz_read(e)) < 0)
            goto broke;
        got(f, o, s, code);
        if (s->op == FZ_DATA && code == 354) {
            /* A variant end is followed by the real one, so the message ends. */
            snprintf(end, sizeof(end), "%s%s", data_ends[d->data_end],
                     d->data_end ? "\r\n.\r\n" : "");
            message(f, tag, end, body, sizeof(body));
            data_sent = 1;
            if (fz_send(e, body, strlen(body)) < 0 || (code = fz_read(e)) < 0)
                goto broke;
            saw(o, FZ_DATA, code + 1); /* distinct from DATA's own reply */
            o->data_ok |= code == 250;
        }
    }
    /* A victim got through but no message followed: send one, to prove it. */
    if (o->victim_accepted && !data_sent && engine_open(e)) {
        message(f, tag, "\r\n", body, sizeof(body));
        step = (struct engine_step){.op = ENGINE_DATA, .body = body, .len = strlen(body)};
        if (engine_step(e, &step) == ENGINE_OK && engine_last(e)->code == 250)
            o->data_ok = 1;
    }
    engine_free(e); /* QUIT said, not awaited */
    return;
broke:
    why_broken(d, e, o);
    engine_free(e);
}

/* pending_at - the i-th pending check, oldest first */

static struct fz_pending *pending_at(struct fuzzer *f, size_t i)
{
    return &f->pending[(f->pending_head + i) % FZ_PENDING_MAX];
}

/* pending_find - the pending check of dialogue k (they are in the order of k), or NULL */

static struct fz_pending *pending_find(struct fuzzer *f, unsigned long k)
{
    size_t lo = 0, hi = f->npending;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct fz_pending *p = pending_at(f, mid);

        if (p->k == k)
            return p;
        if (p->k < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/*
 * relayed_to - is mail for this address, as the sink got it, relayed? The
 * scenario's victim domain; with a user's config, the audit's oracle
 * (audit_relayed_to(): a domain the battery aimed at, not the config's own)
 */
static int relayed_to(struct fuzzer *f, const char *addr)
{
    const char *at = strrchr(addr, '@');
    struct smtp_error err;

    /*
     * A scenario's config may name the victim's domain its own (the
     * guide's virtual_mailbox_domains line names example.org): mail for
     * it there is delivery, not relay.
     */
    if (!f->user)
        return victim(addr) && !(at && audit_names_own(&f->names, at + 1));
    (void)err;
    return at && audit_relayed_to(&f->battery, &f->names, at + 1);
}

/*
 * sink_scan - the messages the sink got since the last look: a victim
 * among the recipients of a message tagged by a pending dialogue or by
 * minimize's probe marks it relayed. Mail that is not ours (a bounce, a
 * tag of another seed) proves nothing.
 */
static void sink_scan(struct fuzzer *f)
{
    size_t n = mta_sink_count(f->inst->sink);
    struct mta_sink_message m;

    for (; f->sink_seen < n; f->sink_seen++) {
        unsigned long tag;
        struct fz_pending *p;
        size_t j;

        if (mta_sink_get(f->inst->sink, f->sink_seen, &m) < 0 ||
            (tag = message_tag(f, m.message_id)) == 0)
            continue;
        for (j = 0; j < m.nrcpt && !relayed_to(f, m.rcpt[j]); j++)
            ;
        if (j == m.nrcpt)
            continue;
        if (tag == f->probe) {
            f->probe_relayed = 1;
        } else if ((p = pending_find(f, tag - 1)) != NULL && !p->relayed) {
            p->relayed = 1;
            snprintf(p->rcpt, sizeof(p->rcpt), "%s", m.rcpt[j]);
        }
    }
}

/* sink_wait - until the sink has more than it had, or until deadline (ms) */

static void sink_wait(struct fuzzer *f, long deadline)
{
    long left = deadline - mta_env_now_ms();

    if (left > 0)
        (void)mta_sink_wait(f->inst->sink, NULL, f->sink_seen, left, NULL);
}

/* reproduces - an open relay again with this dialogue? */

static int reproduces(struct fuzzer *f, const struct fz_dialogue *d)
{
    struct fz_outcome o;
    long deadline;

    /* Tags of probes count down from the top, dialogues' up from 1. */
    f->probe = ULONG_MAX - f->nprobes++;
    f->probe_relayed = 0;
    exec_dialogue(f, d, f->probe, &o);
    deadline = mta_env_now_ms() + FZ_SINK_WAIT_MS;
    if (o.victim_accepted && o.data_ok) {
        for (sink_scan(f); !f->probe_relayed && mta_env_now_ms() < deadline; sink_scan(f))
            sink_wait(f, deadline);
    }
    f->probe = 0;
    return f->probe_relayed;
}

/* minimize - drop steps, parameters, bare LF and pipelining while it still reproduces */

static void minimize(struct fuzzer *f, struct fz_dialogue *d)
{
    struct fz_dialogue t;
    size_t i;

    t = *d;
    t.bare_lf = 0;
    t.pipelined = 0;
    t.lower_verbs = 0;
    t.data_end = 0;
    for (i = 0; i < t.n; i++)
        t.steps[i].params[0] = 0, t.steps[i].space_after_colon = 0, t.steps[i].no_brackets = 0;
    if (reproduces(f, &t))
        *d = t;
    for (i = d->n; i-- > 0;) {
        if (d->n <= 2)
            break;
        t = *d;
        memmove(&t.steps[i], &t.steps[i + 1], (t.n - i - 1) * sizeof(t.steps[0]));
        t.n--;
        if (find(&t, FZ_RCPT) >= 0 && reproduces(f, &t))
            *d = t;
    }
}

/* write_finding - the dialogue's commands as the fuzzer sent them, CRLF and case aside */

static int write_finding(struct fuzzer *f, const struct fz_dialogue *d, const char *kind,
                         const char *detail, const char *relayed_to, char *path, size_t size,
                         struct smtp_error *err)
{
    char lines[FZ_STEPS_MAX][FZ_LINE_MAX];
    const char *commands[FZ_STEPS_MAX];
    struct run_fuzz_finding fnd = {
        .number = f->out->nfindings + 1,
        .kind = kind,
        .detail = detail,
        .commands = commands,
        .ncommands = d->n,
        .bare_lf = d->bare_lf,
        .odd_data_end = d->data_end != 0,
        .client = f->user ? f->outside : NULL,
        .relayed_to = relayed_to,
    };
    size_t i;

    for (i = 0; i < d->n; i++) {
        commands[i] = NULL; /* DATA: the scenario's data step, a message with it */
        if (d->steps[i].op != FZ_DATA) {
            format(NULL, &d->steps[i], lines[i], sizeof(lines[i]));
            commands[i] = lines[i];
        }
    }
    return run_fuzz_write_finding(f->p, &fnd, path, size, err);
}

/*
 * relayed_domain - with a user's config, the domain the relayed mail
 * reached, when a plain one (the finding's scenario expects no mail for
 * it: a fixed config may still accept the form and keep it local); NULL
 * otherwise (relay-denied)
 */
static const char *relayed_domain(const struct fuzzer *f, const char *rcpt)
{
    const char *at = strrchr(rcpt, '@');

    if (!f->user || at == NULL || !audit_names_domain_ok(at + 1) || at[1] == '[')
        return NULL;
    return at + 1;
}

/* fz_done - as many findings as asked for */

static int fz_done(const struct fuzzer *f)
{
    size_t n = f->out->nfindings;

    return n >= RUN_FUZZ_FINDINGS_MAX || (f->p->max_findings && n >= f->p->max_findings);
}

/*
 * finding_key - one finding per kind and sender domain: the recipient
 * tricks all lead to the same victim, and the sender is what a relay
 * policy mistakes for trust
 */
static void finding_key(const struct fuzzer *f, const struct fz_dialogue *d, const char *kind,
                        char *key, size_t size)
{
    int m = find(d, FZ_MAIL);
    const char *sender = m >= 0 ? d->steps[m].arg : "";
    const char *at = strrchr(sender, '@');
    char dom[128];
    size_t k;

    if (f->user) {
        /* A user's config: one finding per trick, whatever the sender's domain. */
        int h = find(d, FZ_EHLO) >= 0 ? find(d, FZ_EHLO) : find(d, FZ_HELO), r = find(d, FZ_RCPT);
        const char *helo = h >= 0 ? d->steps[h].arg : AUDIT_HELO;

        /* The audit's order: a sender, then a HELO name, then a recipient form. */
        snprintf(key, size, "%s by %s:", kind,
                 audit_family_name(
                     audit_battery_family(&f->battery, strcmp(helo, AUDIT_HELO) ? helo : NULL,
                                          m >= 0 && strcmp(sender, AUDIT_SENDER) ? sender : NULL,
                                          r >= 0 ? d->steps[r].arg : NULL)));
        return;
    }
    snprintf(dom, sizeof(dom), "%s", at ? at + 1 : (*sender ? "(no domain)" : "<>"));
    for (k = 0; dom[k]; k++)
        if (dom[k] >= 'A' && dom[k] <= 'Z')
            dom[k] = (char)(dom[k] - 'A' + 'a');
    if (k && dom[k - 1] == '.')
        dom[k - 1] = 0;
    snprintf(key, size, "%s for senders in %s:", kind, dom);
}

/* known - 1 when a finding has this key, or the key its simplest form had */

static int known(const struct fuzzer *f, const char *key)
{
    size_t i;

    for (i = 0; i < f->naliases; i++)
        if (strcmp(f->aliases[i][0], key) == 0) {
            key = f->aliases[i][1];
            break;
        }
    for (i = 0; i < f->out->nfindings; i++)
        if (strcmp(f->keys[i], key) == 0)
            return 1;
    return 0;
}

/*
 * simplify - with a user's config, a relay's sender and HELO name back to
 * the plain ones where it still relays without them: a relay by a trick
 * recipient that a mutation also gave a null sender is the recipient's
 * finding, not the null sender's
 */
static void simplify(struct fuzzer *f, struct fz_dialogue *d)
{
    static const struct {
        enum fz_op op;
        const char *plain;
    } parts[] = {{FZ_MAIL, AUDIT_SENDER}, {FZ_EHLO, AUDIT_HELO}, {FZ_HELO, AUDIT_HELO}};
    size_t i;

    for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        int at = find(d, parts[i].op);
        struct fz_dialogue t;

        if (at < 0 || strcmp(d->steps[at].arg, parts[i].plain) == 0)
            continue;
        t = *d;
        snprintf(t.steps[at].arg, FZ_ARG_MAX, "%s", parts[i].plain);
        if (reproduces(f, &t))
            *d = t;
    }
}

/*
 * finding - record one, minimized and written, unless its key has one
 * (looked at before minimizing, which costs dialogues and waits)
 */
static void finding(struct fuzzer *f, struct fz_dialogue *d, const char *kind, const char *detail,
                    const char *relayed_to)
{
    char path[1024] = "";
    char sig[512];
    char key[FZ_KEY_MAX];
    struct smtp_error err;
    size_t i;

    if (fz_done(f))
        return;
    finding_key(f, d, kind, key, sizeof(key));
    if (known(f, key))
        return;
    if (f->user && strcmp(kind, "open relay") == 0) {
        char simple[FZ_KEY_MAX];

        /* The trick is the simplest dialogue's: one recipient, plain where it may be. */
        simplify(f, d);
        minimize(f, d);
        finding_key(f, d, kind, simple, sizeof(simple));
        if (strcmp(simple, key) && f->naliases < sizeof(f->aliases) / sizeof(f->aliases[0])) {
            snprintf(f->aliases[f->naliases][0], FZ_KEY_MAX, "%s", key);
            snprintf(f->aliases[f->naliases++][1], FZ_KEY_MAX, "%s", simple);
        }
        if (known(f, simple))
            return;
        snprintf(key, sizeof(key), "%s", simple);
    }
    if (!f->user && strcmp(kind, "open relay") == 0)
        minimize(f, d);
    snprintf(sig, sizeof(sig), "%s", key);
    for (i = 0; i < d->n; i++)
        if (d->steps[i].op == FZ_MAIL || d->steps[i].op == FZ_RCPT)
            snprintf(sig + strlen(sig), sizeof(sig) - strlen(sig), " %s <%s>",
                     d->steps[i].op == FZ_MAIL ? "MAIL" : "RCPT", d->steps[i].arg);
    if (write_finding(f, d, kind, detail, relayed_to, path, sizeof(path), &err) < 0)
        snprintf(path, sizeof(path), "(not written: %s)", err.msg);
    snprintf(f->keys[f->out->nfindings], sizeof(f->keys[0]), "%s", key);
    snprintf(f->out->findings[f->out->nfindings++], sizeof(f->out->findings[0]), "%s (%s) -> %s",
             sig, detail, path);
}

/*
 * settle - the pending checks, oldest first: one whose victim's mail
 * came is an open relay, one whose time is up or whose key has a finding
 * goes. Waits for the sink while more than keep are left (SIZE_MAX:
 * never; 0: until none is).
 */
static void settle(struct fuzzer *f, size_t keep)
{
    sink_scan(f);
    while (f->npending && !fz_done(f)) {
        struct fz_pending *p = pending_at(f, 0);
        struct fz_pending done;
        struct fz_dialogue d;
        char detail[400];

        if (!p->relayed && !known(f, p->key) && mta_env_now_ms() < p->deadline) {
            if (f->npending <= keep)
                break;
            sink_wait(f, p->deadline);
            sink_scan(f);
            continue;
        }
        done = *p;
        f->pending_head = (f->pending_head + 1) % FZ_PENDING_MAX;
        f->npending--;
        if (!done.relayed || known(f, done.key))
            continue;
        make_dialogue(f, done.k, &d);
        snprintf(detail, sizeof(detail), "mail for <%.300s> reached the sink", done.rcpt);
        finding(f, &d, "open relay", detail, relayed_domain(f, done.rcpt));
    }
}

/* expect_mail - dialogue k had a victim and a message accepted: look for its mail later */

static void expect_mail(struct fuzzer *f, unsigned long k, const struct fz_dialogue *d)
{
    struct fz_pending *p;
    char key[FZ_KEY_MAX];

    finding_key(f, d, "open relay", key, sizeof(key));
    if (fz_done(f) || known(f, key))
        return;
    if (f->npending == FZ_PENDING_MAX)
        settle(f, FZ_PENDING_MAX - 1);
    if (f->npending == FZ_PENDING_MAX)
        return; /* only when fz_done() */
    p = pending_at(f, f->npending++);
    memset(p, 0, sizeof(*p));
    p->k = k;
    p->deadline = mta_env_now_ms() + FZ_SINK_WAIT_MS;
    snprintf(p->key, sizeof(p->key), "%s", key);
}

/* fz_item - one dialogue of the batch, on a worker; none once the time is up */

static void fz_item(void *ctx, size_t item)
{
    struct fuzzer *f = ctx;
    struct fz_slot *s = &f->slots[item];
    struct fz_dialogue d;

    if (mta_env_now_ms() >= f->end)
        return;
    make_dialogue(f, s->k, &d);
    exec_dialogue(f, &d, s->k + 1, &s->o);
    s->ran = 1;
}

/* absorb - a batch's outcomes in the order of k; -1 when the MTA died */

static int absorb(struct fuzzer *f, size_t n)
{
    const struct fz_slot *culprit = NULL, *last = NULL;
    struct fz_dialogue d;
    size_t i;

    for (i = 0; i < n; i++) {
        const struct fz_slot *s = &f->slots[i];

        if (!s->ran)
            continue;
        last = s;
        f->out->stats.dialogues++;
        note_states(f, &s->o);
        if (s->o.broken && culprit == NULL)
            culprit = s;
        if (s->o.broke == SMTP_ERR_PROTO || s->o.broke == SMTP_ERR_TIMEOUT) {
            make_dialogue(f, s->k, &d);
            finding(f, &d, s->o.broke == SMTP_ERR_PROTO ? "protocol violation" : "no reply",
                    s->o.detail, NULL);
        }
        if (s->o.victim_accepted && s->o.data_ok) {
            make_dialogue(f, s->k, &d);
            expect_mail(f, s->k, &d);
        }
    }
    if (mta_alive(f->inst))
        return 0;
    /* The first dialogue of the batch that broke, as it would be with one worker. */
    if ((culprit = culprit ? culprit : last) != NULL) {
        make_dialogue(f, culprit->k, &d);
        finding(f, &d, "MTA died", "the MTA process exited during the dialogue", NULL);
    }
    return -1;
}

/* fz_stats - the stats so far */

static void fz_stats(struct fuzzer *f, long t0)
{
    f->out->stats.elapsed_ms = mta_env_now_ms() - t0;
    f->out->stats.findings = f->out->nfindings;
    f->out->stats.states = f->nstates;
}

/*
 * fz_start_user - a user's config: its names, a client outside what it
 * trusts, the battery's port-25 attempts without AUTH or XCLIENT as seeds
 */
static int fz_start_user(struct fuzzer *f, struct mta_spec *spec, struct smtp_error *err)
{
    const struct run_fuzz_params *p = f->p;
    struct audit_listener smtp = {.name = "smtp", .port = 25};
    struct audit_battery_params bp = {0};
    struct lint_report rep;
    char where[AUDIT_WHERE_MAX];
    size_t i, n = 0;

    spec->user_main_cf = p->user_main_cf;
    spec->user_master_cf = p->user_master_cf;
    spec->user_exim_conf = p->user_exim_conf;
    if ((f->inst = mta_start(f->env, spec, err)) == NULL ||
        audit_names_load(f->inst, p->mta == MTA_POSTFIX ? p->user_main_cf : p->user_exim_conf,
                         &f->names, err) < 0)
        return -1;
    f->user = 1;
    if (audit_pick_client(&f->names, f->outside, sizeof(f->outside), where, sizeof(where)))
        return smtp_error_set(err, SMTP_ERR_USAGE, 0,
                              "every client address relaylab has is trusted (%s): a relay from "
                              "it proves nothing; run relaylab audit for the trust itself",
                              where);
    bp.names = &f->names;
    bp.listeners = &smtp;
    bp.nlisteners = 1;
    /* The words the config's permits key on (lint), as the audit has them. */
    audit_lint_config(p->mta, p->user_main_cf, p->user_exim_conf, &rep);
    audit_hints_from_lint(&rep, &f->hints);
    lint_report_free(&rep);
    bp.hint_senders = f->hints.sender_ptr;
    bp.nhint_senders = f->hints.nsenders;
    bp.hint_helos = f->hints.helo_ptr;
    bp.nhint_helos = f->hints.nhelos;
    bp.hint_localparts = f->hints.local_ptr;
    bp.nhint_localparts = f->hints.nlocals;
    if (audit_battery_build(&bp, &f->battery, err) < 0)
        return -1;
    for (i = 0; i < f->battery.n; i++)
        if (!f->battery.a[i].auth && !f->battery.a[i].xclient && !f->battery.a[i].smtputf8)
            f->battery.a[n++] = f->battery.a[i];
    f->battery.n = n;
    f->words.b = &f->battery;
    return 0;
}

/* fz_start - the MTA with the scenario variant's config, the seed dialogue; 0 or -1 */

static int fz_start(struct fuzzer *f, struct smtp_error *err)
{
    const struct run_fuzz_params *p = f->p;
    struct mta_spec spec;
    char acl[RUN_ACL_MAX];

    mta_spec_init(&spec, p->mta);
    if (p->user_main_cf || p->user_exim_conf)
        return fz_start_user(f, &spec, err);
    if (run_scenario_spec(p->scenario, p->mta, p->variant, &spec, acl, sizeof(acl), err) < 0)
        return -1;
    if (spec.no_listeners & MTA_LISTEN_SMTP)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0,
                              "the fuzzer talks to port 25, which this variant leaves out");
    if (mta_env_outside_addr(f->env, f->outside, sizeof(f->outside)) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0,
                              "the fuzzer's client must be outside the guide's mynetworks, which "
                              "needs relaylab's private network namespace");
    if ((f->inst = mta_start(f->env, &spec, err)) == NULL ||
        audit_names_load(f->inst, NULL, &f->names, err) < 0)
        return -1;
    seed_dialogue(f, &f->seed);
    return 0;
}

/* run_fuzz - batches of dialogues on the pool, the sink looked at between them */

int run_fuzz(struct mta_env *env, const struct run_fuzz_params *p, struct run_fuzz_result *out,
             struct smtp_error *err)
{
    struct fuzzer f;
    size_t jobs = p->jobs == 0 ? 1 : p->jobs > ENGINE_POOL_MAX ? ENGINE_POOL_MAX : p->jobs;
    size_t batch = jobs * FZ_BATCH_PER_JOB > FZ_BATCH_MAX ? FZ_BATCH_MAX : jobs * FZ_BATCH_PER_JOB;
    unsigned long k = 0;
    long t0, next_report;
    int rc = -1;

    memset(&f, 0, sizeof(f));
    memset(out, 0, sizeof(*out));
    f.env = env;
    f.p = p;
    f.out = out;
    snprintf(f.tag_prefix, sizeof(f.tag_prefix), "<relaylab-fuzz.%lu.", p->seed);
    f.slots = calloc(batch, sizeof(*f.slots));
    f.pending = calloc(FZ_PENDING_MAX, sizeof(*f.pending));
    if (f.slots == NULL || f.pending == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        goto out;
    }
    if (fz_start(&f, err) < 0)
        goto out;
    t0 = mta_env_now_ms();
    f.end = t0 + p->seconds * 1000;
    next_report = t0 + 1000;
    while (mta_env_now_ms() < f.end && !fz_done(&f)) {
        size_t i;

        for (i = 0; i < batch; i++)
            f.slots[i] = (struct fz_slot){.k = k++};
        if (engine_pool_run(jobs, batch, fz_item, &f) < 0) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot start the fuzzer's workers");
            goto out;
        }
        if (absorb(&f, batch) < 0)
            break;
        settle(&f, SIZE_MAX);
        fz_stats(&f, t0);
        if (p->progress && mta_env_now_ms() >= next_report) {
            p->progress(p->ctx, &out->stats);
            next_report += 1000;
        }
    }
    settle(&f, 0); /* the mail of the last dialogues */
    fz_stats(&f, t0);
    rc = 0;
out:
    if (f.inst)
        mta_stop(f.inst);
    audit_names_free(&f.names);
    audit_battery_free(&f.battery);
    free(f.slots);
    free(f.pending);
    return rc;
}

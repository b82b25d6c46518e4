/*++
 * NAME
 *	run 3
 * SUMMARY
 *	the scenario matrix: scenario x variant x MTA on real sandboxes
 * DESCRIPTION
 *	See run.h. Cells whose rendered config is the same form a batch:
 *	one sandbox instance, their dialogues one after another (so the
 *	sink never mixes two cells' messages). Batches run on worker
 *	threads; the runner's lock only guards the queue.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "number.h"
#include "engine.h"
#include "engine_pool.h"
#include "run.h"
#include "run_client.h"
#include "run_decide.h"
#include "run_plan.h"
#include "run_swaks.h"
#include "smtp_client.h"
#include "smtp_ehlo.h"
#include "smtp_sanitize.h"

#define OUTSIDE_ADDR_MAX 32
#define TX_NOTE_MAX 2048 /* one transcript line of relaylab's own, before sanitizing */

struct runner {
    struct mta_env *env;
    struct run_cell *cells;
    size_t ncells;
    const struct run_params *params;
    size_t done;   /* under lock */
    size_t *order; /* cell indices, batch after batch */
    size_t *batch; /* batch b is order[batch[b]] .. order[batch[b + 1] - 1] */
    size_t nbatches;
    pthread_mutex_t lock;
    char outside[OUTSIDE_ADDR_MAX]; /* a client address outside mynetworks */
    long long evidence_end;         /* under lock: the evidence file's next free byte */
};

/* The state of one cell's dialogues. */
struct cell_run {
    struct runner *r;
    struct run_cell *cell;
    struct mta_instance *inst;
    struct smtp_tls_ctx *tls;
    struct engine *e; /* every dialogue of the cell, one transcript */
    int connected;    /* a connect step succeeded in this dialogue */
    int last_rcpt_code;
    char last_rcpt[320];
    char last_rcpt_reply[600];
    int last_data_code;
    char last_msgid[200];   /* the Message-Id of the last DATA's message */
    char last_listener[32]; /* the last connect's */
    int last_was_auth;      /* the last command was AUTH */
    int na_dialogue;        /* the dialogue found not applicable, or -1 */
    int skip_dialogue;      /* the dialogue whose client cannot be here, or -1 */
    size_t sink_from;       /* sink messages before this cell's dialogues */
    long sink_wait_ms;
    struct run_decide decide; /* the deciding step: its reply, expectations, log lines */
};

/* run_params_default - 2 jobs, shared instances, the default time-outs */

void run_params_default(struct run_params *params)
{
    memset(params, 0, sizeof(*params));
    params->jobs = 2;
    params->step_timeout_ms = RUN_STEP_TIMEOUT_MS;
    params->total_timeout_ms = RUN_TOTAL_TIMEOUT_MS;
    params->evidence_fd = -1;
}

/*
 * spill - a finished cell's texts appended to the evidence file, out of
 * memory, at the next free offset (reserved under the runner's lock).
 */
static void spill(struct runner *r, struct run_cell *cell)
{
    size_t total;
    long long off;

    if (!r->params->evidence)
        return;
    total = run_cell_text_bytes(cell);
    pthread_mutex_lock(&r->lock);
    off = r->evidence_end;
    r->evidence_end += (long long)total;
    pthread_mutex_unlock(&r->lock);
    (void)run_cell_spill(cell, r->params->evidence_fd, off);
}

/* build_spec - the cell's config: the user's own files, and the scenario's overrides */

static int build_spec(struct cell_run *cr, struct mta_spec *spec, char acl[][RUN_ACL_MAX],
                      struct smtp_error *err)
{
    const struct run_params *p = cr->r->params;

    mta_spec_init(spec, cr->cell->mta);
    spec->target = cr->cell->target;
    if (cr->cell->mta == MTA_POSTFIX) {
        spec->user_main_cf = p->postfix_main_cf;
        spec->user_master_cf = p->postfix_master_cf;
    } else {
        spec->user_exim_conf = p->exim_conf;
    }
    return run_scenario_spec(cr->cell->scenario, cr->cell->mta, cr->cell->variant, spec, acl[0],
                             sizeof(acl[0]), err);
}

/* close_client - end the connection (QUIT, not waiting: Exim waits 200 ms) */

static void close_client(struct cell_run *cr)
{
    engine_close(cr->e);
    cr->connected = 0;
}

/* failed - the first failed expectation is what the report names */

static void failed(struct cell_run *cr, const struct scenario_step *st, const char *expected,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static const char *not_applicable(struct cell_run *cr, const struct scenario_step *st);

/* dialogue_not_applicable - st's dialogue is not applicable here, for why: skip its rest */

static void dialogue_not_applicable(struct cell_run *cr, const struct scenario_step *st,
                                    const char *why)
{
    struct run_cell *cell = cr->cell;

    cr->na_dialogue = st->dialogue;
    engine_note(cr->e, SMTP_TX_INFO, "not applicable: %s (%s:%d)", why, st->pos.file, st->pos.line);
    if (cell->status == RUN_PASS) {
        cell->status = RUN_NOT_APPLICABLE;
        snprintf(cell->message, sizeof(cell->message), "%s:%d: not applicable: %s", st->pos.file,
                 st->pos.line, why);
    }
}

static void failed(struct cell_run *cr, const struct scenario_step *st, const char *expected,
                   const char *fmt, ...)
{
    struct run_cell *cell = cr->cell;
    const char *why;
    va_list ap;

    if (st->dialogue == cr->na_dialogue)
        return; /* the rest of a dialogue the config has no door for */
    if ((why = not_applicable(cr, st)) != NULL) {
        dialogue_not_applicable(cr, st, why);
        return;
    }
    cell->failed++;
    if (cell->failed > 1)
        return;
    run_decide_failed(&cr->decide, st);
    cell->fail_pos = st->pos;
    snprintf(cell->fail_step, sizeof(cell->fail_step), "%s", st->source);
    snprintf(cell->expected, sizeof(cell->expected), "%s", expected);
    va_start(ap, fmt);
    vsnprintf(cell->actual, sizeof(cell->actual), fmt, ap);
    va_end(ap);
    engine_note(cr->e, SMTP_TX_FAIL, "FAILED %s:%d: %s", st->pos.file, st->pos.line, st->source);
    engine_note(cr->e, SMTP_TX_FAIL, "  expected: %s", expected);
    engine_note(cr->e, SMTP_TX_FAIL, "  actual:   %s", cell->actual);
}

/*
 * open_relay - an open relay at st: the cell's status, and its record,
 * whatever failed before in it (a STARTTLS refused earlier is not what
 * the report must name)
 */
static void open_relay(struct cell_run *cr, const struct scenario_step *st, const char *expected,
                       const char *actual)
{
    size_t before = cr->cell->failed;

    cr->cell->status = RUN_OPEN_RELAY;
    cr->na_dialogue = -1;
    cr->cell->failed = 0;
    failed(cr, st, expected, "%s", actual);
    cr->cell->failed = before + 1;
}

/*
 * not_applicable - with a user's config (run --postfix-config/--exim-
 * config), why st's failure means the config has no door for the check
 * rather than a wrong answer: the listener is not configured, or AUTH is
 * not offered (or not enabled); NULL otherwise
 */
static const char *not_applicable(struct cell_run *cr, const struct scenario_step *st)
{
    static __thread char why[120];
    const struct run_params *p = cr->r->params;
    const struct engine_reply *r = engine_last(cr->e);

    if (p->postfix_main_cf == NULL && p->exim_conf == NULL)
        return NULL;
    if (!cr->connected && r->connect_refused) {
        snprintf(why, sizeof(why), "the config has no %s listener", cr->last_listener);
        return why;
    }
    if (st->op == SCN_EXPECT_AUTH_OFFERED)
        return "the config offers no AUTH on this listener";
    if (cr->last_was_auth && r->code >= 0 &&
        (r->code == 502 || r->code == 503 || !(engine_caps(cr->e) & SMTP_EHLO_AUTH)))
        return "the config has no AUTH here";
    return NULL;
}

/* actual_reply - the last reply as a report string */

static const char *actual_reply(struct cell_run *cr)
{
    static __thread char buf[600];
    const struct engine_reply *r = engine_last(cr->e);

    if (r->code < 0)
        snprintf(buf, sizeof(buf), "no reply (%s: %s)", smtp_error_class_name(r->err.cls),
                 r->err.msg);
    else
        snprintf(buf, sizeof(buf), "%s", r->text);
    return buf;
}

/* check_reply - S: CODE [ENH] ["text"] */

static void check_reply(struct cell_run *cr, const struct scenario_step *st)
{
    struct engine_expect x = {st->code, st->code_class, st->enhanced, st->text};

    cr->cell->checks++;
    if (!engine_match(engine_last(cr->e), &x))
        failed(cr, st, st->source + 3, "%s", actual_reply(cr));
}

/* connect - a new client on a listener, from a client address */

static int do_connect(struct cell_run *cr, const struct scenario_step *st)
{
    struct engine_step step = {.op = ENGINE_CONNECT};
    struct smtp_tcp_params tcp = {0};
    char port[16];
    char why[300];
    const char *from;
    int p;

    close_client(cr);
    snprintf(cr->last_listener, sizeof(cr->last_listener), "%s", st->arg);
    cr->last_data_code = 0; /* a message of an earlier connection is not this one's */
    cr->last_msgid[0] = 0;
    p = run_client_port(cr->inst, st->arg);
    snprintf(port, sizeof(port), "%d", p);
    engine_note(cr->e, SMTP_TX_BEGIN, "%s:%d: %s", st->pos.file, st->pos.line, st->source);
    if (run_client_where(cr->r->env, cr->inst, st->arg2, cr->r->outside, &from, &tcp.host, why,
                         sizeof(why)) < 0) {
        dialogue_not_applicable(cr, st, why);
        cr->skip_dialogue = st->dialogue; /* none of its steps can run */
        return 0;
    }
    tcp.port = port;
    tcp.local_address = from;
    tcp.implicit_tls = strcmp(st->arg, "smtps") == 0 || p == 465;
    tcp.tls_ctx = cr->tls;
    tcp.sni = MTA_HOSTNAME;
    tcp.verify_name = MTA_HOSTNAME;
    step.tcp = &tcp;
    if (engine_step(cr->e, &step) != ENGINE_OK)
        return 0; /* the reply an "S:" sees is "no reply (...)"; connection-refused can tell */
    cr->connected = 1;
    /* The banner is the reply a following "S:" checks. */
    step = (struct engine_step){.op = ENGINE_READ};
    (void)engine_step(cr->e, &step);
    return 0;
}

/* default_body - a short message with a unique Message-Id */

static void default_body(struct cell_run *cr, char *buf, size_t size)
{
    char name[200];

    run_cell_name(cr->cell, name, sizeof(name));
    snprintf(cr->last_msgid, sizeof(cr->last_msgid), "<%.150s.%ld@relaylab.test>",
             cr->cell->scenario->id, mta_env_now_ms());
    snprintf(buf, size,
             "From: <sender@relaylab.test>\r\nTo: <%s>\r\nSubject: relaylab %s\r\n"
             "Message-Id: %s\r\n\r\nrelaylab scenario %s\r\n",
             cr->last_rcpt, name, cr->last_msgid, name);
}

/* check_relayed - expect relayed / open-relay: accepted, and in the sink */

static void check_relayed(struct cell_run *cr, const struct scenario_step *st, const char *rcpt,
                          long wait_t0)
{
    struct mta_sink_message m;

    if (cr->last_data_code != 250) {
        failed(cr, st, "the message accepted (250 after DATA) and in the sink",
               "the message was not accepted (%d): %s", cr->last_data_code, actual_reply(cr));
    } else if (!mta_sink_wait(cr->inst->sink, rcpt, cr->sink_from, RUN_RELAY_WAIT_MS, &m) &&
               (cr->sink_wait_ms = -1)) {
        failed(cr, st, "the message in the capture sink",
               "accepted, but nothing reached the sink for %s within %d ms", rcpt,
               RUN_RELAY_WAIT_MS);
    } else {
        engine_note(cr->e, SMTP_TX_INFO,
                    "sink: msg-%lu from <%s> to <%s> (%zu bytes), %ld ms after the "
                    "check began",
                    m.id, m.mail_from, m.rcpt[0], m.size, mta_env_now_ms() - wait_t0);
        cr->cell->relay_wait_ms += mta_env_now_ms() - wait_t0;
        if (st->op == SCN_EXPECT_OPEN_RELAY)
            cr->cell->open_relay_found = 1;
    }
}

/* at_domain - 1 if the address's domain is domain (case-blind, a trailing dot aside) */

static int at_domain(const char *addr, const char *domain)
{
    const char *at = strrchr(addr, '@');
    size_t n = strlen(domain), m;

    while (n && domain[n - 1] == '.')
        n--;
    if (at == NULL)
        return 0;
    m = strlen(++at);
    while (m && at[m - 1] == '.')
        m--;
    return m == n && strncasecmp(at, domain, n) == 0;
}

/*
 * check_no_relay_to - expect no-relay-to DOMAIN: the cell's last message
 * (by its Message-Id) reached the sink for no recipient at DOMAIN. A
 * refused RCPT or DATA passes at once; an accepted message is waited for
 * (local mail reaches the sink too) and judged by where it went, not by
 * how its address looked at RCPT.
 */
static void check_no_relay_to(struct cell_run *cr, const struct scenario_step *st)
{
    long deadline = mta_env_now_ms() + RUN_RELAY_WAIT_MS;
    size_t seen = cr->sink_from;
    struct mta_sink_message m;

    if (cr->last_rcpt_code / 100 == 2 && cr->last_data_code == 0) {
        /* Accepted, and nothing sent to judge by: the scenario must say data first. */
        failed(cr, st, "a data step before it", "RCPT %s was accepted and no message sent",
               cr->last_rcpt);
        return;
    }
    if (cr->last_rcpt_code / 100 != 2 || cr->last_data_code != 250)
        return;
    for (;;) {
        size_t n = mta_sink_count(cr->inst->sink);

        for (; seen < n; seen++) {
            size_t i;

            if (mta_sink_get(cr->inst->sink, seen, &m) < 0 || strcmp(m.message_id, cr->last_msgid))
                continue;
            for (i = 0; i < m.nrcpt; i++)
                if (at_domain(m.rcpt[i], st->arg)) {
                    char actual[MTA_SINK_ADDR_MAX + 64];

                    snprintf(actual, sizeof(actual), "msg-%lu for <%s> at the sink", m.id,
                             m.rcpt[i]);
                    open_relay(cr, st, "no message for that domain", actual);
                    return;
                }
            engine_note(cr->e, SMTP_TX_INFO, "sink: msg-%lu went to <%s>, not to %s", m.id,
                        m.nrcpt ? m.rcpt[0] : "", st->arg);
            return;
        }
        if (mta_env_now_ms() >= deadline)
            break;
        (void)mta_sink_wait(cr->inst->sink, NULL, seen, deadline - mta_env_now_ms(), NULL);
    }
    engine_note(cr->e, SMTP_TX_INFO, "sink: the message accepted did not arrive within %d ms",
                RUN_RELAY_WAIT_MS);
}

/* run_expect - an "S:" or "expect" step: judge what the dialogue did */

static void run_expect(struct cell_run *cr, const struct scenario_step *st)
{
    const char *rcpt = st->arg ? st->arg : cr->last_rcpt;
    long wait_t0 = mta_env_now_ms();

    /* <postmaster> comes back qualified with the server's domain. */
    if (strchr(rcpt, '@') == NULL)
        rcpt = NULL;

    run_decide_expect(&cr->decide, st);
    cr->cell->checks++;
    switch (st->op) {
    case SCN_EXPECT_REPLY:
        cr->cell->checks--; /* check_reply counts */
        check_reply(cr, st);
        return;
    case SCN_EXPECT_RELAYED:
    case SCN_EXPECT_OPEN_RELAY:
        check_relayed(cr, st, rcpt, wait_t0);
        return;
    case SCN_EXPECT_RELAY_DENIED:
        if (cr->last_rcpt_code / 100 == 4 || cr->last_rcpt_code / 100 == 5)
            return;
        if (cr->last_rcpt_code / 100 == 2) {
            char actual[1000];

            snprintf(actual, sizeof(actual), "RCPT %s answered %s", cr->last_rcpt,
                     cr->last_rcpt_reply);
            open_relay(cr, st, "RCPT refused (4xx or 5xx)", actual);
            return;
        }
        failed(cr, st, "RCPT refused (4xx or 5xx)", "RCPT %s answered %s", cr->last_rcpt,
               cr->last_rcpt_reply);
        return;
    case SCN_EXPECT_NO_RELAY_TO:
        check_no_relay_to(cr, st);
        return;
    case SCN_EXPECT_CONNECTION_REFUSED:
        if (!engine_last(cr->e)->connect_refused)
            failed(cr, st, "the connection refused (nothing listens)", "connected: %s",
                   actual_reply(cr));
        return;
    case SCN_EXPECT_CONNECTION_CLOSED: {
        /* Postfix's smtpd dies on a fatal config error: the client sees the connection end. */
        const struct engine_reply *last = engine_last(cr->e);

        /* A connection that never was is not one the server ended (connection-refused). */
        if (last->connect_refused ||
            !(last->code == 421 || (last->code < 0 && last->err.cls == SMTP_ERR_CONN)))
            failed(cr, st, "the server ended the session (connection closed, or 421)", "%s",
                   actual_reply(cr));
        return;
    }
    case SCN_EXPECT_AUTH_OFFERED:
    case SCN_EXPECT_AUTH_NOT_OFFERED:
    case SCN_EXPECT_STARTTLS_OFFERED: {
        unsigned bit = st->op == SCN_EXPECT_STARTTLS_OFFERED ? SMTP_EHLO_STARTTLS : SMTP_EHLO_AUTH;
        int want = st->op != SCN_EXPECT_AUTH_NOT_OFFERED;

        if (!!(engine_caps(cr->e) & bit) != want)
            failed(cr, st, st->source + 7, "the last EHLO reply %s: %s",
                   want ? "did not offer it" : "offered it", actual_reply(cr));
        return;
    }
    default:
        return;
    }
}

/* run_command - a "C:"-side step: one engine step, its reply kept for the checks after it */

static void run_command(struct cell_run *cr, const struct scenario_step *st)
{
    struct engine_step step = {0};
    char body[1024];

    engine_note(cr->e, SMTP_TX_STEP, "%s:%d: %s", st->pos.file, st->pos.line, st->source);
    if (!cr->connected) {
        failed(cr, st, "a connection", "no connection: the dialogue has no 'connect' before this");
        return;
    }
    step.arg = st->arg;
    switch (st->op) {
    case SCN_EHLO:
    case SCN_HELO:
        step.op = st->op == SCN_EHLO ? ENGINE_EHLO : ENGINE_HELO;
        step.arg = st->arg ? st->arg : "client.relaylab.test";
        break;
    case SCN_STARTTLS:
        step.op = ENGINE_STARTTLS;
        break;
    case SCN_AUTH:
        step.op = ENGINE_AUTH;
        step.mech = smtp_ehlo_auth_mech(st->arg, strlen(st->arg));
        run_client_creds(cr->r->env, st->arg2, &step.user, &step.pass);
        break;
    case SCN_MAIL:
        step.op = ENGINE_MAIL;
        step.arg = strcmp(st->arg, "<>") == 0 ? "" : st->arg;
        break;
    case SCN_RCPT:
        step.op = ENGINE_RCPT;
        break;
    case SCN_DATA:
        default_body(cr, body, sizeof(body));
        step.op = ENGINE_DATA;
        step.body = body;
        step.len = strlen(body);
        break;
    case SCN_RSET:
        step.op = ENGINE_RSET;
        break;
    case SCN_NOOP:
        step.op = ENGINE_NOOP;
        break;
    case SCN_QUIT:
        step.op = ENGINE_QUIT;
        break;
    case SCN_RAW:
        step.op = ENGINE_RAW;
        break;
    default:
        return;
    }
    (void)engine_step(cr->e, &step); /* the "S:" lines after it judge the reply */
    cr->last_was_auth = st->op == SCN_AUTH;
    if (st->op == SCN_DATA)
        cr->last_data_code = engine_last(cr->e)->code;
    /* A raw RCPT counts for relay-denied as the rcpt step does. */
    if (st->op == SCN_RCPT || (st->op == SCN_RAW && strncasecmp(st->arg, "RCPT TO:", 8) == 0)) {
        snprintf(cr->last_rcpt, sizeof(cr->last_rcpt), "%s",
                 st->op == SCN_RCPT ? st->arg : st->arg + 8);
        cr->last_rcpt_code = engine_last(cr->e)->code;
        snprintf(cr->last_rcpt_reply, sizeof(cr->last_rcpt_reply), "%s", actual_reply(cr));
    }
}

/* run_step - one step of a dialogue */

static void run_step(struct cell_run *cr, const struct scenario_step *st)
{
    if (st->op < SCN_EXPECT_REPLY)
        run_decide_command(&cr->decide, st);
    if (st->op == SCN_CONNECT)
        do_connect(cr, st);
    else if (st->op >= SCN_EXPECT_REPLY)
        run_expect(cr, st);
    else
        run_command(cr, st);
    if (st->op < SCN_EXPECT_REPLY)
        run_decide_reply(&cr->decide, actual_reply(cr));
}

/* run_cell_on - one cell's dialogues on a running instance */

static void run_cell_on(struct runner *r, struct run_cell *cell, struct mta_instance *inst,
                        int first, struct run_decide_quiet *quiet)
{
    struct cell_run cr;
    struct smtp_error err;
    char *text = NULL;
    size_t size = 0;
    long t0 = mta_env_now_ms();
    long log_from = mta_instance_file_size(inst, inst->log_path);
    struct smtp_error read_err;
    struct smtp_client_params ep;
    FILE *tx;
    size_t i;

    memset(&cr, 0, sizeof(cr));
    cr.r = r;
    cr.cell = cell;
    cr.inst = inst;
    cr.na_dialogue = cr.skip_dialogue = -1;
    /* Postfix logs through postlogd, after it replies; a refusal as "...: reject: ...". */
    run_decide_init(&cr.decide, inst, cell->mta == MTA_POSTFIX ? "reject: " : NULL, quiet);
    cell->status = RUN_PASS;
    smtp_error_clear(&err);
    smtp_client_params_default(&ep);
    ep.step_timeout_ms =
        r->params->step_timeout_ms > 0 ? r->params->step_timeout_ms : RUN_STEP_TIMEOUT_MS;
    ep.total_timeout_ms =
        r->params->total_timeout_ms > 0 ? r->params->total_timeout_ms : RUN_TOTAL_TIMEOUT_MS;
    ep.pipelining = 0;
    if ((cr.e = engine_new(&ep)) == NULL) {
        cell->status = RUN_ERROR;
        snprintf(cell->message, sizeof(cell->message), "out of memory");
        run_cell_sanitize(cell);
        return;
    }
    cell->mta_start_ms = first ? inst->start_ms : 0;
    cell->mta_config = mta_instance_read(inst, inst->config_path, 0, &read_err);
    if (cell->mta == MTA_POSTFIX) {
        char master[sizeof(inst->dir) + 16];

        snprintf(master, sizeof(master), "%s/master.cf", inst->dir);
        cell->mta_master = mta_instance_read(inst, master, 0, &read_err);
    }
    run_cell_instance(cell, inst);
    if (!first)
        engine_note(cr.e, SMTP_TX_INFO, "%s instance shared with the cells before (same config)",
                    mta_kind_name(cell->mta));
    for (i = 0; i < inst->nrewrites; i++)
        engine_note(cr.e, SMTP_TX_INFO, "the sandbox rewrote %s", inst->rewrites[i]);
    if ((cr.tls = smtp_tls_client_ctx(SMTP_TLS_VERIFY_NAME, inst->ca_path, &err)) == NULL) {
        cell->status = RUN_ERROR;
        snprintf(cell->message, sizeof(cell->message), "TLS: %s", err.msg);
        goto out;
    }
    cr.sink_from = mta_sink_count(inst->sink);
    for (i = 0; i < cell->scenario->nsteps; i++) {
        const struct scenario_step *st = &cell->scenario->steps[i];

        if (i > 0 && st->dialogue != cell->scenario->steps[i - 1].dialogue) {
            run_decide_close(&cr.decide); /* before QUIT: its log lines are not the step's */
            close_client(&cr);
        }
        if (st->dialogue != cr.skip_dialogue &&
            scenario_applies(&st->where, scenario_mta_bit(mta_kind_name(cell->mta)), cell->variant,
                             run_cell_release_bit(cell)))
            run_step(&cr, st);
    }
    run_decide_close(&cr.decide);
    close_client(&cr);
    cell->dialogue_ms = mta_env_now_ms() - t0;
    /* An MTA that died under the cell did not give its verdicts: whatever answered did. */
    if (!mta_alive(inst)) {
        cell->status = RUN_ERROR;
        snprintf(cell->message, sizeof(cell->message),
                 "%s exited during the cell: its replies are not to be trusted (see its log)",
                 mta_kind_name(cell->mta));
        goto out;
    }
    cell->swaks_ms = -1;
    if (r->params->compare_swaks)
        run_swaks_cell(cell, r->env, inst, r->outside);
    if (cell->failed > 0 && (cell->status == RUN_PASS || cell->status == RUN_NOT_APPLICABLE))
        cell->status = RUN_FAIL;
    if (cell->failed > 0)
        snprintf(cell->message, sizeof(cell->message), "%s:%d: %s: expected %s, got %s",
                 cell->fail_pos.file, cell->fail_pos.line, cell->fail_step, cell->expected,
                 cell->actual);
out:
    close_client(&cr);
    run_decide_keep(&cr.decide, cell);
    if ((cell->mta_log = mta_instance_read(inst, inst->log_path, log_from, &read_err)) == NULL)
        cell->mta_log = strdup(read_err.msg); /* e.g. a link planted in its place: not followed */
    smtp_tls_ctx_free(cr.tls);
    /* The transcript for people, every line sanitized on the way. */
    if ((tx = open_memstream(&text, &size)) != NULL) {
        smtp_transcript_write(tx, engine_transcript(cr.e), 0);
        fclose(tx);
    }
    engine_free(cr.e);
    cell->transcript = text ? text : strdup("(out of memory)");
    cell->ms = mta_env_now_ms() - t0 + (first ? inst->start_ms : 0);
    run_cell_sanitize(cell);
    spill(r, cell);
}

/* run_batch - start one instance, run cells [first, first+n) that share its config */

static void run_batch(struct runner *r, size_t *idx, size_t n)
{
    struct cell_run cr;
    struct mta_spec spec;
    struct smtp_error err;
    char acl[1][RUN_ACL_MAX];                 /* per batch: batches run on several threads */
    struct run_decide_quiet quiet = {.n = 0}; /* the instance's steps that log nothing */
    struct mta_instance *inst = NULL;
    size_t i;

    memset(&cr, 0, sizeof(cr));
    cr.r = r;
    cr.cell = &r->cells[idx[0]];
    cr.na_dialogue = cr.skip_dialogue = -1;
    smtp_error_clear(&err);
    if (build_spec(&cr, &spec, acl, &err) == 0)
        inst = mta_start(r->env, &spec, &err);
    for (i = 0; i < n; i++) {
        struct run_cell *cell = &r->cells[idx[i]];

        if (inst == NULL) {
            cell->status = RUN_ERROR;
            char start[64];

            /* mta_start's own words may already say it. */
            snprintf(start, sizeof(start), "%s did not start: ", mta_kind_name(cell->mta));
            snprintf(cell->message, sizeof(cell->message), "%s%s",
                     strncmp(err.msg, start, strlen(start)) == 0 ? "" : start, err.msg);
            run_cell_sanitize(cell);
            cell->transcript = strdup(cell->message);
        } else {
            run_cell_on(r, cell, inst, i == 0, &quiet);
        }
        pthread_mutex_lock(&r->lock);
        r->done++;
        if (r->params->progress)
            r->params->progress(r->params->progress_ctx, r->done, r->ncells, cell);
        pthread_mutex_unlock(&r->lock);
    }
    mta_stop(inst);
}

/* batch_item - one batch, on a pool worker */

static void batch_item(void *arg, size_t b)
{
    struct runner *r = arg;

    run_batch(r, r->order + r->batch[b], r->batch[b + 1] - r->batch[b]);
}

/*
 * make_batches - the cells that share an instance (run_plan_cell_instances(),
 * the rule --list shows), batch b being instance b: numbered in the order
 * of their first cell, each batch's cells in cell order. Linear.
 */
static int make_batches(struct runner *r, struct smtp_error *err)
{
    size_t n = r->ncells, i;
    size_t *instance = malloc((n ? n : 1) * sizeof(size_t));
    long nb;

    r->order = malloc((n ? n : 1) * sizeof(size_t));
    if (instance == NULL || r->order == NULL) {
        free(instance);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    }
    if ((nb = run_plan_cell_instances(r->cells, n, r->params, instance, err)) < 0 ||
        (r->batch = calloc((size_t)nb + 2, sizeof(size_t))) == NULL) {
        free(instance);
        return nb < 0 ? -1 : smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    }
    r->nbatches = (size_t)nb;
    /* Counting sort: batch[b] is where batch b starts in order. */
    for (i = 0; i < n; i++)
        r->batch[instance[i] + 2]++;
    for (i = 2; i < r->nbatches + 2; i++)
        r->batch[i] += r->batch[i - 1];
    for (i = 0; i < n; i++)
        r->order[r->batch[instance[i] + 1]++] = i;
    free(instance);
    return 0;
}

int run_matrix(struct mta_env *env, struct run_cell *cells, size_t ncells,
               const struct run_params *params, struct smtp_error *err)
{
    struct runner r;
    int jobs = params->jobs < 1 ? 1 : params->jobs > 64 ? 64 : params->jobs;
    int rc = -1;
    int i;

    memset(&r, 0, sizeof(r));
    r.env = env;
    r.cells = cells;
    r.ncells = ncells;
    r.params = params;
    pthread_mutex_init(&r.lock, NULL);
    (void)mta_env_outside_addr(env, r.outside, sizeof(r.outside)); /* "": none (shared network) */

    if (make_batches(&r, err) < 0)
        goto out;
    /*
     * One Dovecot for every instance, started by this thread, which
     * outlives the workers (PR_SET_PDEATHSIG follows the spawning thread).
     */
    if (mta_env_share_dovecot(env, err) < 0)
        goto out;
    if (engine_pool_run((size_t)jobs, r.nbatches, batch_item, &r) < 0) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot start worker threads");
        goto out;
    }
    /* A cell no worker took (out of memory) is an error, not a silent pass. */
    for (i = 0; (size_t)i < ncells; i++)
        if (!cells[i].sanitized) {
            cells[i].status = RUN_ERROR;
            snprintf(cells[i].message, sizeof(cells[i].message), "the cell did not run");
            run_cell_sanitize(&cells[i]);
        }
    rc = 0;
out:
    free(r.order);
    free(r.batch);
    pthread_mutex_destroy(&r.lock);
    return rc;
}

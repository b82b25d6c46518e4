/*++
 * NAME
 *	audit 3
 * SUMMARY
 *	an open-relay audit of a config
 * DESCRIPTION
 *	See audit.h.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "audit_exec.h"
#include "audit_hints.h"
#include "engine.h"
#include "lint.h"
#include "lint_exim.h"
#include "lint_postfix.h"
#include "smtp_sanitize.h"
#include "smtp_tls.h"

/* take_listeners - the instance's listeners, port 25 first */

static void take_listeners(struct audit_result *r, const struct mta_instance *inst)
{
    size_t i, n = 0;

    for (int pass = 0; pass < 2; pass++)
        for (i = 0; i < inst->nlisteners && n < MTA_LISTENERS_MAX; i++) {
            const struct mta_listener *l = &inst->listeners[i];

            if ((pass == 0) != (l->port == 25))
                continue;
            snprintf(r->listener_names[n], sizeof(r->listener_names[0]), "%s", l->name);
            memset(&r->listeners[n], 0, sizeof(r->listeners[n]));
            r->listeners[n].name = r->listener_names[n];
            r->listeners[n].port = l->port;
            r->listeners[n].implicit_tls = l->implicit_tls;
            n++;
        }
    r->nlisteners = n;
}

/*
 * audit_relayed_to - the oracle: mail delivered for domain is relayed when
 * the domain is one the battery aimed at (a victim, a look-alike, a
 * foreign literal: chosen by the client, foreign by making) and not one
 * the config names as its own. Mail a config forwards to a fixed address
 * of its own choosing (a catch-all to the owner's ISP) is not: the client
 * did not choose where it went.
 */
int audit_relayed_to(const struct audit_battery *b, const struct audit_names *n, const char *domain)
{
    return audit_battery_victim(b, domain) && !audit_names_own(n, domain);
}

/* judge - one message of this run at the sink: which recipients are foreign */

static int judge(struct audit_result *r, const struct mta_sink_message *m, size_t k,
                 struct smtp_error *err)
{
    (void)err;
    struct audit_verdict *v = &r->verdicts[k];
    size_t i;

    v->arrived = 1;
    for (i = 0; i < m->nrcpt; i++) {
        const char *at = strrchr(m->rcpt[i], '@');
        int own;

        if (at == NULL)
            continue; /* unqualified: delivered here */
        own = !audit_relayed_to(&r->battery, &r->names, at + 1);
        if (!own && !v->relayed) {
            v->relayed = 1;
            snprintf(v->delivered_to, sizeof(v->delivered_to), "%s", m->rcpt[i]);
        }
    }
    return 0;
}

/*
 * queue_id - the id the MTA gave the message, from its reply to the end
 * of data: Postfix "250 2.0.0 Ok: queued as 3F69465", Exim "250 OK
 * id=1tIabc-000001-2x"; into id with a separator the log puts after it
 * (Postfix "3F69465:", Exim "1tIabc-000001-2x "), "" if none
 */
static void queue_id(const char *reply, char *id, size_t size)
{
    const char *p;
    size_t n;

    id[0] = 0;
    if ((p = strstr(reply, "queued as ")) != NULL) {
        p += 10;
        n = strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZbcdfghjklmnpqrstvwxyz");
        if (n > 4 && n + 2 < size)
            snprintf(id, size, "%.*s:", (int)n, p);
    } else if ((p = strstr(reply, "id=")) != NULL) {
        p += 3;
        n = strspn(p, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");
        if (n > 8 && n + 2 < size)
            snprintf(id, size, "%.*s ", (int)n, p);
    }
}

/*
 * all_finished - 1 when the MTA's log says it is done with every accepted
 * message the sink has not seen (Postfix "QUEUEID: removed", Exim "ID
 * Completed"): a bounced or dropped one will never come, and waiting for
 * it is waiting for nothing.
 */
static int all_finished(const struct audit_result *r, const struct mta_instance *inst)
{
    struct smtp_error err;
    char *log = mta_instance_read(inst, inst->log_path, 0, &err);
    size_t k;
    int done = 1;

    if (log == NULL)
        return 0;
    for (k = 0; k < r->battery.n && done; k++) {
        char id[64], end[80];

        if (r->outcomes[k].data != 250 || r->verdicts[k].arrived)
            continue;
        queue_id(r->outcomes[k].reply, id, sizeof(id));
        /*
         * Done: delivered or bounced and removed, or deferred (Postfix
         * "status=deferred", Exim "ID == "): with no queue runner in the
         * sandbox, a deferred message will not come either.
         */
        snprintf(end, sizeof(end), "%s%s", id,
                 inst->kind == MTA_POSTFIX ? " removed" : "Completed");
        done = id[0] && strstr(log, end) != NULL;
        if (!done && id[0] && inst->kind == MTA_EXIM) {
            /* "ID == ": deferred; "ID Frozen": a bounce of a null sender's mail. */
            snprintf(end, sizeof(end), "%s== ", id);
            done = strstr(log, end) != NULL;
            snprintf(end, sizeof(end), "%sFrozen", id);
            done = done || strstr(log, end) != NULL;
        } else if (!done && id[0]) {
            const char *at = strstr(log, id);

            for (; at && !done; at = strstr(at + 1, id)) {
                const char *eol = strchr(at, '\n');

                done = eol && (size_t)(eol - at) < 1024 &&
                       memmem(at, (size_t)(eol - at), "status=deferred", 15) != NULL;
            }
        }
    }
    free(log);
    return done;
}

/* settle - wait until the sink has every accepted message, or the time is up; judge them */

static int settle(struct audit_result *r, struct mta_instance *inst, const char *tag,
                  long settle_ms, struct smtp_error *err)
{
    size_t want = 0, got = 0, seen = 0, k;
    long deadline = mta_env_now_ms() + settle_ms;
    long next_look = mta_env_now_ms() + 300;

    for (k = 0; k < r->battery.n; k++)
        want += r->outcomes[k].data == 250;
    for (;;) {
        size_t n = mta_sink_count(inst->sink);

        for (; seen < n; seen++) {
            struct mta_sink_message m;
            long t;

            if (mta_sink_get(inst->sink, seen, &m) < 0 ||
                (t = audit_dialogue_tag(tag, m.message_id)) < 0 || (size_t)t >= r->battery.n)
                continue; /* not ours: a bounce, or a hostile MTA's own */
            got += !r->verdicts[t].arrived;
            if (judge(r, &m, (size_t)t, err) < 0)
                return -1;
        }
        if (got >= want || mta_env_now_ms() >= deadline ||
            (mta_env_now_ms() >= next_look && all_finished(r, inst)))
            break;
        next_look = mta_env_now_ms() + 200;
        (void)mta_sink_wait(inst->sink, NULL, seen, 200, NULL);
    }
    return 0;
}

/* subsumed - a simpler attempt also relayed: k is no finding of its own */

static int subsumed(const struct audit_result *r, size_t k)
{
    const struct audit_attempt *a = &r->battery.a[k];
    size_t j;

    for (j = 0; j < r->battery.n; j++) {
        const struct audit_attempt *s = &r->battery.a[j];

        if (!r->verdicts[j].relayed || j == k)
            continue;
        if (audit_attempt_subsumes(s, a))
            return 1;
        /* Port 25's plain relay explains another listener's plain one. */
        if (s->parts == 0 && s->listener == 0 && a->parts == 0 && a->listener > 0)
            return 1;
    }
    return 0;
}

/* log_lines - the MTA's log lines of the relayed message (by its queue id), else its RCPT */

static void log_lines(struct audit_finding *f, const char *log, const struct audit_attempt *a,
                      const struct audit_outcome *o)
{
    char id[64];
    const char *p = log;

    queue_id(o->reply, id, sizeof(id));
    while (p && *p && f->nlog < AUDIT_LOG_LINES) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char line[1024];

        snprintf(line, sizeof(line), "%.*s", (int)len, p);
        if (id[0] ? strstr(line, id) != NULL : strcasestr(line, a->rcpt) != NULL)
            snprintf(f->log[f->nlog++], sizeof(f->log[0]), "%.*s", (int)sizeof(f->log[0]) - 1,
                     line);
        p = end ? end + 1 : NULL;
    }
}

/* add_finding - k's relay into a finding of its family, or a new one */

static void add_finding(struct audit_result *r, size_t k)
{
    const struct audit_attempt *a = &r->battery.a[k];
    enum audit_family fam = r->client_trusted ? AUDIT_TRUSTED_NETWORK : a->family;
    const char *lname = r->listeners[a->listener].name;
    struct audit_finding *f = NULL;
    size_t i;

    for (i = 0; i < r->nfindings; i++)
        if (r->findings[i].family == fam)
            f = &r->findings[i];
    if (f == NULL) {
        if (r->nfindings == AUDIT_FINDINGS_MAX)
            return;
        f = &r->findings[r->nfindings++];
        memset(f, 0, sizeof(*f));
        f->family = fam;
        f->attempt = k;
        snprintf(f->delivered_to, sizeof(f->delivered_to), "%s", r->verdicts[k].delivered_to);
        if (r->client_trusted)
            snprintf(f->where, sizeof(f->where), "%s", r->client_where);
    }
    f->variants++;
    if (strstr(f->listeners, lname) == NULL)
        snprintf(f->listeners + strlen(f->listeners), sizeof(f->listeners) - strlen(f->listeners),
                 "%s%s", f->listeners[0] ? ", " : "", lname);
}

/* not_applicable - the families this config gives no door to */

static void not_applicable(struct audit_result *r)
{
    int auth = 0, xclient = 0, utf8 = 0;
    size_t i;

    for (i = 0; i < r->nlisteners; i++) {
        auth |= r->listeners[i].auth_plain || r->listeners[i].auth_tls;
        xclient |= r->listeners[i].xclient;
        utf8 |= r->listeners[i].smtputf8;
    }
#define NA(...)                                                                                    \
    if (r->nna < AUDIT_NA_MAX)                                                                     \
    snprintf(r->not_applicable[r->nna++], sizeof(r->not_applicable[0]), __VA_ARGS__)
    if (r->nlisteners < 2)
        NA("submission-open: no listener but port 25 (no submission, no smtps)");
    if (!auth)
        NA("auth-bypass: no listener offers AUTH");
    if (!xclient)
        NA("xclient: no listener offers XCLIENT");
    if (!utf8)
        NA("smtputf8: no listener offers SMTPUTF8");
#undef NA
}

/* findings - the sink's verdicts into findings, with the log's lines */

static void findings(struct audit_result *r, struct mta_instance *inst)
{
    struct smtp_error err;
    char *log;
    size_t k, i;

    for (k = 0; k < r->battery.n; k++) {
        const struct audit_outcome *o = &r->outcomes[k];

        r->accepted += o->rcpt / 100 == 2;
        r->broken += o->mail < 0 || o->rcpt < 0 || o->data < 0 || o->session_code < 0;
        r->not_run += o->stage == AUDIT_NOT_RUN;
        r->deferred += o->deferred;
        r->unconfirmed += o->data == 250 && !r->verdicts[k].arrived;
        if (o->data == 250 && !r->verdicts[k].arrived && !r->verdicts[k].relayed) {
            /*
             * Accepted for a domain the client chose and never delivered
             * (queued, held, deferred): the relay was taken; only its
             * delivery is unseen. A finding, marked so.
             */
            const char *at = strrchr(r->battery.a[k].rcpt, '@');

            if (at && !r->battery.a[k].forms && audit_relayed_to(&r->battery, &r->names, at + 1)) {
                r->verdicts[k].relayed = 1;
                snprintf(r->verdicts[k].delivered_to, sizeof(r->verdicts[k].delivered_to),
                         "%.250s (accepted, not delivered: queued or held)", r->battery.a[k].rcpt);
            }
        }
        r->relayed += r->verdicts[k].relayed;
        if (r->verdicts[k].relayed && !subsumed(r, k))
            add_finding(r, k);
    }
    smtp_error_clear(&err);
    log = mta_instance_read(inst, inst->log_path, 0, &err);
    for (i = 0; log && i < r->nfindings; i++)
        log_lines(&r->findings[i], log, &r->battery.a[r->findings[i].attempt],
                  &r->outcomes[r->findings[i].attempt]);
    free(log);
}

/*
 * The lint checks that can name the line behind a relay of each family,
 * in the order to look for them (audit_lint_lines()).
 */
static const char *const *lint_ids(enum audit_family f)
{
    static const char *const open[] = {"relay-check-missing", "bare-permit", "relay-domains-any",
                                       "restriction-order", NULL};
    static const char *const client[] = {"client-controlled-permit", "bare-permit", NULL};
    static const char *const look[] = {"regexp-unanchored", "wildcard-no-dot", "relay-domains-any",
                                       NULL};
    static const char *const forms[] = {"alias-capture-domain", "percent-hack", NULL};
    static const char *const lit[] = {"relay-domains-any", "client-controlled-permit", NULL};
    static const char *const nets[] = {"network-wide", NULL};

    switch (f) {
    case AUDIT_WIDE_OPEN:
    case AUDIT_SUBMISSION_OPEN:
        return open;
    case AUDIT_SENDER_PERMIT:
    case AUDIT_NULL_SENDER:
    case AUDIT_HELO_PERMIT:
    case AUDIT_LOCALPART_PERMIT:
        return client;
    case AUDIT_LOOKALIKE:
    case AUDIT_CASE:
        return look;
    case AUDIT_PERCENT:
    case AUDIT_BANG:
    case AUDIT_SOURCE_ROUTE:
    case AUDIT_QUOTED:
    case AUDIT_MULTI_AT:
    case AUDIT_SRS_BATV:
    case AUDIT_TRAILING_DOT:
        return forms;
    case AUDIT_LITERAL:
        return lit;
    case AUDIT_TRUSTED_NETWORK:
    case AUDIT_XCLIENT:
        return nets;
    default:
        return NULL;
    }
}

/*
 * lint_lines - each finding without a line yet gets the line static
 * analysis (lint) names for its family, where it names one: the config
 * lines responsible, as far as the text tells
 */
static void lint_lines(struct audit_result *r, const struct lint_report *rep)
{
    size_t i, k;

    for (i = 0; i < r->nfindings; i++) {
        struct audit_finding *f = &r->findings[i];
        const char *const *ids = lint_ids(f->family);

        for (; !f->where[0] && ids && *ids; ids++)
            for (k = 0; k < rep->n && !f->where[0]; k++) {
                const struct lint_finding *l = &rep->findings[k];
                const char *base = strrchr(l->file, '/');

                if (l->line > 0 && l->severity != LINT_INFO && strcmp(l->id, *ids) == 0) {
                    (void)base;
                    snprintf(f->where, sizeof(f->where), "%.300s:%d: [%s] %.150s", l->file, l->line,
                             l->id, l->excerpt);
                    snprintf(f->fix, sizeof(f->fix), "%.399s", l->fix);
                }
            }
    }
}

/*
 * postfix_says - when Postfix would not start on the user's config, what
 * postconf says of it (Postfix's master tells syslog only): "main.cf,
 * line 12: missing '='" is the user's to fix, an input error
 */
static void postfix_says(const struct audit_params *p, struct smtp_error *err)
{
    char dir[] = "/tmp/relaylab-postconf.XXXXXX", path[64], out[4096],
         clean[SMTP_SANITIZE_SIZE(600)];
    char *argv[] = {"/usr/sbin/postconf", "-c", dir, "-n", NULL};
    const char *bad;
    struct smtp_error ignored;
    char *text;
    FILE *fp;
    int rc = -1;

    /*
     * A copy, the directories Postfix loads from (meta_directory names
     * dynamicmaps.cf, which names shared objects) forced at its end: the
     * user's main.cf is never read by a Postfix program as it is, as root.
     */
    if ((text = mta_read_file(p->postfix_main_cf, &ignored)) == NULL || mkdtemp(dir) == NULL) {
        free(text);
        return;
    }
    snprintf(path, sizeof(path), "%s/main.cf", dir);
    if ((fp = fopen(path, "wx")) != NULL) {
        rc = fprintf(fp,
                     "%s\nmeta_directory = /etc/postfix\nshlib_directory = /usr/lib/postfix\n"
                     "daemon_directory = /usr/lib/postfix/sbin\n",
                     text) < 0;
        rc |= fclose(fp) != 0;
        rc = rc ? -1 : audit_exec_all(argv, out, sizeof(out), 10000, &ignored);
    }
    unlink(path);
    rmdir(dir);
    free(text);
    if (rc < 0 ||
        ((bad = strstr(out, "fatal: ")) == NULL && (bad = strstr(out, "warning: ")) == NULL))
        return;
    snprintf(clean, sizeof(clean), "%.*s", (int)strcspn(bad, "\n"), bad);
    smtp_sanitize_str(clean, out, sizeof(out));
    smtp_error_set(err, SMTP_ERR_USAGE, 0, "postconf on your config: %.500s", out);
}

/* start - the user's config in the sandbox */

static struct mta_instance *start(struct mta_env *env, const struct audit_params *p,
                                  struct smtp_error *err)
{
    struct mta_spec spec;
    struct mta_instance *inst;

    mta_spec_init(&spec, p->mta);
    spec.user_main_cf = p->postfix_main_cf;
    spec.user_master_cf = p->postfix_master_cf;
    spec.user_exim_conf = p->exim_conf;
    if ((inst = mta_start(env, &spec, err)) == NULL && p->mta == MTA_POSTFIX)
        postfix_says(p, err);
    return inst;
}

/* battery - the names, the client, the listeners, the attempts */

static int battery(struct audit_result *r, const struct audit_params *p,
                   const struct mta_instance *inst, struct audit_target *t,
                   const struct lint_report *rep, struct smtp_error *err)
{
    struct audit_battery_params bp = {0};
    static __thread struct audit_hints h;
    const char *user = p->mta == MTA_POSTFIX ? p->postfix_main_cf : p->exim_conf;

    if (audit_names_load(inst, user, &r->names, err) < 0)
        return -1;
    take_listeners(r, inst);
    t->listeners = r->listeners;
    t->nlisteners = r->nlisteners;
    if (audit_dialogue_listeners(t, r->banner, sizeof(r->banner), err) < 0)
        return -1;
    audit_client_choose(r, t);
    audit_client_pool(r);
    bp.names = &r->names;
    bp.banner_name = audit_names_domain_ok(r->banner) ? r->banner : NULL;
    bp.domains = p->domains;
    bp.ndomains = p->ndomains;
    bp.victims = p->victims;
    bp.nvictims = p->nvictims;
    bp.listeners = r->listeners;
    bp.nlisteners = r->nlisteners;
    audit_hints_from_lint(rep, &h);
    bp.hint_senders = h.sender_ptr;
    bp.nhint_senders = h.nsenders;
    bp.hint_helos = h.helo_ptr;
    bp.nhint_helos = h.nhelos;
    bp.hint_localparts = h.local_ptr;
    bp.nhint_localparts = h.nlocals;
    if (audit_battery_build(&bp, &r->battery, err) < 0)
        return -1;
    r->outcomes = calloc(r->battery.n ? r->battery.n : 1, sizeof(*r->outcomes));
    r->verdicts = calloc(r->battery.n ? r->battery.n : 1, sizeof(*r->verdicts));
    if (r->outcomes == NULL || r->verdicts == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    return 0;
}

int audit_run(struct mta_env *env, const struct audit_params *p, struct audit_result *r,
              struct smtp_error *err)
{
    struct audit_target t = {0};
    struct lint_report rep = {0};
    struct mta_instance *inst;
    char tag[64];
    long t0 = mta_env_now_ms();
    size_t i;
    int rc = -1;

    memset(r, 0, sizeof(*r));
    if ((inst = start(env, p, err)) == NULL)
        return -1;
    for (i = 0; i < inst->nrewrites && i < MTA_REWRITES_MAX; i++)
        snprintf(r->rewrites[r->nrewrites++], sizeof(r->rewrites[0]), "%s", inst->rewrites[i]);
    snprintf(r->server, sizeof(r->server), "%s", inst->addr);
    snprintf(tag, sizeof(tag), "relaylab-audit.%ld.%ld", (long)time(NULL), t0);
    t.host = inst->addr;
    t.send_data = 1;
    t.tag = tag;
    t.jobs = p->jobs;
    if ((t.tls = smtp_tls_client_ctx(SMTP_TLS_VERIFY_NONE, NULL, err)) == NULL)
        goto out;
    audit_lint_config(p->mta, p->postfix_main_cf, p->exim_conf, &rep);
    if (battery(r, p, inst, &t, &rep, err) < 0)
        goto out;
    t.client_addr = r->client;
    t.clients = r->pool_ptr;
    t.nclients = r->npool;
    t.deadline_ms = mta_env_now_ms() + (p->budget_ms ? p->budget_ms : 300000);
    if (audit_dialogue_run(&t, &r->battery, r->outcomes, err) < 0 ||
        settle(r, inst, tag, p->settle_ms ? p->settle_ms : 10000, err) < 0)
        goto out;
    findings(r, inst);
    lint_lines(r, &rep);
    not_applicable(r);
    rc = 0;
out:
    lint_report_free(&rep);
    smtp_tls_ctx_free(t.tls);
    mta_stop(inst);
    r->ms = mta_env_now_ms() - t0;
    return rc;
}

void audit_result_free(struct audit_result *r)
{
    audit_names_free(&r->names);
    audit_battery_free(&r->battery);
    free(r->outcomes);
    free(r->verdicts);
    r->outcomes = NULL;
    r->verdicts = NULL;
}

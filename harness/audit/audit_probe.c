/*++
 * NAME
 *	audit_probe 3
 * SUMMARY
 *	the relay-attempt battery against a live server
 * DESCRIPTION
 *	See audit_probe() in audit.h. Names come from what the server says
 *	(its banner and EHLO name, and the domain above it) and from the
 *	user (--domain); politeness from the rate and the number of
 *	connections; tarpits, 421 and dropped connections are the
 *	dialogue's business (audit_dialogue: a new connection, one retry).
 *--*/
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "smtp_tls.h"
#include "smtp_transport.h"

/* own - 1 if domain d is the server's: one of the battery's, its name, its literal */

static int own(const struct audit_result *r, const char *d)
{
    char lit[80];
    size_t n = strlen(d), i;

    while (n && d[n - 1] == '.')
        n--;
    snprintf(lit, sizeof(lit), "[%s]", r->names.server_addr);
    if (strlen(lit) == n && strncasecmp(lit, d, n) == 0)
        return 1;
    if (strlen(r->names.hostname) == n && strncasecmp(r->names.hostname, d, n) == 0)
        return 1;
    for (i = 0; i < r->battery.ndomains; i++)
        if (strlen(r->battery.domains[i]) == n && strncasecmp(r->battery.domains[i], d, n) == 0)
            return 1;
    return 0;
}

/* names - what the server says it is, and what the user says it serves */

static void names(struct audit_result *r, const struct audit_probe_params *p)
{
    const char *dot;

    r->names.kind = MTA_KINDS; /* none: no config to ask */
    unsigned char bin[16];

    /* Address literals only of an address: a name in brackets is no literal. */
    if (inet_pton(AF_INET, p->host, bin) == 1)
        snprintf(r->names.server_addr, sizeof(r->names.server_addr), "%s", p->host);
    else if (inet_pton(AF_INET6, p->host, bin) == 1)
        snprintf(r->names.server_addr, sizeof(r->names.server_addr), "IPv6:%s", p->host);
    if (audit_names_domain_ok(r->banner) && r->banner[0] != '[') {
        size_t i;

        for (i = 0; r->banner[i] && i + 1 < sizeof(r->names.hostname); i++)
            r->names.hostname[i] =
                (char)(r->banner[i] | 0x20 * (r->banner[i] >= 'A' && r->banner[i] <= 'Z'));
        r->names.hostname[i] = 0;
        /* mx.example.com serves example.com, most likely: tried, not assumed. */
        if ((dot = strchr(r->names.hostname, '.')) != NULL && strchr(dot + 1, '.'))
            snprintf(r->names.domains[r->names.ndomains++], AUDIT_NAME_MAX, "%s", dot + 1);
    }
}

/* verdicts - accepted RCPTs as relays for the grouping; own-domain ones marked */

static void verdicts(struct audit_result *r)
{
    size_t k;

    for (k = 0; k < r->battery.n; k++) {
        const struct audit_attempt *a = &r->battery.a[k];
        const struct audit_outcome *o = &r->outcomes[k];
        const char *at = strrchr(a->rcpt, '@');

        r->accepted += o->rcpt / 100 == 2;
        r->broken += o->mail < 0 || o->rcpt < 0 || o->session_code < 0;
        r->not_run += o->stage == AUDIT_NOT_RUN;
        r->deferred += o->deferred;
        if (o->rcpt / 100 != 2)
            continue;
        r->verdicts[k].relayed = 1;
        r->verdicts[k].arrived = at && own(r, at + 1); /* here: "stays with the server" */
        snprintf(r->verdicts[k].delivered_to, sizeof(r->verdicts[k].delivered_to), "%s", a->rcpt);
        r->relayed++;
    }
}

/* group - findings: foreign acceptances first, own-domain ones marked */

static void group(struct audit_result *r)
{
    size_t k, i;

    for (k = 0; k < r->battery.n; k++) {
        const struct audit_attempt *a = &r->battery.a[k];
        struct audit_finding *f = NULL;
        size_t j;
        int sub = 0;

        if (!r->verdicts[k].relayed)
            continue;
        for (j = 0; j < r->battery.n && !sub; j++)
            sub = r->verdicts[j].relayed && audit_attempt_subsumes(&r->battery.a[j], a);
        if (sub)
            continue;
        for (i = 0; i < r->nfindings; i++)
            if (r->findings[i].family == a->family)
                f = &r->findings[i];
        if (f == NULL && r->nfindings < AUDIT_FINDINGS_MAX) {
            f = &r->findings[r->nfindings++];
            memset(f, 0, sizeof(*f));
            f->family = a->family;
            f->attempt = k;
            f->own_domain = r->verdicts[k].arrived;
            snprintf(f->delivered_to, sizeof(f->delivered_to), "%s", a->rcpt);
            snprintf(f->listeners, sizeof(f->listeners), "%s", r->listeners[0].name);
        }
        if (f) {
            f->variants++;
            /* One foreign acceptance makes the family's finding a foreign one. */
            if (f->own_domain && !r->verdicts[k].arrived) {
                f->own_domain = 0;
                f->attempt = k;
                snprintf(f->delivered_to, sizeof(f->delivered_to), "%s", a->rcpt);
            }
        }
    }
}

/*
 * only_to_confirm - with --confirm, the attempts whose mail, if relayed,
 * goes to the user's own mailbox and nowhere else: no look-alike or
 * literal domain (someone's), no other local part (postmaster, abuse, an
 * upper-case or UTF-8 one at the user's domain)
 */
static void only_to_confirm(struct audit_battery *b, const char *domain)
{
    size_t i, n = 0;

    for (i = 0; i < b->n; i++) {
        const struct audit_attempt *a = &b->a[i];

        if (strcasecmp(a->victim, domain) != 0 || a->family == AUDIT_LOCALPART_PERMIT ||
            a->family == AUDIT_CASE || a->family == AUDIT_SMTPUTF8)
            continue;
        b->a[n++] = *a;
    }
    b->n = n;
}

int audit_probe(const struct audit_probe_params *p, struct audit_result *r, struct smtp_error *err)
{
    struct audit_target t = {0};
    struct audit_battery_params bp = {0};
    const char *victim_domain[1];
    char user[AUDIT_ADDR_MAX];
    char tag[64];
    long t0 = smtp_transport_now();
    int rc = -1;

    memset(r, 0, sizeof(*r));
    r->probe = 1;
    snprintf(r->server, sizeof(r->server), "%s", p->host);
    snprintf(r->client, sizeof(r->client), "%s", p->client_addr ? p->client_addr : "(any)");
    r->listeners[0].port = p->port ? p->port : p->tls_on_connect ? 465 : 25;
    if (r->listeners[0].port == 25 || r->listeners[0].port == 587 || r->listeners[0].port == 465)
        snprintf(r->listener_names[0], sizeof(r->listener_names[0]), "%s",
                 r->listeners[0].port == 25    ? "smtp"
                 : r->listeners[0].port == 587 ? "submission"
                                               : "smtps");
    else
        snprintf(r->listener_names[0], sizeof(r->listener_names[0]), "port %d",
                 r->listeners[0].port);
    r->listeners[0].name = r->listener_names[0];
    r->listeners[0].implicit_tls = p->tls_on_connect;
    r->nlisteners = 1;
    snprintf(tag, sizeof(tag), "relaylab-probe.%ld", t0);
    t.host = p->host;
    t.client_addr = p->client_addr;
    t.listeners = r->listeners;
    t.nlisteners = 1;
    t.tag = tag;
    t.jobs = p->jobs ? p->jobs : 2;
    t.rate = p->rate > 0 ? p->rate : 5;
    t.step_timeout_ms = p->step_timeout_ms ? p->step_timeout_ms : 30000;
    if ((t.tls = smtp_tls_client_ctx(SMTP_TLS_VERIFY_NONE, NULL, err)) == NULL)
        return -1;
    if (audit_dialogue_listeners(&t, r->banner, sizeof(r->banner), err) < 0)
        goto out;
    names(r, p);
    bp.names = &r->names;
    bp.banner_name = r->names.hostname[0] ? r->names.hostname : NULL;
    bp.domains = p->domains;
    bp.ndomains = p->ndomains;
    bp.victims = p->victims;
    bp.nvictims = p->nvictims;
    bp.listeners = r->listeners;
    bp.nlisteners = 1;
    if (p->confirm) {
        /* Every relay attempt aims at the user's own mailbox, and only there goes DATA. */
        const char *at = strrchr(p->confirm, '@');

        snprintf(user, sizeof(user), "%.*s", at ? (int)(at - p->confirm) : 0, p->confirm);
        victim_domain[0] = at ? at + 1 : "";
        bp.victims = victim_domain;
        bp.nvictims = 1;
        bp.victim_user = user;
        t.send_data = 1;
        snprintf(r->confirm, sizeof(r->confirm), "%s", p->confirm);
    }
    if (audit_battery_build(&bp, &r->battery, err) < 0)
        goto out;
    if (p->confirm)
        only_to_confirm(&r->battery, victim_domain[0]);
    r->outcomes = calloc(r->battery.n ? r->battery.n : 1, sizeof(*r->outcomes));
    r->verdicts = calloc(r->battery.n ? r->battery.n : 1, sizeof(*r->verdicts));
    if (r->outcomes == NULL || r->verdicts == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        goto out;
    }
    t.deadline_ms = smtp_transport_now() + (p->budget_ms ? p->budget_ms : 300000);
    if (audit_dialogue_run(&t, &r->battery, r->outcomes, err) < 0)
        goto out;
    verdicts(r);
    group(r);
    rc = 0;
out:
    smtp_tls_ctx_free(t.tls);
    r->ms = smtp_transport_now() - t0;
    return rc;
}

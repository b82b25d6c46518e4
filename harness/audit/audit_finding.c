/*++
 * NAME
 *	audit_finding 3
 * SUMMARY
 *	an audit's findings as scenarios that relaylab run replays
 * DESCRIPTION
 *	See audit_write_scenarios() in audit.h. A finding's scenario is its
 *	minimal attempt, from the same client address, each command as the
 *	client's own line (C:), and "expect no-relay-to DOMAIN" on the
 *	domain the relayed mail reached: with the hole there, the run finds
 *	that mail at the sink and reports OPEN RELAY; with it closed, the
 *	RCPT is refused, or the mail stays local, and the cell passes.
 *--*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "scenario.h"
#include "smtp_sanitize.h"

#define LINES_MAX 8

/* The finding's scenario, and the strings it points to. */
struct model {
    struct scenario s;
    char id[SCENARIO_ID_MAX + 1];
    char title[200];
    char victim[AUDIT_NAME_MAX];
    char lines[LINES_MAX][AUDIT_ADDR_MAX + 40];
    size_t nlines;
    char head[2048];
};

static void add_step(struct scenario *s, enum scenario_op op, const char *arg, const char *arg2)
{
    s->steps[s->nsteps++] = (struct scenario_step){.op = op, .arg = arg, .arg2 = arg2};
}

/* raw - one client line of the model */

static const char *raw(struct model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *raw(struct model *m, const char *fmt, ...)
{
    va_list ap;
    char *line = m->lines[m->nlines++];

    va_start(ap, fmt);
    vsnprintf(line, sizeof(m->lines[0]), fmt, ap);
    va_end(ap);
    return line;
}

/* head_add - comment lines, clean: a LF in a name would end the comment */

static void head_add(struct model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void head_add(struct model *m, const char *fmt, ...)
{
    char text[1024], clean[SMTP_SANITIZE_SIZE(1024)];
    size_t used = strlen(m->head), room;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    smtp_sanitize_str(text, clean, sizeof(clean));
    /* Cut to fit, never without its line end: a comment must not run into the scenario. */
    if (used + 4 >= sizeof(m->head))
        return;
    room = sizeof(m->head) - used - 4;
    if (strlen(clean) > room) {
        clean[room] = 0;
        while (room > 0 && ((unsigned char)clean[room - 1] & 0xc0) == 0x80)
            clean[--room] = 0; /* not in the middle of a UTF-8 character */
        if (room > 0 && (unsigned char)clean[room - 1] >= 0xc0)
            clean[--room] = 0;
    }
    snprintf(m->head + used, sizeof(m->head) - used, "# %s\n", clean);
}

/* dialogue - the minimal attempt as steps; -1 when a scenario cannot say it */

static int dialogue(struct model *m, const struct audit_result *r, const struct audit_attempt *a)
{
    struct scenario *s = &m->s;
    const char *const *auth = audit_auth_lines(a->auth);

    if (a->auth == AUDIT_AUTH_LOGIN_EMPTY)
        return -1; /* empty client lines: no C: line holds one */
    s->dialogues[s->ndialogues++].name = "relay";
    add_step(s, SCN_CONNECT, r->listeners[a->listener].name,
             audit_client_of(r, (size_t)(a - r->battery.a)));
    add_step(s, SCN_EXPECT_REPLY, NULL, NULL);
    s->steps[s->nsteps - 1].code = 220;
    add_step(s, SCN_EHLO, a->helo, NULL);
    if (a->starttls) {
        add_step(s, SCN_STARTTLS, NULL, NULL);
        add_step(s, SCN_EHLO, a->helo, NULL);
    }
    if (a->xclient) {
        add_step(s, SCN_RAW, raw(m, "XCLIENT ADDR=127.0.0.1 NAME=localhost"), NULL);
        add_step(s, SCN_EHLO, a->helo, NULL);
    }
    for (; auth && *auth; auth++)
        add_step(s, SCN_RAW, raw(m, "%s", *auth), NULL);
    add_step(s, SCN_RAW, raw(m, "MAIL FROM:<%s>%s", a->from, a->smtputf8 ? " SMTPUTF8" : ""), NULL);
    add_step(s, SCN_RAW, raw(m, "RCPT TO:<%s>", a->rcpt), NULL);
    add_step(s, SCN_DATA, NULL, NULL);
    add_step(s, SCN_EXPECT_NO_RELAY_TO, m->victim, NULL);
    return 0;
}

/* victim_of - the domain the relayed mail reached, if a plain one; else the attempt's */

static void victim_of(struct model *m, const struct audit_finding *f, const struct audit_attempt *a)
{
    const char *at = strrchr(f->delivered_to, '@');

    snprintf(m->victim, sizeof(m->victim), "%s",
             at && audit_names_domain_ok(at + 1) && at[1] != '[' ? at + 1 : a->victim);
    while (strlen(m->victim) > 1 && m->victim[strlen(m->victim) - 1] == '.')
        m->victim[strlen(m->victim) - 1] = 0;
}

/* one - finding i into dir */

static int one(struct audit_result *r, const struct audit_params *p, size_t i, const char *dir,
               struct smtp_error *err)
{
    struct audit_finding *f = &r->findings[i];
    const struct audit_attempt *a = &r->battery.a[f->attempt];
    const char *mta = mta_kind_name(p->mta);
    const char *config = p->mta == MTA_POSTFIX ? p->postfix_main_cf : p->exim_conf;
    struct scenario_error serr;
    struct model *m = calloc(1, sizeof(*m));
    char path[sizeof(f->scenario)];
    int rc = 0;

    if (m == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    snprintf(m->id, sizeof(m->id), "audit-%s-%s", mta, audit_family_name(f->family));
    snprintf(m->title, sizeof(m->title), "Open relay (%s) found by relaylab audit",
             audit_family_name(f->family));
    m->s.id = m->id;
    m->s.title = m->title;
    m->s.tags[m->s.ntags++] = "policy";
    m->s.tags[m->s.ntags++] = "security";
    m->s.tags[m->s.ntags++] = "audit";
    m->s.mtas = scenario_mta_bit(mta);
    victim_of(m, f, a);
    head_add(m, "Found by relaylab audit on %s, config %s.", mta, config ? config : "?");
    head_add(m, "%s: %s; relayed to %s.", audit_family_name(f->family), a->what,
             f->delivered_to[0] ? f->delivered_to : a->rcpt);
    head_add(m, "Client %s%s%s.", audit_client_of(r, f->attempt),
             r->client_trusted ? ", trusted by " : ", untrusted",
             r->client_trusted ? r->client_where : "");
    head_add(m, "Replay: relaylab run --%s-config %s THIS-FILE", mta,
             p->mta == MTA_POSTFIX ? "DIR" : "FILE");
    snprintf(path, sizeof(path), "%s/%02zu-%s.scn", dir, i + 1, audit_family_name(f->family));
    if (dialogue(m, r, a) < 0) {
        snprintf(f->scenario, sizeof(f->scenario), "(none: a scenario cannot send empty lines)");
    } else if (scenario_write_file(&m->s, m->head, path, &serr) < 0) {
        /* The finding stands; its regression test could not be written, and says why. */
        char clean[SMTP_SANITIZE_SIZE(sizeof(serr.msg))];

        smtp_sanitize_str(serr.msg, clean, sizeof(clean));
        snprintf(f->scenario, sizeof(f->scenario), "(not written: %.500s)", clean);
    } else {
        snprintf(f->scenario, sizeof(f->scenario), "%s", path);
    }
    free(m);
    return rc;
}

int audit_write_scenarios(struct audit_result *r, const struct audit_params *p, const char *dir,
                          struct smtp_error *err)
{
    size_t i;

    for (i = 0; i < r->nfindings; i++)
        if (one(r, p, i, dir, err) < 0)
            return -1;
    return 0;
}

/* audit_client_of - see audit.h */

const char *audit_client_of(const struct audit_result *r, size_t k)
{
    size_t c = r->outcomes ? r->outcomes[k].client : 0;

    return r->npool && c < r->npool ? r->pool[c] : r->client;
}

/* audit_attempt_text - see audit.h */

void audit_attempt_text(const struct audit_result *r, size_t k, char *buf, size_t size)
{
    const struct audit_attempt *a = &r->battery.a[k];
    const char *const *auth = audit_auth_lines(a->auth);
    size_t used = 0;

#define PUT(...)                                                                                   \
    if (used < size)                                                                               \
    used += (size_t)snprintf(buf + used, size - used, __VA_ARGS__)
    buf[0] = 0;
    PUT("connect %s (port %d) from %s\n", r->listeners[a->listener].name,
        r->listeners[a->listener].port, audit_client_of(r, k));
    PUT("EHLO %s\n", a->helo);
    if (a->starttls) {
        PUT("STARTTLS\nEHLO %s\n", a->helo);
    }
    if (a->xclient) {
        PUT("XCLIENT ADDR=127.0.0.1 NAME=localhost\nEHLO %s\n", a->helo);
    }
    for (; auth && *auth; auth++) {
        PUT("%s\n", *auth);
    }
    PUT("MAIL FROM:<%s>%s\nRCPT TO:<%s>\n%s", a->from, a->smtputf8 ? " SMTPUTF8" : "", a->rcpt,
        r->probe && !r->confirm[0] ? "" : "DATA\n");
#undef PUT
}

/*++
 * NAME
 *	audit_battery 3
 * SUMMARY
 *	the relay attempts, generated from the server's own names
 * DESCRIPTION
 *	See audit_battery.h. The address forms are RFC 5321's and the
 *	tricks relay checks have missed over the years: the percent hack
 *	and the bang path (RFC 1123 5.2.16 / UUCP), source routes (RFC 5321
 *	4.1.2 and appendix C: "MUST" be accepted, SHOULD be ignored),
 *	quoted local parts holding "@" or "%" (RFC 5321 4.1.2 Quoted-string),
 *	address literals (4.1.3), SRS and BATV shaped local parts, a
 *	trailing dot, case, and SMTPUTF8 (RFC 6531).
 *--*/
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit_battery.h"

static const char *const family_names[AUDIT_FAMILIES] = {
    "wide-open",        "trusted-network",   "sender-permit",
    "null-sender",      "helo-permit",       "recipient-localpart-permit",
    "lookalike-domain", "percent-hack",      "bang-path",
    "source-route",     "quoted-local-part", "multi-at",
    "address-literal",  "srs-batv",          "case-variant",
    "trailing-dot",     "smtputf8",          "auth-bypass",
    "submission-open",  "xclient",
};

const char *audit_family_name(enum audit_family f)
{
    return f < AUDIT_FAMILIES ? family_names[f] : "?";
}

static const char *const auth_empty_password[] = {"AUTH PLAIN AHZpY3RpbQA=", NULL};
static const char *const auth_unknown_user[] = {"AUTH PLAIN AG5vc3VjaHVzZXIAeA==", NULL};
static const char *const auth_empty_user[] = {"AUTH PLAIN AAB4", NULL};
static const char *const auth_equals[] = {"AUTH PLAIN =", NULL};
static const char *const auth_login_empty[] = {"AUTH LOGIN", "", "", NULL};
static const char *const auth_login_unknown[] = {"AUTH LOGIN", "bm9zdWNodXNlcg==", "eA==", NULL};

const char *const *audit_auth_lines(enum audit_auth auth)
{
    switch (auth) {
    case AUDIT_AUTH_EMPTY_PASSWORD:
        return auth_empty_password;
    case AUDIT_AUTH_UNKNOWN_USER:
        return auth_unknown_user;
    case AUDIT_AUTH_EMPTY_USER:
        return auth_empty_user;
    case AUDIT_AUTH_EQUALS:
        return auth_equals;
    case AUDIT_AUTH_LOGIN_EMPTY:
        return auth_login_empty;
    case AUDIT_AUTH_LOGIN_UNKNOWN:
        return auth_login_unknown;
    default:
        return NULL;
    }
}

int audit_attempt_subsumes(const struct audit_attempt *simple, const struct audit_attempt *a)
{
    if (simple == a || simple->listener != a->listener)
        return 0;
    /*
     * Fewer changed parts and fewer recipient shapes, all of them a's: the
     * simpler trick explains a's relay (a quoted or dotted percent hack is
     * the percent hack).
     */
    return (simple->parts & ~a->parts) == 0 && (simple->forms & ~a->forms) == 0 &&
           (simple->parts != a->parts || simple->forms != a->forms);
}

/* forms_of - the shapes a recipient address holds */

static unsigned forms_of(const char *rcpt)
{
    unsigned f = 0;
    int quoted = 0, ats = 0;
    const char *p;

    for (p = rcpt; *p; p++) {
        if (*p == '"')
            quoted = !quoted, f |= AUDIT_FORM_QUOTE;
        else if (*p == '@' && !quoted && p != rcpt)
            ats++;
        f |= *p == '%' ? AUDIT_FORM_PERCENT : 0;
        f |= *p == '!' ? AUDIT_FORM_BANG : 0;
        f |= (*p >= 'A' && *p <= 'Z') ? AUDIT_FORM_UPPER : 0;
        f |= (unsigned char)*p >= 0x80 ? AUDIT_FORM_UTF8 : 0;
    }
    f |= rcpt[0] == '@' ? AUDIT_FORM_ROUTE : 0;
    f |= ats > 1 && rcpt[0] != '@' ? AUDIT_FORM_MULTI_AT : 0;
    f |= strncasecmp(rcpt, "SRS0=", 5) == 0 || strncasecmp(rcpt, "SRS1=", 5) == 0 ? AUDIT_FORM_SRS
                                                                                  : 0;
    f |= strncasecmp(rcpt, "prvs=", 5) == 0 ? AUDIT_FORM_BATV : 0;
    f |= p > rcpt && p[-1] == '.' ? AUDIT_FORM_DOT : 0;
    f |= strrchr(rcpt, '@') && strrchr(rcpt, '@')[1] == '[' ? AUDIT_FORM_LITERAL : 0;
    return f;
}

/* The battery being built. */
struct build {
    struct audit_battery *b;
    const struct audit_battery_params *p;
    size_t cap;
    int full;
    const char *user; /* the local part at the victim: "victim", or --confirm's */
};

#define U (bd->user)

/* The defaults an attempt starts from: one listener, the plain transaction. */
struct base {
    size_t listener;
    int starttls;
    enum audit_auth auth;
    int xclient;
};

static struct audit_attempt *add(struct build *bd, const struct base *base, enum audit_family f,
                                 unsigned parts, const char *helo, const char *from,
                                 const char *victim, const char *what_fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* add - one attempt (rcpt to be written by the caller); NULL when full */

static struct audit_attempt *add(struct build *bd, const struct base *base, enum audit_family f,
                                 unsigned parts, const char *helo, const char *from,
                                 const char *victim, const char *what_fmt, ...)
{
    struct audit_attempt *a;
    va_list ap;

    if (bd->b->n == bd->cap) {
        size_t cap = bd->cap ? bd->cap * 2 : 128;
        struct audit_attempt *grown;

        if (cap > AUDIT_ATTEMPTS_MAX || (grown = realloc(bd->b->a, cap * sizeof(*grown))) == NULL) {
            bd->full = 1;
            return NULL;
        }
        bd->b->a = grown;
        bd->cap = cap;
    }
    a = &bd->b->a[bd->b->n++];
    memset(a, 0, sizeof(*a));
    a->family = f;
    a->parts = parts;
    a->listener = base->listener;
    a->starttls = base->starttls;
    a->auth = base->auth;
    a->xclient = base->xclient;
    snprintf(a->helo, sizeof(a->helo), "%s", helo ? helo : AUDIT_HELO);
    snprintf(a->from, sizeof(a->from), "%s", from ? from : AUDIT_SENDER);
    snprintf(a->victim, sizeof(a->victim), "%s", victim);
    snprintf(a->rcpt, sizeof(a->rcpt), "%s@%s", bd->user, victim);
    va_start(ap, what_fmt);
    vsnprintf(a->what, sizeof(a->what), what_fmt, ap);
    va_end(ap);
    return a;
}

/* rcpt - set an attempt's recipient */

static void rcpt(struct audit_attempt *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void rcpt(struct audit_attempt *a, const char *fmt, ...)
{
    va_list ap;

    if (a == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(a->rcpt, sizeof(a->rcpt), fmt, ap);
    va_end(ap);
}

/* upper - d in upper case */

static void upper(char *to, size_t size, const char *d)
{
    size_t i;

    for (i = 0; d[i] && i + 1 < size; i++)
        to[i] = (char)toupper((unsigned char)d[i]);
    to[i] = 0;
}

/* recipient_forms - the address forms that hide victim behind the server's domain dom */

static void recipient_forms(struct build *bd, const struct base *bs, const char *from,
                            unsigned parts, const char *dom, const char *v)
{
    enum audit_family fam;
    const char *by = from && from[0] == 0 ? " (null sender)" : "";

    parts |= AUDIT_PART_RCPT;
    fam = AUDIT_PERCENT;
    rcpt(add(bd, bs, fam, parts, NULL, from, v, "percent hack through %s%s", dom, by), "%s%%%s@%s",
         U, v, dom);
    rcpt(add(bd, bs, fam, parts, NULL, from, v, "double percent hack through %s%s", dom, by),
         "%s%%%s%%%s@%s", U, v, dom, dom);
    rcpt(add(bd, bs, AUDIT_BANG, parts, NULL, from, v, "bang path through %s%s", dom, by),
         "%s!%s@%s", v, U, dom);
    rcpt(add(bd, bs, AUDIT_BANG, parts, NULL, from, v, "bare bang path%s", by), "%s!%s", v, U);
    rcpt(
        add(bd, bs, AUDIT_SOURCE_ROUTE, parts, NULL, from, v, "source route through %s%s", dom, by),
        "@%s:%s@%s", dom, U, v);
    rcpt(add(bd, bs, AUDIT_QUOTED, parts, NULL, from, v, "quoted '@' at %s%s", dom, by),
         "\"%s@%s\"@%s", U, v, dom);
    rcpt(add(bd, bs, AUDIT_QUOTED, parts, NULL, from, v, "quoted '%%' at %s%s", dom, by),
         "\"%s%%%s\"@%s", U, v, dom);
    rcpt(add(bd, bs, AUDIT_MULTI_AT, parts, NULL, from, v, "two '@' through %s%s", dom, by),
         "%s@%s@%s", U, v, dom);
    rcpt(add(bd, bs, AUDIT_SRS_BATV, parts, NULL, from, v, "SRS0 address at %s%s", dom, by),
         "SRS0=HHH=TT=%s=%s@%s", v, U, dom);
    rcpt(add(bd, bs, AUDIT_SRS_BATV, parts, NULL, from, v, "SRS1 address at %s%s", dom, by),
         "SRS1=HHH=%s==HHH=TT=%s=%s@%s", dom, v, U, dom);
    rcpt(add(bd, bs, AUDIT_SRS_BATV, parts, NULL, from, v, "BATV tag with a percent at %s%s", dom,
             by),
         "prvs=0123456789=%s%%%s@%s", U, v, dom);
    rcpt(add(bd, bs, AUDIT_TRAILING_DOT, parts, NULL, from, v, "percent hack through %s.%s", dom,
             by),
         "%s%%%s@%s.", U, v, dom);
}

/* lookalikes - foreign domains that look like dom */

static void lookalikes(struct build *bd, const struct base *bs, const char *dom)
{
    char up[AUDIT_NAME_MAX];
    char name[AUDIT_NAME_MAX + 32];
    const char *const shapes[] = {"x%s", "relaylab-%s", "%s.relaylab-victim.test",
                                  "%s-relaylab.test", "%s.test"};
    size_t i;

    for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        snprintf(name, sizeof(name), shapes[i], dom);
        if (strlen(name) < AUDIT_NAME_MAX)
            add(bd, bs, AUDIT_LOOKALIKE, AUDIT_PART_RCPT, NULL, NULL, name,
                "a domain that looks like %s: %s", dom, name);
    }
    upper(up, sizeof(up), dom);
    snprintf(name, sizeof(name), "x%s", up);
    if (strlen(name) < AUDIT_NAME_MAX)
        add(bd, bs, AUDIT_LOOKALIKE, AUDIT_PART_RCPT, NULL, NULL, name,
            "a look-alike of %s in upper case", dom);
}

/* senders_and_helos - the plain recipient, with the server's own names as sender or HELO */

static void senders_and_helos(struct build *bd, const struct base *bs, const char *v)
{
    const struct audit_battery_params *p = bd->p;
    const struct audit_battery *b = bd->b;
    const char *host = p->names->hostname[0] ? p->names->hostname : NULL;
    char from[AUDIT_ADDR_MAX], lit[80];
    size_t i;

    add(bd, bs, AUDIT_NULL_SENDER, AUDIT_PART_SENDER, NULL, "", v, "the null sender <>");
    add(bd, bs, AUDIT_SENDER_PERMIT, AUDIT_PART_SENDER, NULL, "postmaster", v,
        "an unqualified sender, postmaster");
    snprintf(lit, sizeof(lit), "[%s]", p->names->server_addr);
    /* The words the config's own permits are keyed on. */
    for (i = 0; i < p->nhint_senders; i++)
        add(bd, bs, p->hint_senders[i][0] ? AUDIT_SENDER_PERMIT : AUDIT_NULL_SENDER,
            AUDIT_PART_SENDER, NULL, p->hint_senders[i], v, "a sender the config permits: %s",
            p->hint_senders[i][0] ? p->hint_senders[i] : "<>");
    for (i = 0; i < p->nhint_helos; i++)
        add(bd, bs, AUDIT_HELO_PERMIT, AUDIT_PART_HELO, p->hint_helos[i], NULL, v,
            "HELO %s (a name the config permits)", p->hint_helos[i]);
    for (i = 0; i < p->nhint_localparts; i++)
        rcpt(add(bd, bs, AUDIT_LOCALPART_PERMIT, AUDIT_PART_RCPT, NULL, NULL, v,
                 "%s at a foreign domain (a local part the config permits)", p->hint_localparts[i]),
             "%s@%s", p->hint_localparts[i], v);
    /* Every domain of the config's lists as a sender's, beyond the ones tricks are tried on. */
    for (i = 0; i < p->names->ndomains; i++) {
        size_t j;

        for (j = 0; j < b->ndomains && strcasecmp(b->domains[j], p->names->domains[i]); j++)
            ;
        if (j < b->ndomains)
            continue;
        snprintf(from, sizeof(from), "postmaster@%s", p->names->domains[i]);
        add(bd, bs, AUDIT_SENDER_PERMIT, AUDIT_PART_SENDER, NULL, from, v,
            "a sender in the server's domain %s", p->names->domains[i]);
    }
    for (i = 0; i < b->ndomains; i++) {
        const char *d = b->domains[i];
        const char *const users[] = {"postmaster", "abuse", "user", "root"};
        size_t u;

        for (u = 0; u < sizeof(users) / sizeof(users[0]); u++) {
            snprintf(from, sizeof(from), "%s@%s", users[u], d);
            add(bd, bs, AUDIT_SENDER_PERMIT, AUDIT_PART_SENDER, NULL, from, v,
                "a sender in the server's domain %s", d);
        }
        snprintf(from, sizeof(from), "user@sub.%s", d);
        add(bd, bs, AUDIT_SENDER_PERMIT, AUDIT_PART_SENDER, NULL, from, v,
            "a sender in a subdomain of %s", d);
        add(bd, bs, AUDIT_HELO_PERMIT, AUDIT_PART_HELO, d, NULL, v, "HELO %s (the server's domain)",
            d);
    }
    if (p->names->server_addr[0]) {
        snprintf(from, sizeof(from), "user@%s", lit);
        add(bd, bs, AUDIT_SENDER_PERMIT, AUDIT_PART_SENDER, NULL, from, v,
            "a sender at the server's address literal");
        add(bd, bs, AUDIT_HELO_PERMIT, AUDIT_PART_HELO, lit, NULL, v,
            "HELO the server's address literal");
        add(bd, bs, AUDIT_HELO_PERMIT, AUDIT_PART_HELO, p->names->server_addr, NULL, v,
            "HELO the server's bare address");
    }
    if (host)
        add(bd, bs, AUDIT_HELO_PERMIT, AUDIT_PART_HELO, host, NULL, v,
            "HELO %s (the server's own name)", host);
    if (p->banner_name && (!host || strcmp(host, p->banner_name)))
        add(bd, bs, AUDIT_HELO_PERMIT, AUDIT_PART_HELO, p->banner_name, NULL, v,
            "HELO %s (the server's banner name)", p->banner_name);
    add(bd, bs, AUDIT_HELO_PERMIT, AUDIT_PART_HELO, "localhost", NULL, v, "HELO localhost");
    add(bd, bs, AUDIT_HELO_PERMIT, AUDIT_PART_HELO, "localhost.localdomain", NULL, v,
        "HELO localhost.localdomain");
    add(bd, bs, AUDIT_HELO_PERMIT, AUDIT_PART_HELO, "[127.0.0.1]", NULL, v, "HELO [127.0.0.1]");
}

/* victim_forms - one victim domain: plain, special local parts, literals, case, dot */

static void victim_forms(struct build *bd, const struct base *bs, const char *v, int utf8)
{
    char up[AUDIT_NAME_MAX];

    const struct audit_listener *l = &bd->p->listeners[bs->listener];
    /* The plain attempt on a port other than 25 (a probe of 587): an open submission port. */
    enum audit_family plain = l->port == 25 ? AUDIT_WIDE_OPEN : AUDIT_SUBMISSION_OPEN;

    add(bd, bs, plain, 0, NULL, NULL, v, "a plain foreign recipient");
    if (l->starttls) {
        struct base tls = *bs;

        tls.starttls = 1;
        add(bd, &tls, plain, 0, NULL, NULL, v, "a plain foreign recipient after STARTTLS");
    }
    rcpt(add(bd, bs, AUDIT_LOCALPART_PERMIT, AUDIT_PART_RCPT, NULL, NULL, v,
             "postmaster at a foreign domain"),
         "postmaster@%s", v);
    rcpt(add(bd, bs, AUDIT_LOCALPART_PERMIT, AUDIT_PART_RCPT, NULL, NULL, v,
             "abuse at a foreign domain"),
         "abuse@%s", v);
    upper(up, sizeof(up), v);
    rcpt(add(bd, bs, AUDIT_CASE, AUDIT_PART_RCPT, NULL, NULL, v, "a foreign domain in upper case"),
         "VICTIM@%s", up);
    rcpt(add(bd, bs, AUDIT_TRAILING_DOT, AUDIT_PART_RCPT, NULL, NULL, v,
             "a foreign domain with a trailing dot"),
         "%s@%s.", U, v);
    if (utf8) {
        struct audit_attempt *a = add(bd, bs, AUDIT_SMTPUTF8, AUDIT_PART_UTF8 | AUDIT_PART_RCPT,
                                      NULL, NULL, v, "a UTF-8 local part with SMTPUTF8");

        rcpt(a,
             "v\xc3\xaf"
             "ctim@%s",
             v);
        if (a)
            a->smtputf8 = 1;
    }
}

/* literals - address literals: foreign ones, and a percent hack at the server's own */

static void literals(struct build *bd, const struct base *bs, const char *v)
{
    const char *addr = bd->p->names->server_addr;

    if (addr[0] == 0)
        return; /* no address of the server known: no literal of it */
    rcpt(add(bd, bs, AUDIT_LITERAL, AUDIT_PART_RCPT, NULL, NULL, "[192.0.2.99]",
             "an IPv4 address literal"),
         "%s@[192.0.2.99]", U);
    rcpt(add(bd, bs, AUDIT_LITERAL, AUDIT_PART_RCPT, NULL, NULL, "[IPv6:2001:db8::99]",
             "an IPv6 address literal"),
         "%s@[IPv6:2001:db8::99]", U);
    rcpt(add(bd, bs, AUDIT_LITERAL, AUDIT_PART_RCPT, NULL, NULL, v,
             "percent hack through the server's address literal"),
         "%s%%%s@[%s]", U, v, addr);
    rcpt(add(bd, bs, AUDIT_LITERAL, AUDIT_PART_RCPT, NULL, NULL, v,
             "source route through the server's address literal"),
         "@[%s]:%s@%s", addr, U, v);
}

/* auth_cases - the AUTH edge cases on a listener that offers AUTH */

static void auth_cases(struct build *bd, size_t li, int starttls, const char *v)
{
    static const enum audit_auth cases[] = {AUDIT_AUTH_EMPTY_PASSWORD, AUDIT_AUTH_UNKNOWN_USER,
                                            AUDIT_AUTH_EMPTY_USER,     AUDIT_AUTH_EQUALS,
                                            AUDIT_AUTH_LOGIN_EMPTY,    AUDIT_AUTH_LOGIN_UNKNOWN};
    static const char *const said[] = {"an empty password",      "an unknown user",
                                       "an empty user",          "an empty initial response (=)",
                                       "LOGIN with empty lines", "LOGIN as an unknown user"};
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct base bs = {li, starttls, cases[i], 0};

        add(bd, &bs, AUDIT_AUTH_BYPASS, AUDIT_PART_AUTH, NULL, NULL, v, "AUTH with %s%s", said[i],
            starttls ? " after STARTTLS" : "");
    }
}

/* server_domains - the domains the tricks are tried on: the user's, then the config's */

static void server_domains(struct audit_battery *b, const struct audit_battery_params *p)
{
    size_t max = p->domains_max ? p->domains_max : 6;
    size_t i, j;

    if (max > sizeof(b->domains) / sizeof(b->domains[0]))
        max = sizeof(b->domains) / sizeof(b->domains[0]);
    for (i = 0; i < p->ndomains + p->names->ndomains + 1 && b->ndomains < max; i++) {
        const char *d = i < p->ndomains                        ? p->domains[i]
                        : i < p->ndomains + p->names->ndomains ? p->names->domains[i - p->ndomains]
                                                               : p->names->hostname;

        if (!audit_names_domain_ok(d) || strchr(d, '.') == NULL)
            continue;
        for (j = 0; j < b->ndomains && strcasecmp(b->domains[j], d); j++)
            ;
        if (j == b->ndomains)
            snprintf(b->domains[b->ndomains++], AUDIT_NAME_MAX, "%s", d);
    }
}

/*
 * under_another - 1 if domain i is a subdomain of another of the battery's
 * (mail.example.com beside example.com): its look-alikes (xmail.example.com)
 * would be subdomains of a domain the server serves, which it may rightly
 * relay for (parent_domain_matches_subdomains), not foreign ones
 */
static int under_another(const struct audit_battery *b, size_t i)
{
    size_t j, n = strlen(b->domains[i]);

    for (j = 0; j < b->ndomains; j++) {
        size_t m = strlen(b->domains[j]);

        if (j != i && n > m + 1 && b->domains[i][n - m - 1] == '.' &&
            strcasecmp(b->domains[i] + n - m, b->domains[j]) == 0)
            return 1;
    }
    return 0;
}

int audit_battery_build(const struct audit_battery_params *p, struct audit_battery *b,
                        struct smtp_error *err)
{
    static const char *const fallback[] = {AUDIT_VICTIM};
    const char *const *victims = p->nvictims ? p->victims : fallback;
    size_t nvictims = p->nvictims ? p->nvictims : 1;
    struct build bd = {b, p, 0, 0, p->victim_user ? p->victim_user : "victim"};
    size_t li, vi, di;

    memset(b, 0, sizeof(*b));
    server_domains(b, p);
    for (li = 0; li < p->nlisteners; li++) {
        const struct audit_listener *l = &p->listeners[li];
        struct base bs = {li, 0, AUDIT_AUTH_NONE, 0};

        for (vi = 0; vi < nvictims; vi++) {
            const char *v = victims[vi];

            /* Every listener: the plain attempt and the AUTH edge cases. */
            if (li > 0) {
                struct base tls = {li, 1, AUDIT_AUTH_NONE, 0};

                add(&bd, &bs, AUDIT_SUBMISSION_OPEN, 0, NULL, NULL, v,
                    "a plain foreign recipient, no AUTH, on %s", l->name);
                /* A submission port that wants TLS first: the same after STARTTLS. */
                if (l->starttls)
                    add(&bd, &tls, AUDIT_SUBMISSION_OPEN, 0, NULL, NULL, v,
                        "a plain foreign recipient, no AUTH, after STARTTLS on %s", l->name);
            } else {
                victim_forms(&bd, &bs, v, l->smtputf8);
                senders_and_helos(&bd, &bs, v);
                literals(&bd, &bs, v);
                for (di = 0; di < b->ndomains; di++) {
                    recipient_forms(&bd, &bs, NULL, 0, b->domains[di], v);
                    if (di == 0)
                        recipient_forms(&bd, &bs, "", AUDIT_PART_SENDER, b->domains[di], v);
                }
                if (vi == 0)
                    for (di = 0; di < b->ndomains; di++)
                        if (!under_another(b, di))
                            lookalikes(&bd, &bs, b->domains[di]);
            }
            if (l->auth_plain)
                auth_cases(&bd, li, 0, v);
            if (l->starttls && l->auth_tls && !l->implicit_tls)
                auth_cases(&bd, li, 1, v);
            else if (l->implicit_tls && l->auth_tls)
                auth_cases(&bd, li, 0, v);
            if (l->xclient) {
                struct base xb = {li, 0, AUDIT_AUTH_NONE, 1};

                add(&bd, &xb, AUDIT_XCLIENT, AUDIT_PART_XCLIENT, NULL, NULL, v,
                    "XCLIENT ADDR=127.0.0.1 first (a client claiming to be the server)");
            }
        }
    }
    for (li = 0; li < b->n; li++)
        b->a[li].forms = forms_of(b->a[li].rcpt);
    if (bd.full) {
        audit_battery_free(b);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM,
                              "the battery would pass %d attempts, or memory ran out",
                              AUDIT_ATTEMPTS_MAX);
    }
    return 0;
}

void audit_battery_free(struct audit_battery *b)
{
    free(b->a);
    b->a = NULL;
    b->n = 0;
}

/* audit_battery_family - see audit_battery.h */

enum audit_family audit_battery_family(const struct audit_battery *b, const char *helo,
                                       const char *from, const char *rcpt)
{
    unsigned want[] = {AUDIT_PART_SENDER, AUDIT_PART_HELO, AUDIT_PART_RCPT};
    size_t i, k;

    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        for (k = 0; k < b->n; k++) {
            const struct audit_attempt *a = &b->a[k];
            const char *mine = i == 0 ? a->from : i == 1 ? a->helo : a->rcpt;
            const char *theirs = i == 0 ? from : i == 1 ? helo : rcpt;

            if ((a->parts & want[i]) && theirs && strcasecmp(mine, theirs) == 0)
                return a->family;
        }
    return AUDIT_WIDE_OPEN;
}

/* same_domain - case-blind, a trailing dot aside */

static int same_domain(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);

    while (n && a[n - 1] == '.')
        n--;
    while (m && b[m - 1] == '.')
        m--;
    return n == m && strncasecmp(a, b, n) == 0;
}

/* audit_battery_victim - see audit_battery.h */

int audit_battery_victim(const struct audit_battery *b, const char *domain)
{
    size_t k;

    for (k = 0; k < b->n; k++)
        if (same_domain(b->a[k].victim, domain))
            return 1;
    return 0;
}

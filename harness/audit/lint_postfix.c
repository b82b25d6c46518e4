/*++
 * NAME
 *	lint_postfix 3
 * SUMMARY
 *	relaylab lint's checks of a Postfix config
 * DESCRIPTION
 *	See lint_postfix.h. The relay decision lives in two lists
 *	(SMTPD_ACCESS_README, postconf(5) smtpd_relay_restrictions): for
 *	RCPT TO, smtpd_relay_restrictions and then
 *	smtpd_recipient_restrictions are evaluated, and the recipient is
 *	accepted when neither rejects it; "permit" only ends the list it
 *	is in. So mail from a stranger to a foreign domain is relayed only
 *	when both lists let it through: a permit the stranger can earn
 *	before the list's relay check (reject_unauth_destination), or no
 *	relay check at all. A hole in one list that the other closes is a
 *	warning (one edit away from an open relay); in both, an error.
 *--*/
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_pfconf.h"
#include "lint_pftable.h"
#include "lint_postfix.h"

#define GUIDE "relay-access-denied guide"

#define PF_TABLES_MAX 64               /* distinct tables read in one run */
#define PF_TABLE_BYTES_MAX (16u << 20) /* their bytes, all together */

/* A table as read once per run (a hostile config names the same one in every service). */
struct pf_table {
    char spec[LINT_PATH_MAX];
    int rc; /* lint_pftable_load()'s: 0 read, 1 not (why) */
    char why[SMTP_ERROR_MSG_MAX];
    struct lint_pftable t;
    signed char opens[8]; /* access_table()'s answer before a relay check, by pf_word; -1 */
};

#define PF_REPORTED_MAX 256 /* list settings whose findings are made */
#define PF_REGEXPS_MAX 4096 /* patterns of a domain table matched against a --domain */

struct pf_lint {
    struct lint_pfconf cf;
    struct lint_report *r;
    const struct lint_params *lp;
    struct pf_table *tables;
    size_t ntables, table_bytes;
    const struct lint_line *reported[PF_REPORTED_MAX]; /* a list setting reported once */
    size_t nreported;
};

/*
 * table - the table spec[0..n) names, read on first use; 0 (*t), or 1 not
 * read (*why). Out of memory sets r->failed.
 */
static int table(struct pf_lint *pl, const char *spec, size_t n, struct pf_table **t,
                 const char **why)
{
    struct pf_table *c;
    struct smtp_error err;
    size_t i;

    for (i = 0; i < pl->ntables; i++) {
        c = &pl->tables[i];
        if (strlen(c->spec) == n && memcmp(c->spec, spec, n) == 0) {
            *t = c;
            *why = c->why;
            return c->rc;
        }
    }
    *why = "lint reads at most 64 tables, 16 MiB in all";
    if (pl->ntables >= PF_TABLES_MAX || n >= sizeof(c->spec) ||
        pl->table_bytes >= PF_TABLE_BYTES_MAX)
        return 1;
    c = &pl->tables[pl->ntables++];
    memset(c, 0, sizeof(*c));
    memset(c->opens, -1, sizeof(c->opens));
    memcpy(c->spec, spec, n);
    smtp_error_clear(&err);
    c->rc = lint_pftable_load(pl->cf.dirfd, pl->cf.dir, pl->cf.confdir, spec, n, &c->t, &err);
    snprintf(c->why, sizeof(c->why), "%s", err.msg);
    if (c->rc < 0) {
        pl->r->failed = 1;
        c->rc = 1;
    }
    pl->table_bytes += c->t.text.len;
    *t = c;
    *why = c->why;
    return c->rc;
}

/* One restriction list, as the service being linted sees it. */
struct pf_list {
    struct lint_pfvalue v;
    struct lint_pfword w[LINT_PF_WORDS_MAX];
    size_t n;
    long check; /* the first relay check's word, or -1 */
};

enum pf_word {
    W_OTHER,
    W_PERMIT,      /* "permit": everything */
    W_SAFE_PERMIT, /* a permit the client must earn: mynetworks, SASL, a certificate */
    W_CHECK,       /* the relay check: reject_unauth_destination, or a final reject */
    W_SENDER,      /* check_sender_access and kin: keyed on what the client says */
    W_HELO,
    W_RECIPIENT,
    W_CLIENT, /* check_client_access: keyed on the client's address */
};

static const struct {
    const char *name;
    enum pf_word kind;
} words[] = {
    {"permit", W_PERMIT},
    {"permit_mynetworks", W_SAFE_PERMIT},
    {"permit_sasl_authenticated", W_SAFE_PERMIT},
    {"permit_tls_clientcerts", W_SAFE_PERMIT},
    {"permit_tls_all_clientcerts", W_SAFE_PERMIT},
    {"permit_auth_destination", W_SAFE_PERMIT},
    {"permit_inet_interfaces", W_SAFE_PERMIT},
    /* What Postfix itself accepts as a relay check (smtpd_check.c). */
    {"reject_unauth_destination", W_CHECK},
    {"defer_unauth_destination", W_CHECK},
    {"reject", W_CHECK},
    {"defer", W_CHECK},
    {"defer_if_permit", W_CHECK},
    {"check_relay_domains", W_CHECK},
    {"check_sender_access", W_SENDER},
    {"check_sender_mx_access", W_SENDER},
    {"check_sender_ns_access", W_SENDER},
    {"check_sender_a_access", W_SENDER},
    {"check_helo_access", W_HELO},
    {"check_helo_mx_access", W_HELO},
    {"check_helo_ns_access", W_HELO},
    {"check_helo_a_access", W_HELO},
    {"check_reverse_client_hostname_access", W_HELO}, /* the client's own PTR record */
    {"check_recipient_access", W_RECIPIENT},
    {"check_recipient_mx_access", W_RECIPIENT},
    {"check_recipient_ns_access", W_RECIPIENT},
    {"check_recipient_a_access", W_RECIPIENT},
    {"check_client_access", W_CLIENT},
};

static enum pf_word kind_of(const struct lint_pfword *w)
{
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (lint_is_word(w->s, w->n, words[i].name))
            return words[i].kind;
    return W_OTHER;
}

static int takes_table(enum pf_word k)
{
    return k >= W_SENDER;
}

/* list_get - the list named name, split, its relay check found */

static void list_get(const struct pf_lint *pl, const char *name, struct pf_list *L)
{
    size_t i;

    lint_pfconf_get(&pl->cf, name, &L->v);
    L->n = lint_pfconf_words(L->v.text, L->w, LINT_PF_WORDS_MAX);
    L->check = -1;
    for (i = 0; i < L->n; i++) {
        enum pf_word k = kind_of(&L->w[i]);

        if (k == W_CHECK) {
            L->check = (long)i;
            break;
        }
        i += takes_table(k);
    }
}

/* before_check - word i comes before the list's relay check */

static int before_check(const struct pf_list *L, size_t i)
{
    return L->check < 0 || (long)i < L->check;
}

/* put_word - w onto out, after sep when out is not empty */

static void put_word(char *out, size_t size, const char *sep, const char *s, size_t n)
{
    size_t len = strlen(out);

    if (len + strlen(sep) + n + 1 >= size)
        return;
    if (len > 0) {
        memcpy(out + len, sep, strlen(sep));
        len += strlen(sep);
    }
    memcpy(out + len, s, n);
    out[len + n] = 0;
}

/*
 * fix_line - the list as it should read: its own rejects first, then
 * the permits a client must earn, the relay check, then the rest (the
 * lookups keyed on what a client says among them); a bare "permit" is
 * dropped. Written where the list is set: "-o name=..." or "name = ...".
 */
static void fix_line(const struct pf_list *L, char *out, size_t size)
{
    const char *sep = L->v.override ? "," : ", ";
    char list[LINT_FIX_MAX] = "";
    int pass;
    size_t i;

    for (pass = 0; pass < 4; pass++) {
        for (i = 0; i < L->n; i++) {
            enum pf_word k = kind_of(&L->w[i]);
            size_t words_taken = takes_table(k) && i + 1 < L->n ? 2 : 1;
            int early = before_check(L, i) && (k == W_OTHER || k == W_CLIENT);
            int keep = pass == 0   ? early
                       : pass == 1 ? k == W_SAFE_PERMIT
                       : pass == 2
                           ? (long)i == L->check
                           : !early && k != W_SAFE_PERMIT && k != W_PERMIT && (long)i != L->check;

            if (keep)
                put_word(list, sizeof(list), sep, L->w[i].s,
                         (size_t)(L->w[i + words_taken - 1].s + L->w[i + words_taken - 1].n -
                                  L->w[i].s));
            i += words_taken - 1;
        }
        if (pass == 2 && L->check < 0)
            put_word(list, sizeof(list), sep, "reject_unauth_destination", 25);
    }
    if (L->v.override)
        snprintf(out, size, "-o %s=%s", L->v.name, list);
    else
        snprintf(out, size, "%s = %s", L->v.name, list);
}

/* where_text - "main.cf:12" or "Postfix's default" for the why */

static void where_text(const struct pf_list *L, char *out, size_t size)
{
    if (L->v.where)
        snprintf(out, size, "%s:%d", L->v.file, L->v.where->line);
    else
        snprintf(out, size, "Postfix's default");
}

/* unescape - a regexp's literal domain without its backslashes */

static void unescape(const char *in, char *out, size_t size)
{
    size_t n = 0;

    for (; *in && n + 1 < size; in++)
        if (*in != '\\')
            out[n++] = *in;
    out[n] = 0;
}

/* lookalike - a regexp entry whose domain is not anchored at a label boundary */

static void lookalike(struct pf_lint *pl, const struct lint_pftable *t,
                      const struct lint_pftable_entry *e, int address_keys, enum lint_severity sev)
{
    char dom[256], plain[256], fix[LINT_FIX_MAX];

    if (t->kind != LINT_PFTABLE_REGEXP || e->negated ||
        !lint_regex_lookalike(e->key, e->key_len, dom, sizeof(dom)))
        return;
    unescape(dom, plain, sizeof(plain));
    snprintf(fix, sizeof(fix), "/%s%s$/ %.*s", address_keys ? "@" : "(^|\\.)", dom,
             (int)(e->value_len > 300 ? 300 : e->value_len), e->value);
    lint_add(pl->r, "regexp-unanchored", sev, t->shown, e->where, fix,
             "the pattern /%.*s/ is not anchored at a label boundary and the end of the name: "
             "lookalikes such as evil%s or %s.attacker.example match it too (regexp_table(5))",
             (int)(e->key_len > 200 ? 200 : e->key_len), e->key, plain, plain);
}

/* recipient_opens - a check_recipient_access entry that accepts mail for any domain */

static int recipient_opens(const struct lint_pftable *t, const struct lint_pftable_entry *e)
{
    char dom[256];

    if (t->kind == LINT_PFTABLE_REGEXP)
        return !e->negated && (lint_regex_lookalike(e->key, e->key_len, dom, sizeof(dom)) ||
                               dom[0] == 0 || e->key_len == 0);
    /* "postmaster@": that local part at every domain (access(5)). */
    return e->key_len > 0 && e->key[e->key_len - 1] == '@';
}

/* table_unread - a table lint could not read: said once, as info */

static void table_unread(struct pf_lint *pl, const struct pf_list *L, const char *why)
{
    lint_add(pl->r, "table-unread", LINT_INFO, L->v.file, L->v.where, "", "not checked: %s", why);
}

/*
 * access_table - the table after restriction word i; 1 when an entry
 * lets a stranger through (reported when report is set, at sev)
 */
static int access_table(struct pf_lint *pl, const struct pf_list *L, size_t i, int report,
                        enum lint_severity sev, const char *other)
{
    enum pf_word k = kind_of(&L->w[i]);
    const struct lint_pfword *tw = &L->w[i + 1];
    int early = before_check(L, i), opens = 0;
    const struct lint_pftable *t;
    struct pf_table *c;
    char fix[LINT_FIX_MAX], at[128];
    const char *why;
    size_t j;

    if (table(pl, tw->s, tw->n, &c, &why) != 0) {
        if (report)
            table_unread(pl, L, why);
        return 0;
    }
    /* The same table in every service: asked once. */
    if (!report && early && c->opens[k] >= 0)
        return c->opens[k];
    t = &c->t;
    fix_line(L, fix, sizeof(fix));
    where_text(L, at, sizeof(at));
    for (j = 0; j < t->n; j++) {
        const struct lint_pftable_entry *e = &t->v[j];
        int accepts = !e->negated && lint_pftable_accepts(e->value, e->value_len);
        struct audit_net net;
        int bad = 0;

        if (report)
            lookalike(pl, t, e, k == W_SENDER || k == W_RECIPIENT,
                      accepts && early ? LINT_ERROR : LINT_WARNING);
        if (!accepts || !early)
            continue;
        if (k == W_CLIENT) {
            int wide =
                t->kind != LINT_PFTABLE_REGEXP && audit_net_parse(e->key, e->key_len, &net) == 0
                    ? lint_net_wide(&net)
                    : 0;

            /* Only the Internet at large makes a relay open to strangers. */
            bad = wide == LINT_NET_OPEN;
            if (wide && report)
                lint_add(pl->r, "network-wide", bad ? sev : LINT_WARNING, t->shown, e->where, fix,
                         "%.*s accepts %s before %s's relay check (%s)%s: every host there may "
                         "relay",
                         (int)(e->key_len > 100 ? 100 : e->key_len), e->key,
                         bad ? "a network of the Internet at large"
                             : "a network far wider than the hosts that send mail",
                         L->v.name, at, bad ? other : "");
        } else {
            bad = k != W_RECIPIENT || recipient_opens(t, e);
            if (bad && report)
                lint_add(pl->r, "client-controlled-permit", sev, t->shown, e->where, fix,
                         "%s accepts before %s's relay check (%s), keyed on the %s, which "
                         "any client chooses freely%s: move the lookup after "
                         "reject_unauth_destination",
                         k == W_SENDER ? "check_sender_access"
                         : k == W_HELO ? "check_helo_access"
                                       : "check_recipient_access",
                         L->v.name, at,
                         k == W_SENDER ? "envelope sender"
                         : k == W_HELO ? "HELO name"
                                       : "recipient's local part or an unanchored pattern",
                         other);
        }
        opens |= bad;
    }
    if (early)
        c->opens[k] = (signed char)opens;
    return opens;
}

/* first_report - the list's setting has not been reported on yet (now it has) */

static int first_report(struct pf_lint *pl, const struct pf_list *L)
{
    size_t i;

    if (L->v.where == NULL)
        return 1; /* Postfix's default: no table, cheap */
    for (i = 0; i < pl->nreported; i++)
        if (pl->reported[i] == L->v.where)
            return 0;
    if (pl->nreported < PF_REPORTED_MAX)
        pl->reported[pl->nreported++] = L->v.where;
    return 1;
}

/* list_opens - the list lets a stranger's mail to a foreign domain through */

static int list_opens(struct pf_lint *pl, const struct pf_list *L, int report,
                      enum lint_severity sev, const char *other)
{
    int opens = L->check < 0;
    char fix[LINT_FIX_MAX];
    size_t i;

    fix_line(L, fix, sizeof(fix));
    for (i = 0; i < L->n; i++) {
        enum pf_word k = kind_of(&L->w[i]);

        if (k == W_PERMIT && before_check(L, i)) {
            opens = 1;
            if (report)
                lint_add(pl->r, "bare-permit", sev, L->v.file, L->v.where, fix,
                         "a bare 'permit' in %s before its relay check accepts every "
                         "recipient from every client%s (postconf(5), %s)",
                         L->v.name, other, L->v.name);
        } else if (takes_table(k) && i + 1 < L->n) {
            opens |= access_table(pl, L, i, report, sev, other);
            i++;
        }
    }
    return opens;
}

/* order - cause 4: a relay check before the permits for trusted or authenticated clients */

static void order(struct pf_lint *pl, const struct pf_list *L)
{
    char fix[LINT_FIX_MAX];
    size_t i;

    if (L->check < 0)
        return;
    for (i = (size_t)L->check + 1; i < L->n; i++) {
        if (lint_is_word(L->w[i].s, L->w[i].n, "permit_mynetworks") ||
            lint_is_word(L->w[i].s, L->w[i].n, "permit_sasl_authenticated")) {
            fix_line(L, fix, sizeof(fix));
            lint_add(pl->r, "restriction-order", LINT_ERROR, L->v.file, L->v.where, fix,
                     "%s has %.*s before %.*s: Postfix evaluates restrictions in order, "
                     "so those clients get \"Relay access denied\" (" GUIDE ", cause 4)",
                     L->v.name, (int)L->w[L->check].n, L->w[L->check].s, (int)L->w[i].n, L->w[i].s);
            return;
        }
    }
}

/* relay_lists - both lists of the service being linted */

static void relay_lists(struct pf_lint *pl, struct pf_list *relay, struct pf_list *rcpt)
{
    char fix[LINT_FIX_MAX];
    int a, b;

    list_get(pl, "smtpd_relay_restrictions", relay);
    list_get(pl, "smtpd_recipient_restrictions", rcpt);
    order(pl, relay);
    order(pl, rcpt);
    if (relay->check < 0 && rcpt->check < 0) {
        struct pf_list *at = rcpt->v.set && !relay->v.set ? rcpt : relay;

        fix_line(at, fix, sizeof(fix));
        lint_add(pl->r, "relay-check-missing", LINT_ERROR, at->v.file, at->v.where, fix,
                 "neither smtpd_relay_restrictions nor smtpd_recipient_restrictions has "
                 "reject_unauth_destination (or defer_unauth_destination, reject): every "
                 "client may relay anywhere, an open relay (postconf(5), "
                 "smtpd_relay_restrictions; " GUIDE ", cause 4)");
    }
    a = list_opens(pl, relay, 0, LINT_ERROR, "");
    b = list_opens(pl, rcpt, 0, LINT_ERROR, "");
    if (first_report(pl, relay))
        list_opens(pl, relay, 1, b ? LINT_ERROR : LINT_WARNING,
                   b ? ", and smtpd_recipient_restrictions lets it through too: an open relay"
                     : "; smtpd_recipient_restrictions stops it today, one edit away from an "
                       "open relay");
    if (first_report(pl, rcpt))
        list_opens(pl, rcpt, 1, a ? LINT_ERROR : LINT_WARNING,
                   a ? ", and smtpd_relay_restrictions lets it through too: an open relay"
                     : "; smtpd_relay_restrictions stops it today, one edit away from an open "
                       "relay");
}

/* Whether a network list holds each --client address. */
struct pf_clients {
    int held[LINT_PARAMS_MAX];
    int unknown[LINT_PARAMS_MAX];
};

/*
 * net_item - one network item: too wide, and which clients it holds
 * (first match wins, "!" excludes: postconf(5), mynetworks)
 */
static void net_item(struct pf_lint *pl, const char *s, size_t n, int neg, const char *file,
                     const struct lint_line *where, const char *param, struct pf_clients *c,
                     int *decided)
{
    struct audit_net net;
    size_t i;
    int wide;

    if (audit_net_parse(s, n, &net) < 0) {
        /* A host name, or a table lint could not read: no telling whom it holds. */
        for (i = 0; i < pl->lp->nclients; i++)
            c->unknown[i] |= !decided[i];
        return;
    }
    if (!neg && (wide = lint_net_wide(&net)) != 0)
        lint_add(pl->r, "network-wide", wide == LINT_NET_OPEN ? LINT_ERROR : LINT_WARNING, file,
                 where, "", "%s trusts %.*s, %s: every host there may relay through this server%s",
                 param, (int)(n > 100 ? 100 : n), s,
                 wide == LINT_NET_OPEN ? "a network of the Internet at large (an open relay)"
                                       : "a network far wider than the hosts that send mail",
                 strcmp(param, "mynetworks") == 0 ? " (" GUIDE
                                                    ", cause 2: list the hosts, or use SMTP AUTH)"
                 : strcmp(param, "smtpd_authorized_xclient_hosts") == 0
                     ? " (XCLIENT lets them claim any client address, mynetworks included)"
                     : "");
    for (i = 0; i < pl->lp->nclients; i++) {
        if (!decided[i] && audit_net_holds(&net, pl->lp->clients[i])) {
            decided[i] = 1;
            c->held[i] |= !neg;
        }
    }
}

/* net_list - a network list's items, tables among them read */

static void net_list(struct pf_lint *pl, const struct lint_pfvalue *v, struct pf_clients *c)
{
    struct lint_pfword w[LINT_PF_WORDS_MAX];
    int decided[LINT_PARAMS_MAX] = {0};
    size_t n = lint_pfconf_words(v->text, w, LINT_PF_WORDS_MAX), i, j;

    for (i = 0; i < n; i++) {
        int neg = w[i].s[0] == '!';
        const char *s = w[i].s + neg;
        size_t len = w[i].n - neg;
        char spec[LINT_PATH_MAX];
        const struct lint_pftable *t;
        struct pf_table *c_t;
        const char *why;

        if (len == 0 || (!memchr(s, ':', len) && s[0] != '/') || s[0] == '[' ||
            audit_net_parse(s, len, &(struct audit_net){0}) == 0) {
            net_item(pl, s, len, neg, v->file, v->where, v->name, c, decided);
            continue;
        }
        /* "/file/name" holds patterns; "type:table" looks the client up. */
        snprintf(spec, sizeof(spec), "%s%.*s", s[0] == '/' ? "texthash:" : "", (int)len, s);
        if (table(pl, spec, strlen(spec), &c_t, &why) != 0 ||
            (t = &c_t->t)->kind == LINT_PFTABLE_REGEXP) {
            net_item(pl, "", 0, neg, v->file, v->where, v->name, c, decided);
            continue;
        }
        for (j = 0; j < t->n; j++)
            net_item(pl, t->v[j].key, t->v[j].key_len, neg, t->shown, t->v[j].where, v->name, c,
                     decided);
    }
}

/* mynetworks - the service's trusted networks: too wide, and the --client addresses */

static void mynetworks(struct pf_lint *pl, struct lint_pfvalue *v, struct pf_clients *c)
{
    size_t i;

    lint_pfconf_get(&pl->cf, "mynetworks", v);
    if (v->set) {
        net_list(pl, v, c);
        return;
    }
    /* Unset: mynetworks_style decides (postconf(5)). */
    lint_pfconf_get(&pl->cf, "mynetworks_style", v);
    if (strcasecmp(v->text, "class") == 0)
        lint_add(pl->r, "network-wide", LINT_ERROR, v->file, v->where, "mynetworks = 127.0.0.0/8",
                 "mynetworks_style = class trusts the whole class A/B/C network of each of "
                 "this host's addresses: every host there may relay (" GUIDE ", cause 2)");
    for (i = 0; i < pl->lp->nclients; i++) {
        if (strcasecmp(v->text, "host") == 0)
            c->held[i] |= strncmp(pl->lp->clients[i], "127.", 4) == 0 ||
                          strcmp(pl->lp->clients[i], "::1") == 0;
        else
            c->unknown[i] = 1; /* this host's subnets: not in the config */
    }
    lint_pfconf_get(&pl->cf, "mynetworks", v);
}

/* clients - cause 2: each --client held by no service's mynetworks */

static void clients(struct pf_lint *pl, const struct pf_clients *c, const struct lint_pfvalue *v)
{
    char fix[LINT_FIX_MAX];
    size_t i;

    for (i = 0; i < pl->lp->nclients; i++) {
        const char *a = pl->lp->clients[i];
        int v6 = strchr(a, ':') != NULL;

        if (c->held[i] || c->unknown[i])
            continue;
        lint_fmt(fix, sizeof(fix), "mynetworks = %s%s%s%s%s", v->set ? v->raw : "127.0.0.0/8",
                 v->set || !v6 ? " " : " [::1]/128 ", v6 ? "[" : "", a, v6 ? "]/128" : "/32");
        lint_add(pl->r, "client-not-trusted", LINT_ERROR, v->file, v->where, fix,
                 "the client %s is in no service's mynetworks, so permit_mynetworks does not "
                 "let it relay: \"Relay access denied\" unless it authenticates (" GUIDE
                 ", cause 2; for a dynamic address use SMTP AUTH instead)",
                 a);
    }
}

/* set_fix - "name = value", or "-o name=value" for a service's override */

static void set_fix(char *out, size_t size, int override, const char *name, const char *value)
{
    lint_fmt(out, size, override ? "-o %s=%s" : "%s = %s", name, value);
}

/* sasl_backend - cause 5: SASL on, and nothing to check the passwords */

static void sasl_backend(struct pf_lint *pl, const struct lint_pfvalue *on, struct lint_pfvalue *v)
{
    char fix[LINT_FIX_MAX], path_fix[LINT_FIX_MAX];
    int type_set, dovecot;

    lint_pfconf_get(&pl->cf, "smtpd_sasl_type", v);
    type_set = v->set;
    dovecot = strcasecmp(v->text, "dovecot") == 0;
    lint_pfconf_get(&pl->cf, "smtpd_sasl_path", v);
    if (v->set || (type_set && !dovecot))
        return;
    set_fix(path_fix, sizeof(path_fix), on->override, "smtpd_sasl_path", "private/auth");
    if (!type_set) {
        set_fix(fix, sizeof(fix), on->override, "smtpd_sasl_type", "dovecot");
        lint_fmt(fix + strlen(fix), sizeof(fix) - strlen(fix), " and %s", path_fix);
    }
    lint_add(pl->r, "sasl-no-backend", LINT_WARNING, on->file, on->where, type_set ? path_fix : fix,
             "SASL is on (smtpd_sasl_auth_enable) but %s: every AUTH fails, so clients "
             "cannot authenticate to relay (" GUIDE ", cause 5)",
             type_set ? "smtpd_sasl_type is dovecot and smtpd_sasl_path is not set (Postfix "
                        "looks for Dovecot's socket at 'smtpd')"
                      : "neither smtpd_sasl_type nor smtpd_sasl_path is set (Postfix asks "
                        "Cyrus SASL's 'smtpd' application, which needs a config of its own)");
}

/* sasl - the service offers AUTH: a backend for it, and only over TLS; 1 when on */

static int sasl(struct pf_lint *pl, struct lint_pfvalue *on, struct lint_pfvalue *v)
{
    char fix[LINT_FIX_MAX];

    lint_pfconf_get(&pl->cf, "smtpd_sasl_auth_enable", on);
    if (strcasecmp(on->text, "yes") != 0)
        return 0;
    sasl_backend(pl, on, v);
    /* smtps (wrapper mode) and "encrypt" have TLS before any AUTH. */
    lint_pfconf_get(&pl->cf, "smtpd_tls_security_level", v);
    if (lint_pfconf_yes(&pl->cf, "smtpd_tls_auth_only") ||
        lint_pfconf_yes(&pl->cf, "smtpd_tls_wrappermode") || strcasecmp(v->text, "encrypt") == 0)
        return 1;
    set_fix(fix, sizeof(fix), on->override, "smtpd_tls_auth_only", "yes");
    lint_add(pl->r, "auth-before-tls", LINT_WARNING, on->file, on->where, fix,
             "service %s offers AUTH before STARTTLS (smtpd_tls_auth_only is not yes): "
             "passwords may cross the network in clear text (postconf(5), "
             "smtpd_tls_auth_only; " GUIDE ", section 6)",
             pl->cf.svc ? pl->cf.svc->name : "smtp");
    return 1;
}

/* The lists a recipient domain must be in (" GUIDE ", cause 3). */
static const char *const domain_lists[] = {"mydestination", "relay_domains",
                                           "virtual_alias_domains", "virtual_mailbox_domains"};

/* domain_key - a list item or table key k[0..n) names d */

static int domain_key(const char *k, size_t n, const char *d, int parent)
{
    size_t dn = strlen(d);

    if (n == dn && strncasecmp(k, d, n) == 0)
        return 1;
    /* ".example.com", and with parent_domain_matches_subdomains "example.com", hold subdomains. */
    if (n > 0 && k[0] == '.')
        k++, n--;
    else if (!parent)
        return 0;
    return dn > n + 1 && d[dn - n - 1] == '.' && strncasecmp(d + dn - n, k, n) == 0;
}

/* regexp_holds - the pattern matches d (Postfix matches case-insensitively); -1: cannot tell */

static int regexp_holds(const struct lint_pftable_entry *e, const char *d)
{
    char pattern[1024];
    regex_t re;
    int rc;

    if (e->key_len >= sizeof(pattern))
        return -1;
    memcpy(pattern, e->key, e->key_len);
    pattern[e->key_len] = 0;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
        return -1; /* a PCRE construct POSIX does not know */
    rc = regexec(&re, d, 0, NULL, 0) == 0;
    regfree(&re);
    return rc;
}

/* table_holds - a domain table holds d: 1, 0, or -1 (cannot tell) */

static int table_holds(struct pf_lint *pl, const struct lint_pfword *w, const char *d, int parent,
                       enum lint_severity lookalike_sev)
{
    const struct lint_pftable *t;
    struct pf_table *c;
    const char *why;
    int found = 0;
    size_t j;

    if (table(pl, w->s, w->n, &c, &why) != 0)
        return -1;
    t = &c->t;
    /* Each pattern compiled for each --domain: a few thousand, not a hostile table's all. */
    if (d && t->kind == LINT_PFTABLE_REGEXP && t->n > PF_REGEXPS_MAX)
        return -1;
    for (j = 0; j < t->n && found == 0; j++) {
        const struct lint_pftable_entry *e = &t->v[j];

        if (d == NULL)
            lookalike(pl, t, e, 0, lookalike_sev);
        else if (t->kind == LINT_PFTABLE_REGEXP)
            found = e->negated ? 0 : regexp_holds(e, d);
        else
            found = domain_key(e->key, e->key_len, d, parent);
    }
    return found;
}

/* domain_list - the list v holds d: 1, 0, -1 (cannot tell); d NULL: lookalikes only */

static int domain_list(struct pf_lint *pl, const struct lint_pfvalue *v, const char *d)
{
    struct lint_pfword w[LINT_PF_WORDS_MAX];
    size_t n = lint_pfconf_words(v->text, w, LINT_PF_WORDS_MAX), i;
    int relay = strcmp(v->name, "relay_domains") == 0, unknown = 0;

    for (i = 0; i < n; i++) {
        int rc = 0;

        if (w[i].s[0] == '!')
            continue;
        if (w[i].n > 7 && strncmp(w[i].s, "static:", 7) == 0) {
            rc = d != NULL; /* a table that answers every lookup holds every domain */
        } else if (w[i].s[0] == '/' || memchr(w[i].s, ':', w[i].n)) {
            char spec[LINT_PATH_MAX];
            struct lint_pfword file = {spec, 0};

            snprintf(spec, sizeof(spec), "%s%.*s", w[i].s[0] == '/' ? "texthash:" : "", (int)w[i].n,
                     w[i].s);
            file.n = strlen(spec);
            rc = table_holds(pl, &file, d, relay, relay ? LINT_ERROR : LINT_WARNING);
        } else if (d) {
            rc = domain_key(w[i].s, w[i].n, d, relay);
        }
        if (rc > 0)
            return 1;
        unknown |= rc < 0;
    }
    return unknown ? -1 : 0;
}

/* A domain no honest list holds (RFC 2606): a list that holds it holds every domain. */
#define CANARY "relaylab-lint-canary.invalid"

/* domains - cause 3: each --domain in one of the domain lists; and their lookalike patterns */

static void domains(struct pf_lint *pl, struct lint_pfvalue *v)
{
    char fix[LINT_FIX_MAX];
    size_t i, k;

    for (k = 0; k < sizeof(domain_lists) / sizeof(domain_lists[0]); k++) {
        lint_pfconf_get(&pl->cf, domain_lists[k], v);
        domain_list(pl, v, NULL);
    }
    lint_pfconf_get(&pl->cf, "relay_domains", v);
    if (domain_list(pl, v, CANARY) > 0)
        lint_add(pl->r, "relay-domains-any", LINT_ERROR, v->file, v->where, "relay_domains =",
                 "relay_domains holds every domain (a static: table or a pattern that matches "
                 "anything): reject_unauth_destination lets every recipient through, an open "
                 "relay; list the domains this server relays for (postconf(5), relay_domains)");
    for (i = 0; i < pl->lp->ndomains; i++) {
        const char *d = pl->lp->domains[i];
        int held = 0, unknown = 0;
        size_t at = 0;

        for (k = 0; k < sizeof(domain_lists) / sizeof(domain_lists[0]) && !held; k++) {
            int rc;

            lint_pfconf_get(&pl->cf, domain_lists[k], v);
            rc = domain_list(pl, v, d);
            held = rc > 0;
            unknown |= rc < 0;
            /* The fix goes where the config lists its hosted domains already. */
            if (k > 0 && v->set && v->text[0] && at == 0)
                at = k;
        }
        if (held || unknown)
            continue;
        lint_pfconf_get(&pl->cf, domain_lists[at], v);
        lint_fmt(fix, sizeof(fix), "%s = %s%s%s", domain_lists[at], v->raw, v->raw[0] ? ", " : "",
                 d);
        lint_add(pl->r, "domain-unlisted", LINT_ERROR, v->file, v->where, fix,
                 "the recipient domain %s is in none of mydestination, relay_domains, "
                 "virtual_alias_domains, virtual_mailbox_domains: Postfix treats it as foreign "
                 "and refuses relay to it for unauthorized clients (" GUIDE ", cause 3)",
                 d);
    }
}

/* builds_domain - a replacement whose domain comes from a capture ("$1@$2") */

static int builds_domain(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    size_t i;

    for (i = at ? (size_t)(at - s) : n; i + 1 < n; i++)
        if (s[i] == '$' && (isdigit((unsigned char)s[i + 1]) ||
                            (s[i + 1] == '{' && i + 2 < n && isdigit((unsigned char)s[i + 2]))))
            return 1;
    return 0;
}

/* routes - a pattern that needs a routing operator in the local part: %, !, a second @ */

static int routes(const char *key, size_t n)
{
    size_t i, ats = 0;

    for (i = 0; i < n; i++) {
        if (key[i] == '%' || key[i] == '!')
            return 1;
        ats += key[i] == '@';
    }
    return ats > 1;
}

/* alias_captures - virtual_alias_maps regexps that send mail to a domain the sender wrote */

static void alias_captures(struct pf_lint *pl, struct lint_pfvalue *v)
{
    struct lint_pfword w[LINT_PF_WORDS_MAX];
    size_t n, i, j;

    /* Mail with routing in its local part (user%host@, host!user@, "user@host"@) is refused
     * to strangers unless allow_untrusted_routing (postconf(5)). */
    int routing_ok = lint_pfconf_yes(&pl->cf, "allow_untrusted_routing");

    lint_pfconf_get(&pl->cf, "virtual_alias_maps", v);
    n = lint_pfconf_words(v->text, w, LINT_PF_WORDS_MAX);
    for (i = 0; i < n; i++) {
        const struct lint_pftable *t;
        struct pf_table *c;
        const char *why;

        if (table(pl, w[i].s, w[i].n, &c, &why) != 0)
            continue;
        t = &c->t;
        for (j = 0; j < t->n && t->kind == LINT_PFTABLE_REGEXP; j++) {
            const struct lint_pftable_entry *e = &t->v[j];

            if (e->negated || !builds_domain(e->value, e->value_len) ||
                (routes(e->key, e->key_len) && !routing_ok))
                continue;
            lint_add(pl->r, "alias-capture-domain", LINT_ERROR, t->shown, e->where,
                     routes(e->key, e->key_len)
                         ? "allow_untrusted_routing = no"
                         : "rewrite to a fixed domain you host (/^(.*)@example\\.com$/ "
                           "$1@mail.example.net), never one taken from the address",
                     "the replacement %.*s builds the recipient's domain from a capture: a "
                     "client picks the domain, and virtual aliasing sends its mail there, "
                     "past reject_unauth_destination (virtual(5), regexp_table(5))",
                     (int)(e->value_len > 200 ? 200 : e->value_len), e->value);
        }
    }
}

/* State across services. */
struct pf_scan {
    struct pf_list relay, rcpt;
    struct lint_pfvalue on, v, first_mynetworks;
    struct pf_clients c, ignored;
    int sasl_on, submission, linted;
    const struct pf_list *sasl_permit; /* an explicit list naming permit_sasl_authenticated */
    struct pf_list sasl_list;
};

/* names_sasl - the list is set and names permit_sasl_authenticated */

static int names_sasl(const struct pf_list *L)
{
    size_t i;

    for (i = 0; L->v.set && i < L->n; i++)
        if (lint_is_word(L->w[i].s, L->w[i].n, "permit_sasl_authenticated"))
            return 1;
    return 0;
}

/* service - one smtpd service with its overrides */

static void service(struct pf_lint *pl, struct pf_scan *s)
{
    relay_lists(pl, &s->relay, &s->rcpt);
    mynetworks(pl, &s->v, &s->c);
    if (!s->linted++)
        memcpy(&s->first_mynetworks, &s->v, sizeof(s->v));
    lint_pfconf_get(&pl->cf, "smtpd_authorized_xclient_hosts", &s->v);
    net_list(pl, &s->v, &s->ignored);
    s->sasl_on |= sasl(pl, &s->on, &s->v);
    if (!s->sasl_permit && (names_sasl(&s->relay) || names_sasl(&s->rcpt))) {
        memcpy(&s->sasl_list, names_sasl(&s->relay) ? &s->relay : &s->rcpt, sizeof(s->sasl_list));
        s->sasl_permit = &s->sasl_list;
    }
    s->submission |= pl->cf.svc && lint_pfconf_port(pl->cf.svc) == 587;
}

/* services - every smtpd service that takes connections (inet; postscreen's pass) */

static void services(struct pf_lint *pl, struct pf_scan *s)
{
    size_t i;

    for (i = 0; i < pl->cf.nsvcs; i++) {
        const struct lint_pfservice *svc = &pl->cf.svcs[i];

        if (strcmp(svc->command, "smtpd") != 0 ||
            (strcmp(svc->type, "inet") != 0 && strcmp(svc->type, "pass") != 0))
            continue;
        pl->cf.svc = svc;
        service(pl, s);
    }
    pl->cf.svc = NULL;
}

/* whole - what holds across services: SASL used at all, a submission service, --client */

static void whole(struct pf_lint *pl, struct pf_scan *s)
{
    if (s->sasl_permit && !s->sasl_on)
        lint_add(pl->r, "sasl-disabled", LINT_WARNING, s->sasl_permit->v.file,
                 s->sasl_permit->v.where, "smtpd_sasl_auth_enable = yes",
                 "%s names permit_sasl_authenticated but no service turns SASL on "
                 "(smtpd_sasl_auth_enable): no client can authenticate, so none relays by "
                 "AUTH (" GUIDE ", cause 5)",
                 s->sasl_permit->v.name);
    if (pl->cf.have_master && !s->submission)
        lint_add(pl->r, "no-submission", LINT_WARNING, pl->cf.master_shown, NULL,
                 "submission inet n - y - - smtpd -o smtpd_tls_security_level=encrypt "
                 "-o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes "
                 "-o smtpd_recipient_restrictions=permit_sasl_authenticated,reject",
                 "master.cf has no smtpd service on port 587 (submission): mail clients that "
                 "send there cannot connect, and those on port 25 are often blocked or refused "
                 "relay (" GUIDE ", cause 6; RFC 6409)");
    if (s->linted)
        clients(pl, &s->c, &s->first_mynetworks);
}

/* lint_postfix - see lint_postfix.h */

int lint_postfix(const char *dir, const struct lint_params *params, struct lint_report *report,
                 struct smtp_error *err)
{
    struct pf_lint *pl = calloc(1, sizeof(*pl));
    struct pf_scan *s = calloc(1, sizeof(*s));
    int rc = 0;

    smtp_error_clear(err);
    if (pl == NULL || s == NULL) {
        rc = smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "out of memory");
        goto out;
    }
    pl->r = report;
    pl->lp = params;
    if ((pl->tables = calloc(PF_TABLES_MAX, sizeof(*pl->tables))) == NULL) {
        rc = smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "out of memory");
        goto out;
    }
    if (lint_pfconf_open(&pl->cf, dir, err) < 0) {
        rc = -1;
        goto out;
    }
    if (!pl->cf.have_master)
        lint_add(report, "table-unread", LINT_INFO, pl->cf.master_shown, NULL, "",
                 "not checked: no readable master.cf, so only Postfix's smtp service on port "
                 "25, and no submission service, were looked at");
    services(pl, s);
    whole(pl, s);
    domains(pl, &s->v);
    alias_captures(pl, &s->v);
    if (report->failed)
        rc = smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "out of memory");
out:
    for (size_t i = 0; pl && pl->tables && i < pl->ntables; i++)
        lint_pftable_free(&pl->tables[i].t);
    if (pl) {
        free(pl->tables);
        lint_pfconf_close(&pl->cf);
    }
    free(pl);
    free(s);
    return rc;
}

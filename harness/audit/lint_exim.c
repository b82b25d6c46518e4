/*++
 * NAME
 *	lint_exim 3
 * SUMMARY
 *	relaylab lint's checks of an Exim config
 * DESCRIPTION
 *	See lint_exim.h. Exim decides relaying in one ACL (spec chapter
 *	43, "Access control lists"): its statements in order, the first
 *	accept whose conditions all hold accepts the recipient, and the
 *	end of the ACL denies. The usual relay check is "require domains =
 *	+local_domains : +relay_to_domains" (or a deny with !domains).
 *	So an accept before that check whose every condition a stranger
 *	can meet (no condition at all, senders, local_parts without
 *	domains, a condition on the HELO name, a wide hosts list, a
 *	verify) is an open relay; an accept for authenticated or trusted
 *	clients after it is cause 4 of the guide.
 *--*/
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_exim.h"

#define GUIDE "relay-access-denied guide"
#define EX_ITEM_MAX 512          /* one list item */
#define EX_LIST_DEPTH 8          /* +name inside +name */
#define EX_ITEMS_MAX 65536       /* list items looked at for one question, +name followed */
#define EX_RUN_ITEMS_MAX 1048576 /* and in one run */

struct ex_opt {
    const char *kind; /* "domainlist", "hostlist", ... or "" for an option */
    const char *name, *value;
    const struct lint_line *where;
};

struct ex_stmt {
    const char *acl, *verb;
    const struct lint_line *where;
    struct ex_opt *cond; /* its conditions and modifiers, in ex_lint's conds */
    size_t ncond;
};

/* An authenticator or a router, with the options lint reads of it. */
struct ex_driver {
    const char *name;
    const struct lint_line *where;
    const struct ex_opt *advertise; /* server_advertise_condition */
    const struct ex_opt *driver, *data, *condition;
};

struct ex_lint {
    const char *file;
    struct lint_text text;
    struct lint_lines lines;
    struct ex_opt *opts;
    size_t nopts;
    const struct ex_opt **named; /* the named lists among opts, by kind, name, line */
    size_t nnamed;
    long budget; /* list items still to look at, for one question (+name inside +name) */
    long spent;  /* list items looked at in all */
    struct ex_stmt *stmts;
    size_t nstmts;
    struct ex_opt *conds; /* every statement's, one after another */
    size_t nconds;
    struct ex_driver *auths, *routers;
    size_t nauths, nrouters;
    struct lint_report *r;
    const struct lint_params *lp;
};

static const char *const verbs[] = {"accept", "defer",   "deny", "discard",
                                    "drop",   "require", "warn"};

/* Modifiers: they act, they do not decide (spec 43.19). */
static const char *const modifiers[] = {
    "message",       "log_message", "logwrite", "control", "set",     "delay", "add_header",
    "remove_header", "endpass",     "continue", "queue",   "udpsend", "debug", "log_reject_target",
};

static int one_of(const char *s, const char *const *set, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0)
            return 1;
    return 0;
}

/* is_modifier - a statement's word that acts and does not decide */

static int is_modifier(const char *name)
{
    return one_of(name, modifiers, sizeof(modifiers) / sizeof(modifiers[0]));
}

/* split_opt - "name = value" in place; the name, or NULL */

static char *split_opt(char *s, char **value)
{
    char *eq = strchr(s, '='), *end;

    if (eq == NULL)
        return NULL;
    for (end = eq; end > s && isspace((unsigned char)end[-1]); end--)
        ;
    *end = 0;
    for (eq++; isspace((unsigned char)*eq); eq++)
        ;
    *value = eq;
    return s;
}

/* main_line - a main-section line: an option or a named list */

static void main_line(struct ex_lint *ex, struct lint_line *l)
{
    static const char *const lists[] = {"domainlist", "hostlist", "addresslist", "localpartlist"};
    char *s = l->text, *value, *name, *sp;
    const char *kind = "";
    size_t i;

    if (s[0] == '.' || isupper((unsigned char)s[0]))
        return; /* ".include", ".ifdef", a macro */
    if (strncmp(s, "hide ", 5) == 0)
        s += 5;
    for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        size_t k = strlen(lists[i]);

        if (strncmp(s, lists[i], k) == 0 && isspace((unsigned char)s[k])) {
            s[k] = 0;
            kind = s;
            for (s += k + 1; isspace((unsigned char)*s); s++)
                ;
        }
    }
    if ((name = split_opt(s, &value)) == NULL)
        return;
    if ((sp = strpbrk(name, " \t")) != NULL)
        *sp = 0; /* "hostlist relay_from_hosts <; ..." is not Exim's syntax; take the name */
    ex->opts[ex->nopts++] = (struct ex_opt){kind, name, value, l};
}

/* acl_line - a line of "begin acl": an ACL's name, a statement, or a condition */

static void acl_line(struct ex_lint *ex, struct lint_line *l, const char **acl)
{
    char *s = l->text, *word_end, *value, *name;
    struct ex_stmt *st;
    size_t n = strlen(s);

    if (n > 1 && s[n - 1] == ':' && !strpbrk(s, " \t=")) {
        s[n - 1] = 0;
        *acl = s;
        return;
    }
    word_end = s + strcspn(s, " \t");
    if (*acl && (size_t)(word_end - s) < 16) {
        char verb[16];

        memcpy(verb, s, (size_t)(word_end - s));
        verb[word_end - s] = 0;
        if (one_of(verb, verbs, sizeof(verbs) / sizeof(verbs[0]))) {
            st = &ex->stmts[ex->nstmts++];
            *st = (struct ex_stmt){.acl = *acl, .verb = s, .where = l};
            if (*word_end == 0)
                return;
            *word_end = 0;
            for (s = word_end + 1; isspace((unsigned char)*s); s++)
                ;
        }
    }
    if (ex->nstmts == 0 || ex->stmts[ex->nstmts - 1].acl != *acl)
        return;
    st = &ex->stmts[ex->nstmts - 1];
    /* A statement's conditions follow it: they stand together in conds. */
    if ((name = split_opt(s, &value)) != NULL) {
        ex->conds[ex->nconds] = (struct ex_opt){"", name, value, l};
        if (st->ncond++ == 0)
            st->cond = &ex->conds[ex->nconds];
        ex->nconds++;
    }
}

/* driver_line - a line of "begin authenticators" or "routers": a name, or an option */

static void driver_line(struct ex_lint *ex, struct lint_line *l, struct ex_driver *v, size_t *n)
{
    char *s = l->text, *value, *name;
    size_t len = strlen(s);
    const struct ex_opt **slot;

    if (len > 1 && s[len - 1] == ':' && !strpbrk(s, " \t=")) {
        s[len - 1] = 0;
        v[(*n)++] = (struct ex_driver){.name = s, .where = l};
        return;
    }
    if (*n == 0 || (name = split_opt(s, &value)) == NULL)
        return;
    slot = strcmp(name, "server_advertise_condition") == 0 ? &v[*n - 1].advertise
           : strcmp(name, "driver") == 0                   ? &v[*n - 1].driver
           : strcmp(name, "data") == 0                     ? &v[*n - 1].data
           : strcmp(name, "condition") == 0                ? &v[*n - 1].condition
                                                           : NULL;
    if (slot) {
        /* Kept in the options, for its value and line. */
        ex->opts[ex->nopts] = (struct ex_opt){"driver", name, value, l};
        *slot = &ex->opts[ex->nopts++];
    }
}

/* by_name - named lists by kind, name, then line: the one that counts comes last */

static int by_name(const void *a, const void *b)
{
    const struct ex_opt *x = *(const struct ex_opt *const *)a,
                        *y = *(const struct ex_opt *const *)b;
    int c = strcmp(x->kind, y->kind);

    if (c == 0)
        c = strcmp(x->name, y->name);
    return c ? c : (x->where->line > y->where->line) - (x->where->line < y->where->line);
}

/* parse - the file's sections into options, ACL statements, authenticators */

static int parse(struct ex_lint *ex, struct smtp_error *err)
{
    const char *section = "main", *acl = NULL;
    size_t i, n = ex->lines.n + 1;

    ex->opts = calloc(n, sizeof(*ex->opts));
    ex->stmts = calloc(n, sizeof(*ex->stmts));
    ex->conds = calloc(n, sizeof(*ex->conds));
    ex->auths = calloc(n, sizeof(*ex->auths));
    ex->routers = calloc(n, sizeof(*ex->routers));
    if (ex->opts == NULL || ex->stmts == NULL || ex->conds == NULL || ex->auths == NULL ||
        ex->routers == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    for (i = 0; i < ex->lines.n; i++) {
        struct lint_line *l = &ex->lines.v[i];

        if (strncmp(l->text, "begin ", 6) == 0) {
            section = l->text + 6;
            section += strspn(section, " \t");
            continue;
        }
        if (strcmp(section, "main") == 0)
            main_line(ex, l);
        else if (strcmp(section, "acl") == 0)
            acl_line(ex, l, &acl);
        else if (strcmp(section, "authenticators") == 0)
            driver_line(ex, l, ex->auths, &ex->nauths);
        else if (strcmp(section, "routers") == 0)
            driver_line(ex, l, ex->routers, &ex->nrouters);
    }
    if ((ex->named = calloc(ex->nopts + 1, sizeof(*ex->named))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    for (i = 0; i < ex->nopts; i++)
        if (ex->opts[i].kind[0] && strcmp(ex->opts[i].kind, "driver") != 0)
            ex->named[ex->nnamed++] = &ex->opts[i];
    qsort(ex->named, ex->nnamed, sizeof(ex->named[0]), by_name);
    return 0;
}

/* opt - a main option or named list (kind "" for an option); the last one wins */

static const struct ex_opt *opt(const struct ex_lint *ex, const char *kind, const char *name)
{
    size_t i, lo = 0, hi = ex->nnamed;

    if (kind[0] == 0) {
        for (i = ex->nopts; i > 0; i--)
            if (ex->opts[i - 1].kind[0] == 0 && strcmp(ex->opts[i - 1].name, name) == 0)
                return &ex->opts[i - 1];
        return NULL;
    }
    /* Named lists, looked up for every "+name" item: sorted (by_name), the last one wins. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ex->named[mid]->kind, kind);

        if (c < 0 || (c == 0 && strcmp(ex->named[mid]->name, name) <= 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && strcmp(ex->named[lo - 1]->kind, kind) == 0 &&
        strcmp(ex->named[lo - 1]->name, name) == 0)
        return ex->named[lo - 1];
    return NULL;
}

/*
 * next_item - the next item of an Exim list (spec 10.1: ":" separates,
 * "::" is a colon inside an item, "<c" at the start picks c instead);
 * into item, trimmed. 0 at the end.
 */
static int next_item(const char **p, char *sep, char *item, size_t size)
{
    const char *s = *p;
    size_t n = 0;

    if (*sep == 0) {
        *sep = ':';
        s += strspn(s, " \t");
        if (s[0] == '<' && s[1] && !isalnum((unsigned char)s[1]) && !isspace((unsigned char)s[1]))
            *sep = s[1], s += 2;
    }
    s += strspn(s, " \t");
    if (*s == 0)
        return 0;
    for (; *s; s++) {
        if (*s == *sep && s[1] == *sep)
            s++;
        else if (*s == *sep)
            break;
        if (n + 1 < size)
            item[n++] = *s;
    }
    while (n > 0 && isspace((unsigned char)item[n - 1]))
        n--;
    item[n] = 0;
    *p = *s ? s + 1 : s;
    return 1;
}

/* spend - one more list item may be looked at: for this question, and in this run */

static int spend(struct ex_lint *ex)
{
    if (ex->budget <= 0 || ex->spent >= EX_RUN_ITEMS_MAX)
        return 0;
    ex->budget--;
    ex->spent++;
    return 1;
}

/* Whether a host list holds each --client address. */
struct ex_clients {
    int held[LINT_PARAMS_MAX];
    int unknown[LINT_PARAMS_MAX];
};

/*
 * host_list - a host list's items (named lists followed): wide networks
 * reported; the widest, as lint_net_wide() says ("*": LINT_NET_OPEN)
 */
static int host_list(struct ex_lint *ex, const char *value, const struct lint_line *where,
                     const char *what, struct ex_clients *c, int depth)
{
    char item[EX_ITEM_MAX], sep = 0;
    const char *p = value;
    int wide = 0;
    size_t i;

    if (depth == 0)
        ex->budget = EX_ITEMS_MAX;
    while (depth < EX_LIST_DEPTH && spend(ex) && next_item(&p, &sep, item, sizeof(item))) {
        int neg = item[0] == '!';
        const char *it = item + neg;
        struct audit_net net;
        const struct ex_opt *named;

        if (it[0] == '+' && (named = opt(ex, "hostlist", it + 1)) != NULL) {
            int w = host_list(ex, named->value, named->where, it + 1, c, depth + 1);

            wide = neg || w < wide ? wide : w;
            continue;
        }
        if (strcmp(it, "*") == 0 || audit_net_parse(it, strlen(it), &net) == 0) {
            int all = strcmp(it, "*") == 0, w = all ? LINT_NET_OPEN : lint_net_wide(&net);

            if (!neg && w) {
                wide = w > wide ? w : wide;
                lint_add(ex->r, "network-wide", w == LINT_NET_OPEN ? LINT_ERROR : LINT_WARNING,
                         ex->file, where, "",
                         "%s holds %s, %s: every host there may relay through this server%s", what,
                         it,
                         w == LINT_NET_OPEN ? "a network of the Internet at large (an open relay)"
                                            : "a network far wider than the hosts "
                                              "that send mail",
                         strcmp(what, "relay_from_hosts") == 0
                             ? " (" GUIDE ", cause 2: list the hosts, or use SMTP AUTH)"
                             : "");
            }
            for (i = 0; c && i < ex->lp->nclients; i++)
                if (all || audit_net_holds(&net, ex->lp->clients[i]))
                    c->held[i] |= !neg, c->unknown[i] = 0;
            continue;
        }
        /* A lookup, "@[]" (this host's addresses), a name: no telling whom it holds. */
        for (i = 0; c && i < ex->lp->nclients; i++)
            c->unknown[i] |= !c->held[i] && (strchr(it, ';') || strchr(it, '@'));
    }
    return wide;
}

/* regex_holds - an Exim regular expression item ("^...") matches d; -1 cannot tell */

static int regex_holds(const char *re_text, const char *d)
{
    regex_t re;
    int rc;

    if (regcomp(&re, re_text, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
        return -1;
    rc = regexec(&re, d, 0, NULL, 0) == 0;
    regfree(&re);
    return rc;
}

/*
 * domain_list - a domain list holds d: 1, 0, -1 (cannot tell); with d
 * NULL, lookalike items are reported instead (at sev)
 */
static int domain_list(struct ex_lint *ex, const char *value, const struct lint_line *where,
                       const char *d, enum lint_severity sev, int depth)
{
    char item[EX_ITEM_MAX], sep = 0, dom[256], fix[LINT_FIX_MAX];
    const char *p = value;
    int unknown = 0;

    if (depth == 0)
        ex->budget = EX_ITEMS_MAX;
    while (depth < EX_LIST_DEPTH && next_item(&p, &sep, item, sizeof(item))) {
        int neg = item[0] == '!', rc = 0;

        if (!spend(ex))
            return -1; /* "+a" inside "+a" inside ...: no telling, and no more time */
        const char *it = item + neg;
        const struct ex_opt *named;
        size_t n = strlen(it), dn = d ? strlen(d) : 0;

        if (it[0] == '+' && (named = opt(ex, "domainlist", it + 1)) != NULL) {
            rc = domain_list(ex, named->value, named->where, d, sev, depth + 1);
        } else if (strchr(it, ';') || (it[0] == '@' && it[1])) {
            rc = -1; /* a lookup, "@mx_any"...: not read */
        } else if (it[0] == '^' || strncmp(it, "\\N^", 3) == 0) {
            /* "\N...\N" keeps a regular expression from expansion (spec 11.5). */
            char re[EX_ITEM_MAX];
            size_t rn;

            snprintf(re, sizeof(re), "%s", it + (it[0] == '\\' ? 2 : 0));
            rn = strlen(re);
            if (rn >= 2 && strcmp(re + rn - 2, "\\N") == 0)
                re[rn -= 2] = 0;
            if (d == NULL && lint_regex_lookalike(re, rn, dom, sizeof(dom))) {
                lint_fmt(fix, sizeof(fix), "%s -> ^(.*\\.)?%s$", it, dom);
                lint_add(ex->r, "regexp-unanchored", sev, ex->file, where, fix,
                         "the domain list item %s is not anchored at a label boundary and the "
                         "end: lookalike domains match it too (spec 10.8)",
                         it);
            }
            rc = d ? regex_holds(re, d) : 0;
        } else if (it[0] == '*') {
            if (d == NULL && n > 1 && it[1] != '.') {
                lint_fmt(fix, sizeof(fix), "%s -> %s : *.%s", it, it + 1, it + 1);
                lint_add(ex->r, "wildcard-no-dot", sev, ex->file, where, fix,
                         "the domain list item %s has no dot after the star, so it also "
                         "matches evil%s and every other name ending in %s (spec 10.8)",
                         it, it + 1, it + 1);
            }
            rc = d && dn >= n - 1 && strcasecmp(d + dn - (n - 1), it + 1) == 0;
        } else if (d && strcmp(it, "@") == 0) {
            /* This host's name: primary_hostname, or the system's (not in the file). */
            const struct ex_opt *primary = opt(ex, "", "primary_hostname");

            rc = primary ? strcasecmp(primary->value, d) == 0 : -1;
        } else if (d) {
            rc = strcasecmp(it, d) == 0;
        }
        if (rc > 0 && d)
            return neg ? 0 : 1;
        unknown |= rc < 0;
    }
    return unknown ? -1 : 0;
}

enum ex_class {
    C_SAFE,     /* only trusted, authenticated or local mail meets it */
    C_STRANGER, /* any client can meet it */
    C_UNKNOWN,  /* lint cannot tell: taken as safe */
};

/* has_var - an expansion that reads a variable the client sets */

static int has_var(const char *v)
{
    static const char *const client_set[] = {
        "$sender_helo_name", "${sender_helo_name}", "$sender_address", "${sender_address",
        "$sender_host_name", "$local_part",         "$received_port",  "$interface_port"};
    size_t i;

    for (i = 0; i < sizeof(client_set) / sizeof(client_set[0]); i++)
        if (strstr(v, client_set[i]))
            return 1;
    return 0;
}

/* has_cond - the statement has a condition of that name ("!hosts": negated) */

static int has_cond(const struct ex_stmt *st, const char *name)
{
    size_t i;

    for (i = 0; i < st->ncond; i++)
        if (strcmp(st->cond[i].name, name) == 0)
            return 1;
    return 0;
}

/* cond_class - whether a stranger can meet one condition of an accept */

static enum ex_class cond_class(struct ex_lint *ex, const struct ex_stmt *st,
                                const struct ex_opt *c)
{
    int neg = c->name[0] == '!';
    const char *name = c->name + neg;

    if (neg)
        return C_UNKNOWN;
    if (strcmp(name, "senders") == 0 || strcmp(name, "encrypted") == 0 ||
        strcmp(name, "verify") == 0)
        return C_STRANGER;
    if (strcmp(name, "condition") == 0)
        return has_var(c->value) ? C_STRANGER : C_UNKNOWN;
    if (strcmp(name, "local_parts") == 0) {
        /* "postmaster" at every domain, unless a domains condition goes with it. */
        return has_cond(st, "domains") ? C_SAFE : C_STRANGER;
    }
    if (strcmp(name, "hosts") == 0)
        return host_list(ex, c->value, c->where, "an accept's hosts condition", NULL, 0) ==
                       LINT_NET_OPEN
                   ? C_STRANGER
                   : C_SAFE;
    if (strcmp(name, "domains") == 0)
        return strcmp(c->value, "*") == 0 ? C_STRANGER : C_SAFE;
    return strcmp(name, "authenticated") == 0 ? C_SAFE : C_UNKNOWN;
}

/* next_cond - the statement's next condition from *i on (modifiers passed over), or NULL */

static const struct ex_opt *next_cond(const struct ex_stmt *st, size_t *i)
{
    while (*i < st->ncond) {
        const struct ex_opt *c = &st->cond[(*i)++];

        if (!is_modifier(c->name))
            return c;
    }
    return NULL;
}

/* relay_check - the statement refuses mail for foreign domains */

static int relay_check(const struct ex_stmt *st)
{
    const struct ex_opt *c;
    size_t i = 0, conds = 0, foreign = 0, exempt = 0;
    int require = strcmp(st->verb, "require") == 0;
    int deny = strcmp(st->verb, "deny") == 0 || strcmp(st->verb, "drop") == 0 ||
               strcmp(st->verb, "defer") == 0;

    while ((c = next_cond(st, &i)) != NULL) {
        conds++;
        /* require: every condition must hold, so a domains condition refuses the rest. */
        if (require && strcmp(c->name, "domains") == 0)
            return 1;
        foreign += strcmp(c->name, "!domains") == 0 ||
                   (strcmp(c->name, "domains") == 0 && c->value[0] == '!');
        exempt += strcmp(c->name, "!authenticated") == 0 || strcmp(c->name, "!hosts") == 0;
    }
    /*
     * deny: all its conditions must hold for it to refuse, so only a deny
     * on the foreign domains, trusted and authenticated clients exempted
     * at most, is the relay check ("deny !domains = ... local_parts = ..."
     * refuses some addresses, not relaying); a bare deny ends the ACL.
     */
    return deny && (conds == 0 || (foreign > 0 && foreign + exempt == conds));
}

/* open_accept - an accept before the relay check whose every condition a stranger meets */

static void open_accept(struct ex_lint *ex, const struct ex_stmt *st)
{
    const struct ex_opt *why = NULL, *c;
    size_t i = 0, conds = 0;

    while ((c = next_cond(st, &i)) != NULL) {
        conds++;
        if (cond_class(ex, st, c) != C_STRANGER)
            return;
        if (why == NULL || strcmp(why->name, "hosts") == 0)
            why = c;
    }
    if (conds == 0) {
        lint_add(ex->r, "bare-permit", LINT_ERROR, ex->file, st->where,
                 "accept authenticated = *   (or delete it: the end of the ACL denies)",
                 "an 'accept' with no condition before the relay check (require domains = "
                 "+local_domains : +relay_to_domains) accepts every recipient from every "
                 "client: an open relay (spec 43.14)");
    } else if (strcmp(why->name, "hosts") != 0) {
        lint_add(ex->r, "client-controlled-permit", LINT_ERROR, ex->file, why->where,
                 "move it after the relay check, or add: domains = +local_domains",
                 "this 'accept' before the relay check is keyed on '%s', which any client "
                 "can satisfy (%s): it accepts recipients at any domain, an open relay "
                 "(spec 43.14)",
                 why->name,
                 strcmp(why->name, "senders") == 0       ? "the envelope sender is forged at will"
                 : strcmp(why->name, "local_parts") == 0 ? "postmaster@ any domain matches"
                 : strcmp(why->name, "condition") == 0   ? "it reads what the client chooses"
                 : strcmp(why->name, "encrypted") == 0   ? "anyone can start TLS"
                                                         : "any deliverable address verifies");
    }
}

/* acl_order - cause 4: the relay check before the accepts for trusted or authenticated clients */

static void acl_order(struct ex_lint *ex, const struct ex_stmt *st, const struct ex_stmt *check)
{
    size_t i;

    if (strcmp(st->verb, "accept") != 0)
        return;
    for (i = 0; i < st->ncond; i++) {
        const struct ex_opt *c = &st->cond[i];

        if ((strcmp(c->name, "authenticated") == 0 && !has_cond(check, "!authenticated")) ||
            (strcmp(c->name, "hosts") == 0 && strstr(c->value, "+relay_from_hosts") &&
             !has_cond(check, "!hosts"))) {
            lint_add(ex->r, "restriction-order", LINT_ERROR, ex->file, st->where,
                     "move this accept above the relay check",
                     "this 'accept %s' comes after the relay check at line %d, which has "
                     "already refused those clients' mail to foreign domains: \"relay not "
                     "permitted\" (" GUIDE ", cause 4; spec 43.14)",
                     c->name, check->where->line);
            return;
        }
    }
}

/* rcpt_acl - the ACL acl_smtp_rcpt names, statement by statement; 1 when it uses AUTH */

static int rcpt_acl(struct ex_lint *ex)
{
    const struct ex_opt *o = opt(ex, "", "acl_smtp_rcpt");
    const struct ex_stmt *check = NULL;
    int uses_auth = 0, found = 0;
    size_t i, j;

    if (o == NULL) {
        lint_add(ex->r, "table-unread", LINT_INFO, ex->file, NULL, "acl_smtp_rcpt = acl_check_rcpt",
                 "not checked: acl_smtp_rcpt is not set, so Exim refuses every recipient "
                 "(spec 43.3)");
        return 0;
    }
    for (i = 0; i < ex->nstmts; i++) {
        const struct ex_stmt *st = &ex->stmts[i];

        if (strcmp(st->acl, o->value) != 0)
            continue;
        found = 1;
        for (j = 0; j < st->ncond; j++)
            uses_auth |= strcmp(st->cond[j].name, "authenticated") == 0;
        if (check)
            acl_order(ex, st, check);
        else if (relay_check(st))
            check = st;
        else if (strcmp(st->verb, "accept") == 0)
            open_accept(ex, st);
    }
    if (!found)
        lint_add(ex->r, "table-unread", LINT_INFO, ex->file, o->where, "",
                 "not checked: the ACL %s that acl_smtp_rcpt names is not in this file", o->value);
    return uses_auth;
}

/* colons - an IPv6 address for a colon-separated list: each ":" doubled (spec 10.1) */

static void colons(const char *a, char *out, size_t size)
{
    size_t n = 0;

    for (; *a && n + 3 < size; a++) {
        out[n++] = *a;
        if (*a == ':')
            out[n++] = ':';
    }
    out[n] = 0;
}

/* lists - the named lists: lookalike items, wide relay_from_hosts, the --client addresses */

static void lists(struct ex_lint *ex)
{
    const struct ex_opt *local = opt(ex, "domainlist", "local_domains");
    const struct ex_opt *relay = opt(ex, "domainlist", "relay_to_domains");
    const struct ex_opt *from = opt(ex, "hostlist", "relay_from_hosts");
    struct ex_clients c;
    char fix[LINT_FIX_MAX], addr[128];
    size_t i;

    if (local)
        domain_list(ex, local->value, local->where, NULL, LINT_WARNING, 0);
    if (relay)
        domain_list(ex, relay->value, relay->where, NULL, LINT_ERROR, 0);
    memset(&c, 0, sizeof(c));
    if (from)
        host_list(ex, from->value, from->where, "relay_from_hosts", &c, 0);
    for (i = 0; i < ex->lp->nclients; i++) {
        if (c.held[i] || c.unknown[i])
            continue;
        colons(ex->lp->clients[i], addr, sizeof(addr));
        lint_fmt(fix, sizeof(fix), "hostlist relay_from_hosts = %s : %s%s",
                 from && from->value[0] ? from->value : "127.0.0.1", addr,
                 strchr(addr, ':') ? "/128" : "/32");
        lint_add(ex->r, "client-not-trusted", LINT_ERROR, ex->file, from ? from->where : NULL, fix,
                 "the client %s is not in relay_from_hosts, so the ACL's 'accept hosts = "
                 "+relay_from_hosts' does not let it relay (" GUIDE
                 ", cause 2; for a dynamic address use SMTP AUTH instead)",
                 ex->lp->clients[i]);
    }
}

/* domains - cause 3: each --domain in local_domains or relay_to_domains */

static void domains(struct ex_lint *ex)
{
    const struct ex_opt *local = opt(ex, "domainlist", "local_domains");
    const struct ex_opt *relay = opt(ex, "domainlist", "relay_to_domains");
    const struct ex_opt *at = relay && relay->value[0] ? relay : local;
    char fix[LINT_FIX_MAX];
    size_t i;

    /* A domain no honest list holds (RFC 2606): relay_to_domains that holds it holds all. */
    if (relay && (domain_list(ex, relay->value, relay->where, "relaylab-lint-canary.invalid",
                              LINT_INFO, 0) > 0 ||
                  domain_list(ex, relay->value, relay->where, "[192.0.2.99]", LINT_INFO, 0) > 0))
        lint_add(ex->r, "relay-domains-any", LINT_ERROR, ex->file, relay->where,
                 "domainlist relay_to_domains =",
                 "relay_to_domains holds every domain or every address literal (\"*\", a "
                 "pattern that matches anything, or any [a.b.c.d]): the relay check lets those "
                 "recipients through, an open relay (spec 43.14)");
    for (i = 0; i < ex->lp->ndomains; i++) {
        const char *d = ex->lp->domains[i];
        int a = local ? domain_list(ex, local->value, local->where, d, LINT_INFO, 0) : 0;
        int b = relay ? domain_list(ex, relay->value, relay->where, d, LINT_INFO, 0) : 0;

        if (a != 0 || b != 0)
            continue;
        lint_fmt(fix, sizeof(fix), "domainlist %s = %s%s%s",
                 at == relay ? "relay_to_domains" : "local_domains", at ? at->value : "@",
                 at && !at->value[0] ? "" : " : ", d);
        lint_add(ex->r, "domain-unlisted", LINT_ERROR, ex->file, at ? at->where : NULL, fix,
                 "the recipient domain %s is in neither local_domains nor relay_to_domains: "
                 "the ACL's 'require domains = +local_domains : +relay_to_domains' refuses it "
                 "to unauthenticated clients (" GUIDE ", cause 3)",
                 d);
    }
}

/* auth - cause 5 (AUTH used, no authenticator) and AUTH offered before TLS */

static void auth(struct ex_lint *ex, int uses_auth)
{
    const struct ex_opt *adv = opt(ex, "", "auth_advertise_hosts");
    const struct ex_opt *acl = opt(ex, "", "acl_smtp_rcpt");
    size_t i;

    if (uses_auth && ex->nauths == 0)
        lint_add(ex->r, "sasl-no-backend", LINT_WARNING, ex->file, acl ? acl->where : NULL,
                 "begin authenticators / dovecot_plain: driver = dovecot, public_name = PLAIN, "
                 "server_socket = /var/run/dovecot/auth-client, server_set_id = $auth2, "
                 "server_advertise_condition = ${if def:tls_in_cipher}",
                 "the rcpt ACL accepts 'authenticated' clients but the config has no "
                 "authenticators: Exim offers no AUTH, so no client can authenticate to relay "
                 "(" GUIDE ", cause 5)");
    /* auth_advertise_hosts that depends on TLS covers every authenticator. */
    if (adv && (strstr(adv->value, "tls_in_cipher") || strstr(adv->value, "tls_cipher")))
        return;
    for (i = 0; i < ex->nauths; i++) {
        const struct ex_opt *cond = ex->auths[i].advertise;

        if (cond && (strstr(cond->value, "tls_in_cipher") || strstr(cond->value, "tls_cipher")))
            continue;
        lint_add(ex->r, "auth-before-tls", LINT_WARNING, ex->file,
                 cond ? cond->where : ex->auths[i].where,
                 "server_advertise_condition = ${if def:tls_in_cipher}",
                 "the authenticator %s is offered before STARTTLS: passwords may cross the "
                 "network in clear text (spec 33.3, server_advertise_condition)",
                 ex->auths[i].name);
    }
}

/* ports - cause 6: a listener on 587; and the percent hack */

static void ports(struct ex_lint *ex)
{
    const struct ex_opt *p = opt(ex, "", "daemon_smtp_ports");
    const struct ex_opt *pct = opt(ex, "", "percent_hack_domains");
    const struct ex_opt *ifs = opt(ex, "", "local_interfaces");
    char item[EX_ITEM_MAX], sep = 0, fix[LINT_FIX_MAX];
    const char *s;
    int submission = 0;

    if (p == NULL)
        p = opt(ex, "", "daemon_smtp_port");
    for (s = p ? p->value : "", sep = 0; next_item(&s, &sep, item, sizeof(item));)
        submission |= strcmp(item, "587") == 0 || strcmp(item, "submission") == 0;
    /* "<; 0.0.0.0.587 ; ::0.587": an interface with its own port. */
    for (s = ifs ? ifs->value : "", sep = 0; next_item(&s, &sep, item, sizeof(item));)
        submission |= strlen(item) > 4 && strcmp(item + strlen(item) - 4, ".587") == 0;
    if (!submission) {
        lint_fmt(fix, sizeof(fix), "daemon_smtp_ports = %s : 587", p ? p->value : "25");
        lint_add(ex->r, "no-submission", LINT_WARNING, ex->file, p ? p->where : NULL, fix,
                 "Exim listens on no submission port (587): mail clients that send there "
                 "cannot connect, and those on port 25 are often blocked or refused relay "
                 "(" GUIDE ", cause 6; RFC 6409)");
    }
    if (pct && pct->value[0])
        lint_add(ex->r, "percent-hack", LINT_WARNING, ex->file, pct->where,
                 "percent_hack_domains =",
                 "percent_hack_domains routes user%%host@ a listed domain to user@host; Exim "
                 "rewrites it before the rcpt ACL, so the relay check sees host, but every "
                 "sender may route through this server to the domains it relays for (spec "
                 "14, percent_hack_domains)");
}

/* fixed_domain - the redirect's data ends in "@a.literal.domain" */

static int fixed_domain(const char *v)
{
    const char *at = strrchr(v, '@');

    if (at == NULL || !isalnum((unsigned char)at[1]))
        return 0;
    for (at++; *at && *at != '}'; at++)
        if (!isalnum((unsigned char)*at) && *at != '.' && *at != '-')
            return 0;
    return 1;
}

/* domains_of - the value of a statement's domains condition, or "" */

static const char *domains_of(const struct ex_stmt *st)
{
    size_t i;

    for (i = 0; i < st->ncond; i++)
        if (strcmp(st->cond[i].name, "domains") == 0)
            return st->cond[i].value;
    return "";
}

/* restricted - the deny of local parts for local domains (Debian's "restricted characters") */

static const struct ex_opt *restricted(const struct ex_lint *ex)
{
    size_t i, j;

    for (i = 0; i < ex->nstmts; i++) {
        const struct ex_stmt *st = &ex->stmts[i];

        /* Not the deny for foreign domains: the router serves the local ones. */
        if (strcmp(st->verb, "deny") != 0 || has_cond(st, "!domains") ||
            (has_cond(st, "domains") && strchr(domains_of(st), '!')))
            continue;
        for (j = 0; j < st->ncond; j++)
            if (strcmp(st->cond[j].name, "local_parts") == 0)
                return &st->cond[j];
    }
    return NULL;
}

/* restricted_fix - that deny's local_parts line with c added to its last [...] */

static void restricted_fix(const struct ex_opt *o, char c, char *fix, size_t size)
{
    const char *open = strrchr(o->value, '[');

    if (open == NULL) {
        lint_fmt(fix, size, "deny domains = +local_domains, local_parts = ^.*[@%%!/|]");
        return;
    }
    lint_fmt(fix, size, "local_parts = %.*s%c%s   (line %d)", (int)(open + 1 - o->value), o->value,
             c, open + 1, o->where->line);
}

/*
 * routers - a redirect router that makes the recipient's domain out of
 * its local part (user%host, host!user, "user@host", an SRS address): the
 * rcpt ACL saw a local domain, the router sends the mail to any other
 * (spec 22, redirect). Closed when the ACL refuses the routing character.
 */
static void routers(struct ex_lint *ex)
{
    size_t i;

    for (i = 0; i < ex->nrouters; i++) {
        const struct ex_driver *r = &ex->routers[i];
        const char *data = r->data ? r->data->value : "", *cond;
        const struct ex_opt *deny;
        char how, via[64], fix[LINT_FIX_MAX];

        if (!r->driver || strcmp(r->driver->value, "redirect") != 0 ||
            !strstr(data, "local_part") || fixed_domain(data))
            continue;
        /* "${sg{$local_part}{%}{@}}", "$2@$1", or "$local_part" that holds an "@". */
        cond = r->condition ? r->condition->value : data;
        if (!strstr(data, "{@}") && !strstr(data, "@$") && strcmp(data, "$local_part") != 0)
            continue;
        how = strchr(cond, '%') ? '%' : strchr(cond, '!') ? '!' : strchr(cond, '@') ? '@' : 0;
        deny = restricted(ex);
        if (how && deny && strchr(deny->value, how))
            continue;
        if (how && deny)
            restricted_fix(deny, how, fix, sizeof(fix));
        else
            lint_fmt(fix, sizeof(fix), "%s",
                     how ? "deny domains = +local_domains, local_parts = ^.*[@%!/|]"
                         : "check what the local part carries (condition = ${if inbound_srs "
                           "{$local_part}{SECRET}}), or drop the router");
        if (how)
            snprintf(via, sizeof(via), " (a '%c' the rcpt ACL lets in)", how);
        else
            via[0] = 0;
        lint_add(ex->r, "alias-capture-domain", LINT_ERROR, ex->file, r->data->where, fix,
                 "the redirect router %s makes the recipient's domain out of the local "
                 "part%s: the rcpt ACL accepted a local domain, the router sends the mail to "
                 "any other, an open relay (spec 22, redirect)",
                 r->name, via);
    }
}

/* lint_exim - see lint_exim.h */

int lint_exim(const char *file, const struct lint_params *params, struct lint_report *report,
              struct smtp_error *err)
{
    struct ex_lint ex = {.file = file, .r = report, .lp = params};
    int rc = -1;

    smtp_error_clear(err);
    if (lint_read(AT_FDCWD, file, file, &ex.text, err) < 0 ||
        lint_lines_split(&ex.text, LINT_JOIN_BACKSLASH, &ex.lines, err) < 0 || parse(&ex, err) < 0)
        goto out;
    auth(&ex, rcpt_acl(&ex));
    lists(&ex);
    domains(&ex);
    ports(&ex);
    routers(&ex);
    if (ex.spent >= EX_RUN_ITEMS_MAX)
        lint_add(report, "table-unread", LINT_INFO, file, NULL, "",
                 "not checked: more than %d list items (+name inside +name), the rest were not "
                 "looked at",
                 EX_RUN_ITEMS_MAX);
    rc = report->failed ? smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory") : 0;
out:
    free(ex.opts);
    free(ex.named);
    free(ex.stmts);
    free(ex.conds);
    free(ex.auths);
    free(ex.routers);
    lint_lines_free(&ex.lines);
    lint_text_free(&ex.text);
    return rc;
}

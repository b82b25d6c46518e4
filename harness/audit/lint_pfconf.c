/*++
 * NAME
 *	lint_pfconf 3
 * SUMMARY
 *	a Postfix config as lint reads it: parameters, services, expansion
 * DESCRIPTION
 *	See lint_pfconf.h.
 *--*/
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lint_pfconf.h"
#include "number.h"

/*
 * Postfix 3.x defaults of the parameters lint evaluates (postconf(5)).
 * compatibility_level below 2 keeps the older ones (COMPATIBILITY_README).
 */
static const struct {
    const char *name, *value, *compat0;
} defaults[] = {
    {"smtpd_relay_restrictions",
     "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination", NULL},
    {"smtpd_recipient_restrictions", "", NULL},
    {"mynetworks_style", "host", "subnet"},
    {"mydestination", "$myhostname, localhost.$mydomain, localhost", NULL},
    {"relay_domains", "", "$mydestination"},
    {"virtual_alias_domains", "$virtual_alias_maps", NULL},
    {"virtual_alias_maps", "$virtual_maps", NULL},
    {"virtual_mailbox_domains", "$virtual_mailbox_maps", NULL},
    {"config_directory", "/etc/postfix", NULL},
    {"smtpd_sasl_auth_enable", "no", NULL},
    {"smtpd_sasl_type", "cyrus", NULL},
    {"smtpd_sasl_path", "smtpd", NULL},
    {"smtpd_tls_auth_only", "no", NULL},
    {"smtpd_tls_wrappermode", "no", NULL},
};

/* default_of - Postfix's default for name ("" when lint does not know it) */

static const char *default_of(const struct lint_pfconf *cf, const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        if (strcmp(defaults[i].name, name) == 0) {
            /* Level 0 (no compatibility_level set): no smtpd_relay_restrictions at all. */
            if (cf->compat < 1 && strcmp(name, "smtpd_relay_restrictions") == 0)
                return "";
            return cf->compat < 2 && defaults[i].compat0 ? defaults[i].compat0 : defaults[i].value;
        }
    return "";
}

/* find - name's definition as cf->svc sees it; NULL when unset */

static const struct lint_pfparam *find(const struct lint_pfconf *cf, const char *name,
                                       int *override)
{
    size_t i, lo, hi;

    *override = 0;
    if (cf->svc) {
        for (i = cf->svc->no; i > 0; i--)
            if (strcmp(cf->svc->o[i - 1].name, name) == 0) {
                *override = 1;
                return &cf->svc->o[i - 1];
            }
    }
    /* Sorted by name, then line (main_params): the last of the run wins. */
    lo = 0;
    hi = cf->nparams;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(cf->params[mid].name, name) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && strcmp(cf->params[lo - 1].name, name) == 0 ? &cf->params[lo - 1] : NULL;
}

/* raw_value - name's unexpanded value as cf->svc sees it */

static const char *raw_value(const struct lint_pfconf *cf, const char *name)
{
    int override;
    const struct lint_pfparam *p = find(cf, name, &override);

    return p ? p->value : default_of(cf, name);
}

/*
 * An expansion's output, and what it may still spend: "$a = $b $b", "$b =
 * $c $c"... doubles with each level, so references are counted, not only
 * nested (a hostile main.cf must not take minutes).
 */
struct out {
    char *p;
    size_t n, size;
    int budget; /* references still allowed */
};

static void put(struct out *o, const char *s, size_t n)
{
    while (n-- > 0 && o->n + 1 < o->size)
        o->p[o->n++] = *s++;
    o->p[o->n] = 0;
}

static void expand(const struct lint_pfconf *cf, const char *s, size_t len, struct out *o,
                   int depth);

/* reference - one "$name", "${name}", "${name?text}", ... at s; the bytes it takes */

static size_t reference(const struct lint_pfconf *cf, const char *s, size_t len, struct out *o,
                        int depth)
{
    char name[128];
    char close = s[1] == '{' ? '}' : s[1] == '(' ? ')' : 0;
    size_t i = close ? 2 : 1, start = i, end;
    const char *value;

    while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
        i++;
    if (i == start || i - start >= sizeof(name)) {
        put(o, s, 1);
        return 1;
    }
    memcpy(name, s + start, i - start);
    name[i - start] = 0;
    value = raw_value(cf, name);
    if (!close) {
        expand(cf, value, strlen(value), o, depth + 1);
        return i;
    }
    for (end = i; end < len && s[end] != close; end++)
        ;
    if (end < len && (s[i] == '?' || s[i] == ':')) {
        /* ${name?text}: text when name is set and not empty; ${name:text} otherwise. */
        const char *t = s + i + 1;
        size_t tn = end - i - 1;

        if ((s[i] == '?') == (value[0] != 0)) {
            if (tn >= 2 && t[0] == '{' && t[tn - 1] == '}')
                t++, tn -= 2;
            expand(cf, t, tn, o, depth + 1);
        }
    } else {
        expand(cf, value, strlen(value), o, depth + 1);
    }
    return end < len ? end + 1 : len;
}

/* expand - s[0..len) with its $references expanded, onto o */

static void expand(const struct lint_pfconf *cf, const char *s, size_t len, struct out *o,
                   int depth)
{
    size_t i = 0;

    if (depth > LINT_PF_DEPTH_MAX || o->budget <= 0 || o->n + 1 >= o->size)
        return; /* a loop ($a = $b, $b = $a): Postfix stops too; or enough */
    o->budget--;
    while (i < len && s[i]) {
        if (s[i] == '$' && i + 1 < len) {
            i += reference(cf, s + i, len - i, o, depth);
        } else {
            put(o, s + i, 1);
            i++;
        }
    }
}

/* single_reference - s is exactly "$name" or "${name}": name into out */

static int single_reference(const char *s, char *out, size_t size)
{
    size_t n = strlen(s), i;
    int braced = n > 3 && s[0] == '$' && (s[1] == '{' || s[1] == '(');

    if (n < 2 || s[0] != '$')
        return 0;
    if (braced && s[n - 1] != (s[1] == '{' ? '}' : ')'))
        return 0;
    s += braced ? 2 : 1;
    n -= braced ? 3 : 1;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    if (n == 0 || n >= size)
        return 0;
    memcpy(out, s, n);
    out[n] = 0;
    return 1;
}

/* lint_pfconf_get - see lint_pfconf.h */

void lint_pfconf_get(const struct lint_pfconf *cf, const char *name, struct lint_pfvalue *v)
{
    struct out o = {v->text, 0, sizeof(v->text), LINT_PF_EXPANSIONS_MAX};
    const struct lint_pfparam *p = find(cf, name, &v->override);
    const char *raw = p ? p->value : default_of(cf, name);
    char ref[128];

    v->name = name;
    v->raw = raw;
    v->set = p != NULL;
    v->where = p ? p->where : NULL;
    v->file = v->override ? cf->master_shown : cf->main_shown;
    v->text[0] = 0;
    expand(cf, raw, strlen(raw), &o, 0);
    /* "-o smtpd_recipient_restrictions=$mua_recipient_restrictions": that line. */
    if (p && single_reference(raw, ref, sizeof(ref))) {
        int override;
        const struct lint_pfparam *q = find(cf, ref, &override);

        if (q && q != p) {
            v->where = q->where;
            v->file = override ? cf->master_shown : cf->main_shown;
        }
    }
}

int lint_pfconf_yes(const struct lint_pfconf *cf, const char *name)
{
    struct lint_pfvalue *v = malloc(sizeof(*v));
    int yes;

    if (v == NULL)
        return 0;
    lint_pfconf_get(cf, name, v);
    yes = strcasecmp(v->text, "yes") == 0;
    free(v);
    return yes;
}

/* lint_pfconf_words - see lint_pfconf.h */

size_t lint_pfconf_words(const char *text, struct lint_pfword *w, size_t max)
{
    size_t n = 0;

    while (*text && n < max) {
        size_t k;

        text += strspn(text, ", \t\r\n");
        if ((k = strcspn(text, ", \t\r\n")) == 0)
            break;
        w[n].s = text;
        w[n].n = k;
        n++;
        text += k;
    }
    return n;
}

/* by_name - by name, then by line: the setting that wins comes last */

static int by_name(const void *a, const void *b)
{
    const struct lint_pfparam *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : (x->where->line > y->where->line) - (x->where->line < y->where->line);
}

/* main_params - main.cf's "name = value" lines, in place */

static int main_params(struct lint_pfconf *cf, struct smtp_error *err)
{
    size_t i;

    if ((cf->params = calloc(cf->main_l.n + 1, sizeof(*cf->params))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    for (i = 0; i < cf->main_l.n; i++) {
        struct lint_line *l = &cf->main_l.v[i];
        char *eq = strchr(l->text, '='), *end, *value;

        if (eq == NULL)
            continue; /* postconf says "missing '='"; not lint's business */
        for (end = eq; end > l->text && isspace((unsigned char)end[-1]); end--)
            ;
        value = eq + 1;
        while (isspace((unsigned char)*value))
            value++;
        *end = 0;
        cf->params[cf->nparams++] = (struct lint_pfparam){l->text, value, l};
    }
    qsort(cf->params, cf->nparams, sizeof(cf->params[0]), by_name);
    return 0;
}

/*
 * physical - the physical line of a logical one where word first appears
 * at or after *from (the file's bytes), for a finding at that -o
 */
static void physical(const struct lint_text *t, const struct lint_line *l, const char **from,
                     const char *word, struct lint_line *out)
{
    const char *end = t->buf + t->len, *hit, *p, *start, *nl;

    *out = *l;
    if (*from < l->raw)
        *from = l->raw;
    if ((hit = memmem(*from, (size_t)(end - *from), word, strlen(word))) == NULL)
        return;
    for (p = l->raw, start = l->raw; p < hit; p++)
        if (*p == '\n')
            out->line++, start = p + 1;
    nl = memchr(start, '\n', (size_t)(end - start));
    out->raw = start;
    out->raw_len = nl ? (size_t)(nl - start) : (size_t)(end - start);
    *from = hit + strlen(word);
}

/* override - one "-o name=value", its physical line found from *from on */

static void override(const struct lint_pfconf *cf, struct lint_pfservice *s, char *arg,
                     const struct lint_line *l, const char **from)
{
    char *eq = strchr(arg, '='), *end;

    if (eq == NULL || s->no >= LINT_PF_OVERRIDES_MAX)
        return;
    physical(&cf->master_t, l, from, arg, &s->o_where[s->no]);
    for (end = eq; end > arg && isspace((unsigned char)end[-1]); end--)
        ;
    *end = 0;
    eq++;
    while (isspace((unsigned char)*eq))
        eq++;
    s->o[s->no] = (struct lint_pfparam){arg, eq, &s->o_where[s->no]};
    s->no++;
}

/*
 * braced - "-o { name = value with spaces }" (master(5), Postfix 3.0):
 * the words up to the one ending in "}", put back together in place
 */
static char *braced(char *p, char **save)
{
    char *start = p + 1, *end, *q;

    while (*start == 0 || *start == ' ' || *start == '\t') {
        if ((start = strtok_r(NULL, " \t", save)) == NULL)
            return NULL;
    }
    for (end = start + strlen(start); end[-1] != '}';) {
        if ((q = strtok_r(NULL, " \t", save)) == NULL)
            return NULL;
        end = q + strlen(q);
    }
    end[-1] = 0;
    /* strtok_r put a NUL where each separator was: white space again. */
    for (q = start; q < end - 1; q++)
        if (*q == 0)
            *q = ' ';
    return start;
}

/* service - one master.cf line: 8 fields, then the command's arguments */

static void service(struct lint_pfconf *cf, struct lint_line *l)
{
    struct lint_pfservice *s = &cf->svcs[cf->nsvcs];
    char *field[8], *p = l->text, *save = NULL;
    const char *from = l->raw;
    int i;

    for (i = 0; i < 8; i++) {
        if ((field[i] = strtok_r(i == 0 ? p : NULL, " \t", &save)) == NULL)
            return;
    }
    memset(s, 0, sizeof(*s));
    s->name = field[0];
    s->type = field[1];
    s->command = field[7];
    s->where = l;
    while ((p = strtok_r(NULL, " \t", &save)) != NULL) {
        if (strncmp(p, "-o", 2) == 0 && p[2] == 0)
            p = strtok_r(NULL, " \t", &save);
        else if (strncmp(p, "-o", 2) == 0)
            p += 2;
        else
            continue;
        if (p && p[0] == '{')
            p = braced(p, &save);
        if (p)
            override(cf, s, p, l, &from);
    }
    cf->nsvcs++;
}

/* master_services - master.cf's services; without it, Postfix's smtp service */

static int master_services(struct lint_pfconf *cf, struct smtp_error *err)
{
    static char smtp[] = "smtp", inet[] = "inet", smtpd[] = "smtpd";
    size_t i;

    if ((cf->svcs = calloc(LINT_PF_SERVICES_MAX, sizeof(*cf->svcs))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    if (!cf->have_master) {
        cf->svcs[0] = (struct lint_pfservice){.name = smtp, .type = inet, .command = smtpd};
        cf->nsvcs = 1;
        return 0;
    }
    for (i = 0; i < cf->master_l.n && cf->nsvcs < LINT_PF_SERVICES_MAX; i++)
        service(cf, &cf->master_l.v[i]);
    return 0;
}

/* lint_pfconf_open - see lint_pfconf.h */

int lint_pfconf_open(struct lint_pfconf *cf, const char *dir, struct smtp_error *err)
{
    struct lint_pfvalue *v;
    long long compat = 0;

    memset(cf, 0, sizeof(*cf));
    cf->dir = dir;
    snprintf(cf->main_shown, sizeof(cf->main_shown), "%s/main.cf", dir);
    snprintf(cf->master_shown, sizeof(cf->master_shown), "%s/master.cf", dir);
    if ((cf->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return smtp_error_set(err, SMTP_ERR_USAGE, errno, "cannot open %s: %s", dir,
                              strerror(errno));
    if (lint_read(cf->dirfd, "main.cf", cf->main_shown, &cf->main_t, err) < 0 ||
        lint_lines_split(&cf->main_t, LINT_JOIN_INDENT, &cf->main_l, err) < 0 ||
        main_params(cf, err) < 0)
        return -1;
    cf->have_master = lint_read(cf->dirfd, "master.cf", cf->master_shown, &cf->master_t, err) == 0;
    if (!cf->have_master && err->cls == SMTP_ERR_INTERNAL)
        return -1;
    smtp_error_clear(err);
    if ((cf->have_master &&
         lint_lines_split(&cf->master_t, LINT_JOIN_INDENT, &cf->master_l, err) < 0) ||
        master_services(cf, err) < 0)
        return -1;
    if ((v = malloc(sizeof(*v))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    lint_pfconf_get(cf, "compatibility_level", v);
    v->text[strspn(v->text, "0123456789")] = 0;
    if (v->text[0])
        number_parse(v->text, 0, 1000, &compat);
    cf->compat = (int)compat;
    lint_pfconf_get(cf, "config_directory", v);
    snprintf(cf->confdir, sizeof(cf->confdir), "%.*s", (int)sizeof(cf->confdir) - 1, v->text);
    free(v);
    return 0;
}

void lint_pfconf_close(struct lint_pfconf *cf)
{
    if (cf->dirfd > 0)
        close(cf->dirfd);
    free(cf->params);
    free(cf->svcs);
    lint_lines_free(&cf->main_l);
    lint_lines_free(&cf->master_l);
    lint_text_free(&cf->main_t);
    lint_text_free(&cf->master_t);
    memset(cf, 0, sizeof(*cf));
}

/* lint_pfconf_port - see lint_pfconf.h */

int lint_pfconf_port(const struct lint_pfservice *s)
{
    const char *colon = strrchr(s->name, ':');
    const char *port = colon ? colon + 1 : s->name;
    long long n;

    if (strcmp(port, "smtp") == 0)
        return 25;
    if (strcmp(port, "submission") == 0)
        return 587;
    if (strcmp(port, "smtps") == 0 || strcmp(port, "submissions") == 0)
        return 465;
    return number_parse(port, 0, 65535, &n) == 0 ? (int)n : 0;
}

/*++
 * NAME
 *	lint_pftable 3
 * SUMMARY
 *	a Postfix lookup table's source text, for lint
 * DESCRIPTION
 *	See lint_pftable.h.
 *--*/
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_pftable.h"

/* kind_of - the table type's kind; -1 for a type lint does not read */

static int kind_of(const char *type)
{
    static const char *const keyed[] = {"hash", "btree", "lmdb", "dbm", "sdbm", "cdb", "texthash"};
    size_t i;

    for (i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++)
        if (strcmp(type, keyed[i]) == 0)
            return LINT_PFTABLE_KEYED;
    if (strcmp(type, "cidr") == 0)
        return LINT_PFTABLE_CIDR;
    if (strcmp(type, "regexp") == 0 || strcmp(type, "pcre") == 0)
        return LINT_PFTABLE_REGEXP;
    return -1;
}

/* relative - path below confdir, or below nothing: NULL */

static const char *relative(const char *path, const char *confdir)
{
    size_t n = strlen(confdir);

    while (n > 1 && confdir[n - 1] == '/')
        n--;
    if (path[0] != '/')
        return path;
    if (n > 0 && strncmp(path, confdir, n) == 0 && path[n] == '/')
        return path + n + 1;
    return NULL;
}

/* regexp_entry - "/pattern/flags value" into e; 0, or -1 when it is none */

static int regexp_entry(const char *s, size_t n, struct lint_pftable_entry *e)
{
    size_t i = 0, start;
    char delim;

    if ((n > 2 && lint_is_word(s, 2, "if") && isspace((unsigned char)s[2])) ||
        lint_is_word(s, n, "endif"))
        return -1;
    if (i < n && s[i] == '!') {
        e->negated = 1;
        i++;
    }
    if (i >= n || isspace((unsigned char)s[i]))
        return -1;
    delim = s[i++];
    start = i;
    while (i < n && s[i] != delim)
        i += s[i] == '\\' && i + 1 < n ? 2 : 1;
    if (i >= n)
        return -1;
    e->key = s + start;
    e->key_len = i - start;
    i++;
    while (i < n && isalpha((unsigned char)s[i]))
        i++;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    e->value = s + i;
    e->value_len = n - i;
    return 0;
}

/* keyed_entry - "key value" into e */

static int keyed_entry(const char *s, size_t n, struct lint_pftable_entry *e)
{
    size_t i = 0;

    while (i < n && !isspace((unsigned char)s[i]))
        i++;
    e->key = s;
    e->key_len = i;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    e->value = s + i;
    e->value_len = n - i;
    return i > 0 ? 0 : -1;
}

/* entries - the table's lines as entries */

static int entries(struct lint_pftable *t, struct smtp_error *err)
{
    size_t i;

    if ((t->v = calloc(t->lines.n + 1, sizeof(*t->v))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    for (i = 0; i < t->lines.n; i++) {
        const struct lint_line *l = &t->lines.v[i];
        struct lint_pftable_entry *e = &t->v[t->n];

        memset(e, 0, sizeof(*e));
        e->where = l;
        if ((t->kind == LINT_PFTABLE_REGEXP ? regexp_entry : keyed_entry)(l->text, l->len, e) == 0)
            t->n++;
    }
    return 0;
}

/* lint_pftable_load - see lint_pftable.h */

int lint_pftable_load(int dirfd, const char *dir_shown, const char *confdir, const char *spec,
                      size_t spec_len, struct lint_pftable *t, struct smtp_error *err)
{
    char path[LINT_PATH_MAX];
    const char *colon = memchr(spec, ':', spec_len), *rel;
    int kind;

    memset(t, 0, sizeof(*t));
    if (colon == NULL || (size_t)(colon - spec) >= sizeof(t->type) ||
        spec_len - (size_t)(colon - spec) >= sizeof(path))
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "%.*s: not a table lint reads",
                              (int)(spec_len > 200 ? 200 : spec_len), spec) < 0;
    memcpy(t->type, spec, (size_t)(colon - spec));
    snprintf(path, sizeof(path), "%.*s", (int)(spec_len - (size_t)(colon - spec) - 1), colon + 1);
    if ((kind = kind_of(t->type)) < 0)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s:%s: a %s table is not read by lint",
                              t->type, path, t->type) < 0;
    t->kind = (enum lint_pftable_kind)kind;
    /* Below config_directory, or below the directory given when it is named absolutely. */
    if ((rel = relative(path, confdir)) == NULL && dir_shown[0] == '/')
        rel = relative(path, dir_shown);
    if (rel == NULL)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0,
                              "%s:%s: outside config_directory (%s), not read", t->type, path,
                              confdir) < 0;
    if (snprintf(t->shown, sizeof(t->shown), "%s/%s", dir_shown, rel) >= (int)sizeof(t->shown))
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s:%s: path too long", t->type, path) < 0;
    if (lint_read(dirfd, rel, t->shown, &t->text, err) < 0)
        return err->cls == SMTP_ERR_INTERNAL ? -1 : 1;
    if (lint_lines_split(&t->text, LINT_JOIN_INDENT, &t->lines, err) < 0 || entries(t, err) < 0) {
        lint_pftable_free(t);
        return err->cls == SMTP_ERR_INTERNAL ? -1 : 1;
    }
    return 0;
}

void lint_pftable_free(struct lint_pftable *t)
{
    free(t->v);
    lint_lines_free(&t->lines);
    lint_text_free(&t->text);
    memset(t, 0, sizeof(*t));
}

/* lint_pftable_accepts - see lint_pftable.h */

int lint_pftable_accepts(const char *value, size_t n)
{
    size_t w = 0, i;

    while (w < n && !isspace((unsigned char)value[w]))
        w++;
    if (w == 0)
        return 0;
    if (lint_is_word(value, w, "OK") || lint_is_word(value, w, "permit"))
        return 1;
    /* "An all-numerical result is treated as OK" (access(5)); "5NN text" rejects. */
    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)value[i]))
            return 0;
    return 1;
}

/*++
 * NAME
 *	report_diff 3
 * SUMMARY
 *	what changes in the config between two variants of a scenario
 * DESCRIPTION
 *	See report_diff.h. The files are read back checked (report_cell_text),
 *	Exim's rcpt ACL is spliced in, and linediff compares the lines with
 *	same_line(), which steps over each instance's own names together.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_cell.h"
#include "report_diff.h"

#define NAMES 4 /* an instance's directory, its IPv4 and IPv6 addresses, its sink's address */

/* The two cells' instance names, side by side. */
struct names {
    const char *a[NAMES], *b[NAMES];
};

/* The file being compared, for the emitter. */
struct out {
    const char *file;
    report_diff_emit emit;
    void *ctx;
};

/* name_at - the length of name at text[i] standing alone (not inside a longer name), or 0 */

static size_t name_at(const char *text, size_t len, size_t i, const char *name)
{
    size_t n = strlen(name);
    char before = i > 0 ? text[i - 1] : ' ', after = i + n < len ? text[i + n] : ' ';

    if (n == 0 || i + n > len || memcmp(text + i, name, n) != 0)
        return 0;
    /* 127.0.0.2 is not in 127.0.0.21 nor in 10.127.0.0.2; postfix-1 not in postfix-10. */
    if ((before >= '0' && before <= '9') || before == '.' || (after >= '0' && after <= '9') ||
        (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') || after == '-' ||
        after == '_')
        return 0;
    return n;
}

/* same_line - equal lines, one instance's names in a where the other's are in b */

static int same_line(void *ctx, const char *a, size_t alen, const char *b, size_t blen)
{
    const struct names *nm = ctx;
    size_t i = 0, j = 0;

    while (i < alen && j < blen) {
        int k, skipped = 0;

        for (k = 0; k < NAMES && !skipped; k++) {
            size_t na = name_at(a, alen, i, nm->a[k]), nb = name_at(b, blen, j, nm->b[k]);

            if (na && nb) {
                i += na;
                j += nb;
                skipped = 1;
            }
        }
        if (skipped)
            continue;
        if (a[i] != b[j])
            return 0;
        i++;
        j++;
    }
    return i == alen && j == blen;
}

static void emit_line(void *ctx, enum linediff_kind kind, const char *text, size_t len)
{
    const struct out *o = ctx;

    o->emit(o->ctx, o->file, (int)kind, text, len);
}

/*
 * splice_acl - Exim's config with the rcpt ACL's lines in place of the
 * line that includes it (".include DIR/acl_rcpt.conf", DIR the cell's
 * instance), malloc'd; config itself (a copy) when there is none.
 */
static char *splice_acl(const struct run_cell *c, const char *config, const char *acl)
{
    char line[sizeof(c->mta_dir) + 32];
    const char *at;
    char *out;
    size_t n;

    snprintf(line, sizeof(line), ".include %s/acl_rcpt.conf\n", c->mta_dir);
    if (!c->mta_dir[0] || !acl[0] || (at = strstr(config, line)) == NULL ||
        (at != config && at[-1] != '\n'))
        return strdup(config);
    n = strlen(config) - strlen(line) + strlen(acl) + 2;
    if ((out = malloc(n)) == NULL)
        return NULL;
    snprintf(out, n, "%.*s%s%s%s", (int)(at - config), config, acl,
             acl[strlen(acl) - 1] == '\n' ? "" : "\n", at + strlen(line));
    return out;
}

/* config_text - the cell's file k (0: main.cf or exim.conf with its ACL, 1: master.cf) */

static char *config_text(const struct run_cell *c, int k, struct smtp_error *err)
{
    char *config, *acl, *whole;

    if (k == 1)
        return report_cell_text(c, RUN_TEXT_MTA_MASTER, err);
    if ((config = report_cell_text(c, RUN_TEXT_MTA_CONFIG, err)) == NULL)
        return NULL;
    if (c->mta != MTA_EXIM)
        return config;
    if ((acl = report_cell_text(c, RUN_TEXT_MTA_ACL, err)) == NULL) {
        free(config);
        return NULL;
    }
    whole = splice_acl(c, config, acl);
    free(config);
    free(acl);
    if (whole == NULL)
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    return whole;
}

/* report_diff - a's config turned into b's */

long report_diff(const struct run_cell *a, const struct run_cell *b, report_diff_emit emit,
                 void *ctx, struct smtp_error *err)
{
    struct names nm = {{a->mta_dir, a->mta_addr, a->mta_addr6, a->sink_addr},
                       {b->mta_dir, b->mta_addr, b->mta_addr6, b->sink_addr}};
    struct out o = {NULL, emit, ctx};
    struct linediff_params p = {
        REPORT_DIFF_CONTEXT, REPORT_DIFF_EDITS_MAX, same_line, &nm, emit_line, &o};
    long total = 0;
    int k;

    for (k = 0; k < (a->mta == MTA_POSTFIX ? 2 : 1); k++) {
        char *ta = config_text(a, k, err), *tb = ta ? config_text(b, k, err) : NULL;
        long changed;

        if (tb == NULL) {
            free(ta);
            return -1;
        }
        if (k == 0 && (!ta[0] || !tb[0])) {
            /* An MTA that did not start left no config to compare. */
            free(ta);
            free(tb);
            return 0;
        }
        o.file = k == 1 ? "master.cf" : mta_kind_config_name(a->mta);
        errno = 0;
        if ((changed = linediff(ta, tb, &p)) < 0 && errno == E2BIG) {
            static const char why[] = "the versions differ in too many lines to show here";

            emit(ctx, o.file, REPORT_DIFF_TOO_MANY, why, sizeof(why) - 1);
            changed = 1;
        }
        free(ta);
        free(tb);
        if (changed < 0)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        total += changed;
    }
    return total;
}

/*++
 * NAME
 *	report_fix 3
 * SUMMARY
 *	report.html's "what to change": advice and config diffs per cause
 * DESCRIPTION
 *	See report_fix.h. A pair is two cells of one scenario on one MTA,
 *	first repetition: the first variant's cell in the run (the base)
 *	and another's. run_plan lays a scenario's cells out together, so
 *	the base is found among the cells just before.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_cell.h"
#include "report_diff.h"
#include "report_fix.h"
#include "report_xml.h"

struct pair {
    const struct run_cell *a, *b; /* the base variant's cell, another variant's */
    char *html;                   /* the diff, file by file; NULL: the same config */
    long same_as;                 /* an earlier pair from a with this diff, or -1 */
};

struct report_fix {
    const struct run_cell *cells;
    size_t n;
    struct pair *pairs;
    size_t npairs;
};

/* The diff's HTML as report_diff() hands it over, line by line. */
struct emit {
    FILE *fp;
    const char *file; /* the file whose <pre> is open, or NULL */
};

static void emit_html(void *ctx, const char *file, int kind, const char *text, size_t len)
{
    struct emit *e = ctx;
    const char *cls = kind == LINEDIFF_DEL    ? "del"
                      : kind == LINEDIFF_ADD  ? "add"
                      : kind == LINEDIFF_HUNK ? "hunk"
                      : kind == LINEDIFF_SAME ? "ctx"
                                              : "many";

    if (e->file == NULL || strcmp(e->file, file) != 0) {
        if (e->file)
            fputs("</pre>\n", e->fp);
        fputs("<p class=\"file\">", e->fp);
        report_xml(e->fp, file);
        fputs("</p>\n<pre class=\"diff\">", e->fp);
        e->file = file;
    }
    fprintf(e->fp, "<span class=\"%s\">", cls);
    if (kind == LINEDIFF_DEL || kind == LINEDIFF_ADD || kind == LINEDIFF_SAME)
        fputc(kind, e->fp);
    report_xml_n(e->fp, text, len);
    fputs("</span>\n", e->fp);
}

/* pair_html - the diff from p->a's config to p->b's, or NULL when the same; -1 with err */

static int pair_html(struct pair *p, struct smtp_error *err)
{
    struct emit e = {NULL, NULL};
    size_t len;
    long changed;
    int bad;

    if ((e.fp = open_memstream(&p->html, &len)) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "report.html: out of memory");
    changed = report_diff(p->a, p->b, emit_html, &e, err);
    if (e.file)
        fputs("</pre>\n", e.fp);
    bad = ferror(e.fp);
    if (fclose(e.fp) != 0 || bad || changed <= 0) {
        free(p->html);
        p->html = NULL;
        if (changed < 0 || bad)
            return changed < 0 ? -1
                               : smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM,
                                                "report.html: out of memory");
    }
    return 0;
}

/* base_of - the first cell before c of its scenario and MTA (first repetition), or c */

static const struct run_cell *base_of(const struct run_cell *cells, size_t i)
{
    const struct run_cell *c = &cells[i], *base = c;

    while (i-- > 0 && cells[i].scenario == c->scenario)
        if (cells[i].mta == c->mta && cells[i].repeat == 0)
            base = &cells[i];
    return base;
}

struct report_fix *report_fix_new(const struct run_cell *cells, size_t n, struct smtp_error *err)
{
    struct report_fix *fix = calloc(1, sizeof(*fix));
    size_t i, j;

    if (fix == NULL || (fix->pairs = calloc(n ? n : 1, sizeof(*fix->pairs))) == NULL) {
        free(fix);
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "report.html: out of memory");
        return NULL;
    }
    fix->cells = cells;
    fix->n = n;
    for (i = 0; i < n; i++) {
        const struct run_cell *base = base_of(cells, i), *c = &cells[i];
        struct pair *p = &fix->pairs[fix->npairs];

        if (cells[i].repeat != 0 || base == &cells[i] || base->variant == cells[i].variant)
            continue;
        *p = (struct pair){base, &cells[i], NULL, -1};
        fix->npairs++;
        if (pair_html(p, err) < 0) {
            report_fix_free(fix);
            return NULL;
        }
        /* The same diff from the same base: one copy, both variants named. */
        for (j = fix->npairs - 1; p->html && j-- > 0 && fix->pairs[j].a->scenario == c->scenario;)
            if (fix->pairs[j].a == base && fix->pairs[j].same_as < 0 && fix->pairs[j].html &&
                strcmp(fix->pairs[j].html, p->html) == 0)
                p->same_as = (long)j;
    }
    return fix;
}

void report_fix_free(struct report_fix *fix)
{
    if (fix == NULL)
        return;
    for (size_t i = 0; i < fix->npairs; i++)
        free(fix->pairs[i].html);
    free(fix->pairs);
    free(fix);
}

static const char *variant_of(const struct run_cell *c)
{
    return c->scenario->nvariants ? c->scenario->variants[c->variant].name : "default";
}

/* pair_out - "postfix: broken -> fixed, other" and the diff, for pair k (not a copy) */

static void pair_out(FILE *fp, const struct report_fix *fix, size_t k)
{
    const struct pair *p = &fix->pairs[k];

    fputs("<p class=\"pair\">", fp);
    report_xml(fp, mta_kind_name(p->a->mta));
    fputs(": ", fp);
    report_xml(fp, variant_of(p->a));
    fputs(" &rarr; ", fp);
    report_xml(fp, variant_of(p->b));
    for (size_t j = k + 1; j < fix->npairs; j++)
        if (fix->pairs[j].same_as == (long)k) {
            fputs(", ", fp);
            report_xml(fp, variant_of(fix->pairs[j].b));
        }
    fputs("</p>\n", fp);
    fputs(p->html, fp);
}

/* has_advice - does c's scenario give one? */

static int has_advice(const struct run_cell *c)
{
    return c->scenario->advice && c->scenario->advice[0];
}

/* advice_out - the scenario's advice line */

static void advice_out(FILE *fp, const struct run_cell *c)
{
    char advice[RUN_TEXT_MAX];

    fputs("<p class=\"advice\">", fp);
    report_xml(fp, report_cell_scenario_text(c, REPORT_CELL_ADVICE, advice, sizeof(advice)));
    fputs("</p>\n", fp);
}

/*
 * pairs_of - the pairs of c's scenario: from *lo to the returned end.
 * Pairs are in the order of their b cells, and a scenario's cells of a
 * repetition are neighbours: a binary search from the block's start.
 * Only the first repetition's cells have pairs.
 */
static size_t pairs_of(const struct report_fix *fix, const struct run_cell *c, size_t *lo)
{
    const struct run_cell *start = c;
    size_t hi = fix->npairs, end;

    while (start > fix->cells && start[-1].scenario == c->scenario)
        start--;
    *lo = 0;
    while (*lo < hi) {
        size_t mid = *lo + (hi - *lo) / 2;

        if (fix->pairs[mid].b < start)
            *lo = mid + 1;
        else
            hi = mid;
    }
    for (end = *lo; end < fix->npairs && fix->pairs[end].a->scenario == c->scenario; end++)
        ;
    return end;
}

/* scenario_out - a scenario's advice and diffs (c its first cell); 1 if anything was written */

static int scenario_out(FILE *fp, const struct report_fix *fix, const struct run_cell *c)
{
    int any = has_advice(c);
    size_t k, from, end = pairs_of(fix, c, &from);

    for (k = from; k < end && !any; k++)
        any = fix->pairs[k].html != NULL;
    if (!any)
        return 0;
    fputs("<div class=\"scenario\"><h4>", fp);
    report_xml(fp, c->scenario->id);
    fputs(" <span class=\"title\">", fp);
    report_xml(fp, c->title);
    fputs("</span></h4>\n", fp);
    if (has_advice(c))
        advice_out(fp, c);
    for (k = from; k < end; k++)
        if (fix->pairs[k].html && fix->pairs[k].same_as < 0)
            pair_out(fp, fix, k);
    fputs("</div>\n", fp);
    return 1;
}

/* first_of - is cells[i] its scenario's first cell (of the run's first repetition)? */

static int first_of(const struct report_fix *fix, size_t i)
{
    return fix->cells[i].repeat == fix->cells[0].repeat &&
           (i == 0 || fix->cells[i - 1].scenario != fix->cells[i].scenario);
}

/* cause_out - the section of one cause, or nothing; 1 if written */

static int cause_out(FILE *fp, const struct report_fix *fix, int cause,
                     const struct run_cell *first)
{
    char name[RUN_TEXT_MAX];
    char *body = NULL;
    size_t len = 0, i;
    FILE *mem = open_memstream(&body, &len);
    int any = 0;

    if (mem == NULL)
        return 0;
    for (i = 0; i < fix->n; i++)
        if (fix->cells[i].scenario->cause == cause && first_of(fix, i))
            any |= scenario_out(mem, fix, &fix->cells[i]);
    if (fclose(mem) == 0 && any && body) {
        if (cause)
            fprintf(fp, "<section class=\"cause\" id=\"cause-%d\"><h3>Cause %d", cause, cause);
        else
            fputs("<section class=\"cause\" id=\"cause-none\"><h3>No cause named", fp);
        if (report_cell_scenario_text(first, REPORT_CELL_CAUSE_NAME, name, sizeof(name))[0]) {
            fputs(": ", fp);
            report_xml(fp, name);
        }
        fprintf(fp, "</h3>\n%s</section>\n", body);
    }
    free(body);
    return any;
}

void report_fix_html(FILE *fp, const struct report_fix *fix)
{
    char *body = NULL;
    size_t len = 0, i;
    FILE *mem = open_memstream(&body, &len);
    int cause, any = 0;

    if (mem == NULL)
        return;
    /* Causes in order, each once (0, none named, last), by its first scenario's name. */
    for (cause = 1; cause <= 100; cause++) {
        int c = cause == 100 ? 0 : cause;

        for (i = 0; i < fix->n; i++)
            if (fix->cells[i].scenario->cause == c) {
                any |= cause_out(mem, fix, c, &fix->cells[i]);
                break;
            }
    }
    if (fclose(mem) == 0 && any && body)
        fprintf(fp, "<h2 id=\"causes\">What to change, by cause</h2>\n%s", body);
    free(body);
}

void report_fix_cell_html(FILE *fp, const struct report_fix *fix, const struct run_cell *c)
{
    size_t k, j, from = 0, end = c->repeat == 0 ? pairs_of(fix, c, &from) : 0;
    int opened = 0;

    for (k = from; k < end; k++) {
        const struct pair *p = &fix->pairs[k];
        long shown = p->same_as >= 0 ? p->same_as : (long)k;

        if (p->a->mta != c->mta || p->html == NULL ||
            (p->a->variant != c->variant && p->b->variant != c->variant))
            continue;
        /* Two variants with one diff: shown once. */
        for (j = from; j < k; j++)
            if ((fix->pairs[j].same_as >= 0 ? fix->pairs[j].same_as : (long)j) == shown &&
                fix->pairs[j].a->mta == c->mta && fix->pairs[j].html &&
                (fix->pairs[j].a->variant == c->variant || fix->pairs[j].b->variant == c->variant))
                break;
        if (j < k)
            continue;
        if (!opened++) {
            fputs("<div class=\"fix\">\n", fp);
            if (has_advice(c))
                advice_out(fp, c);
        }
        pair_out(fp, fix, (size_t)shown);
    }
    if (!opened && has_advice(c)) {
        fputs("<div class=\"fix\">\n", fp);
        advice_out(fp, c);
        opened = 1;
    }
    if (opened)
        fputs("</div>\n", fp);
}

/*++
 * NAME
 *	report_html 3
 * SUMMARY
 *	a run's report.html
 * DESCRIPTION
 *	See report_html.h.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mta_render.h"
#include "report_cell.h"
#include "report_file.h"
#include "report_fix.h"
#include "report_html.h"
#include "report_xml.h"
#include "template.h"

/* html_columns - a heading per MTA */

static void html_columns(FILE *fp, const struct report_columns *cols)
{
    for (size_t k = 0; k < cols->n; k++) {
        fprintf(fp, "<th>");
        report_xml(fp, cols->title[k]);
        fprintf(fp, "</th>");
    }
}

/* html_matrix - a row per scenario x variant x repeat, a cell per MTA */

static void html_matrix(FILE *fp, const struct run_cell *cells, size_t n,
                        const struct report_columns *cols)
{
    size_t i, end;

    for (i = 0; i < n; i = end) {
        const struct run_cell *c = &cells[i];

        end = report_cell_row_end(cells, n, i);
        fprintf(fp, "<tr><td title=\"");
        report_xml(fp, c->title);
        fprintf(fp, "\">");
        report_xml(fp, c->scenario->id);
        fprintf(fp, "</td><td>%d</td><td>", c->scenario->cause);
        report_xml(fp, report_cell_variant(c));
        if (c->repeat)
            fprintf(fp, " #%d", c->repeat + 1);
        fprintf(fp, "</td>");
        for (size_t k = 0; k < cols->n; k++) {
            const struct run_cell *m = report_cell_row_get(cols, cells, i, end, (int)k);
            char d[300];

            if (m == NULL) {
                fprintf(fp, "<td class=\"na\">n/a</td>");
                continue;
            }
            report_cell_dir(m, d, sizeof(d));
            fprintf(fp, "<td class=\"%s\"><a href=\"cells/", report_cell_class(m));
            report_xml(fp, d);
            fprintf(fp, "/transcript.txt\">%s</a></td>", report_cell_label(m));
        }
        fprintf(fp, "</tr>\n");
    }
}

/* cell_anchor - the id of a cell's details: "cell-" and its directory's name */

static void cell_anchor(FILE *fp, const struct run_cell *c)
{
    char d[300];

    report_cell_dir(c, d, sizeof(d));
    fputs("cell-", fp);
    report_xml(fp, d);
}

/* html_failures - a section listing the cells that did not pass, or nothing */

static void html_failures(FILE *fp, const struct run_cell *cells, size_t n)
{
    size_t i, shown = 0;

    for (i = 0; i < n; i++) {
        char name[300];

        if (cells[i].status == RUN_PASS)
            continue;
        if (shown++ == 0)
            fputs("<h2>Failures</h2>\n<ul>\n", fp);
        fputs("<li><a href=\"#", fp);
        cell_anchor(fp, &cells[i]);
        fputs("\">", fp);
        report_xml(fp, run_status_name(cells[i].status));
        fprintf(fp, " ");
        run_cell_name(&cells[i], name, sizeof(name));
        report_xml(fp, name);
        fputs("</a>: ", fp);
        report_xml(fp, cells[i].message);
        fprintf(fp, "</li>\n");
    }
    if (shown)
        fputs("</ul>\n", fp);
}

/* item - one <dt>/<dd> pair of a cell's details, when value says something */

static void item(FILE *fp, const char *term, const char *value)
{
    if (value == NULL || value[0] == 0)
        return;
    fputs("<dt>", fp);
    report_xml(fp, term);
    fputs("</dt><dd><code>", fp);
    report_xml(fp, value);
    fputs("</code></dd>\n", fp);
}

/* cell_files - links to the cell's evidence files */

static void cell_files(FILE *fp, const struct run_cell *c)
{
    const char *files[] = {"transcript.txt", "mta.log", mta_kind_config_name(c->mta),
                           c->mta == MTA_POSTFIX ? "master.cf" : "acl_rcpt.conf"};
    char d[300];

    report_cell_dir(c, d, sizeof(d));
    fputs("<p class=\"files\">", fp);
    for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
        fprintf(fp, "%s<a href=\"cells/", k ? " &middot; " : "");
        report_xml(fp, d);
        fputc('/', fp);
        report_xml(fp, files[k]);
        fputs("\">", fp);
        report_xml(fp, files[k]);
        fputs("</a>", fp);
    }
    fputs("</p>\n", fp);
}

/*
 * html_cell - one cell's details: the deciding step as written (where),
 * its expected and the server's actual reply, the failure, the MTA's
 * log lines while the step ran, the cell's time; for a cell that did not
 * pass, open, with its scenario's advice and config diff. Only what says
 * something. 0, or -1 with err (a log not clean).
 */
static int html_cell(FILE *fp, const struct run_cell *c, const struct report_fix *fix,
                     struct smtp_error *err)
{
    char *log = report_cell_text(c, RUN_TEXT_STEP_LOG, err), name[300], file[RUN_TEXT_MAX];
    char where[RUN_TEXT_MAX + 16];

    if (log == NULL)
        return -1;
    fprintf(fp, "<details class=\"cell cell-%s\" id=\"", report_cell_class(c));
    cell_anchor(fp, c);
    fprintf(fp, "\"%s><summary><span class=\"status\">", c->status == RUN_PASS ? "" : " open");
    report_xml(fp, report_cell_label(c));
    fputs("</span> ", fp);
    run_cell_name(c, name, sizeof(name));
    report_xml(fp, name);
    fprintf(fp, " <span class=\"ms\">%ld ms</span></summary>\n<dl>\n", c->ms);
    if (c->decide_step[0]) {
        snprintf(where, sizeof(where), "%s:%d",
                 report_cell_scenario_text(c, REPORT_CELL_DECIDE_FILE, file, sizeof(file)),
                 c->decide_pos.line);
        item(fp, "where", where);
    }
    item(fp, "step", c->decide_step);
    item(fp, "expected", c->decide_expected);
    item(fp, "server replied", c->decide_reply);
    if (c->status != RUN_PASS)
        item(fp, report_cell_label(c), c->message);
    if (log[0]) {
        fputs("<dt>", fp);
        report_xml(fp, run_cell_mta_title(c));
        fputs(" log while the step ran</dt><dd><pre class=\"log\">", fp);
        report_xml(fp, log);
        fputs("</pre></dd>\n", fp);
    }
    fprintf(fp, "<dt>time</dt><dd>%ld ms (MTA start %ld ms, dialogues %ld ms)</dd>\n</dl>\n", c->ms,
            c->mta_start_ms, c->dialogue_ms);
    free(log);
    if (c->status != RUN_PASS)
        report_fix_cell_html(fp, fix, c);
    cell_files(fp, c);
    fputs("</details>\n", fp);
    return 0;
}

/* html_cells - the cells' details, under a heading (a run has cells) */

static int html_cells(FILE *fp, const struct run_cell *cells, size_t n,
                      const struct report_fix *fix, struct smtp_error *err)
{
    size_t i;

    if (n)
        fputs("<h2 id=\"cells\">Cells: the step each verdict rests on</h2>\n", fp);
    for (i = 0; i < n; i++)
        if (html_cell(fp, &cells[i], fix, err) < 0)
            return -1;
    return 0;
}

/* The templates: the page with its {{NAME}} placeholders, and the stylesheet it inlines. */
struct page {
    char dir[1024];
    char *html;
    char *css;
};

static void page_free(struct page *pg)
{
    free(pg->html);
    free(pg->css);
    pg->html = pg->css = NULL;
}

/* page_load - report.html and report.css from the template directory; 0, or -1 with err */

static int page_load(const struct report_meta *meta, struct page *pg, struct smtp_error *err)
{
    char path[1100];

    memset(pg, 0, sizeof(*pg));
    if (meta->template_dir) {
        snprintf(pg->dir, sizeof(pg->dir), "%s", meta->template_dir);
    } else {
        char why[SMTP_ERROR_MSG_MAX];

        if (template_dir("report", pg->dir, sizeof(pg->dir), why, sizeof(why)) < 0)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOENT, "%s", why);
    }
    snprintf(path, sizeof(path), "%s/report.css", pg->dir);
    if ((pg->css = mta_render_read(path, MTA_RENDER_TEMPLATE, err)) == NULL)
        return -1;
    /* Inlined raw: the stylesheet must not end its own style element. */
    if (strcasestr(pg->css, "</style") != NULL) {
        page_free(pg);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "template %s: holds \"</style\"", path);
    }
    snprintf(path, sizeof(path), "%s/report.html", pg->dir);
    if ((pg->html = mta_render_read(path, MTA_RENDER_TEMPLATE, err)) == NULL) {
        page_free(pg);
        return -1;
    }
    return 0;
}

/* The page's parts, by placeholder: each written straight to the page. */
struct parts {
    const struct run_cell *cells;
    size_t n;
    const struct report_meta *meta;
    const struct report_fix *fix;
    const char *css;
};

/* part - {{NAME}} (len bytes) written to fp; 1 if NAME is one, 0 if not; -1 with err */

static int part(FILE *fp, const struct parts *pp, const char *name, size_t len,
                struct smtp_error *err)
{
#define IS(s) (len == sizeof(s) - 1 && strncmp(name, s, len) == 0)
    if (IS("STYLE"))
        fputs(pp->css, fp);
    else if (IS("RUN_ID"))
        report_xml(fp, pp->meta->run_id);
    else if (IS("CELLS"))
        fprintf(fp, "%zu", pp->n);
    else if (IS("WALL_S"))
        fprintf(fp, "%.1f", pp->meta->wall_ms / 1000.0);
    else if (IS("MTA_COLUMNS") || IS("MATRIX")) {
        struct report_columns cols;

        report_columns(pp->cells, pp->n, &cols);
        if (IS("MATRIX"))
            html_matrix(fp, pp->cells, pp->n, &cols);
        else
            html_columns(fp, &cols);
    } else if (IS("FAILURES"))
        html_failures(fp, pp->cells, pp->n);
    else if (IS("CAUSES"))
        report_fix_html(fp, pp->fix);
    else if (IS("DETAILS"))
        return html_cells(fp, pp->cells, pp->n, pp->fix, err) < 0 ? -1 : 1;
    else
        return 0;
    return 1;
#undef IS
}

/*
 * page_write - the template to fp, each {{NAME}} (NAME in [A-Z0-9_])
 * replaced by its part as it goes: the page of a run of 100,000 cells is
 * never whole in memory. 0, or -1 with err (a placeholder no part
 * answers, a text not clean); a write that failed is fp's error.
 */
static int page_write(FILE *fp, const struct page *pg, const struct parts *pp,
                      struct smtp_error *err)
{
    const char *p = pg->html, *open;

    while ((open = strstr(p, "{{")) != NULL) {
        const char *name = open + 2;
        size_t len = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        int rc;

        fwrite(p, 1, (size_t)(open - p), fp);
        if (len == 0 || strncmp(name + len, "}}", 2) != 0) {
            fputs("{{", fp);
            p = name;
            continue;
        }
        if ((rc = part(fp, pp, name, len, err)) <= 0)
            return rc < 0 ? -1
                          : smtp_error_set(err, SMTP_ERR_INTERNAL, 0,
                                           "template names unknown {{%.*s}}", (int)len, name);
        p = name + len + 2;
    }
    fputs(p, fp);
    return 0; /* a failed write: the caller's close says which and why */
}

/* page_open - the templates and the run's config diffs, before anything is written */

static int page_open(const struct run_cell *cells, size_t n, const struct report_meta *meta,
                     struct page *pg, struct parts *pp, struct smtp_error *err)
{
    struct report_fix *fix;

    if (page_load(meta, pg, err) < 0)
        return -1;
    if ((fix = report_fix_new(cells, n, err)) == NULL) {
        page_free(pg);
        return -1;
    }
    *pp = (struct parts){cells, n, meta, fix, pg->css};
    return 0;
}

/* report_html_write - dir/report.html, streamed from the templates */

int report_html_write(const char *dir, const struct run_cell *cells, size_t n,
                      const struct report_meta *meta, struct smtp_error *err)
{
    struct page pg;
    struct parts pp;
    char path[1024];
    FILE *fp;
    int rc = -1;

    if (page_open(cells, n, meta, &pg, &pp, err) < 0)
        return -1;
    if ((fp = report_file_open(dir, "report.html", path, sizeof(path), err)) != NULL) {
        rc = page_write(fp, &pg, &pp, err);
        if (rc < 0)
            fclose(fp);
        else
            rc = report_file_close(fp, path, err);
    }
    report_fix_free((struct report_fix *)pp.fix);
    page_free(&pg);
    return rc;
}

/* report_html_render - the same page in memory (for tests and small runs) */

char *report_html_render(const struct run_cell *cells, size_t n, const struct report_meta *meta,
                         struct smtp_error *err)
{
    struct page pg;
    struct parts pp;
    char *text = NULL;
    size_t len = 0;
    FILE *fp;
    int rc = -1;

    if (page_open(cells, n, meta, &pg, &pp, err) < 0)
        return NULL;
    if ((fp = open_memstream(&text, &len)) == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "report.html: out of memory");
    } else {
        int bad;

        rc = page_write(fp, &pg, &pp, err);
        bad = ferror(fp);
        if ((fclose(fp) != 0 || bad) && rc == 0)
            rc = smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "report.html: out of memory");
    }
    report_fix_free((struct report_fix *)pp.fix);
    page_free(&pg);
    if (rc < 0) {
        free(text);
        return NULL;
    }
    return text;
}

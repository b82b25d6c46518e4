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
#include "report_fix.h"
#include "report_html.h"
#include "report_xml.h"
#include "template.h"

/* html_columns - a heading per MTA */

static void html_columns(FILE *fp)
{
    for (int k = 0; k < MTA_KINDS; k++) {
        fprintf(fp, "<th>");
        report_xml(fp, mta_kind_name((enum mta_kind)k));
        fprintf(fp, "</th>");
    }
}

/* html_matrix - a row per scenario x variant x repeat, a cell per MTA */

static void html_matrix(FILE *fp, const struct run_cell *cells, size_t n)
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
        for (int k = 0; k < MTA_KINDS; k++) {
            const struct run_cell *m = report_cell_row_get(cells, i, end, k);
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
        report_xml(fp, mta_kind_name(c->mta));
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

/* stylesheet - the template directory and report.css, to be inlined; NULL with err */

static char *stylesheet(const struct report_meta *meta, char *dir, size_t size,
                        struct smtp_error *err)
{
    char path[1100];
    char *css;

    if (meta->template_dir) {
        snprintf(dir, size, "%s", meta->template_dir);
    } else {
        char why[SMTP_ERROR_MSG_MAX];

        if (template_dir("report", dir, size, why, sizeof(why)) < 0) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, ENOENT, "%s", why);
            return NULL;
        }
    }
    snprintf(path, sizeof(path), "%s/report.css", dir);
    if ((css = mta_render_read(path, MTA_RENDER_TEMPLATE, err)) == NULL)
        return NULL;
    /* Inlined raw: the stylesheet must not end its own style element. */
    if (strcasestr(css, "</style") != NULL) {
        free(css);
        smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "template %s: holds \"</style\"", path);
        return NULL;
    }
    return css;
}

/*
 * report_html_render - report.html, from the templates report.html and
 * report.css (inlined: the page is one file), malloc'd; NULL with err.
 * Every text in it went through report_xml().
 */
char *report_html_render(const struct run_cell *cells, size_t n, const struct report_meta *meta,
                         struct smtp_error *err)
{
    enum {
        PART_RUN_ID,
        PART_CELLS,
        PART_WALL_S,
        PART_MTA_COLUMNS,
        PART_MATRIX,
        PART_FAILURES,
        PART_CAUSES,
        PART_DETAILS,
        NPARTS
    };
    static const char *const names[NPARTS] = {"RUN_ID", "CELLS",    "WALL_S", "MTA_COLUMNS",
                                              "MATRIX", "FAILURES", "CAUSES", "DETAILS"};
    struct {
        char *text;
        size_t len;
        FILE *fp;
    } part[NPARTS] = {{0}};
    struct mta_vars vars = {0};
    struct report_fix *fix = NULL;
    char dir[1024];
    char *css, *page = NULL;
    int k, bad = 0;

    if ((css = stylesheet(meta, dir, sizeof(dir), err)) == NULL)
        return NULL;
    if ((fix = report_fix_new(cells, n, err)) == NULL) {
        free(css);
        return NULL;
    }
    for (k = 0; k < NPARTS; k++)
        bad |= (part[k].fp = open_memstream(&part[k].text, &part[k].len)) == NULL;
    if (!bad) {
        report_xml(part[PART_RUN_ID].fp, meta->run_id);
        fprintf(part[PART_CELLS].fp, "%zu", n);
        fprintf(part[PART_WALL_S].fp, "%.1f", meta->wall_ms / 1000.0);
        html_columns(part[PART_MTA_COLUMNS].fp);
        html_matrix(part[PART_MATRIX].fp, cells, n);
        html_failures(part[PART_FAILURES].fp, cells, n);
        report_fix_html(part[PART_CAUSES].fp, fix);
        if (html_cells(part[PART_DETAILS].fp, cells, n, fix, err) < 0)
            bad = 2;
    }
    for (k = 0; k < NPARTS; k++) {
        int failed = part[k].fp == NULL || ferror(part[k].fp);

        if ((part[k].fp && fclose(part[k].fp) != 0) || failed)
            bad |= 1;
    }
    if (bad == 1) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "report.html: out of memory");
    } else if (!bad) {
        for (k = 0; k < NPARTS; k++)
            mta_vars_set(&vars, names[k], part[k].text);
        mta_vars_set(&vars, "STYLE", css);
        (void)mta_render_load(dir, "report.html", &vars, &page, err);
    }
    for (k = 0; k < NPARTS; k++)
        free(part[k].text);
    report_fix_free(fix);
    free(css);
    return page;
}

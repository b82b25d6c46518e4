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

/* html_failures - an item per cell that did not pass */

static void html_failures(FILE *fp, const struct run_cell *cells, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char name[300];

        if (cells[i].status == RUN_PASS)
            continue;
        fprintf(fp, "<li>");
        report_xml(fp, run_status_name(cells[i].status));
        fprintf(fp, " ");
        run_cell_name(&cells[i], name, sizeof(name));
        report_xml(fp, name);
        fprintf(fp, ": ");
        report_xml(fp, cells[i].message);
        fprintf(fp, "</li>\n");
    }
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
        NPARTS
    };
    static const char *const names[NPARTS] = {"RUN_ID",      "CELLS",  "WALL_S",
                                              "MTA_COLUMNS", "MATRIX", "FAILURES"};
    struct {
        char *text;
        size_t len;
        FILE *fp;
    } part[NPARTS] = {{0}};
    struct mta_vars vars = {0};
    char dir[1024], path[1100];
    char *css = NULL, *page = NULL;
    int k, bad = 0;

    if (meta->template_dir) {
        snprintf(dir, sizeof(dir), "%s", meta->template_dir);
    } else {
        char why[SMTP_ERROR_MSG_MAX];

        if (template_dir("report", dir, sizeof(dir), why, sizeof(why)) < 0) {
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
    for (k = 0; k < NPARTS; k++)
        bad |= (part[k].fp = open_memstream(&part[k].text, &part[k].len)) == NULL;
    if (!bad) {
        report_xml(part[PART_RUN_ID].fp, meta->run_id);
        fprintf(part[PART_CELLS].fp, "%zu", n);
        fprintf(part[PART_WALL_S].fp, "%.1f", meta->wall_ms / 1000.0);
        html_columns(part[PART_MTA_COLUMNS].fp);
        html_matrix(part[PART_MATRIX].fp, cells, n);
        html_failures(part[PART_FAILURES].fp, cells, n);
    }
    for (k = 0; k < NPARTS; k++) {
        int failed = part[k].fp == NULL || ferror(part[k].fp);

        if ((part[k].fp && fclose(part[k].fp) != 0) || failed)
            bad = 1;
    }
    if (bad) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "report.html: out of memory");
    } else {
        for (k = 0; k < NPARTS; k++)
            mta_vars_set(&vars, names[k], part[k].text);
        mta_vars_set(&vars, "STYLE", css);
        (void)mta_render_load(dir, "report.html", &vars, &page, err);
    }
    for (k = 0; k < NPARTS; k++)
        free(part[k].text);
    free(css);
    return page;
}

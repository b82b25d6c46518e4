/*++
 * NAME
 *	report_console 3
 * SUMMARY
 *	a run's results for people, on a terminal
 * DESCRIPTION
 *	See report_console.h.
 *--*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_cell.h"
#include "report_console.h"

#define LOG_LINES_MAX 5 /* the deciding step's log lines under a failure */

/*
 * log_lines - under a failure, what the MTA logged while the deciding
 * step ran (Postfix's "NOQUEUE: reject: RCPT from ...", Exim's "rejected
 * RCPT"): the guide's first debugging step. Whole lines, clean text.
 */
static void log_lines(FILE *fp, const struct run_cell *c)
{
    struct smtp_error err;
    char *text = report_cell_text(c, RUN_TEXT_STEP_LOG, &err), *p;
    int k = 0;

    for (p = text; p && *p && k < LOG_LINES_MAX; k++) {
        char *nl = strchr(p, '\n');
        int len = (int)(nl ? (size_t)(nl - p) : strlen(p));

        fprintf(fp, "  %s log: %.*s\n", mta_kind_name(c->mta), len, p);
        p += len + (nl != NULL);
    }
    if (p && *p)
        fprintf(fp, "  (more lines in results.json and report.html)\n");
    free(text);
}

void report_console(FILE *fp, const struct run_cell *cells, size_t n, int colour)
{
    const char *green = colour ? "\033[32m" : "", *red = colour ? "\033[1;31m" : "",
               *yellow = colour ? "\033[33m" : "", *off = colour ? "\033[0m" : "";
    size_t i, end, pass = 0, na = 0;
    struct report_columns cols;
    int width[REPORT_COLUMNS_MAX];

    report_columns(cells, n, &cols);
    fprintf(fp, "\n%-34s %-16s", "scenario", "variant");
    for (size_t k = 0; k < cols.n; k++) {
        width[k] = strlen(cols.name[k]) > 12 ? (int)strlen(cols.name[k]) : 12;
        fprintf(fp, " %-*s", width[k], cols.name[k]);
    }
    fprintf(fp, "\n");
    for (i = 0; i < n; i = end) {
        const struct run_cell *c = &cells[i];

        end = report_cell_row_end(cells, n, i);
        fprintf(fp, "%-34.34s %-16.16s", c->scenario->id, report_cell_variant(c));
        for (size_t k = 0; k < cols.n; k++) {
            const struct run_cell *m = report_cell_row_get(&cols, cells, i, end, (int)k);
            const char *col;

            if (m == NULL) {
                fprintf(fp, " %-*s", width[k], "-");
                continue;
            }
            col = m->status == RUN_ERROR || m->status == RUN_NOT_APPLICABLE ? yellow
                  : m->status == RUN_PASS && !m->open_relay_found           ? green
                                                                            : red;
            fprintf(fp, " %s%-*s%s", col, width[k], report_cell_label(m), off);
        }
        fprintf(fp, "\n");
    }
    /* What each column is, when its name does not say its version. */
    {
        int said = 0;

        for (size_t k = 0; k < cols.n; k++)
            if (strcmp(cols.name[k], cols.title[k]) != 0)
                fprintf(fp, "%s%s = %s", said++ ? ", " : "MTAs: ", cols.name[k], cols.title[k]);
        if (said)
            fprintf(fp, "\n");
    }
    for (i = 0; i < n; i++) {
        char name[300];

        pass += cells[i].status == RUN_PASS;
        na += cells[i].status == RUN_NOT_APPLICABLE;
        if (cells[i].status == RUN_PASS)
            continue;
        run_cell_name(&cells[i], name, sizeof(name));
        fprintf(fp, "%s%s%s %s: %s\n", cells[i].status == RUN_NOT_APPLICABLE ? yellow : red,
                run_status_name(cells[i].status), off, name, cells[i].message);
        if (cells[i].status == RUN_FAIL || cells[i].status == RUN_OPEN_RELAY)
            log_lines(fp, &cells[i]);
    }
    for (i = 0; i < n; i++)
        if (cells[i].open_relay_found) {
            fprintf(fp,
                    "%s*%s OPEN RELAY demonstrated where the scenario sets one up on purpose "
                    "(security finding; its expectations held)\n",
                    red, off);
            break;
        }
    if (na)
        fprintf(fp, "%zu of %zu cells held their expectations, %zu not applicable to this config\n",
                pass, n - na, na);
    else
        fprintf(fp, "%zu of %zu cells held their expectations\n", pass, n);
}

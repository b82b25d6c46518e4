/*++
 * NAME
 *	report_junit 3
 * SUMMARY
 *	a run's junit.xml
 * DESCRIPTION
 *	See report_junit.h.
 *--*/
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "report_cell.h"
#include "report_file.h"
#include "report_junit.h"
#include "report_xml.h"

/*
 * failure_context - after a failure's step, expected and actual: the
 * MTA's log lines while the deciding step ran, and the scenario's
 * advice; 0, or -1 with err (a text not clean)
 */
static int failure_context(FILE *fp, const struct run_cell *c, struct smtp_error *err)
{
    char *log = report_cell_text(c, RUN_TEXT_STEP_LOG, err), advice[RUN_TEXT_MAX];

    if (log == NULL)
        return -1;
    if (log[0]) {
        fprintf(fp, "\n%s log while \"", run_cell_mta_title(c));
        report_xml(fp, c->decide_step);
        fprintf(fp, "\" ran:\n");
        report_xml(fp, log);
    }
    if (report_cell_scenario_text(c, REPORT_CELL_ADVICE, advice, sizeof(advice))[0]) {
        fprintf(fp, "%sadvice: ", log[0] ? "" : "\n");
        report_xml(fp, advice);
    }
    free(log);
    return 0;
}

int report_junit_write(const char *dir, const struct run_cell *cells, size_t n,
                       const struct report_meta *meta, struct smtp_error *err)
{
    char path[1024];
    char *tx;
    FILE *fp;
    size_t i, fails = 0, errors = 0;
    struct report_columns cols;
    int k;

    for (i = 0; i < n; i++) {
        fails += cells[i].status == RUN_FAIL || cells[i].status == RUN_OPEN_RELAY;
        errors += cells[i].status == RUN_ERROR;
    }
    if ((fp = report_file_open(dir, "junit.xml", path, sizeof(path), err)) == NULL)
        return -1;
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(fp,
            "<testsuites name=\"relaylab\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
            "time=\"%.3f\">\n",
            n, fails, errors, meta->wall_ms / 1000.0);
    report_columns(cells, n, &cols);
    for (k = 0; k < (int)cols.n; k++) {
        const char *column = cols.name[k];
        size_t t = 0, f = 0, e = 0, sk = 0;
        long ms = 0;

        for (i = 0; i < n; i++) {
            if (strcmp(run_cell_mta(&cells[i]), column) != 0)
                continue;
            t++;
            ms += cells[i].ms;
            f += cells[i].status == RUN_FAIL || cells[i].status == RUN_OPEN_RELAY;
            e += cells[i].status == RUN_ERROR;
            sk += cells[i].status == RUN_NOT_APPLICABLE;
        }
        if (t == 0)
            continue;
        fprintf(fp,
                "  <testsuite name=\"relaylab.%s\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
                "skipped=\"%zu\" time=\"%.3f\" timestamp=\"",
                column, t, f, e, sk, ms / 1000.0);
        report_xml(fp, meta->started);
        /* Which MTA, which version, which release: "postfix 3.10.13 (trixie)". */
        fprintf(fp, "\">\n    <properties><property name=\"mta\" value=\"");
        report_xml(fp, cols.title[k]);
        fprintf(fp, "\"/></properties>\n");
        for (i = 0; i < n; i++) {
            const struct run_cell *c = &cells[i];
            char name[200];

            if (strcmp(run_cell_mta(c), column) != 0)
                continue;
            if (c->repeat)
                snprintf(name, sizeof(name), "%s#%d", report_cell_variant(c), c->repeat + 1);
            else
                snprintf(name, sizeof(name), "%s", report_cell_variant(c));
            fprintf(fp, "    <testcase classname=\"relaylab.%s.", run_cell_mta(c));
            report_xml(fp, c->scenario->id);
            fprintf(fp, "\" name=\"");
            report_xml(fp, name);
            fprintf(fp, "\" time=\"%.3f\">\n", c->ms / 1000.0);
            if (c->status == RUN_FAIL || c->status == RUN_OPEN_RELAY) {
                fprintf(fp, "      <failure type=\"%s\" message=\"",
                        c->status == RUN_OPEN_RELAY ? "open-relay" : "expectation");
                report_xml(fp, c->message);
                fprintf(fp, "\">step: ");
                report_xml(fp, c->fail_step);
                fprintf(fp, "\nexpected: ");
                report_xml(fp, c->expected);
                fprintf(fp, "\nactual: ");
                report_xml(fp, c->actual);
                if (failure_context(fp, c, err) < 0) {
                    fclose(fp);
                    return -1;
                }
                fprintf(fp, "</failure>\n");
            } else if (c->status == RUN_ERROR) {
                fprintf(fp, "      <error type=\"environment\" message=\"");
                report_xml(fp, c->message);
                fprintf(fp, "\"/>\n");
            } else if (c->status == RUN_NOT_APPLICABLE) {
                fprintf(fp, "      <skipped message=\"");
                report_xml(fp, c->message);
                fprintf(fp, "\"/>\n");
            }
            if ((tx = report_cell_text(c, RUN_TEXT_TRANSCRIPT, err)) == NULL) {
                fclose(fp);
                return -1;
            }
            fprintf(fp, "      <system-out>");
            report_xml(fp, tx);
            fprintf(fp, "</system-out>\n    </testcase>\n");
            free(tx);
        }
        fprintf(fp, "  </testsuite>\n");
    }
    fprintf(fp, "</testsuites>\n");
    return report_file_close(fp, path, err);
}

/*++
 * NAME
 *	report_tap 3
 * SUMMARY
 *	a run's results.tap
 * DESCRIPTION
 *	See report_tap.h.
 *--*/
#include <stdio.h>

#include "report_cell.h"
#include "report_file.h"
#include "report_tap.h"

/* yaml - a single-quoted YAML scalar: any clean text, a quote doubled */

static void yaml(FILE *fp, const char *s)
{
    fputc('\'', fp);
    for (; s && *s; s++) {
        if (*s == '\'')
            fputc('\'', fp);
        fputc(*s, fp);
    }
    fputc('\'', fp);
}

/* yaml_field - "key: 'value'" in a TAP 13 YAML block, indented */

static void yaml_field(FILE *fp, int indent, const char *key, const char *value)
{
    fprintf(fp, "%*s%s: ", indent, "", key);
    yaml(fp, value);
    fputc('\n', fp);
}

int report_tap_write(const char *dir, const struct run_cell *cells, size_t n,
                     struct smtp_error *err)
{
    char path[1024];
    FILE *fp;
    size_t i;

    if ((fp = report_file_open(dir, "results.tap", path, sizeof(path), err)) == NULL)
        return -1;
    fprintf(fp, "TAP version 13\n1..%zu\n", n);
    for (i = 0; i < n; i++) {
        const struct run_cell *c = &cells[i];
        char name[300];

        /* Ids and variant names are [a-z0-9-]: no '#' to start a directive. */
        run_cell_name(c, name, sizeof(name));
        if (c->status == RUN_NOT_APPLICABLE) {
            /* TAP's SKIP: the directive's text must not hold a '#' or a line end. */
            char reason[sizeof(c->message)];
            size_t k;

            snprintf(reason, sizeof(reason), "%s", c->message);
            for (k = 0; reason[k]; k++)
                if (reason[k] == '#' || reason[k] == '\n' || reason[k] == '\r')
                    reason[k] = ' ';
            fprintf(fp, "ok %zu - %s # SKIP %s\n", i + 1, name, reason);
            continue;
        }
        fprintf(fp, "%s %zu - %s%s\n", c->status == RUN_PASS ? "ok" : "not ok", i + 1, name,
                c->open_relay_found ? " # open relay demonstrated (expected)" : "");
        if (c->status == RUN_PASS)
            continue;
        fprintf(fp, "  ---\n");
        yaml_field(fp, 2, "status", run_status_name(c->status));
        yaml_field(fp, 2, "message", c->message);
        if (c->failed > 0) {
            fprintf(fp, "  at:\n");
            yaml_field(fp, 4, "file", c->fail_file);
            fprintf(fp, "    line: %d\n    col: %d\n", c->fail_pos.line, c->fail_pos.col);
            yaml_field(fp, 2, "step", c->fail_step);
            yaml_field(fp, 2, "expected", c->expected);
            yaml_field(fp, 2, "actual", c->actual);
        }
        fprintf(fp, "  ...\n");
    }
    return report_file_close(fp, path, err);
}

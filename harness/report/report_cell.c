/*++
 * NAME
 *	report_cell 3
 * SUMMARY
 *	a cell as every report shows it: label, directory, checked texts
 * DESCRIPTION
 *	See report_cell.h.
 *--*/
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_cell.h"
#include "smtp_sanitize.h"

/* report_cell_label - what a person reads in a cell */

const char *report_cell_label(const struct run_cell *c)
{
    if (c->status == RUN_PASS && c->open_relay_found)
        return "OPEN RELAY*";
    return run_status_name(c->status);
}

const char *report_cell_class(const struct run_cell *c)
{
    if (c->status == RUN_PASS && c->open_relay_found)
        return "open";
    return c->status == RUN_PASS             ? "pass"
           : c->status == RUN_FAIL           ? "fail"
           : c->status == RUN_OPEN_RELAY     ? "open"
           : c->status == RUN_NOT_APPLICABLE ? "na"
                                             : "error";
}

const char *report_cell_variant(const struct run_cell *c)
{
    return c->scenario->nvariants ? c->scenario->variants[c->variant].name : "default";
}

void report_cell_dir(const struct run_cell *cell, char *buf, size_t size)
{
    if (cell->repeat > 0)
        snprintf(buf, size, "%s.%s.%s.r%d", cell->scenario->id, report_cell_variant(cell),
                 run_cell_mta(cell), cell->repeat + 1);
    else
        snprintf(buf, size, "%s.%s.%s", cell->scenario->id, report_cell_variant(cell),
                 run_cell_mta(cell));
}

/* report_cell_scenario_text - a scenario's text no cell copies, sanitized */

const char *report_cell_scenario_text(const struct run_cell *c, enum report_cell_scenario which,
                                      char *buf, size_t size)
{
    const char *raw = which == REPORT_CELL_ADVICE       ? c->scenario->advice
                      : which == REPORT_CELL_CAUSE_NAME ? c->scenario->cause_name
                                                        : c->decide_pos.file;

    smtp_sanitize_str(raw, buf, size);
    return buf;
}

/* report_cell_clean - every line of text could have come out of smtp_sanitize */

int report_cell_clean(const char *text)
{
    const char *p = text;

    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        if (!smtp_sanitize_is_clean(p, n))
            return 0;
        p = nl ? nl + 1 : NULL;
    }
    return 1;
}

/* report_cell_text - one of a cell's texts, checked on the bytes that are written */

char *report_cell_text(const struct run_cell *c, enum run_text which, struct smtp_error *err)
{
    static const char *const names[RUN_TEXTS] = {
        "the transcript",      "the MTA's log",      "the MTA's config",
        "the MTA's master.cf", "the MTA's rcpt ACL", "the deciding step's log lines"};
    struct smtp_error read_err;
    char *text = run_cell_text(c, which, &read_err);
    char name[300], clean[SMTP_SANITIZE_SIZE(300)];

    if (text == NULL) {
        char why[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];

        smtp_sanitize_str(read_err.msg, why, sizeof(why));
        if (asprintf(&text, "(relaylab: %s could not be read back: %s)\n", names[which], why) < 0) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
            return NULL;
        }
    }
    if (report_cell_clean(text))
        return text;
    free(text);
    run_cell_name(c, name, sizeof(name));
    smtp_sanitize_str(name, clean, sizeof(clean));
    smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "cell %s: %s did not go through run_cell_sanitize",
                   clean, names[which]);
    return NULL;
}

size_t report_cell_row_end(const struct run_cell *cells, size_t n, size_t i)
{
    size_t end = i + 1;

    while (end < n && cells[end].scenario == cells[i].scenario &&
           cells[end].variant == cells[i].variant && cells[end].repeat == cells[i].repeat)
        end++;
    return end;
}

/* column_rank - where the column's target is in the run's targets (their array), or its kind */

static uintptr_t column_rank(const struct run_cell *cells, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(run_cell_mta(&cells[i]), name) == 0)
            return cells[i].target ? (uintptr_t)cells[i].target : (uintptr_t)cells[i].mta;
    return UINTPTR_MAX;
}

void report_columns(const struct run_cell *cells, size_t n, struct report_columns *cols)
{
    size_t i, k;

    cols->n = 0;
    for (i = 0; i < n; i++) {
        const char *name = run_cell_mta(&cells[i]);

        for (k = 0; k < cols->n && strcmp(cols->name[k], name) != 0; k++)
            ;
        if (k == cols->n && cols->n < REPORT_COLUMNS_MAX) {
            cols->name[cols->n] = name;
            cols->title[cols->n++] = run_cell_mta_title(&cells[i]);
        }
    }
    /* In the order of the targets (--mta's), whichever cell a shard or filter kept first. */
    for (i = 1; i < cols->n; i++)
        for (k = i; k > 0 &&
                    column_rank(cells, n, cols->name[k]) < column_rank(cells, n, cols->name[k - 1]);
             k--) {
            const char *tn = cols->name[k], *tt = cols->title[k];

            cols->name[k] = cols->name[k - 1];
            cols->title[k] = cols->title[k - 1];
            cols->name[k - 1] = tn;
            cols->title[k - 1] = tt;
        }
    /* The host's MTAs only: a column for each, as before (an MTA a filter left out shows "-"). */
    for (i = 0; i < n && cells[i].target == NULL; i++)
        ;
    if (i == n)
        for (cols->n = 0; cols->n < MTA_KINDS; cols->n++)
            cols->name[cols->n] = cols->title[cols->n] = mta_kind_name((enum mta_kind)cols->n);
}

const struct run_cell *report_cell_row_get(const struct report_columns *cols,
                                           const struct run_cell *cells, size_t i, size_t end,
                                           int k)
{
    for (; i < end; i++)
        if (strcmp(run_cell_mta(&cells[i]), cols->name[k]) == 0)
            return &cells[i];
    return NULL;
}

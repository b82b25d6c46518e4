/*++
 * NAME
 *	report_cell 3h
 * SUMMARY
 *	a cell as every report shows it: label, directory, checked texts
 * SYNOPSIS
 *	#include "report_cell.h"
 * DESCRIPTION
 *	What the writers of each format share about a cell: its label and
 *	CSS class (an open relay demonstrated on purpose is shown as the
 *	security finding it is, never as "pass"), its variant's name, its
 *	directory under cells/, its texts read back and checked clean on
 *	the very bytes a writer will write, and the rows of the matrix.
 *--*/
#ifndef REPORT_CELL_H
#define REPORT_CELL_H

#include <stddef.h>

#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_cell_label - "pass", "FAIL", "OPEN RELAY*" (demonstrated on purpose), ... */
const char *report_cell_label(const struct run_cell *c);

/* report_cell_class - report.html's class: pass, fail, open, na, error */
const char *report_cell_class(const struct run_cell *c);

/* report_cell_variant - the variant's name, "default" when the scenario has none */
const char *report_cell_variant(const struct run_cell *c);

/* report_cell_dir - "scenario.variant.mta[.rN]" */
void report_cell_dir(const struct run_cell *cell, char *buf, size_t size);

/* The scenario's texts that cells do not copy (run.h), for report_cell_scenario_text(). */
enum report_cell_scenario {
    REPORT_CELL_ADVICE,      /* its advice line */
    REPORT_CELL_CAUSE_NAME,  /* its cause's name */
    REPORT_CELL_DECIDE_FILE, /* the file the cell's deciding step is written in */
};

/*
 * report_cell_scenario_text - one of them through smtp_sanitize() into buf
 * (RUN_TEXT_MAX bytes do: "..." when cut), "" when there is none; buf
 */
const char *report_cell_scenario_text(const struct run_cell *c, enum report_cell_scenario which,
                                      char *buf, size_t size);

/* report_cell_clean - every line of text could have come out of smtp_sanitize */
int report_cell_clean(const char *text);

/*
 * report_cell_text - one of a cell's texts, malloc'd, checked clean
 * (run_cell_sanitize() ran on it); one that cannot be read back is a
 * note saying so (one cell's evidence lost never loses the run's
 * results). NULL with err when unclean or out of memory.
 */
char *report_cell_text(const struct run_cell *c, enum run_text which, struct smtp_error *err);

/*
 * report_cell_row_end - cells [i, end) are one row of the matrix: one
 * scenario, variant and repetition, a cell per MTA side by side, as
 * run_plan_cells() lays them out (a shard or a filter keeps their order).
 */
size_t report_cell_row_end(const struct run_cell *cells, size_t n, size_t i);

/*
 * The matrix's columns: one per MTA target the cells ran on
 * (run_cell_mta(): "postfix", "postfix@trixie"), in the order the cells
 * first name them; every MTA when no cell names a target.
 */
#define REPORT_COLUMNS_MAX 16
struct report_columns {
    const char *name[REPORT_COLUMNS_MAX];  /* "postfix@trixie" */
    const char *title[REPORT_COLUMNS_MAX]; /* "postfix 3.10.13 (trixie)" */
    size_t n;
};

/* report_columns - the columns of cells */
void report_columns(const struct run_cell *cells, size_t n, struct report_columns *cols);

/* report_cell_row_get - the row's cell for column k of cols, or NULL */
const struct run_cell *report_cell_row_get(const struct report_columns *cols,
                                           const struct run_cell *cells, size_t i, size_t end,
                                           int k);

#ifdef __cplusplus
}
#endif
#endif

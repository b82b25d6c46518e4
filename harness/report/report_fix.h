/*++
 * NAME
 *	report_fix 3h
 * SUMMARY
 *	report.html's "what to change": advice and config diffs per cause
 * SYNOPSIS
 *	#include "report_fix.h"
 * DESCRIPTION
 *	report_fix_new() computes, for every scenario and MTA of a run, the
 *	config diff (report_diff(3)) from the scenario's first variant in
 *	the run (broken, say) to each other one (fixed), as HTML; two
 *	variants with the same diff share it.
 *
 *	report_fix_html() writes the section of the page that holds them by
 *	cause: per scenario its advice line and its diffs, a line removed
 *	marked "-", one added "+", with a little context. A scenario with
 *	neither, a cause with no such scenario, a run with no such cause:
 *	nothing is written, no empty heading. report_fix_cell_html() writes
 *	the same for one cell (its scenario's advice, the diffs from or to
 *	its variant on its MTA), or nothing.
 *
 *	Every text is clean already (run_cell_sanitize()); it is escaped
 *	with report_xml().
 * DIAGNOSTICS
 *	report_fix_new() returns NULL with err when a config cannot be read
 *	back clean, or memory runs out.
 *--*/
#ifndef REPORT_FIX_H
#define REPORT_FIX_H

#include <stddef.h>
#include <stdio.h>

#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

struct report_fix;

/* report_fix_new - the run's config diffs; NULL with err */
struct report_fix *report_fix_new(const struct run_cell *cells, size_t n, struct smtp_error *err);

/* report_fix_html - the by-cause section, or nothing when there is nothing to say */
void report_fix_html(FILE *fp, const struct report_fix *fix);

/* report_fix_cell_html - the cell's advice and its variant's diffs, or nothing */
void report_fix_cell_html(FILE *fp, const struct report_fix *fix, const struct run_cell *c);

/* report_fix_free - all of it (NULL: nothing) */
void report_fix_free(struct report_fix *fix);

#ifdef __cplusplus
}
#endif
#endif

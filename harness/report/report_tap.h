/*++
 * NAME
 *	report_tap 3h
 * SUMMARY
 *	a run's results.tap
 * SYNOPSIS
 *	#include "report_tap.h"
 * DESCRIPTION
 *	report_tap_write() writes dir/results.tap (TAP 13): a test per cell,
 *	SKIP for one not applicable, and for one that did not hold a YAML
 *	block (status, message, and for a failed expectation where it is,
 *	step, expected, actual) whose values are single-quoted scalars,
 *	which hold any clean text.
 * DIAGNOSTICS
 *	0, or -1 with err.
 *--*/
#ifndef REPORT_TAP_H
#define REPORT_TAP_H

#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_tap_write - dir/results.tap; 0, or -1 with err */
int report_tap_write(const char *dir, const struct run_cell *cells, size_t n,
                     struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	report_junit 3h
 * SUMMARY
 *	a run's junit.xml
 * SYNOPSIS
 *	#include "report_junit.h"
 * DESCRIPTION
 *	report_junit_write() writes dir/junit.xml: a testsuite per MTA, a
 *	testcase per cell; a failure carries the step, the expected and the
 *	actual reply, an error or a skip (not applicable) its message, and
 *	every testcase the cell's transcript as system-out. Text escaped by
 *	report_xml().
 * DIAGNOSTICS
 *	0, or -1 with err.
 *--*/
#ifndef REPORT_JUNIT_H
#define REPORT_JUNIT_H

#include "report_results.h"
#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_junit_write - dir/junit.xml; 0, or -1 with err */
int report_junit_write(const char *dir, const struct run_cell *cells, size_t n,
                       const struct report_meta *meta, struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	report_json 3h
 * SUMMARY
 *	a run's results.json
 * SYNOPSIS
 *	#include "report_json.h"
 * DESCRIPTION
 *	report_json_write() writes dir/results.json, the run and one object
 *	per cell (schema: scenarios/RESULTS-SCHEMA.md), through jansson,
 *	every call's result checked. The cells' text must be clean
 *	(run_cell_sanitize()).
 * DIAGNOSTICS
 *	0, or -1 with err naming the cell and why (a value jansson could
 *	not build) or the file (a write that failed).
 *--*/
#ifndef REPORT_JSON_H
#define REPORT_JSON_H

#include "report_results.h"
#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_json_write - dir/results.json; 0, or -1 with err */
int report_json_write(const char *dir, const struct run_cell *cells, size_t n,
                      const struct report_meta *meta, struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

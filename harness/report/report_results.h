/*++
 * NAME
 *	report_results 3h
 * SUMMARY
 *	a run's results: every file of it, written whole or not at all
 * SYNOPSIS
 *	#include "report_results.h"
 * DESCRIPTION
 *	report_write_run() writes every file of a run into dir (which the
 *	caller made, and renames into place when complete): junit.xml
 *	(report_junit), results.json (report_json; schema:
 *	scenarios/RESULTS-SCHEMA.md), results.tap (report_tap), report.html
 *	(report_html), and cells/NAME/ (report_cell_dir()) with each cell's
 *	transcript, the MTA's log, its rendered config and, for Exim, the
 *	rcpt ACL the config includes. It only reads the cells.
 *
 *	report.html's templates are read first, so that without them
 *	nothing is written. Their directory is meta->template_dir, or
 *	template_dir("report") (template.h).
 *
 *	The cells' text must have been through run_cell_sanitize() (and the
 *	transcript written sanitized, as run_matrix() does): the writers
 *	only escape for their format. report_write_run() checks that first
 *	and writes nothing if a cell's text is not clean.
 * DIAGNOSTICS
 *	report_write_run() returns 0 when every file was written whole, or
 *	-1 with err saying which file or cell and why (unclean text, a value
 *	jansson could not build, a write that failed). A partial file may
 *	then be left in dir: the caller does not rename it into place.
 *--*/
#ifndef REPORT_RESULTS_H
#define REPORT_RESULTS_H

#include <stdio.h>

#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

struct report_meta {
    const char *run_id;
    const char *started; /* ISO 8601 UTC */
    long wall_ms;
    const char *relaylab_version;
    const char *template_dir; /* report.html, report.css; NULL: template_dir("report") */
};

/* report_write_run - every result file into dir; 0, or -1 with err */
int report_write_run(const char *dir, const struct run_cell *cells, size_t n,
                     const struct report_meta *meta, struct smtp_error *err);

/*
 * report_results_dir - results_dir made if need be, and a directory of
 * its own (never a symbolic link: relaylab writes as root); 0, or -1 with err.
 */
int report_results_dir(const char *results_dir, struct smtp_error *err);

/*
 * report_publish_run - the whole run written into results_dir/.tmp.RUN_ID
 * (results_dir made if need be), then renamed to results_dir/RUN_ID,
 * whose path goes into final (size bytes). On any failure nothing is
 * left behind: the temporary directory and what was written in it are
 * removed. 0, or -1 with err naming the file and the reason.
 */
int report_publish_run(const char *results_dir, const struct run_cell *cells, size_t n,
                       const struct report_meta *meta, char *final, size_t size,
                       struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	report_html 3h
 * SUMMARY
 *	a run's report.html
 * SYNOPSIS
 *	#include "report_html.h"
 * DESCRIPTION
 *	report_html_write() writes dir/report.html: the template
 *	report.html (with report.css copied into it: the page is one file)
 *	with each {{NAME}} filled from the cells as it is written, so that
 *	a large run's page is never whole in memory; every text through
 *	report_xml(). The templates are in meta->template_dir, or
 *	template_dir("report") (template.h), and are read first: without
 *	them nothing is written. report_html_render() makes the same page
 *	in memory.
 * DIAGNOSTICS
 *	report_html_write() returns 0, or -1 with err (a template missing or
 *	naming an unknown {{NAME}}, a text not clean, a write that failed);
 *	report_html_render() the page, malloc'd, or NULL with err.
 *--*/
#ifndef REPORT_HTML_H
#define REPORT_HTML_H

#include "report_results.h"
#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_html_write - dir/report.html; 0, or -1 with err */
int report_html_write(const char *dir, const struct run_cell *cells, size_t n,
                      const struct report_meta *meta, struct smtp_error *err);

/* report_html_render - report.html's text, malloc'd; NULL with err */
char *report_html_render(const struct run_cell *cells, size_t n, const struct report_meta *meta,
                         struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

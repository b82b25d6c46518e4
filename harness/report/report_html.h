/*++
 * NAME
 *	report_html 3h
 * SUMMARY
 *	a run's report.html
 * SYNOPSIS
 *	#include "report_html.h"
 * DESCRIPTION
 *	report_html_render() fills the template report.html (with
 *	report.css copied into it: the page is one file) from the cells,
 *	every text through report_xml(). The templates are in
 *	meta->template_dir, or template_dir("report") (template.h).
 * DIAGNOSTICS
 *	The page, malloc'd, or NULL with err (a template missing, out of
 *	memory).
 *--*/
#ifndef REPORT_HTML_H
#define REPORT_HTML_H

#include "report_results.h"
#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_html_render - report.html's text, malloc'd; NULL with err */
char *report_html_render(const struct run_cell *cells, size_t n, const struct report_meta *meta,
                         struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	report_xml 3h
 * SUMMARY
 *	text escaped for XML and HTML
 * SYNOPSIS
 *	#include "report_xml.h"
 * DESCRIPTION
 *	report_xml() writes text as XML character data or an attribute
 *	value (HTML's too): the five special characters escaped, the control
 *	characters XML 1.0 cannot hold, even escaped, as '?'. report_xml_n()
 *	does the same for n bytes. Text that reaches them is sanitized
 *	already (run_cell_sanitize()): they only escape.
 *--*/
#ifndef REPORT_XML_H
#define REPORT_XML_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* report_xml - text as XML character data or an attribute value */
void report_xml(FILE *fp, const char *s);

/* report_xml_n - the same for n bytes (a line of a longer text) */
void report_xml_n(FILE *fp, const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif

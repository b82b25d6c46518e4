/*++
 * NAME
 *	report_transcript 3h
 * SUMMARY
 *	transcripts for people (text) and machines (JSON)
 * SYNOPSIS
 *	#include "report_transcript.h"
 * DESCRIPTION
 *	report_transcript_text() writes one line per entry: seconds since
 *	the start, a direction marker ("C:", "S:", "*"), and the line
 *	through smtp_sanitize() (whole: a transcript line is never cut), so
 *	no byte a server sent reaches a file or terminal as it is.
 *	report_transcript_json() builds an array of {"t_ms", "dir", "line"}
 *	objects with jansson from the same sanitized lines. Both only read
 *	the transcript; secrets were never in it.
 *--*/
#ifndef REPORT_TRANSCRIPT_H
#define REPORT_TRANSCRIPT_H

#include <stdio.h>

#include <jansson.h>

#include "smtp_transcript.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_transcript_text - readable transcript; returns 0 or -1 (write error) */
int report_transcript_text(FILE *fp, const struct smtp_transcript *tx, int colour);

/* report_transcript_json - JSON array, NULL when out of memory */
json_t *report_transcript_json(const struct smtp_transcript *tx);

#ifdef __cplusplus
}
#endif
#endif

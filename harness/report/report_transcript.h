/*++
 * NAME
 *	report_transcript 3h
 * SUMMARY
 *	transcripts for machines (JSON)
 * SYNOPSIS
 *	#include "report_transcript.h"
 * DESCRIPTION
 *	report_transcript_json() builds an array of {"t_ms", "dir", "line"}
 *	objects with jansson, each line through smtp_sanitize() as
 *	smtp_transcript_write() shows it to people. It only reads the
 *	transcript; secrets were never in it.
 *--*/
#ifndef REPORT_TRANSCRIPT_H
#define REPORT_TRANSCRIPT_H

#include <stdio.h>

#include <jansson.h>

#include "smtp_transcript.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_transcript_json - JSON array, NULL when out of memory */
json_t *report_transcript_json(const struct smtp_transcript *tx);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	report_diff 3h
 * SUMMARY
 *	what changes in the config between two variants of a scenario
 * SYNOPSIS
 *	#include "report_diff.h"
 *
 *	long	report_diff(a, b, emit, ctx, err)
 * DESCRIPTION
 *	report_diff() compares the rendered configs of two cells of one
 *	scenario on one MTA (two variants: broken and fixed, say), file by
 *	file in the MTA's own syntax: Postfix's main.cf and master.cf,
 *	Exim's exim.conf with the rcpt ACL it includes put in place of its
 *	".include" line (the ACL is where Exim's relay policy lives). It
 *	hands the changed lines, with REPORT_DIFF_CONTEXT lines of context,
 *	to emit as linediff(3) shows them, each with its file's name.
 *
 *	Each cell ran on its own instance, whose directory and addresses its
 *	config names: a line that differs only in those is no change. The
 *	texts are the cells' sanitized ones (report_cell_text()), so every
 *	line emitted is clean text, for the caller to escape for its format.
 *
 *	A cell without a config (its MTA did not start) has nothing to
 *	compare: 0, nothing emitted.
 *
 *	A file whose versions differ in more than REPORT_DIFF_EDITS_MAX lines
 *	(or hold more than LINEDIFF_LINES_MAX) is not shown line by line:
 *	emit gets one REPORT_DIFF_TOO_MANY line saying so, and the count
 *	says the file changed.
 * DIAGNOSTICS
 *	The lines changed in all files (0: the configs are the same), or -1
 *	with err (a text not clean, out of memory).
 *--*/
#ifndef REPORT_DIFF_H
#define REPORT_DIFF_H

#include <stddef.h>

#include "linediff.h"
#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REPORT_DIFF_CONTEXT 2     /* lines of context around a change */
#define REPORT_DIFF_EDITS_MAX 400 /* lines changed in one file, past which it is not shown */
#define REPORT_DIFF_TOO_MANY 'X'  /* emit's kind for "too different to show" */

/* one line: file is "main.cf", "master.cf" or "exim.conf"; kind a linediff_kind or _TOO_MANY */
typedef void (*report_diff_emit)(void *ctx, const char *file, int kind, const char *text,
                                 size_t len);

/* report_diff - a's config turned into b's; lines changed, or -1 with err */
long report_diff(const struct run_cell *a, const struct run_cell *b, report_diff_emit emit,
                 void *ctx, struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

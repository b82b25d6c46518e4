/*++
 * NAME
 *	linediff 3h
 * SUMMARY
 *	a bounded line diff, shown unified-style
 * SYNOPSIS
 *	#include "linediff.h"
 *
 *	long	linediff(a, b, params)
 * DESCRIPTION
 *	linediff() finds a shortest edit script that turns text a into
 *	text b, line by line (E. W. Myers, "An O(ND) Difference Algorithm
 *	and Its Variations", Algorithmica 1, 1986; the lines both texts
 *	start and end with are taken off first), and hands the changed
 *	lines, with params->context lines of context around them, to
 *	params->emit in hunks, as "diff -u" shows them:
 *
 *	LINEDIFF_HUNK	"@@ -l,n +l,n @@", a hunk's lines in a and in b
 *	LINEDIFF_SAME	a line of context (in both)
 *	LINEDIFF_DEL	a line only a has
 *	LINEDIFF_ADD	a line only b has
 *
 *	Within a change, the lines a loses come before those b gains.
 *	Lines end at LF (not passed on); a last line without one counts.
 *	Two lines are the same when params->equal says so (NULL: byte for
 *	byte), so that a caller can overlook what it knows to differ.
 *
 *	The work is bounded: at most LINEDIFF_LINES_MAX lines a side, and
 *	at most params->edits_max lines changed (LINEDIFF_EDITS_MAX when 0
 *	or more): memory grows as its square (4 MB at LINEDIFF_EDITS_MAX),
 *	time as it times the lines. Past a bound nothing is emitted.
 *
 *	Pure: no I/O; it allocates its work space and frees it.
 * DIAGNOSTICS
 *	The lines changed (LINEDIFF_DEL and LINEDIFF_ADD lines; 0: the
 *	texts are the same, and nothing was emitted), or -1 with errno:
 *	E2BIG (more lines or edits than the bounds), ENOMEM.
 *--*/
#ifndef LINEDIFF_H
#define LINEDIFF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LINEDIFF_LINES_MAX 20000 /* lines in one text */
#define LINEDIFF_EDITS_MAX 1000  /* lines changed, a's and b's together */
#define LINEDIFF_CONTEXT_MAX 100 /* lines of context around a change */

enum linediff_kind {
    LINEDIFF_HUNK = '@',
    LINEDIFF_SAME = ' ',
    LINEDIFF_DEL = '-',
    LINEDIFF_ADD = '+',
};

struct linediff_params {
    size_t context;   /* lines of context around a change ("diff -u": 3) */
    size_t edits_max; /* 0: LINEDIFF_EDITS_MAX */
    /* 1 if two lines are the same; NULL: byte for byte */
    int (*equal)(void *ctx, const char *a, size_t alen, const char *b, size_t blen);
    void *equal_ctx;
    /* one line out: text is not NUL-terminated (for LINEDIFF_HUNK it is) */
    void (*emit)(void *ctx, enum linediff_kind kind, const char *text, size_t len);
    void *emit_ctx;
};

/* linediff - a's lines turned into b's, as hunks to params->emit; lines changed, or -1 */
long linediff(const char *a, const char *b, const struct linediff_params *params);

#ifdef __cplusplus
}
#endif
#endif

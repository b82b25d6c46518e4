/*++
 * NAME
 *	slurp 3h
 * SUMMARY
 *	a whole stream into memory, bounded
 * SYNOPSIS
 *	#include "slurp.h"
 *
 *	char	*slurp_stream(fp, max, len)
 * DESCRIPTION
 *	slurp_stream() reads fp to its end into one malloc()ed buffer (not
 *	NUL-terminated), growing it by doubling up to max bytes. The caller
 *	opens and closes fp.
 * DIAGNOSTICS
 *	The buffer with *len set, or NULL with errno: EFBIG (more than max
 *	bytes), ENOMEM, or the read error's.
 *--*/
#ifndef SLURP_H
#define SLURP_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* slurp_stream - all of fp, at most max bytes; free() it */
char *slurp_stream(FILE *fp, size_t max, size_t *len);

#ifdef __cplusplus
}
#endif
#endif

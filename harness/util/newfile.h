/*++
 * NAME
 *	newfile 3h
 * SUMMARY
 *	a new file, never one someone planted
 * SYNOPSIS
 *	#include "newfile.h"
 *
 *	FILE	*newfile_open(const char *path, int mode)
 * DESCRIPTION
 *	newfile_open() creates path for writing with O_EXCL | O_NOFOLLOW:
 *	relaylab writes as root, into directories it has just made (a run's
 *	results, the capture sink's messages), so an existing file or a
 *	symbolic link planted there is an error, never followed.
 * DIAGNOSTICS
 *	A stream, or NULL with errno.
 *--*/
#ifndef NEWFILE_H
#define NEWFILE_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* newfile_open - a new file for writing, mode as given */
FILE *newfile_open(const char *path, int mode);

#ifdef __cplusplus
}
#endif
#endif

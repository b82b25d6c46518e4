/*++
 * NAME
 *	report_file 3h
 * SUMMARY
 *	result files written whole, or an error naming them
 * SYNOPSIS
 *	#include "report_file.h"
 * DESCRIPTION
 *	report_file_open() makes dir/name, a new file (newfile_open(): a
 *	file or link already there is an error, never followed), its path
 *	into path. report_file_close() closes it and fails when any write
 *	to it failed: stdio drops the rest of a buffer after a failed write,
 *	so a file is whole or an error. report_file_write() is both around
 *	one text. report_file_fail() is the error of a file that could not
 *	be written, from errno.
 * DIAGNOSTICS
 *	NULL or -1 with err naming the file and why.
 *--*/
#ifndef REPORT_FILE_H
#define REPORT_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_file_open - dir/name made for writing, its path in path; NULL with err */
FILE *report_file_open(const char *dir, const char *name, char *path, size_t size,
                       struct smtp_error *err);

/* report_file_close - fclose, failing when any write before it failed; 0, or -1 with err */
int report_file_close(FILE *fp, const char *path, struct smtp_error *err);

/* report_file_write - dir/name holding text; 0, or -1 with err */
int report_file_write(const char *dir, const char *name, const char *text, struct smtp_error *err);

/* report_file_fail - "cannot write PATH: why" from errno into err; -1 */
int report_file_fail(struct smtp_error *err, const char *path);

#ifdef __cplusplus
}
#endif
#endif

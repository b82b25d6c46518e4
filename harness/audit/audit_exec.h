/*++
 * NAME
 *	audit_exec 3h
 * SUMMARY
 *	ask one of the MTA's own programs (postconf, postmap)
 * SYNOPSIS
 *	#include "audit_exec.h"
 * DESCRIPTION
 *	audit_exec() runs argv[0] (an absolute path) with a clean
 *	environment, input (if any) on its standard input and its standard
 *	error on /dev/null, and keeps at most size - 1 bytes of its standard
 *	output in out, NUL-terminated. It ends the program (by its PID) when
 *	it runs past timeout_ms. What it printed is the program's view of a
 *	config that may be hostile: the caller parses it and never prints it
 *	unsanitised.
 * DIAGNOSTICS
 *	The program's exit status (0..255), or -1 with err when it could not
 *	run, was killed, timed out or printed more than out holds.
 *--*/
#ifndef AUDIT_EXEC_H
#define AUDIT_EXEC_H

#include <stddef.h>

#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AUDIT_EXEC_INPUT_MAX 65536 /* what a pipe holds: written before the program runs */

int audit_exec(char *const argv[], const char *input, char *out, size_t size, long timeout_ms,
               struct smtp_error *err);

/* audit_exec_all - the same, its standard error kept in out too (for its diagnostics) */
int audit_exec_all(char *const argv[], char *out, size_t size, long timeout_ms,
                   struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

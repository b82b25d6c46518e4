/*++
 * NAME
 *	number 3h
 * SUMMARY
 *	checked decimal numbers from untrusted text
 * SYNOPSIS
 *	#include "number.h"
 *
 *	int	number_parse(text, min, max, out)
 *
 *	int	number_parse_unsigned(text, max, out)
 * DESCRIPTION
 *	The one place where relaylab turns text into an integer: command
 *	line options, port numbers in scenarios and in a user's master.cf,
 *	reply codes. The whole string must be a decimal number (an optional
 *	'-' where min allows it; no blanks, no '+', no other base, no
 *	trailing text) and lie in [min, max]. The C library's unchecked conversions, which
 *	accept "12abc" and wrap "-1", are banned (STYLE.md).
 * DIAGNOSTICS
 *	0, or -1 with errno EINVAL (not a number) or ERANGE (out of range,
 *	including past what the type holds). *out is set only on success.
 *--*/
#ifndef NUMBER_H
#define NUMBER_H

#ifdef __cplusplus
extern "C" {
#endif

/* number_parse - text as a whole decimal number in [min, max] */
int number_parse(const char *text, long long min, long long max, long long *out);

/* number_parse_unsigned - the same for [0, max], up to ULLONG_MAX */
int number_parse_unsigned(const char *text, unsigned long long max, unsigned long long *out);

#ifdef __cplusplus
}
#endif
#endif

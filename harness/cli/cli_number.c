/*++
 * NAME
 *	cli_number 3
 * SUMMARY
 *	numeric command line options, checked, with one message
 * SYNOPSIS
 *	#include "cli.h"
 *
 *	int	cli_number(flag, text, min, max, out)
 *
 *	int	cli_seconds(flag, text, ms)
 * DESCRIPTION
 *	Every numeric option of every subcommand goes through here (or
 *	through cli_number_unsigned), so a bad value reads the same
 *	everywhere: "relaylab: --jobs: expected 1..64, got '-3'". The
 *	caller exits with CLI_EXIT_USAGE.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "number.h"

/* cli_number - the option's value in [min, max], or a message and -1 */

int cli_number(const char *flag, const char *text, long long min, long long max, long long *out)
{
    if (number_parse(text, min, max, out) == 0)
        return 0;
    fprintf(stderr, "relaylab: %s: expected %lld..%lld, got '%s'\n", flag, min, max, text);
    return -1;
}

/* cli_number_unsigned - the same for [0, max] */

int cli_number_unsigned(const char *flag, const char *text, unsigned long long max,
                        unsigned long long *out)
{
    if (number_parse_unsigned(text, max, out) == 0)
        return 0;
    fprintf(stderr, "relaylab: %s: expected 0..%llu, got '%s'\n", flag, max, text);
    return -1;
}

/* cli_seconds - "2.5" into milliseconds, 0.001 to 86400 s; else a message and -1 */

int cli_seconds(const char *flag, const char *text, long *ms)
{
    char *end;
    double v;

    /* strtod also takes blanks, signs, hex, "inf" and "nan": digits only. */
    errno = 0;
    if (strspn(text, "0123456789.") != strlen(text) || (v = strtod(text, &end), errno) ||
        end == text || *end || !(v >= 0.001 && v <= 86400)) {
        fprintf(stderr, "relaylab: %s: expected 0.001..86400 (seconds), got '%s'\n", flag, text);
        return -1;
    }
    *ms = (long)(v * 1000);
    return 0;
}

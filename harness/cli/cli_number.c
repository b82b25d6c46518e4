/*++
 * NAME
 *	cli_number 3
 * SUMMARY
 *	numeric command line options, checked, with one message
 * SYNOPSIS
 *	#include "cli.h"
 *
 *	int	cli_number(flag, text, min, max, out)
 * DESCRIPTION
 *	Every numeric option of every subcommand goes through here (or
 *	through cli_number_unsigned), so a bad value reads the same
 *	everywhere: "relaylab: --jobs: expected 1..64, got '-3'". The
 *	caller exits with CLI_EXIT_USAGE.
 *--*/
#include <stdio.h>

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

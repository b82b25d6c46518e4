/*++
 * NAME
 *	number 3
 * SUMMARY
 *	checked decimal numbers from untrusted text
 * DESCRIPTION
 *	See number.h. strtoll/strtoull do the arithmetic; this file adds
 *	what they leave out: the whole string, no leading blanks or '+',
 *	no '-' for unsigned (strtoull wraps "-1"), and the range.
 *--*/
#include <errno.h>
#include <stdlib.h>

#include "number.h"

/* digits_at - is text a run of decimal digits and nothing else? */

static int digits_at(const char *text)
{
    const char *p = text;

    while (*p >= '0' && *p <= '9')
        p++;
    return p != text && *p == 0;
}

/* number_parse - text as a whole decimal number in [min, max] */

int number_parse(const char *text, long long min, long long max, long long *out)
{
    long long v;

    if (text == NULL || !digits_at(text[0] == '-' ? text + 1 : text)) {
        errno = EINVAL;
        return -1;
    }
    errno = 0;
    v = strtoll(text, NULL, 10);
    if (errno == ERANGE || v < min || v > max) {
        errno = ERANGE;
        return -1;
    }
    *out = v;
    return 0;
}

/* number_parse_unsigned - the same for [0, max] */

int number_parse_unsigned(const char *text, unsigned long long max, unsigned long long *out)
{
    unsigned long long v;

    if (text == NULL || !digits_at(text)) {
        errno = EINVAL;
        return -1;
    }
    errno = 0;
    v = strtoull(text, NULL, 10);
    if (errno == ERANGE || v > max) {
        errno = ERANGE;
        return -1;
    }
    *out = v;
    return 0;
}

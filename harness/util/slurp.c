/*++
 * NAME
 *	slurp 3
 * SUMMARY
 *	a whole stream into memory, bounded
 * DESCRIPTION
 *	See slurp.h.
 *--*/
#include <errno.h>
#include <stdlib.h>

#include "slurp.h"

/* slurp_stream - all of fp, at most max bytes */

char *slurp_stream(FILE *fp, size_t max, size_t *len)
{
    size_t cap = 8192;
    size_t used = 0;
    char *buf;

    if ((buf = malloc(cap)) == NULL)
        return NULL;
    for (;;) {
        size_t n;

        if (used == cap) {
            char *p;

            if (cap >= max) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            if ((p = realloc(buf, cap)) == NULL) {
                free(buf);
                return NULL;
            }
            buf = p;
        }
        n = fread(buf + used, 1, cap - used, fp);
        used += n;
        if (n == 0)
            break;
    }
    if (ferror(fp)) {
        free(buf);
        return NULL;
    }
    *len = used;
    return buf;
}

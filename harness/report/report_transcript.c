/*++
 * NAME
 *	report_transcript 3
 * SUMMARY
 *	transcripts for machines (JSON)
 * DESCRIPTION
 *	See report_transcript.h.
 *--*/
#include <stdlib.h>

#include "report_transcript.h"
#include "smtp_sanitize.h"

/* printable - one entry through smtp_sanitize, whole, into a malloc'd string */

static char *printable(const struct smtp_transcript_entry *e)
{
    size_t size = SMTP_SANITIZE_SIZE(e->len);
    char *buf = malloc(size);

    if (buf)
        smtp_sanitize(e->text, e->len, buf, size);
    return buf;
}

/* report_transcript_json - JSON array */

json_t *report_transcript_json(const struct smtp_transcript *tx)
{
    json_t *arr = json_array();
    size_t n = smtp_transcript_count(tx);
    size_t i;

    if (arr == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        struct smtp_transcript_entry e;
        char dir[2] = {0, 0};
        char *line;
        json_t *obj;

        if (smtp_transcript_get(tx, i, &e) < 0 || (line = printable(&e)) == NULL) {
            json_decref(arr);
            return NULL;
        }
        dir[0] = e.dir;
        obj = json_pack("{s:I, s:s, s:s}", "t_ms", (json_int_t)e.t_ms, "dir", dir, "line", line);
        free(line);
        if (obj == NULL || json_array_append_new(arr, obj) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

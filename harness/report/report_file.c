/*++
 * NAME
 *	report_file 3
 * SUMMARY
 *	result files written whole, or an error naming them
 * DESCRIPTION
 *	See report_file.h.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "newfile.h"
#include "report_file.h"

/* report_file_fail - a file that could not be written whole */

int report_file_fail(struct smtp_error *err, const char *path)
{
    int e = errno;

    return smtp_error_set(err, SMTP_ERR_INTERNAL, e, "cannot write %s: %s", path,
                          e ? strerror(e) : "write error");
}

/* report_file_open - dir/name for writing */

FILE *report_file_open(const char *dir, const char *name, char *path, size_t size,
                       struct smtp_error *err)
{
    FILE *fp;

    if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENAMETOOLONG, "path too long: %s/%s", dir, name);
        return NULL;
    }
    if ((fp = newfile_open(path, 0644)) == NULL)
        report_file_fail(err, path);
    return fp;
}

/* report_file_close - fclose, failing when any write before it failed */

int report_file_close(FILE *fp, const char *path, struct smtp_error *err)
{
    int bad = ferror(fp);
    int why = errno; /* after a failed write, its errno: stdio drops the rest of the buffer */

    if (fflush(fp) != 0) {
        bad = 1;
        why = errno;
    }
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        why = errno;
    }
    if (!bad)
        return 0;
    errno = why;
    return report_file_fail(err, path);
}

/* report_file_write - one text as a file */

int report_file_write(const char *dir, const char *name, const char *text, struct smtp_error *err)
{
    char path[1024];
    FILE *fp;

    if ((fp = report_file_open(dir, name, path, sizeof(path), err)) == NULL)
        return -1;
    if (text)
        fputs(text, fp);
    return report_file_close(fp, path, err);
}

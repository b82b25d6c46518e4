/*++
 * NAME
 *	newfile 3
 * SUMMARY
 *	a new file, never one someone planted
 * DESCRIPTION
 *	See newfile.h.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "newfile.h"

/* newfile_open - O_EXCL | O_NOFOLLOW, then a stream on it */

FILE *newfile_open(const char *path, int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
    FILE *fp;

    if (fd < 0)
        return NULL;
    if ((fp = fdopen(fd, "w")) == NULL) {
        int e = errno;

        close(fd);
        errno = e;
    }
    return fp;
}

/*++
 * NAME
 *	rmtree 3
 * SUMMARY
 *	remove a directory tree relaylab made
 * DESCRIPTION
 *	See rmtree.h.
 *--*/
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rmtree.h"

#define RMTREE_DEPTH_MAX 64 /* deeper than relaylab ever makes: left alone */
#define RMTREE_PASSES 3     /* a directory read again if something was added meanwhile */

/*
 * remove_in - everything below the directory open at dirfd, on its file
 * system only, every step relative to a descriptor and never through a
 * symbolic link: a process that still writes in the tree (a hostile MTA
 * whose container outlived its run) cannot swap a directory for a link
 * and have root remove what the link points to.
 */
static void remove_in(int dirfd, dev_t dev, int depth)
{
    for (int pass = 0; pass < RMTREE_PASSES; pass++) {
        int fd = dup(dirfd);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *e;
        int left = 0;

        if (d == NULL) {
            if (fd >= 0)
                close(fd);
            return;
        }
        rewinddir(d);
        while ((e = readdir(d)) != NULL) {
            struct stat st;
            int sub;

            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                continue;
            left = 1;
            if (!S_ISDIR(st.st_mode)) {
                (void)unlinkat(dirfd, e->d_name, 0);
                continue;
            }
            if (st.st_dev != dev || depth >= RMTREE_DEPTH_MAX)
                continue; /* another file system (a mount), or too deep */
            sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                struct stat now;

                if (fstat(sub, &now) == 0 && now.st_dev == dev)
                    remove_in(sub, dev, depth + 1);
                close(sub);
            }
            (void)unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
        }
        closedir(d);
        if (!left)
            return;
    }
}

void rmtree(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;

    if (fd < 0) {
        (void)unlink(path); /* a file, or a link, itself */
        return;
    }
    if (fstat(fd, &st) == 0)
        remove_in(fd, st.st_dev, 0);
    close(fd);
    (void)rmdir(path);
}

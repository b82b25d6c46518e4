/*++
 * NAME
 *	rmtree 3
 * SUMMARY
 *	remove a directory tree relaylab made
 * DESCRIPTION
 *	See rmtree.h.
 *--*/
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include "rmtree.h"

/* remove_entry - nftw callback: the entry itself */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void rmtree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

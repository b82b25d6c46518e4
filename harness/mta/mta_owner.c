/*++
 * NAME
 *	mta_owner 3
 * SUMMARY
 *	whose leftovers these are: a run's owner token, and what gone runs left
 * DESCRIPTION
 *	See mta_owner.h.
 *--*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mta_env.h"
#include "mta_owner.h"
#include "rmtree.h"

/* mta_owner_token - see mta_owner.h */

int mta_owner_token(long pid, char *buf, size_t size)
{
    char path[64], stat_text[1024];
    unsigned long long start;
    const char *p;
    ssize_t n;
    int fd, i;

    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    n = read(fd, stat_text, sizeof(stat_text) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    stat_text[n] = 0;
    /* After the command's ")": state is field 3, starttime field 22 (proc(5)). */
    if ((p = strrchr(stat_text, ')')) == NULL)
        return -1;
    for (i = 2; i < 22 && p; i++)
        p = strchr(p + 1, ' ');
    if (p == NULL || sscanf(p + 1, "%llu", &start) != 1)
        return -1;
    snprintf(buf, size, "%ld-%llu", pid, start);
    return 0;
}

int mta_owner_self(char *buf, size_t size)
{
    if (mta_owner_token(mta_env_host_pid(), buf, size) < 0) {
        if (errno == 0)
            errno = ESRCH;
        return -1;
    }
    return 0;
}

/* mta_owner_state - see mta_owner.h */

enum mta_owner_state mta_owner_state(const char *token)
{
    char now[MTA_OWNER_TOKEN_MAX], rest[2];
    unsigned long long start;
    long pid;

    /* Exactly PID-STARTTIME: any other text is not ours to judge. */
    if (sscanf(token, "%ld-%llu%1s", &pid, &start, rest) != 2 || pid <= 0 ||
        strspn(token, "0123456789-") != strlen(token))
        return MTA_OWNER_NOT_A_TOKEN;
    if (mta_owner_token(pid, now, sizeof(now)) < 0 || strcmp(now, token) != 0)
        return MTA_OWNER_GONE;
    return pid == mta_env_host_pid() ? MTA_OWNER_SELF : MTA_OWNER_ALIVE;
}

/* mta_owner_sweep_dirs - see mta_owner.h */

void mta_owner_sweep_dirs(void)
{
    DIR *d = opendir("/tmp");
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[300], owner[MTA_OWNER_TOKEN_MAX];
        struct stat st;
        FILE *fp;

        if (strncmp(e->d_name, MTA_OWNER_DIR_PREFIX, strlen(MTA_OWNER_DIR_PREFIX)) != 0)
            continue;
        snprintf(path, sizeof(path), "/tmp/%s", e->d_name);
        if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
            (st.st_mode & 077) != 0)
            continue;
        snprintf(path, sizeof(path), "/tmp/%s/owner", e->d_name);
        if ((fp = fopen(path, "re")) == NULL)
            continue;
        if (fgets(owner, sizeof(owner), fp) == NULL)
            owner[0] = 0;
        fclose(fp);
        owner[strcspn(owner, "\n")] = 0;
        if (mta_owner_state(owner) != MTA_OWNER_GONE)
            continue;
        snprintf(path, sizeof(path), "/tmp/%s", e->d_name);
        rmtree(path);
    }
    closedir(d);
}

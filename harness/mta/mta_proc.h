/*++
 * NAME
 *	mta_proc 3h
 * SUMMARY
 *	start and end one supervised child process
 * SYNOPSIS
 *	#include "mta_proc.h"
 * DESCRIPTION
 *	mta_proc_spawn() starts argv[0] in its own process group, with
 *	stdin from /dev/null, stdout and stderr appended to log_path, and
 *	PR_SET_PDEATHSIG so it dies with the harness (strictly: with the
 *	thread that spawned it, so long-lived services must be spawned by
 *	a thread that outlives their users). With contain, the child is
 *	contained (mta_contain) between fork and execve: the host read-only,
 *	one writable directory, a reduced capability bounding set.
 *	mta_proc_stop() ends
 *	that group only: SIGTERM, then SIGKILL after grace_ms. Nothing
 *	else is ever signalled.
 *--*/
#ifndef MTA_PROC_H
#define MTA_PROC_H

#include <sys/types.h>

#include "mta_contain.h"
#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mta_proc {
    pid_t pid;     /* 0 when not running */
    int contained; /* pid is the process between us and the namespace's init */
    int status;
    char log_path[512];
};

/* mta_proc_spawn - start argv; 0 or -1 */
int mta_proc_spawn(struct mta_proc *p, char *const argv[], const char *log_path,
                   const struct mta_contain *contain, struct smtp_error *err);

/* flags: a container engine's command gets a /proc of relaylab's PID namespace */
#define MTA_PROC_OWN_PROC 0x1

/* mta_proc_spawn_env - the same with envp (NULL: a clean one, PATH only) and flags */
int mta_proc_spawn_env(struct mta_proc *p, char *const argv[], char *const envp[], int flags,
                       const char *log_path, const struct mta_contain *contain,
                       struct smtp_error *err);

/*
 * mta_proc_capture - run argv (not contained: trusted programs only, such
 * as a container engine) with envp (NULL: PATH only) to its end, at most
 * timeout_ms; stdout and stderr in out (cut at size). Its exit status, or
 * -1 with err (it could not run, or it was killed at the deadline).
 */
int mta_proc_capture(char *const argv[], char *const envp[], int flags, char *out, size_t size,
                     long timeout_ms, struct smtp_error *err);

/* mta_proc_alive - 1 while running; reaps it otherwise */
int mta_proc_alive(struct mta_proc *p);

/* mta_proc_stop - TERM the group, KILL after grace_ms; waits for the leader */
void mta_proc_stop(struct mta_proc *p, long grace_ms);

/*
 * mta_proc_log_tail - the newest lines that hold pattern (every line if
 * NULL) that fit; path is opened with mta_contain_open() below beneath
 * (a contained process may have replaced it with a link).
 */
void mta_proc_log_tail(const char *beneath, const char *path, const char *pattern, char *buf,
                       size_t size);

#ifdef __cplusplus
}
#endif
#endif

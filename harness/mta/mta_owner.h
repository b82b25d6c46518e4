/*++
 * NAME
 *	mta_owner 3h
 * SUMMARY
 *	whose leftovers these are: a run's owner token, and what gone runs left
 * SYNOPSIS
 *	#include "mta_owner.h"
 * DESCRIPTION
 *	A run that puts things where they outlive it when it is killed (the
 *	container runtime's containers and host-visible run directories)
 *	marks them with its owner token, "HOSTPID-STARTTIME" of the process
 *	the host sees as relaylab's (mta_env_host_pid()): the start time
 *	tells a reused PID from the run's. A later run removes what is
 *	marked by an owner that is gone, and nothing else.
 *
 *	mta_owner_token() is a process's token, read from the host's
 *	/proc/PID/stat; mta_owner_self() is this run's.
 *	mta_owner_state() judges a token from a label or an owner file:
 *	only text exactly of the token's form is judged at all.
 *	mta_owner_sweep_dirs() removes the host-visible run directories
 *	(/tmp/relaylab-ctr.XXXXXX, MTA_OWNER_DIR_TEMPLATE) of gone owners.
 *--*/
#ifndef MTA_OWNER_H
#define MTA_OWNER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MTA_OWNER_DIR_PREFIX "relaylab-ctr."
#define MTA_OWNER_DIR_TEMPLATE "/tmp/" MTA_OWNER_DIR_PREFIX "XXXXXX"
#define MTA_OWNER_TOKEN_MAX 64

enum mta_owner_state {
    MTA_OWNER_NOT_A_TOKEN = 0, /* not relaylab's form: never ours to judge */
    MTA_OWNER_ALIVE,           /* another run, still there */
    MTA_OWNER_SELF,            /* this run */
    MTA_OWNER_GONE,            /* its run is gone: what it marked may go */
};

/* mta_owner_token - "PID-STARTTIME" of process pid (host's view); -1 if gone */
int mta_owner_token(long pid, char *buf, size_t size);

/* mta_owner_self - this run's token; -1 with errno */
int mta_owner_self(char *buf, size_t size);

/* mta_owner_state - whose a token is */
enum mta_owner_state mta_owner_state(const char *token);

/*
 * mta_owner_sweep_dirs - the host-visible run directories of gone
 * owners: root's, 0700, not links, whose owner file holds a gone
 * owner's token. Call it after their containers are removed.
 */
void mta_owner_sweep_dirs(void);

#ifdef __cplusplus
}
#endif
#endif

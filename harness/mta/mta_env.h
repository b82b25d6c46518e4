/*++
 * NAME
 *	mta_env 3h
 * SUMMARY
 *	the sandbox every MTA instance of one harness run lives in
 * SYNOPSIS
 *	#include "mta_env.h"
 * DESCRIPTION
 *	mta_env_isolate() must run before any thread exists. As root it
 *	makes private network, mount and PID namespaces and forks: the
 *	child, PID 1 of the new PID namespace, gets 0 and goes on to do
 *	the work; the original process gets the child's PID and must only
 *	call mta_env_wait_isolated() and exit with what it returns. Only
 *	"lo" exists in the namespace, so nothing can leave the machine and
 *	concurrent runs cannot collide. The child has PR_SET_PDEATHSIG:
 *	if the harness is killed, even by SIGKILL, PID 1 dies and the
 *	kernel kills every process in the namespace.
 *
 *	mta_env_open() in that child puts run directories on a private
 *	tmpfs at MTA_ENV_RUN_DIR, which vanishes with the namespace. With
 *	params->keep the run directory is /tmp/relaylab-keep.XXXXXX/run,
 *	bind-mounted there, and left behind; relaylab-keep.XXXXXX is 0700,
 *	so the kept mail, configs and passwords are root's alone. With
 *	params->host_visible (containers: their engine mounts it) it is
 *	/tmp/relaylab-ctr.XXXXXX/run, with an owner file, removed at the
 *	end; one a killed run left is removed by mta_owner_sweep_dirs().
 *
 *	Without isolation the run directory is a mkdtemp() under /tmp,
 *	removed by mta_env_close().
 *
 *	The environment also hands out loopback addresses (one per MTA
 *	instance and per simulated client) and the run's SASL users with
 *	passwords made per run, and starts Dovecot auth services with them
 *	(one shared by every instance when mta_env_share_dovecot() started it,
 *	else one per instance).
 *--*/
#ifndef MTA_ENV_H
#define MTA_ENV_H

#include <stddef.h>

#include "mta_contain.h"
#include "mta_proc.h"
#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTA_ENV_RUN_DIR "/run/relaylab"
#define MTA_ENV_RUN_SIZE "2g" /* the run tmpfs: what every MTA of a run may write, together */
#define MTA_ENV_USERS 2
/*
 * The guide's networks, on lo in the private network namespace only
 * (each a /24 alias, so that any address in it may be bound; nothing
 * routes off the namespace): the MTA hosts on 192.0.2.0/24 (RFC 5737),
 * the guide's office on 10.0.0.0/24, and the outside on 203.0.113.0/24
 * and 198.51.100.0/24 (RFC 5737). IPv6: the MTA hosts on 2001:db8::N and
 * clients anywhere in 2001:db8::/32 (RFC 3849), each address put on lo
 * as it is first needed.
 */
#define MTA_ENV_NETS "10.0.0.1", "192.0.2.1", "198.51.100.1", "203.0.113.1"
#define MTA_ENV_HOST_NET "192.0.2."    /* the MTA hosts: 192.0.2.N */
#define MTA_ENV_HOST_NET6 "2001:db8::" /* and 2001:db8::N */
#define MTA_ENV_OUTSIDE_NET "203.0.113."
#define MTA_ENV_OUTSIDE6 "2001:db8:ffff::7" /* on lo from the start, for people in the sandbox */
#define MTA_ENV_PASS_LEN 20

struct mta_env_params {
    int isolate;              /* namespaces when root; default 1 */
    int keep;                 /* leave the run directory behind */
    int host_visible;         /* the run directory where the host sees it (containers) */
    int share_net;            /* keep the caller's network namespace */
    const char *template_dir; /* NULL: template_dir("mta"), see template.h */
    const char *exim_bin;     /* NULL: RELAYLAB_EXIM or the default prefix */
};

struct mta_env_user {
    char name[64];
    char pass[MTA_ENV_PASS_LEN + 1];
};

/* The system ids the sandboxes need, looked up once (getpwnam is not thread-safe). */
struct mta_env_ids {
    int have_postfix, have_exim, have_dovecot;
    unsigned postfix_uid, postfix_gid, postdrop_gid;
    unsigned exim_uid, exim_gid;
    unsigned dovecot_gid;
};

struct mta_env;

/* mta_env_ids - the ids, as looked up by mta_env_open() */
const struct mta_env_ids *mta_env_ids(const struct mta_env *env);

void mta_env_params_default(struct mta_env_params *params);

/* mta_env_isolate - 0 in the isolated child, its PID in the parent, -1 with err */
long mta_env_isolate(const struct mta_env_params *params, struct smtp_error *err);

/* mta_env_wait_isolated - forward signals, wait, return the child's exit code */
int mta_env_wait_isolated(long child);

/* mta_env_open - the sandbox; NULL with err */
struct mta_env *mta_env_open(const struct mta_env_params *params, struct smtp_error *err);

/* mta_env_close - stop what is left, remove the run directory unless kept */
void mta_env_close(struct mta_env *env);

const char *mta_env_dir(const struct mta_env *env);
const char *mta_env_kept_dir(const struct mta_env *env); /* real path when kept, else NULL */
/* mta_env_host_dir - the run directory as the host sees it (kept or host_visible), or NULL */
const char *mta_env_host_dir(const struct mta_env *env);
const char *mta_env_template_dir(const struct mta_env *env);

/* mta_env_host_top - host_visible, not kept: the directory above it (root's, 0700), else NULL */
const char *mta_env_host_top(const struct mta_env *env);

const char *mta_env_exim_bin(const struct mta_env *env);
int mta_env_isolated(const struct mta_env *env);

/* mta_env_addr - a fresh 127.0.0.N (the capture sinks) */
int mta_env_addr(struct mta_env *env, char *buf, size_t size, struct smtp_error *err);

/* mta_env_private_net - 1 in relaylab's own network namespace (the guide's networks are there) */
int mta_env_private_net(const struct mta_env *env);

/*
 * mta_env_host_addr - an MTA instance's addresses: 192.0.2.N and
 * 2001:db8::N in the private network namespace; 127.0.0.N and no IPv6
 * ("") in the caller's (--shared-network). 0, or -1 with err.
 */
int mta_env_host_addr(struct mta_env *env, char *v4, size_t v4size, char *v6, size_t v6size,
                      struct smtp_error *err);

/*
 * mta_env_outside_addr - a client address outside every network the
 * sandbox trusts: 203.0.113.N. -1 in the caller's network namespace,
 * where there is none (the guide's mynetworks holds all of 127.0.0.0/8).
 */
int mta_env_outside_addr(struct mta_env *env, char *buf, size_t size);

/*
 * mta_env_client_usable - may a client bind addr here? 127.0.0.0/8 and
 * ::1 always; in the private network namespace also the guide's networks
 * (MTA_ENV_NETS) and 2001:db8::/32 (the address is put on lo). 0, or -1
 * with why (size bytes).
 */
int mta_env_client_usable(struct mta_env *env, const char *addr, char *why, size_t size);

/* mta_env_subdir - a fresh directory DIR/prefix-N, mode 0755 */
int mta_env_subdir(struct mta_env *env, const char *prefix, char *buf, size_t size,
                   struct smtp_error *err);

/* mta_env_user - SASL user i (0: user@relaylab.test, 1: app@relaylab.test) */
const struct mta_env_user *mta_env_user(const struct mta_env *env, int i);

/*
 * mta_env_contain - how a process started for this sandbox is contained:
 * buf filled (the run directories read-only, writable read-write) and
 * returned when we are root, NULL when we are not (nothing to contain:
 * the MTAs refuse to start without root).
 */
const struct mta_contain *mta_env_contain(const struct mta_env *env, const char *writable,
                                          struct mta_contain *buf);

/* mta_env_dovecot - start a Dovecot auth service in dir, without waiting; socket path out */
int mta_env_dovecot(struct mta_env *env, const char *dir, struct mta_proc *proc, char *socket,
                    size_t size, struct smtp_error *err);

/*
 * mta_env_share_dovecot - start one Dovecot that every later instance
 * uses. Call it from the thread that outlives them all (the main
 * thread): PR_SET_PDEATHSIG fires when the spawning THREAD exits, and a
 * Dovecot started by a finished worker thread dies under the others.
 */
int mta_env_share_dovecot(struct mta_env *env, struct smtp_error *err);

/* mta_env_shared_dovecot - its socket while it runs, else NULL */
const char *mta_env_shared_dovecot(struct mta_env *env);

/* mta_env_dovecot_ready - wait until its auth socket accepts */
int mta_env_dovecot_ready(struct mta_proc *proc, const char *socket, struct smtp_error *err);

/* mta_env_wait_banner - connect to addr:port until a 2xx banner is read */
int mta_env_wait_banner(const char *addr, int port, long timeout_ms, struct smtp_error *err);

/* mta_env_wait_listen - until addr:port accepts a connection */
int mta_env_wait_listen(const char *addr, int port, long timeout_ms, struct smtp_error *err);

/* mta_env_host_pid - a PID, as the host sees it, in our network and mount namespaces */
long mta_env_host_pid(void);

/* mta_env_now_ms - monotonic milliseconds */
long mta_env_now_ms(void);

#ifdef __cplusplus
}
#endif
#endif

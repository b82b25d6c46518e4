/*++
 * NAME
 *	mta_contain 3h
 * SUMMARY
 *	what an MTA process may touch: the host read-only, its own directory
 * SYNOPSIS
 *	#include "mta_contain.h"
 * DESCRIPTION
 *	Scenario files and configs under test may come from a pull request,
 *	and whatever they make an MTA run (a Postfix pipe service, an Exim
 *	${run}, a daemon_directory of their choosing) runs as root. So the
 *	MTA is contained, not its configuration filtered:
 *	mta_contain_enter() is called in a freshly forked child, just
 *	before execve(2) (mta_proc first makes a PID namespace whose PID 1 is
 *	a small init of its own, without capabilities, and the MTA that
 *	init's child, so that everything the MTA starts ends with it), and
 *	leaves it in private mount and System V IPC namespaces where
 *
 *	- every mount of the host is read-only and nosuid (mount_setattr(2)
 *	  with AT_RECURSIVE: /proc, /sys, /dev/shm and data mounts too);
 *	- /dev is a tmpfs holding only null, zero, full, random and urandom
 *	  (the host's disks and consoles are not there to write to);
 *	- /tmp is a small private tmpfs (writable), /run, /root and /home
 *	  are empty, /etc/shadow and /etc/gshadow read as empty: no host
 *	  socket (D-Bus, container engines) and no secret is reachable;
 *	- params->run_root (the sandbox's run directories) stays visible,
 *	  read-only, and params->writable below it is the one writable
 *	  place besides /tmp, except for params->readonly below that (the
 *	  capture sink's messages, which decide verdicts, and the
 *	  certificates); nothing written there or in /tmp can be executed;
 *	- /proc is the sandbox's own PID namespace's, where it can be;
 *	- the capability bounding set keeps only what an MTA daemon needs
 *	  (chown, DAC override, fowner, fsetid, kill, setuid, setgid,
 *	  binding ports below 1024, chroot, resource limits): no
 *	  CAP_SYS_ADMIN to undo any of this, no ptrace, no raw devices;
 *	- a seccomp filter refuses the kernel keyrings (add_key, keyctl,
 *	  request_key), which no namespace separates.
 *
 *	The network namespace is the harness's (mta_env), so the MTA
 *	talks only inside it.
 *
 *	Only system calls are made (no allocation): it runs after fork(2)
 *	in a multi-threaded process.
 * DIAGNOSTICS
 *	0, or an errno value with *what naming the step that failed.
 *--*/
#ifndef MTA_CONTAIN_H
#define MTA_CONTAIN_H

#ifdef __cplusplus
extern "C" {
#endif

#define MTA_CONTAIN_READONLY_MAX 4

struct mta_contain {
    const char *run_root; /* absolute; kept visible, read-only */
    const char *writable; /* absolute, at or below run_root; read-write */
    /* Below writable, but read-only to the MTA (the sink's messages: the verdict). */
    const char *readonly[MTA_CONTAIN_READONLY_MAX];
    /*
     * NULL, or a Debian release's root file system (mta_target.h): after
     * all of the above, the process is chrooted there, the root file
     * system read-only, with the same /dev, /proc, /tmp and run root
     * bound in and a tmpfs of its own on /run.
     */
    const char *rootfs;
};

/* mta_contain_enter - contain the calling (forked, single-threaded) process */
int mta_contain_enter(const struct mta_contain *params, const char **what);

/*
 * mta_contain_open - open a file a contained MTA could have written, for
 * reading by the harness (root): path must lie below dir, and no
 * component below dir may be a symbolic link (openat2(2) with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so a hostile MTA that swaps its
 * log for a link to /etc/shadow gets an error, not the file into a
 * report. Regular files only. An fd, or -1 with errno.
 */
int mta_contain_open(const char *dir, const char *path);

/* mta_contain_available - 1 if this process may contain children (root) */
int mta_contain_available(void);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	mta_target 3h
 * SUMMARY
 *	which MTA a cell runs on: its kind, its Debian release, its runtime
 * SYNOPSIS
 *	#include "mta_target.h"
 * DESCRIPTION
 *	A target is what a column of the matrix names: "postfix" (the
 *	host's own Postfix) or "postfix@trixie" (Postfix as Debian trixie
 *	ships it), and how it runs:
 *
 *	MTA_RUNTIME_NAMESPACE: in relaylab's namespaces, contained
 *	(mta_contain). With a release, from that release's root file system
 *	(made by scripts/mta-rootfs at MTA_TARGET_ROOTFS_DIR/KIND-RELEASE,
 *	or $RELAYLAB_ROOTFS_DIR), the MTA chrooted there after containment.
 *
 *	MTA_RUNTIME_CONTAINER: in a container of the image
 *	relaylab/KIND:RELEASE (docker/KIND/Dockerfile) under podman or
 *	docker, in relaylab's network namespace (never behind NAT), with
 *	the run directory mounted at the same path.
 *
 *	Both runtimes run the same rendered config, certificates and SASL
 *	users; a rootfs and an image of one release come from the same
 *	install script (docker/KIND/install), so they run the same MTA.
 *
 *	mta_target_open() finds what the target needs and reads, from
 *	the MTA's own files, its users' ids (they differ per release) and
 *	its version (/etc/relaylab-mta-version, or the host binary's
 *	own words), for the report's "postfix 3.10.13 (trixie)".
 * DIAGNOSTICS
 *	-1 with err: a word that is not KIND[@RELEASE], a missing root
 *	file system or image (and the command that makes it), an engine
 *	that does not answer (its words, sanitized).
 *--*/
#ifndef MTA_TARGET_H
#define MTA_TARGET_H

#include <stddef.h>

#include "mta.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTA_TARGETS_MAX 16
#define MTA_TARGET_ROOTFS_DIR "/var/lib/relaylab/rootfs"
/* Where the images and root file systems have Exim (a link to /usr/sbin/exim4). */
#define MTA_TARGET_EXIM_BIN "/opt/relaylab/exim/usr/sbin/exim4"
#define MTA_TARGET_LABEL "org.relaylab.owner" /* on every container relaylab starts */

enum mta_runtime { MTA_RUNTIME_NAMESPACE = 0, MTA_RUNTIME_CONTAINER };

struct mta_target {
    enum mta_kind kind;
    enum mta_runtime runtime;
    char release[16]; /* "bookworm"; "" for the host's own MTA (namespace runtime) */
    char name[48];    /* "postfix", "postfix@trixie": cell names, --filter, --mta */
    char rootfs[512]; /* the release's root file system (namespace runtime), else "" */
    char engine[256]; /* the container engine's program, else "" */
    char image[128];  /* relaylab/postfix:trixie (container runtime), else "" */
    char version[32]; /* "3.10.13"; "" if unknown */
    char title[96];   /* "postfix 3.10.13 (trixie)": the report's column */
    int own_ids;      /* ids are the MTA's own (not the host's) */
    struct mta_env_ids ids;
};

/* mta_runtime_name - "namespace", "container" */
const char *mta_runtime_name(enum mta_runtime runtime);

/* mta_runtime_parse - 0 and *runtime, or -1 */
int mta_runtime_parse(const char *word, enum mta_runtime *runtime);

/*
 * mta_target_parse - "postfix", "exim@bullseye" into t (kind, release,
 * name; the rest zero). The releases: bullseye, bookworm, trixie.
 */
int mta_target_parse(const char *word, struct mta_target *t, struct smtp_error *err);

/*
 * mta_target_open - ready t to run on: runtime; engine (container: a
 * program name or path, "" for podman); default_release (container
 * runtime, for a target without one: the host's). Ids, version, title.
 * exim_bin: the host's Exim (for the host's version).
 */
int mta_target_open(struct mta_target *t, enum mta_runtime runtime, const char *engine,
                    const char *exim_bin, struct smtp_error *err);

/* mta_target_ids_parse - the MTA's users from /etc/passwd and /etc/group texts */
void mta_target_ids_parse(const char *passwd, const char *group, struct mta_env_ids *ids);

/*
 * mta_target_version_parse - from /etc/relaylab-mta-version's text
 * ("postfix 3.10.13 (package ...)" first): the version; 0, or -1.
 */
int mta_target_version_parse(const char *text, enum mta_kind kind, char *version, size_t size);

/*
 * mta_target_sweep - remove the containers (label MTA_TARGET_LABEL) of
 * relaylab runs that are gone: a killed run's leftovers; with ours, this
 * run's too (at its end: one whose removal had not finished). Quiet.
 */
void mta_target_sweep(const char *engine, int ours);

/*
 * mta_target_engine_is_service - 1 for docker, whose service (dockerd,
 * or podman's API) runs in the host's namespaces: it names relaylab's
 * network namespace by the host's path; podman runs in relaylab's own.
 */
int mta_target_engine_is_service(const struct mta_target *t);

/* mta_target_engine_name_is_service - the same for --engine's word (docker, /x/docker) */
int mta_target_engine_name_is_service(const char *engine);

/* mta_target_host_release - this machine's Debian codename (os-release), or "bookworm" */
void mta_target_host_release(char *buf, size_t size);

/* mta_target_engine_env - the environment an engine's command runs with (static) */
char *const *mta_target_engine_env(void);

#ifdef __cplusplus
}
#endif
#endif

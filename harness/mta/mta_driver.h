/*++
 * NAME
 *	mta_driver 3h
 * SUMMARY
 *	what an MTA driver is, and what the sandbox offers it
 * SYNOPSIS
 *	#include "mta_driver.h"
 * DESCRIPTION
 *	A driver (mta_postfix.c, mta_exim.c) is one file that exports one
 *	thing, its "const struct mta_driver mta_NAME_driver": what differs
 *	from one MTA to another, as data and operations. mta.c finds it in
 *	its table by kind and never names a driver's function; a driver
 *	calls only the functions below (and mta_render, mta_env,
 *	mta_proc), never mta.c. mta.h says how to add one.
 *
 *	mta_start() does the common part before driver->start: the
 *	instance's directory and address, the spec's settings checked
 *	(mta_driver_refused_setting) and its services (refused_service,
 *	when the MTA takes services), Dovecot started when driver->uses_dovecot says so,
 *	certificates, the capture sink, config_path and log_path set from
 *	config_name and log_name. start() renders the config into
 *	config_path, fills listeners (the first is the one waited on) and
 *	spawns the MTA; mta_start() then waits for its banner.
 *--*/
#ifndef MTA_DRIVER_H
#define MTA_DRIVER_H

#include <stddef.h>

#include "mta.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mta_driver {
    const char *name;         /* "postfix": --mta, scenarios, run directories, cell names */
    const char *config_name;  /* the rendered config in the run directory and a cell's report */
    const char *log_name;     /* the MTA's log, in the run directory */
    const char *setting_kind; /* what NAME is in a setting NAME=value: "parameter", "macro" */
    const char *log_fatal;    /* a log line holding this: the start failed, stop waiting */
    const char *log_why;      /* the log lines that say why it failed (NULL: the last ones) */
    /* uses_dovecot - does the spec want the instance's Dovecot (SASL)? */
    int (*uses_dovecot)(const struct mta_spec *spec);
    /* refused_setting - why NAME = VALUE may not be set (into why), or NULL */
    const char *(*refused_setting)(const char *name, const char *value, char *why, size_t size);
    /* refused_service - why a spec's service may not be added, or NULL; NULL: takes none */
    const char *(*refused_service)(const char *line, char *why, size_t size);
    /* start - render the config, fill inst->listeners, spawn; 0, or -1 with err */
    int (*start)(struct mta_instance *inst, const struct mta_spec *spec, struct smtp_error *err);
    /* exit_hint - what to check when it exited before answering, without a word in its log */
    void (*exit_hint)(const struct mta_instance *inst, char *buf, size_t size);
};

/*
 * mta_driver_refused_setting - NULL if a scenario or --set may make this
 * setting ("NAME=value", NAME in [A-Za-z0-9_]), else why not, in why:
 * what driver->refused_setting says.
 */
const char *mta_driver_refused_setting(const struct mta_driver *driver, const char *set, char *why,
                                       size_t size);

/* mta_driver_vars - the template variables every driver shares (pointers into inst) */
void mta_driver_vars(const struct mta_instance *inst, const char *dovecot_socket,
                     struct mta_vars *vars);

/* mta_driver_contain - its directory writable, but not its sink's messages or certificates */
const struct mta_contain *mta_driver_contain(const struct mta_instance *inst,
                                             struct mta_contain *buf);

/*
 * mta_driver_spawn - start the instance's MTA, argv as the MTA sees it
 * (the same paths in every runtime), its output to log_path: contained
 * in the namespace (chrooted into its release's root file system, if
 * any), or in a container of its target's image, in relaylab's network
 * namespace, the run directory mounted at the same path (read-only but
 * for its own directory, whose sink and certificates stay read-only).
 */
int mta_driver_spawn(struct mta_instance *inst, char *const argv[], const char *log_path,
                     struct smtp_error *err);

/* mta_driver_unspawn - its container removed (the engine's client then ends); else nothing */
void mta_driver_unspawn(struct mta_instance *inst);

/* mta_driver_rewrite - note one change made to a user's config */
void mta_driver_rewrite(struct mta_instance *inst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* mta_driver_dovecot - the instance's Dovecot (started if need be): its socket, or NULL */
const char *mta_driver_dovecot(struct mta_instance *inst, struct smtp_error *err);

/* mta_driver_left_out - is the listener on port one that no_listeners (MTA_LISTEN_*) leaves out? */
int mta_driver_left_out(unsigned no_listeners, int port);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	mta 3h
 * SUMMARY
 *	one sandboxed MTA instance: Postfix (with Dovecot SASL) or Exim
 * SYNOPSIS
 *	#include "mta.h"
 * DESCRIPTION
 *	mta_start() renders a complete config from the base templates plus
 *	the spec's overrides, starts the MTA as a supervised child with its
 *	own capture sink as next hop, and returns when every listener has
 *	sent its banner. A failed start reports the MTA's own error (from
 *	its log or its output), never a bare timeout.
 *
 *	Listeners, on the instance's own 127.0.0.N: smtp (25), submission
 *	(587: STARTTLS required before AUTH), smtps (465: TLS on connect),
 *	plus any extra Postfix services of the spec (e.g. 10025).
 *
 *	mta knows nothing of dialogues.
 *--*/
#ifndef MTA_H
#define MTA_H

#include <stddef.h>

#include "mta_env.h"
#include "mta_proc.h"
#include "mta_render.h"
#include "mta_sink.h"
#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTA_LISTENERS_MAX 8
#define MTA_SETS_MAX 64
#define MTA_REWRITES_MAX 32
#define MTA_SINK_PORT 2525
/* The name every sandboxed MTA answers as: its certificate, myhostname, primary_hostname. */
#define MTA_HOSTNAME "mx.relaylab.test"

enum mta_kind { MTA_POSTFIX = 0, MTA_EXIM };

#define MTA_LISTEN_SMTP 0x1
#define MTA_LISTEN_SUBMISSION 0x2
#define MTA_LISTEN_SMTPS 0x4

/* mta_listen_bit - MTA_LISTEN_* for a port (25, 587, 465), 0 otherwise */
unsigned mta_listen_bit(int port);

struct mta_listener {
    char name[32]; /* smtp, submission, smtps, or the service's name */
    int port;
    int implicit_tls;
};

struct mta_spec {
    enum mta_kind kind;
    /* Postfix: main.cf "key=value"; Exim: macro "NAME=value". */
    const char *sets[MTA_SETS_MAX];
    size_t nsets;
    /* Postfix: extra master.cf entries, one service per string (continuation lines allowed). */
    const char *services[MTA_LISTENERS_MAX];
    size_t nservices;
    const char *exim_acl_rcpt; /* replaces the default rcpt ACL body, or NULL */
    int exim_plaintext_auth;   /* Exim: plaintext authenticators instead of Dovecot */
    int no_sasl;               /* Postfix: no Dovecot (smtpd_sasl_auth_enable = no) */
    unsigned no_listeners;     /* MTA_LISTEN_* left out ("port 587 not configured") */
    /* Bring your own config: rewritten only where the sandbox must. */
    const char *user_main_cf;   /* Postfix main.cf path */
    const char *user_master_cf; /* Postfix master.cf path */
    const char *user_exim_conf; /* Exim config path */
};

struct mta_instance {
    enum mta_kind kind;
    char addr[32];
    char dir[300];
    char config_path[400]; /* main.cf or exim.conf */
    char log_path[400];    /* maillog or mainlog */
    char sink_addr[32];
    int sink_port;
    char sink_port_text[8];
    char sink_dir[400];
    char tls_dir[320];
    char ca_path[400];
    struct mta_listener listeners[MTA_LISTENERS_MAX];
    size_t nlisteners;
    char rewrites[MTA_REWRITES_MAX][160]; /* what the sandbox changed in a user's config */
    size_t nrewrites;
    long start_ms; /* start to the last banner */
    struct mta_proc proc;
    struct mta_proc dovecot;  /* its own SASL service, if any */
    char dovecot_socket[340]; /* "" when none */
    struct mta_sink *sink;
    struct mta_env *env;
};

void mta_spec_init(struct mta_spec *spec, enum mta_kind kind);

/* mta_kind_name - "postfix", "exim" */
const char *mta_kind_name(enum mta_kind kind);

/* mta_kind_parse - 0 and *kind, or -1 */
int mta_kind_parse(const char *name, enum mta_kind *kind);

/* mta_start - render, start, wait for every banner */
struct mta_instance *mta_start(struct mta_env *env, const struct mta_spec *spec,
                               struct smtp_error *err);

/* mta_alive - is the MTA process still running? */
int mta_alive(struct mta_instance *inst);

/* mta_stop - stop the MTA and its sink; free */
void mta_stop(struct mta_instance *inst);

/* mta_listener_port - port of a named listener, or -1 */
int mta_listener_port(const struct mta_instance *inst, const char *name);

/* mta_dovecot - start the instance's own Dovecot; its socket path, or NULL */
const char *mta_dovecot(struct mta_instance *inst, struct smtp_error *err);

/* Drivers (mta_postfix.c, mta_exim.c). */
int mta_postfix_start(struct mta_instance *inst, const struct mta_spec *spec,
                      struct smtp_error *err);
int mta_exim_start(struct mta_instance *inst, const struct mta_spec *spec, struct smtp_error *err);

/*
 * mta_refused_setting - NULL if a scenario or --set may make this
 * setting ("key=value": a Postfix main.cf parameter, an Exim macro),
 * else why not, in why: the sandbox owns paths, owners, listeners, the
 * next hop, the SASL socket and certificates (mta_postfix_owned), and an
 * Exim setting must be a macro (NAME in [A-Z][A-Za-z0-9_]*), never an
 * option line.
 */
const char *mta_refused_setting(enum mta_kind kind, const char *set, char *why, size_t size);

/* mta_refused_service - NULL, or why a master.cf line may not be added (an -o of an owned key) */
const char *mta_refused_service(const char *line, char *why, size_t size);

/*
 * mta_refused_acl - NULL if an Exim rcpt ACL body from a scenario may be
 * used, else why not in why and its line in *line: no dot directive
 * (.include reads any host file as root when Exim starts, and its error
 * quotes it), no "begin" (a section of its own).
 */
const char *mta_refused_acl(const char *text, char *why, size_t size, int *line);

/* mta_postfix_owned - why a main.cf parameter is the sandbox's, or NULL */
const char *mta_postfix_owned(const char *key);

/* mta_instance_vars - the template variables every driver shares (pointers into inst) */
void mta_instance_vars(const struct mta_instance *inst, const char *dovecot_socket,
                       struct mta_vars *vars);

/* mta_instance_contain - its directory writable, but not its sink's messages or certificates */
const struct mta_contain *mta_instance_contain(const struct mta_instance *inst,
                                               struct mta_contain *buf);

/* mta_add_rewrite - note one change made to a user's config */
void mta_add_rewrite(struct mta_instance *inst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * mta_instance_read - a file the instance's MTA could have written (its
 * log, its config), from offset on, malloc'd: read through
 * mta_contain_open(), so a link planted by a hostile MTA is an error.
 * NULL with err.
 */
char *mta_instance_read(const struct mta_instance *inst, const char *path, long offset,
                        struct smtp_error *err);

/* mta_instance_file_size - its size now (0 if unreadable), for reading from there on later */
long mta_instance_file_size(const struct mta_instance *inst, const char *path);

/* mta_read_file - a whole (small) file, malloc'd; NULL with err */
char *mta_read_file(const char *path, struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

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
 *	Listeners, on the instance's own 192.0.2.N and 2001:db8::N (the
 *	guide's networks, mta_env.h; 127.0.0.N alone with --shared-network): smtp (25), submission
 *	(587: STARTTLS required before AUTH), smtps (465: TLS on connect),
 *	plus any extra Postfix services of the spec (e.g. 10025).
 *
 *	mta knows nothing of dialogues. What differs between MTAs is in
 *	their drivers (mta_driver.h), one file each, found by kind:
 *	MTA_KINDS of them, named by mta_kind_name(), mta_kind_parse().
 *
 *	A third MTA, say OpenSMTPD:
 *
 *	1. harness/mta/mta_opensmtpd.c, which exports nothing but
 *	   "const struct mta_driver mta_opensmtpd_driver" (mta_driver.h
 *	   says what each member is for; mta_exim.c is an example),
 *	   its templates in harness/mta/templates/, and the file in
 *	   MTA_SOURCES (CMakeLists.txt);
 *	2. MTA_OPENSMTPD in enum mta_kind, before MTA_KINDS;
 *	3. its entry in drivers[] (mta.c), and the extern line above it.
 *
 *	Code that goes over every MTA loops to MTA_KINDS and gets names
 *	from mta_kind_name(), so it needs nothing more. Scenarios name
 *	MTAs too ("mta postfix", where-clauses): the scenario layer, below
 *	this one, keeps its own list (scenario_mta_bit) and needs the name.
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
#define MTA_REWRITES_MAX 96
#define MTA_SINK_PORT 2525
/* The name every sandboxed MTA answers as: its certificate, myhostname, primary_hostname. */
#define MTA_HOSTNAME "mx.relaylab.test"

/* The MTAs, in report column order: an index into mta.c's drivers[]. */
enum mta_kind { MTA_POSTFIX = 0, MTA_EXIM, MTA_KINDS };

/* spec->no_listeners: the listeners left out */
#define MTA_LISTEN_SMTP 0x1
#define MTA_LISTEN_SUBMISSION 0x2
#define MTA_LISTEN_SMTPS 0x4

struct mta_target; /* mta_target.h: which release, which runtime */

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
    int sasl_down;             /* SASL on, but nothing listens on its socket (no Dovecot) */
    unsigned no_listeners;     /* MTA_LISTEN_* left out ("port 587 not configured") */
    /* Bring your own config: rewritten only where the sandbox must. */
    const char *user_main_cf;   /* Postfix main.cf path */
    const char *user_master_cf; /* Postfix master.cf path */
    const char *user_exim_conf; /* Exim config path */
    /* Where it runs (a release's rootfs, a container); NULL: the host's MTA, in the namespace. */
    const struct mta_target *target;
};

struct mta_instance {
    enum mta_kind kind;
    char addr[32];  /* its IPv4 address: 192.0.2.N (127.0.0.N with --shared-network) */
    char addr6[48]; /* its IPv6 address, 2001:db8::N; "" with --shared-network */
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
    char rewrites[MTA_REWRITES_MAX][256]; /* what the sandbox changed in a user's config */
    size_t nrewrites;
    long start_ms; /* start to the last banner */
    struct mta_proc proc;
    struct mta_proc dovecot;  /* its own SASL service, if any */
    char dovecot_socket[340]; /* "" when none */
    struct mta_sink *sink;
    struct mta_env *env;
    const struct mta_target *target; /* the spec's; NULL: the host's MTA */
    char container[96];              /* the container's name; "" when none */
    char lifeline[400];              /* its lifeline FIFO (docker's service); "" when none */
    int lifeline_fd;                 /* our end of it; 0 when none (fds 0-2 are never ours) */
};

void mta_spec_init(struct mta_spec *spec, enum mta_kind kind);

/* mta_kind_name - "postfix", "exim" ("?" for no kind) */
const char *mta_kind_name(enum mta_kind kind);

/* mta_kind_config_name - its rendered config's file name: "main.cf", "exim.conf" */
const char *mta_kind_config_name(enum mta_kind kind);

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

/*
 * mta_refused_setting - NULL if a scenario or --set may make this
 * setting ("key=value": a Postfix main.cf parameter, an Exim macro),
 * else why not, in why: the sandbox owns paths, owners, listeners, the
 * next hop, the SASL socket and certificates (Postfix), and an Exim
 * setting must be a macro (NAME in [A-Z][A-Za-z0-9_]*), never an option
 * line. mta_start() refuses a spec with such a setting.
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

/* mta_instance_ids - the ids of its MTA's users (a release's differ from the host's) */
const struct mta_env_ids *mta_instance_ids(const struct mta_instance *inst);

/* mta_instance_exim_bin - where its Exim is, as its MTA sees it */
const char *mta_instance_exim_bin(const struct mta_instance *inst);

/* mta_read_file - a whole (small) file, malloc'd; NULL with err */
char *mta_read_file(const char *path, struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

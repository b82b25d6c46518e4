/*++
 * NAME
 *	audit 3h
 * SUMMARY
 *	an open-relay audit of a config: stand it up, try every trick, judge at the sink
 * SYNOPSIS
 *	#include "audit.h"
 * DESCRIPTION
 *	audit_run() starts the user's config in the sandbox (the rewrites
 *	only move where mail leaves to: the capture sink), asks it for its
 *	names (audit_names), picks a client address outside every network
 *	it trusts, learns what its listeners offer, builds the battery
 *	(audit_battery) and sends it (audit_dialogue), with DATA after every
 *	accepted RCPT. The oracle: a relay is a message of this run that
 *	reaches the sink for a recipient whose domain is one the battery aims
 *	at (a victim, a look-alike, a foreign literal) and not one the config
 *	names as its own (audit_relayed_to()), whatever the address looked
 *	like at RCPT: the client chose where the mail went. Relays are grouped into findings by
 *	trick, each naming the listeners it worked on; a relay a simpler
 *	attempt on the same listener also got is that one's
 *	(audit_attempt_subsumes()). Each finding keeps its minimal
 *	attempt, the MTA's log lines for it, and, when the client address
 *	was trusted, the line that trusts it.
 *	audit_write_scenarios() writes each finding as a scenario that
 *	"relaylab run" replays against the same config: it fails as OPEN
 *	RELAY while the hole is there and passes once it is closed.
 *--*/
#ifndef AUDIT_H
#define AUDIT_H

#include <stddef.h>

#include "audit_battery.h"
#include "audit_dialogue.h"
#include "audit_names.h"
#include "mta.h"
#include "mta_env.h"
#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AUDIT_FINDINGS_MAX 64
#define AUDIT_LOG_LINES 4
#define AUDIT_NA_MAX 8

struct audit_params {
    enum mta_kind mta;
    const char *postfix_main_cf; /* the user's config */
    const char *postfix_master_cf;
    const char *exim_conf;
    const char *const *domains; /* --domain */
    size_t ndomains;
    const char *const *victims; /* --victim */
    size_t nvictims;
    size_t jobs;    /* connections at once; 0: 4 */
    long budget_ms; /* the whole battery; 0: 300 s */
    long settle_ms; /* how long accepted mail may take to reach the sink; 0: 10 s */
};

struct audit_finding {
    enum audit_family family;
    int own_domain;     /* probe: accepted at RCPT for the server's own domain (may stay local) */
    size_t attempt;     /* its minimal attempt */
    size_t variants;    /* relaying attempts it stands for, itself included */
    char listeners[64]; /* "smtp, submission" */
    char delivered_to[AUDIT_ADDR_MAX]; /* as the sink got it (raw: sanitise to show) */
    char log[AUDIT_LOG_LINES][240];    /* the MTA's lines for it (raw) */
    size_t nlog;
    char where[AUDIT_WHERE_MAX]; /* the config line responsible, if known */
    char fix[400];               /* lint's fix for that line, if it has one */
    char scenario[600];          /* the scenario written for it, once written */
};

/* What the sink said about one attempt. */
struct audit_verdict {
    int arrived;                       /* its message reached the sink */
    int relayed;                       /* for a recipient neither local nor relayed for */
    char delivered_to[AUDIT_ADDR_MAX]; /* that recipient, as the sink got it (raw) */
};

struct audit_result {
    struct audit_names names;
    struct audit_battery battery;
    struct audit_outcome *outcomes; /* one per attempt */
    struct audit_verdict *verdicts; /* one per attempt */
    struct audit_listener listeners[MTA_LISTENERS_MAX];
    char listener_names[MTA_LISTENERS_MAX][32];
    size_t nlisteners;
    char banner[AUDIT_NAME_MAX]; /* raw */
    char client[64];
    int client_trusted;
    char client_where[AUDIT_WHERE_MAX];
    char client_note[600]; /* how each candidate address was answered, and why this one */
    char pool[16][64];     /* the addresses the connections are spread over; pool[0] is client */
    const char *pool_ptr[16];
    size_t npool;
    size_t deferred; /* attempts whose last try was deferred (4xx): inconclusive */
    char server[64];
    struct audit_finding findings[AUDIT_FINDINGS_MAX];
    size_t nfindings;
    char not_applicable[AUDIT_NA_MAX][160]; /* families that do not apply, and why */
    size_t nna;
    char rewrites[MTA_REWRITES_MAX][160]; /* what the sandbox changed */
    size_t nrewrites;
    size_t accepted, relayed, unconfirmed, broken, not_run;
    long ms;
    int probe;                    /* a live server: verdicts at RCPT, unless confirmed */
    char confirm[AUDIT_ADDR_MAX]; /* probe --confirm: the recipient DATA went to */
};

/* What relaylab probe points at: a live server, which relaylab does not own. */
struct audit_probe_params {
    const char *host;
    int port;                   /* 0: 25, or 465 with tls_on_connect */
    int tls_on_connect;         /* port 465 style */
    const char *client_addr;    /* bind here, or NULL */
    const char *const *domains; /* the server's own (--domain) */
    size_t ndomains;
    const char *const *victims; /* --victim */
    size_t nvictims;
    const char *confirm;  /* a recipient the user controls: DATA to it; NULL: never DATA */
    size_t jobs;          /* 0: 2 */
    double rate;          /* new connections a second; 0: 5 */
    long budget_ms;       /* 0: 300 s */
    long step_timeout_ms; /* 0: 30 s (tarpits) */
};

/*
 * audit_probe - the battery against a live server, at RCPT level: an
 * accepted RCPT for a foreign domain is a finding "accepted at RCPT, not
 * confirmed", one for a form at the server's own domain (percent hack,
 * source route...) is told apart (it may stay local). DATA is sent only
 * with confirm, and only to that recipient's mailbox: the user checks it.
 */
int audit_probe(const struct audit_probe_params *p, struct audit_result *r, struct smtp_error *err);

/* audit_run - the whole audit; 0 (findings or not), or -1 with err when it could not run */
int audit_run(struct mta_env *env, const struct audit_params *p, struct audit_result *r,
              struct smtp_error *err);

/*
 * audit_pick_client - the first of relaylab's client addresses (RFC 5737
 * networks first) that no network the config trusts holds, into buf;
 * 0, or 1 when every one is trusted (buf: the first; where: the line
 * that trusts it)
 */
int audit_pick_client(const struct audit_names *n, char *buf, size_t size, char *where,
                      size_t wsize);

/*
 * audit_client_choose - r->client by what the config's text trusts and by
 * how the server answers each candidate on t (blocked, relay refused,
 * relays); r->client_trusted, client_where and client_note with it
 */
void audit_client_choose(struct audit_result *r, const struct audit_target *t);

/* audit_client_pool - r->pool: the client and up to 15 addresses beside it the text does not trust
 */
void audit_client_pool(struct audit_result *r);

/* audit_relayed_to - 1 if mail delivered for domain is a relay (the oracle; see audit.c) */
int audit_relayed_to(const struct audit_battery *b, const struct audit_names *n,
                     const char *domain);

/* audit_result_free - what audit_run() allocated */
void audit_result_free(struct audit_result *r);

/* audit_client_of - the address attempt k ran from */
const char *audit_client_of(const struct audit_result *r, size_t k);

/* audit_attempt_text - attempt k as the client's lines, one per line (no CR), into buf */
void audit_attempt_text(const struct audit_result *r, size_t k, char *buf, size_t size);

/* audit_write_scenarios - each finding as DIR/NN-FAMILY.scn; 0, or -1 with err */
int audit_write_scenarios(struct audit_result *r, const struct audit_params *p, const char *dir,
                          struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	run_fuzz 3h
 * SUMMARY
 *	grammar-aware fuzzer of SMTP dialogues against a live sandboxed MTA
 * SYNOPSIS
 *	#include "run_fuzz.h"
 * DESCRIPTION
 *	run_fuzz() stands up one MTA with a scenario variant's config (or
 *	the base config), then sends dialogues built from the scenario's
 *	commands and mutated: senders (the null sender, the server's own
 *	domain, postmaster, literals), recipients in relay-trick forms for
 *	a victim domain no scenario calls local (example.org), ESMTP
 *	parameters, verb case, bare LF and bare CR line ends, end-of-data
 *	variants, repeated and reordered commands, pipelining. No dialogue
 *	authenticates: an authenticated relay is not a finding.
 *
 *	Oracles: mail for the victim domain reaches the capture sink (an
 *	open relay); the MTA process dies; no reply within the timeout (not
 *	counted after a malformed line end: waiting then is the server's
 *	right); a reply that breaks the protocol. Each finding is minimized
 *	(steps dropped while it still reproduces) and written as a scenario
 *	file that "relaylab run" reproduces.
 *
 *	params->jobs dialogues run at once, in batches on the engine pool
 *	(engine_pool_run()). Dialogue number k depends on the seed and k
 *	only, and its message names k in its Message-ID; the sink is looked
 *	at between batches, not waited on, and outcomes and the sink's
 *	verdicts are taken in the order of k on the caller's thread, which
 *	alone minimizes (one dialogue at a time, the workers idle) and
 *	writes findings. So a seed finds the same things whatever the jobs,
 *	in the dialogues both runs reached.
 *--*/
#ifndef RUN_FUZZ_H
#define RUN_FUZZ_H

#include <stddef.h>

#include "mta.h"
#include "scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RUN_FUZZ_VICTIM_DOMAIN "example.org"
#define RUN_FUZZ_FINDINGS_MAX 16
#define RUN_FUZZ_COMMANDS_MAX 24 /* commands of one dialogue, and of a finding */
#define RUN_FUZZ_LINE_MAX 500    /* one command line, NUL included */

struct run_fuzz_stats {
    long elapsed_ms;
    unsigned long dialogues;
    unsigned long findings;
    size_t states; /* distinct (command, reply code) pairs seen */
};

struct run_fuzz_params {
    enum mta_kind mta;
    const struct scenario *scenario; /* NULL: the base config, a default dialogue */
    size_t variant;
    long seconds;
    unsigned long seed;
    size_t max_findings; /* stop after this many (0: RUN_FUZZ_FINDINGS_MAX) */
    size_t jobs;         /* dialogues at once on the engine pool (0: 1) */
    const char *out_dir; /* findings go here as finding-N.scn */
    void (*progress)(void *ctx, const struct run_fuzz_stats *st);
    void *ctx;
    /*
     * Your own config instead of a scenario's (issue 9): seeds from the
     * audit's battery, the audit's oracle (mail at the sink for a domain
     * the client chose, not the config's own), a client outside the
     * config's trusted networks, findings by trick.
     */
    const char *user_main_cf, *user_master_cf, *user_exim_conf;
};

struct run_fuzz_result {
    struct run_fuzz_stats stats;
    size_t nfindings;
    char findings[RUN_FUZZ_FINDINGS_MAX][512]; /* "kind: summary (file)" */
};

/* run_fuzz - fuzz for params->seconds; 0, or -1 with err (no MTA, bad config) */
int run_fuzz(struct mta_env *env, const struct run_fuzz_params *params, struct run_fuzz_result *out,
             struct smtp_error *err);

/* A finding, as run_fuzz() hands it to run_fuzz_write_finding(). */
struct run_fuzz_finding {
    size_t number;               /* finding-MTA-NUMBER.scn */
    const char *kind;            /* "open relay", "no reply", ... */
    const char *detail;          /* from the server: sanitized */
    const char *const *commands; /* the command lines sent, no line end; NULL: DATA and a message */
    size_t ncommands;            /* RUN_FUZZ_COMMANDS_MAX at most, each under RUN_FUZZ_LINE_MAX */
    int bare_lf;                 /* the fuzzer's line ends: 0 CRLF, 1 bare LF, 2 bare CR */
    int odd_data_end;            /* an end of data other than CRLF "." CRLF */
    const char *client;          /* connect from this address; NULL: "outside" */
    const char *relayed_to;      /* the domain the mail reached: expect no-relay-to it; NULL:
                                    expect relay-denied */
};

/*
 * run_fuzz_write_finding - the finding as a scenario file in
 * params->out_dir (its name into path) that "relaylab run" reproduces:
 * the config of params' scenario for its MTA and variant (an acl-rcpt
 * file copied beside it), then a dialogue that connects from outside,
 * sends the commands as "C:" lines and a message, and expects
 * relay-denied; comments above say what was found. A struct scenario
 * written by scenario_format(), read back by scenario_parse() before
 * anything is written, into a new temp file renamed into place. 0, or
 * -1 with err.
 */
int run_fuzz_write_finding(const struct run_fuzz_params *params,
                           const struct run_fuzz_finding *finding, char *path, size_t size,
                           struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

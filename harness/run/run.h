/*++
 * NAME
 *	run 3h
 * SUMMARY
 *	the scenario matrix: scenario x variant x MTA on real sandboxes
 * SYNOPSIS
 *	#include "run.h"
 * DESCRIPTION
 *	run_matrix() runs every cell: it renders the cell's config into a
 *	sandbox instance (mta; cells with the same config share one, in
 *	turn, unless fresh_instances), drives the dialogues with the SMTP
 *	client (smtp), checks every expectation, and records a result per
 *	cell with the first failing step's expected and actual reply, and
 *	the step that decided the cell (run_decide.h): its reply, the
 *	expectations on it and the MTA's log lines while it ran. It joins
 *	the scenario, mta and smtp layers; it prints nothing.
 *
 *	With params->evidence, a finished cell's transcript, MTA log and
 *	config (and the deciding step's log lines) are appended to that file (run_evidence_open())
 *and leave memory: run_cell_text() reads them back one at a time, so memory stays flat in the
 *number of cells. Keep the file open until the report is written.
 *
 *	The results are where hostile text stops: what a server said, what
 *	a scenario file or an MTA's log and config hold. Every text of a
 *	cell that a report may show has been through smtp_sanitize() once
 *	run_matrix() returns (run_cell_sanitize()), and the transcript is
 *	sanitized line by line as it is written, so the report writers only
 *	escape for their format. Scenario ids and variant names are not
 *	copied: the parser allows only [a-z0-9-] in them. Nor are the
 *	scenario's advice, its cause's name and the deciding step's file
 *	name (a copy in each of 10,000 cells would cost megabytes): the
 *	reports sanitize those where they show them (report_cell).
 *--*/
#ifndef RUN_H
#define RUN_H

#include <stddef.h>

#include "mta.h"
#include "scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RUN_RELAY_WAIT_MS 5000
#define RUN_STEP_TIMEOUT_MS 10000    /* one command and its reply, by default */
#define RUN_TOTAL_TIMEOUT_MS 60000   /* one dialogue (connection), by default */
#define RUN_TEXT_MAX 512             /* a title or file name as reports show it, "..." when cut */
#define RUN_ACL_MAX 65536            /* an acl-rcpt file's text, NUL included */
#define RUN_EVIDENCE_MAX (64L << 20) /* a cell text read back (run_cell_text()) */
#define RUN_STEP_LOG_MAX 8192    /* the deciding step's log lines, a last line saying when cut */
#define RUN_STEP_LOG_WAIT_MS 300 /* Postfix's log lines come after its reply: the longest wait */

enum run_status {
    RUN_PASS = 0,
    RUN_FAIL,           /* an expectation did not hold */
    RUN_OPEN_RELAY,     /* relayed where relay-denied was expected: a security failure */
    RUN_ERROR,          /* the MTA did not start, the client broke */
    RUN_NOT_APPLICABLE, /* a user's config has no door for it (no listener, no AUTH) */
};

/* The texts of a cell, which run_matrix() keeps in files (run_cell_text()). */
enum run_text {
    RUN_TEXT_TRANSCRIPT = 0,
    RUN_TEXT_MTA_LOG,
    RUN_TEXT_MTA_CONFIG,
    RUN_TEXT_MTA_MASTER, /* Postfix's master.cf, where listeners and their -o live */
    RUN_TEXT_MTA_ACL,    /* Exim's rcpt ACL, which its config includes (acl_rcpt.conf) */
    RUN_TEXT_STEP_LOG,   /* the MTA's log lines while the deciding step ran */
    RUN_TEXTS
};

struct run_cell {
    const struct scenario *scenario;
    size_t variant;
    enum mta_kind mta;
    int repeat;                      /* 0-based repetition (--repeat) */
    const struct mta_target *target; /* its column: NULL for the host's MTA of kind mta */
    /* results */
    enum run_status status;
    int open_relay_found;         /* an expected open relay was demonstrated */
    size_t checks, failed;        /* expectations evaluated, failed */
    struct scenario_pos fail_pos; /* fail_pos.file is raw: reports show fail_file */
    char fail_file[RUN_TEXT_MAX];
    char title[RUN_TEXT_MAX]; /* the scenario's */
    char fail_step[256];      /* the expectation as written */
    char expected[256];
    char actual[512];
    char message[1400]; /* one-line summary of the failure or error */
    /*
     * The deciding step: the command whose reply the first failed
     * expectation judged, else the cell's last RCPT (where the relay
     * verdict rests), else its last command an expectation judged; ""
     * in decide_step when the cell has none. Every cell has them, pass too.
     */
    struct scenario_pos decide_pos; /* its file is the scenario's, raw (report_cell sanitizes) */
    char decide_step[256];          /* the command as written */
    char decide_expected[256];      /* the expectations on its reply as written, "; " between */
    char decide_reply[512];         /* what the server answered */
    long ms;                        /* cell wall time, MTA start included */
    long dialogue_ms;               /* relaylab's dialogues, relay_wait_ms included */
    long relay_wait_ms;             /* waiting for relayed messages to reach the sink */
    long swaks_ms;                  /* the same dialogues by swaks (compare_swaks), -1 if not run */
    int swaks_dialogues;
    long mta_start_ms; /* 0 when it ran on an instance started for a cell before it */
    char *transcript;  /* malloc'd text of every dialogue, secrets redacted */
    char *mta_log;     /* malloc'd copy of the MTA's log */
    char *mta_config;  /* malloc'd copy of the rendered config */
    char *mta_master;  /* Postfix: malloc'd copy of the rendered master.cf; else NULL */
    char *mta_acl;     /* Exim: malloc'd copy of the rcpt ACL its config includes; else NULL */
    char *step_log;    /* malloc'd: the MTA's log lines while the deciding step ran; or NULL */
    /* The instance's own names in its config: its directory, its and its sink's address. */
    char mta_dir[128]; /* "" when longer */
    char mta_addr[32];
    char mta_addr6[48];
    char sink_addr[32];
    int sanitized; /* run_cell_sanitize() ran */
    /* With the runner's evidence file: the texts above are there, not here. */
    int spilled;
    int evidence_fd;
    long long evidence_off[RUN_TEXTS];
    size_t evidence_len[RUN_TEXTS];
};

struct run_params {
    int jobs;                    /* instances at once */
    int fresh_instances;         /* one instance per cell, never shared */
    int compare_swaks;           /* also drive each cell's dialogues with swaks (bench) */
    long step_timeout_ms;        /* 0: RUN_STEP_TIMEOUT_MS */
    long total_timeout_ms;       /* 0: RUN_TOTAL_TIMEOUT_MS */
    const char *postfix_main_cf; /* bring your own config */
    const char *postfix_master_cf;
    const char *exim_conf;
    int evidence; /* 1: evidence_fd is run_evidence_open()'s; 0: the texts stay in memory */
    int evidence_fd;
    void (*progress)(void *ctx, size_t done, size_t total, const struct run_cell *cell);
    void *progress_ctx;
};

/* run_params_default - 2 jobs, shared instances, the default time-outs, no user config */
void run_params_default(struct run_params *params);

/* run_cell_name - "scenario/variant/mta" */
void run_cell_name(const struct run_cell *cell, char *buf, size_t size);

/* run_cell_mta - its column: the target's name ("postfix@trixie"), else the MTA's ("postfix") */
const char *run_cell_mta(const struct run_cell *cell);

/* run_cell_mta_title - the column's title, version and release: "postfix 3.10.13 (trixie)" */
const char *run_cell_mta_title(const struct run_cell *cell);

/* run_release_bit - SCENARIO_RELEASE_* of a release ("trixie"); NULL or "": the host's */
unsigned run_release_bit(const char *release);

/* run_cell_release_bit - the release of its column's MTA (the host's for the host's MTA) */
unsigned run_cell_release_bit(const struct run_cell *cell);

/* run_status_name - "pass", "FAIL", ... */
const char *run_status_name(enum run_status status);

/* run_matrix - run every cell; 0 when all ran (whatever their verdicts) */
int run_matrix(struct mta_env *env, struct run_cell *cells, size_t ncells,
               const struct run_params *params, struct smtp_error *err);

/*
 * run_scenario_spec - the config overrides a scenario gives one MTA in one
 * variant (set, service, acl-rcpt, no-sasl, plaintext-auth, no-listener),
 * into spec, which must already be initialised. An acl-rcpt file's text
 * goes into acl (acl_size bytes, RUN_ACL_MAX in the runner); spec points
 * there. A file that does not fit is an error, never cut. 0, or -1 with err.
 */
int run_scenario_spec(const struct scenario *s, enum mta_kind mta, size_t variant,
                      struct mta_spec *spec, char *acl, size_t acl_size, struct smtp_error *err);

/*
 * run_scenario_check - every config line of s is one the sandbox takes:
 * no setting of what the sandbox owns (mta_refused_setting), no service
 * that overrides one; -1 with err at the offending line otherwise.
 */
int run_scenario_check(const struct scenario *s, struct scenario_error *err);

/* run_acl_path - where an acl-rcpt config line's file is: inside the scenario's tree, or -1 */
int run_acl_path(const struct scenario *s, const struct scenario_config *c, char *buf, size_t size,
                 struct smtp_error *err);

/*
 * run_cell_sanitize - every text of cell that reports show, through
 * smtp_sanitize() exactly once (later calls do nothing): title and
 * fail_file from the scenario, fail_step, expected,
 * actual, message and the decide_ fields from their raw values (each cut
 * with "..." at its field's size), and the MTA's texts (mta_log,
 * mta_config, mta_master, mta_acl, step_log) line by line. run_matrix() calls it for every
 * cell. 0, or -1 when out of memory: then the cell is an error and the
 * unsanitized copies are gone.
 */
int run_cell_sanitize(struct run_cell *cell);

/*
 * run_evidence_open - an unnamed file (O_TMPFILE) in dir for the cells'
 * texts: on disk, not in memory; reachable by nothing but its descriptor
 * (no MTA, no other process can open or swap it); gone when closed, or
 * when the harness is killed. The caller closes it after the report. An
 * fd, or -1 with errno (then keep the texts in memory: evidence_fd -1).
 */
int run_evidence_open(const char *dir);

/*
 * run_cell_text - one of the cell's texts, malloc'd ("" when it has
 * none): from memory, or from the evidence file run_matrix() moved it to
 * when the cell ended, so that a run's memory does not grow with its
 * cells. NULL with err when it cannot be read back.
 */
char *run_cell_text(const struct run_cell *cell, enum run_text which, struct smtp_error *err);

/* run_cell_text_bytes - the bytes of the cell's texts in memory, for run_cell_spill() */
size_t run_cell_text_bytes(const struct run_cell *cell);

/*
 * run_cell_spill - the cell's texts written at off in fd (the evidence
 * file, run_cell_text_bytes() bytes reserved there) and out of memory; 0,
 * or -1 when a write failed: then they stay in memory, never lost.
 */
int run_cell_spill(struct run_cell *cell, int fd, long long off);

/*
 * run_cell_instance - what reports need of the instance the cell ran on:
 * its directory and addresses (which its config names, and another
 * instance's names otherwise) and, for Exim, the rcpt ACL the config
 * includes (mta_acl, raw). Nothing when it cannot be read (a user's own
 * config has no acl_rcpt.conf).
 */
void run_cell_instance(struct run_cell *cell, const struct mta_instance *inst);

/* run_cell_free - the malloc'd parts */
void run_cell_free(struct run_cell *cell);

#ifdef __cplusplus
}
#endif
#endif

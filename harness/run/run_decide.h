/*++
 * NAME
 *	run_decide 3h
 * SUMMARY
 *	the step that decided a cell: its reply, expectations, log lines
 * SYNOPSIS
 *	#include "run_decide.h"
 * DESCRIPTION
 *	The runner (run.c) tells a run_decide about a cell's steps as they
 *	run: each command (connect included) before it is sent
 *	(run_decide_command()), the reply it got (run_decide_reply()), each
 *	expectation judged (run_decide_expect()), the one the cell's failure
 *	names (run_decide_failed()), and each dialogue's end
 *	(run_decide_close()). run_decide_keep() then fills the cell's
 *	decide_* fields and step_log with the deciding step: the command the
 *	failed expectation judged (for relay-denied: the last RCPT), else
 *	the cell's last RCPT, where the relay verdict rests, else its last
 *	command an expectation judged.
 *
 *	A step's log lines are those the MTA wrote from before it was sent
 *	to before the next command (or the dialogue's end): the log's size is
 *	taken at both (mta_instance_file_size()), and the lines of the
 *	candidates (RCPTs, the failure's command) read when their step ends,
 *	whole lines only, RUN_STEP_LOG_MAX bytes at most. Postfix logs
 *	through postlogd, which writes after Postfix has replied, and lines
 *	of earlier steps may come in first: for such an MTA (late_mark not
 *	NULL) it waits, RUN_STEP_LOG_WAIT_MS at most, while nothing new has
 *	arrived, and after a refusal (4xx, 5xx) until a line holds late_mark
 *	(Postfix's "reject: "). Exim writes its log line before it replies.
 *	A step whose lines did not come within that wait (Postfix does not
 *	log a "530 Must issue a STARTTLS command first") is remembered, with
 *	its reply code, in the instance's run_decide_quiet and not waited
 *	for again on that instance: a matrix repeats its cells.
 *
 *	Internal to harness/run. What it keeps is raw: run_cell_sanitize()
 *	comes after.
 *--*/
#ifndef RUN_DECIDE_H
#define RUN_DECIDE_H

#include "run.h"

#define RUN_DECIDE_QUIET_MAX 64 /* steps remembered as logging nothing, per instance */

/* The steps (and reply codes) whose log lines did not come, on one instance. */
struct run_decide_quiet {
    const struct scenario_step *st[RUN_DECIDE_QUIET_MAX];
    char code[RUN_DECIDE_QUIET_MAX][4];
    size_t n;
};

/* One command step as the cell saw it. */
struct run_decide_step {
    const struct scenario_step *st; /* NULL: none */
    int rcpt;                       /* an RCPT (or a raw "RCPT TO:") */
    long log_from;                  /* the log's size before it was sent */
    long log_to;                    /* ... before the next command; -1 while it runs */
    char expects[256];              /* the expectations on its reply, as written */
    char reply[512];
    char *log; /* malloc'd lines of [log_from, log_to) once read, or NULL */
};

struct run_decide {
    const struct mta_instance *inst;
    const char *late_mark; /* the MTA logs after it replies, a refusal with this; or NULL */
    struct run_decide_quiet *quiet; /* the instance's steps not waited for again; or NULL */
    struct run_decide_step cur;     /* the command running */
    struct run_decide_step rcpt;    /* the last RCPT, ended */
    struct run_decide_step fail;    /* the failure's command, ended */
    struct run_decide_step judged;  /* the last command an expectation judged, ended */
    int fail_is_cur;                /* the failure's command is cur: kept when it ends */
};

/* run_decide_init - nothing seen yet, for a cell on inst; late_mark, quiet: see above */
void run_decide_init(struct run_decide *d, const struct mta_instance *inst, const char *late_mark,
                     struct run_decide_quiet *quiet);

/* run_decide_command - st is about to be sent: the step before it ends */
void run_decide_command(struct run_decide *d, const struct scenario_step *st);

/* run_decide_reply - the running command's reply, as the report shows it */
void run_decide_reply(struct run_decide *d, const char *reply);

/* run_decide_expect - st judges the running command's reply (relay-denied: the last RCPT's) */
void run_decide_expect(struct run_decide *d, const struct scenario_step *st);

/* run_decide_failed - st is the expectation (or step) the cell's failure names */
void run_decide_failed(struct run_decide *d, const struct scenario_step *st);

/* run_decide_close - the dialogue ends: so does its last command */
void run_decide_close(struct run_decide *d);

/* run_decide_keep - the deciding step into cell (after run_decide_close()); frees d's */
void run_decide_keep(struct run_decide *d, struct run_cell *cell);

/* run_decide_free - what d holds, when no cell is to get it */
void run_decide_free(struct run_decide *d);

#endif

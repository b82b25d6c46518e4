/*++
 * NAME
 *	run_plan 3h
 * SUMMARY
 *	what a run runs: scenario files, scenarios, cells
 * SYNOPSIS
 *	#include "run_plan.h"
 * DESCRIPTION
 *	A plan holds a run's input from files to cells, in three steps.
 *
 *	run_plan_collect() adds the scenario files (*.scn) a path names: a
 *	file as it is, a directory's files one level down, sorted, each
 *	with the tree its own named files must stay in (NULL: the file's
 *	directory).
 *
 *	run_plan_load() loads them all and checks each against the sandbox
 *	(run_scenario_check()) and their ids against each other; it hands
 *	every error, formatted and sanitized (it quotes a file, and what a
 *	scenario holds is hostile), to a callback and goes on, so that one
 *	run shows them all.
 *
 *	run_plan_layout() lays out the matrix run_matrix() runs: for each
 *	repetition, each scenario (only those tagged "policy" with
 *	policy_only), each variant (one when it has none) and each MTA the
 *	scenario allows (only mta_only when that is not -1), a cell whose
 *	name ("scenario/variant/mta") holds filter; then, with shard_n, only
 *	the shard_k-th of every shard_n cells (1-based), so that CI jobs
 *	split one matrix between them. run_plan_cells() lays it out and
 *	makes the struct run_cells run_matrix() takes (about 3.5 KB each,
 *	for the results); the layout alone (plan->layout) is what "relaylab
 *	run --list" needs.
 *
 *	run_plan_key() is the text that decides which cells share an MTA
 *	instance: everything that goes into a cell's rendered config (the
 *	MTA, the scenario's overrides for the cell's variant and MTA, the
 *	text of an acl-rcpt file, a user's own config files). run_matrix()
 *	gives cells with equal keys one instance, in turn; run_plan_instances()
 *	numbers those instances the way it does for plan->layout, without
 *	starting anything, for "relaylab run --list".
 *
 *	run_plan_user_config() points the parameters at a user's own
 *	config; run_plan_shard() reads "K/N" for shard_k and shard_n;
 *	run_plan_swaks() sums what --compare-swaks measured: the dialogues,
 *	relaylab's time (waiting for the sink, which swaks does not do,
 *	apart) and swaks's.
 * DIAGNOSTICS
 *	run_plan_collect(): 0, or -1 with err: SMTP_ERR_USAGE (no such
 *	path, more than RUN_PLAN_FILES_MAX files), SMTP_ERR_INTERNAL (out
 *	of memory).
 *	run_plan_load(): 0, or -1 with err: SMTP_ERR_INTERNAL when out of
 *	memory, else SMTP_ERR_USAGE (the errors went to the callback).
 *	run_plan_layout(), run_plan_cells(): the number of cells (0: none
 *	matched), or -1 with err: SMTP_ERR_USAGE when the matrix, before
 *	filter and shard, has more than RUN_PLAN_CELLS_MAX, SMTP_ERR_INTERNAL
 *	when out of memory.
 *	run_plan_key(): 0, or -1 with err when the cell's config cannot be
 *	made (an acl-rcpt file unreadable or too large, too many settings).
 *	run_plan_instances(): the number of instances, or -1 with err
 *	(SMTP_ERR_INTERNAL) when out of memory.
 *--*/
#ifndef RUN_PLAN_H
#define RUN_PLAN_H

#include <stddef.h>

#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Issue 11 plans matrices of 10,000 scenarios: files, and cells for every
 * file at SCENARIO_VARIANTS_MAX on both MTAs. A run holds each of its
 * cells' results (struct run_cell, about 3.5 KB) until the end; a shard
 * holds only its slice.
 */
#define RUN_PLAN_FILES_MAX 16384  /* scenario files in one run */
#define RUN_PLAN_CELLS_MAX 262144 /* cells in the matrix, before --filter and --shard */
#define RUN_PLAN_KEY_MAX 8192     /* an instance key; a longer one is never shared */

struct run_plan_params {
    int repeat;         /* every cell this many times (at least 1) */
    int policy_only;    /* only scenarios tagged "policy" (a user's own config) */
    int mta_only;       /* an enum mta_kind, or -1 for both */
    /* The matrix's MTA columns (--mta postfix@trixie ...); none: postfix and exim, the host's. */
    const struct mta_target *targets;
    size_t ntargets;
    const char *filter; /* a substring of the cell's name, or NULL */
    int shard_k;        /* 1..shard_n; shard_n 0: no sharding */
    int shard_n;
    char postfix_main_cf[1024]; /* run_plan_user_config(): a user's own Postfix config */
    char postfix_master_cf[1024];
};

/* A cell as laid out: which scenario, variant, MTA and repetition, no room for results. */
struct run_plan_cell {
    const struct scenario *scenario;
    size_t variant;
    enum mta_kind mta;
    int repeat;
    const struct mta_target *target; /* NULL: the host's MTA of kind mta */
};

struct run_plan {
    char **files;
    const char **roots; /* the tree each file's named files must stay in */
    size_t nfiles;
    size_t files_alloc;
    struct scenario *scenarios;   /* nfiles of them, after run_plan_load() */
    struct run_plan_cell *layout; /* ncells, after run_plan_layout() or run_plan_cells() */
    struct run_cell *cells;       /* ncells, after run_plan_cells() only */
    size_t ncells;
    size_t nmatched; /* cells before the shard took its slice */
};

/* run_plan_collect - *.scn under path, added to plan */
int run_plan_collect(struct run_plan *plan, const char *path, struct smtp_error *err);

/* run_plan_load - every file of plan, loaded and checked; each error to say(ctx, text) */
int run_plan_load(struct run_plan *plan, void (*say)(void *ctx, const char *text), void *ctx,
                  struct smtp_error *err);

/* run_plan_layout - the cells of plan's scenarios under p, as plan->layout */
long run_plan_layout(struct run_plan *plan, const struct run_plan_params *p,
                     struct smtp_error *err);

/* run_plan_cells - the same layout, and plan->cells to run and hold their results */
long run_plan_cells(struct run_plan *plan, const struct run_plan_params *p, struct smtp_error *err);

/* run_plan_free - files, scenarios, layout and cells (not what cells hold: run_cell_free()) */
void run_plan_free(struct run_plan *plan);

/*
 * run_plan_key - the key of the instance cell runs on under rp (its user
 * config files; not fresh_instances, which the caller applies): cells
 * with equal keys render the same config. A key that does not fit in
 * size is made unique to the cell.
 */
int run_plan_key(const struct run_cell *cell, const struct run_params *rp, char *key, size_t size,
                 struct smtp_error *err);

/*
 * run_plan_instances - instance[i], for each cell of plan->layout, is the MTA
 * instance run_matrix() would run it on under rp: numbered from 0 in the
 * order of each instance's first cell, one per cell with fresh_instances.
 * A cell whose key is too long to compare gets one of its own; so does one
 * whose key cannot be made (in a run, that instance fails to start), and
 * say(ctx, i, cell_err) hears why (say may be NULL).
 */
long run_plan_instances(const struct run_plan *plan, const struct run_params *rp, size_t *instance,
                        void (*say)(void *ctx, size_t i, const struct smtp_error *cell_err),
                        void *ctx, struct smtp_error *err);

/*
 * run_plan_cell_instances - the same numbering for an array of cells, as
 * run_matrix() batches them (one rule for both: run_plan_instances() calls
 * it on the layout).
 */
long run_plan_cell_instances(const struct run_cell *cells, size_t n, const struct run_params *rp,
                             size_t *instance, struct smtp_error *err);

/*
 * run_plan_user_config - a user's own config: Postfix's directory (its
 * main.cf and master.cf) and Exim's file must be readable; then only the
 * scenarios tagged "policy" run, on that MTA (on both with both), and rp
 * names the files. Either may be NULL. 0, or -1 with err (SMTP_ERR_USAGE).
 */
int run_plan_user_config(const char *postfix_dir, const char *exim_conf,
                         struct run_plan_params *plan, struct run_params *rp,
                         struct smtp_error *err);

/* run_plan_shard - "K/N" with 1 <= K <= N <= RUN_PLAN_CELLS_MAX; 0, or -1 */
int run_plan_shard(const char *text, int *k, int *n);

/* run_plan_swaks - the --compare-swaks summary of cells, one line into buf */
void run_plan_swaks(const struct run_cell *cells, size_t ncells, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif

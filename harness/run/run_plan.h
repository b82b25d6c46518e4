/*++
 * NAME
 *	run_plan 3h
 * SUMMARY
 *	the cells of a run: scenario x variant x MTA, filtered and sharded
 * SYNOPSIS
 *	#include "run_plan.h"
 * DESCRIPTION
 *	run_plan_cells() lays out the matrix run_matrix() runs: for each
 *	repetition, each scenario (only those tagged "policy" with
 *	policy_only), each variant (one when it has none) and each MTA the
 *	scenario allows (only mta_only when that is not -1), a cell whose
 *	name ("scenario/variant/mta") holds filter; then, with shard_n, only
 *	the shard_k-th of every shard_n cells (1-based), so that CI jobs
 *	split one matrix between them.
 *
 *	run_plan_collect() finds the scenario files (*.scn) a run names: a
 *	file as it is, a directory's files one level down, sorted, each
 *	with the tree its own named files must stay in (NULL: the file's
 *	directory). run_plan_load() loads them all and checks each against
 *	the sandbox (run_scenario_check()) and their ids against each other;
 *	it hands every error, formatted and sanitized (it quotes a file, and
 *	what a scenario holds is hostile), to a callback, and goes on, so
 *	that one run shows them all.
 *
 *	run_plan_user_config() points the plan at a user's own config.
 *	run_plan_shard() reads "K/N" for shard_k and shard_n.
 *	run_plan_swaks() sums what --compare-swaks measured over the cells:
 *	the dialogues, relaylab's time (waiting for the sink, which swaks
 *	does not do, apart) and swaks's.
 * DIAGNOSTICS
 *	run_plan_cells() returns the number of cells (0: none matched), or
 *	-1 with err (SMTP_ERR_USAGE) when there are more than max.
 *	run_plan_collect() and run_plan_load() return 0, or -1 (with err
 *	for run_plan_collect(): its message is empty when a file named
 *	after max others is left out).
 *--*/
#ifndef RUN_PLAN_H
#define RUN_PLAN_H

#include <stddef.h>

#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RUN_PLAN_CELLS_MAX 4096 /* cells in one run */
#define RUN_PLAN_FILES_MAX 256  /* scenario files in one run */

struct run_plan_params {
    int repeat;         /* every cell this many times (at least 1) */
    int policy_only;    /* only scenarios tagged "policy" (a user's own config) */
    int mta_only;       /* an enum mta_kind, or -1 for both */
    const char *filter; /* a substring of the cell's name, or NULL */
    int shard_k;        /* 1..shard_n; shard_n 0: no sharding */
    int shard_n;
    char postfix_main_cf[1024]; /* run_plan_user_config(): a user's own Postfix config */
    char postfix_master_cf[1024];
};

/* run_plan_collect - *.scn under path into files (malloc'd) and roots, *n of max so far */
int run_plan_collect(const char *path, char **files, const char **roots, size_t *n, size_t max,
                     struct smtp_error *err);

/* run_plan_load - every file into scenarios (n of them), checked; errors to say(ctx, text) */
int run_plan_load(char *const *files, const char *const *roots, size_t n,
                  struct scenario *scenarios, void (*say)(void *ctx, const char *text), void *ctx);

/* run_plan_cells - the cells of scenarios under p, into cells (max of them) */
long run_plan_cells(const struct scenario *scenarios, size_t nscenarios,
                    const struct run_plan_params *p, struct run_cell *cells, size_t max,
                    struct smtp_error *err);

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

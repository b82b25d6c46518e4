/*++
 * NAME
 *	cli_run 3
 * SUMMARY
 *	relaylab run: the scenario matrix on real Postfix and Exim
 * SYNOPSIS
 *	relaylab run [options] [PATH...]
 * DESCRIPTION
 *	Loads every scenario first (a malformed one stops the run before
 *	anything starts, and nothing is written), builds the matrix
 *	scenario x variant x MTA, runs it in private sandboxes, writes
 *	results/<run-id>/ atomically and points results/latest at it.
 *	With --list it stops before anything starts, and prints the cells
 *	and the MTA instances they would share (cli_run_list).
 *--*/
#include <errno.h>
#include <getopt.h> /* optind */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "template.h"
#include "cli_run_list.h"
#include "cli_run_opt.h"
#include "lint.h"
#include "mta_owner.h"
#include "report_console.h"
#include "report_results.h"
#include "run.h"
#include "run_plan.h"
#include "smtp_sanitize.h"

/* on_progress - "[done/total] cell status", one line (redrawn on a terminal) */

static void on_progress(void *ctx, size_t done, size_t total, const struct run_cell *cell)
{
    const struct cli_run_opts *p = ctx;
    char name[300];

    if (p->quiet)
        return;
    run_cell_name(cell, name, sizeof(name));
    if (p->tty)
        fprintf(stderr, "\r\033[K[%zu/%zu] %-50.50s %s", done, total, name,
                run_status_name(cell->status));
    else
        fprintf(stderr, "[%zu/%zu] %s %s\n", done, total, name, run_status_name(cell->status));
    if (p->tty && done == total)
        fputc('\n', stderr);
}

/* collect_files - the PATH operands (or the default directory) into the plan; -1 to go on */

static int collect_files(const struct cli_run_opts *o, int argc, char **argv, struct run_plan *plan)
{
    static char fallback[4096];
    struct smtp_error err;

    /* No PATH: the shipped scenarios, wherever relaylab is run from. */
    (void)template_scenarios(o->postfix_dir || o->exim_conf ? "policy" : "seed", fallback,
                             sizeof(fallback));
    do {
        if (run_plan_collect(plan, optind < argc ? argv[optind] : fallback, &err) < 0) {
            if (err.msg[0])
                fprintf(stderr, "relaylab run: %s\n", err.msg);
            return CLI_EXIT_USAGE;
        }
    } while (++optind < argc);
    if (plan->nfiles == 0)
        return cli_say(CLI_EXIT_USAGE, "relaylab run: no scenario files (*.scn)\n");
    return -1;
}

/* say - a scenario error on stderr (run_plan_load() formatted and sanitized it) */

static void say(void *ctx, const char *text)
{
    (void)ctx;
    fprintf(stderr, "%s\n", text);
}

/* publish - results/<run-id>/ written whole and results/latest at it, the console; exit code */

static int publish(const char *results_dir, const struct run_cell *cells, size_t ncells,
                   const struct report_meta *meta)
{
    char final[1100], latest[1100], tmp_link[1200];
    struct smtp_error err;

    /* Written whole into a hidden directory, then renamed into place. */
    snprintf(latest, sizeof(latest), "%s/latest", results_dir);
    snprintf(tmp_link, sizeof(tmp_link), "%s/.latest.%s", results_dir, meta->run_id);
    smtp_error_clear(&err);
    if (report_publish_run(results_dir, cells, ncells, meta, final, sizeof(final), &err) == 0) {
        unlink(tmp_link);
        if (symlink(meta->run_id, tmp_link) < 0 || rename(tmp_link, latest) < 0)
            fprintf(stderr, "relaylab run: cannot update %s: %s\n", latest, strerror(errno));
    }
    report_console(stdout, cells, ncells, isatty(1));
    if (err.cls == SMTP_ERR_NONE) {
        printf("results: %s (%.1f s)\n", final, meta->wall_ms / 1000.0);
        return CLI_EXIT_OK;
    }
    /* A report is whole or not at all: nothing partial is renamed into place. */
    fflush(stdout);
    cli_error("run", "results not written (nothing was left in their place)");
    cli_error("run", err.msg);
    return CLI_EXIT_ENV;
}

/* verdict - 1 when a check failed (or an open relay), 3 when a cell could not run, else 0 */

static int verdict(const struct run_cell *cells, size_t ncells)
{
    int rc = CLI_EXIT_OK;
    size_t i;

    for (i = 0; i < ncells; i++) {
        if (cells[i].status == RUN_FAIL || cells[i].status == RUN_OPEN_RELAY)
            rc = CLI_EXIT_CHECK;
        else if (cells[i].status == RUN_ERROR && rc == CLI_EXIT_OK)
            rc = CLI_EXIT_ENV;
    }
    return rc;
}

/*
 * evidence_open - the cells' texts to an unnamed file beside the results
 * (on disk, gone with the process); without one they stay in memory.
 */
static void evidence_open(struct cli_run_opts *o)
{
    struct smtp_error ignored; /* publishing says it, when it finds the same */

    o->rp.evidence = 0;
    if (report_results_dir(o->results_dir, &ignored) < 0)
        return;
    if ((o->rp.evidence_fd = run_evidence_open(o->results_dir)) >= 0)
        o->rp.evidence = 1;
}

static void evidence_close(struct cli_run_opts *o)
{
    if (o->rp.evidence)
        close(o->rp.evidence_fd);
    o->rp.evidence = 0;
}

/*
 * diagnose - --diagnose: after a run with failed cells, what lint finds in
 * the user's config, once under the failures (they name the cells)
 */
static void diagnose(const struct cli_run_opts *o, const struct run_cell *cells, size_t ncells)
{
    const char *configs[2] = {o->postfix_dir, o->exim_conf};
    struct lint_params params = {0};
    size_t i, failed = 0;

    for (i = 0; i < ncells; i++)
        failed += cells[i].status == RUN_FAIL || cells[i].status == RUN_OPEN_RELAY;
    if (!o->diagnose || failed == 0)
        return;
    for (i = 0; i < 2; i++) {
        struct lint_report r = {0};
        struct smtp_error err;
        char shown[SMTP_SANITIZE_SIZE(256)];

        if (configs[i] == NULL)
            continue;
        smtp_sanitize_str(configs[i], shown, sizeof(shown));
        printf("\n--diagnose: relaylab lint %s %s (%zu failed cell%s above):\n",
               i == 0 ? "--postfix-config" : "--exim-config", shown, failed,
               failed == 1 ? "" : "s");
        if (cli_lint_config(i == 0 ? configs[i] : NULL, i == 1 ? configs[i] : NULL, &params, &r,
                            &err) < 0)
            cli_error("run", err.msg);
        else
            cli_lint_print(stdout, &r);
        lint_report_free(&r);
    }
}

/*
 * open_targets - each column's MTA found, its version and users read; a
 * container run first removes what killed runs left. -1 when one is missing.
 */
static int open_targets(struct cli_run_opts *o, struct mta_env *env)
{
    struct smtp_error err;
    size_t i;

    if (geteuid() != 0) {
        cli_error("run", "needs root: private namespaces, and the MTAs' daemons start as root "
                         "(--list needs none)");
        return -1;
    }
    for (i = 0; i < o->ntargets; i++) {
        if (mta_target_open(&o->targets[i], o->runtime, o->engine, mta_env_exim_bin(env), &err) <
            0) {
            cli_error("run", err.msg);
            return -1;
        }
        /* A killed run's leftovers: its containers first, then its directory. */
        if (i == 0 && o->runtime == MTA_RUNTIME_CONTAINER) {
            mta_target_sweep(o->targets[0].engine, 0);
            mta_owner_sweep_dirs();
        }
    }
    return 0;
}

/* run_cells - the cells in private sandboxes, then the report; the exit code */

static int run_cells(struct cli_run_opts *o, struct run_cell *cells, size_t ncells)
{
    struct mta_env_params params;
    struct mta_env *env;
    struct smtp_error err;
    struct report_meta meta = {0};
    char kept[256], run_id[64], started[32];
    time_t now = time(NULL);
    long t0;
    struct tm tm;
    size_t i;
    int rc;

    mta_env_params_default(&params);
    params.keep = o->keep;
    params.share_net = o->shared_network;
    /* docker's service mounts from the host's view; podman runs in ours (the run's tmpfs). */
    params.host_visible =
        o->runtime == MTA_RUNTIME_CONTAINER && mta_target_engine_name_is_service(o->engine);
    if ((rc = cli_env_open("run", &params, &env)) >= 0)
        return rc;
    if (open_targets(o, env) < 0) {
        mta_env_close(env);
        return CLI_EXIT_ENV;
    }
    gmtime_r(&now, &tm);
    strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    strftime(run_id, sizeof(run_id), "%Y%m%dT%H%M%SZ", &tm);
    snprintf(run_id + strlen(run_id), sizeof(run_id) - strlen(run_id), "-%ld", mta_env_host_pid());
    t0 = mta_env_now_ms();
    smtp_error_clear(&err);
    evidence_open(o);
    if (run_matrix(env, cells, ncells, &o->rp, &err) < 0) {
        cli_error("run", err.msg);
        if (o->runtime == MTA_RUNTIME_CONTAINER)
            mta_target_sweep(o->targets[0].engine, 1);
        mta_env_close(env);
        evidence_close(o);
        return CLI_EXIT_ENV;
    }
    /* Before the namespace goes: a container whose removal was under way. */
    if (o->runtime == MTA_RUNTIME_CONTAINER)
        mta_target_sweep(o->targets[0].engine, 1);
    snprintf(kept, sizeof(kept), "%s", mta_env_kept_dir(env) ? mta_env_kept_dir(env) : "");
    meta.run_id = run_id;
    meta.started = started;
    meta.wall_ms = mta_env_now_ms() - t0;
    meta.relaylab_version = RELAYLAB_VERSION;
    rc = publish(o->results_dir, cells, ncells, &meta);
    evidence_close(o);
    mta_env_close(env);
    if (o->rp.compare_swaks) {
        char line[300];

        run_plan_swaks(cells, ncells, line, sizeof(line));
        printf("%s\n", line);
    }
    if (kept[0])
        printf("kept: %s\n", kept);
    diagnose(o, cells, ncells);
    if (rc == CLI_EXIT_OK)
        rc = verdict(cells, ncells);
    for (i = 0; i < ncells; i++)
        run_cell_free(&cells[i]);
    return rc;
}

/* cli_run - "relaylab run" */

int cli_run(int argc, char **argv)
{
    struct run_plan plan = {0};
    struct cli_run_opts o;
    struct smtp_error err;
    long ncells;
    int rc;

    smtp_error_clear(&err);
    if ((rc = cli_run_opt_parse(&o, argc, argv)) >= 0 ||
        (rc = collect_files(&o, argc, argv, &plan)) >= 0)
        goto out;
    o.rp.progress = on_progress;
    o.rp.progress_ctx = &o;
    if (run_plan_user_config(o.postfix_dir, o.exim_conf, &o.plan, &o.rp, &err) < 0) {
        rc = cli_say(CLI_EXIT_USAGE, "relaylab run: %s\n", err.msg);
        goto out;
    }
    /* Every file parses, or nothing runs and nothing is written. */
    if (run_plan_load(&plan, say, NULL, &err) < 0) {
        rc = err.cls == SMTP_ERR_INTERNAL ? cli_say(CLI_EXIT_ENV, "relaylab run: out of memory\n")
                                          : CLI_EXIT_USAGE;
        goto out;
    }
    /* --list needs the layout only, not room for every cell's results. */
    ncells = o.list ? run_plan_layout(&plan, &o.plan, &err) : run_plan_cells(&plan, &o.plan, &err);
    if (ncells < 0) {
        cli_error("run", err.msg);
        rc = err.cls == SMTP_ERR_INTERNAL ? CLI_EXIT_ENV : CLI_EXIT_USAGE;
    } else if (ncells == 0 && plan.nmatched > 0) {
        /* A CI matrix with more shards than cells: this one is simply empty. */
        rc = cli_say(CLI_EXIT_OK, "relaylab run: shard %d/%d of %zu cells holds no cell\n",
                     o.plan.shard_k, o.plan.shard_n, plan.nmatched);
    } else if (ncells == 0) {
        rc = cli_say(CLI_EXIT_USAGE,
                     "relaylab run: no cell to run (check --mta, --filter, --shard)\n");
    } else {
        rc = o.list ? cli_run_list(&plan, &o.plan, &o.rp)
                    : run_cells(&o, plan.cells, (size_t)ncells);
    }
out:
    run_plan_free(&plan);
    return rc < 0 ? CLI_EXIT_OK : rc;
}

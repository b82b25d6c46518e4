/*++
 * NAME
 *	cli_run_opt 3
 * SUMMARY
 *	relaylab run's flags into the plan's and the runner's parameters
 * DESCRIPTION
 *	See cli_run_opt.h. The flags are a table (cli_opt); --shard needs a
 *	handler.
 *--*/
#include <getopt.h> /* required_argument */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_run_opt.h"

/* usage - run's help */

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: relaylab run [options] [PATH...]\n"
            "\n"
            "Runs every scenario (*.scn) in PATH (files or directories; default\n"
            "scenarios/seed) for each of its variants on each MTA, in private sandboxes,\n"
            "and writes results/<run-id>/ (junit.xml, results.json, results.tap,\n"
            "report.html, cells/*/transcript.txt) and results/latest.\n"
            "\n"
            "  -j, --jobs N            MTA instances at once (default 2)\n"
            "      --mta NAME          only postfix or only exim\n"
            "      --filter TEXT       only cells whose scenario/variant/mta holds TEXT\n"
            "      --repeat N          run every cell N times (a flakiness check)\n"
            "      --shard K/N         only the K-th of N slices of the matrix (CI)\n"
            "      --postfix-config DIR  run the scenarios tagged 'policy' against your own\n"
            "                          DIR/main.cf and DIR/master.cf, if there (rewritten\n"
            "                          only where the sandbox must)\n"
            "      --exim-config FILE  the same against your own Exim config (routers go to\n"
            "                          the sink; every rewrite is listed in the transcript)\n"
            "      --diagnose          when a cell fails, print what relaylab lint finds in the\n"
            "                          config given (the line likely to blame, and its fix)\n"
            "      --results DIR       where run directories go (default results)\n"
            "  -q, --quiet             no progress line\n"
            "      --keep              keep the sandboxes' run directory (printed)\n"
            "      --shared-network    the caller's network namespace: 127.0.0.0/8 and ::1\n"
            "                          only; dialogues from elsewhere are not applicable\n"
            "      --compare-swaks     benchmark: after each cell, drive its dialogues with\n"
            "                          swaks too (one process each) and record both times\n"
            "      --list              list the cells (scenario/variant/mta) and the MTA instance\n"
            "                          each runs on, then stop: nothing starts, no root\n"
            "      --fresh             a new MTA instance for every cell (by default cells\n"
            "                          with the same rendered config share one, in turn)\n"
            "      --timeout S         seconds for each step of a dialogue (default 10)\n"
            "      --total-timeout S   seconds for one dialogue (connection; default 60)\n"
            "  -h, --help              this text\n"
            "\n"
            "exit codes: 0 every expectation held, 1 a check failed (or an open relay),\n"
            "2 usage or scenario error (file:line:col, nothing written), 3 environment\n"
            "(an MTA did not start, no root)\n");
}

/* opt_shard - --shard K/N */

static int opt_shard(void *ctx, char *value)
{
    struct run_plan_params *plan = &((struct cli_run_opts *)ctx)->plan;

    if (run_plan_shard(value, &plan->shard_k, &plan->shard_n) < 0)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab: --shard: expected K/N with 1 <= K <= N <= %d, got '%s'\n",
                       RUN_PLAN_CELLS_MAX, value);
    return 0;
}

/* cli_run_opt_parse - see cli_run_opt.h */

int cli_run_opt_parse(struct cli_run_opts *o, int argc, char **argv)
{
    const struct cli_opt opts[] = {
        CLI_NUMBER(CLI_OPT_INT, "jobs", 'j', &o->rp.jobs, 1, 64),
        CLI_CHOICE("mta", required_argument, &o->plan.mta_only, cli_mta_words, cli_mta_values),
        CLI_TEXT("filter", 0, &o->plan.filter),
        CLI_NUMBER(CLI_OPT_INT, "repeat", 0, &o->plan.repeat, 1, 1000),
        CLI_CALL("shard", 0, required_argument, opt_shard),
        CLI_TEXT("postfix-config", 0, &o->postfix_dir),
        CLI_TEXT("exim-config", 0, &o->exim_conf),
        CLI_TEXT("results", 0, &o->results_dir),
        CLI_FLAG("quiet", 'q', &o->quiet),
        CLI_FLAG("keep", 0, &o->keep),
        CLI_FLAG("shared-network", 0, &o->shared_network),
        CLI_FLAG("list", 0, &o->list),
        CLI_FLAG("diagnose", 0, &o->diagnose),
        CLI_FLAG("fresh", 0, &o->rp.fresh_instances),
        CLI_FLAG("compare-swaks", 0, &o->rp.compare_swaks),
        CLI_SECONDS("timeout", &o->rp.step_timeout_ms),
        CLI_SECONDS("total-timeout", &o->rp.total_timeout_ms),
    };

    memset(o, 0, sizeof(*o));
    run_params_default(&o->rp);
    o->plan.repeat = 1;
    o->plan.mta_only = -1;
    o->results_dir = "results";
    o->tty = isatty(2);
    return cli_opt_parse("run", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 0, usage, o);
}

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
#include "mta_target.h"

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
            "      --mta NAME[@RELEASE]  this MTA only; repeat for more columns; with a\n"
            "                          Debian release (bullseye, bookworm, trixie) that\n"
            "                          release's MTA: its root file system (scripts/mta-rootfs)\n"
            "                          or, with --runtime container, its image\n"
            "      --runtime R         namespace (default: contained in relaylab's namespaces)\n"
            "                          or container (relaylab/MTA:RELEASE images,\n"
            "                          scripts/container-setup --build; default release: the\n"
            "                          host's; not with --keep or --shared-network)\n"
            "      --engine E          the container engine: podman (default), docker, or a\n"
            "                          path; docker talks to $DOCKER_HOST, a service that\n"
            "                          takes a network namespace's path (podman's API does,\n"
            "                          dockerd does not)\n"
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

/* opt_mta - --mta KIND[@RELEASE], a column each */

static int opt_mta(void *ctx, char *value)
{
    struct cli_run_opts *o = ctx;
    struct smtp_error err;
    size_t i;

    if (o->ntargets == MTA_TARGETS_MAX)
        return cli_say(CLI_EXIT_USAGE, "relaylab: --mta: at most %d\n", MTA_TARGETS_MAX);
    if (mta_target_parse(value, &o->targets[o->ntargets], &err) < 0)
        return cli_say(CLI_EXIT_USAGE, "relaylab: --mta: %s\n", err.msg);
    for (i = 0; i < o->ntargets; i++)
        if (strcmp(o->targets[i].name, o->targets[o->ntargets].name) == 0)
            return cli_say(CLI_EXIT_USAGE, "relaylab: --mta %s given twice\n", value);
    o->ntargets++;
    return 0;
}

/* opt_runtime - --runtime namespace|container */

static int opt_runtime(void *ctx, char *value)
{
    struct cli_run_opts *o = ctx;

    if (mta_runtime_parse(value, &o->runtime) < 0)
        return cli_say(CLI_EXIT_USAGE, "relaylab: --runtime: namespace or container, not '%.40s'\n",
                       value);
    return 0;
}

/* cli_run_opt_parse - see cli_run_opt.h */

int cli_run_opt_parse(struct cli_run_opts *o, int argc, char **argv)
{
    int rc;
    const struct cli_opt opts[] = {
        CLI_NUMBER(CLI_OPT_INT, "jobs", 'j', &o->rp.jobs, 1, 64),
        CLI_CALL("mta", 0, required_argument, opt_mta),
        CLI_CALL("runtime", 0, required_argument, opt_runtime),
        CLI_TEXT("engine", 0, &o->engine),
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
    rc = cli_opt_parse("run", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), 0, usage, o);
    if (rc >= 0)
        return rc;
    if (o->engine && o->runtime != MTA_RUNTIME_CONTAINER)
        return cli_say(CLI_EXIT_USAGE, "relaylab: --engine goes with --runtime container\n");
    if (o->runtime == MTA_RUNTIME_CONTAINER && (o->shared_network || o->keep))
        return cli_say(CLI_EXIT_USAGE, "relaylab: --runtime container runs in relaylab's own "
                                       "network namespace, without --shared-network or --keep\n");
    /* No --mta: a column per MTA, the host's (or, in containers, the host's release). */
    if (o->ntargets == 0)
        for (int k = 0; k < MTA_KINDS; k++) {
            struct smtp_error err;

            (void)mta_target_parse(mta_kind_name((enum mta_kind)k), &o->targets[o->ntargets++],
                                   &err);
        }
    /* In containers, an MTA without a release is the host's release's (named so for --filter). */
    if (o->runtime == MTA_RUNTIME_CONTAINER)
        for (size_t i = 0; i < o->ntargets; i++)
            if (!o->targets[i].release[0]) {
                mta_target_host_release(o->targets[i].release, sizeof(o->targets[i].release));
                snprintf(o->targets[i].name, sizeof(o->targets[i].name), "%s@%s",
                         mta_kind_name(o->targets[i].kind), o->targets[i].release);
            }
    o->plan.targets = o->targets;
    o->plan.ntargets = o->ntargets;
    return -1;
}

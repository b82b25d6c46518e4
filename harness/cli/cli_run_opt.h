/*++
 * NAME
 *	cli_run_opt 3h
 * SUMMARY
 *	relaylab run's flags into the plan's and the runner's parameters
 * SYNOPSIS
 *	#include "cli_run_opt.h"
 * DESCRIPTION
 *	cli_run_opt_parse() turns run's command line, up to its first
 *	PATH, into a struct cli_run_opts: what the plan takes (--mta,
 *	--filter, --repeat, --shard), what the runner takes (--jobs,
 *	--fresh, the time-outs) and what only the command needs. "--help"
 *	prints run's usage, which lists them all.
 * DIAGNOSTICS
 *	-1 to go on (optind at the first PATH), else the exit code (the
 *	message printed).
 *--*/
#ifndef CLI_RUN_OPT_H
#define CLI_RUN_OPT_H

#include "mta_target.h"
#include "run_plan.h"

struct cli_run_opts {
    struct run_plan_params plan;
    struct run_params rp;
    const char *postfix_dir, *exim_conf, *results_dir;
    int keep;
    int shared_network; /* --shared-network: the caller's network namespace */
    int list;     /* --list: the cells and their instances; nothing starts */
    int diagnose; /* --diagnose: lint's findings for the config when a cell fails */
    int quiet;    /* no progress line */
    int tty;      /* stderr is a terminal: redraw the progress line */
    struct mta_target targets[MTA_TARGETS_MAX]; /* the columns (--mta) */
    size_t ntargets;
    enum mta_runtime runtime; /* --runtime */
    const char *engine;       /* --engine */
};

/* cli_run_opt_parse - argv into o (run_params_default() first); -1 to go on */
int cli_run_opt_parse(struct cli_run_opts *o, int argc, char **argv);

#endif

/*++
 * NAME
 *	cli_run_list 3h
 * SUMMARY
 *	relaylab run --list: the plan, printed instead of run
 * SYNOPSIS
 *	#include "cli_run_list.h"
 * DESCRIPTION
 *	cli_run_list() prints, on standard output, a line for each cell of
 *	a laid-out plan, "scenario/variant/mta instance N" ("#R" after the
 *	name for a repetition past the first), N numbering the MTA
 *	instances as the run would start them (run_plan_instances()), and
 *	a summary line: cells, instances, the shard's slice and the
 *	scenarios loaded. Nothing starts, nothing is written.
 *
 *	Names need no sanitizing: scenario ids and variant names are
 *	[a-z0-9-] (the parser's rule), MTA names are relaylab's own.
 * DIAGNOSTICS
 *	The exit code: 0; 3 when out of memory or standard output cannot
 *	be written. A cell whose config cannot be made (its run would fail
 *	to start that instance) is still listed, with the reason on stderr.
 *--*/
#ifndef CLI_RUN_LIST_H
#define CLI_RUN_LIST_H

#include "run_plan.h"

/* cli_run_list - plan's cells under p and rp, and their instances; the exit code */
int cli_run_list(const struct run_plan *plan, const struct run_plan_params *p,
                 const struct run_params *rp);

#endif

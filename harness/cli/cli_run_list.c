/*++
 * NAME
 *	cli_run_list 3
 * SUMMARY
 *	relaylab run --list: the plan, printed instead of run
 * DESCRIPTION
 *	See cli_run_list.h.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_run_list.h"

#define S(n) ((n) == 1 ? "" : "s") /* a plural's ending */

/* cell_name - "scenario/variant/mta", and "#R" for repetition R > 1 */

static void cell_name(const struct run_plan_cell *cell, char *buf, size_t size)
{
    static struct run_cell named; /* run_cell_name()'s fields only (3.5 KB, not per cell) */
    size_t len;

    named.scenario = cell->scenario;
    named.variant = cell->variant;
    named.mta = cell->mta;
    named.target = cell->target;
    run_cell_name(&named, buf, size);
    len = strlen(buf);
    if (cell->repeat > 0 && len < size)
        snprintf(buf + len, size - len, "#%d", cell->repeat + 1);
}

/* key_error - a cell whose config cannot be made: why, on stderr */

static void key_error(void *ctx, size_t i, const struct smtp_error *cell_err)
{
    const struct run_plan *plan = ctx;
    char name[300], msg[sizeof(name) + sizeof(cell_err->msg) + 64];

    cell_name(&plan->layout[i], name, sizeof(name));
    snprintf(msg, sizeof(msg), "%s: its MTA instance would not start: %s", name, cell_err->msg);
    cli_error("run", msg); /* sanitized: the message quotes a file name */
}

/* cli_run_list - see cli_run_list.h */

/* scenarios_in - how many of the plan's scenarios have a cell in it (after --filter, --shard) */

static size_t scenarios_in(const struct run_plan *plan)
{
    unsigned char *seen = calloc(plan->nfiles ? plan->nfiles : 1, 1);
    size_t i, n = 0;

    if (seen == NULL)
        return plan->nfiles; /* out of memory: the upper bound */
    for (i = 0; i < plan->ncells; i++) {
        size_t k = (size_t)(plan->layout[i].scenario - plan->scenarios);

        if (k < plan->nfiles && !seen[k]) {
            seen[k] = 1;
            n++;
        }
    }
    free(seen);
    return n;
}

int cli_run_list(const struct run_plan *plan, const struct run_plan_params *p,
                 const struct run_params *rp)
{
    size_t *instance = calloc(plan->ncells ? plan->ncells : 1, sizeof(*instance));
    struct smtp_error err;
    char name[300], slice[96] = "";
    long ninstances;
    size_t i;

    if (instance == NULL)
        return cli_say(CLI_EXIT_ENV, "relaylab run: out of memory\n");
    if ((ninstances = run_plan_instances(plan, rp, instance, key_error, (void *)plan, &err)) < 0) {
        free(instance);
        return cli_say(CLI_EXIT_ENV, "relaylab run: out of memory\n");
    }
    for (i = 0; i < plan->ncells; i++) {
        cell_name(&plan->layout[i], name, sizeof(name));
        printf("%s instance %zu\n", name, instance[i] + 1);
    }
    free(instance);
    if (p->shard_n > 0)
        snprintf(slice, sizeof(slice), " (shard %d/%d of %zu cells)", p->shard_k, p->shard_n,
                 plan->nmatched);
    printf("%zu cell%s%s on %ld MTA instance%s, from %zu of %zu scenario%s; nothing started\n",
           plan->ncells, S(plan->ncells), slice, ninstances, S(ninstances), scenarios_in(plan),
           plan->nfiles, S(plan->nfiles));
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_say(CLI_EXIT_ENV, "relaylab run: --list: cannot write: %s\n", strerror(errno));
    return CLI_EXIT_OK;
}

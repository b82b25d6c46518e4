/*++
 * NAME
 *	cli_env 3
 * SUMMARY
 *	the sandbox environment for run, fuzz and sandbox
 * SYNOPSIS
 *	#include "cli.h"
 *
 *	int	cli_env_open(cmd, params, env)
 * DESCRIPTION
 *	cli_env_open() isolates the process (mta_env_isolate(): private
 *	namespaces, a fork) and opens the environment in the isolated
 *	child. The original process only waits for the child and exits
 *	with its status.
 * DIAGNOSTICS
 *	-1 in the isolated child with *env open (the caller goes on), else
 *	the exit code: the child's, or CLI_EXIT_ENV with the error printed
 *	as "relaylab CMD: MSG".
 *--*/
#include "cli.h"
#include "mta_env.h"

/* cli_env_open - isolated and open; -1 to go on, else the exit code */

int cli_env_open(const char *cmd, const struct mta_env_params *params, struct mta_env **env)
{
    struct smtp_error err;
    long child;

    smtp_error_clear(&err);
    if ((child = mta_env_isolate(params, &err)) < 0) {
        cli_error(cmd, err.msg);
        return CLI_EXIT_ENV;
    }
    if (child > 0)
        return mta_env_wait_isolated(child);
    if ((*env = mta_env_open(params, &err)) == NULL) {
        cli_error(cmd, err.msg);
        return CLI_EXIT_ENV;
    }
    return -1;
}

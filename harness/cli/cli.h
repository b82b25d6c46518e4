/*++
 * NAME
 *	cli 3h
 * SUMMARY
 *	relaylab subcommands and exit codes
 * DESCRIPTION
 *	Exit codes shared by every subcommand (README, relaylab(1)):
 *	0 all passed, 1 a check failed, 2 usage or input error,
 *	3 environment error. "send" adds codes per failing stage.
 *--*/
#ifndef CLI_H
#define CLI_H

#define CLI_EXIT_OK 0
#define CLI_EXIT_CHECK 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_ENV 3

/* cli_send - "relaylab send" */
int cli_send(int argc, char **argv);

/* cli_certs - "relaylab certs" */
int cli_certs(int argc, char **argv);

/* cli_sandbox - "relaylab sandbox" */
int cli_sandbox(int argc, char **argv);

/* cli_run - "relaylab run" */
int cli_run(int argc, char **argv);

/* cli_fuzz - "relaylab fuzz" */
int cli_fuzz(int argc, char **argv);

/* cli_error - "relaylab CMD: MSG" on stderr, MSG through smtp_sanitize */
void cli_error(const char *cmd, const char *msg);

#endif

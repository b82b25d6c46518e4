/*++
 * NAME
 *	cli 3h
 * SUMMARY
 *	relaylab subcommands and exit codes
 * DESCRIPTION
 *	Exit codes shared by every subcommand (README, relaylab(1)):
 *	0 all passed, 1 a check failed, 2 usage or input error,
 *	3 environment error. "send" adds codes per failing stage.
 *
 *	RELAYLAB_VERSION, the version --version and results.json give, is
 *	CMake's project(VERSION), defined for the relaylab binary only.
 *--*/
#ifndef CLI_H
#define CLI_H

#ifndef RELAYLAB_VERSION
#error "CMakeLists.txt defines RELAYLAB_VERSION, from project(relaylab VERSION ...)"
#endif

#define CLI_EXIT_OK 0
#define CLI_EXIT_CHECK 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_ENV 3

/*
 * cli_number - a numeric option's value in [min, max]; else prints
 * "relaylab: FLAG: expected MIN..MAX, got 'TEXT'" and returns -1
 * (the caller exits CLI_EXIT_USAGE).
 */
int cli_number(const char *flag, const char *text, long long min, long long max, long long *out);

/* cli_number_unsigned - the same for [0, max] */
int cli_number_unsigned(const char *flag, const char *text, unsigned long long max,
                        unsigned long long *out);

/* cli_seconds - a time option in seconds ("2.5"), 0.001..86400, into ms; else a message and -1 */
int cli_seconds(const char *flag, const char *text, long *ms);

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

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

#include <stddef.h>
#include <stdio.h>

#define CLI_OPT_MAX 32 /* options in one table */

enum cli_opt_kind {
    CLI_OPT_FLAG,    /* int *: 1 */
    CLI_OPT_TEXT,    /* const char **: the value */
    CLI_OPT_INT,     /* int *: cli_number in [min, max] */
    CLI_OPT_LONG,    /* long *: the same */
    CLI_OPT_SIZE,    /* size_t *: the same */
    CLI_OPT_ULONG,   /* unsigned long *: cli_number_unsigned in [0, max] */
    CLI_OPT_SECONDS, /* long *: milliseconds, cli_seconds */
    CLI_OPT_CALL,    /* call(ctx, value): 0, or an exit code */
    CLI_OPT_CHOICE,  /* int *: values[i] for words[i] (no value: values[0]) */
};

struct cli_opt {
    const char *name; /* the long name, without "--"; messages say "--NAME" */
    int short_name;   /* 0: none */
    int has_arg;      /* getopt's no_argument, required_argument, optional_argument */
    enum cli_opt_kind kind;
    void *dest;
    long long min, max;
    int (*call)(void *ctx, char *value);
    const char *const *words; /* CHOICE: NULL-terminated; else "relaylab CMD: --NAME is A or B" */
    const int *values;
};

/* Table rows: CLI_FLAG("tls", 0, &tls), CLI_NUMBER(CLI_OPT_INT, "jobs", 'j', &jobs, 1, 64), ... */
#define CLI_ROW(n, s, a, k, d, ...)                                                                \
    {                                                                                              \
        .name = (n), .short_name = (s), .has_arg = (a), .kind = (k), .dest = (d), __VA_ARGS__      \
    }
#define CLI_FLAG(n, s, d) CLI_ROW(n, s, no_argument, CLI_OPT_FLAG, d, .min = 0)
#define CLI_TEXT(n, s, d) CLI_ROW(n, s, required_argument, CLI_OPT_TEXT, d, .min = 0)
#define CLI_SECONDS(n, d) CLI_ROW(n, 0, required_argument, CLI_OPT_SECONDS, d, .min = 0)
#define CLI_NUMBER(k, n, s, d, lo, hi)                                                             \
    CLI_ROW(n, s, required_argument, k, d, .min = (lo), .max = (hi))
#define CLI_CALL(n, s, a, fn) CLI_ROW(n, s, a, CLI_OPT_CALL, NULL, .call = (fn))
#define CLI_CHOICE(n, a, d, w, v) CLI_ROW(n, 0, a, CLI_OPT_CHOICE, d, .words = (w), .values = (v))

/* cli_mta_words, cli_mta_values - --mta postfix|exim as a CHOICE */
extern const char *const cli_mta_words[];
extern const int cli_mta_values[];

#define CLI_OPT_IN_ORDER 1 /* stop at the first operand (COMMAND keeps its own flags) */
#define CLI_OPT_SWAKS 2    /* "unknown option", "X needs an argument" */

/*
 * cli_opt_parse - argv through the table, "-h"/"--help" included; -1 to
 * go on (optind at the first operand), else the exit code (messages printed)
 */
int cli_opt_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts, size_t nopts,
                  int flags, void (*usage)(FILE *), void *ctx);

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

struct mta_env;
struct mta_env_params;

/* cli_env_open - the isolated, opened sandbox environment; -1 to go on, else the exit code */
int cli_env_open(const char *cmd, const struct mta_env_params *params, struct mta_env **env);

/* cli_audit - "relaylab audit" */
int cli_audit(int argc, char **argv);

/* cli_probe - "relaylab probe" */
int cli_probe(int argc, char **argv);

/* cli_send - "relaylab send" */
int cli_send(int argc, char **argv);

struct engine_send_outcome;

/* cli_send_exit - send's exit code for a dialogue's outcome: the stage refused, or the failure */
int cli_send_exit(const struct engine_send_outcome *out);

/* cli_certs - "relaylab certs" */
int cli_certs(int argc, char **argv);

/* cli_sandbox - "relaylab sandbox" */
int cli_sandbox(int argc, char **argv);

/* cli_run - "relaylab run" */
int cli_run(int argc, char **argv);

/* cli_fuzz - "relaylab fuzz" */
int cli_fuzz(int argc, char **argv);

/* cli_lint - "relaylab lint" */
int cli_lint(int argc, char **argv);

struct lint_params;
struct lint_report;
struct smtp_error;

/* cli_lint_config - lint the Postfix directory or else the Exim file, findings sorted; 0 or -1 */
int cli_lint_config(const char *postfix_dir, const char *exim_conf,
                    const struct lint_params *params, struct lint_report *r,
                    struct smtp_error *err);

/* cli_lint_print - "FILE:LINE: [id] why", its line and fix, for each finding; a count */
void cli_lint_print(FILE *fp, const struct lint_report *r);

/* cli_error - "relaylab CMD: MSG" on stderr, MSG through smtp_sanitize */
void cli_error(const char *cmd, const char *msg);

/* cli_say - a message on stderr as it is; returns rc (return cli_say(CLI_EXIT_USAGE, ...)) */
int cli_say(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

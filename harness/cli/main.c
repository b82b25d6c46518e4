/*++
 * NAME
 *	relaylab 1
 * SUMMARY
 *	SMTP relay test harness and fuzzer
 * SYNOPSIS
 *	relaylab COMMAND [options]
 * DESCRIPTION
 *	Dispatches to a subcommand from a table. Only main-level code
 *	prints and chooses exit codes.
 *--*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "smtp_sanitize.h"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand commands[] = {
    {"run", cli_run, "run scenarios on real Postfix and Exim, write results/"},
    {"send", cli_send, "run one SMTP dialogue from flags (swaks-style)"},
    {"audit", cli_audit, "audit your Postfix or Exim config for open-relay holes"},
    {"probe", cli_probe, "try the audit's relay attempts on a live server, at RCPT level"},
    {"fuzz", cli_fuzz, "fuzz a live MTA's relay decisions with mutated dialogues"},
    {"lint", cli_lint, "check a Postfix or Exim config for relay problems, statically"},
    {"sandbox", cli_sandbox, "stand up a private Postfix or Exim with a capture sink"},
    {"certs", cli_certs, "write a throwaway test CA and server certificate"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* cli_error - "relaylab CMD: MSG" on stderr, MSG sanitized: it may quote an MTA's log */

void cli_error(const char *cmd, const char *msg)
{
    char clean[SMTP_SANITIZE_SIZE(1024)];

    smtp_sanitize_str(msg, clean, sizeof(clean));
    fprintf(stderr, "relaylab %s: %s\n", cmd, clean);
}

/* cli_say - a message on stderr as it is, and rc */

int cli_say(int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    return rc;
}

/* usage - top-level help */

static void usage(FILE *fp)
{
    size_t i;

    fprintf(fp, "usage: relaylab COMMAND [options]\n\ncommands:\n");
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n'relaylab COMMAND --help' describes each command.\n"
                "exit codes: 0 all passed, 1 a check failed, 2 usage or input error,\n"
                "            3 environment error; 'send' adds codes per stage.\n");
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("relaylab %s\n", RELAYLAB_VERSION);
        return CLI_EXIT_OK;
    }
    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "relaylab: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}

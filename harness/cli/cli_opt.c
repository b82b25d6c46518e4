/*++
 * NAME
 *	cli_opt 3
 * SUMMARY
 *	command line options from a table
 * SYNOPSIS
 *	#include "cli.h"
 *
 *	int	cli_opt_parse(cmd, argc, argv, opts, nopts, flags, usage, ctx)
 * DESCRIPTION
 *	Every subcommand describes its options as a table: the long name,
 *	the short letter, whether it takes a value, and what to do with it
 *	(set a flag, keep the text, check a number through cli_number or
 *	cli_seconds, pick one of a few words, or call a handler). A word
 *	not among them prints "relaylab CMD: --NAME is A, B or C". "-h" and "--help" print usage on
 *	stdout. An unknown option prints "relaylab CMD: bad option 'X'"
 *	and usage on stderr; with CLI_OPT_SWAKS, "unknown option 'X'", and
 *	a missing value "relaylab CMD: X needs an argument" (relaylab
 *	send's wording).
 * DIAGNOSTICS
 *	-1 to go on (optind is at the first operand), else the exit code.
 *--*/
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mta.h"

const char *const cli_mta_words[] = {"postfix", "exim", NULL};
const int cli_mta_values[] = {MTA_POSTFIX, MTA_EXIM};

/* choice - a CHOICE option's word; 0, or a message and CLI_EXIT_USAGE */

static int choice(const char *cmd, const struct cli_opt *o, const char *arg)
{
    size_t i;

    for (i = 0; o->words[i]; i++)
        if (arg == NULL || strcmp(arg, o->words[i]) == 0) {
            *(int *)o->dest = o->values[i];
            return 0;
        }
    fprintf(stderr, "relaylab %s: --%s is ", cmd, o->name);
    for (i = 0; o->words[i]; i++)
        fprintf(stderr, "%s%s", i == 0 ? "" : o->words[i + 1] ? ", " : " or ", o->words[i]);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

/* apply - one option's value into its destination; 0, or an exit code */

static int apply(const char *cmd, const struct cli_opt *o, char *arg, void *ctx)
{
    char flag[64];
    long long num;
    unsigned long long unum;

    snprintf(flag, sizeof(flag), "--%s", o->name);
    switch (o->kind) {
    case CLI_OPT_FLAG:
        *(int *)o->dest = 1;
        return 0;
    case CLI_OPT_TEXT:
        *(const char **)o->dest = arg;
        return 0;
    case CLI_OPT_SECONDS:
        return cli_seconds(flag, arg, (long *)o->dest) < 0 ? CLI_EXIT_USAGE : 0;
    case CLI_OPT_ULONG:
        if (cli_number_unsigned(flag, arg, (unsigned long long)o->max, &unum) < 0)
            return CLI_EXIT_USAGE;
        *(unsigned long *)o->dest = (unsigned long)unum;
        return 0;
    case CLI_OPT_CALL:
        return o->call(ctx, arg);
    case CLI_OPT_CHOICE:
        return choice(cmd, o, arg);
    default:
        break;
    }
    if (cli_number(flag, arg, o->min, o->max, &num) < 0)
        return CLI_EXIT_USAGE;
    if (o->kind == CLI_OPT_INT)
        *(int *)o->dest = (int)num;
    else if (o->kind == CLI_OPT_LONG)
        *(long *)o->dest = (long)num;
    else
        *(size_t *)o->dest = (size_t)num;
    return 0;
}

/* cli_opt_parse - argv through the table; -1 to go on, else the exit code */

int cli_opt_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts, size_t nopts,
                  int flags, void (*usage)(FILE *), void *ctx)
{
    struct option longopts[CLI_OPT_MAX + 2];
    char shortopts[3 * CLI_OPT_MAX + 8];
    size_t used, i;
    int ch, rc;

    if (nopts > CLI_OPT_MAX)
        return CLI_EXIT_ENV;
    used = (size_t)snprintf(shortopts, sizeof(shortopts), "%s%sh",
                            flags & CLI_OPT_IN_ORDER ? "+" : "", flags & CLI_OPT_SWAKS ? ":" : "");
    for (i = 0; i < nopts; i++) {
        longopts[i] = (struct option){opts[i].name, opts[i].has_arg, 0,
                                      opts[i].short_name ? opts[i].short_name : 256 + (int)i};
        if (opts[i].short_name)
            used += (size_t)snprintf(shortopts + used, sizeof(shortopts) - used, "%c%s",
                                     opts[i].short_name,
                                     opts[i].has_arg == required_argument   ? ":"
                                     : opts[i].has_arg == optional_argument ? "::"
                                                                            : "");
    }
    longopts[i++] = (struct option){"help", no_argument, 0, 'h'};
    longopts[i] = (struct option){0, 0, 0, 0};
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const struct cli_opt *o = NULL;

        if (ch >= 256)
            o = &opts[ch - 256];
        for (i = 0; o == NULL && ch != 'h' && ch != ':' && ch != '?' && i < nopts; i++)
            if (opts[i].short_name == ch)
                o = &opts[i];
        if (o) {
            if ((rc = apply(cmd, o, optarg, ctx)) != 0)
                return rc;
        } else if (ch == 'h') {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (ch == ':') {
            fprintf(stderr, "relaylab %s: %s needs an argument\n", cmd, argv[optind - 1]);
            return CLI_EXIT_USAGE;
        } else {
            fprintf(stderr, "relaylab %s: %s option '%s'\n", cmd,
                    flags & CLI_OPT_SWAKS ? "unknown" : "bad", argv[optind - 1]);
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    return -1;
}

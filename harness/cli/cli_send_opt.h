/*++
 * NAME
 *	cli_send_opt 3h
 * SUMMARY
 *	relaylab send's flags into engine_send's parameters
 * SYNOPSIS
 *	#include "cli_send_opt.h"
 * DESCRIPTION
 *	cli_send_opt_parse() turns send's command line into a struct
 *	cli_send_opts: engine_send's parameters and what only the command
 *	needs (output, the --data file, the CA file, --show-cert,
 *	--interactive). With --interactive the flags' dialogue stops after
 *	the banner, after STARTTLS and EHLO (--tls), after AUTH (--auth), or
 *	where --quit-after says, and the dialogue's time limit is a day
 *	unless --total-timeout says otherwise. The flags are spelled
 *	like swaks's wherever swaks has the same thing, so habits carry
 *	over; "--help" prints send's usage, which lists them all.
 * DIAGNOSTICS
 *	-1 to go on, else the exit code (the message printed).
 *--*/
#ifndef CLI_SEND_OPT_H
#define CLI_SEND_OPT_H

#include "engine_send.h"

/* --interactive: the whole session's time limit unless --total-timeout, and its transcript's size
 */
#define CLI_SEND_TALK_TOTAL_MS (86400L * 1000)
#define CLI_SEND_TALK_TRANSCRIPT_MAX (64UL << 20)

/* What the flags say beyond engine_send's parameters. */
struct cli_send_opts {
    struct engine_send_params p;
    const char *port;      /* --port, checked after --server */
    const char *ca_file;   /* --tls-ca-path */
    const char *data_file; /* --data */
    int json;
    int silent;
    int show_cert;      /* --show-cert */
    int interactive;    /* --interactive */
    int quit_after_set; /* --quit-after given */
    int argc;           /* for --auth's following word */
    char **argv;
};

/* cli_send_opt_parse - argv into o (engine_send_params_default() first); -1 to go on */
int cli_send_opt_parse(struct cli_send_opts *o, int argc, char **argv);

#endif

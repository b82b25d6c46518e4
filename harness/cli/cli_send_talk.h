/*++
 * NAME
 *	cli_send_talk 3h
 * SUMMARY
 *	relaylab send --interactive: an SMTP session typed on stdin
 * SYNOPSIS
 *	#include "cli_send_talk.h"
 * DESCRIPTION
 *	cli_send_talk() opens the session as send's flags say
 *	(engine_send_open()), then reads stdin a line at a time and hands
 *	each to engine_talk, printing what it added to the transcript
 *	(sanitized, AUTH secrets redacted) as it goes, and the server's
 *	certificates when TLS comes up and chain is not NULL (--show-cert).
 *	A line refused is said on stderr, with its number, and not sent.
 * DIAGNOSTICS
 *	The exit code: 0 when the session ended with QUIT or the end of
 *	input, 2 when a line was refused, else send's code for what broke
 *	(4 to 7) or for the opening stage the server refused (21 to 24).
 *--*/
#ifndef CLI_SEND_TALK_H
#define CLI_SEND_TALK_H

#include "cli_send_opt.h"

/* cli_send_talk - the session; the exit code */
int cli_send_talk(const struct cli_send_opts *o, const struct smtp_tls_chain *chain);

#endif

/*++
 * NAME
 *	engine_talk 3h
 * SUMMARY
 *	an SMTP session a person types (relaylab send --interactive)
 * SYNOPSIS
 *	#include "engine_talk.h"
 * DESCRIPTION
 *	openssl s_client -starttls smtp, but SMTP-aware. Over an engine whose
 *	connection is open (engine_send_open()), engine_talk_line() takes
 *	one line a person typed and sends it as one command, reading its
 *	reply into the engine's transcript:
 *
 *	A command goes as it was typed (ENGINE_TYPED); its transcript line
 *	shows an AUTH initial response, and every line after a 334 (a SASL
 *	response), as SMTP_TRANSCRIPT_REDACTED (smtp_transcript_redact(),
 *	RFC 4954 4). "STARTTLS" starts TLS after its 220 (RFC 3207) and
 *	"QUIT" ends the session after its reply.
 *
 *	After a 354 the lines are the message (RFC 5321 4.1.1.4) until one
 *	that is a single "."; the message then goes with a leading "."
 *	doubled (RFC 5321 4.5.2) and the reply to the final dot is read.
 *
 *	A line starting with "." outside a message is relaylab's own:
 *	".auth MECH USER PASSWORD" (AUTH PLAIN, LOGIN or CRAM-MD5 made by
 *	smtp_sasl, redacted), ".starttls" (as STARTTLS), ".help".
 *
 *	After an AUTH the server refused (neither 334 nor 2xx), a line of
 *	base64 alone is refused, not sent: the server asked for no response,
 *	and the credentials would go, and show, as a command (the usual
 *	case: AUTH typed before STARTTLS, on a server that offers it only
 *	after).
 *
 *	A line is refused, not sent, when it is longer than SMTP allows (RFC
 *	5321 4.5.3.1.4: a command line is 512 octets with its CRLF; 4.5.3.1.6:
 *	a text line, a message line or a SASL response, 1000) or when it holds
 *	NUL or another control byte (a tab only in a message line): a line
 *	typed is one line, never a way to smuggle a second command.
 *
 *	engine_talk_end() is the end of input: QUIT, or, inside a message,
 *	the message dropped (it was never ended) and the connection closed.
 * DIAGNOSTICS
 *	engine_talk_line() and engine_talk_end() return ENGINE_TALK_OK,
 *	ENGINE_TALK_HELP, ENGINE_TALK_REFUSED (engine_talk_error() says why:
 *	SMTP_ERR_USAGE) or ENGINE_TALK_OVER (the session ended: after QUIT
 *	with engine_talk_error() empty, else with the engine's error record:
 *	the server hung up, said 421, timed out, broke the protocol or TLS).
 *--*/
#ifndef ENGINE_TALK_H
#define ENGINE_TALK_H

#include <stddef.h>

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ENGINE_TALK_COMMAND_MAX 510               /* RFC 5321 4.5.3.1.4: 512 with CRLF */
#define ENGINE_TALK_TEXT_MAX 998                  /* RFC 5321 4.5.3.1.6: 1000 with CRLF */
#define ENGINE_TALK_BODY_MAX (10L << 20)          /* bytes of a typed message */
#define ENGINE_TALK_LINE_MAX ENGINE_TALK_TEXT_MAX /* the longest line any mode takes */

enum engine_talk_mode {
    ENGINE_TALK_COMMAND = 0, /* a line is a command */
    ENGINE_TALK_SASL,        /* the last reply was 334: a line is a SASL response */
    ENGINE_TALK_MESSAGE,     /* after 354: a line is the message's, "." ends it */
    ENGINE_TALK_ENDED,       /* the session is over */
};

enum engine_talk_result {
    ENGINE_TALK_OK = 0,  /* sent and answered, or a message line kept */
    ENGINE_TALK_HELP,    /* ".help": the caller shows what engine_talk_help() says */
    ENGINE_TALK_REFUSED, /* not sent; engine_talk_error() says why; the session goes on */
    ENGINE_TALK_OVER,    /* the session ended */
};

struct engine_talk;

/* engine_talk_new - a session over e (not taken: free it after); NULL when out of memory */
struct engine_talk *engine_talk_new(struct engine *e);

void engine_talk_free(struct engine_talk *t);

/* engine_talk_line - one typed line, len bytes, without its line end */
enum engine_talk_result engine_talk_line(struct engine_talk *t, const char *line, size_t len);

/* engine_talk_overlong - a line of len bytes the caller could not hold: refused as too long */
enum engine_talk_result engine_talk_overlong(struct engine_talk *t, size_t len);

/* engine_talk_end - the end of input */
enum engine_talk_result engine_talk_end(struct engine_talk *t);

/* engine_talk_mode - what the next line will be */
enum engine_talk_mode engine_talk_mode(const struct engine_talk *t);

/* engine_talk_error - why the last line was refused, or why the session ended */
const struct smtp_error *engine_talk_error(const struct engine_talk *t);

/* engine_talk_help - the local commands, one per line */
const char *engine_talk_help(void);

#ifdef __cplusplus
}
#endif
#endif

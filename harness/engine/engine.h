/*++
 * NAME
 *	engine 3h
 * SUMMARY
 *	the dialogue engine: steps in, replies and verdicts out
 * SYNOPSIS
 *	#include "engine.h"
 * DESCRIPTION
 *	One engine drives the SMTP dialogues of one unit of work (relaylab
 *	send's dialogue, a scenario cell's dialogues, one fuzzed dialogue)
 *	for every front end: send, run and fuzz build steps, the engine runs
 *	them on the client (smtp_client) and answers each with a verdict and
 *	the reply, kept in one place (engine_last()) for the caller's own
 *	checks. It knows nothing of scenarios, MTAs or exit codes.
 *
 *	Every connection of an engine writes into one transcript, and so do
 *	the caller's notes (engine_note()), in the order they happened;
 *	secrets never enter it (the client redacts AUTH).
 *
 *	Verdicts: ENGINE_OK, the step ran and its reply met the step's
 *	expectation (or it had none); ENGINE_REFUSED, the server said no (a
 *	reply that did not meet the expectation, a capability the step needs
 *	not offered, an envelope without a MAIL, a RCPT or a DATA accepted);
 *	ENGINE_BROKEN, the dialogue broke (connect, time-out, TLS, protocol
 *	violation). The error record of engine_last() says which and why,
 *	with the reply through smtp_sanitize() (smtp_error_set_reply()).
 *--*/
#ifndef ENGINE_H
#define ENGINE_H

#include <stddef.h>

#include "smtp_client.h"
#include "smtp_error.h"
#include "smtp_transcript.h"
#include "smtp_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ENGINE_TEXT_MAX 512 /* the reply text kept for expectations */

enum engine_op {
    ENGINE_CONNECT,  /* tcp: connect (and TLS at once for implicit_tls); no reply read */
    ENGINE_READ,     /* read one reply (the banner, or after ENGINE_SEND) */
    ENGINE_EHLO,     /* arg: the name; helo_fallback: HELO after 500/502 */
    ENGINE_HELO,     /* arg: the name */
    ENGINE_STARTTLS, /* RFC 3207 */
    ENGINE_AUTH,     /* mech (0: the first offered of PLAIN, LOGIN, CRAM-MD5), user, pass */
    ENGINE_MAIL,     /* arg: the reverse-path, "" for <> */
    ENGINE_RCPT,     /* arg: the forward-path */
    ENGINE_DATA,     /* DATA; after 354, body (the reply to the final dot is the step's) */
    ENGINE_MESSAGE,  /* body after a 354 the caller saw */
    ENGINE_ENVELOPE, /* MAIL arg, rcpts, DATA (with_data); one group with PIPELINING */
    ENGINE_RSET,
    ENGINE_NOOP,
    ENGINE_QUIT,
    ENGINE_RAW,   /* arg: one line of the caller's, CRLF added; one reply */
    ENGINE_SEND,  /* body, len: bytes as they are; no reply read */
    ENGINE_TYPED, /* arg: a line a person typed, as ENGINE_RAW; AUTH secrets redacted */
};

enum engine_verdict { ENGINE_OK = 0, ENGINE_REFUSED, ENGINE_BROKEN };

/* What a reply must be: S: CODE [ENH] ["text"]. */
struct engine_expect {
    int code;             /* exact, or the class digit with code_class */
    int code_class;       /* 1: code is a class (2 = any 2xx) */
    const char *enhanced; /* RFC 3463 code, or NULL */
    const char *text;     /* substring of the reply, case-blind, or NULL */
};

struct engine_step {
    enum engine_op op;
    const char *name; /* for error records ("rcpt", "banner"); NULL: the op's */
    const char *arg;
    const struct smtp_tcp_params *tcp;
    unsigned mech;
    const char *user, *pass;
    const char *const *rcpts;
    size_t nrcpts;
    int with_data;
    const char *body;
    size_t len;
    int helo_fallback;                  /* EHLO: HELO after 500 or 502 (RFC 5321 4.1.4) */
    int need_offered;                   /* STARTTLS, AUTH: refused, not sent, when not offered */
    const struct engine_expect *expect; /* NULL: any reply will do */
    int *codes; /* ENVELOPE: MAIL, each RCPT, DATA (nrcpts + 2 ints), 0 when unread */
};

struct engine_reply {
    int code;                   /* the last reply's code, -1 when the step broke */
    char enhanced[16];          /* its RFC 3463 code, or "" */
    char text[ENGINE_TEXT_MAX]; /* every line, CR and LF as blanks, raw bytes */
    int connect_refused;        /* the last connect met ECONNREFUSED */
    int envelope_part;          /* ENVELOPE refused at 0 MAIL, 1 RCPT, 2 DATA */
    struct smtp_error err;      /* why the last step was refused or broke */
};

struct engine;

/*
 * engine_new - an engine; NULL when out of memory. Its limits are its
 * clients' (smtp_client_params_default(): step and dialogue time-outs,
 * reply limits, pipelining; transcript_max is for all its connections
 * together); the transcript fields are the engine's own.
 */
struct engine *engine_new(const struct smtp_client_params *params);

/* engine_free - close and release (the transcript too) */
void engine_free(struct engine *e);

/* engine_step - run one step */
enum engine_verdict engine_step(struct engine *e, const struct engine_step *step);

/* engine_match - 1 if the reply meets the expectation */
int engine_match(const struct engine_reply *reply, const struct engine_expect *expect);

/* engine_close - say QUIT without waiting (Exim waits 200 ms), close; idempotent */
void engine_close(struct engine *e);

/* engine_note - one of the caller's lines (SMTP_TX_BEGIN, _STEP, _FAIL, _INFO), in order */
void engine_note(struct engine *e, char kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const struct engine_reply *engine_last(const struct engine *e);
const struct smtp_transcript *engine_transcript(const struct engine *e);

/* engine_caps - SMTP_EHLO_* of the last accepted EHLO on this connection; 0 after STARTTLS */
unsigned engine_caps(const struct engine *e);

/* engine_open - 1 while a connection is up and usable */
int engine_open(const struct engine *e);

/* engine_tls - 1 when the last connection went under TLS (still after it closed) */
int engine_tls(const struct engine *e);

/* engine_elapsed - ms since the engine began */
long engine_elapsed(const struct engine *e);

#ifdef __cplusplus
}
#endif
#endif

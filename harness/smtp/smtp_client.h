/*++
 * NAME
 *	smtp_client 3h
 * SUMMARY
 *	SMTP client state machine over a transport
 * SYNOPSIS
 *	#include "smtp_client.h"
 * DESCRIPTION
 *	One opaque handle per dialogue, configured by one params struct
 *	that holds every limit (OpenSMTPD's smtp_client style). Each step
 *	sends one command and reads its reply. Steps do not refuse to run
 *	out of order, because a relay test must be able to send RCPT
 *	before MAIL; they do refuse to go on after the session broke or
 *	the server said 421.
 *
 *	Each step returns the reply code (200..599) or -1. A reply is
 *	never an error by itself: the caller decides what it expected and
 *	calls smtp_client_refused() to turn the last reply into an
 *	SMTP_ERR_REPLY record. -1 means the dialogue broke (connect,
 *	timeout, TLS, protocol violation); smtp_client_error() says how.
 *
 *	The transcript records every line with direction and time; AUTH
 *	payloads go in as SMTP_TRANSCRIPT_REDACTED.
 *--*/
#ifndef SMTP_CLIENT_H
#define SMTP_CLIENT_H

#include <stddef.h>

#include "smtp_ehlo.h"
#include "smtp_error.h"
#include "smtp_reply.h"
#include "smtp_transcript.h"
#include "smtp_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SMTP_CLIENT_STEP_TIMEOUT_DEFAULT 30000   /* ms, RFC 5321 4.5.3.2 is gentler */
#define SMTP_CLIENT_TOTAL_TIMEOUT_DEFAULT 300000 /* ms */
#define SMTP_CLIENT_ARG_MAX 1000                 /* bytes of a command argument we agree to send */

struct smtp_client_params {
    long step_timeout_ms;  /* one command and its reply */
    long total_timeout_ms; /* the whole dialogue */
    struct smtp_reply_limits limits;
    size_t transcript_max; /* bytes */
    int pipelining;        /* use PIPELINING (RFC 2920) when offered */
    int trace_states;      /* note "state a -> b" in the transcript */
    /*
     * A transcript to write into instead of one of the client's own (not
     * freed with the client), with times from transcript_t0
     * (smtp_transport_now()): several connections and the caller's notes
     * in one record, in order.
     */
    struct smtp_transcript *transcript;
    long transcript_t0;
};

enum smtp_client_state {
    SMTP_CS_INIT = 0,  /* no transport */
    SMTP_CS_CONNECTED, /* waiting for the banner */
    SMTP_CS_GREETED,   /* banner read */
    SMTP_CS_SESSION,   /* EHLO or HELO accepted */
    SMTP_CS_TLS,       /* TLS up, EHLO needed again (RFC 3207 4.2) */
    SMTP_CS_MAIL,      /* MAIL accepted */
    SMTP_CS_RCPT,      /* a RCPT accepted */
    SMTP_CS_DATA,      /* 354 seen, message expected */
    SMTP_CS_QUIT,      /* QUIT sent */
    SMTP_CS_CLOSED,    /* server closed, or 421 */
    SMTP_CS_BROKEN,    /* local failure; see smtp_client_error */
    SMTP_CS_COUNT
};

struct smtp_client_reply {
    int code;
    char enhanced[16];
    const char *raw; /* all lines with line ends; client-owned */
    size_t raw_len;
    const char *text; /* first line's text */
    size_t text_len;
    size_t nlines;
    unsigned flags; /* SMTP_REPLY_F_* */
};

struct smtp_client;

void smtp_client_params_default(struct smtp_client_params *params);

struct smtp_client *smtp_client_new(const struct smtp_client_params *params);
void smtp_client_free(struct smtp_client *c);

/* smtp_client_connect - TCP (and implicit TLS) with the step deadline */
int smtp_client_connect(struct smtp_client *c, const struct smtp_tcp_params *tcp);

/* smtp_client_attach - use a transport someone else made; takes it */
void smtp_client_attach(struct smtp_client *c, struct smtp_transport *t);

int smtp_client_banner(struct smtp_client *c);
int smtp_client_ehlo(struct smtp_client *c, const char *name);
int smtp_client_helo(struct smtp_client *c, const char *name);
int smtp_client_starttls(struct smtp_client *c);
int smtp_client_auth(struct smtp_client *c, unsigned mech, const char *user, const char *pass);
int smtp_client_mail(struct smtp_client *c, const char *from, const char *params);
int smtp_client_rcpt(struct smtp_client *c, const char *to, const char *params);
int smtp_client_data(struct smtp_client *c);
int smtp_client_message(struct smtp_client *c, const char *body, size_t len);
int smtp_client_rset(struct smtp_client *c);
int smtp_client_noop(struct smtp_client *c);
int smtp_client_quit(struct smtp_client *c);

/* smtp_client_raw - one line of the caller's, CRLF added; no CR/LF inside */
int smtp_client_raw(struct smtp_client *c, const char *line);

/*
 * smtp_client_typed - a line a person typed (relaylab send --interactive):
 * sent like smtp_client_raw(), shown in the transcript through
 * smtp_transcript_redact() (AUTH responses, and every line after a 334)
 */
int smtp_client_typed(struct smtp_client *c, const char *line);

/* smtp_client_send_bytes - bytes as they are (fuzzing); no reply read */
int smtp_client_send_bytes(struct smtp_client *c, const char *bytes, size_t len);

/* smtp_client_read_reply - read one reply */
int smtp_client_read_reply(struct smtp_client *c);

/*
 * smtp_client_envelope - MAIL, every RCPT and (with_data) DATA. With
 * PIPELINING offered and enabled they go in one write (RFC 2920 3.1),
 * else one by one. codes[0] is MAIL, codes[1..n] the RCPTs, codes[n+1]
 * DATA. Returns 0 when every reply was read, else -1.
 */
int smtp_client_envelope(struct smtp_client *c, const char *from, const char *const *rcpts,
                         size_t nrcpts, int with_data, int *codes);

/* smtp_client_refused - record the last reply as SMTP_ERR_REPLY; returns -1 */
int smtp_client_refused(struct smtp_client *c, const char *step);

/* smtp_client_close - note and close the transport */
void smtp_client_close(struct smtp_client *c);

const struct smtp_client_reply *smtp_client_reply(const struct smtp_client *c);
const struct smtp_ehlo *smtp_client_caps(const struct smtp_client *c);
const struct smtp_error *smtp_client_error(const struct smtp_client *c);
const struct smtp_transcript *smtp_client_transcript(const struct smtp_client *c);
enum smtp_client_state smtp_client_state(const struct smtp_client *c);
const char *smtp_client_state_name(enum smtp_client_state state);
int smtp_client_tls_active(const struct smtp_client *c);
/* smtp_client_elapsed - ms since the dialogue began */
long smtp_client_elapsed(const struct smtp_client *c);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	audit_dialogue 3h
 * SUMMARY
 *	the battery's attempts sent to a server, several connections at once
 * SYNOPSIS
 *	#include "audit_dialogue.h"
 * DESCRIPTION
 *	audit_dialogue_listeners() learns what each listener offers (its
 *	EHLO reply before and after STARTTLS) and the banner's name.
 *	audit_dialogue_run() sends every attempt of a battery: attempts
 *	that share a listener, HELO name, STARTTLS, AUTH and XCLIENT share
 *	a connection, one transaction each (MAIL, RCPT, then DATA when the
 *	RCPT was accepted and the target allows it, else RSET). A server
 *	that hangs up, says 421 or stops answering gets a new connection,
 *	and the attempt one more try; so does an attempt deferred with a
 *	4xx (a rate limit), from another client address. Connections run on engine_pool, at
 *	most jobs at once, at most rate new connections a second (0: no
 *	bound), and everything ends by the deadline: what did not run is
 *	marked so. The message an accepted attempt sends has Message-ID
 *	<TAG.K@relaylab.audit>, K the attempt's index plus one, by which
 *	the sink's mail is told apart (audit_dialogue_tag()).
 *--*/
#ifndef AUDIT_DIALOGUE_H
#define AUDIT_DIALOGUE_H

#include <stddef.h>

#include "audit_battery.h"
#include "smtp_error.h"
#include "smtp_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AUDIT_REPLY_MAX 240

struct audit_target {
    const char *host;
    const char *client_addr; /* bind here, or NULL (when no clients) */
    /*
     * Client addresses to spread the connections over (rate limits are
     * per client address), each one the caller checked is outside what
     * the config trusts; an attempt deferred (4xx) is tried once more from
     * the next one. nclients 0: client_addr alone.
     */
    const char *const *clients;
    size_t nclients;
    struct audit_listener *listeners;
    size_t nlisteners;
    struct smtp_tls_ctx *tls; /* for STARTTLS and port 465; no verification */
    int send_data;            /* DATA after an accepted RCPT */
    const char *tag;          /* "relaylab-audit.RUN" */
    size_t jobs;              /* connections at once; 0: 4 */
    double rate;              /* new connections a second; 0: no bound */
    long deadline_ms;         /* mta_env_now_ms() clock */
    long step_timeout_ms;     /* 0: 10 s */
};

enum audit_stage {
    AUDIT_NOT_RUN,
    AUDIT_AT_SESSION,
    AUDIT_AT_MAIL,
    AUDIT_AT_RCPT,
    AUDIT_AT_DATA,
    AUDIT_DONE
};

struct audit_outcome {
    enum audit_stage stage;      /* how far it got */
    int session_code;            /* the code that ended the session part (AUTH, XCLIENT), or 0 */
    int mail, rcpt, data;        /* reply codes, 0 when not sent, -1 when it broke */
    char reply[AUDIT_REPLY_MAX]; /* the last reply it got, raw (sanitise to show) */
    int tls;                     /* the session ran under TLS */
    size_t client;               /* the index of the client address it ran from */
    int deferred;                /* a 4xx (or 421) ended its last try */
};

/* audit_dialogue_listeners - fill in what each listener offers; banner: the banner's name */
int audit_dialogue_listeners(const struct audit_target *t, char *banner, size_t size,
                             struct smtp_error *err);

/* audit_dialogue_run - every attempt; out[i] for b->a[i]; 0, or -1 with err (nothing ran) */
int audit_dialogue_run(const struct audit_target *t, const struct audit_battery *b,
                       struct audit_outcome *out, struct smtp_error *err);

/* audit_dialogue_tag - the attempt index (K - 1) of a Message-ID of this run, or -1 */
long audit_dialogue_tag(const char *tag, const char *message_id);

/* audit_dialogue_message - the message an accepted attempt sends, in buf */
void audit_dialogue_message(const char *tag, size_t k, const struct audit_attempt *a, char *buf,
                            size_t size);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	engine_send 3h
 * SUMMARY
 *	relaylab send's dialogue: a stage plan over the engine
 * SYNOPSIS
 *	#include "engine_send.h"
 * DESCRIPTION
 *	engine_send() runs one swaks-style dialogue from a parameter
 *	struct (no argv): connect, banner, EHLO (HELO after 500/502),
 *	STARTTLS and EHLO again, AUTH, the envelope (MAIL, RCPT, DATA; one
 *	group with PIPELINING), the message, QUIT; it stops after the stage
 *	quit_after names. The outcome names the stage the dialogue ended
 *	at, the engine's verdict there and its error record, and hands over
 *	the engine for its transcript.
 *
 *	engine_send_open() runs only the opening stages (connect to AUTH)
 *	on an engine the caller keeps, up to quit_after, and leaves the
 *	connection open: relaylab send --interactive goes on from there.
 *
 *	engine_send_repeat() runs the same dialogue repeat times on up to
 *	concurrency threads (engine_pool) and keeps the first failure and
 *	its transcript.
 *
 *	It knows nothing of exit codes or output: the front end maps the
 *	stage and verdict to its own.
 * DIAGNOSTICS
 *	engine_send_server() and engine_send_repeat() return 0, or -1 (a
 *	malformed HOST[:PORT]; no thread could be started, errno set).
 *--*/
#ifndef ENGINE_SEND_H
#define ENGINE_SEND_H

#include <stddef.h>

#include "engine.h"
#include "smtp_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ENGINE_SEND_RCPT_MAX 100

enum engine_send_stage {
    ENGINE_SEND_CONNECT,
    ENGINE_SEND_BANNER,
    ENGINE_SEND_EHLO, /* the first EHLO (or HELO) */
    ENGINE_SEND_STARTTLS,
    ENGINE_SEND_HELO, /* EHLO after STARTTLS */
    ENGINE_SEND_AUTH,
    ENGINE_SEND_MAIL,
    ENGINE_SEND_RCPT,
    ENGINE_SEND_DATA,
    ENGINE_SEND_MESSAGE,
    ENGINE_SEND_QUIT,
    ENGINE_SEND_NONE /* the dialogue completed; no such stage */
};

struct engine_send_params {
    char host[256];
    char port[16];
    const char *from; /* "" for <> */
    const char *to[ENGINE_SEND_RCPT_MAX];
    size_t nto;
    const char *helo;
    int tls;            /* STARTTLS (RFC 3207) */
    int tls_on_connect; /* TLS before the banner */
    enum smtp_tls_verify verify;
    const char *sni;              /* NULL: the host */
    struct smtp_tls_ctx *tls_ctx; /* for tls and tls_on_connect */
    int auth;
    unsigned auth_mech; /* 0 = the first offered of PLAIN, LOGIN, CRAM-MD5 */
    const char *user;
    const char *pass;
    enum engine_send_stage quit_after; /* ENGINE_SEND_QUIT: the whole dialogue */
    const char *local;                 /* source address, or NULL */
    const char *body;
    size_t body_len;
    struct smtp_client_params engine; /* time-outs, pipelining */
    long repeat;                      /* engine_send_repeat: dialogues */
    long concurrency;                 /* at once, at most ENGINE_POOL_MAX */
};

struct engine_send_outcome {
    enum engine_send_stage stage; /* where it ended; ENGINE_SEND_NONE when it completed */
    enum engine_verdict verdict;  /* ENGINE_OK, or why it ended at stage */
    struct smtp_error err;        /* ENGINE_REFUSED, ENGINE_BROKEN: the record */
    struct engine *engine;        /* its transcript; NULL when out of memory */
};

struct engine_send_repeat_result {
    int threads;     /* that ran dialogues (at least 1) */
    long elapsed_ms; /* all of them */
    long failed;     /* dialogues that did not end ENGINE_OK */
    int have_failure;
    struct engine_send_outcome first; /* the first failure; first.engine is NULL */
    char *first_transcript;           /* its transcript as text, or NULL; free() it */
};

/* engine_send_params_default - relaylab send's defaults (no host, no recipient) */
void engine_send_params_default(struct engine_send_params *p);

/* engine_send_server - HOST, HOST:PORT, [V6], [V6]:PORT into host and port; 0 or -1 */
int engine_send_server(const char *text, struct engine_send_params *p);

/* engine_send_stage_parse - a stage by name or swaks's alias; ENGINE_SEND_NONE if none */
enum engine_send_stage engine_send_stage_parse(const char *name);

/* engine_send_stage_name - "connect", "banner", ...; "done" for ENGINE_SEND_NONE */
const char *engine_send_stage_name(enum engine_send_stage stage);

/* engine_send_default_message - a short RFC 5322 message from p; malloc()ed, NULL when out of
 * memory */
char *engine_send_default_message(const struct engine_send_params *p, size_t *len);

/* engine_send - one dialogue; out->engine is the caller's to engine_free() */
void engine_send(const struct engine_send_params *p, struct engine_send_outcome *out);

/*
 * engine_send_open - connect, banner, EHLO, STARTTLS and EHLO again, AUTH
 * as p says, on e, stopping after p->quit_after's stage, without QUIT;
 * out says where it ended (out->engine is e). 0, or -1 when the server
 * refused a stage or the dialogue broke.
 */
int engine_send_open(struct engine *e, const struct engine_send_params *p,
                     struct engine_send_outcome *out);

/* engine_send_repeat - p->repeat dialogues, p->concurrency at once; 0, or -1 with errno */
int engine_send_repeat(const struct engine_send_params *p, struct engine_send_repeat_result *res);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	fakesrv 3h
 * SUMMARY
 *	scripted fake SMTP server for the client's unit tests
 * SYNOPSIS
 *	#include "fakesrv.h"
 * DESCRIPTION
 *	A thread that plays a script against one connection: send bytes,
 *	expect a line, start TLS, drip bytes slowly, go silent, close.
 *	It serves a socketpair (fakesrv_pair) or one TCP connection on a
 *	loopback port (fakesrv_listen). This is the client's sparring
 *	partner only; it proves nothing about Postfix or Exim.
 *--*/
#ifndef FAKESRV_H
#define FAKESRV_H

#include <stddef.h>

#include "smtp_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

enum fakesrv_op {
    FS_SEND,     /* text (len bytes, or strlen when len is 0) */
    FS_EXPECT,   /* read one line; it must start with text */
    FS_STARTTLS, /* TLS handshake as the server */
    FS_SILENT,   /* say nothing for ms, or until the client hangs up */
    FS_DRIP,     /* text, one byte every ms */
    FS_REPEAT,   /* text[0] repeated len times, then "\r\n" */
    FS_CLOSE,    /* hang up */
};

struct fakesrv_step {
    enum fakesrv_op op;
    const char *text;
    size_t len;
    long ms;
};

struct fakesrv;

/*
 * fakesrv_tls_server - a throwaway CA and certificate for
 * mx.relaylab.test in a new directory made from dir_template (mkdtemp:
 * it ends in XXXXXX and is filled in), and a server context with them.
 * NULL with err; the caller removes the directory.
 */
struct smtp_tls_ctx *fakesrv_tls_server(char *dir_template, struct smtp_error *err);

/* fakesrv_pair - serve one end of a socketpair; *client_fd gets the other */
struct fakesrv *fakesrv_pair(const struct fakesrv_step *steps, size_t n, struct smtp_tls_ctx *tls,
                             int *client_fd);

/* fakesrv_listen - serve the first TCP connection to 127.0.0.1:*port */
struct fakesrv *fakesrv_listen(const struct fakesrv_step *steps, size_t n, struct smtp_tls_ctx *tls,
                               int *port);

/*
 * fakesrv_finish - wait for the script to end; returns the number of
 * the step that failed (1-based), or 0 when every step ran. The lines
 * the server received are in fakesrv_received() until fakesrv_free().
 */
int fakesrv_finish(struct fakesrv *fs);
const char *fakesrv_received(const struct fakesrv *fs);
const char *fakesrv_why(const struct fakesrv *fs);
void fakesrv_free(struct fakesrv *fs);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	smtp_transport 3h
 * SUMMARY
 *	byte transport under the SMTP client: TCP, TLS, or memory
 * SYNOPSIS
 *	#include "smtp_transport.h"
 * DESCRIPTION
 *	The client core only sees struct smtp_transport: read, write,
 *	starttls, close and a clock. smtp_transport_tcp() connects (with
 *	an optional source address, so a test can be "inside" or "outside"
 *	mynetworks by binding to another 127.0.0.x) and can start TLS at
 *	once (port 465 style) or on request (STARTTLS, RFC 3207).
 *	smtp_transport_fd() wraps a socket someone else made (tests).
 *	Tests and fuzzers plug in their own ops: no sockets needed.
 *
 *	All deadlines are absolute milliseconds of the transport's clock.
 * DIAGNOSTICS
 *	read returns bytes, 0 at end of stream, -1 with err filled;
 *	write returns len or -1; starttls 0 or -1.
 *--*/
#ifndef SMTP_TRANSPORT_H
#define SMTP_TRANSPORT_H

#include <stddef.h>

#include "smtp_error.h"
#include "smtp_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

struct smtp_transport_ops {
    long (*read)(void *ctx, char *buf, size_t size, long deadline_ms, struct smtp_error *err);
    long (*write)(void *ctx, const char *buf, size_t len, long deadline_ms, struct smtp_error *err);
    int (*starttls)(void *ctx, long deadline_ms, struct smtp_error *err);
    /* tls_info - "" when in plaintext, else protocol and cipher */
    void (*tls_info)(void *ctx, char *buf, size_t size);
    long (*now)(void *ctx);
    void (*close)(void *ctx);
};

struct smtp_transport {
    const struct smtp_transport_ops *ops;
    void *ctx;
};

struct smtp_tcp_params {
    const char *host;             /* IP address or name */
    const char *port;             /* "25" */
    const char *local_address;    /* bind before connect, or NULL */
    int implicit_tls;             /* TLS before the banner (port 465) */
    struct smtp_tls_ctx *tls_ctx; /* borrowed; needed for any TLS */
    const char *sni;              /* server name to send, or NULL */
    const char *verify_name;      /* name to check for SMTP_TLS_VERIFY_NAME */
};

/* smtp_transport_now - CLOCK_MONOTONIC milliseconds */
long smtp_transport_now(void);

/* smtp_transport_tcp - connect; NULL with err on failure */
struct smtp_transport *smtp_transport_tcp(const struct smtp_tcp_params *params, long deadline_ms,
                                          struct smtp_error *err);

/* smtp_transport_fd - wrap a connected socket; takes ownership of fd */
struct smtp_transport *smtp_transport_fd(int fd, struct smtp_tls_ctx *tls_ctx, const char *sni,
                                         const char *verify_name, struct smtp_error *err);

/* smtp_transport_free - close and release */
void smtp_transport_free(struct smtp_transport *t);

#ifdef __cplusplus
}
#endif
#endif

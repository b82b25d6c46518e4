/*++
 * NAME
 *	smtp_error 3h
 * SUMMARY
 *	error record shared by the SMTP modules
 * SYNOPSIS
 *	#include "smtp_error.h"
 * DESCRIPTION
 *	Library code never prints or exits; it fills a struct smtp_error.
 *	The class keeps "the server said no" (SMTP_ERR_REPLY, with the
 *	reply code and enhanced status code) apart from "it broke"
 *	(connection, timeout, TLS, protocol violation), as msmtp and
 *	OpenSMTPD do: for a test harness that distinction is the verdict.
 *--*/
#ifndef SMTP_ERROR_H
#define SMTP_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum smtp_err_class {
    SMTP_ERR_NONE = 0,
    SMTP_ERR_INTERNAL, /* out of memory, bug, local resource */
    SMTP_ERR_USAGE,    /* caller's input refused (CR/LF in an address...) */
    SMTP_ERR_CONN,     /* connect, read or write failed, peer closed */
    SMTP_ERR_TIMEOUT,  /* step or total deadline passed */
    SMTP_ERR_TLS,      /* handshake or verification failure */
    SMTP_ERR_PROTO,    /* the server broke the protocol */
    SMTP_ERR_REPLY,    /* the server answered with a refusal */
};

#define SMTP_ERROR_MSG_MAX 256
#define SMTP_ERROR_REPLY_MAX 512

struct smtp_error {
    enum smtp_err_class cls;
    int sys_errno;                    /* errno where one applies, else 0 */
    int code;                         /* reply code for SMTP_ERR_REPLY */
    char enhanced[16];                /* RFC 3463 code, "" if none */
    char msg[SMTP_ERROR_MSG_MAX];     /* short description */
    char reply[SMTP_ERROR_REPLY_MAX]; /* offending reply line, smtp_sanitize()d */
};

/* smtp_error_clear - reset to SMTP_ERR_NONE */
void smtp_error_clear(struct smtp_error *err);

/* smtp_error_set - fill class and message; returns -1 for tail calls */
int smtp_error_set(struct smtp_error *err, enum smtp_err_class cls, int sys_errno, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* smtp_error_set_reply - record offending bytes up to CR or LF, through smtp_sanitize() */
void smtp_error_set_reply(struct smtp_error *err, const char *bytes, size_t len);

/* smtp_error_class_name - "timeout", "tls", ... */
const char *smtp_error_class_name(enum smtp_err_class cls);

#ifdef __cplusplus
}
#endif
#endif

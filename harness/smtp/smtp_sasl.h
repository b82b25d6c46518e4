/*++
 * NAME
 *	smtp_sasl 3h
 * SUMMARY
 *	SASL responses for AUTH PLAIN, LOGIN and CRAM-MD5
 * SYNOPSIS
 *	#include "smtp_sasl.h"
 * DESCRIPTION
 *	Pure functions that build the base64 responses of RFC 4954 AUTH
 *	exchanges, and decode what a server (or, for the capture sink, a
 *	client) sends. Output goes to caller buffers, NUL-terminated.
 * DIAGNOSTICS
 *	Return the output length, or -1 with err filled (SMTP_ERR_USAGE
 *	for input relaylab refuses to send, SMTP_ERR_PROTO for a challenge
 *	that is not valid base64).
 *--*/
#ifndef SMTP_SASL_H
#define SMTP_SASL_H

#include <stddef.h>

#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 4954 4: a line of 12288 octets must be accepted; ours are small. */
#define SMTP_SASL_RESPONSE_MAX 2048
#define SMTP_SASL_FIELD_MAX 255

/* smtp_sasl_plain - RFC 4616 2: [authzid] NUL authcid NUL passwd */
long smtp_sasl_plain(const char *authzid, const char *user, const char *pass, char *out,
                     size_t size, struct smtp_error *err);

/* smtp_sasl_encode - base64 of one string (AUTH LOGIN responses) */
long smtp_sasl_encode(const char *text, char *out, size_t size, struct smtp_error *err);

/* smtp_sasl_decode - base64 challenge into text; NUL inside is kept */
long smtp_sasl_decode(const char *b64, size_t len, char *out, size_t size, struct smtp_error *err);

/* smtp_sasl_cram_md5 - RFC 2195 2: user SP hex(HMAC-MD5(pass, challenge)) */
long smtp_sasl_cram_md5(const char *user, const char *pass, const char *challenge_b64,
                        size_t challenge_len, char *out, size_t size, struct smtp_error *err);

struct smtp_sasl_plain_fields {
    char authzid[SMTP_SASL_FIELD_MAX + 1];
    char user[SMTP_SASL_FIELD_MAX + 1];
    char pass[SMTP_SASL_FIELD_MAX + 1];
};

/* smtp_sasl_plain_decode - the server's side of smtp_sasl_plain */
int smtp_sasl_plain_decode(const char *b64, size_t len, struct smtp_sasl_plain_fields *out,
                           struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	smtp_tls 3h
 * SUMMARY
 *	the one module that speaks to OpenSSL
 * SYNOPSIS
 *	#include "smtp_tls.h"
 * DESCRIPTION
 *	No other relaylab file includes an OpenSSL header. This module
 *	holds TLS contexts and sessions over non-blocking sockets with
 *	absolute deadlines (milliseconds on CLOCK_MONOTONIC), and the
 *	primitives the SASL and sandbox code need: base64, HMAC-MD5,
 *	random bytes, and a throwaway CA with a server certificate.
 * DIAGNOSTICS
 *	Functions return -1 (or NULL) and fill struct smtp_error with
 *	SMTP_ERR_TLS, SMTP_ERR_TIMEOUT, SMTP_ERR_CONN or SMTP_ERR_INTERNAL
 *	and OpenSSL's own reason.
 *--*/
#ifndef SMTP_TLS_H
#define SMTP_TLS_H

#include <stddef.h>

#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum smtp_tls_verify {
    SMTP_TLS_VERIFY_NONE = 0, /* encrypt, trust anything */
    SMTP_TLS_VERIFY_CA,       /* chain must lead to the CA file */
    SMTP_TLS_VERIFY_NAME,     /* and the certificate must name the host */
};

struct smtp_tls_ctx;
struct smtp_tls;

/* smtp_tls_client_ctx - context for a client; ca_file NULL = system store */
struct smtp_tls_ctx *smtp_tls_client_ctx(enum smtp_tls_verify verify, const char *ca_file,
                                         struct smtp_error *err);

/* smtp_tls_server_ctx - context for a server (tests, the capture sink) */
struct smtp_tls_ctx *smtp_tls_server_ctx(const char *cert_file, const char *key_file,
                                         struct smtp_error *err);

void smtp_tls_ctx_free(struct smtp_tls_ctx *ctx);

/* smtp_tls_connect - client handshake on fd; sni and name may be NULL */
struct smtp_tls *smtp_tls_connect(struct smtp_tls_ctx *ctx, int fd, const char *sni,
                                  const char *verify_name, long deadline_ms,
                                  struct smtp_error *err);

/* smtp_tls_accept - server handshake on fd */
struct smtp_tls *smtp_tls_accept(struct smtp_tls_ctx *ctx, int fd, long deadline_ms,
                                 struct smtp_error *err);

/* smtp_tls_read - up to size bytes; 0 at end of stream, -1 on error */
long smtp_tls_read(struct smtp_tls *tls, char *buf, size_t size, long deadline_ms,
                   struct smtp_error *err);

/* smtp_tls_write - all of buf, or -1 */
long smtp_tls_write(struct smtp_tls *tls, const char *buf, size_t len, long deadline_ms,
                    struct smtp_error *err);

/* smtp_tls_describe - "TLSv1.3 TLS_AES_256_GCM_SHA384" into buf */
void smtp_tls_describe(const struct smtp_tls *tls, char *buf, size_t size);

/* smtp_tls_free - send close_notify without waiting, free the session */
void smtp_tls_free(struct smtp_tls *tls);

/* smtp_tls_base64_encode - RFC 4648 base64 of in; returns length or -1 */
long smtp_tls_base64_encode(const unsigned char *in, size_t len, char *out, size_t size);

/* smtp_tls_base64_decode - strict decode; returns length or -1 */
long smtp_tls_base64_decode(const char *in, size_t len, unsigned char *out, size_t size);

/* smtp_tls_hmac_md5 - RFC 2104 HMAC with MD5 (for CRAM-MD5, RFC 2195) */
int smtp_tls_hmac_md5(const void *key, size_t key_len, const void *msg, size_t msg_len,
                      unsigned char digest[16]);

/* smtp_tls_random - cryptographically strong bytes */
int smtp_tls_random(void *buf, size_t len);

/* smtp_tls_make_certs - write ca.pem, cert.pem, key.pem into dir */
int smtp_tls_make_certs(const char *dir, const char *host_name, const char *ip,
                        struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

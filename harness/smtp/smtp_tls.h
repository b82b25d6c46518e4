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
 *
 *	smtp_tls_peer_chain() copies what a session's peer certificates
 *	say (relaylab send --show-cert) into a bounded struct the caller
 *	owns, and smtp_tls_ctx_keep_chain() has every handshake of a
 *	context do so, also one that verification ended: per certificate
 *	its subject, issuer, validity, subjectAltNames, SHA-256
 *	fingerprint and what verification found at its depth, and
 *	OpenSSL's verify result for the whole chain. The strings are the
 *	certificate's own bytes, hostile ones included (ESC, NUL, invalid
 *	UTF-8): whoever shows them puts them through smtp_sanitize() first.
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

/* Bounds of struct smtp_tls_chain: what does not fit is cut or counted, never grown. */
#define SMTP_TLS_CHAIN_MAX 8       /* certificates kept of a chain */
#define SMTP_TLS_CERT_NAME_MAX 512 /* bytes of a subject or issuer as text */
#define SMTP_TLS_CERT_SANS_MAX 16  /* subjectAltNames kept of one certificate */
#define SMTP_TLS_CERT_SAN_MAX 256  /* bytes of one (RFC 1035 2.3.4: a name has 255) */
#define SMTP_TLS_TIME_MAX 32       /* "2026-11-29 12:00:00 UTC" */
#define SMTP_TLS_SHA256_LEN 32

enum smtp_tls_validity {
    SMTP_TLS_VALID = 0, /* notBefore <= now <= notAfter */
    SMTP_TLS_NOT_YET,   /* now < notBefore */
    SMTP_TLS_EXPIRED,   /* notAfter < now */
    SMTP_TLS_BAD_TIME,  /* a date OpenSSL could not read */
};

/* One subjectAltName: DNS, IP (as text), email, URI; other kinds are only counted. */
struct smtp_tls_san {
    char kind[8]; /* "DNS", "IP", "email", "URI" */
    char value[SMTP_TLS_CERT_SAN_MAX];
    size_t len; /* bytes of value (it may hold NUL); cut to fit */
};

struct smtp_tls_cert {
    int depth; /* 0: the server's own; its place in the chain verification built, if any */
    int sent;  /* 1: the server sent it; 0: found in the local trust store */
    char subject[SMTP_TLS_CERT_NAME_MAX]; /* "O=..., CN=..." (RFC 2253 escapes, UTF-8) */
    size_t subject_len;
    int subject_cut;
    char issuer[SMTP_TLS_CERT_NAME_MAX];
    size_t issuer_len;
    int issuer_cut;
    char not_before[SMTP_TLS_TIME_MAX]; /* made here from the certificate's dates */
    char not_after[SMTP_TLS_TIME_MAX];
    enum smtp_tls_validity validity; /* at the time of smtp_tls_peer_chain() */
    struct smtp_tls_san sans[SMTP_TLS_CERT_SANS_MAX];
    size_t nsans;
    size_t sans_dropped; /* beyond SMTP_TLS_CERT_SANS_MAX, or of another kind */
    unsigned char sha256[SMTP_TLS_SHA256_LEN];
    long verify_error; /* the first error verification found at this depth; 0: none */
};

struct smtp_tls_chain {
    int have_session;   /* 0: no certificate was seen (the rest is empty) */
    int complete;       /* 1: the handshake completed; 0: it failed after the certificates came */
    char session[128];  /* smtp_tls_describe(): protocol and cipher */
    int verify_peer;    /* 1: a failed verification ends the handshake (--tls-verify) */
    long verify_result; /* OpenSSL's for the whole chain; 0 (X509_V_OK): verified */
    struct smtp_tls_cert certs[SMTP_TLS_CHAIN_MAX];
    size_t ncerts;
    size_t certs_dropped; /* beyond SMTP_TLS_CHAIN_MAX */
};

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

/*
 * smtp_tls_ctx_trust - load ca_file (NULL: the system's store) into a
 * client context whose verification is not enforced (SMTP_TLS_VERIFY_NONE),
 * so that a session's verify result says whether the chain leads there;
 * 0, or -1 with err (SMTP_ERR_USAGE: the file could not be loaded)
 */
int smtp_tls_ctx_trust(struct smtp_tls_ctx *ctx, const char *ca_file, struct smtp_error *err);

/*
 * smtp_tls_ctx_keep_chain - from now on every client handshake on ctx
 * leaves its peer's certificates in *chain (smtp_tls_peer_chain), also one
 * that fails verification (complete 0: why it failed is in verify_result);
 * NULL stops. A handshake that cannot copy them after it completed fails
 * (SMTP_ERR_INTERNAL). Not for a context several threads use at once.
 */
void smtp_tls_ctx_keep_chain(struct smtp_tls_ctx *ctx, struct smtp_tls_chain *chain);

/*
 * smtp_tls_peer_chain - the session's peer certificates into chain: those
 * the server sent, in its order, then those verification took from the
 * local trust store; 0, or -1 with err (SMTP_ERR_INTERNAL: out of memory)
 */
int smtp_tls_peer_chain(const struct smtp_tls *tls, struct smtp_tls_chain *chain,
                        struct smtp_error *err);

/* smtp_tls_verify_string - OpenSSL's words for a verify result ("ok", "certificate has expired") */
const char *smtp_tls_verify_string(long verify_result);

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

/*
 * smtp_tls_make_certs - write ca.pem, cert.pem, key.pem into dir; the
 * certificate names host_name and, as IP subjectAltNames, the addresses
 * of ip (NULL for none; several separated by ",": "192.0.2.10,2001:db8::10")
 */
int smtp_tls_make_certs(const char *dir, const char *host_name, const char *ip,
                        struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

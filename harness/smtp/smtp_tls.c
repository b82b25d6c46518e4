/*++
 * NAME
 *	smtp_tls 3
 * SUMMARY
 *	the one module that speaks to OpenSSL
 * DESCRIPTION
 *	See smtp_tls.h. Sockets are non-blocking; every wait is a poll()
 *	bounded by the caller's deadline, so a server that stalls in the
 *	middle of a handshake cannot hang the client.
 *
 *	A client session notes the first verification error at each depth
 *	(verify_note) for smtp_tls_peer_chain(); without --tls-verify
 *	verification goes on past an error, as openssl s_client's does, so
 *	that every depth is looked at.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>

#include "smtp_tls.h"

struct smtp_tls_ctx {
    SSL_CTX *ssl_ctx;
    struct smtp_tls_chain *chain; /* smtp_tls_ctx_keep_chain(), or NULL */
};

struct smtp_tls {
    SSL *ssl;
    int fd;
    long depth_error[SMTP_TLS_CHAIN_MAX]; /* verify_note: the first error at each depth */
};

/* now_ms - CLOCK_MONOTONIC in milliseconds */

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* tls_fail - error with OpenSSL's reason appended */

static int tls_fail(struct smtp_error *err, const char *what)
{
    unsigned long e = ERR_get_error();
    char reason[160] = "";

    if (e != 0)
        ERR_error_string_n(e, reason, sizeof(reason));
    ERR_clear_error();
    return smtp_error_set(err, SMTP_ERR_TLS, 0, "%s%s%s", what, reason[0] ? ": " : "", reason);
}

/* wait_fd - poll for the direction OpenSSL asked for */

static int wait_fd(int fd, int want_write, long deadline_ms, struct smtp_error *err)
{
    struct pollfd pfd;

    for (;;) {
        long left = deadline_ms - now_ms();
        int n;

        if (left <= 0)
            return smtp_error_set(err, SMTP_ERR_TIMEOUT, 0, "timed out in TLS");
        pfd.fd = fd;
        pfd.events = want_write ? POLLOUT : POLLIN;
        pfd.revents = 0;
        n = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return smtp_error_set(err, SMTP_ERR_CONN, errno, "poll: %s", strerror(errno));
    }
}

/* smtp_tls_client_ctx - context for a client */

struct smtp_tls_ctx *smtp_tls_client_ctx(enum smtp_tls_verify verify, const char *ca_file,
                                         struct smtp_error *err)
{
    struct smtp_tls_ctx *ctx = calloc(1, sizeof(*ctx));

    if (ctx == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    if ((ctx->ssl_ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
        tls_fail(err, "SSL_CTX_new");
        free(ctx);
        return NULL;
    }
    if (verify != SMTP_TLS_VERIFY_NONE) {
        if (smtp_tls_ctx_trust(ctx, ca_file, err) < 0) {
            smtp_tls_ctx_free(ctx);
            return NULL;
        }
        SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

/* smtp_tls_ctx_trust - the CA file (or the system's store) into the context */

int smtp_tls_ctx_trust(struct smtp_tls_ctx *ctx, const char *ca_file, struct smtp_error *err)
{
    int ok = ca_file ? SSL_CTX_load_verify_locations(ctx->ssl_ctx, ca_file, NULL)
                     : SSL_CTX_set_default_verify_paths(ctx->ssl_ctx);

    if (!ok) {
        ERR_clear_error();
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "cannot load CA file %s",
                              ca_file ? ca_file : "(system)");
    }
    return 0;
}

/* smtp_tls_ctx_keep_chain - where client handshakes leave the peer's certificates */

void smtp_tls_ctx_keep_chain(struct smtp_tls_ctx *ctx, struct smtp_tls_chain *chain)
{
    ctx->chain = chain;
}

/* smtp_tls_server_ctx - context for a server */

struct smtp_tls_ctx *smtp_tls_server_ctx(const char *cert_file, const char *key_file,
                                         struct smtp_error *err)
{
    struct smtp_tls_ctx *ctx = calloc(1, sizeof(*ctx));

    if (ctx == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    if ((ctx->ssl_ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
        SSL_CTX_use_certificate_chain_file(ctx->ssl_ctx, cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx->ssl_ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        tls_fail(err, "cannot load server certificate");
        smtp_tls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

/* smtp_tls_ctx_free - release a context */

void smtp_tls_ctx_free(struct smtp_tls_ctx *ctx)
{
    if (ctx == NULL)
        return;
    SSL_CTX_free(ctx->ssl_ctx);
    free(ctx);
}

/* set_nonblock - sockets under TLS are non-blocking */

static int set_nonblock(int fd, struct smtp_error *err)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "fcntl: %s", strerror(errno));
    return 0;
}

/* io_wait - decide what an SSL_ERROR_* means; 0 = retry after waiting */

static int io_wait(struct smtp_tls *tls, int ret, long deadline_ms, const char *what,
                   struct smtp_error *err)
{
    int e = SSL_get_error(tls->ssl, ret);

    switch (e) {
    case SSL_ERROR_WANT_READ:
        return wait_fd(tls->fd, 0, deadline_ms, err);
    case SSL_ERROR_WANT_WRITE:
        return wait_fd(tls->fd, 1, deadline_ms, err);
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            ERR_clear_error();
            return smtp_error_set(err, SMTP_ERR_CONN, errno, "%s: connection lost%s%s", what,
                                  errno ? ": " : "", errno ? strerror(errno) : "");
        }
        return tls_fail(err, what);
    case SSL_ERROR_ZERO_RETURN:
        return smtp_error_set(err, SMTP_ERR_CONN, 0, "%s: peer closed TLS", what);
    default:
        return tls_fail(err, what);
    }
}

/*
 * A socket BIO that writes with send(MSG_NOSIGNAL): OpenSSL's own uses
 * write(2), and a server that hangs up at the right moment would kill
 * the whole process with SIGPIPE. A library must not depend on its
 * caller ignoring signals.
 */

static int sock_bio_write(BIO *bio, const char *buf, int len)
{
    int fd = (int)(intptr_t)BIO_get_data(bio);
    ssize_t n = send(fd, buf, (size_t)len, MSG_NOSIGNAL);

    BIO_clear_retry_flags(bio);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_write(bio);
    return (int)n;
}

static int sock_bio_read(BIO *bio, char *buf, int len)
{
    int fd = (int)(intptr_t)BIO_get_data(bio);
    ssize_t n = recv(fd, buf, (size_t)len, 0);
    int one = 1;

    /*
     * Linux re-arms delayed ACKs; a server with Nagle on (Postfix) then
     * holds its reply until our delayed ACK fires, 40 ms, right after
     * the TLS 1.3 session tickets. Acknowledge at once instead.
     */
    if (n > 0)
        (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
    BIO_clear_retry_flags(bio);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_read(bio);
    return (int)n;
}

static long sock_bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    (void)bio;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int sock_bio_create(BIO *bio)
{
    BIO_set_init(bio, 1);
    return 1;
}

static BIO_METHOD *sock_method;

/* sock_bio_init - build the method table, once per process */

static void sock_bio_init(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "relaylab socket");

    if (m == NULL || !BIO_meth_set_write(m, sock_bio_write) ||
        !BIO_meth_set_read(m, sock_bio_read) || !BIO_meth_set_ctrl(m, sock_bio_ctrl) ||
        !BIO_meth_set_create(m, sock_bio_create)) {
        BIO_meth_free(m);
        return;
    }
    sock_method = m;
}

/* sock_bio_method - the method table; NULL if it could not be made */

static BIO_METHOD *sock_bio_method(void)
{
    static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;

    if (!CRYPTO_THREAD_run_once(&once, sock_bio_init))
        return NULL;
    return sock_method;
}

/* session_new - SSL object over fd */

static struct smtp_tls *session_new(struct smtp_tls_ctx *ctx, int fd, struct smtp_error *err)
{
    struct smtp_tls *tls;
    BIO *bio;

    if (set_nonblock(fd, err) < 0)
        return NULL;
    if ((tls = calloc(1, sizeof(*tls))) == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    tls->fd = fd;
    if ((tls->ssl = SSL_new(ctx->ssl_ctx)) == NULL || sock_bio_method() == NULL ||
        (bio = BIO_new(sock_bio_method())) == NULL) {
        tls_fail(err, "SSL_new");
        smtp_tls_free(tls);
        return NULL;
    }
    BIO_set_data(bio, (void *)(intptr_t)fd);
    SSL_set_bio(tls->ssl, bio, bio);
    return tls;
}

/* is_ip_literal - SNI must not carry an address (RFC 6066 3) */

static int is_ip_literal(const char *name)
{
    unsigned char buf[16];

    return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

/*
 * verify_note - OpenSSL's verify callback: keep the first error at each
 * depth. With SSL_VERIFY_PEER the answer is OpenSSL's own (an error ends
 * the handshake); without, verification goes on to the other depths.
 */
static int verify_note(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct smtp_tls *tls = ssl ? SSL_get_app_data(ssl) : NULL;
    int depth = X509_STORE_CTX_get_error_depth(store);

    if (ok || tls == NULL)
        return ok;
    if (depth >= 0 && depth < SMTP_TLS_CHAIN_MAX && tls->depth_error[depth] == X509_V_OK)
        tls->depth_error[depth] = X509_STORE_CTX_get_error(store);
    return SSL_get_verify_mode(ssl) == SSL_VERIFY_NONE;
}

/* smtp_tls_connect - client handshake */

struct smtp_tls *smtp_tls_connect(struct smtp_tls_ctx *ctx, int fd, const char *sni,
                                  const char *verify_name, long deadline_ms, struct smtp_error *err)
{
    struct smtp_tls *tls;
    int ret;

    /* Whatever happens, no chain of an earlier handshake is left to be taken for this one's. */
    if (ctx->chain)
        memset(ctx->chain, 0, sizeof(*ctx->chain));
    if ((tls = session_new(ctx, fd, err)) == NULL)
        return NULL;
    SSL_set_app_data(tls->ssl, tls);
    SSL_set_verify(tls->ssl, SSL_get_verify_mode(tls->ssl), verify_note);
    if (sni && *sni && !is_ip_literal(sni) && SSL_set_tlsext_host_name(tls->ssl, sni) != 1) {
        tls_fail(err, "cannot set SNI");
        smtp_tls_free(tls);
        return NULL;
    }
    if (verify_name && *verify_name) {
        int ok = is_ip_literal(verify_name)
                     ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls->ssl), verify_name)
                     : SSL_set1_host(tls->ssl, verify_name);

        if (ok != 1) {
            tls_fail(err, "cannot set the name to verify");
            smtp_tls_free(tls);
            return NULL;
        }
    }
    while ((ret = SSL_connect(tls->ssl)) != 1) {
        if (io_wait(tls, ret, deadline_ms, "TLS handshake", err) < 0) {
            long vr = SSL_get_verify_result(tls->ssl);

            if (err && err->cls == SMTP_ERR_TLS && vr != X509_V_OK) {
                size_t used = strlen(err->msg);

                snprintf(err->msg + used, sizeof(err->msg) - used, " (certificate: %s)",
                         X509_verify_cert_error_string(vr));
            }
            /* What verification refused is what --show-cert is for; unreadable, none shown. */
            if (ctx->chain && SSL_get_peer_cert_chain(tls->ssl) != NULL) {
                struct smtp_error lost;

                (void)smtp_tls_peer_chain(tls, ctx->chain, &lost);
            }
            smtp_tls_free(tls);
            return NULL;
        }
    }
    if (ctx->chain && smtp_tls_peer_chain(tls, ctx->chain, err) < 0) {
        smtp_tls_free(tls);
        return NULL;
    }
    return tls;
}

/* smtp_tls_accept - server handshake */

struct smtp_tls *smtp_tls_accept(struct smtp_tls_ctx *ctx, int fd, long deadline_ms,
                                 struct smtp_error *err)
{
    struct smtp_tls *tls = session_new(ctx, fd, err);
    int ret;

    if (tls == NULL)
        return NULL;
    while ((ret = SSL_accept(tls->ssl)) != 1) {
        if (io_wait(tls, ret, deadline_ms, "TLS accept", err) < 0) {
            smtp_tls_free(tls);
            return NULL;
        }
    }
    return tls;
}

/* smtp_tls_read - read what is there */

long smtp_tls_read(struct smtp_tls *tls, char *buf, size_t size, long deadline_ms,
                   struct smtp_error *err)
{
    for (;;) {
        size_t got = 0;
        int ret = SSL_read_ex(tls->ssl, buf, size, &got);

        if (ret == 1)
            return (long)got;
        switch (SSL_get_error(tls->ssl, ret)) {
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        case SSL_ERROR_SYSCALL:
            if (ERR_peek_error() == 0 && errno == 0)
                return 0; /* EOF without close_notify */
            break;
        default:
            break;
        }
        if (io_wait(tls, ret, deadline_ms, "TLS read", err) < 0)
            return -1;
    }
}

/* smtp_tls_write - write everything */

long smtp_tls_write(struct smtp_tls *tls, const char *buf, size_t len, long deadline_ms,
                    struct smtp_error *err)
{
    size_t done = 0;

    while (done < len) {
        size_t put = 0;
        int ret = SSL_write_ex(tls->ssl, buf + done, len - done, &put);

        if (ret == 1) {
            done += put;
            continue;
        }
        if (io_wait(tls, ret, deadline_ms, "TLS write", err) < 0)
            return -1;
    }
    return (long)done;
}

/* smtp_tls_describe - protocol and cipher */

void smtp_tls_describe(const struct smtp_tls *tls, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s", SSL_get_version(tls->ssl), SSL_get_cipher_name(tls->ssl));
}

/* name_text - an X509 name as one line, the certificate's bytes kept (only RFC 2253 escapes) */

static int name_text(const X509_NAME *name, char *out, size_t size, size_t *len, int *cut)
{
    /* No ESC_CTRL, no ESC_MSB: control bytes stay as they are, for smtp_sanitize() to show. */
    static const unsigned long text = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
                                      XN_FLAG_DUMP_UNKNOWN_FIELDS | ASN1_STRFLGS_UTF8_CONVERT |
                                      ASN1_STRFLGS_ESC_2253 | ASN1_STRFLGS_DUMP_UNKNOWN |
                                      ASN1_STRFLGS_DUMP_DER;
    /* A value OpenSSL cannot convert (a UTF8String that is no UTF-8): its DER in hex. */
    static const unsigned long dump =
        XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_DUMP_ALL | ASN1_STRFLGS_DUMP_DER;
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;

    if (bio == NULL)
        return -1;
    if (X509_NAME_print_ex(bio, name, 0, text) < 0 &&
        (BIO_reset(bio) <= 0 || X509_NAME_print_ex(bio, name, 0, dump) < 0)) {
        BIO_free(bio);
        return -1;
    }
    n = BIO_get_mem_data(bio, &data);
    *len = n > 0 ? (size_t)n : 0;
    *cut = *len > size - 1;
    if (*cut)
        *len = size - 1;
    if (*len > 0)
        memcpy(out, data, *len);
    out[*len] = 0;
    BIO_free(bio);
    ERR_clear_error();
    return 0;
}

/* time_text - a certificate date as "YYYY-MM-DD HH:MM:SS UTC" */

static void time_text(const ASN1_TIME *t, char *out, size_t size)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
        strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, size, "(unreadable)");
}

/* validity - is now between notBefore and notAfter? */

static enum smtp_tls_validity validity(const X509 *cert)
{
    /* X509_cmp_current_time: -1 earlier than now, 1 later, 0 unreadable */
    int before = X509_cmp_current_time(X509_get0_notBefore(cert));
    int after = X509_cmp_current_time(X509_get0_notAfter(cert));

    if (before == 0 || after == 0)
        return SMTP_TLS_BAD_TIME;
    if (before > 0)
        return SMTP_TLS_NOT_YET;
    return after < 0 ? SMTP_TLS_EXPIRED : SMTP_TLS_VALID;
}

/* san_value - one subjectAltName's value: an address as text, else its bytes, cut to fit */

static void san_value(int type, const ASN1_STRING *s, struct smtp_tls_san *san)
{
    const unsigned char *data = ASN1_STRING_get0_data(s);
    int n = ASN1_STRING_length(s);

    if (type == GEN_IPADD) {
        int family = n == 4 ? AF_INET : n == 16 ? AF_INET6 : 0;

        if (family == 0 || inet_ntop(family, data, san->value, sizeof(san->value)) == NULL)
            snprintf(san->value, sizeof(san->value), "(%d bytes)", n);
        san->len = strlen(san->value);
        return;
    }
    san->len = n > 0 ? (size_t)n : 0;
    if (san->len > sizeof(san->value) - 1)
        san->len = sizeof(san->value) - 1;
    if (san->len > 0)
        memcpy(san->value, data, san->len);
    san->value[san->len] = 0;
}

/* cert_sans - DNS, IP, email and URI subjectAltNames; the rest counted */

static void cert_sans(const X509 *cert, struct smtp_tls_cert *out)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    int n = names ? sk_GENERAL_NAME_num(names) : 0;
    int i;

    for (i = 0; i < n; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        const char *kind = gn->type == GEN_DNS     ? "DNS"
                           : gn->type == GEN_IPADD ? "IP"
                           : gn->type == GEN_EMAIL ? "email"
                           : gn->type == GEN_URI   ? "URI"
                                                   : NULL;
        struct smtp_tls_san *san;

        if (kind == NULL || out->nsans == SMTP_TLS_CERT_SANS_MAX) {
            out->sans_dropped++;
            continue;
        }
        san = &out->sans[out->nsans++];
        snprintf(san->kind, sizeof(san->kind), "%s", kind);
        san_value(gn->type, gn->type == GEN_IPADD ? gn->d.iPAddress : gn->d.ia5, san);
    }
    GENERAL_NAMES_free(names);
    ERR_clear_error();
}

/* stack_find - cert's place in a stack, or -1 */

static int stack_find(const STACK_OF(X509) * stack, const X509 *cert)
{
    int n = stack ? sk_X509_num(stack) : 0;
    int i;

    for (i = 0; i < n; i++)
        if (X509_cmp(sk_X509_value(stack, i), cert) == 0)
            return i;
    return -1;
}

/* add_cert - one certificate into the chain; 0, or -1 with err */

static int add_cert(const struct smtp_tls *tls, struct smtp_tls_chain *chain, X509 *cert, int place,
                    int sent, struct smtp_error *err)
{
    const STACK_OF(X509) *built = SSL_get0_verified_chain(tls->ssl);
    int depth = stack_find(built, cert);
    struct smtp_tls_cert *out;
    unsigned int md_len = 0;

    if (chain->ncerts == SMTP_TLS_CHAIN_MAX) {
        chain->certs_dropped++;
        return 0;
    }
    out = &chain->certs[chain->ncerts];
    memset(out, 0, sizeof(*out));
    out->depth = depth >= 0 ? depth : place;
    out->sent = sent;
    if (depth >= 0 && depth < SMTP_TLS_CHAIN_MAX)
        out->verify_error = tls->depth_error[depth];
    if (name_text(X509_get_subject_name(cert), out->subject, sizeof(out->subject),
                  &out->subject_len, &out->subject_cut) < 0 ||
        name_text(X509_get_issuer_name(cert), out->issuer, sizeof(out->issuer), &out->issuer_len,
                  &out->issuer_cut) < 0 ||
        X509_digest(cert, EVP_sha256(), out->sha256, &md_len) != 1 || md_len != SMTP_TLS_SHA256_LEN)
        return tls_fail(err, "cannot read the peer's certificate");
    time_text(X509_get0_notBefore(cert), out->not_before, sizeof(out->not_before));
    time_text(X509_get0_notAfter(cert), out->not_after, sizeof(out->not_after));
    out->validity = validity(cert);
    cert_sans(cert, out);
    chain->ncerts++;
    return 0;
}

/* smtp_tls_peer_chain - the peer's certificates as sent, then the trust store's */

int smtp_tls_peer_chain(const struct smtp_tls *tls, struct smtp_tls_chain *chain,
                        struct smtp_error *err)
{
    /* On a client the peer's chain holds the server's own certificate first. */
    const STACK_OF(X509) *sent = SSL_get_peer_cert_chain(tls->ssl);
    const STACK_OF(X509) *built = SSL_get0_verified_chain(tls->ssl);
    int i;

    memset(chain, 0, sizeof(*chain));
    smtp_tls_describe(tls, chain->session, sizeof(chain->session));
    chain->complete = SSL_is_init_finished(tls->ssl);
    chain->verify_peer = SSL_get_verify_mode(tls->ssl) != SSL_VERIFY_NONE;
    chain->verify_result = SSL_get_verify_result(tls->ssl);
    for (i = 0; sent && i < sk_X509_num(sent); i++)
        if (add_cert(tls, chain, sk_X509_value(sent, i), i, 1, err) < 0)
            goto fail;
    for (i = 0; built && i < sk_X509_num(built); i++)
        if (stack_find(sent, sk_X509_value(built, i)) < 0 &&
            add_cert(tls, chain, sk_X509_value(built, i), i, 0, err) < 0)
            goto fail;
    chain->have_session = 1;
    return 0;
fail:
    memset(chain, 0, sizeof(*chain));
    return -1;
}

/* smtp_tls_verify_string - OpenSSL's words for a verify result */

const char *smtp_tls_verify_string(long verify_result)
{
    return X509_verify_cert_error_string(verify_result);
}

/* smtp_tls_free - close_notify, then free */

void smtp_tls_free(struct smtp_tls *tls)
{
    if (tls == NULL)
        return;
    if (tls->ssl) {
        if (SSL_is_init_finished(tls->ssl))
            (void)SSL_shutdown(tls->ssl);
        SSL_free(tls->ssl);
    }
    ERR_clear_error();
    free(tls);
}

/* smtp_tls_base64_encode - RFC 4648 section 4 */

long smtp_tls_base64_encode(const unsigned char *in, size_t len, char *out, size_t size)
{
    size_t need = 4 * ((len + 2) / 3) + 1;

    if (size < need || len > 0x3fffffff)
        return -1;
    return EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* smtp_tls_base64_decode - strict: whole quads, padding only at the end */

long smtp_tls_base64_decode(const char *in, size_t len, unsigned char *out, size_t size)
{
    size_t pad = 0;
    int n;

    if (len % 4 != 0 || len > 0x3fffffff || size < len / 4 * 3 + 1)
        return -1;
    if (len == 0)
        return 0;
    if (in[len - 1] == '=')
        pad++;
    if (in[len - 2] == '=')
        pad++;
    if (memchr(in, '=', len - pad) != NULL)
        return -1;
    n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (n < 0 || (size_t)n < pad)
        return -1;
    return n - (long)pad;
}

/* smtp_tls_hmac_md5 - RFC 2104 with MD5 */

int smtp_tls_hmac_md5(const void *key, size_t key_len, const void *msg, size_t msg_len,
                      unsigned char digest[16])
{
    unsigned int out_len = 0;

    if (HMAC(EVP_md5(), key, (int)key_len, msg, msg_len, digest, &out_len) == NULL || out_len != 16)
        return -1;
    return 0;
}

/* smtp_tls_random - strong random bytes */

int smtp_tls_random(void *buf, size_t len)
{
    return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* add_ext - one X509v3 extension */

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
        return 0;
    ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* make_cert - a certificate for key, signed by issuer_key (self if NULL) */

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       long serial, const char *san)
{
    X509 *cert = X509_new();
    X509_NAME *name;
    int ok;

    if (cert == NULL)
        return NULL;
    name = X509_get_subject_name(cert);
    ok = X509_set_version(cert, 2) && ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) &&
         X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
         X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 30) && X509_set_pubkey(cert, key) &&
         X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"relaylab test",
                                    -1, -1, 0) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                    0) &&
         X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    if (ok && issuer == NULL)
        ok = add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(cert, cert, NID_subject_key_identifier, "hash");
    if (ok && issuer != NULL)
        ok = add_ext(cert, issuer, NID_basic_constraints, "CA:FALSE") &&
             add_ext(cert, issuer, NID_ext_key_usage, "serverAuth") &&
             add_ext(cert, issuer, NID_subject_alt_name, san);
    if (ok)
        ok = X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/*
 * write_pem - cert or key to dir/name with mode. Written to a fresh
 * temporary file in dir (mkstemp: O_EXCL, never through a link) and
 * renamed over dir/name: a symlink someone planted there is replaced,
 * its target never opened.
 */
static int write_pem(const char *dir, const char *name, X509 *cert, EVP_PKEY *key, int mode)
{
    char path[4096];
    char tmp[4096];
    FILE *fp;
    int fd;
    int ok;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= sizeof(tmp))
        return 0;
    if ((fd = mkstemp(tmp)) < 0)
        return 0;
    if (fchmod(fd, (mode_t)mode) < 0 || (fp = fdopen(fd, "w")) == NULL) {
        close(fd);
        unlink(tmp);
        return 0;
    }
    ok = cert ? PEM_write_X509(fp, cert) : PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
    if (fclose(fp) != 0 || !ok || rename(tmp, path) < 0) {
        int e = errno;

        unlink(tmp);
        errno = e;
        return 0;
    }
    return 1;
}

/* smtp_tls_make_certs - throwaway CA and a server certificate */

int smtp_tls_make_certs(const char *dir, const char *host_name, const char *ip,
                        struct smtp_error *err)
{
    EVP_PKEY *ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *ca = NULL;
    X509 *cert = NULL;
    char san[512];
    unsigned char serial[4];
    int ret = -1;

    {
        size_t used = (size_t)snprintf(san, sizeof(san), "DNS:%s", host_name);
        const char *p = ip;

        /* Each address of the list an IP name of its own (RFC 5280 4.2.1.6). */
        while (p && *p && used < sizeof(san)) {
            size_t n = strcspn(p, ",");

            used += (size_t)snprintf(san + used, sizeof(san) - used, ",IP:%.*s", (int)n, p);
            p += n + (p[n] == ',');
        }
        if (used >= sizeof(san)) {
            EVP_PKEY_free(ca_key);
            EVP_PKEY_free(key);
            return smtp_error_set(err, SMTP_ERR_USAGE, 0, "too many names for a certificate");
        }
    }
    if (smtp_tls_random(serial, sizeof(serial)) < 0)
        memset(serial, 1, sizeof(serial));
    if (ca_key == NULL || key == NULL ||
        (ca = make_cert(ca_key, "relaylab test CA", NULL, NULL,
                        (serial[0] << 16 | serial[1] << 8 | serial[2]) & 0x7fffff, NULL)) == NULL ||
        (cert = make_cert(key, host_name, ca, ca_key, 2, san)) == NULL) {
        tls_fail(err, "cannot make test certificates");
    } else if (!write_pem(dir, "ca.pem", ca, NULL, 0644) ||
               !write_pem(dir, "cert.pem", cert, NULL, 0644) ||
               !write_pem(dir, "key.pem", NULL, key, 0600)) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot write certificates in %s", dir);
    } else {
        ret = 0;
    }
    X509_free(ca);
    X509_free(cert);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    return ret;
}

/*++
 * NAME
 *	smtp_tls 3
 * SUMMARY
 *	the one module that speaks to OpenSSL
 * DESCRIPTION
 *	See smtp_tls.h. Sockets are non-blocking; every wait is a poll()
 *	bounded by the caller's deadline, so a server that stalls in the
 *	middle of a handshake cannot hang the client.
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
};

struct smtp_tls {
    SSL *ssl;
    int fd;
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
        int ok = ca_file ? SSL_CTX_load_verify_locations(ctx->ssl_ctx, ca_file, NULL)
                         : SSL_CTX_set_default_verify_paths(ctx->ssl_ctx);

        if (!ok) {
            smtp_error_set(err, SMTP_ERR_USAGE, 0, "cannot load CA file %s",
                           ca_file ? ca_file : "(system)");
            ERR_clear_error();
            smtp_tls_ctx_free(ctx);
            return NULL;
        }
        SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
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

/* smtp_tls_connect - client handshake */

struct smtp_tls *smtp_tls_connect(struct smtp_tls_ctx *ctx, int fd, const char *sni,
                                  const char *verify_name, long deadline_ms, struct smtp_error *err)
{
    struct smtp_tls *tls = session_new(ctx, fd, err);
    int ret;

    if (tls == NULL)
        return NULL;
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
            smtp_tls_free(tls);
            return NULL;
        }
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

    snprintf(san, sizeof(san), "DNS:%s%s%s", host_name, ip ? ",IP:" : "", ip ? ip : "");
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

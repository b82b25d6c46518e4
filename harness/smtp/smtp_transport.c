/*++
 * NAME
 *	smtp_transport 3
 * SUMMARY
 *	byte transport under the SMTP client: TCP, TLS, or memory
 * DESCRIPTION
 *	See smtp_transport.h. The socket is non-blocking from the start;
 *	every wait is a poll() bounded by the deadline.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "smtp_transport.h"

struct fd_ctx {
    struct smtp_transport transport;
    int fd;
    struct smtp_tls_ctx *tls_ctx;
    struct smtp_tls *tls;
    char sni[256];
    char verify_name[256];
};

/* smtp_transport_now - CLOCK_MONOTONIC milliseconds */

long smtp_transport_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* wait_fd - poll one direction until the deadline */

static int wait_fd(int fd, short events, long deadline_ms, const char *what, struct smtp_error *err)
{
    for (;;) {
        struct pollfd pfd = {fd, events, 0};
        long left = deadline_ms - smtp_transport_now();
        int n;

        if (left <= 0)
            return smtp_error_set(err, SMTP_ERR_TIMEOUT, 0, "timed out %s", what);
        n = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return smtp_error_set(err, SMTP_ERR_CONN, errno, "poll: %s", strerror(errno));
    }
}

/* fd_read - plaintext or TLS read */

static long fd_read(void *vctx, char *buf, size_t size, long deadline_ms, struct smtp_error *err)
{
    struct fd_ctx *ctx = vctx;

    if (ctx->tls)
        return smtp_tls_read(ctx->tls, buf, size, deadline_ms, err);
    for (;;) {
        ssize_t n = read(ctx->fd, buf, size);

        if (n >= 0)
            return (long)n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return smtp_error_set(err, SMTP_ERR_CONN, errno, "read: %s", strerror(errno));
        if (wait_fd(ctx->fd, POLLIN, deadline_ms, "waiting for the server", err) < 0)
            return -1;
    }
}

/* fd_write - write everything */

static long fd_write(void *vctx, const char *buf, size_t len, long deadline_ms,
                     struct smtp_error *err)
{
    struct fd_ctx *ctx = vctx;
    size_t done = 0;

    if (ctx->tls)
        return smtp_tls_write(ctx->tls, buf, len, deadline_ms, err);
    while (done < len) {
        ssize_t n = send(ctx->fd, buf + done, len - done, MSG_NOSIGNAL);

        if (n >= 0) {
            done += (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return smtp_error_set(err, SMTP_ERR_CONN, errno, "write: %s", strerror(errno));
        if (wait_fd(ctx->fd, POLLOUT, deadline_ms, "writing to the server", err) < 0)
            return -1;
    }
    return (long)done;
}

/* fd_starttls - handshake on the connected socket */

static int fd_starttls(void *vctx, long deadline_ms, struct smtp_error *err)
{
    struct fd_ctx *ctx = vctx;

    if (ctx->tls)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "TLS is already active");
    if (ctx->tls_ctx == NULL)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "no TLS context configured");
    ctx->tls =
        smtp_tls_connect(ctx->tls_ctx, ctx->fd, ctx->sni, ctx->verify_name, deadline_ms, err);
    return ctx->tls ? 0 : -1;
}

/* fd_tls_info - describe the TLS session */

static void fd_tls_info(void *vctx, char *buf, size_t size)
{
    struct fd_ctx *ctx = vctx;

    if (size == 0)
        return;
    buf[0] = 0;
    if (ctx->tls)
        smtp_tls_describe(ctx->tls, buf, size);
}

static long fd_now(void *vctx)
{
    (void)vctx;
    return smtp_transport_now();
}

/* fd_close - TLS close_notify, then the socket */

static void fd_close(void *vctx)
{
    struct fd_ctx *ctx = vctx;

    smtp_tls_free(ctx->tls);
    if (ctx->fd >= 0)
        close(ctx->fd);
    free(ctx);
}

static const struct smtp_transport_ops fd_ops = {
    fd_read, fd_write, fd_starttls, fd_tls_info, fd_now, fd_close,
};

/* smtp_transport_fd - wrap a connected socket */

struct smtp_transport *smtp_transport_fd(int fd, struct smtp_tls_ctx *tls_ctx, const char *sni,
                                         const char *verify_name, struct smtp_error *err)
{
    struct fd_ctx *ctx = calloc(1, sizeof(*ctx));
    int fl;

    if (ctx == NULL) {
        close(fd);
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "fcntl: %s", strerror(errno));
        close(fd);
        free(ctx);
        return NULL;
    }
    ctx->fd = fd;
    ctx->tls_ctx = tls_ctx;
    snprintf(ctx->sni, sizeof(ctx->sni), "%s", sni ? sni : "");
    snprintf(ctx->verify_name, sizeof(ctx->verify_name), "%s", verify_name ? verify_name : "");
    ctx->transport.ops = &fd_ops;
    ctx->transport.ctx = ctx;
    return &ctx->transport;
}

/* connect_one - one address, bound to local if given */

static int connect_one(const struct addrinfo *ai, const struct addrinfo *local, long deadline_ms,
                       struct smtp_error *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    int one = 1;
    int so_err = 0;
    socklen_t len = sizeof(so_err);

    if (fd < 0)
        return smtp_error_set(err, SMTP_ERR_CONN, errno, "socket: %s", strerror(errno));
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (local && bind(fd, local->ai_addr, local->ai_addrlen) < 0) {
        smtp_error_set(err, SMTP_ERR_CONN, errno, "bind to local address: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) {
            smtp_error_set(err, SMTP_ERR_CONN, errno, "connect: %s", strerror(errno));
            close(fd);
            return -1;
        }
        if (wait_fd(fd, POLLOUT, deadline_ms, "connecting", err) < 0) {
            close(fd);
            return -1;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_err, &len) < 0 || so_err != 0) {
            smtp_error_set(err, SMTP_ERR_CONN, so_err, "connect: %s", strerror(so_err));
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* smtp_transport_tcp - connect */

struct smtp_transport *smtp_transport_tcp(const struct smtp_tcp_params *params, long deadline_ms,
                                          struct smtp_error *err)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    struct addrinfo *local = NULL;
    struct addrinfo *ai;
    struct smtp_transport *t;
    int fd = -1;
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if ((rc = getaddrinfo(params->host, params->port, &hints, &res)) != 0) {
        smtp_error_set(err, SMTP_ERR_CONN, 0, "cannot resolve %s port %s: %s", params->host,
                       params->port, gai_strerror(rc));
        return NULL;
    }
    if (params->local_address && *params->local_address) {
        hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
        if ((rc = getaddrinfo(params->local_address, NULL, &hints, &local)) != 0) {
            smtp_error_set(err, SMTP_ERR_USAGE, 0, "bad local address %s: %s",
                           params->local_address, gai_strerror(rc));
            freeaddrinfo(res);
            return NULL;
        }
    }
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        if (local && local->ai_family != ai->ai_family)
            continue;
        fd = connect_one(ai, local, deadline_ms, err);
    }
    if (fd < 0 && err && err->cls == SMTP_ERR_NONE)
        smtp_error_set(err, SMTP_ERR_CONN, 0, "no address of %s matches the local address",
                       params->host);
    freeaddrinfo(res);
    if (local)
        freeaddrinfo(local);
    if (fd < 0)
        return NULL;
    t = smtp_transport_fd(fd, params->tls_ctx, params->sni, params->verify_name, err);
    if (t && params->implicit_tls && t->ops->starttls(t->ctx, deadline_ms, err) < 0) {
        smtp_transport_free(t);
        return NULL;
    }
    return t;
}

/* smtp_transport_free - close and release */

void smtp_transport_free(struct smtp_transport *t)
{
    if (t)
        t->ops->close(t->ctx);
}

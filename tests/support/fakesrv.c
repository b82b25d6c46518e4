/*++
 * NAME
 *	fakesrv 3
 * SUMMARY
 *	scripted fake SMTP server for the client's unit tests
 * DESCRIPTION
 *	See fakesrv.h. Everything the thread does is bounded by a 10 s
 *	guard, so a broken client test fails instead of hanging.
 *--*/
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fakesrv.h"
#include "smtp_transport.h"

#define FAKESRV_GUARD_MS 10000
#define FAKESRV_LOG_MAX 65536

struct fakesrv {
    pthread_t thread;
    const struct fakesrv_step *steps;
    size_t n;
    struct smtp_tls_ctx *tls_ctx;
    struct smtp_tls *tls;
    int fd;        /* the served connection */
    int listen_fd; /* for fakesrv_listen, else -1 */
    int failed_step;
    char why[256];
    char inbuf[8192];
    size_t inlen;
    char log[FAKESRV_LOG_MAX];
    size_t loglen;
};

static long guard(void)
{
    return smtp_transport_now() + FAKESRV_GUARD_MS;
}

/* put - write bytes, plaintext or TLS */

static int put(struct fakesrv *fs, const char *buf, size_t len)
{
    size_t done = 0;

    if (fs->tls)
        return smtp_tls_write(fs->tls, buf, len, guard(), NULL) < 0 ? -1 : 0;
    while (done < len) {
        ssize_t n = send(fs->fd, buf + done, len - done, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {fs->fd, POLLOUT, 0};

            if (poll(&p, 1, 1000) <= 0)
                return -1;
            continue;
        }
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* get - some bytes; 0 on EOF */

static long get(struct fakesrv *fs, char *buf, size_t size, long ms)
{
    struct pollfd p = {fs->fd, POLLIN, 0};

    if (fs->tls)
        return smtp_tls_read(fs->tls, buf, size, smtp_transport_now() + ms, NULL);
    for (;;) {
        ssize_t n = recv(fs->fd, buf, size, MSG_DONTWAIT);

        if (n >= 0)
            return (long)n;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        if (poll(&p, 1, (int)ms) <= 0)
            return -1;
    }
}

/* read_line - one line into the log; returns its start or NULL */

static int read_line(struct fakesrv *fs, char *line, size_t size)
{
    for (;;) {
        char *lf = memchr(fs->inbuf, '\n', fs->inlen);
        long n;

        if (lf) {
            size_t len = (size_t)(lf - fs->inbuf) + 1;
            size_t copy = len < size - 1 ? len : size - 1;

            memcpy(line, fs->inbuf, copy);
            line[copy] = 0;
            memmove(fs->inbuf, fs->inbuf + len, fs->inlen - len);
            fs->inlen -= len;
            if (fs->loglen + copy < sizeof(fs->log)) {
                memcpy(fs->log + fs->loglen, line, copy);
                fs->loglen += copy;
                fs->log[fs->loglen] = 0;
            }
            return 0;
        }
        if (fs->inlen == sizeof(fs->inbuf))
            return -1;
        n = get(fs, fs->inbuf + fs->inlen, sizeof(fs->inbuf) - fs->inlen, FAKESRV_GUARD_MS);
        if (n <= 0)
            return -1;
        fs->inlen += (size_t)n;
    }
}

/* silent - wait ms or until the client hangs up */

static void silent(struct fakesrv *fs, long ms)
{
    long end = smtp_transport_now() + ms;
    char buf[512];

    while (smtp_transport_now() < end) {
        long n = get(fs, buf, sizeof(buf), end - smtp_transport_now());

        if (n == 0)
            return;
        if (n < 0 && smtp_transport_now() < end)
            return;
    }
}

/* run_step - one step; -1 on failure with why */

static int run_step(struct fakesrv *fs, const struct fakesrv_step *s)
{
    char line[4096];
    size_t i;

    switch (s->op) {
    case FS_SEND:
        if (put(fs, s->text, s->len ? s->len : strlen(s->text)) < 0) {
            snprintf(fs->why, sizeof(fs->why), "send failed");
            return -1;
        }
        return 0;
    case FS_EXPECT:
        if (read_line(fs, line, sizeof(line)) < 0) {
            snprintf(fs->why, sizeof(fs->why), "expected '%s', got nothing", s->text);
            return -1;
        }
        if (strncmp(line, s->text, strlen(s->text)) != 0) {
            snprintf(fs->why, sizeof(fs->why), "expected '%s', got '%.200s'", s->text, line);
            return -1;
        }
        return 0;
    case FS_STARTTLS: {
        struct smtp_error err;

        smtp_error_clear(&err);
        if ((fs->tls = smtp_tls_accept(fs->tls_ctx, fs->fd, guard(), &err)) == NULL) {
            snprintf(fs->why, sizeof(fs->why), "TLS accept: %s", err.msg);
            return -1;
        }
        return 0;
    }
    case FS_SILENT:
        silent(fs, s->ms);
        return 0;
    case FS_DRIP:
        for (i = 0; i < strlen(s->text); i++) {
            struct timespec ts = {s->ms / 1000, (s->ms % 1000) * 1000000};

            if (put(fs, s->text + i, 1) < 0)
                return 0; /* the client gave up: that is the point */
            nanosleep(&ts, NULL);
        }
        return 0;
    case FS_REPEAT: {
        char chunk[65536];
        size_t left = s->len;

        memset(chunk, s->text[0], sizeof(chunk));
        while (left > 0) {
            size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

            if (put(fs, chunk, n) < 0)
                return 0; /* the client hung up on the flood: fine */
            left -= n;
        }
        (void)put(fs, "\r\n", 2);
        return 0;
    }
    case FS_CLOSE:
        smtp_tls_free(fs->tls);
        fs->tls = NULL;
        shutdown(fs->fd, SHUT_RDWR);
        return 0;
    }
    return -1;
}

static void *serve(void *arg)
{
    struct fakesrv *fs = arg;
    size_t i;

    if (fs->listen_fd >= 0) {
        struct pollfd p = {fs->listen_fd, POLLIN, 0};

        if (poll(&p, 1, FAKESRV_GUARD_MS) <= 0 ||
            (fs->fd = accept(fs->listen_fd, NULL, NULL)) < 0) {
            fs->failed_step = -1;
            snprintf(fs->why, sizeof(fs->why), "no connection");
            return NULL;
        }
    }
    for (i = 0; i < fs->n; i++) {
        if (run_step(fs, &fs->steps[i]) < 0) {
            fs->failed_step = (int)i + 1;
            break;
        }
    }
    /* Let the client read what is left before the socket goes. */
    silent(fs, 2000);
    return NULL;
}

static struct fakesrv *create(const struct fakesrv_step *steps, size_t n, struct smtp_tls_ctx *tls)
{
    struct fakesrv *fs = calloc(1, sizeof(*fs));

    if (fs == NULL)
        return NULL;
    fs->steps = steps;
    fs->n = n;
    fs->tls_ctx = tls;
    fs->fd = -1;
    fs->listen_fd = -1;
    return fs;
}

struct fakesrv *fakesrv_pair(const struct fakesrv_step *steps, size_t n, struct smtp_tls_ctx *tls,
                             int *client_fd)
{
    struct fakesrv *fs = create(steps, n, tls);
    int sv[2];

    if (fs == NULL || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        free(fs);
        return NULL;
    }
    fs->fd = sv[0];
    *client_fd = sv[1];
    if (pthread_create(&fs->thread, NULL, serve, fs) != 0) {
        close(sv[0]);
        close(sv[1]);
        free(fs);
        return NULL;
    }
    return fs;
}

struct fakesrv *fakesrv_listen(const struct fakesrv_step *steps, size_t n, struct smtp_tls_ctx *tls,
                               int *port)
{
    struct fakesrv *fs = create(steps, n, tls);
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int one = 1;

    if (fs == NULL)
        return NULL;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((fs->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        setsockopt(fs->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fs->listen_fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        listen(fs->listen_fd, 1) < 0 ||
        getsockname(fs->listen_fd, (struct sockaddr *)&sin, &len) < 0 ||
        pthread_create(&fs->thread, NULL, serve, fs) != 0) {
        if (fs->listen_fd >= 0)
            close(fs->listen_fd);
        free(fs);
        return NULL;
    }
    *port = ntohs(sin.sin_port);
    return fs;
}

int fakesrv_finish(struct fakesrv *fs)
{
    pthread_join(fs->thread, NULL);
    return fs->failed_step;
}

const char *fakesrv_received(const struct fakesrv *fs)
{
    return fs->log;
}

const char *fakesrv_why(const struct fakesrv *fs)
{
    return fs->why;
}

void fakesrv_free(struct fakesrv *fs)
{
    if (fs == NULL)
        return;
    smtp_tls_free(fs->tls);
    if (fs->fd >= 0)
        close(fs->fd);
    if (fs->listen_fd >= 0)
        close(fs->listen_fd);
    free(fs);
}

struct smtp_tls_ctx *fakesrv_tls_server(char *dir_template, struct smtp_error *err)
{
    char cert[4096], key[4096];

    if (mkdtemp(dir_template) == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "mkdtemp: %s", strerror(errno));
        return NULL;
    }
    if (smtp_tls_make_certs(dir_template, "mx.relaylab.test", "127.0.0.1", err) < 0)
        return NULL;
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir_template);
    snprintf(key, sizeof(key), "%s/key.pem", dir_template);
    return smtp_tls_server_ctx(cert, key, err);
}

/*++
 * NAME
 *	mta_sink 3
 * SUMMARY
 *	capture sink: the next hop for every relayed message
 * DESCRIPTION
 *	See mta_sink.h. One thread, one poll() over the listener, the
 *	connections and a wake-up pipe; every buffer has a hard maximum.
 *--*/
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mta_sink.h"
#include "newfile.h"
#include "smtp_sanitize.h"

#define LINE_BUF 8192
#define RULES_MAX 8
#define MTA_SINK_FILE_MODE 0600 /* captured mail: root's only, even when kept */

struct rule {
    enum smtp_verb verb;
    int hangup;
    char reply[256];
};

struct conn {
    int fd;
    char client[64];
    char in[LINE_BUF];
    size_t inlen;
    int in_data;
    int in_body; /* past the header section of the message being received */
    char *data;
    size_t data_len;
    size_t data_cap;
    int too_big;
    int stalled; /* a reply did not fit in its send buffer: it does not read */
    struct mta_sink_message msg;
};

struct mta_sink {
    pthread_t thread;
    int listen_fd;
    int wake[2];
    char dir[400];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct rule rules[RULES_MAX];
    size_t nrules;
    struct mta_sink_message *msgs;
    size_t nmsgs;
    size_t msgs_cap;
    unsigned long next_id;
    int port;
    struct conn conns[MTA_SINK_CONN_MAX];
};

/*
 * reply - a line to the client; replies are small, so no queueing. Never
 * blocking: the sink is one thread for every connection, and a client
 * that sends without reading its replies (a flood of NOOPs) would stop it
 * for all of them; such a client is hung up on instead.
 */
static void reply(struct conn *c, const char *text)
{
    size_t len = strlen(text);

    if (send(c->fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
        c->stalled = 1;
}

/* conn_close - hang up */

static void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->data);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

/* rule_for - the fault rule for a verb, if any */

static int rule_for(struct mta_sink *s, enum smtp_verb verb, struct rule *out)
{
    size_t i;
    int found = 0;

    pthread_mutex_lock(&s->lock);
    for (i = 0; i < s->nrules && !found; i++) {
        if (s->rules[i].verb == verb) {
            *out = s->rules[i];
            found = 1;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

/* copy_path - the path as the client wrote it, without brackets */

static void copy_path(const struct smtp_path *p, char *buf, size_t size)
{
    if (p->flags & SMTP_PATH_F_NULL)
        buf[0] = 0;
    else if (p->domain)
        snprintf(buf, size, "%.*s@%.*s", (int)p->local_len, p->local, (int)p->domain_len,
                 p->domain);
    else
        snprintf(buf, size, "%.*s", (int)p->local_len, p->local ? p->local : "");
}

/* clean - a client's string as a JSON string: sanitized (it may hold any byte), never NULL */

static json_t *clean(const char *text)
{
    char buf[SMTP_SANITIZE_SIZE(MTA_SINK_ADDR_MAX)];

    smtp_sanitize_str(text, buf, sizeof(buf));
    return json_string(buf);
}

/* store - write the message and its envelope, atomically, and publish it */

static void store(struct mta_sink *s, struct conn *c)
{
    char eml[512];
    char env[512];
    char tmp[520];
    FILE *fp;
    json_t *root;
    json_t *rcpts;
    size_t i;

    pthread_mutex_lock(&s->lock);
    c->msg.id = s->next_id++;
    pthread_mutex_unlock(&s->lock);
    snprintf(eml, sizeof(eml), "%s/msg-%lu.eml", s->dir, c->msg.id);
    snprintf(env, sizeof(env), "%s/msg-%lu.json", s->dir, c->msg.id);
    snprintf(tmp, sizeof(tmp), "%s.tmp", eml);
    if ((fp = newfile_open(tmp, MTA_SINK_FILE_MODE)) != NULL) {
        if (c->data_len)
            fwrite(c->data, 1, c->data_len, fp);
        if (fclose(fp) == 0)
            rename(tmp, eml);
    }
    /*
     * The envelope file is evidence for people (the relay check reads the
     * message in memory): what the client sent, sanitized, and whole or
     * not at all.
     */
    rcpts = json_array();
    for (i = 0; rcpts && i < c->msg.nrcpt; i++)
        if (json_array_append_new(rcpts, clean(c->msg.rcpt[i])) < 0) {
            json_decref(rcpts);
            rcpts = NULL;
        }
    root = rcpts ? json_pack("{s:I, s:o, s:o, s:o, s:o, s:I}", "id", (json_int_t)c->msg.id,
                             "client", clean(c->client), "helo", clean(c->msg.helo), "mail_from",
                             clean(c->msg.mail_from), "rcpt_to", rcpts, "size",
                             (json_int_t)c->data_len)
                 : NULL;
    snprintf(tmp, sizeof(tmp), "%s.tmp", env);
    if (root && (fp = newfile_open(tmp, MTA_SINK_FILE_MODE)) != NULL) {
        int ok = json_dumpf(root, fp, JSON_INDENT(2)) == 0;

        if (fclose(fp) == 0 && ok)
            rename(tmp, env);
        else
            unlink(tmp);
    }
    json_decref(root);
    c->msg.size = c->data_len;
    snprintf(c->msg.client, sizeof(c->msg.client), "%s", c->client);
    snprintf(c->msg.path, sizeof(c->msg.path), "%s", eml);
    pthread_mutex_lock(&s->lock);
    if (s->nmsgs == s->msgs_cap) {
        size_t cap = s->msgs_cap ? 2 * s->msgs_cap : 16;
        struct mta_sink_message *p = realloc(s->msgs, cap * sizeof(*p));

        if (p) {
            s->msgs = p;
            s->msgs_cap = cap;
        }
    }
    if (s->nmsgs < s->msgs_cap)
        s->msgs[s->nmsgs++] = c->msg;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

/* end_transaction - forget the envelope */

static void end_transaction(struct conn *c)
{
    c->in_data = 0;
    c->in_body = 0;
    c->msg.message_id[0] = 0;
    c->data_len = 0;
    c->too_big = 0;
    c->msg.nrcpt = 0;
    c->msg.mail_from[0] = 0;
}

/* header_line - note the first Message-ID (RFC 5322 3.6.4) of the header section */

static void header_line(struct conn *c, const char *line, size_t len)
{
    static const char name[] = "Message-ID:";
    size_t n = sizeof(name) - 1;

    if (len == 0) {
        c->in_body = 1; /* the blank line that ends the header section */
        return;
    }
    if (c->msg.message_id[0] || len <= n || strncasecmp(line, name, n) != 0)
        return;
    line += n;
    len -= n;
    while (len && (*line == ' ' || *line == '\t'))
        line++, len--;
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len >= sizeof(c->msg.message_id))
        len = sizeof(c->msg.message_id) - 1;
    memcpy(c->msg.message_id, line, len);
    c->msg.message_id[len] = 0;
}

/* data_line - one line of the message (RFC 5321 4.5.2 un-stuffing) */

static void data_line(struct mta_sink *s, struct conn *c, const char *line, size_t len)
{
    size_t content = len;

    if (content && line[content - 1] == '\n')
        content--;
    if (content && line[content - 1] == '\r')
        content--;
    if (content == 1 && line[0] == '.') {
        if (c->too_big) {
            reply(c, "552 5.3.4 message too big for the sink\r\n");
        } else {
            char ok[96];

            store(s, c);
            snprintf(ok, sizeof(ok), "250 2.0.0 Ok: stored as msg-%lu\r\n", c->msg.id);
            reply(c, ok);
        }
        end_transaction(c);
        return;
    }
    if (content && line[0] == '.') {
        line++;
        content--;
    }
    if (!c->in_body)
        header_line(c, line, content);
    if (c->too_big || c->data_len + content + 2 > MTA_SINK_MESSAGE_MAX) {
        c->too_big = 1;
        return;
    }
    if (c->data_len + content + 2 > c->data_cap) {
        size_t cap = c->data_cap ? c->data_cap : 8192;
        char *p;

        while (cap < c->data_len + content + 2)
            cap *= 2;
        if ((p = realloc(c->data, cap)) == NULL) {
            c->too_big = 1;
            return;
        }
        c->data = p;
        c->data_cap = cap;
    }
    memcpy(c->data + c->data_len, line, content);
    c->data_len += content;
    memcpy(c->data + c->data_len, "\r\n", 2);
    c->data_len += 2;
}

/* command - one command line; 0 to go on, -1 to hang up */

static int command(struct mta_sink *s, struct conn *c, const char *line, size_t len)
{
    struct smtp_cmd cmd;
    struct rule r;

    (void)smtp_cmd_parse(line, len, len + 1, &cmd);
    if (rule_for(s, cmd.verb, &r)) {
        if (r.hangup)
            return -1;
        reply(c, r.reply);
        reply(c, "\r\n");
        return 0;
    }
    if (cmd.error) {
        reply(c, cmd.verb == SMTP_VERB_UNKNOWN ? "502 5.5.2 command not recognized\r\n"
                                               : "501 5.5.4 syntax error\r\n");
        return 0;
    }
    switch (cmd.verb) {
    case SMTP_VERB_EHLO:
    case SMTP_VERB_HELO:
        snprintf(c->msg.helo, sizeof(c->msg.helo), "%.*s", (int)cmd.arg_len, cmd.arg);
        reply(c, cmd.verb == SMTP_VERB_EHLO
                     ? "250-sink.relaylab.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
                       "250-SMTPUTF8\r\n250 SIZE 33554432\r\n"
                     : "250 sink.relaylab.test\r\n");
        return 0;
    case SMTP_VERB_MAIL:
        copy_path(&cmd.path, c->msg.mail_from, sizeof(c->msg.mail_from));
        c->msg.nrcpt = 0;
        reply(c, "250 2.1.0 Ok\r\n");
        return 0;
    case SMTP_VERB_RCPT:
        if (c->msg.nrcpt == MTA_SINK_RCPT_MAX) {
            reply(c, "452 4.5.3 too many recipients\r\n");
            return 0;
        }
        copy_path(&cmd.path, c->msg.rcpt[c->msg.nrcpt++], MTA_SINK_ADDR_MAX);
        reply(c, "250 2.1.5 Ok\r\n");
        return 0;
    case SMTP_VERB_DATA:
        if (c->msg.nrcpt == 0) {
            reply(c, "554 5.5.1 no valid recipients\r\n");
            return 0;
        }
        c->in_data = 1;
        c->in_body = 0;
        c->data_len = 0;
        c->msg.message_id[0] = 0;
        reply(c, "354 End data with <CR><LF>.<CR><LF>\r\n");
        return 0;
    case SMTP_VERB_RSET:
        end_transaction(c);
        reply(c, "250 2.0.0 Ok\r\n");
        return 0;
    case SMTP_VERB_NOOP:
        reply(c, "250 2.0.0 Ok\r\n");
        return 0;
    case SMTP_VERB_QUIT:
        reply(c, "221 2.0.0 Bye\r\n");
        return -1;
    default:
        reply(c, "502 5.5.1 not implemented by the sink\r\n");
        return 0;
    }
}

/*
 * quick_ack - acknowledge at once. An MTA's SMTP client writes the end of
 * a message (or a pipelined group) in more than one segment; with Nagle
 * on its side, the second waits for our ACK of the first, which Linux
 * delays by 40 ms unless asked (the option does not stick: after every
 * read).
 */
static void quick_ack(int fd)
{
    int one = 1;

    (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

/* conn_input - read and handle complete lines; -1 to hang up */

static int conn_input(struct mta_sink *s, struct conn *c)
{
    ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);
    size_t off = 0;

    if (n <= 0)
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    quick_ack(c->fd);
    c->inlen += (size_t)n;
    for (;;) {
        char *lf = memchr(c->in + off, '\n', c->inlen - off);
        size_t len;

        if (lf == NULL)
            break;
        len = (size_t)(lf - (c->in + off)) + 1;
        if (c->in_data)
            data_line(s, c, c->in + off, len);
        else if (command(s, c, c->in + off, len) < 0)
            return -1;
        off += len;
    }
    if (c->stalled)
        return -1;
    memmove(c->in, c->in + off, c->inlen - off);
    c->inlen -= off;
    if (c->inlen == sizeof(c->in)) {
        if (!c->in_data) {
            reply(c, "500 5.5.0 line too long\r\n");
            return -1;
        }
        /* An over-long data line: keep it, split, in the message. */
        data_line(s, c, c->in, c->inlen);
        c->inlen = 0;
    }
    return 0;
}

static void accept_one(struct mta_sink *s)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = accept4(s->listen_fd, (struct sockaddr *)&sin, &len, SOCK_CLOEXEC);
    size_t i;

    if (fd < 0)
        return;
    for (i = 0; i < MTA_SINK_CONN_MAX; i++) {
        if (s->conns[i].fd < 0) {
            struct conn *c = &s->conns[i];
            struct rule r;

            memset(c, 0, sizeof(*c));
            c->fd = fd;
            /* Every reply is one write: send it at once, never held for an ACK. */
            {
                int one = 1;

                (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            }
            quick_ack(fd);
            inet_ntop(AF_INET, &sin.sin_addr, c->client, sizeof(c->client));
            /* A rule for SMTP_VERB_UNKNOWN with no reply: hang up at once. */
            if (rule_for(s, SMTP_VERB_UNKNOWN, &r) && r.hangup) {
                conn_close(c);
                return;
            }
            reply(c, "220 sink.relaylab.test ESMTP relaylab capture sink\r\n");
            return;
        }
    }
    (void)send(fd, "421 4.3.2 sink busy\r\n", 21, MSG_NOSIGNAL | MSG_DONTWAIT);
    close(fd);
}

static void *sink_main(void *arg)
{
    struct mta_sink *s = arg;
    size_t i;

    for (;;) {
        struct pollfd pfd[MTA_SINK_CONN_MAX + 2];
        size_t map[MTA_SINK_CONN_MAX];
        size_t n = 2;

        pfd[0].fd = s->wake[0];
        pfd[0].events = POLLIN;
        pfd[1].fd = s->listen_fd;
        pfd[1].events = POLLIN;
        for (i = 0; i < MTA_SINK_CONN_MAX; i++) {
            if (s->conns[i].fd >= 0) {
                pfd[n].fd = s->conns[i].fd;
                pfd[n].events = POLLIN;
                map[n - 2] = i;
                n++;
            }
        }
        if (poll(pfd, n, -1) < 0)
            continue;
        if (pfd[0].revents)
            break;
        if (pfd[1].revents & POLLIN)
            accept_one(s);
        for (i = 2; i < n; i++)
            if (pfd[i].revents && conn_input(s, &s->conns[map[i - 2]]) < 0)
                conn_close(&s->conns[map[i - 2]]);
    }
    for (i = 0; i < MTA_SINK_CONN_MAX; i++)
        if (s->conns[i].fd >= 0)
            conn_close(&s->conns[i]);
    return NULL;
}

/* mta_sink_start - listen and serve */

struct mta_sink *mta_sink_start(const char *addr, int port, const char *dir, struct smtp_error *err)
{
    struct mta_sink *s = calloc(1, sizeof(*s));
    struct sockaddr_in sin;
    int one = 1;
    size_t i;

    if (s == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    s->listen_fd = -1;
    s->wake[0] = s->wake[1] = -1;
    for (i = 0; i < MTA_SINK_CONN_MAX; i++)
        s->conns[i].fd = -1;
    snprintf(s->dir, sizeof(s->dir), "%s", dir);
    s->next_id = 1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
        smtp_error_set(err, SMTP_ERR_USAGE, 0, "sink address %s is not IPv4", addr);
        goto fail;
    }
    if ((s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(s->listen_fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        listen(s->listen_fd, 64) < 0) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "sink cannot listen on %s:%d: %s", addr, port,
                       strerror(errno));
        goto fail;
    }
    {
        socklen_t len = sizeof(sin);

        /* Port 0: the kernel picks one; mta_sink_port() tells. */
        if (getsockname(s->listen_fd, (struct sockaddr *)&sin, &len) == 0)
            s->port = ntohs(sin.sin_port);
    }
    if (pipe2(s->wake, O_CLOEXEC) < 0 || pthread_create(&s->thread, NULL, sink_main, s) != 0) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot start the sink thread");
        goto fail;
    }
    return s;
fail:
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->wake[0] >= 0) {
        close(s->wake[0]);
        close(s->wake[1]);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s);
    return NULL;
}

int mta_sink_rule(struct mta_sink *s, enum smtp_verb verb, const char *text)
{
    struct rule *r;

    pthread_mutex_lock(&s->lock);
    if (s->nrules == RULES_MAX) {
        pthread_mutex_unlock(&s->lock);
        return -1;
    }
    r = &s->rules[s->nrules++];
    r->verb = verb;
    r->hangup = text == NULL;
    snprintf(r->reply, sizeof(r->reply), "%s", text ? text : "");
    pthread_mutex_unlock(&s->lock);
    return 0;
}

void mta_sink_clear_rules(struct mta_sink *s)
{
    pthread_mutex_lock(&s->lock);
    s->nrules = 0;
    pthread_mutex_unlock(&s->lock);
}

int mta_sink_port(const struct mta_sink *s)
{
    return s->port;
}

size_t mta_sink_count(struct mta_sink *s)
{
    size_t n;

    pthread_mutex_lock(&s->lock);
    n = s->nmsgs;
    pthread_mutex_unlock(&s->lock);
    return n;
}

int mta_sink_get(struct mta_sink *s, size_t i, struct mta_sink_message *out)
{
    int rc = -1;

    pthread_mutex_lock(&s->lock);
    if (i < s->nmsgs) {
        *out = s->msgs[i];
        rc = 0;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* find - first message from index from to rcpt; caller holds the lock */

static int find(struct mta_sink *s, const char *rcpt, size_t from, struct mta_sink_message *out)
{
    size_t i;
    size_t j;

    for (i = from; i < s->nmsgs; i++) {
        for (j = 0; j < s->msgs[i].nrcpt || (rcpt == NULL && j == 0); j++) {
            if (rcpt == NULL || strcasecmp(s->msgs[i].rcpt[j], rcpt) == 0) {
                if (out)
                    *out = s->msgs[i];
                return 1;
            }
        }
    }
    return 0;
}

int mta_sink_wait(struct mta_sink *s, const char *rcpt, size_t from, long timeout_ms,
                  struct mta_sink_message *out)
{
    struct timespec until;
    int found;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&s->lock);
    while (!(found = find(s, rcpt, from, out))) {
        if (pthread_cond_timedwait(&s->cond, &s->lock, &until) != 0) {
            found = find(s, rcpt, from, out);
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

void mta_sink_stop(struct mta_sink *s)
{
    if (s == NULL)
        return;
    (void)!write(s->wake[1], "x", 1);
    pthread_join(s->thread, NULL);
    close(s->wake[0]);
    close(s->wake[1]);
    close(s->listen_fd);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s->msgs);
    free(s);
}

/*++
 * NAME
 *	cli_send 3
 * SUMMARY
 *	relaylab send: one SMTP dialogue from flags
 * SYNOPSIS
 *	relaylab send --server HOST[:PORT] --from ADDR --to ADDR [options]
 * DESCRIPTION
 *	Flags are spelled like swaks's wherever swaks has the same thing,
 *	so habits carry over. The dialogue runs stage by stage; the exit
 *	code names the stage the server refused, or the class of local
 *	failure (see usage()).
 *--*/
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "report_transcript.h"
#include "engine.h"
#include "engine_pool.h"
#include "smtp_client.h"
#include "smtp_sanitize.h"

#define SEND_RCPT_MAX 100
#define SEND_DATA_MAX (64L * 1024 * 1024)
#define SEND_REPEAT_MAX 10000000L
#define SEND_CONCURRENCY_MAX ENGINE_POOL_MAX

/* Exit codes for local failures, by error class. */
#define EXIT_CONN 4
#define EXIT_TIMEOUT 5
#define EXIT_PROTO 6
#define EXIT_TLS 7

enum stage {
    ST_CONNECT,
    ST_BANNER,
    ST_EHLO,
    ST_STARTTLS,
    ST_HELO,
    ST_AUTH,
    ST_MAIL,
    ST_RCPT,
    ST_DATA,
    ST_MESSAGE,
    ST_QUIT,
    ST_NONE
};

struct stage_row {
    const char *name;  /* --quit-after and JSON name */
    const char *alias; /* swaks's other spelling */
    int refused_exit;  /* exit code when the server refuses here */
};

static const struct stage_row stages[] = {
    [ST_CONNECT] = {"connect", "conn", EXIT_CONN},
    [ST_BANNER] = {"banner", "greeting", 21},
    [ST_EHLO] = {"first-helo", "first-ehlo", 22},
    [ST_STARTTLS] = {"tls", "starttls", 23},
    [ST_HELO] = {"helo", "ehlo", 22},
    [ST_AUTH] = {"auth", "auth", 24},
    [ST_MAIL] = {"mail", "from", 25},
    [ST_RCPT] = {"rcpt", "to", 26},
    [ST_DATA] = {"data", "data", 27},
    [ST_MESSAGE] = {"dot", "message", 28},
    [ST_QUIT] = {"quit", "quit", 0},
};

struct send_opts {
    char host[256];
    char port[16];
    const char *from;
    const char *to[SEND_RCPT_MAX];
    size_t nto;
    const char *helo;
    int tls;
    int tls_on_connect;
    enum smtp_tls_verify verify;
    const char *ca_file;
    const char *sni;
    int auth;
    unsigned auth_mech; /* 0 = best offered */
    const char *user;
    const char *pass;
    enum stage quit_after;
    const char *local;
    long timeout_ms;
    long total_timeout_ms;
    const char *data_file;
    int pipeline;
    int json;
    int silent;
    long repeat;      /* dialogues to run (--repeat) */
    long concurrency; /* at once (--concurrency) */
};

/* usage - send's help */

static void usage(FILE *fp)
{
    fprintf(
        fp,
        "usage: relaylab send --server HOST[:PORT] [options]\n"
        "\n"
        "Runs one SMTP dialogue and prints its transcript (AUTH secrets redacted).\n"
        "\n"
        "  -s, --server HOST[:PORT]  server (IPv6 as [addr]:port); port 25 by default,\n"
        "                            465 with --tls-on-connect\n"
        "  -p, --port PORT           port, overriding --server\n"
        "  -f, --from ADDR           envelope sender (default relaylab@relaylab.test; \"\" for "
        "<>)\n"
        "  -t, --to ADDR             envelope recipient, repeatable (up to %d)\n"
        "      --helo, --ehlo NAME   name for EHLO (default relaylab.test)\n"
        "      --tls                 STARTTLS (RFC 3207), then EHLO again; fail if not offered\n"
        "      --tls-on-connect      TLS before the banner (port 465 style)\n"
        "      --tls-verify[=MODE]   verify the certificate: name (default: chain and host\n"
        "                            name), ca (chain only), none\n"
        "      --tls-ca-path FILE    CA certificates for --tls-verify\n"
        "      --tls-sni NAME        server name to send (default: the host, if a name)\n"
        "  -a, --auth[=MECH]         AUTH (RFC 4954) with PLAIN, LOGIN or CRAM-MD5; without\n"
        "                            MECH the first offered of PLAIN, LOGIN, CRAM-MD5\n"
        "      --auth-user USER      user (implies --auth)\n"
        "      --auth-password PASS  password (or RELAYLAB_AUTH_PASSWORD in the environment)\n"
        "  -q, --quit-after STAGE    stop with QUIT after connect, banner, first-helo, tls,\n"
        "                            helo, auth, mail, rcpt, data or dot\n"
        "      --local-interface IP  bind to this source address (e.g. 127.0.0.9)\n"
        "      --timeout S           seconds for each step (default 30)\n"
        "      --total-timeout S     seconds for the whole dialogue (default 300)\n"
        "  -d, --data FILE           message to send (\"-\" for stdin); default a short\n"
        "                            generated message\n"
        "      --pipeline            send MAIL, RCPT and DATA in one group (RFC 2920)\n"
        "                            when the server offers PIPELINING\n"
        "      --json                print the result and transcript as JSON\n"
        "      --silent              print nothing but the final error\n"
        "  -h, --help                this text\n"
        "\n"
        "exit codes:\n"
        "  0  the dialogue completed        2  usage or input error\n"
        "  3  environment error (a file)    4  connection failed or closed\n"
        "  5  timeout                       6  the server broke the protocol\n"
        "  7  TLS failure\n"
        "  21 banner refused   22 EHLO/HELO refused   23 STARTTLS refused or not offered\n"
        "  24 AUTH refused or not offered  25 MAIL refused   26 no RCPT accepted\n"
        "  27 DATA refused     28 message refused after the final dot\n",
        SEND_RCPT_MAX);
}

/* parse_stage - --quit-after argument */

static enum stage parse_stage(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
        if (strcasecmp(s, stages[i].name) == 0 || strcasecmp(s, stages[i].alias) == 0)
            return (enum stage)i;
    return ST_NONE;
}

/* parse_server - HOST, HOST:PORT, [V6], [V6]:PORT */

static int parse_server(const char *s, struct send_opts *o)
{
    const char *colon;
    size_t hlen;

    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (close == NULL)
            return -1;
        hlen = (size_t)(close - s - 1);
        if (hlen == 0 || hlen >= sizeof(o->host))
            return -1;
        memcpy(o->host, s + 1, hlen);
        o->host[hlen] = 0;
        colon = close[1] == ':' ? close + 1 : NULL;
        if (close[1] && !colon)
            return -1;
    } else {
        colon = strrchr(s, ':');
        if (colon && strchr(s, ':') != colon)
            colon = NULL; /* bare IPv6 address, no port */
        hlen = colon ? (size_t)(colon - s) : strlen(s);
        if (hlen == 0 || hlen >= sizeof(o->host))
            return -1;
        memcpy(o->host, s, hlen);
        o->host[hlen] = 0;
    }
    if (colon) {
        if (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(o->port) ||
            strspn(colon + 1, "0123456789") != strlen(colon + 1))
            return -1;
        snprintf(o->port, sizeof(o->port), "%s", colon + 1); /* length checked above */
    }
    return 0;
}

/* read_data - the message file, bounded */

static char *read_data(const char *path, size_t *len)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 8192;
    size_t used = 0;
    char *buf;

    if (fp == NULL)
        return NULL;
    if ((buf = malloc(cap)) == NULL)
        goto fail;
    for (;;) {
        size_t n;

        if (used == cap) {
            char *p;

            if (cap >= (size_t)SEND_DATA_MAX) {
                errno = EFBIG;
                goto fail;
            }
            cap *= 2;
            if ((p = realloc(buf, cap)) == NULL)
                goto fail;
            buf = p;
        }
        n = fread(buf + used, 1, cap - used, fp);
        used += n;
        if (n == 0)
            break;
    }
    if (ferror(fp))
        goto fail;
    if (fp != stdin)
        fclose(fp);
    *len = used;
    return buf;
fail:
    free(buf);
    if (fp != stdin)
        fclose(fp);
    return NULL;
}

/* default_message - a short RFC 5322 message */

static char *default_message(const struct send_opts *o, size_t *len)
{
    char date[64];
    char *buf;
    time_t now = time(NULL);
    struct tm tm;
    size_t cap = 1024 + o->nto * 1024;
    size_t used;
    size_t i;

    if ((buf = malloc(cap)) == NULL)
        return NULL;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    used = (size_t)snprintf(buf, cap, "Date: %s\nFrom: <%s>\nTo: ", date, o->from);
    for (i = 0; i < o->nto && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s<%s>", i ? ", " : "", o->to[i]);
    if (used < cap)
        used += (size_t)snprintf(buf + used, cap - used,
                                 "\nSubject: relaylab test %s\n"
                                 "Message-Id: <relaylab.%ld.%ld@%s>\n"
                                 "X-Mailer: relaylab\n\n"
                                 "This is a test message sent by relaylab.\n",
                                 date, (long)now, (long)getpid(), o->helo);
    *len = used < cap ? used : cap - 1;
    return buf;
}

struct outcome {
    enum stage stage; /* where it ended; ST_NONE when it completed */
    int exit_code;
    struct smtp_error err;
};

/* verdict - the outcome of a stage the engine ran; 0 to go on */

static int verdict(struct engine *e, enum engine_verdict v, enum stage st, struct outcome *out)
{
    const struct smtp_error *err = &engine_last(e)->err;

    if (v == ENGINE_OK)
        return 0;
    out->stage = st;
    out->err = *err;
    if (v == ENGINE_REFUSED) {
        out->exit_code = stages[st].refused_exit;
        return -1;
    }
    switch (err->cls) {
    case SMTP_ERR_TIMEOUT:
        out->exit_code = EXIT_TIMEOUT;
        break;
    case SMTP_ERR_PROTO:
        out->exit_code = EXIT_PROTO;
        break;
    case SMTP_ERR_TLS:
        out->exit_code = EXIT_TLS;
        break;
    case SMTP_ERR_USAGE:
        out->exit_code = CLI_EXIT_USAGE;
        break;
    case SMTP_ERR_INTERNAL:
        out->exit_code = CLI_EXIT_ENV;
        break;
    default:
        out->exit_code = EXIT_CONN;
        break;
    }
    return -1;
}

/* stage - one stage through the engine, then stop if --quit-after says so */

static int stage(struct engine *e, const struct engine_step *step, enum stage st,
                 const struct send_opts *o, struct outcome *out)
{
    if (verdict(e, engine_step(e, step), st, out) < 0)
        return -1;
    return o->quit_after == st ? -1 : 0;
}

/* dialogue - the stages in order; fills out */

static void dialogue(struct engine *e, const struct send_opts *o, struct smtp_tls_ctx *tls,
                     const char *body, size_t body_len, struct outcome *out)
{
    static const struct engine_expect greeting = {2, 1, NULL, NULL};
    static const struct engine_expect ok = {250, 0, NULL, NULL};
    static const struct engine_expect ready = {220, 0, NULL, NULL};
    static const struct engine_expect authed = {235, 0, NULL, NULL};
    struct smtp_tcp_params tcp = {0};
    int codes[SEND_RCPT_MAX + 2];
    struct engine_step st;
    enum engine_verdict v;

    tcp.host = o->host;
    tcp.port = o->port;
    tcp.local_address = o->local;
    tcp.implicit_tls = o->tls_on_connect;
    tcp.tls_ctx = tls;
    tcp.sni = o->sni ? o->sni : o->host;
    tcp.verify_name = o->verify == SMTP_TLS_VERIFY_NAME ? (o->sni ? o->sni : o->host) : NULL;

    /* Every stage that fails sets the whole record: nothing stale is left. */
    memset(out, 0, sizeof(*out));
    out->stage = ST_NONE;
    st = (struct engine_step){.op = ENGINE_CONNECT, .tcp = &tcp};
    if (stage(e, &st, ST_CONNECT, o, out) < 0)
        goto quit;
    st = (struct engine_step){.op = ENGINE_READ, .name = "banner", .expect = &greeting};
    if (stage(e, &st, ST_BANNER, o, out) < 0)
        goto quit;
    st = (struct engine_step){
        .op = ENGINE_EHLO, .name = "first-helo", .arg = o->helo, .helo_fallback = 1, .expect = &ok};
    if (stage(e, &st, ST_EHLO, o, out) < 0)
        goto quit;
    if (o->tls) {
        st = (struct engine_step){
            .op = ENGINE_STARTTLS, .name = "tls", .need_offered = 1, .expect = &ready};
        if (stage(e, &st, ST_STARTTLS, o, out) < 0)
            goto quit;
        st = (struct engine_step){.op = ENGINE_EHLO, .name = "helo", .arg = o->helo, .expect = &ok};
        if (stage(e, &st, ST_HELO, o, out) < 0)
            goto quit;
    }
    if (o->auth) {
        st = (struct engine_step){.op = ENGINE_AUTH,
                                  .mech = o->auth_mech,
                                  .user = o->user,
                                  .pass = o->pass,
                                  .need_offered = 1,
                                  .expect = &authed};
        if (stage(e, &st, ST_AUTH, o, out) < 0)
            goto quit;
    }
    if (o->quit_after < ST_MAIL)
        goto quit;
    st = (struct engine_step){.op = ENGINE_ENVELOPE,
                              .arg = o->from,
                              .rcpts = o->to,
                              .nrcpts = o->nto,
                              .with_data = o->quit_after >= ST_DATA,
                              .codes = codes};
    v = engine_step(e, &st);
    if (verdict(e, v, (enum stage)(ST_MAIL + engine_last(e)->envelope_part), out) < 0 ||
        o->quit_after < ST_DATA)
        goto quit;
    /* --quit-after data: swaks stops here too; end the message so QUIT is a command. */
    st = (struct engine_step){.op = ENGINE_MESSAGE,
                              .body = o->quit_after == ST_DATA ? "" : body,
                              .len = o->quit_after == ST_DATA ? 0 : body_len,
                              .expect = o->quit_after == ST_DATA ? NULL : &ok};
    (void)verdict(e, engine_step(e, &st), ST_MESSAGE, out);
quit:
    /* A failed QUIT changes nothing: the verdict was reached before it. */
    if (engine_open(e)) {
        st = (struct engine_step){.op = ENGINE_QUIT};
        (void)engine_step(e, &st);
    }
    engine_close(e);
}

/* print_json - the whole result as one JSON object; 0, or -1 when it could not be built */

static int print_json(const struct send_opts *o, struct engine *e, const struct outcome *out)
{
    json_t *root;
    json_t *tx = report_transcript_json(engine_transcript(e));
    char host[SMTP_SANITIZE_SIZE(sizeof(o->host))], msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];
    int bad = 0;

    if (tx == NULL)
        return -1;
    smtp_sanitize_str(o->host, host, sizeof(host));
    root = json_pack("{s:s, s:s, s:s, s:i, s:s, s:b, s:I, s:o}", "server", host, "port", o->port,
                     "result",
                     out->exit_code == 0              ? "ok"
                     : out->err.cls == SMTP_ERR_REPLY ? "refused"
                                                      : "error",
                     "exit_code", out->exit_code, "stage",
                     out->stage == ST_NONE ? "done" : stages[out->stage].name, "tls", engine_tls(e),
                     "elapsed_ms", (json_int_t)engine_elapsed(e), "transcript", tx);
    if (root == NULL)
        return -1;
    if (out->exit_code != 0) {
        json_t *err;

        smtp_sanitize_str(out->err.msg, msg, sizeof(msg));
        err = json_pack("{s:s, s:s}", "class", smtp_error_class_name(out->err.cls), "message", msg);
        if (err && out->err.code)
            bad |= json_object_set_new(err, "code", json_integer(out->err.code));
        if (err && out->err.enhanced[0])
            bad |= json_object_set_new(err, "enhanced", json_string(out->err.enhanced));
        if (err && out->err.reply[0]) /* smtp_error_set_reply sanitized it */
            bad |= json_object_set_new(err, "reply", json_string(out->err.reply));
        bad |= json_object_set_new(root, "error", err);
    }
    if (bad || json_dumpf(root, stdout, JSON_INDENT(2)) < 0) {
        json_decref(root);
        return -1;
    }
    fputc('\n', stdout);
    json_decref(root);
    return 0;
}

/* one_dialogue - an engine, one dialogue, its outcome; the engine is returned */

static struct engine *one_dialogue(const struct send_opts *o, const struct engine_params *params,
                                   struct smtp_tls_ctx *tls, const char *body, size_t body_len,
                                   struct outcome *out)
{
    struct engine *e = engine_new(params);

    memset(out, 0, sizeof(*out));
    if (e == NULL) {
        smtp_error_set(&out->err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        out->stage = ST_CONNECT;
        out->exit_code = CLI_EXIT_ENV;
        return NULL;
    }
    dialogue(e, o, tls, body, body_len, out);
    return e;
}

struct repeat_state {
    const struct send_opts *o;
    const struct engine_params *params;
    struct smtp_tls_ctx *tls;
    const char *body;
    size_t body_len;
    long failed; /* atomically */
    pthread_mutex_t lock;
    int have_failure;
    struct outcome first; /* under lock */
    char *first_transcript;
};

/* repeat_one - one dialogue of --repeat, on a pool worker */

static void repeat_one(void *arg, size_t item)
{
    struct repeat_state *st = arg;

    (void)item;
    {
        struct outcome out;
        struct engine *e = one_dialogue(st->o, st->params, st->tls, st->body, st->body_len, &out);

        if (out.exit_code != 0) {
            __atomic_fetch_add(&st->failed, 1, __ATOMIC_RELAXED);
            pthread_mutex_lock(&st->lock);
            if (!st->have_failure) {
                size_t size = 0;
                FILE *mem = open_memstream(&st->first_transcript, &size);

                st->have_failure = 1;
                st->first = out;
                if (mem && e)
                    smtp_transcript_write(mem, engine_transcript(e), 0);
                if (mem)
                    fclose(mem);
            }
            pthread_mutex_unlock(&st->lock);
        }
        engine_free(e);
    }
}

/* run_repeat - --repeat N [--concurrency C]; returns the exit code */

static int run_repeat(const struct send_opts *o, const struct engine_params *params,
                      struct smtp_tls_ctx *tls, const char *body, size_t body_len)
{
    struct repeat_state st;
    long started = smtp_transport_now();
    long nthreads = o->concurrency < o->repeat ? o->concurrency : o->repeat;
    int threads;
    double secs;
    int json_failed = 0;

    memset(&st, 0, sizeof(st));
    st.o = o;
    st.params = params;
    st.tls = tls;
    st.body = body;
    st.body_len = body_len;
    pthread_mutex_init(&st.lock, NULL);
    if ((threads = engine_pool_run((size_t)nthreads, (size_t)o->repeat, repeat_one, &st)) < 0) {
        fprintf(stderr, "relaylab send: cannot start threads: %s\n", strerror(errno));
        pthread_mutex_destroy(&st.lock);
        return CLI_EXIT_ENV;
    }
    nthreads = threads > 0 ? threads : 1;
    secs = (double)(smtp_transport_now() - started) / 1000.0;
    if (secs <= 0)
        secs = 0.001;
    if (o->json) {
        json_t *root =
            json_pack("{s:I, s:I, s:I, s:f, s:f}", "dialogues", (json_int_t)o->repeat, "failed",
                      (json_int_t)st.failed, "concurrency", (json_int_t)nthreads, "seconds", secs,
                      "per_second", (double)o->repeat / secs);

        int bad = root == NULL;

        if (root && st.have_failure) {
            char msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];
            json_t *f;

            smtp_sanitize_str(st.first.err.msg, msg, sizeof(msg));
            f = json_pack("{s:s, s:i, s:s, s:s}", "stage", stages[st.first.stage].name, "exit_code",
                          st.first.exit_code, "class", smtp_error_class_name(st.first.err.cls),
                          "message", msg);
            bad |= json_object_set_new(root, "first_failure", f) < 0;
        }
        if (!bad && json_dumpf(root, stdout, JSON_INDENT(2)) < 0)
            bad = 1;
        json_decref(root);
        if (bad) {
            fprintf(stderr, "relaylab send: cannot write JSON\n");
            json_failed = 1;
        } else {
            fputc('\n', stdout);
        }
    } else {
        if (st.have_failure && !o->silent && st.first_transcript)
            fputs(st.first_transcript, stdout);
        printf("relaylab send: %ld dialogues, %ld at once, in %.3f s: %.1f dialogues/s, %ld "
               "failed\n",
               o->repeat, nthreads, secs, (double)o->repeat / secs, st.failed);
    }
    if (st.have_failure) {
        char msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];

        smtp_sanitize_str(st.first.err.msg, msg, sizeof(msg));
        fprintf(stderr, "relaylab send: first failure: %s: %s%s%s (exit %d)\n",
                stages[st.first.stage].name, msg, st.first.err.reply[0] ? ": " : "",
                st.first.err.reply, st.first.exit_code);
    }
    free(st.first_transcript);
    pthread_mutex_destroy(&st.lock);
    if (json_failed)
        return CLI_EXIT_ENV;
    return st.have_failure ? st.first.exit_code : CLI_EXIT_OK;
}

/* cli_send - "relaylab send" */

int cli_send(int argc, char **argv)
{
    enum {
        OPT_HELO = 256,
        OPT_TLS,
        OPT_TLS_ON_CONNECT,
        OPT_TLS_VERIFY,
        OPT_CA,
        OPT_SNI,
        OPT_USER,
        OPT_PASS,
        OPT_LOCAL,
        OPT_TIMEOUT,
        OPT_TOTAL,
        OPT_PIPELINE,
        OPT_JSON,
        OPT_SILENT,
        OPT_REPEAT,
        OPT_CONCURRENCY
    };
    static const struct option longopts[] = {
        {"server", required_argument, 0, 's'},
        {"port", required_argument, 0, 'p'},
        {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'},
        {"helo", required_argument, 0, OPT_HELO},
        {"ehlo", required_argument, 0, OPT_HELO},
        {"tls", no_argument, 0, OPT_TLS},
        {"tls-on-connect", no_argument, 0, OPT_TLS_ON_CONNECT},
        {"tls-verify", optional_argument, 0, OPT_TLS_VERIFY},
        {"tls-ca-path", required_argument, 0, OPT_CA},
        {"tls-sni", required_argument, 0, OPT_SNI},
        {"auth", optional_argument, 0, 'a'},
        {"auth-user", required_argument, 0, OPT_USER},
        {"auth-password", required_argument, 0, OPT_PASS},
        {"quit-after", required_argument, 0, 'q'},
        {"local-interface", required_argument, 0, OPT_LOCAL},
        {"timeout", required_argument, 0, OPT_TIMEOUT},
        {"total-timeout", required_argument, 0, OPT_TOTAL},
        {"data", required_argument, 0, 'd'},
        {"pipeline", no_argument, 0, OPT_PIPELINE},
        {"json", no_argument, 0, OPT_JSON},
        {"silent", no_argument, 0, OPT_SILENT},
        {"repeat", required_argument, 0, OPT_REPEAT},
        {"concurrency", required_argument, 0, OPT_CONCURRENCY},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct send_opts o;
    struct engine_params params;
    struct engine *e;
    struct smtp_tls_ctx *tls = NULL;
    struct smtp_error err;
    struct outcome out;
    const char *port_opt = NULL;
    char *body;
    size_t body_len = 0;
    long long num;
    int ch;

    memset(&o, 0, sizeof(o));
    o.from = "relaylab@relaylab.test";
    o.helo = "relaylab.test";
    o.quit_after = ST_QUIT;
    o.timeout_ms = SMTP_CLIENT_STEP_TIMEOUT_DEFAULT;
    o.total_timeout_ms = SMTP_CLIENT_TOTAL_TIMEOUT_DEFAULT;
    o.pass = getenv("RELAYLAB_AUTH_PASSWORD");
    o.repeat = 1;
    o.concurrency = 1;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":s:p:f:t:a::q:d:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 's':
            if (parse_server(optarg, &o) < 0) {
                fprintf(stderr, "relaylab send: bad --server '%s' (HOST[:PORT])\n", optarg);
                return CLI_EXIT_USAGE;
            }
            if (o.port[0] && cli_number("--server: port", o.port, 1, 65535, &num) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'p':
            port_opt = optarg;
            break;
        case 'f':
            o.from = optarg;
            break;
        case 't':
            if (o.nto == SEND_RCPT_MAX) {
                fprintf(stderr, "relaylab send: more than %d --to\n", SEND_RCPT_MAX);
                return CLI_EXIT_USAGE;
            }
            o.to[o.nto++] = optarg;
            break;
        case OPT_HELO:
            o.helo = optarg;
            break;
        case OPT_TLS:
            o.tls = 1;
            break;
        case OPT_TLS_ON_CONNECT:
            o.tls_on_connect = 1;
            break;
        case OPT_TLS_VERIFY:
            if (optarg == NULL || strcmp(optarg, "name") == 0)
                o.verify = SMTP_TLS_VERIFY_NAME;
            else if (strcmp(optarg, "ca") == 0)
                o.verify = SMTP_TLS_VERIFY_CA;
            else if (strcmp(optarg, "none") == 0)
                o.verify = SMTP_TLS_VERIFY_NONE;
            else {
                fprintf(stderr, "relaylab send: --tls-verify is name, ca or none\n");
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_CA:
            o.ca_file = optarg;
            break;
        case OPT_SNI:
            o.sni = optarg;
            break;
        case 'a':
            o.auth = 1;
            /* swaks spells it "--auth LOGIN": take a following mechanism name. */
            if (optarg == NULL && optind < argc &&
                smtp_ehlo_auth_mech(argv[optind], strlen(argv[optind])) != 0)
                optarg = argv[optind++];
            if (optarg && (o.auth_mech = smtp_ehlo_auth_mech(optarg, strlen(optarg))) == 0) {
                fprintf(stderr, "relaylab send: --auth is PLAIN, LOGIN or CRAM-MD5\n");
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_USER:
            o.user = optarg;
            o.auth = 1;
            break;
        case OPT_PASS:
            o.pass = optarg;
            break;
        case 'q':
            if ((o.quit_after = parse_stage(optarg)) == ST_NONE) {
                fprintf(stderr, "relaylab send: bad --quit-after '%s'\n", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_LOCAL:
            o.local = optarg;
            break;
        case OPT_TIMEOUT:
        case OPT_TOTAL:
            if (cli_seconds(ch == OPT_TIMEOUT ? "--timeout" : "--total-timeout", optarg,
                            ch == OPT_TIMEOUT ? &o.timeout_ms : &o.total_timeout_ms) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'd':
            o.data_file = optarg;
            break;
        case OPT_PIPELINE:
            o.pipeline = 1;
            break;
        case OPT_JSON:
            o.json = 1;
            break;
        case OPT_SILENT:
            o.silent = 1;
            break;
        case OPT_REPEAT:
            if (cli_number("--repeat", optarg, 1, SEND_REPEAT_MAX, &num) < 0)
                return CLI_EXIT_USAGE;
            o.repeat = (long)num;
            break;
        case OPT_CONCURRENCY:
            if (cli_number("--concurrency", optarg, 1, SEND_CONCURRENCY_MAX, &num) < 0)
                return CLI_EXIT_USAGE;
            o.concurrency = (long)num;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            fprintf(stderr, "relaylab send: %s needs an argument\n", argv[optind - 1]);
            return CLI_EXIT_USAGE;
        default:
            fprintf(stderr, "relaylab send: unknown option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "relaylab send: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (o.host[0] == 0) {
        fprintf(stderr, "relaylab send: --server is required\n");
        return CLI_EXIT_USAGE;
    }
    if (port_opt) {
        if (cli_number("--port", port_opt, 1, 65535, &num) < 0)
            return CLI_EXIT_USAGE;
        snprintf(o.port, sizeof(o.port), "%lld", num);
    }
    if (o.port[0] == 0)
        snprintf(o.port, sizeof(o.port), "%s", o.tls_on_connect ? "465" : "25");
    if (o.tls && o.tls_on_connect) {
        fprintf(stderr, "relaylab send: --tls and --tls-on-connect exclude each other\n");
        return CLI_EXIT_USAGE;
    }
    if (o.nto == 0 && o.quit_after >= ST_MAIL) {
        fprintf(stderr, "relaylab send: --to is required (or --quit-after before rcpt)\n");
        return CLI_EXIT_USAGE;
    }
    if (o.auth && (o.user == NULL || o.pass == NULL)) {
        fprintf(stderr, "relaylab send: --auth needs --auth-user and --auth-password\n");
        return CLI_EXIT_USAGE;
    }
    if (o.data_file) {
        if ((body = read_data(o.data_file, &body_len)) == NULL) {
            fprintf(stderr, "relaylab send: cannot read --data %s: %s\n", o.data_file,
                    strerror(errno));
            return CLI_EXIT_ENV;
        }
    } else if ((body = default_message(&o, &body_len)) == NULL) {
        fprintf(stderr, "relaylab send: out of memory\n");
        return CLI_EXIT_ENV;
    }
    smtp_error_clear(&err);
    if ((o.tls || o.tls_on_connect) &&
        (tls = smtp_tls_client_ctx(o.verify, o.ca_file, &err)) == NULL) {
        cli_error("send", err.msg);
        free(body);
        return CLI_EXIT_ENV;
    }
    engine_params_default(&params);
    params.step_timeout_ms = o.timeout_ms;
    params.total_timeout_ms = o.total_timeout_ms;
    params.pipelining = o.pipeline;
    if (o.repeat > 1 || o.concurrency > 1) {
        int rc = run_repeat(&o, &params, tls, body, body_len);

        smtp_tls_ctx_free(tls);
        free(body);
        return rc;
    }
    if ((e = one_dialogue(&o, &params, tls, body, body_len, &out)) == NULL) {
        fprintf(stderr, "relaylab send: out of memory\n");
        free(body);
        smtp_tls_ctx_free(tls);
        return CLI_EXIT_ENV;
    }
    if (o.json) {
        /* The dialogue's verdict cannot be told without its JSON: environment error. */
        if (print_json(&o, e, &out) < 0) {
            fprintf(stderr, "relaylab send: cannot write JSON\n");
            out.exit_code = CLI_EXIT_ENV;
        }
    } else if (!o.silent) {
        smtp_transcript_write(stdout, engine_transcript(e), isatty(1));
    }
    fflush(stdout);
    if (out.exit_code != 0 && !o.json) {
        char msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];

        const char *name = stages[out.stage].name;
        size_t n = strlen(name);

        smtp_sanitize_str(out.err.msg, msg, sizeof(msg));
        /* "connect: connect: ..." says it twice: name the stage once. */
        if (strncmp(msg, name, n) == 0 && (msg[n] == ' ' || msg[n] == ':'))
            fprintf(stderr, "relaylab send: %s", msg);
        else
            fprintf(stderr, "relaylab send: %s: %s", name, msg);
        if (out.err.reply[0]) /* sanitized by smtp_error_set_reply */
            fprintf(stderr, ": %s", out.err.reply);
        fprintf(stderr, " (exit %d)\n", out.exit_code);
    }
    engine_free(e);
    smtp_tls_ctx_free(tls);
    free(body);
    return out.exit_code;
}

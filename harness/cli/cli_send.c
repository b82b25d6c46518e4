/*++
 * NAME
 *	cli_send 3
 * SUMMARY
 *	relaylab send: one SMTP dialogue from flags
 * SYNOPSIS
 *	relaylab send --server HOST[:PORT] --from ADDR --to ADDR [options]
 * DESCRIPTION
 *	Flags are spelled like swaks's wherever swaks has the same thing,
 *	so habits carry over. The flags become engine_send's parameters;
 *	the dialogue runs there, stage by stage; the exit code names the
 *	stage the server refused, or the class of local failure (see
 *	usage()).
 *--*/
#include <errno.h>
#include <getopt.h> /* no_argument, optind */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine_pool.h"
#include "engine_send.h"
#include "report_send.h"
#include "smtp_sanitize.h"

#define SEND_DATA_MAX (64L * 1024 * 1024)
#define SEND_REPEAT_MAX 10000000L

/* Exit codes for local failures, by error class. */
#define EXIT_CONN 4
#define EXIT_TIMEOUT 5
#define EXIT_PROTO 6
#define EXIT_TLS 7

/* refused_exit - the exit code when the server refuses at a stage */
static const int refused_exit[] = {
    [ENGINE_SEND_CONNECT] = EXIT_CONN, [ENGINE_SEND_BANNER] = 21, [ENGINE_SEND_EHLO] = 22,
    [ENGINE_SEND_STARTTLS] = 23,       [ENGINE_SEND_HELO] = 22,   [ENGINE_SEND_AUTH] = 24,
    [ENGINE_SEND_MAIL] = 25,           [ENGINE_SEND_RCPT] = 26,   [ENGINE_SEND_DATA] = 27,
    [ENGINE_SEND_MESSAGE] = 28,        [ENGINE_SEND_QUIT] = 0,
};

/* What the flags say beyond engine_send's parameters. */
struct send_opts {
    struct engine_send_params p;
    const char *port;      /* --port, checked after --server */
    const char *ca_file;   /* --tls-ca-path */
    const char *data_file; /* --data */
    int json;
    int silent;
    int argc; /* for --auth's following word */
    char **argv;
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
        ENGINE_SEND_RCPT_MAX);
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

/* exit_code - the exit code for an outcome */

static int exit_code(const struct engine_send_outcome *out)
{
    if (out->verdict == ENGINE_OK)
        return CLI_EXIT_OK;
    if (out->verdict == ENGINE_REFUSED)
        return refused_exit[out->stage];
    switch (out->err.cls) {
    case SMTP_ERR_TIMEOUT:
        return EXIT_TIMEOUT;
    case SMTP_ERR_PROTO:
        return EXIT_PROTO;
    case SMTP_ERR_TLS:
        return EXIT_TLS;
    case SMTP_ERR_USAGE:
        return CLI_EXIT_USAGE;
    case SMTP_ERR_INTERNAL:
        return CLI_EXIT_ENV;
    default:
        return EXIT_CONN;
    }
}

/* print_failure - "relaylab send: STAGE: MESSAGE[: REPLY] (exit N)" on stderr */

static void print_failure(const char *prefix, const struct engine_send_outcome *out, int rc)
{
    char msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];
    const char *name = engine_send_stage_name(out->stage);
    size_t n = strlen(name);

    smtp_sanitize_str(out->err.msg, msg, sizeof(msg));
    /* "connect: connect: ..." says it twice: name the stage once. */
    if (prefix == NULL && strncmp(msg, name, n) == 0 && (msg[n] == ' ' || msg[n] == ':'))
        fprintf(stderr, "relaylab send: %s", msg);
    else
        fprintf(stderr, "relaylab send: %s%s: %s", prefix ? prefix : "", name, msg);
    if (out->err.reply[0]) /* sanitized by smtp_error_set_reply */
        fprintf(stderr, ": %s", out->err.reply);
    fprintf(stderr, " (exit %d)\n", rc);
}

/* send_repeat - --repeat N [--concurrency C]; the exit code */

static int send_repeat(const struct send_opts *o)
{
    struct engine_send_repeat_result res;
    int first = CLI_EXIT_OK, rc;
    double secs;

    if (engine_send_repeat(&o->p, &res) < 0) {
        fprintf(stderr, "relaylab send: cannot start threads: %s\n", strerror(errno));
        return CLI_EXIT_ENV;
    }
    if (res.have_failure)
        first = exit_code(&res.first);
    rc = first;
    secs = res.elapsed_ms > 0 ? (double)res.elapsed_ms / 1000.0 : 0.001;
    if (o->json) {
        if (report_send_repeat_json(stdout, &o->p, &res, first) < 0) {
            fprintf(stderr, "relaylab send: cannot write JSON\n");
            rc = CLI_EXIT_ENV;
        }
    } else {
        if (res.have_failure && !o->silent && res.first_transcript)
            fputs(res.first_transcript, stdout);
        printf("relaylab send: %ld dialogues, %d at once, in %.3f s: %.1f dialogues/s, %ld "
               "failed\n",
               o->p.repeat, res.threads, secs, (double)o->p.repeat / secs, res.failed);
    }
    if (res.have_failure)
        print_failure("first failure: ", &res.first, first);
    free(res.first_transcript);
    return rc;
}

/* send_one - one dialogue, its transcript or JSON; the exit code */

static int send_one(const struct send_opts *o)
{
    struct engine_send_outcome out;
    int rc;

    engine_send(&o->p, &out);
    if (out.engine == NULL) {
        fprintf(stderr, "relaylab send: out of memory\n");
        return CLI_EXIT_ENV;
    }
    rc = exit_code(&out);
    if (o->json) {
        /* The dialogue's verdict cannot be told without its JSON: environment error. */
        if (report_send_json(stdout, &o->p, &out, rc) < 0) {
            fprintf(stderr, "relaylab send: cannot write JSON\n");
            rc = CLI_EXIT_ENV;
        }
    } else if (!o->silent) {
        smtp_transcript_write(stdout, engine_transcript(out.engine), isatty(1));
    }
    fflush(stdout);
    if (rc != 0 && !o->json)
        print_failure(NULL, &out, rc);
    engine_free(out.engine);
    return rc;
}

/* opt_server - --server HOST[:PORT] */

static int opt_server(void *ctx, char *value)
{
    struct engine_send_params *p = &((struct send_opts *)ctx)->p;
    long long num;

    if (engine_send_server(value, p) < 0) {
        fprintf(stderr, "relaylab send: bad --server '%s' (HOST[:PORT])\n", value);
        return CLI_EXIT_USAGE;
    }
    if (p->port[0] && cli_number("--server: port", p->port, 1, 65535, &num) < 0)
        return CLI_EXIT_USAGE;
    return 0;
}

/* opt_to - --to ADDR, repeatable */

static int opt_to(void *ctx, char *value)
{
    struct engine_send_params *p = &((struct send_opts *)ctx)->p;

    if (p->nto == ENGINE_SEND_RCPT_MAX) {
        fprintf(stderr, "relaylab send: more than %d --to\n", ENGINE_SEND_RCPT_MAX);
        return CLI_EXIT_USAGE;
    }
    p->to[p->nto++] = value;
    return 0;
}

/* opt_verify - --tls-verify[=name|ca|none] */

static int opt_verify(void *ctx, char *value)
{
    struct engine_send_params *p = &((struct send_opts *)ctx)->p;

    if (value == NULL || strcmp(value, "name") == 0)
        p->verify = SMTP_TLS_VERIFY_NAME;
    else if (strcmp(value, "ca") == 0)
        p->verify = SMTP_TLS_VERIFY_CA;
    else if (strcmp(value, "none") == 0)
        p->verify = SMTP_TLS_VERIFY_NONE;
    else {
        fprintf(stderr, "relaylab send: --tls-verify is name, ca or none\n");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* opt_auth - --auth[=MECH], or swaks's "--auth LOGIN" */

static int opt_auth(void *ctx, char *value)
{
    struct send_opts *o = ctx;
    struct engine_send_params *p = &o->p;
    char *next = optind < o->argc ? o->argv[optind] : NULL;

    p->auth = 1;
    /* swaks spells it "--auth LOGIN": take a following mechanism name. */
    if (value == NULL && next && smtp_ehlo_auth_mech(next, strlen(next)) != 0)
        value = o->argv[optind++];
    if (value && (p->auth_mech = smtp_ehlo_auth_mech(value, strlen(value))) == 0) {
        fprintf(stderr, "relaylab send: --auth is PLAIN, LOGIN or CRAM-MD5\n");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* opt_quit_after - --quit-after STAGE */

static int opt_quit_after(void *ctx, char *value)
{
    struct engine_send_params *p = &((struct send_opts *)ctx)->p;

    if ((p->quit_after = engine_send_stage_parse(value)) == ENGINE_SEND_NONE) {
        fprintf(stderr, "relaylab send: bad --quit-after '%s'\n", value);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* check_opts - what the flags say together; -1 to go on, else the exit code */

static int check_opts(struct send_opts *o, int argc, char **argv)
{
    struct engine_send_params *p = &o->p;
    long long num;

    if (optind < argc) {
        fprintf(stderr, "relaylab send: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (p->host[0] == 0) {
        fprintf(stderr, "relaylab send: --server is required\n");
        return CLI_EXIT_USAGE;
    }
    if (o->port) {
        if (cli_number("--port", o->port, 1, 65535, &num) < 0)
            return CLI_EXIT_USAGE;
        snprintf(p->port, sizeof(p->port), "%lld", num);
    }
    if (p->port[0] == 0)
        snprintf(p->port, sizeof(p->port), "%s", p->tls_on_connect ? "465" : "25");
    if (p->tls && p->tls_on_connect) {
        fprintf(stderr, "relaylab send: --tls and --tls-on-connect exclude each other\n");
        return CLI_EXIT_USAGE;
    }
    if (p->nto == 0 && p->quit_after >= ENGINE_SEND_MAIL) {
        fprintf(stderr, "relaylab send: --to is required (or --quit-after before rcpt)\n");
        return CLI_EXIT_USAGE;
    }
    p->auth |= p->user != NULL; /* --auth-user implies --auth */
    if (p->auth && (p->user == NULL || p->pass == NULL)) {
        fprintf(stderr, "relaylab send: --auth needs --auth-user and --auth-password\n");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* parse_opts - argv into o; -1 to go on, else the exit code */

static int parse_opts(struct send_opts *o, int argc, char **argv)
{
    struct engine_send_params *p = &o->p;
    const struct cli_opt opts[] = {
        {"server", 's', required_argument, CLI_OPT_CALL, NULL, 0, 0, opt_server},
        {"port", 'p', required_argument, CLI_OPT_TEXT, &o->port, 0, 0, NULL},
        {"from", 'f', required_argument, CLI_OPT_TEXT, &p->from, 0, 0, NULL},
        {"to", 't', required_argument, CLI_OPT_CALL, NULL, 0, 0, opt_to},
        {"helo", 0, required_argument, CLI_OPT_TEXT, &p->helo, 0, 0, NULL},
        {"ehlo", 0, required_argument, CLI_OPT_TEXT, &p->helo, 0, 0, NULL},
        {"tls", 0, no_argument, CLI_OPT_FLAG, &p->tls, 0, 0, NULL},
        {"tls-on-connect", 0, no_argument, CLI_OPT_FLAG, &p->tls_on_connect, 0, 0, NULL},
        {"tls-verify", 0, optional_argument, CLI_OPT_CALL, NULL, 0, 0, opt_verify},
        {"tls-ca-path", 0, required_argument, CLI_OPT_TEXT, &o->ca_file, 0, 0, NULL},
        {"tls-sni", 0, required_argument, CLI_OPT_TEXT, &p->sni, 0, 0, NULL},
        {"auth", 'a', optional_argument, CLI_OPT_CALL, NULL, 0, 0, opt_auth},
        {"auth-user", 0, required_argument, CLI_OPT_TEXT, &p->user, 0, 0, NULL},
        {"auth-password", 0, required_argument, CLI_OPT_TEXT, &p->pass, 0, 0, NULL},
        {"quit-after", 'q', required_argument, CLI_OPT_CALL, NULL, 0, 0, opt_quit_after},
        {"local-interface", 0, required_argument, CLI_OPT_TEXT, &p->local, 0, 0, NULL},
        {"timeout", 0, required_argument, CLI_OPT_SECONDS, &p->engine.step_timeout_ms, 0, 0, NULL},
        {"total-timeout", 0, required_argument, CLI_OPT_SECONDS, &p->engine.total_timeout_ms, 0, 0,
         NULL},
        {"data", 'd', required_argument, CLI_OPT_TEXT, &o->data_file, 0, 0, NULL},
        {"pipeline", 0, no_argument, CLI_OPT_FLAG, &p->engine.pipelining, 0, 0, NULL},
        {"json", 0, no_argument, CLI_OPT_FLAG, &o->json, 0, 0, NULL},
        {"silent", 0, no_argument, CLI_OPT_FLAG, &o->silent, 0, 0, NULL},
        {"repeat", 0, required_argument, CLI_OPT_LONG, &p->repeat, 1, SEND_REPEAT_MAX, NULL},
        {"concurrency", 0, required_argument, CLI_OPT_LONG, &p->concurrency, 1, ENGINE_POOL_MAX,
         NULL},
    };
    int rc;

    o->argc = argc;
    o->argv = argv;
    if ((rc = cli_opt_parse("send", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), CLI_OPT_SWAKS,
                            usage, o)) >= 0)
        return rc;
    return check_opts(o, argc, argv);
}

/* cli_send - "relaylab send" */

int cli_send(int argc, char **argv)
{
    struct send_opts o = {0};
    struct smtp_error err;
    char *body;
    int rc;

    engine_send_params_default(&o.p);
    o.p.pass = getenv("RELAYLAB_AUTH_PASSWORD");
    if ((rc = parse_opts(&o, argc, argv)) >= 0)
        return rc;
    if (o.data_file) {
        if ((body = read_data(o.data_file, &o.p.body_len)) == NULL) {
            fprintf(stderr, "relaylab send: cannot read --data %s: %s\n", o.data_file,
                    strerror(errno));
            return CLI_EXIT_ENV;
        }
    } else if ((body = engine_send_default_message(&o.p, &o.p.body_len)) == NULL) {
        fprintf(stderr, "relaylab send: out of memory\n");
        return CLI_EXIT_ENV;
    }
    o.p.body = body;
    smtp_error_clear(&err);
    if ((o.p.tls || o.p.tls_on_connect) &&
        (o.p.tls_ctx = smtp_tls_client_ctx(o.p.verify, o.ca_file, &err)) == NULL) {
        cli_error("send", err.msg);
        free(body);
        return CLI_EXIT_ENV;
    }
    rc = o.p.repeat > 1 || o.p.concurrency > 1 ? send_repeat(&o) : send_one(&o);
    smtp_tls_ctx_free(o.p.tls_ctx);
    free(body);
    return rc;
}

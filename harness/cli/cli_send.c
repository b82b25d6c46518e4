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
#include "slurp.h"
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

/* read_data - the message file ("-": stdin), bounded; NULL with errno */

static char *read_data(const char *path, size_t *len)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf;
    int saved;

    if (fp == NULL)
        return NULL;
    buf = slurp_stream(fp, SEND_DATA_MAX, len);
    saved = errno;
    if (fp != stdin)
        fclose(fp);
    errno = saved;
    return buf;
}

/* exit_code - the exit code for an outcome: the stage refused, or the class of failure */

static int exit_code(const struct engine_send_outcome *out)
{
    static const int broken_exit[] = {
        [SMTP_ERR_INTERNAL] = CLI_EXIT_ENV, [SMTP_ERR_USAGE] = CLI_EXIT_USAGE,
        [SMTP_ERR_TIMEOUT] = EXIT_TIMEOUT,  [SMTP_ERR_TLS] = EXIT_TLS,
        [SMTP_ERR_PROTO] = EXIT_PROTO,      [SMTP_ERR_REPLY] = 0,
    };

    if (out->verdict == ENGINE_OK)
        return CLI_EXIT_OK;
    if (out->verdict == ENGINE_REFUSED)
        return refused_exit[out->stage];
    return broken_exit[out->err.cls] ? broken_exit[out->err.cls] : EXIT_CONN;
}

/* send_repeat - --repeat N [--concurrency C]; the exit code */

static int send_repeat(const struct send_opts *o)
{
    struct engine_send_repeat_result res;
    int first = CLI_EXIT_OK, rc;

    if (engine_send_repeat(&o->p, &res) < 0)
        return cli_say(CLI_EXIT_ENV, "relaylab send: cannot start threads: %s\n", strerror(errno));
    if (res.have_failure)
        first = exit_code(&res.first);
    rc = first;
    if (!o->json)
        report_send_repeat_text(stdout, &o->p, &res, o->silent);
    else if (report_send_repeat_json(stdout, &o->p, &res, first) < 0)
        rc = cli_say(CLI_EXIT_ENV, "relaylab send: cannot write JSON\n");
    if (res.have_failure)
        report_send_failure(stderr, "first failure: ", &res.first, first);
    free(res.first_transcript);
    return rc;
}

/* send_one - one dialogue, its transcript or JSON; the exit code */

static int send_one(const struct send_opts *o)
{
    struct engine_send_outcome out;
    int rc;

    engine_send(&o->p, &out);
    if (out.engine == NULL)
        return cli_say(CLI_EXIT_ENV, "relaylab send: out of memory\n");
    rc = exit_code(&out);
    /* The dialogue's verdict cannot be told without its JSON: environment error. */
    if (o->json && report_send_json(stdout, &o->p, &out, rc) < 0)
        rc = cli_say(CLI_EXIT_ENV, "relaylab send: cannot write JSON\n");
    else if (!o->json && !o->silent)
        smtp_transcript_write(stdout, engine_transcript(out.engine), isatty(1));
    fflush(stdout);
    if (rc != 0 && !o->json)
        report_send_failure(stderr, NULL, &out, rc);
    engine_free(out.engine);
    return rc;
}

/* opt_server - --server HOST[:PORT] */

static int opt_server(void *ctx, char *value)
{
    struct engine_send_params *p = &((struct send_opts *)ctx)->p;
    long long num;

    if (engine_send_server(value, p) < 0)
        return cli_say(CLI_EXIT_USAGE, "relaylab send: bad --server '%s' (HOST[:PORT])\n", value);
    if (p->port[0] && cli_number("--server: port", p->port, 1, 65535, &num) < 0)
        return CLI_EXIT_USAGE;
    return 0;
}

/* opt_to - --to ADDR, repeatable */

static int opt_to(void *ctx, char *value)
{
    struct engine_send_params *p = &((struct send_opts *)ctx)->p;

    if (p->nto == ENGINE_SEND_RCPT_MAX)
        return cli_say(CLI_EXIT_USAGE, "relaylab send: more than %d --to\n", ENGINE_SEND_RCPT_MAX);
    p->to[p->nto++] = value;
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
    if (value && (p->auth_mech = smtp_ehlo_auth_mech(value, strlen(value))) == 0)
        return cli_say(CLI_EXIT_USAGE, "relaylab send: --auth is PLAIN, LOGIN or CRAM-MD5\n");
    return 0;
}

/* opt_quit_after - --quit-after STAGE */

static int opt_quit_after(void *ctx, char *value)
{
    struct engine_send_params *p = &((struct send_opts *)ctx)->p;

    if ((p->quit_after = engine_send_stage_parse(value)) == ENGINE_SEND_NONE)
        return cli_say(CLI_EXIT_USAGE, "relaylab send: bad --quit-after '%s'\n", value);
    return 0;
}

/* parse_opts - argv into o; -1 to go on, else the exit code */

static const char *const verify_words[] = {"name", "ca", "none", NULL};
static const int verify_values[] = {SMTP_TLS_VERIFY_NAME, SMTP_TLS_VERIFY_CA, SMTP_TLS_VERIFY_NONE};

static int parse_opts(struct send_opts *o, int argc, char **argv)
{
    struct engine_send_params *p = &o->p;
    long long num;
    const struct cli_opt opts[] = {
        CLI_CALL("server", 's', required_argument, opt_server),
        CLI_TEXT("port", 'p', &o->port),
        CLI_TEXT("from", 'f', &p->from),
        CLI_CALL("to", 't', required_argument, opt_to),
        CLI_TEXT("helo", 0, &p->helo),
        CLI_TEXT("ehlo", 0, &p->helo),
        CLI_FLAG("tls", 0, &p->tls),
        CLI_FLAG("tls-on-connect", 0, &p->tls_on_connect),
        CLI_CHOICE("tls-verify", optional_argument, &p->verify, verify_words, verify_values),
        CLI_TEXT("tls-ca-path", 0, &o->ca_file),
        CLI_TEXT("tls-sni", 0, &p->sni),
        CLI_CALL("auth", 'a', optional_argument, opt_auth),
        CLI_TEXT("auth-user", 0, &p->user),
        CLI_TEXT("auth-password", 0, &p->pass),
        CLI_CALL("quit-after", 'q', required_argument, opt_quit_after),
        CLI_TEXT("local-interface", 0, &p->local),
        CLI_SECONDS("timeout", &p->engine.step_timeout_ms),
        CLI_SECONDS("total-timeout", &p->engine.total_timeout_ms),
        CLI_TEXT("data", 'd', &o->data_file),
        CLI_FLAG("pipeline", 0, &p->engine.pipelining),
        CLI_FLAG("json", 0, &o->json),
        CLI_FLAG("silent", 0, &o->silent),
        CLI_NUMBER(CLI_OPT_LONG, "repeat", 0, &p->repeat, 1, SEND_REPEAT_MAX),
        CLI_NUMBER(CLI_OPT_LONG, "concurrency", 0, &p->concurrency, 1, ENGINE_POOL_MAX),
    };
    int rc;

    o->argc = argc;
    o->argv = argv;
    if ((rc = cli_opt_parse("send", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), CLI_OPT_SWAKS,
                            usage, o)) >= 0)
        return rc;
    /* What the flags say together. */
    if (optind < argc)
        return cli_say(CLI_EXIT_USAGE, "relaylab send: unexpected argument '%s'\n", argv[optind]);
    if (p->host[0] == 0)
        return cli_say(CLI_EXIT_USAGE, "relaylab send: --server is required\n");
    if (o->port) {
        if (cli_number("--port", o->port, 1, 65535, &num) < 0)
            return CLI_EXIT_USAGE;
        snprintf(p->port, sizeof(p->port), "%lld", num);
    }
    if (p->port[0] == 0)
        snprintf(p->port, sizeof(p->port), "%s", p->tls_on_connect ? "465" : "25");
    if (p->tls && p->tls_on_connect)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab send: --tls and --tls-on-connect exclude each other\n");
    if (p->nto == 0 && p->quit_after >= ENGINE_SEND_MAIL)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab send: --to is required (or --quit-after before rcpt)\n");
    p->auth |= p->user != NULL; /* --auth-user implies --auth */
    if (p->auth && (p->user == NULL || p->pass == NULL))
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab send: --auth needs --auth-user and --auth-password\n");
    return -1;
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
    body = o.data_file ? read_data(o.data_file, &o.p.body_len)
                       : engine_send_default_message(&o.p, &o.p.body_len);
    if (body == NULL)
        return o.data_file ? cli_say(CLI_EXIT_ENV, "relaylab send: cannot read --data %s: %s\n",
                                     o.data_file, strerror(errno))
                           : cli_say(CLI_EXIT_ENV, "relaylab send: out of memory\n");
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

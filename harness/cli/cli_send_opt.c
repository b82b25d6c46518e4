/*++
 * NAME
 *	cli_send_opt 3
 * SUMMARY
 *	relaylab send's flags into engine_send's parameters
 * DESCRIPTION
 *	See cli_send_opt.h. The flags are a table (cli_opt); a few need a
 *	handler: --server (HOST[:PORT]), --to (repeatable), --auth (swaks's
 *	"--auth LOGIN") and --quit-after (a stage or its swaks alias).
 *--*/
#include <getopt.h> /* no_argument, optind */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_send_opt.h"
#include "engine_pool.h"

#define SEND_REPEAT_MAX 10000000L

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
        "      --silent              print nothing but the final error (and --show-cert's\n"
        "                            certificates)\n"
        "      --show-cert           print the server's certificate chain once TLS is up:\n"
        "                            names, dates, fingerprints, the verify result\n"
        "  -i, --interactive         open the session as the flags say (up to the banner,\n"
        "                            STARTTLS and EHLO with --tls, AUTH with --auth), then\n"
        "                            send the lines typed on stdin, one command each;\n"
        "                            .auth MECH USER PASS, .starttls, .help; EOF sends QUIT\n"
        "  -h, --help                this text\n"
        "\n"
        "exit codes:\n"
        "  0  the dialogue completed        2  usage or input error\n"
        "  3  environment error (a file)    4  connection failed or closed\n"
        "  5  timeout                       6  the server broke the protocol\n"
        "  7  TLS failure\n"
        "  21 banner refused   22 EHLO/HELO refused   23 STARTTLS refused or not offered\n"
        "  24 AUTH refused or not offered  25 MAIL refused   26 no RCPT accepted\n"
        "  27 DATA refused     28 message refused after the final dot\n"
        "  with --interactive: 0 the session ended with QUIT or end of input, 2 a typed line\n"
        "  was refused (not sent); 4 to 7 and 21 to 24 as above\n",
        ENGINE_SEND_RCPT_MAX);
}
/* opt_server - --server HOST[:PORT] */

static int opt_server(void *ctx, char *value)
{
    struct engine_send_params *p = &((struct cli_send_opts *)ctx)->p;
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
    struct engine_send_params *p = &((struct cli_send_opts *)ctx)->p;

    if (p->nto == ENGINE_SEND_RCPT_MAX)
        return cli_say(CLI_EXIT_USAGE, "relaylab send: more than %d --to\n", ENGINE_SEND_RCPT_MAX);
    p->to[p->nto++] = value;
    return 0;
}

/* opt_auth - --auth[=MECH], or swaks's "--auth LOGIN" */

static int opt_auth(void *ctx, char *value)
{
    struct cli_send_opts *o = ctx;
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
    struct engine_send_params *p = &((struct cli_send_opts *)ctx)->p;

    if ((p->quit_after = engine_send_stage_parse(value)) == ENGINE_SEND_NONE)
        return cli_say(CLI_EXIT_USAGE, "relaylab send: bad --quit-after '%s'\n", value);
    ((struct cli_send_opts *)ctx)->quit_after_set = 1;
    return 0;
}

/*
 * interactive - what --interactive asks of the other flags; -1 to go on.
 * The flags' dialogue stops where the typing starts: after the banner,
 * after STARTTLS and the EHLO after it (--tls), after AUTH (--auth).
 */
static int interactive(struct cli_send_opts *o)
{
    struct engine_send_params *p = &o->p;

    if (o->json || o->data_file || p->nto > 0 || p->engine.pipelining || p->repeat > 1 ||
        p->concurrency > 1)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab send: --interactive takes no --json, --data, --to, --pipeline "
                       "or --repeat: type the envelope and the message\n");
    if (!o->quit_after_set)
        p->quit_after = p->auth ? ENGINE_SEND_AUTH : p->tls ? ENGINE_SEND_HELO : ENGINE_SEND_BANNER;
    else if (p->quit_after > ENGINE_SEND_AUTH)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab send: with --interactive, --quit-after is connect, banner, "
                       "first-helo, tls, helo or auth\n");
    if (p->engine.total_timeout_ms < 0)
        p->engine.total_timeout_ms = CLI_SEND_TALK_TOTAL_MS;
    p->engine.transcript_max = CLI_SEND_TALK_TRANSCRIPT_MAX;
    return -1;
}

/* --tls-verify's words, the first also what it means without one */
static const char *const verify_words[] = {"name", "ca", "none", NULL};
static const int verify_values[] = {SMTP_TLS_VERIFY_NAME, SMTP_TLS_VERIFY_CA, SMTP_TLS_VERIFY_NONE};

/* cli_send_opt_parse - argv into o; -1 to go on, else the exit code */

int cli_send_opt_parse(struct cli_send_opts *o, int argc, char **argv)
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
        CLI_FLAG("show-cert", 0, &o->show_cert),
        CLI_FLAG("interactive", 'i', &o->interactive),
        CLI_NUMBER(CLI_OPT_LONG, "repeat", 0, &p->repeat, 1, SEND_REPEAT_MAX),
        CLI_NUMBER(CLI_OPT_LONG, "concurrency", 0, &p->concurrency, 1, ENGINE_POOL_MAX),
    };
    int rc;

    o->argc = argc;
    o->argv = argv;
    p->engine.total_timeout_ms = -1; /* its default depends on --interactive */
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
    p->auth |= p->user != NULL; /* --auth-user implies --auth */
    if (o->interactive && (rc = interactive(o)) >= 0)
        return rc;
    if (p->engine.total_timeout_ms < 0)
        p->engine.total_timeout_ms = SMTP_CLIENT_TOTAL_TIMEOUT_DEFAULT;
    if (o->show_cert && !o->interactive && !p->tls && !p->tls_on_connect)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab send: --show-cert needs --tls or --tls-on-connect\n");
    if (o->show_cert && (p->repeat > 1 || p->concurrency > 1))
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab send: --show-cert is for one dialogue, not --repeat\n");
    if (p->nto == 0 && p->quit_after >= ENGINE_SEND_MAIL)
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab send: --to is required (or --quit-after before rcpt)\n");
    if (p->auth && (p->user == NULL || p->pass == NULL))
        return cli_say(CLI_EXIT_USAGE,
                       "relaylab send: --auth needs --auth-user and --auth-password\n");
    return -1;
}

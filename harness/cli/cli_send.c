/*++
 * NAME
 *	cli_send 3
 * SUMMARY
 *	relaylab send: one SMTP dialogue from flags
 * SYNOPSIS
 *	relaylab send --server HOST[:PORT] --from ADDR --to ADDR [options]
 * DESCRIPTION
 *	The flags become engine_send's parameters (cli_send_opt); the
 *	dialogue runs there, stage by stage; this turns its outcome into
 *	the transcript or JSON (report_send) and an exit code that names the
 *	stage the server refused, or the class of local failure (see send's
 *	usage()).
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_send_opt.h"
#include "cli_send_talk.h"
#include "engine_send.h"
#include "report_cert.h"
#include "report_send.h"
#include "slurp.h"
#include "smtp_sanitize.h"

#define SEND_DATA_MAX (64L * 1024 * 1024)

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

/* cli_send_exit - the exit code for an outcome: the stage refused, or the class of failure */

int cli_send_exit(const struct engine_send_outcome *out)
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

static int send_repeat(const struct cli_send_opts *o)
{
    struct engine_send_repeat_result res;
    int first = CLI_EXIT_OK, rc;

    if (engine_send_repeat(&o->p, &res) < 0)
        return cli_say(CLI_EXIT_ENV, "relaylab send: cannot start threads: %s\n", strerror(errno));
    if (res.have_failure)
        first = cli_send_exit(&res.first);
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

/* send_one - one dialogue, its transcript or JSON (and chain, for --show-cert); the exit code */

static int send_one(const struct cli_send_opts *o, const struct smtp_tls_chain *chain)
{
    struct engine_send_outcome out;
    int rc;

    engine_send(&o->p, &out);
    if (out.engine == NULL)
        return cli_say(CLI_EXIT_ENV, "relaylab send: out of memory\n");
    rc = cli_send_exit(&out);
    /* The dialogue's verdict cannot be told without its JSON: environment error. */
    if (o->json && report_send_json(stdout, &o->p, &out, chain, rc) < 0)
        rc = cli_say(CLI_EXIT_ENV, "relaylab send: cannot write JSON\n");
    else if (!o->json && !o->silent)
        smtp_transcript_write(stdout, engine_transcript(out.engine), isatty(1));
    /* Asked for by name: shown with --silent too. */
    if (!o->json && chain && report_cert_text(stdout, chain) < 0)
        rc = cli_say(CLI_EXIT_ENV, "relaylab send: cannot write the certificates\n");
    fflush(stdout);
    if (rc != 0 && !o->json)
        report_send_failure(stderr, NULL, &out, rc);
    engine_free(out.engine);
    return rc;
}

/*
 * tls_setup - the TLS context (for --interactive always: .starttls may
 * come), and for --show-cert where each handshake leaves the chain, with
 * the CA file (or the system's store) loaded when --tls-verify is not
 * there, so that the verify result still says whether the chain leads to
 * it. 0, or -1 with err.
 */
static int tls_setup(struct cli_send_opts *o, struct smtp_tls_chain **chain, struct smtp_error *err)
{
    *chain = NULL;
    if (!o->p.tls && !o->p.tls_on_connect && !o->interactive)
        return 0;
    if ((o->p.tls_ctx = smtp_tls_client_ctx(o->p.verify, o->ca_file, err)) == NULL)
        return -1;
    if (!o->show_cert)
        return 0;
    if (o->p.verify == SMTP_TLS_VERIFY_NONE &&
        smtp_tls_ctx_trust(o->p.tls_ctx, o->ca_file, err) < 0)
        return -1;
    if ((*chain = calloc(1, sizeof(**chain))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    smtp_tls_ctx_keep_chain(o->p.tls_ctx, *chain);
    return 0;
}

/* cli_send - "relaylab send" */

int cli_send(int argc, char **argv)
{
    struct cli_send_opts o = {0};
    struct smtp_tls_chain *chain = NULL;
    struct smtp_error err;
    char *body = NULL;
    int rc;

    engine_send_params_default(&o.p);
    o.p.pass = getenv("RELAYLAB_AUTH_PASSWORD");
    if ((rc = cli_send_opt_parse(&o, argc, argv)) >= 0)
        return rc;
    if (!o.interactive) {
        body = o.data_file ? read_data(o.data_file, &o.p.body_len)
                           : engine_send_default_message(&o.p, &o.p.body_len);
        if (body == NULL)
            return o.data_file ? cli_say(CLI_EXIT_ENV, "relaylab send: cannot read --data %s: %s\n",
                                         o.data_file, strerror(errno))
                               : cli_say(CLI_EXIT_ENV, "relaylab send: out of memory\n");
        o.p.body = body;
    }
    smtp_error_clear(&err);
    if (tls_setup(&o, &chain, &err) < 0) {
        cli_error("send", err.msg);
        rc = CLI_EXIT_ENV;
    } else if (o.interactive) {
        rc = cli_send_talk(&o, chain);
    } else {
        rc = o.p.repeat > 1 || o.p.concurrency > 1 ? send_repeat(&o) : send_one(&o, chain);
    }
    smtp_tls_ctx_free(o.p.tls_ctx);
    free(chain);
    free(body);
    return rc;
}

/*++
 * NAME
 *	cli_send_talk 3
 * SUMMARY
 *	relaylab send --interactive: an SMTP session typed on stdin
 * SYNOPSIS
 *	relaylab send --interactive --server HOST[:PORT] [--tls | --tls-on-connect] [options]
 * DESCRIPTION
 *	See cli_send_talk.h. Input is read a line at a time into a bounded
 *	buffer (a longer line is read to its end and refused, never held);
 *	what to send, and what a line may hold, is engine_talk's to say.
 *	Output is the transcript, written as it grows through
 *	smtp_transcript_write_from(), so a server's bytes reach the
 *	terminal sanitized and AUTH secrets never do.
 *--*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_send_talk.h"
#include "engine_talk.h"
#include "report_cert.h"
#include "report_send.h"
#include "smtp_sanitize.h"

/* Exit codes for a session that broke, by error class (as relaylab send's). */
static const int broken_exit[] = {
    [SMTP_ERR_NONE] = CLI_EXIT_OK,
    [SMTP_ERR_INTERNAL] = CLI_EXIT_ENV,
    [SMTP_ERR_USAGE] = CLI_EXIT_USAGE,
    [SMTP_ERR_CONN] = 4,
    [SMTP_ERR_TIMEOUT] = 5,
    [SMTP_ERR_TLS] = 7,
    [SMTP_ERR_PROTO] = 6,
    [SMTP_ERR_REPLY] = 4,
};

struct talk_out {
    const struct smtp_transcript *tx;
    size_t next; /* the first transcript entry not yet shown */
    int colour;  /* stdout is a terminal */
    const struct smtp_tls_chain *chain;
    int chain_shown;
};

/* show - what the session added to the transcript, and the chain once TLS is up */

static void show(struct talk_out *w)
{
    (void)smtp_transcript_write_from(stdout, w->tx, &w->next, w->colour);
    if (w->chain && w->chain->have_session && !w->chain_shown) {
        (void)report_cert_text(stdout, w->chain);
        w->chain_shown = 1;
    }
    fflush(stdout);
}

/*
 * read_line - one line of fp without its LF (nor a CR before it) into
 * buf; its length, the whole line's in *total (more than size - 1: the
 * rest was read and dropped); -1 at the end of input
 */
static long read_line(FILE *fp, char *buf, size_t size, size_t *total)
{
    size_t n = 0;
    size_t all = 0;
    int ch;

    while ((ch = getc(fp)) != EOF && ch != '\n') {
        if (n < size - 1)
            buf[n++] = (char)ch;
        all++;
    }
    if (ch == EOF && all == 0)
        return -1;
    if (all == n && n > 0 && buf[n - 1] == '\r')
        n--, all--;
    buf[n] = 0;
    *total = all;
    return (long)n;
}

/* refused - a line not sent: where and why, on stderr */

static void refused(struct engine_talk *t, long lineno)
{
    char msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];

    /* The message may quote what was typed: sanitized like the rest. */
    smtp_sanitize_str(engine_talk_error(t)->msg, msg, sizeof(msg));
    fprintf(stderr, "relaylab send: input line %ld: %s\n", lineno, msg);
}

/* talk - lines from stdin until the session ends; the exit code */

static int talk(struct engine_talk *t, struct talk_out *w)
{
    char line[ENGINE_TALK_LINE_MAX + 2]; /* one more than any mode takes */
    enum engine_talk_result r = ENGINE_TALK_OK;
    long lineno = 0;
    long len;
    size_t total;
    int any_refused = 0;

    while (r != ENGINE_TALK_OVER && (len = read_line(stdin, line, sizeof(line), &total)) >= 0) {
        lineno++;
        r = total > (size_t)len ? engine_talk_overlong(t, total)
                                : engine_talk_line(t, line, (size_t)len);
        memset(line, 0, sizeof(line)); /* a typed password */
        show(w);
        if (r == ENGINE_TALK_HELP)
            fputs(engine_talk_help(), stdout);
        if (r == ENGINE_TALK_REFUSED) {
            refused(t, lineno);
            any_refused = 1;
        }
    }
    if (ferror(stdin))
        return cli_say(CLI_EXIT_ENV, "relaylab send: cannot read the input\n");
    if (r != ENGINE_TALK_OVER)
        r = engine_talk_end(t);
    show(w);
    if (engine_talk_error(t)->cls != SMTP_ERR_NONE) {
        char msg[SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX)];

        smtp_sanitize_str(engine_talk_error(t)->msg, msg, sizeof(msg));
        fprintf(stderr, "relaylab send: the session ended: %s\n", msg);
        return broken_exit[engine_talk_error(t)->cls];
    }
    return any_refused ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* cli_send_talk - open as the flags say, then the lines typed */

int cli_send_talk(const struct cli_send_opts *o, const struct smtp_tls_chain *chain)
{
    struct engine *e = engine_new(&o->p.engine);
    struct engine_send_outcome out;
    struct engine_talk *t = NULL;
    struct talk_out w = {NULL, 0, isatty(1), chain, 0};
    int rc;

    if (e == NULL)
        return cli_say(CLI_EXIT_ENV, "relaylab send: out of memory\n");
    w.tx = engine_transcript(e);
    if (engine_send_open(e, &o->p, &out) < 0) {
        show(&w);
        rc = cli_send_exit(&out);
        report_send_failure(stderr, NULL, &out, rc);
    } else if ((t = engine_talk_new(e)) == NULL) {
        rc = cli_say(CLI_EXIT_ENV, "relaylab send: out of memory\n");
    } else {
        show(&w);
        rc = talk(t, &w);
    }
    if (smtp_transcript_dropped(w.tx) > 0)
        printf(" *  (%zu lines not shown: transcript limit)\n", smtp_transcript_dropped(w.tx));
    engine_talk_free(t);
    engine_free(e);
    return rc;
}

/*++
 * NAME
 *	run_decide 3
 * SUMMARY
 *	the step that decided a cell: its reply, expectations, log lines
 * DESCRIPTION
 *	See run_decide.h. Four records: the command running, and copies of
 *	the last RCPT, of the failure's command and of the last command an
 *	expectation judged, each taken when its step ended. Only the first
 *	two kinds have their log lines read then (with the wait for
 *	Postfix); the last is read, without waiting, only when it is the one
 *	kept.
 *--*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "run_decide.h"
#include "smtp_error.h"

#define POLL_MS 5 /* between looks at a log that has not grown yet */

/* log_size - the MTA's log's size now */

static long log_size(const struct run_decide *d)
{
    return mta_instance_file_size(d->inst, d->inst->log_path);
}

/*
 * read_lines - the log's whole lines in [from, to), malloc'd; cut after
 * RUN_STEP_LOG_MAX bytes with a last line saying how much more there
 * is. NULL when there are none (or the log cannot be read).
 */
static char *read_lines(const struct run_decide *d, long from, long to)
{
    static const char more[] = "... (%ld bytes more in mta.log)\n";
    struct smtp_error err;
    char *text, *out;
    size_t n, keep;

    if (to <= from || (text = mta_instance_read(d->inst, d->inst->log_path, from, &err)) == NULL)
        return NULL;
    n = strlen(text);
    if (n > (size_t)(to - from))
        n = (size_t)(to - from);
    while (n > 0 && text[n - 1] != '\n')
        n--; /* a line still being written is not one yet */
    keep = n;
    if (keep > RUN_STEP_LOG_MAX - sizeof(more) - 24) {
        keep = RUN_STEP_LOG_MAX - sizeof(more) - 24;
        while (keep > 0 && text[keep - 1] != '\n')
            keep--;
    }
    if (n == 0 || (out = malloc(RUN_STEP_LOG_MAX)) == NULL) {
        free(text);
        return NULL;
    }
    memcpy(out, text, keep);
    out[keep] = 0;
    if (keep < n)
        snprintf(out + keep, RUN_STEP_LOG_MAX - keep, more, (long)(n - keep));
    free(text);
    return out;
}

/* refused - did the step get a 4xx or 5xx reply (not "no reply")? */

static int refused(const struct run_decide_step *s)
{
    return (s->reply[0] == '4' || s->reply[0] == '5') && s->reply[1] >= '0' && s->reply[1] <= '9';
}

/* arrived - are the step's lines in? Something new, and after a refusal the line that says so */

static int arrived(const struct run_decide *d, const struct run_decide_step *s)
{
    char *lines;
    int found;

    if (s->log_to <= s->log_from)
        return 0;
    if (!refused(s))
        return 1;
    lines = read_lines(d, s->log_from, s->log_to);
    found = lines && strstr(lines, d->late_mark) != NULL;
    free(lines);
    return found;
}

/* quiet - has the step, with this reply code, logged nothing in time on this instance? */

static int quiet(const struct run_decide *d, const struct run_decide_step *s)
{
    for (size_t i = 0; d->quiet && i < d->quiet->n; i++)
        if (d->quiet->st[i] == s->st && strncmp(d->quiet->code[i], s->reply, 3) == 0)
            return 1;
    return 0;
}

/* step_end - a step's end: the log's size, waited for when its MTA's lines come late */

static void step_end(struct run_decide *d, struct run_decide_step *s, int wait)
{
    long deadline = mta_env_now_ms() + RUN_STEP_LOG_WAIT_MS;

    s->log_to = log_size(d);
    if (!wait || d->late_mark == NULL || quiet(d, s))
        return;
    while (!arrived(d, s)) {
        struct timespec ts = {0, POLL_MS * 1000000L};

        if (mta_env_now_ms() >= deadline) {
            if (d->quiet && d->quiet->n < RUN_DECIDE_QUIET_MAX) {
                d->quiet->st[d->quiet->n] = s->st;
                snprintf(d->quiet->code[d->quiet->n++], 4, "%.3s", s->reply);
            }
            return;
        }
        nanosleep(&ts, NULL);
        s->log_to = log_size(d);
    }
}

/* copy - dst becomes a copy of src (its log duplicated); dst's own log freed */

static void copy(struct run_decide_step *dst, const struct run_decide_step *src)
{
    free(dst->log);
    *dst = *src;
    dst->log = src->log ? strdup(src->log) : NULL;
}

/* append - "; " and text at the end of a step's expectations, "..." when they do not fit */

static void append(struct run_decide_step *s, const char *text)
{
    size_t used = strlen(s->expects), room = sizeof(s->expects) - used;
    int n = snprintf(s->expects + used, room, "%s%s", used ? "; " : "", text);

    if (n < 0 || (size_t)n >= room)
        memcpy(s->expects + sizeof(s->expects) - 4, "...", 4);
}

void run_decide_init(struct run_decide *d, const struct mta_instance *inst, const char *late_mark,
                     struct run_decide_quiet *quiet)
{
    memset(d, 0, sizeof(*d));
    d->inst = inst;
    d->late_mark = late_mark;
    d->quiet = quiet;
}

void run_decide_close(struct run_decide *d)
{
    struct run_decide_step *s = &d->cur;
    int wanted = s->rcpt || d->fail_is_cur; /* the candidates: their lines read now */

    if (s->st == NULL)
        return;
    step_end(d, s, wanted);
    if (wanted)
        s->log = read_lines(d, s->log_from, s->log_to);
    if (s->rcpt)
        copy(&d->rcpt, s);
    if (d->fail_is_cur)
        copy(&d->fail, s);
    if (s->expects[0])
        copy(&d->judged, s);
    d->fail_is_cur = 0;
    free(s->log);
    memset(s, 0, sizeof(*s));
}

void run_decide_command(struct run_decide *d, const struct scenario_step *st)
{
    run_decide_close(d);
    d->cur.st = st;
    /* A raw RCPT counts as the rcpt step does (as it does for relay-denied). */
    d->cur.rcpt =
        st->op == SCN_RCPT || (st->op == SCN_RAW && strncasecmp(st->arg, "RCPT TO:", 8) == 0);
    d->cur.log_from = log_size(d);
    d->cur.log_to = -1;
}

void run_decide_reply(struct run_decide *d, const char *reply)
{
    size_t n;

    if (d->cur.st == NULL)
        return;
    snprintf(d->cur.reply, sizeof(d->cur.reply), "%s", reply);
    /* The reply's line ends come as blanks: not part of what it said. */
    for (n = strlen(d->cur.reply); n > 0 && d->cur.reply[n - 1] == ' '; n--)
        d->cur.reply[n - 1] = 0;
}

/* judges_rcpt - does st judge the last RCPT rather than the command running? */

static int judges_rcpt(const struct run_decide *d, const struct scenario_step *st)
{
    return st->op == SCN_EXPECT_RELAY_DENIED && !d->cur.rcpt && d->rcpt.st != NULL;
}

void run_decide_expect(struct run_decide *d, const struct scenario_step *st)
{
    if (judges_rcpt(d, st))
        append(&d->rcpt, st->source);
    else if (d->cur.st)
        append(&d->cur, st->source);
}

void run_decide_failed(struct run_decide *d, const struct scenario_step *st)
{
    free(d->fail.log);
    memset(&d->fail, 0, sizeof(d->fail));
    d->fail_is_cur = 0;
    if (judges_rcpt(d, st))
        copy(&d->fail, &d->rcpt);
    else
        d->fail_is_cur = d->cur.st != NULL;
}

void run_decide_keep(struct run_decide *d, struct run_cell *cell)
{
    struct run_decide_step *s = NULL;

    run_decide_close(d);
    if (cell->failed > 0 && d->fail.st)
        s = &d->fail;
    else if (d->rcpt.st)
        s = &d->rcpt;
    else if (d->judged.st)
        s = &d->judged;
    if (s) {
        cell->decide_pos = s->st->pos;
        snprintf(cell->decide_step, sizeof(cell->decide_step), "%s", s->st->source);
        snprintf(cell->decide_expected, sizeof(cell->decide_expected), "%s", s->expects);
        snprintf(cell->decide_reply, sizeof(cell->decide_reply), "%s", s->reply);
        free(cell->step_log);
        cell->step_log = s->log ? s->log : read_lines(d, s->log_from, s->log_to);
        s->log = NULL;
    }
    run_decide_free(d);
}

void run_decide_free(struct run_decide *d)
{
    free(d->cur.log);
    free(d->rcpt.log);
    free(d->fail.log);
    free(d->judged.log);
    d->cur.log = d->rcpt.log = d->fail.log = d->judged.log = NULL;
}

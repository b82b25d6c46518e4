/*++
 * NAME
 *	engine_talk 3
 * SUMMARY
 *	an SMTP session a person types (relaylab send --interactive)
 * DESCRIPTION
 *	See engine_talk.h. Each line is checked (length for what it will
 *	be, control bytes) before anything is sent, then becomes one engine
 *	step; the reply's code says what the next line will be (334: a SASL
 *	response, 354: the message). The message is kept until its "." and
 *	goes through smtp_client_message(), the one place that dot-stuffs.
 *--*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine_talk.h"
#include "smtp_ehlo.h"

struct engine_talk {
    struct engine *e;
    enum engine_talk_mode mode;
    char *body; /* the message so far, lines ending in LF */
    size_t body_len;
    size_t body_cap;
    struct smtp_error err;
    int auth_refused; /* the reply to the last command, an AUTH the server refused; else 0 */
    char line[ENGINE_TALK_LINE_MAX + 1]; /* the line, NUL-terminated, for the client */
};

static const char help_text[] =
    ".auth MECH USER PASSWORD  AUTH (RFC 4954) with PLAIN, LOGIN or CRAM-MD5, encoded for you\n"
    ".starttls                 STARTTLS (RFC 3207), as the line STARTTLS\n"
    ".help                     this text\n"
    "Other lines are sent as typed; after a 354 they are the message, up to a line \".\".\n"
    "AUTH responses show as " SMTP_TRANSCRIPT_REDACTED ". End of input sends QUIT.\n";

/* engine_talk_help - the local commands */

const char *engine_talk_help(void)
{
    return help_text;
}

/* engine_talk_new - a session over e */

struct engine_talk *engine_talk_new(struct engine *e)
{
    struct engine_talk *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return NULL;
    t->e = e;
    t->mode = engine_open(e) ? ENGINE_TALK_COMMAND : ENGINE_TALK_ENDED;
    return t;
}

void engine_talk_free(struct engine_talk *t)
{
    if (t == NULL)
        return;
    memset(t->line, 0, sizeof(t->line)); /* a typed password */
    free(t->body);
    free(t);
}

enum engine_talk_mode engine_talk_mode(const struct engine_talk *t)
{
    return t->mode;
}

const struct smtp_error *engine_talk_error(const struct engine_talk *t)
{
    return &t->err;
}

/* refuse - the line is not sent: why */

static enum engine_talk_result refuse(struct engine_talk *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum engine_talk_result refuse(struct engine_talk *t, const char *fmt, ...)
{
    va_list ap;

    smtp_error_clear(&t->err);
    t->err.cls = SMTP_ERR_USAGE;
    va_start(ap, fmt);
    vsnprintf(t->err.msg, sizeof(t->err.msg), fmt, ap);
    va_end(ap);
    return ENGINE_TALK_REFUSED;
}

/* verb_is - the line's first word is verb (any case), alone or before a blank */

static int verb_is(const char *line, size_t len, const char *verb)
{
    size_t n = strlen(verb);

    return len >= n && strncasecmp(line, verb, n) == 0 && (len == n || line[n] == ' ');
}

/* too_long - a line over what SMTP allows for what it would be */

static enum engine_talk_result too_long(struct engine_talk *t, size_t len, int command)
{
    if (command)
        return refuse(t,
                      "line of %zu octets not sent: a command line is at most %d octets and "
                      "CRLF (RFC 5321 4.5.3.1.4)",
                      len, ENGINE_TALK_COMMAND_MAX);
    return refuse(t,
                  "line of %zu octets not sent: a text line is at most %d octets and CRLF "
                  "(RFC 5321 4.5.3.1.6)",
                  len, ENGINE_TALK_TEXT_MAX);
}

/* check - may the line go as it is? */

static enum engine_talk_result check(struct engine_talk *t, const char *line, size_t len)
{
    /* AUTH carries a response (RFC 4954 4): a text line's length, as the responses after 334. */
    int command = t->mode == ENGINE_TALK_COMMAND && !verb_is(line, len, "AUTH");
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)line[i];

        if (ch == '\t' && t->mode == ENGINE_TALK_MESSAGE)
            continue;
        if (ch == 0)
            return refuse(t, "NUL byte at column %zu: line not sent", i + 1);
        if (ch < 0x20 || ch == 0x7f)
            return refuse(t, "control byte 0x%02x at column %zu: line not sent", ch, i + 1);
    }
    if (len > (command ? ENGINE_TALK_COMMAND_MAX : ENGINE_TALK_TEXT_MAX))
        return too_long(t, len, command);
    return ENGINE_TALK_OK;
}

/* over - the session ended; quit: on the client's QUIT (no error unless it broke) */

static enum engine_talk_result over(struct engine_talk *t, int quit)
{
    const struct engine_reply *r = engine_last(t->e);

    smtp_error_clear(&t->err);
    if (r->code < 0)
        t->err = r->err;
    else if (!quit) /* RFC 5321 3.8: 421, or a 221 the client did not ask for */
        smtp_error_set(&t->err, SMTP_ERR_CONN, 0, "the server ended the session with %d", r->code);
    t->mode = ENGINE_TALK_ENDED;
    engine_close(t->e);
    return ENGINE_TALK_OVER;
}

/* step - one step; its reply decides what the next line is */

static enum engine_talk_result step(struct engine_talk *t, const struct engine_step *st)
{
    enum engine_verdict v = engine_step(t->e, st);
    const struct engine_reply *r = engine_last(t->e);

    smtp_error_clear(&t->err);
    if (!engine_open(t->e) || r->code == 221 || st->op == ENGINE_QUIT)
        return over(t, st->op == ENGINE_QUIT);
    if (v == ENGINE_BROKEN) {
        /* The client refused it before sending (what the user gave): the session goes on. */
        t->err = r->err;
        t->err.cls = SMTP_ERR_USAGE;
        return ENGINE_TALK_REFUSED;
    }
    t->mode = r->code == 354   ? ENGINE_TALK_MESSAGE
              : r->code == 334 ? ENGINE_TALK_SASL
                               : ENGINE_TALK_COMMAND;
    return ENGINE_TALK_OK;
}

/* message_line - a line of the message, or its end */

static enum engine_talk_result message_line(struct engine_talk *t, const char *line, size_t len)
{
    size_t need = t->body_len + len + 1;

    if (len == 1 && line[0] == '.') {
        struct engine_step st = {.op = ENGINE_MESSAGE, .body = t->body, .len = t->body_len};

        t->body_len = 0;
        return step(t, &st);
    }
    if (need > (size_t)ENGINE_TALK_BODY_MAX)
        return refuse(t, "the message would be over %ld bytes: line not kept",
                      ENGINE_TALK_BODY_MAX);
    if (need > t->body_cap) {
        size_t cap = t->body_cap ? t->body_cap : 4096;
        char *body;

        while (cap < need)
            cap *= 2;
        if ((body = realloc(t->body, cap)) == NULL)
            return refuse(t, "out of memory: line not kept");
        t->body = body;
        t->body_cap = cap;
    }
    memcpy(t->body + t->body_len, line, len);
    t->body[t->body_len + len] = '\n';
    t->body_len = need;
    return ENGINE_TALK_OK;
}

/* word - cut the next blank-separated word out of *s (NUL in place); NULL when none */

static char *word(char **s)
{
    char *start = *s + strspn(*s, " ");
    char *end;

    if (*start == 0)
        return NULL;
    end = start + strcspn(start, " ");
    *s = *end ? end + 1 : end;
    *end = 0;
    return start;
}

/* local_auth - ".auth MECH USER PASSWORD": AUTH made by smtp_sasl, secrets redacted */

static enum engine_talk_result local_auth(struct engine_talk *t)
{
    char *rest = t->line + strlen(".auth");
    char *mech_name = word(&rest);
    char *user = word(&rest);
    char *pass = rest + strspn(rest, " "); /* the rest: a password may hold blanks */
    unsigned mech = mech_name ? smtp_ehlo_auth_mech(mech_name, strlen(mech_name)) : 0;
    struct engine_step st = {.op = ENGINE_AUTH, .mech = mech, .user = user, .pass = pass};

    if (mech == 0 || user == NULL || *pass == 0)
        return refuse(t, "usage: .auth PLAIN|LOGIN|CRAM-MD5 USER PASSWORD");
    engine_note(t->e, SMTP_TX_STEP, ".auth %s %s " SMTP_TRANSCRIPT_REDACTED,
                smtp_ehlo_auth_name(mech), user);
    return step(t, &st);
}

/* local - a line of relaylab's own, starting with "." */

static enum engine_talk_result local(struct engine_talk *t, size_t len)
{
    static const struct engine_step starttls = {.op = ENGINE_STARTTLS};
    size_t shown = strcspn(t->line, " ");

    if (len == 5 && strcasecmp(t->line, ".help") == 0)
        return ENGINE_TALK_HELP;
    if (len == 9 && strcasecmp(t->line, ".starttls") == 0) {
        engine_note(t->e, SMTP_TX_STEP, ".starttls");
        return step(t, &starttls);
    }
    if (verb_is(t->line, len, ".auth"))
        return local_auth(t);
    return refuse(t, "unknown command '%.*s' (.auth, .starttls, .help)",
                  (int)(shown > 32 ? 32 : shown), t->line);
}

/* sasl_like - a line that may be a SASL response: 8 or more base64 characters (RFC 4648 4) */

static int sasl_like(const char *line, size_t len)
{
    return len >= 8 && strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789+/=") == len;
}

/*
 * command_line - a command: relaylab's own, STARTTLS, QUIT, or as typed.
 * After an AUTH the server refused, a line that looks like a SASL
 * response is kept back: the server asked for none, and as a command it
 * would go (and show) as it is, credentials and all.
 */
static enum engine_talk_result command_line(struct engine_talk *t, size_t len)
{
    struct engine_step st = {.op = ENGINE_TYPED, .arg = t->line};
    int auth = verb_is(t->line, len, "AUTH") || verb_is(t->line, len, ".auth");
    enum engine_talk_result r;
    int code;

    if (len == 0)
        return ENGINE_TALK_OK; /* an empty line is no command: nothing sent */
    if (t->auth_refused && sasl_like(t->line, len))
        return refuse(t,
                      "line not sent: it looks like an AUTH response, and the server asked "
                      "for none (it answered AUTH with %d, not 334)",
                      t->auth_refused);
    if (t->line[0] == '.')
        r = local(t, len);
    else if (len == 8 && strcasecmp(t->line, "STARTTLS") == 0)
        r = step(t, &(struct engine_step){.op = ENGINE_STARTTLS}); /* RFC 3207 4 */
    else if (len == 4 && strcasecmp(t->line, "QUIT") == 0)
        r = step(t, &(struct engine_step){.op = ENGINE_QUIT});
    else
        r = step(t, &st);
    code = engine_last(t->e)->code;
    /*
     * Any answer to AUTH but 334 asks for no response: what looks like one
     * is kept back, after a 235 too (a server that says yes at once), and
     * a 354 to AUTH opens no message (its lines would be the response).
     */
    if (r == ENGINE_TALK_OK && auth && code == 354)
        t->mode = ENGINE_TALK_COMMAND;
    if (r == ENGINE_TALK_OK)
        t->auth_refused = auth && code != 334 ? code : 0;
    return r;
}

/* engine_talk_line - one typed line */

enum engine_talk_result engine_talk_line(struct engine_talk *t, const char *line, size_t len)
{
    struct engine_step st = {.op = ENGINE_TYPED, .arg = t->line};
    enum engine_talk_result r;

    if (t->mode == ENGINE_TALK_ENDED)
        return refuse(t, "the session is over");
    if ((r = check(t, line, len)) != ENGINE_TALK_OK)
        return r;
    if (t->mode == ENGINE_TALK_MESSAGE)
        return message_line(t, line, len);
    memcpy(t->line, line, len); /* check(): len <= ENGINE_TALK_LINE_MAX, no NUL */
    t->line[len] = 0;
    if (t->mode == ENGINE_TALK_SASL)
        r = step(t, &st); /* a SASL response: any line, redacted by the client */
    else
        r = command_line(t, len);
    memset(t->line, 0, len);
    return r;
}

/* engine_talk_overlong - a line the caller could not hold */

enum engine_talk_result engine_talk_overlong(struct engine_talk *t, size_t len)
{
    if (t->mode == ENGINE_TALK_ENDED)
        return refuse(t, "the session is over");
    return too_long(t, len, t->mode == ENGINE_TALK_COMMAND);
}

/* engine_talk_end - the end of input: QUIT, or a message dropped */

enum engine_talk_result engine_talk_end(struct engine_talk *t)
{
    static const struct engine_step quit = {.op = ENGINE_QUIT};

    if (t->mode == ENGINE_TALK_ENDED)
        return ENGINE_TALK_OVER;
    if (t->mode == ENGINE_TALK_MESSAGE) {
        /* Only a line "." ends a message (RFC 5321 4.1.1.4): closing drops it. */
        engine_note(t->e, SMTP_TX_INFO,
                    "end of input inside the message (no line \".\"): message not sent");
        t->body_len = 0;
        t->mode = ENGINE_TALK_ENDED;
        smtp_error_clear(&t->err);
        engine_close(t->e);
        return ENGINE_TALK_OVER;
    }
    return step(t, &quit);
}

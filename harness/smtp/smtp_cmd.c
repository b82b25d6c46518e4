/*++
 * NAME
 *	smtp_cmd 3
 * SUMMARY
 *	server-side SMTP command parser
 * DESCRIPTION
 *	See smtp_cmd.h. Verbs are looked up in a table, as Postfix's
 *	smtpd does; the argument rules live in that table too.
 *--*/
#include <string.h>
#include <strings.h>

#include "smtp_cmd.h"

#define ARG_NONE 0 /* no argument allowed (DATA, RSET, QUIT, STARTTLS) */
#define ARG_NEED 1 /* argument required */
#define ARG_OPT 2  /* either */

struct verb_row {
    const char *name;
    enum smtp_verb verb;
    int arg;
    size_t len; /* strlen(name), filled in below */
};

static const struct verb_row verbs[] = {
    {"HELO", SMTP_VERB_HELO, ARG_NEED, sizeof("HELO") - 1},
    {"EHLO", SMTP_VERB_EHLO, ARG_NEED, sizeof("EHLO") - 1},
    {"MAIL", SMTP_VERB_MAIL, ARG_NEED, sizeof("MAIL") - 1},
    {"RCPT", SMTP_VERB_RCPT, ARG_NEED, sizeof("RCPT") - 1},
    {"DATA", SMTP_VERB_DATA, ARG_NONE, sizeof("DATA") - 1},
    {"BDAT", SMTP_VERB_BDAT, ARG_NEED, sizeof("BDAT") - 1},
    {"RSET", SMTP_VERB_RSET, ARG_NONE, sizeof("RSET") - 1},
    {"NOOP", SMTP_VERB_NOOP, ARG_OPT, sizeof("NOOP") - 1},
    {"QUIT", SMTP_VERB_QUIT, ARG_NONE, sizeof("QUIT") - 1},
    {"VRFY", SMTP_VERB_VRFY, ARG_NEED, sizeof("VRFY") - 1},
    {"EXPN", SMTP_VERB_EXPN, ARG_NEED, sizeof("EXPN") - 1},
    {"HELP", SMTP_VERB_HELP, ARG_OPT, sizeof("HELP") - 1},
    {"STARTTLS", SMTP_VERB_STARTTLS, ARG_NONE, sizeof("STARTTLS") - 1},
    {"AUTH", SMTP_VERB_AUTH, ARG_NEED, sizeof("AUTH") - 1},
    {"ETRN", SMTP_VERB_ETRN, ARG_NEED, sizeof("ETRN") - 1},
    {"XCLIENT", SMTP_VERB_XCLIENT, ARG_NEED, sizeof("XCLIENT") - 1},
};

#define VERB_COUNT (sizeof(verbs) / sizeof(verbs[0]))

/* smtp_cmd_verb_name - printable verb */

const char *smtp_cmd_verb_name(enum smtp_verb verb)
{
    size_t i;

    for (i = 0; i < VERB_COUNT; i++)
        if (verbs[i].verb == verb)
            return verbs[i].name;
    return "UNKNOWN";
}

/* parse_params - RFC 5321 4.1.2 esmtp-param *(SP esmtp-param) */

static const char *parse_params(const char *s, size_t len, struct smtp_cmd *out)
{
    size_t i = 0;

    while (i < len) {
        struct smtp_cmd_param *p;
        size_t start;

        while (i < len && s[i] == ' ')
            i++;
        if (i == len)
            break;
        if (out->nparams == SMTP_CMD_PARAMS_MAX)
            return "too many ESMTP parameters";
        p = &out->params[out->nparams++];
        start = i;
        /* esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") */
        while (i < len && s[i] != ' ' && s[i] != '=') {
            char c = s[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c == '-' && i > start)))
                return "bad ESMTP parameter keyword";
            i++;
        }
        p->key = s + start;
        p->key_len = i - start;
        if (p->key_len == 0)
            return "empty ESMTP parameter keyword";
        if (i < len && s[i] == '=') {
            start = ++i;
            /* esmtp-value = 1*(%d33-60 / %d62-126) */
            while (i < len && s[i] != ' ') {
                unsigned char c = (unsigned char)s[i];

                if (c < 33 || c > 126 || c == '=')
                    return "bad ESMTP parameter value";
                i++;
            }
            p->value = s + start;
            p->value_len = i - start;
            if (p->value_len == 0)
                return "empty ESMTP parameter value";
        }
    }
    return NULL;
}

/* parse_mail_rcpt - "FROM:" / "TO:" path [SP params] */

static const char *parse_mail_rcpt(struct smtp_cmd *out, const char *prefix)
{
    size_t plen = strlen(prefix);
    const char *s = out->arg;
    size_t len = out->arg_len;
    long n;

    if (len < plen || strncasecmp(s, prefix, plen) != 0)
        return out->verb == SMTP_VERB_MAIL ? "expected FROM:" : "expected TO:";
    s += plen;
    len -= plen;
    if (len > 0 && s[0] == ' ') {
        out->flags |= SMTP_CMD_F_SPACE_PATH;
        while (len > 0 && s[0] == ' ') {
            s++;
            len--;
        }
    }
    n = smtp_path_parse(s, len, &out->path);
    if (n < 0)
        return "missing or unterminated path";
    s += n;
    len -= (size_t)n;
    if (len > 0 && s[0] != ' ')
        return "garbage after path";
    return parse_params(s, len, out);
}

/* smtp_cmd_parse - parse one command line */

long smtp_cmd_parse(const char *buf, size_t len, size_t line_max, struct smtp_cmd *out)
{
    size_t window = len < line_max ? len : line_max;
    const char *lf = memchr(buf, '\n', window);
    size_t content;
    size_t vlen;
    size_t i;
    const char *err = NULL;

    memset(out, 0, sizeof(*out));
    if (lf == NULL)
        return len >= line_max ? SMTP_CMD_TOO_LONG : SMTP_CMD_PARTIAL;
    content = (size_t)(lf - buf);
    if (content > 0 && buf[content - 1] == '\r')
        content--;
    else
        out->flags |= SMTP_CMD_F_BARE_LF;
    if ((size_t)(lf - buf) + 1 > SMTP_CMD_RFC_LINE_MAX)
        out->flags |= SMTP_CMD_F_LONG_LINE;
    /* One pass for both: CR inside the line, and NUL. */
    for (i = 0; i < content; i++) {
        if (buf[i] == '\r')
            out->flags |= SMTP_CMD_F_BARE_CR;
        else if (buf[i] == 0)
            out->flags |= SMTP_CMD_F_NUL;
    }
    out->line = buf;
    out->line_len = content;

    for (vlen = 0; vlen < content && buf[vlen] != ' '; vlen++)
        /* void */;
    for (i = 0; i < VERB_COUNT; i++)
        if (verbs[i].len == vlen && strncasecmp(buf, verbs[i].name, vlen) == 0)
            break;
    if (vlen < content) {
        out->arg = buf + vlen + 1;
        out->arg_len = content - vlen - 1;
    } else {
        out->arg = buf + content;
    }
    if (out->flags & SMTP_CMD_F_NUL) {
        err = "NUL in command line";
    } else if (i == VERB_COUNT) {
        err = "unknown command";
    } else {
        out->verb = verbs[i].verb;
        if (verbs[i].arg == ARG_NONE && out->arg_len > 0)
            err = "command takes no argument";
        else if (verbs[i].arg == ARG_NEED && out->arg_len == 0)
            err = "command needs an argument";
        else if (out->verb == SMTP_VERB_MAIL)
            err = parse_mail_rcpt(out, "FROM:");
        else if (out->verb == SMTP_VERB_RCPT)
            err = parse_mail_rcpt(out, "TO:");
    }
    out->error = err;
    return (long)(lf - buf) + 1;
}

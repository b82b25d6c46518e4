/*++
 * NAME
 *	smtp_reply 3
 * SUMMARY
 *	incremental, non-allocating SMTP reply parser
 * DESCRIPTION
 *	See smtp_reply.h. The grammar is RFC 5321 4.2:
 *
 *	Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *	             Reply-code [ SP textstring ] CRLF
 *	Reply-code = %x32-35 %x30-35 %x30-39
 *
 *	Bare LF is accepted as a line end (servers send it) but flagged;
 *	NUL is refused, since no textstring may hold it.
 *--*/
#include <stdio.h>
#include <string.h>

#include "smtp_reply.h"

/* smtp_reply_limits_default - the default limits */

void smtp_reply_limits_default(struct smtp_reply_limits *lim)
{
    lim->line_max = SMTP_REPLY_LINE_MAX_DEFAULT;
    lim->lines_max = SMTP_REPLY_LINES_MAX_DEFAULT;
    lim->total_max = SMTP_REPLY_TOTAL_MAX_DEFAULT;
}

/* smtp_reply_parser_init - prepare for a new reply */

void smtp_reply_parser_init(struct smtp_reply_parser *p)
{
    memset(p, 0, sizeof(*p));
}

/* malformed - record why and where */

static long malformed(struct smtp_reply *out, const char *why, size_t offset)
{
    out->error = why;
    out->error_offset = offset;
    return SMTP_REPLY_MALFORMED;
}

/* parse_digits - 1 to 3 digits; returns count, 0 if none */

static size_t parse_digits(const char *s, size_t len, int *value)
{
    size_t n = 0;

    *value = 0;
    while (n < len && n < 3 && s[n] >= '0' && s[n] <= '9') {
        *value = *value * 10 + (s[n] - '0');
        n++;
    }
    return n;
}

/* parse_enhanced - RFC 3463 2: class "." subject "." detail, then SP or end */

static void parse_enhanced(struct smtp_reply *out)
{
    const char *s = out->text;
    size_t len = out->text_len;
    size_t n;
    size_t i = 0;
    int cls, subj, det;

    /* RFC 3463 3.1: class is 2, 4 or 5; subject and detail are 1-3 digits. */
    if (len < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
        return;
    cls = s[0] - '0';
    i = 2;
    if ((n = parse_digits(s + i, len - i, &subj)) == 0)
        return;
    i += n;
    if (i >= len || s[i] != '.')
        return;
    i++;
    if ((n = parse_digits(s + i, len - i, &det)) == 0)
        return;
    i += n;
    if (i < len && s[i] != ' ')
        return;
    out->enh_class = cls;
    out->enh_subject = subj;
    out->enh_detail = det;
    /* RFC 3463 2 (and RFC 2034): the class must agree with the reply code. */
    if (cls != out->code / 100)
        out->flags |= SMTP_REPLY_F_ENH_MISMATCH;
}

/* smtp_reply_parse - find one complete reply at the start of buf */

long smtp_reply_parse(struct smtp_reply_parser *p, const struct smtp_reply_limits *lim,
                      const char *buf, size_t len, struct smtp_reply *out)
{
    for (;;) {
        const char *line = buf + p->scanned;
        size_t avail = len - p->scanned;
        size_t window = avail < lim->line_max ? avail : lim->line_max;
        const char *lf;
        size_t line_len;
        size_t content;
        int code;
        int last;

        if (p->tail < window && (lf = memchr(line + p->tail, '\n', window - p->tail)) != NULL) {
            p->tail = 0;
        } else {
            if (avail >= lim->line_max)
                return malformed(out, "reply line too long", p->scanned);
            if (p->scanned + avail >= lim->total_max)
                return malformed(out, "reply too long", p->scanned);
            p->tail = window;
            return SMTP_REPLY_PARTIAL;
        }
        line_len = (size_t)(lf - line) + 1;
        content = line_len - 1;
        if (content > 0 && line[content - 1] == '\r')
            content--;
        else
            p->flags |= SMTP_REPLY_F_BARE_LF;
        if (memchr(line, 0, content) != NULL)
            return malformed(out, "NUL byte in reply", p->scanned);
        if (memchr(line, '\r', content) != NULL)
            p->flags |= SMTP_REPLY_F_BARE_CR;

        /* RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39 */
        if (content < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
            line[2] < '0' || line[2] > '9')
            return malformed(out, "reply line does not start with a reply code", p->scanned);
        code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (content == 3 || line[3] == ' ') {
            last = 1;
        } else if (line[3] == '-') {
            last = 0;
        } else {
            return malformed(out, "reply code not followed by SP or '-'", p->scanned);
        }
        /* RFC 5321 4.2.1: every line of a multi-line reply has the same code. */
        if (p->nlines == 0) {
            p->code = code;
            p->first_end = content;
        } else if (code != p->code) {
            return malformed(out, "reply code changed within a multi-line reply", p->scanned);
        }
        if (line_len > SMTP_REPLY_RFC_LINE_MAX)
            p->flags |= SMTP_REPLY_F_LONG_LINE;
        p->nlines++;
        p->scanned += line_len;
        if (p->nlines > lim->lines_max)
            return malformed(out, "too many lines in reply", p->scanned - line_len);
        if (p->scanned > lim->total_max)
            return malformed(out, "reply too long", p->scanned - line_len);
        if (last)
            break;
    }
    out->code = p->code;
    out->enh_class = out->enh_subject = out->enh_detail = 0;
    out->raw = buf;
    out->raw_len = p->scanned;
    out->text = p->first_end > 4 ? buf + 4 : buf + p->first_end;
    out->text_len = p->first_end > 4 ? p->first_end - 4 : 0;
    out->nlines = p->nlines;
    out->flags = p->flags;
    out->error = NULL;
    out->error_offset = 0;
    parse_enhanced(out);
    return (long)p->scanned;
}

/* smtp_reply_next_line - iterate lines of a parsed reply */

int smtp_reply_next_line(const struct smtp_reply *r, size_t *pos, const char **text,
                         size_t *text_len)
{
    const char *line;
    const char *lf;
    size_t content;

    if (*pos >= r->raw_len)
        return 0;
    line = r->raw + *pos;
    lf = memchr(line, '\n', r->raw_len - *pos);
    if (lf == NULL)
        return 0;
    content = (size_t)(lf - line);
    *pos += content + 1;
    if (content > 0 && line[content - 1] == '\r')
        content--;
    *text = content > 4 ? line + 4 : line + content;
    *text_len = content > 4 ? content - 4 : 0;
    return 1;
}

/* smtp_reply_enhanced - format "5.7.1" */

void smtp_reply_enhanced(const struct smtp_reply *r, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (r->enh_class == 0)
        buf[0] = 0;
    else
        snprintf(buf, size, "%d.%d.%d", r->enh_class, r->enh_subject, r->enh_detail);
}

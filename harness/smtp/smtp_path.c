/*++
 * NAME
 *	smtp_path 3
 * SUMMARY
 *	RFC 5321 path parser and relay-trick classifier
 * DESCRIPTION
 *	See smtp_path.h. Grammar, RFC 5321 4.1.2:
 *
 *	Path          = "<" [ A-d-l ":" ] Mailbox ">"
 *	A-d-l         = At-domain *( "," At-domain )
 *	Mailbox       = Local-part "@" ( Domain / address-literal )
 *	Local-part    = Dot-string / Quoted-string
 *	Domain        = sub-domain *("." sub-domain)
 *	address-literal = "[" ( IPv4 / IPv6 / General ) "]"    (4.1.3)
 *--*/
#include <string.h>
#include <strings.h>

#include "smtp_path.h"

/* is_atext - RFC 5322 3.2.3 atext, plus UTF-8 octets (RFC 6531 3.3) */

static int is_atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80)
        return 1;
    return strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL && c != 0;
}

/* is_letdig - RFC 5321 Let-dig */

static int is_letdig(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* find_close - the ">" ending the path, skipping quoted strings */

static long find_close(const char *s, size_t len)
{
    size_t i;
    int quoted = 0;

    for (i = 1; i < len; i++) {
        if (quoted && s[i] == '\\' && i + 1 < len) {
            i++;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && s[i] == '>') {
            return (long)i;
        } else if (s[i] == '\r' || s[i] == '\n' || s[i] == 0) {
            return -1;
        }
    }
    return -1;
}

/* check_domain - RFC 5321 Domain; 0 if valid */

static const char *check_domain(const char *d, size_t len, unsigned *flags)
{
    size_t i = 0;

    if (len == 0)
        return "empty domain";
    if (len > SMTP_PATH_DOMAIN_MAX)
        return "domain over 255 octets";
    while (i < len) {
        size_t start = i;

        if (!is_letdig((unsigned char)d[i]))
            return "sub-domain does not start with a letter or digit";
        while (i < len && d[i] != '.') {
            unsigned char c = (unsigned char)d[i];

            if (c >= 0x80)
                *flags |= SMTP_PATH_F_UTF8;
            if (!is_letdig(c) && c != '-')
                return "bad character in domain";
            i++;
        }
        if (d[i - 1] == '-')
            return "sub-domain ends in '-'";
        if (i - start > 63)
            return "label over 63 octets";
        if (i < len) {
            i++; /* the dot */
            if (i == len)
                return "domain ends in '.'";
        }
    }
    return NULL;
}

/* check_ipv4 - RFC 5321 4.1.3 IPv4-address-literal */

static int check_ipv4(const char *s, size_t len)
{
    size_t i = 0;
    int octets = 0;

    while (i < len) {
        int v = 0;
        size_t n = 0;

        while (i < len && s[i] >= '0' && s[i] <= '9' && n < 3) {
            v = v * 10 + (s[i] - '0');
            i++;
            n++;
        }
        if (n == 0 || v > 255)
            return 0;
        octets++;
        if (i < len) {
            if (s[i] != '.' || octets == 4)
                return 0;
            i++;
            if (i == len)
                return 0;
        }
    }
    return octets == 4;
}

/* check_ipv6 - RFC 5321 4.1.3 IPv6-addr, checked loosely by its alphabet */

static int check_ipv6(const char *s, size_t len)
{
    size_t i;
    int colons = 0;

    if (len < 2)
        return 0;
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c == ':')
            colons++;
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                   c == '.'))
            return 0;
    }
    return colons >= 2 && colons <= 7;
}

/* check_literal - "[" ... "]"; sets flags, returns error or NULL */

static const char *check_literal(const char *d, size_t len, unsigned *flags)
{
    const char *in = d + 1;
    size_t in_len = len - 2;
    size_t i;

    if (len < 3 || d[len - 1] != ']')
        return "unterminated address literal";
    if (in_len > 5 && strncasecmp(in, "IPv6:", 5) == 0) {
        *flags |= SMTP_PATH_F_LITERAL6;
        return check_ipv6(in + 5, in_len - 5) ? NULL : "bad IPv6 address literal";
    }
    if (in[0] >= '0' && in[0] <= '9') {
        *flags |= SMTP_PATH_F_LITERAL4;
        return check_ipv4(in, in_len) ? NULL : "bad IPv4 address literal";
    }
    /* General-address-literal = Standardized-tag ":" 1*dcontent */
    *flags |= SMTP_PATH_F_LITERAL_GEN;
    for (i = 0; i < in_len && in[i] != ':'; i++)
        if (!is_letdig((unsigned char)in[i]) && in[i] != '-')
            return "bad address literal tag";
    if (i == 0 || i + 1 >= in_len)
        return "bad general address literal";
    for (i++; i < in_len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']')
            return "bad character in address literal";
    }
    return NULL;
}

/* check_local - Dot-string or Quoted-string; returns error or NULL */

static const char *check_local(const char *l, size_t len, unsigned *flags, unsigned *tricks)
{
    size_t i;

    if (len == 0)
        return "empty local part";
    if (len > SMTP_PATH_LOCAL_MAX)
        return "local part over 64 octets";
    if (l[0] == '"') {
        *flags |= SMTP_PATH_F_QUOTED;
        if (len < 2 || l[len - 1] != '"')
            return "unterminated quoted local part";
        for (i = 1; i + 1 < len; i++) {
            unsigned char c = (unsigned char)l[i];

            if (c == '\\') {
                /* quoted-pairSMTP = %d92 %d32-126 */
                if (i + 2 >= len || (unsigned char)l[i + 1] < 32 || (unsigned char)l[i + 1] > 126)
                    return "bad quoted pair";
                i++;
                continue;
            }
            if (c == '@')
                *tricks |= SMTP_PATH_T_QUOTED_AT;
            if (c == '%')
                *tricks |= SMTP_PATH_T_PERCENT;
            if (c == '!')
                *tricks |= SMTP_PATH_T_BANG;
            if (c >= 0x80)
                *flags |= SMTP_PATH_F_UTF8;
            else if (c < 32 || c == '"' || c == 127)
                return "bad character in quoted local part";
        }
        return NULL;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)l[i];

        if (c == '%')
            *tricks |= SMTP_PATH_T_PERCENT;
        if (c == '!')
            *tricks |= SMTP_PATH_T_BANG;
        if (c >= 0x80)
            *flags |= SMTP_PATH_F_UTF8;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)l[i];

        if (c == '.') {
            if (i == 0 || i + 1 == len || l[i + 1] == '.')
                return "empty atom in local part";
        } else if (c == '@') {
            return "'@' in local part";
        } else if (!is_atext(c)) {
            return "bad character in local part";
        }
    }
    return NULL;
}

/* last_at - the last "@" outside quotes, or -1; counts them */

static long last_at(const char *s, size_t len, int *count)
{
    long at = -1;
    size_t i;
    int quoted = 0;

    *count = 0;
    for (i = 0; i < len; i++) {
        if (quoted && s[i] == '\\' && i + 1 < len) {
            i++;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && s[i] == '@') {
            at = (long)i;
            (*count)++;
        }
    }
    return at;
}

/* parse_route - A-d-l, returns bytes up to and including ":", or error */

static long parse_route(const char *s, size_t len, struct smtp_path *out)
{
    const char *colon = memchr(s, ':', len);
    size_t i = 0;
    unsigned ignored = 0;

    if (colon == NULL)
        return -1;
    out->route = s;
    out->route_len = (size_t)(colon - s);
    out->tricks |= SMTP_PATH_T_ROUTE;
    while (i < out->route_len) {
        size_t start;

        if (s[i] != '@') {
            out->error = "source route element without '@'";
            break;
        }
        start = ++i;
        while (i < out->route_len && s[i] != ',')
            i++;
        if (out->error == NULL && (out->error = check_domain(s + start, i - start, &ignored)))
            break;
        if (i < out->route_len)
            i++;
    }
    return (long)(out->route_len + 1);
}

/* smtp_path_parse - parse a path at the start of s */

long smtp_path_parse(const char *s, size_t len, struct smtp_path *out)
{
    const char *in;
    size_t in_len;
    long consumed;
    long at;
    int ats;

    memset(out, 0, sizeof(*out));
    if (len == 0)
        return -1;
    if (s[0] == '<') {
        long close = find_close(s, len);

        if (close < 0)
            return -1;
        in = s + 1;
        in_len = (size_t)close - 1;
        consumed = close + 1;
    } else {
        /* Not RFC 5321, but many servers take it: path up to SP. */
        size_t n = 0;

        while (n < len && s[n] != ' ' && s[n] != '\r' && s[n] != '\n')
            n++;
        if (n == 0)
            return -1;
        out->tricks |= SMTP_PATH_T_NO_BRACKETS;
        out->error = "path without angle brackets";
        in = s;
        in_len = n;
        consumed = (long)n;
    }
    if (in_len == 0) {
        out->flags |= SMTP_PATH_F_NULL;
        out->valid = out->error == NULL;
        return consumed;
    }
    if (in_len > SMTP_PATH_MAX && out->error == NULL)
        out->error = "path over 256 octets";
    if (in[0] == '@') {
        long r = parse_route(in, in_len, out);

        if (r < 0) {
            out->valid = 0;
            out->error = "source route without ':'";
            return consumed;
        }
        in += r;
        in_len -= (size_t)r;
    }
    at = last_at(in, in_len, &ats);
    if (ats > 1)
        out->tricks |= SMTP_PATH_T_MULTI_AT;
    if (at < 0) {
        const char *e;

        out->local = in;
        out->local_len = in_len;
        out->flags |= SMTP_PATH_F_NO_DOMAIN;
        e = check_local(in, in_len, &out->flags, &out->tricks);
        /* RFC 5321 4.5.1: <Postmaster> without a domain is a valid RCPT. */
        if (in_len == 10 && strncasecmp(in, "postmaster", 10) == 0)
            out->flags |= SMTP_PATH_F_POSTMASTER;
        else if (e == NULL)
            e = "mailbox without domain";
        if (out->error == NULL)
            out->error = e;
        out->valid = out->error == NULL;
        return consumed;
    }
    out->local = in;
    out->local_len = (size_t)at;
    out->domain = in + at + 1;
    out->domain_len = in_len - (size_t)at - 1;
    if (out->domain_len == 0)
        out->tricks |= SMTP_PATH_T_TRAILING_AT;
    else if (out->domain[out->domain_len - 1] == '.')
        out->tricks |= SMTP_PATH_T_TRAILING_DOT;
    {
        const char *el = check_local(out->local, out->local_len, &out->flags, &out->tricks);
        const char *ed;

        if (out->domain_len > 0 && out->domain[0] == '[') {
            out->tricks |= SMTP_PATH_T_LITERAL;
            ed = check_literal(out->domain, out->domain_len, &out->flags);
        } else {
            ed = check_domain(out->domain, out->domain_len, &out->flags);
        }
        if (out->error == NULL)
            out->error = el ? el : ed;
    }
    out->valid = out->error == NULL;
    return consumed;
}

/* smtp_path_trick_names - names of trick bits */

void smtp_path_trick_names(unsigned tricks, char *buf, size_t size)
{
    static const char *const names[] = {
        "percent-hack", "bang-path",    "multiple-at", "quoted-at",       "trailing-dot",
        "trailing-at",  "source-route", "no-brackets", "address-literal",
    };
    size_t used = 0;
    size_t i;

    if (size == 0)
        return;
    buf[0] = 0;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t n;

        if (!(tricks & (1u << i)))
            continue;
        n = strlen(names[i]);
        if (used + n + 2 > size)
            break;
        if (used > 0)
            buf[used++] = ',';
        memcpy(buf + used, names[i], n);
        used += n;
        buf[used] = 0;
    }
}

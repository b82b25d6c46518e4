/*++
 * NAME
 *	smtp_ehlo 3
 * SUMMARY
 *	EHLO capability parser
 * DESCRIPTION
 *	See smtp_ehlo.h. Table driven: one row per keyword.
 *--*/
#include <strings.h>
#include <string.h>

#include "smtp_ehlo.h"

struct keyword {
    const char *name;
    unsigned bit;
};

static const struct keyword keywords[] = {
    {"STARTTLS", SMTP_EHLO_STARTTLS},
    {"AUTH", SMTP_EHLO_AUTH},
    {"PIPELINING", SMTP_EHLO_PIPELINING},
    {"SIZE", SMTP_EHLO_SIZE},
    {"8BITMIME", SMTP_EHLO_8BITMIME},
    {"SMTPUTF8", SMTP_EHLO_SMTPUTF8},
    {"CHUNKING", SMTP_EHLO_CHUNKING},
    {"DSN", SMTP_EHLO_DSN},
    {"ENHANCEDSTATUSCODES", SMTP_EHLO_ENHANCEDSTATUSCODES},
    {"XCLIENT", SMTP_EHLO_XCLIENT},
    {"VRFY", SMTP_EHLO_VRFY},
    {"ETRN", SMTP_EHLO_ETRN},
};

static const struct keyword mechs[] = {
    {"PLAIN", SMTP_AUTH_PLAIN},
    {"LOGIN", SMTP_AUTH_LOGIN},
    {"CRAM-MD5", SMTP_AUTH_CRAM_MD5},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* match - case-insensitive compare of a view with a name */

static int match(const char *s, size_t len, const char *name)
{
    return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

/* smtp_ehlo_auth_mech - SMTP_AUTH_* for a name */

unsigned smtp_ehlo_auth_mech(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < COUNT(mechs); i++)
        if (match(name, len, mechs[i].name))
            return mechs[i].bit;
    return 0;
}

/* smtp_ehlo_auth_name - name of one mechanism bit */

const char *smtp_ehlo_auth_name(unsigned mech)
{
    size_t i;

    for (i = 0; i < COUNT(mechs); i++)
        if (mechs[i].bit == mech)
            return mechs[i].name;
    return "?";
}

/* parse_mechs - RFC 4954 3: "AUTH" SP mechanism *(SP mechanism) */

static unsigned parse_mechs(const char *s, size_t len)
{
    unsigned bits = 0;
    size_t i = 0;

    while (i < len) {
        size_t start;
        unsigned bit;

        while (i < len && s[i] == ' ')
            i++;
        start = i;
        while (i < len && s[i] != ' ')
            i++;
        if (i > start) {
            bit = smtp_ehlo_auth_mech(s + start, i - start);
            bits |= bit ? bit : SMTP_AUTH_OTHER;
        }
    }
    return bits;
}

/* parse_size - RFC 1870: "SIZE" [SP 1*20DIGIT] */

static unsigned long long parse_size(const char *s, size_t len)
{
    unsigned long long v = 0;
    size_t i;

    for (i = 0; i < len && i < 20 && s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > (~0ULL - 9) / 10)
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v;
}

/* smtp_ehlo_parse - capabilities from a reply to EHLO */

int smtp_ehlo_parse(const struct smtp_reply *reply, struct smtp_ehlo *out)
{
    size_t pos = 0;
    const char *text;
    size_t len;
    int first = 1;

    memset(out, 0, sizeof(*out));
    if (reply->code != 250)
        return -1;
    while (smtp_reply_next_line(reply, &pos, &text, &len)) {
        size_t kw_len = 0;
        const char *param;
        size_t param_len;
        size_t i;
        int old_auth;

        /* RFC 5321 4.1.1.1: the first line holds the domain, not a keyword. */
        if (first) {
            first = 0;
            continue;
        }
        while (kw_len < len && text[kw_len] != ' ' && text[kw_len] != '=')
            kw_len++;
        old_auth = kw_len < len && text[kw_len] == '=';
        param = kw_len < len ? text + kw_len + 1 : text + len;
        param_len = kw_len < len ? len - kw_len - 1 : 0;
        for (i = 0; i < COUNT(keywords); i++)
            if (match(text, kw_len, keywords[i].name))
                break;
        if (i == COUNT(keywords)) {
            out->unknown++;
            continue;
        }
        if (old_auth && keywords[i].bit != SMTP_EHLO_AUTH) {
            out->unknown++;
            continue;
        }
        out->caps |= keywords[i].bit;
        if (keywords[i].bit == SMTP_EHLO_AUTH)
            out->auth_mechs |= parse_mechs(param, param_len);
        else if (keywords[i].bit == SMTP_EHLO_SIZE)
            out->size_max = parse_size(param, param_len);
    }
    return 0;
}

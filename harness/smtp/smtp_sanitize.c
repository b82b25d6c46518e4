/*++
 * NAME
 *	smtp_sanitize 3
 * SUMMARY
 *	hostile text made safe for reports and terminals
 * DESCRIPTION
 *	See smtp_sanitize.h. One pass; each input character becomes one
 *	"unit" of output (itself, "\\", or its bytes as \xNN), and units
 *	are never split, so truncation always lands on a boundary.
 *--*/
#include <string.h>

#include "smtp_sanitize.h"

/* The longest unit: a 4-byte sequence shown as four \xNN. */
#define UNIT_MAX 16

/* decode - the well-formed UTF-8 sequence at in (RFC 3629 table 4); its length or 0 */

static size_t decode(const unsigned char *in, size_t len, unsigned long *cp)
{
    unsigned char b = in[0];
    unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
    unsigned long c;
    size_t n, i;

    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
        c = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        c = b & 0x0f;
        if (b == 0xe0)
            lo = 0xa0; /* overlong */
        else if (b == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        c = b & 0x07;
        if (b == 0xf0)
            lo = 0x90; /* overlong */
        else if (b == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0; /* a continuation byte, 0xC0, 0xC1 (overlong), 0xF5..0xFF */
    }
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        unsigned char t = in[i];

        if (t < (i == 1 ? lo : 0x80) || t > (i == 1 ? hi : 0xbf))
            return 0;
        c = (c << 6) | (t & 0x3f);
    }
    *cp = c;
    return n;
}

/* shown - may this character be shown as itself? */

static int shown(unsigned long c)
{
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
        return 0; /* C0, DEL, C1 */
    if (c == 0x2028 || c == 0x2029)
        return 0; /* line breaks to YAML 1.1 and JavaScript */
    if (c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
        (c >= 0x2066 && c <= 0x2069))
        return 0; /* bidirectional controls */
    if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
        return 0; /* noncharacters */
    return 1;
}

/* smtp_sanitize - in[0..len) as valid UTF-8 without controls, into out[size] */

size_t smtp_sanitize(const char *in, size_t len, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)in;
    size_t cap, o = 0, keep = 0, i = 0, k;
    const size_t mark_len = sizeof(SMTP_SANITIZE_MARK) - 1;

    if (size == 0)
        return 0;
    cap = size - 1;
    while (i < len) {
        char unit[UNIT_MAX];
        unsigned long c = 0;
        size_t n = decode(p + i, len - i, &c);
        size_t u = 0;

        if (n == 1 && c == '\\') {
            unit[u++] = '\\';
            unit[u++] = '\\';
        } else if (n > 0 && shown(c)) {
            memcpy(unit, p + i, n);
            u = n;
        } else {
            if (n == 0)
                n = 1; /* not well-formed: this byte alone, then resynchronise */
            for (k = 0; k < n; k++) {
                unit[u++] = '\\';
                unit[u++] = 'x';
                unit[u++] = hex[p[i + k] >> 4];
                unit[u++] = hex[p[i + k] & 0xf];
            }
        }
        if (o + u > cap) {
            /* Back to the last boundary where the mark still fits. */
            o = keep;
            for (k = 0; k < mark_len && o < cap; k++)
                out[o++] = SMTP_SANITIZE_MARK[k];
            break;
        }
        memcpy(out + o, unit, u);
        o += u;
        i += n;
        if (o + mark_len <= cap)
            keep = o;
    }
    out[o] = 0;
    return o;
}

/* smtp_sanitize_str - the same for a string */

size_t smtp_sanitize_str(const char *in, char *out, size_t size)
{
    return in ? smtp_sanitize(in, strlen(in), out, size) : smtp_sanitize("", 0, out, size);
}

/* smtp_sanitize_is_clean - valid UTF-8 with nothing the sanitizer escapes */

int smtp_sanitize_is_clean(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned long c = 0;
        size_t n = decode(p + i, len - i, &c);

        if (n == 0 || !shown(c))
            return 0;
        i += n;
    }
    return 1;
}

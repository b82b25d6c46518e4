/* fuzz_sanitize - the sanitizer: valid UTF-8, no controls, in bounds, and it decodes back */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_sanitize.h"

#define OUT_MAX (4 * 65536 + 1)

static char whole[OUT_MAX];
static char cut[OUT_MAX];
static unsigned char back[65536];

/*
 * next_char - the oracle's own UTF-8 decoder, written apart from the
 * sanitizer's: the code point at s[0..len), its length in *n; -1 when
 * not well-formed (RFC 3629: shortest form, no surrogates, <= U+10FFFF).
 */
static long next_char(const unsigned char *s, size_t len, size_t *n)
{
    long c;
    size_t i, need;

    if (s[0] < 0x80) {
        *n = 1;
        return s[0];
    }
    if ((s[0] & 0xe0) == 0xc0)
        need = 2, c = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        need = 3, c = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        need = 4, c = s[0] & 0x07;
    else
        return -1;
    if (len < need)
        return -1;
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return -1;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((need == 2 && c < 0x80) || (need == 3 && c < 0x800) || (need == 4 && c < 0x10000) ||
        (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
        return -1;
    *n = need;
    return c;
}

/* check_clean - valid UTF-8, nothing a terminal, XML or YAML would act on */

static void check_clean(const char *out, size_t len)
{
    const unsigned char *s = (const unsigned char *)out;
    size_t i = 0, n = 0;

    if (strlen(out) != len)
        abort();
    while (i < len) {
        long c = next_char(s + i, len - i, &n);

        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
            c == 0x202e || c == 0xfffe || c == 0xffff)
            abort();
        i += n;
    }
}

/* unescape - \\ and \xNN back into bytes; the length, or abort on a stray backslash */

static size_t unescape(const char *s, size_t len, unsigned char *to)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        if (s[i] != '\\') {
            to[o++] = (unsigned char)s[i];
        } else if (i + 1 < len && s[i + 1] == '\\') {
            to[o++] = '\\';
            i++;
        } else if (i + 3 < len && s[i + 1] == 'x') {
            char hex[3] = {s[i + 2], s[i + 3], 0};

            to[o++] = (unsigned char)strtoul(hex, NULL, 16);
            i += 3;
        } else {
            abort();
        }
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t n, m, bound;

    if (size > sizeof(back))
        return 0;
    /* The whole: SMTP_SANITIZE_SIZE is enough, and it decodes back exactly. */
    n = smtp_sanitize(in, size, whole, SMTP_SANITIZE_SIZE(size));
    if (n >= SMTP_SANITIZE_SIZE(size))
        abort();
    check_clean(whole, n);
    if (unescape(whole, n, back) != size || memcmp(back, data, size) != 0)
        abort();
    /* A bound picked by the input: within it, clean, a prefix of the whole. */
    bound = size ? (size_t)data[0] % 64 + 1 : 1;
    m = smtp_sanitize(in, size, cut, bound);
    if (m >= bound)
        abort();
    check_clean(cut, m);
    if (m == n) {
        if (memcmp(cut, whole, n) != 0)
            abort();
    } else if (bound > 3) {
        if (m < 3 || memcmp(cut + m - 3, SMTP_SANITIZE_MARK, 3) != 0 ||
            memcmp(cut, whole, m - 3) != 0)
            abort();
    }
    if (!smtp_sanitize_is_clean(whole, n) || !smtp_sanitize_is_clean(cut, m))
        abort();
    return 0;
}

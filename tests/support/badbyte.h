// badbyte.h - for tests: where text stops being what a report may show.
// Written apart from the sanitizer (harness/smtp/smtp_sanitize.c), so the
// tests do not check it against itself.
#ifndef BADBYTE_H
#define BADBYTE_H

#include <string>

// BadByte - offset of the first byte that is not valid UTF-8 or is a
// control character (LF allowed), or -1. Written apart from the sanitizer.
inline long BadByte(const std::string &s)
{
    const unsigned char *p = (const unsigned char *)s.data();
    size_t i = 0, n = s.size();
    while (i < n) {
        unsigned char b = p[i];
        size_t len;
        unsigned long c;
        if (b < 0x80) {
            if ((b < 0x20 && b != '\n') || b == 0x7f)
                return (long)i;
            i++;
            continue;
        }
        if ((b & 0xe0) == 0xc0)
            len = 2, c = b & 0x1f;
        else if ((b & 0xf0) == 0xe0)
            len = 3, c = b & 0x0f;
        else if ((b & 0xf8) == 0xf0)
            len = 4, c = b & 0x07;
        else
            return (long)i;
        if (i + len > n)
            return (long)i;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return (long)i;
            c = (c << 6) | (p[i + k] & 0x3f);
        }
        if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
            (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff || c <= 0x9f || c == 0xfffe ||
            c == 0xffff || c == 0x2028 || c == 0x2029 || c == 0x202e)
            return (long)i;
        i += len;
    }
    return -1;
}

#endif

// The sanitizer: every class of hostile input, the bound, truncation on
// boundaries, and that the output always decodes back to the input.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "smtp_error.h"
#include "smtp_sanitize.h"

namespace
{

std::string Sanitize(const std::string &in, size_t size)
{
    std::vector<char> out(size + 1, '#'); // one guard byte past size
    size_t n = smtp_sanitize(in.data(), in.size(), out.data(), size);
    EXPECT_EQ(out[size], '#') << "wrote past size";
    if (size == 0)
        return std::string();
    EXPECT_EQ(n, strlen(out.data()));
    EXPECT_LT(n, size);
    return std::string(out.data(), n);
}

std::string Sanitize(const std::string &in)
{
    return Sanitize(in, SMTP_SANITIZE_SIZE(in.size()));
}

// Unescape - the inverse the header promises: \\ and \xNN
std::string Unescape(const std::string &s)
{
    std::string r;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] != '\\') {
            r += s[i];
        } else if (i + 1 < s.size() && s[i + 1] == '\\') {
            r += '\\';
            i++;
        } else {
            EXPECT_TRUE(i + 3 < s.size() && s[i + 1] == 'x') << s;
            r += (char)std::stoi(s.substr(i + 2, 2), nullptr, 16);
            i += 3;
        }
    }
    return r;
}

struct Case {
    const char *name;
    std::string in;
    std::string want;
};

const std::vector<Case> kClasses = {
    {"empty", "", ""},
    {"plain ASCII", "220 mx.relaylab.test ESMTP", "220 mx.relaylab.test ESMTP"},
    {"markup is not this layer's business", "<script>alert(1)</script> ]]> & \"'",
     "<script>alert(1)</script> ]]> & \"'"},
    {"backslash doubled", "a\\b", "a\\\\b"},
    {"a literal \\x41 stays text", "\\x41", "\\\\x41"},
    {"NUL", std::string("a\0b", 3), "a\\x00b"},
    {"tab", "a\tb", "a\\x09b"},
    {"CR LF", "a\r\nb", "a\\x0d\\x0ab"},
    {"ESC colour", "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"},
    {"BEL", "ding\x07", "ding\\x07"},
    {"every C0", std::string("\x01\x02\x1f", 3), "\\x01\\x02\\x1f"},
    {"DEL", "\x7f", "\\x7f"},
    {"0xFF", "\xff", "\\xff"},
    {"0xFE", "\xfe", "\\xfe"},
    {"lone continuation byte", "a\x80z", "a\\x80z"},
    {"C0 lead: overlong NUL", "\xc0\x80", "\\xc0\\x80"},
    {"C1 lead: overlong DEL", "\xc1\xbf", "\\xc1\\xbf"},
    {"overlong three bytes", "\xe0\x80\xaf", "\\xe0\\x80\\xaf"},
    {"overlong four bytes", "\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"},
    {"high surrogate", "\xed\xa0\x80", "\\xed\\xa0\\x80"},
    {"low surrogate", "\xed\xbf\xbf", "\\xed\\xbf\\xbf"},
    {"above U+10FFFF (F4 90)", "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},
    {"above U+10FFFF (F5)", "\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80"},
    {"sequence cut at the end", "ab\xe2\x82", "ab\\xe2\\x82"},
    {"sequence cut by ASCII",
     "\xe2\x82"
     "A",
     "\\xe2\\x82A"},
    {"sequence cut by a lead byte", "\xe2\xe2\x82\xac", "\\xe2\xe2\x82\xac"},
    {"two-byte", "caf\xc3\xa9", "caf\xc3\xa9"},
    {"three-byte", "\xe2\x82\xac 5", "\xe2\x82\xac 5"},
    {"four-byte", "\xf0\x9f\x93\xa7", "\xf0\x9f\x93\xa7"},
    {"U+00A0, first after C1", "\xc2\xa0", "\xc2\xa0"},
    {"U+D7FF, before the surrogates", "\xed\x9f\xbf", "\xed\x9f\xbf"},
    {"U+E000, after them", "\xee\x80\x80", "\xee\x80\x80"},
    {"U+FFFD", "\xef\xbf\xbd", "\xef\xbf\xbd"},
    {"U+10FFFD", "\xf4\x8f\xbf\xbd", "\xf4\x8f\xbf\xbd"},
    {"C1 U+0080", "\xc2\x80", "\\xc2\\x80"},
    {"C1 NEL U+0085", "\xc2\x85", "\\xc2\\x85"},
    {"C1 CSI U+009B",
     "\xc2\x9b"
     "31m",
     "\\xc2\\x9b"
     "31m"},
    {"C1 U+009F", "\xc2\x9f", "\\xc2\\x9f"},
    {"line separator",
     "a\xe2\x80\xa8"
     "b",
     "a\\xe2\\x80\\xa8b"},
    {"paragraph separator", "\xe2\x80\xa9", "\\xe2\\x80\\xa9"},
    {"bidi RLO",
     "\xe2\x80\xae"
     "gnp.exe",
     "\\xe2\\x80\\xae"
     "gnp.exe"},
    {"bidi LRM, RLM", "\xe2\x80\x8e\xe2\x80\x8f", "\\xe2\\x80\\x8e\\xe2\\x80\\x8f"},
    {"bidi isolates", "\xe2\x81\xa6\xe2\x81\xa9", "\\xe2\\x81\\xa6\\xe2\\x81\\xa9"},
    {"arabic letter mark", "\xd8\x9c", "\\xd8\\x9c"},
    {"U+FFFE", "\xef\xbf\xbe", "\\xef\\xbf\\xbe"},
    {"U+FFFF", "\xef\xbf\xbf", "\\xef\\xbf\\xbf"},
    {"U+FDD0", "\xef\xb7\x90", "\\xef\\xb7\\x90"},
    {"U+1FFFF", "\xf0\x9f\xbf\xbf", "\\xf0\\x9f\\xbf\\xbf"},
    {"U+10FFFF", "\xf4\x8f\xbf\xbf", "\\xf4\\x8f\\xbf\\xbf"},
    {"the hostile banner", "220 <script>\x1b[31m\x07\xff]]>", "220 <script>\\x1b[31m\\x07\\xff]]>"},
};

TEST(Sanitize, EveryClass)
{
    for (const Case &c : kClasses) {
        std::string got = Sanitize(c.in);
        EXPECT_EQ(got, c.want) << c.name;
        EXPECT_TRUE(smtp_sanitize_is_clean(got.data(), got.size())) << c.name;
        EXPECT_EQ(Unescape(got), c.in) << c.name;
        // Clean input is exactly what comes out unchanged (no backslash here).
        if (c.in.find('\\') == std::string::npos)
            EXPECT_EQ(smtp_sanitize_is_clean(c.in.data(), c.in.size()) != 0, got == c.in) << c.name;
    }
}

struct Cut {
    const char *name;
    std::string in;
    size_t size;
    std::string want;
};

const std::vector<Cut> kCuts = {
    {"fits exactly", "abcdef", 7, "abcdef"},
    {"one short", "abcdef", 6, "ab..."},
    {"mark at the end", "abcdefg", 7, "abc..."},
    {"empty in a 1-byte buffer", "", 1, ""},
    {"no room even for a dot", "a", 1, ""},
    {"one dot", "ab", 2, "."},
    {"two dots", "abc", 3, ".."},
    {"three dots, nothing else", "abcd", 4, "..."},
    {"small but fits", "ab", 3, "ab"},
    {"never inside a UTF-8 sequence",
     "a\xe2\x82\xac"
     "b",
     5, "a..."},
    {"euro signs", "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 7, "\xe2\x82\xac..."},
    {"four-byte kept whole", "\xf0\x9f\x93\xa7\xf0\x9f\x93\xa7", 8, "\xf0\x9f\x93\xa7..."},
    {"never inside an escape", "\x1b\x1b", 8, "\\x1b..."},
    {"escape fits exactly", "\x1b\x1b", 9, "\\x1b\\x1b"},
    {"a C1 character is one unit", "\xc2\x9b", 8, "..."},
    {"never between two backslashes", "\\\\\\", 6, "\\\\..."},
    {"whole escaped input at the bound", std::string(100, '\xff'), 401,
     [] {
         std::string s;
         for (int i = 0; i < 100; i++)
             s += "\\xff";
         return s;
     }()},
};

TEST(Sanitize, TruncatesOnBoundaries)
{
    for (const Cut &c : kCuts) {
        std::string got = Sanitize(c.in, c.size);
        EXPECT_EQ(got, c.want) << c.name;
        EXPECT_LE(got.size(), c.size - 1) << c.name;
        EXPECT_TRUE(smtp_sanitize_is_clean(got.data(), got.size())) << c.name;
    }
}

TEST(Sanitize, ZeroSizeWritesNothing)
{
    char out[2] = {'#', '#'};
    EXPECT_EQ(smtp_sanitize("abc", 3, out, 0), 0u);
    EXPECT_EQ(out[0], '#');
}

TEST(Sanitize, StringForm)
{
    char out[32];
    EXPECT_EQ(smtp_sanitize_str("a\x1b", out, sizeof(out)), 5u);
    EXPECT_STREQ(out, "a\\x1b");
    EXPECT_EQ(smtp_sanitize_str(nullptr, out, sizeof(out)), 0u);
    EXPECT_STREQ(out, "");
}

// Every size from 1 to the whole: always within the bound, always a prefix
// of the whole (minus the mark), always clean.
TEST(Sanitize, EverySize)
{
    std::string in = "S: 220 \xe2\x82\xac\\ \x1b[1m\xff\xc2\x9b\xf0\x9f\x93\xa7 end";
    std::string whole = Sanitize(in);
    for (size_t size = 1; size <= whole.size() + 1; size++) {
        std::string got = Sanitize(in, size);
        ASSERT_LE(got.size(), size - 1);
        ASSERT_TRUE(smtp_sanitize_is_clean(got.data(), got.size()));
        if (size > whole.size()) {
            EXPECT_EQ(got, whole);
        } else if (size > 3) {
            ASSERT_GE(got.size(), 3u);
            EXPECT_EQ(got.substr(got.size() - 3), "...");
            EXPECT_EQ(whole.compare(0, got.size() - 3, got, 0, got.size() - 3), 0) << got;
        }
    }
}

// Every one- and two-byte input decodes back, and comes out clean.
TEST(Sanitize, EveryByteAndPair)
{
    for (int a = 0; a < 256; a++) {
        for (int b = -1; b < 256; b++) {
            std::string in(1, (char)a);
            if (b >= 0)
                in += (char)b;
            std::string got = Sanitize(in);
            ASSERT_TRUE(smtp_sanitize_is_clean(got.data(), got.size())) << a << " " << b;
            ASSERT_EQ(Unescape(got), in) << a << " " << b;
        }
    }
}

// Encode - a code point as UTF-8 (any value up to 0x1FFFFF, surrogates too)
std::string Encode(unsigned long c)
{
    std::string s;
    if (c < 0x80) {
        s += (char)c;
    } else if (c < 0x800) {
        s += (char)(0xc0 | (c >> 6));
        s += (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        s += (char)(0xe0 | (c >> 12));
        s += (char)(0x80 | ((c >> 6) & 0x3f));
        s += (char)(0x80 | (c & 0x3f));
    } else {
        s += (char)(0xf0 | (c >> 18));
        s += (char)(0x80 | ((c >> 12) & 0x3f));
        s += (char)(0x80 | ((c >> 6) & 0x3f));
        s += (char)(0x80 | (c & 0x3f));
    }
    return s;
}

// Escaped - the header's list, written out again
bool Escaped(unsigned long c)
{
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
           c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || (c >= 0xd800 && c <= 0xdfff) ||
           (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe || c > 0x10ffff;
}

// Every code point, and a little beyond: copied, or every byte escaped.
TEST(Sanitize, EveryCodePoint)
{
    for (unsigned long c = 0; c < 0x110100; c++) {
        std::string in = Encode(c);
        std::string got = Sanitize(in);
        if (c == '\\')
            continue;
        if (Escaped(c))
            ASSERT_EQ(got.size(), 4 * in.size()) << std::hex << c;
        else
            ASSERT_EQ(got, in) << std::hex << c;
    }
}

// The reply kept in an error record goes through the same rules.
TEST(Sanitize, ErrorReply)
{
    smtp_error err;
    smtp_error_clear(&err);
    std::string reply = "554 \x1b[31m\xff\xc3\xa9\\ no\r\n554 second line";
    smtp_error_set_reply(&err, reply.data(), reply.size());
    EXPECT_STREQ(err.reply, "554 \\x1b[31m\\xff\xc3\xa9\\\\ no");
    std::string huge(5000, '\x07');
    smtp_error_set_reply(&err, huge.data(), huge.size());
    EXPECT_LT(strlen(err.reply), sizeof(err.reply));
    EXPECT_EQ(std::string(err.reply).substr(strlen(err.reply) - 3), "...");
    EXPECT_TRUE(smtp_sanitize_is_clean(err.reply, strlen(err.reply)));
}

} // namespace

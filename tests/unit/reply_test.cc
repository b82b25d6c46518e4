// Reply parser: tables of valid and invalid replies, every split point.
// The parser returns views into its input: keep the input alive.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtp_reply.h"

namespace
{

struct Parsed {
    long rc;
    smtp_reply reply;
};

Parsed parse_all(const std::string &in, const smtp_reply_limits *lim = nullptr)
{
    smtp_reply_limits def;
    smtp_reply_limits_default(&def);
    smtp_reply_parser p;
    smtp_reply_parser_init(&p);
    Parsed out{};
    out.rc = smtp_reply_parse(&p, lim ? lim : &def, in.data(), in.size(), &out.reply);
    return out;
}

// Feed the input in two pieces split at `split`, as a socket would.
long parse_split(const std::string &in, size_t split, smtp_reply *r)
{
    smtp_reply_limits lim;
    smtp_reply_limits_default(&lim);
    smtp_reply_parser p;
    smtp_reply_parser_init(&p);
    long rc = smtp_reply_parse(&p, &lim, in.data(), split, r);
    if (rc != SMTP_REPLY_PARTIAL)
        return rc;
    return smtp_reply_parse(&p, &lim, in.data(), in.size(), r);
}

struct Valid {
    const char *in;
    int code;
    size_t nlines;
    const char *text;
    const char *enhanced;
    unsigned flags;
};

const Valid kValid[] = {
    {"220 mx.example.com ESMTP\r\n", 220, 1, "mx.example.com ESMTP", "", 0},
    {"250 OK\r\n", 250, 1, "OK", "", 0},
    {"250\r\n", 250, 1, "", "", 0},
    {"250 \r\n", 250, 1, "", "", 0},
    {"250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n", 250, 3, "mx", "", 0},
    {"554 5.7.1 <a@b.c>: Relay access denied\r\n", 554, 1, "5.7.1 <a@b.c>: Relay access denied",
     "5.7.1", 0},
    {"454 4.7.1 <x@y>: Relay access denied\r\n", 454, 1, "4.7.1 <x@y>: Relay access denied",
     "4.7.1", 0},
    {"550 relay not permitted\r\n", 550, 1, "relay not permitted", "", 0},
    {"250 2.1.5 Ok\n", 250, 1, "2.1.5 Ok", "2.1.5", SMTP_REPLY_F_BARE_LF},
    {"250 5.1.1 odd\r\n", 250, 1, "5.1.1 odd", "5.1.1", SMTP_REPLY_F_ENH_MISMATCH},
    {"535 5.7.8 Error: authentication failed\r\n", 535, 1, "5.7.8 Error: authentication failed",
     "5.7.8", 0},
    {"250 2.0.0 Ok: queued as ABC\r\n", 250, 1, "2.0.0 Ok: queued as ABC", "2.0.0", 0},
    {"250 2.123.456 long enhanced\r\n", 250, 1, "2.123.456 long enhanced", "2.123.456", 0},
    {"250 2.1234.5 not enhanced\r\n", 250, 1, "2.1234.5 not enhanced", "", 0},
    {"250 3.1.0 not a class\r\n", 250, 1, "3.1.0 not a class", "", 0},
    {"250 2.1.0x not enhanced\r\n", 250, 1, "2.1.0x not enhanced", "", 0},
    {"421-4.3.2 going\r\n421 4.3.2 down\r\n", 421, 2, "4.3.2 going", "4.3.2", 0},
    {"334 VXNlcm5hbWU6\r\n", 334, 1, "VXNlcm5hbWU6", "", 0},
    {"354 End data with <CR><LF>.<CR><LF>\r\n", 354, 1, "End data with <CR><LF>.<CR><LF>", "", 0},
    {"220 a\rb\r\n", 220, 1, "a\rb", "", SMTP_REPLY_F_BARE_CR},
};

TEST(Reply, ValidTable)
{
    for (const auto &v : kValid) {
        SCOPED_TRACE(v.in);
        const std::string in = v.in; // the views point into it
        Parsed p = parse_all(in);
        ASSERT_EQ(p.rc, (long)in.size());
        EXPECT_EQ(p.reply.code, v.code);
        EXPECT_EQ(p.reply.nlines, v.nlines);
        EXPECT_EQ(std::string(p.reply.text, p.reply.text_len), v.text);
        char enh[16];
        smtp_reply_enhanced(&p.reply, enh, sizeof(enh));
        EXPECT_STREQ(enh, v.enhanced);
        EXPECT_EQ(p.reply.flags, v.flags);
    }
}

struct Invalid {
    const char *in;
    const char *why;
};

const Invalid kInvalid[] = {
    {"hello\r\n", "reply line does not start with a reply code"},
    {"25\r\n", "reply line does not start with a reply code"},
    {"650 no\r\n", "reply line does not start with a reply code"},
    {"160 no\r\n", "reply line does not start with a reply code"},
    {"2a0 no\r\n", "reply line does not start with a reply code"},
    {"260 no\r\n", "reply line does not start with a reply code"},
    {"250x\r\n", "reply code not followed by SP or '-'"},
    {"250-a\r\n251 b\r\n", "reply code changed within a multi-line reply"},
    {"\r\n", "reply line does not start with a reply code"},
};

TEST(Reply, InvalidTable)
{
    for (const auto &v : kInvalid) {
        if (v.why == nullptr)
            continue;
        SCOPED_TRACE(v.in);
        Parsed p = parse_all(v.in);
        EXPECT_EQ(p.rc, SMTP_REPLY_MALFORMED);
        ASSERT_NE(p.reply.error, nullptr);
        EXPECT_STREQ(p.reply.error, v.why);
    }
}

TEST(Reply, NulIsRefused)
{
    std::string in("250 a\0b\r\n", 9);
    Parsed p = parse_all(in);
    EXPECT_EQ(p.rc, SMTP_REPLY_MALFORMED);
    EXPECT_STREQ(p.reply.error, "NUL byte in reply");
}

TEST(Reply, PartialUntilLastLine)
{
    EXPECT_EQ(parse_all("").rc, SMTP_REPLY_PARTIAL);
    EXPECT_EQ(parse_all("250").rc, SMTP_REPLY_PARTIAL);
    EXPECT_EQ(parse_all("250 ok").rc, SMTP_REPLY_PARTIAL);
    EXPECT_EQ(parse_all("250 ok\r").rc, SMTP_REPLY_PARTIAL);
    EXPECT_EQ(parse_all("250-a\r\n").rc, SMTP_REPLY_PARTIAL);
    EXPECT_EQ(parse_all("250-a\r\n250-b\r\n250 c").rc, SMTP_REPLY_PARTIAL);
}

TEST(Reply, StopsAfterOneReply)
{
    std::string two = "250 one\r\n251 two\r\n";
    Parsed p = parse_all(two);
    EXPECT_EQ(p.rc, 9);
    EXPECT_EQ(p.reply.code, 250);
}

TEST(Reply, EverySplitPointGivesTheSameReply)
{
    for (const auto &v : kValid) {
        std::string in = v.in;
        for (size_t split = 0; split <= in.size(); split++) {
            SCOPED_TRACE(in + " split at " + std::to_string(split));
            smtp_reply r;
            ASSERT_EQ(parse_split(in, split, &r), (long)in.size());
            EXPECT_EQ(r.code, v.code);
            EXPECT_EQ(r.nlines, v.nlines);
            EXPECT_EQ(std::string(r.text, r.text_len), v.text);
        }
    }
}

TEST(Reply, ByteAtATime)
{
    std::string in = "250-mx.example\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 100\r\n";
    smtp_reply_limits lim;
    smtp_reply_limits_default(&lim);
    smtp_reply_parser p;
    smtp_reply_parser_init(&p);
    smtp_reply r;
    for (size_t n = 0; n < in.size(); n++)
        ASSERT_EQ(smtp_reply_parse(&p, &lim, in.data(), n, &r), SMTP_REPLY_PARTIAL) << n;
    ASSERT_EQ(smtp_reply_parse(&p, &lim, in.data(), in.size(), &r), (long)in.size());
    EXPECT_EQ(r.nlines, 4u);
}

TEST(Reply, LineTooLongWithoutLineEnd)
{
    smtp_reply_limits lim;
    smtp_reply_limits_default(&lim);
    lim.line_max = 100;
    std::string in = "250 " + std::string(200, 'x');
    Parsed p = parse_all(in, &lim);
    EXPECT_EQ(p.rc, SMTP_REPLY_MALFORMED);
    EXPECT_STREQ(p.reply.error, "reply line too long");
    // Exactly at the limit with its line end still fits.
    std::string fits = "250 " + std::string(94, 'x') + "\r\n";
    ASSERT_EQ(fits.size(), 100u);
    EXPECT_EQ(parse_all(fits, &lim).rc, 100);
}

TEST(Reply, LongLineFlaggedOverRfcLimit)
{
    std::string in = "250 " + std::string(600, 'y') + "\r\n";
    Parsed p = parse_all(in);
    ASSERT_GT(p.rc, 0);
    EXPECT_TRUE(p.reply.flags & SMTP_REPLY_F_LONG_LINE);
}

TEST(Reply, TooManyLines)
{
    smtp_reply_limits lim;
    smtp_reply_limits_default(&lim);
    lim.lines_max = 10;
    std::string in;
    for (int i = 0; i < 10; i++)
        in += "250-line\r\n";
    in += "250 end\r\n";
    Parsed p = parse_all(in, &lim);
    EXPECT_EQ(p.rc, SMTP_REPLY_MALFORMED);
    EXPECT_STREQ(p.reply.error, "too many lines in reply");
}

TEST(Reply, TooManyBytes)
{
    smtp_reply_limits lim;
    smtp_reply_limits_default(&lim);
    lim.total_max = 64;
    std::string in;
    for (int i = 0; i < 20; i++)
        in += "250-line\r\n";
    Parsed p = parse_all(in, &lim);
    EXPECT_EQ(p.rc, SMTP_REPLY_MALFORMED);
    EXPECT_STREQ(p.reply.error, "reply too long");
}

TEST(Reply, LineIterator)
{
    const std::string in = "250-first\r\n250-second\n250 third\r\n";
    Parsed p = parse_all(in);
    ASSERT_GT(p.rc, 0);
    size_t pos = 0;
    const char *text;
    size_t len;
    std::vector<std::string> lines;
    while (smtp_reply_next_line(&p.reply, &pos, &text, &len))
        lines.emplace_back(text, len);
    EXPECT_EQ(lines, (std::vector<std::string>{"first", "second", "third"}));
}

} // namespace

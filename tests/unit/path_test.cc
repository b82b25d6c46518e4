// Path parser: RFC 5321 forms and the relay-trick classification.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "smtp_path.h"

namespace
{

struct Case {
    const char *in;
    long consumed;
    int valid;
    const char *local;
    const char *domain;
    unsigned flags;
    unsigned tricks;
};

const Case kCases[] = {
    {"<user@example.com>", 18, 1, "user", "example.com", 0, 0},
    {"<>", 2, 1, "", "", SMTP_PATH_F_NULL, 0},
    {"<Postmaster>", 12, 1, "Postmaster", "", SMTP_PATH_F_NO_DOMAIN | SMTP_PATH_F_POSTMASTER, 0},
    {"<user>", 6, 0, "user", "", SMTP_PATH_F_NO_DOMAIN, 0},
    {"<first.last+tag@sub.example.org> SIZE=10", 32, 1, "first.last+tag", "sub.example.org", 0, 0},
    {"<\"john doe\"@example.com>", 24, 1, "\"john doe\"", "example.com", SMTP_PATH_F_QUOTED, 0},
    {"<\"a\\\"b\"@example.com>", 20, 1, "\"a\\\"b\"", "example.com", SMTP_PATH_F_QUOTED, 0},
    {"<user@[192.0.2.1]>", 18, 1, "user", "[192.0.2.1]", SMTP_PATH_F_LITERAL4, SMTP_PATH_T_LITERAL},
    {"<user@[IPv6:2001:db8::1]>", 25, 1, "user", "[IPv6:2001:db8::1]", SMTP_PATH_F_LITERAL6,
     SMTP_PATH_T_LITERAL},
    {"<user@[x-tag:abc]>", 18, 1, "user", "[x-tag:abc]", SMTP_PATH_F_LITERAL_GEN,
     SMTP_PATH_T_LITERAL},
    {"<user@[300.0.0.1]>", 18, 0, "user", "[300.0.0.1]", SMTP_PATH_F_LITERAL4, SMTP_PATH_T_LITERAL},
    {"<@relay.example:user@remote.example>", 36, 1, "user", "remote.example", 0, SMTP_PATH_T_ROUTE},
    {"<@a.example,@b.example:user@c.example>", 38, 1, "user", "c.example", 0, SMTP_PATH_T_ROUTE},
    // The relay tricks.
    {"<user%remote.example@relay.example>", 35, 1, "user%remote.example", "relay.example", 0,
     SMTP_PATH_T_PERCENT},
    {"<remote.example!user@relay.example>", 35, 1, "remote.example!user", "relay.example", 0,
     SMTP_PATH_T_BANG},
    {"<user@remote.example@relay.example>", 35, 0, "user@remote.example", "relay.example", 0,
     SMTP_PATH_T_MULTI_AT},
    {"<\"user@remote.example\"@relay.example>", 37, 1, "\"user@remote.example\"", "relay.example",
     SMTP_PATH_F_QUOTED, SMTP_PATH_T_QUOTED_AT},
    {"<user@remote.example.>", 22, 0, "user", "remote.example.", 0, SMTP_PATH_T_TRAILING_DOT},
    {"<user@>", 7, 0, "user", "", 0, SMTP_PATH_T_TRAILING_AT},
    {"user@remote.example", 19, 0, "user", "remote.example", 0, SMTP_PATH_T_NO_BRACKETS},
    {"user@remote.example SIZE=1", 19, 0, "user", "remote.example", 0, SMTP_PATH_T_NO_BRACKETS},
    // Grammar errors.
    {"<.user@example.com>", 19, 0, ".user", "example.com", 0, 0},
    {"<us..er@example.com>", 20, 0, "us..er", "example.com", 0, 0},
    {"<user@-example.com>", 19, 0, "user", "-example.com", 0, 0},
    {"<user@exa_mple.com>", 19, 0, "user", "exa_mple.com", 0, 0},
    {"<us er@example.com>", 19, 0, "us er", "example.com", 0, 0},
    {"<\xc3\xa9l\xc3\xa8ve@\xc3\xa9"
     "cole.example>",
     24, 1, "\xc3\xa9l\xc3\xa8ve",
     "\xc3\xa9"
     "cole.example",
     SMTP_PATH_F_UTF8, 0},
};

TEST(Path, Table)
{
    for (const auto &c : kCases) {
        SCOPED_TRACE(c.in);
        smtp_path p;
        long n = smtp_path_parse(c.in, strlen(c.in), &p);
        ASSERT_EQ(n, c.consumed);
        EXPECT_EQ(p.valid, c.valid) << (p.error ? p.error : "(no error)");
        EXPECT_EQ(p.valid, p.error == nullptr);
        EXPECT_EQ(std::string(p.local ? p.local : "", p.local_len), c.local);
        EXPECT_EQ(std::string(p.domain ? p.domain : "", p.domain_len), c.domain);
        EXPECT_EQ(p.flags, c.flags);
        EXPECT_EQ(p.tricks, c.tricks);
    }
}

TEST(Path, NoPathAtAll)
{
    smtp_path p;
    EXPECT_EQ(smtp_path_parse("", 0, &p), -1);
    EXPECT_EQ(smtp_path_parse("<user@example.com", 17, &p), -1);
    EXPECT_EQ(smtp_path_parse("<user\r\n>", 8, &p), -1);
    EXPECT_EQ(smtp_path_parse(" <a@b>", 6, &p), -1);
}

TEST(Path, Limits)
{
    std::string local(65, 'a');
    std::string in = "<" + local + "@example.com>";
    smtp_path p;
    ASSERT_GT(smtp_path_parse(in.data(), in.size(), &p), 0);
    EXPECT_FALSE(p.valid);
    EXPECT_STREQ(p.error, "local part over 64 octets");
    std::string label(64, 'b');
    in = "<a@" + label + ".example>";
    ASSERT_GT(smtp_path_parse(in.data(), in.size(), &p), 0);
    EXPECT_STREQ(p.error, "label over 63 octets");
}

TEST(Path, QuotedCloseBracketDoesNotEndThePath)
{
    const char *in = "<\"a>b\"@example.com>";
    smtp_path p;
    EXPECT_EQ(smtp_path_parse(in, strlen(in), &p), (long)strlen(in));
    EXPECT_TRUE(p.valid);
}

TEST(Path, TrickNames)
{
    char buf[128];
    smtp_path_trick_names(SMTP_PATH_T_PERCENT | SMTP_PATH_T_ROUTE, buf, sizeof(buf));
    EXPECT_STREQ(buf, "percent-hack,source-route");
    smtp_path_trick_names(0, buf, sizeof(buf));
    EXPECT_STREQ(buf, "");
}

} // namespace

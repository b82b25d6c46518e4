// EHLO capability parser: replies captured from Postfix and Exim, and edge cases.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "smtp_ehlo.h"

namespace
{

smtp_ehlo parse(const std::string &in, int *rc = nullptr)
{
    smtp_reply_limits lim;
    smtp_reply_limits_default(&lim);
    smtp_reply_parser p;
    smtp_reply_parser_init(&p);
    smtp_reply r;
    EXPECT_EQ(smtp_reply_parse(&p, &lim, in.data(), in.size(), &r), (long)in.size());
    smtp_ehlo e;
    int got = smtp_ehlo_parse(&r, &e);
    if (rc)
        *rc = got;
    return e;
}

TEST(Ehlo, PostfixAfterTls)
{
    smtp_ehlo e = parse("250-mx.relaylab.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                        "250-VRFY\r\n250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n"
                        "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
                        "250-SMTPUTF8\r\n250 CHUNKING\r\n");
    EXPECT_EQ(e.caps,
              unsigned(SMTP_EHLO_PIPELINING | SMTP_EHLO_SIZE | SMTP_EHLO_VRFY | SMTP_EHLO_ETRN |
                       SMTP_EHLO_AUTH | SMTP_EHLO_ENHANCEDSTATUSCODES | SMTP_EHLO_8BITMIME |
                       SMTP_EHLO_DSN | SMTP_EHLO_SMTPUTF8 | SMTP_EHLO_CHUNKING));
    EXPECT_EQ(e.auth_mechs, unsigned(SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN));
    EXPECT_EQ(e.size_max, 10240000ull);
    EXPECT_EQ(e.unknown, 0u);
}

TEST(Ehlo, EximStyle)
{
    smtp_ehlo e = parse("250-mx Hello relaylab.test [127.0.0.1]\r\n250-SIZE 52428800\r\n"
                        "250-8BITMIME\r\n250-PIPELINING\r\n250-PIPE_CONNECT\r\n"
                        "250-AUTH CRAM-MD5 PLAIN\r\n250-STARTTLS\r\n250 HELP\r\n");
    EXPECT_TRUE(e.caps & SMTP_EHLO_STARTTLS);
    EXPECT_TRUE(e.caps & SMTP_EHLO_PIPELINING);
    EXPECT_EQ(e.auth_mechs, unsigned(SMTP_AUTH_CRAM_MD5 | SMTP_AUTH_PLAIN));
    EXPECT_EQ(e.unknown, 2u); // PIPE_CONNECT, HELP
}

TEST(Ehlo, KeywordsAreCaseInsensitiveAndFirstLineIsNotAKeyword)
{
    smtp_ehlo e = parse("250-STARTTLS\r\n250-starttls\r\n250 auth login XOAUTH2\r\n");
    EXPECT_TRUE(e.caps & SMTP_EHLO_STARTTLS);
    EXPECT_EQ(e.auth_mechs, unsigned(SMTP_AUTH_LOGIN | SMTP_AUTH_OTHER));
}

TEST(Ehlo, OldAuthEqualsForm)
{
    smtp_ehlo e = parse("250-mx\r\n250-AUTH=LOGIN PLAIN\r\n250 SIZE\r\n");
    EXPECT_TRUE(e.caps & SMTP_EHLO_AUTH);
    EXPECT_EQ(e.auth_mechs, unsigned(SMTP_AUTH_LOGIN | SMTP_AUTH_PLAIN));
    EXPECT_TRUE(e.caps & SMTP_EHLO_SIZE);
    EXPECT_EQ(e.size_max, 0ull);
}

TEST(Ehlo, XclientAndOversizedSize)
{
    smtp_ehlo e = parse("250-mx\r\n250-XCLIENT NAME ADDR\r\n250 SIZE 999999999999999999999999\r\n");
    EXPECT_TRUE(e.caps & SMTP_EHLO_XCLIENT);
    EXPECT_EQ(e.size_max, 0ull);
}

TEST(Ehlo, OnlyA250IsCapabilities)
{
    int rc = 0;
    parse("502 5.5.2 Error: command not recognized\r\n", &rc);
    EXPECT_EQ(rc, -1);
    smtp_ehlo e = parse("250 mx\r\n", &rc);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(e.caps, 0u);
}

TEST(Ehlo, MechanismNames)
{
    EXPECT_EQ(smtp_ehlo_auth_mech("cram-md5", 8), unsigned(SMTP_AUTH_CRAM_MD5));
    EXPECT_EQ(smtp_ehlo_auth_mech("PLAINX", 6), 0u);
    EXPECT_STREQ(smtp_ehlo_auth_name(SMTP_AUTH_LOGIN), "LOGIN");
}

} // namespace

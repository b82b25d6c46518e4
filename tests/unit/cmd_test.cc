// Command parser (the server's side). Views point into the input: keep it alive.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "smtp_cmd.h"

namespace
{

smtp_cmd parse(const std::string &in, long *rc = nullptr, size_t line_max = 1000)
{
    smtp_cmd c;
    long n = smtp_cmd_parse(in.data(), in.size(), line_max, &c);
    if (rc)
        *rc = n;
    return c;
}

struct Case {
    const char *in;
    smtp_verb verb;
    const char *arg;
    const char *error; // nullptr when the line is good
};

const Case kCases[] = {
    {"EHLO client.example\r\n", SMTP_VERB_EHLO, "client.example", nullptr},
    {"helo client\r\n", SMTP_VERB_HELO, "client", nullptr},
    {"DATA\r\n", SMTP_VERB_DATA, "", nullptr},
    {"DATA now\r\n", SMTP_VERB_DATA, "now", "command takes no argument"},
    {"QUIT\r\n", SMTP_VERB_QUIT, "", nullptr},
    {"RSET\r\n", SMTP_VERB_RSET, "", nullptr},
    {"NOOP\r\n", SMTP_VERB_NOOP, "", nullptr},
    {"NOOP x\r\n", SMTP_VERB_NOOP, "x", nullptr},
    {"STARTTLS\r\n", SMTP_VERB_STARTTLS, "", nullptr},
    {"AUTH PLAIN dGVzdA==\r\n", SMTP_VERB_AUTH, "PLAIN dGVzdA==", nullptr},
    {"AUTH\r\n", SMTP_VERB_AUTH, "", "command needs an argument"},
    {"VRFY postmaster\r\n", SMTP_VERB_VRFY, "postmaster", nullptr},
    {"XYZZY\r\n", SMTP_VERB_UNKNOWN, "", "unknown command"},
    {"MAIL FROM:<a@b.example>\r\n", SMTP_VERB_MAIL, "FROM:<a@b.example>", nullptr},
    {"mail from:<>\r\n", SMTP_VERB_MAIL, "from:<>", nullptr},
    {"MAIL TO:<a@b.example>\r\n", SMTP_VERB_MAIL, "TO:<a@b.example>", "expected FROM:"},
    {"MAIL FROM:<a@b.example>x\r\n", SMTP_VERB_MAIL, "FROM:<a@b.example>x", "garbage after path"},
    {"MAIL FROM:<a@b.example\r\n", SMTP_VERB_MAIL, "FROM:<a@b.example",
     "missing or unterminated path"},
    {"RCPT TO:<c@d.example>\r\n", SMTP_VERB_RCPT, "TO:<c@d.example>", nullptr},
    {"RCPT FROM:<c@d.example>\r\n", SMTP_VERB_RCPT, "FROM:<c@d.example>", "expected TO:"},
    {"MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME\r\n", SMTP_VERB_MAIL,
     "FROM:<a@b.example> SIZE=1000 BODY=8BITMIME", nullptr},
    {"MAIL FROM:<a@b.example> =x\r\n", SMTP_VERB_MAIL, "FROM:<a@b.example> =x",
     "empty ESMTP parameter keyword"},
    {"MAIL FROM:<a@b.example> SIZE=\r\n", SMTP_VERB_MAIL,
     "FROM:<a@b.example> SIZE=", "empty ESMTP parameter value"},
    {"MAIL FROM:<a@b.example> -X=1\r\n", SMTP_VERB_MAIL, "FROM:<a@b.example> -X=1",
     "bad ESMTP parameter keyword"},
};

TEST(Cmd, Table)
{
    for (const auto &c : kCases) {
        SCOPED_TRACE(c.in);
        long rc;
        const std::string in = c.in; // the views point into it
        smtp_cmd cmd = parse(in, &rc);
        ASSERT_EQ(rc, (long)strlen(c.in));
        EXPECT_EQ(cmd.verb, c.verb);
        EXPECT_EQ(std::string(cmd.arg, cmd.arg_len), c.arg);
        if (c.error)
            EXPECT_STREQ(cmd.error, c.error);
        else
            EXPECT_EQ(cmd.error, nullptr) << cmd.error;
    }
}

TEST(Cmd, MailPathAndParams)
{
    const std::string in =
        "MAIL FROM:<user%other@relay.example> SIZE=1000 BODY=8BITMIME SMTPUTF8\r\n";
    smtp_cmd c = parse(in);
    ASSERT_EQ(c.error, nullptr);
    EXPECT_EQ(std::string(c.path.local, c.path.local_len), "user%other");
    EXPECT_TRUE(c.path.tricks & SMTP_PATH_T_PERCENT);
    ASSERT_EQ(c.nparams, 3u);
    EXPECT_EQ(std::string(c.params[0].key, c.params[0].key_len), "SIZE");
    EXPECT_EQ(std::string(c.params[0].value, c.params[0].value_len), "1000");
    EXPECT_EQ(std::string(c.params[2].key, c.params[2].key_len), "SMTPUTF8");
    EXPECT_EQ(c.params[2].value, nullptr);
}

TEST(Cmd, SpaceBeforePathIsFlagged)
{
    smtp_cmd c = parse("RCPT TO: <a@b.example>\r\n");
    EXPECT_EQ(c.error, nullptr);
    EXPECT_TRUE(c.flags & SMTP_CMD_F_SPACE_PATH);
}

TEST(Cmd, TooManyParams)
{
    std::string in = "MAIL FROM:<a@b.example>";
    for (int i = 0; i < SMTP_CMD_PARAMS_MAX + 1; i++)
        in += " P" + std::to_string(i) + "=1";
    in += "\r\n";
    smtp_cmd c = parse(in);
    EXPECT_STREQ(c.error, "too many ESMTP parameters");
}

TEST(Cmd, LineEnds)
{
    long rc;
    smtp_cmd c = parse("QUIT\n", &rc);
    EXPECT_EQ(rc, 5);
    EXPECT_TRUE(c.flags & SMTP_CMD_F_BARE_LF);
    EXPECT_EQ(c.error, nullptr);
    c = parse("QUI\rT\r\n", &rc);
    EXPECT_TRUE(c.flags & SMTP_CMD_F_BARE_CR);
    parse("QUIT", &rc);
    EXPECT_EQ(rc, SMTP_CMD_PARTIAL);
    parse(std::string(2000, 'A'), &rc);
    EXPECT_EQ(rc, SMTP_CMD_TOO_LONG);
    c = parse(std::string("NOOP a\0b\r\n", 10), &rc);
    EXPECT_EQ(rc, 10);
    EXPECT_STREQ(c.error, "NUL in command line");
}

TEST(Cmd, TwoCommandsPipelined)
{
    std::string in = "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n";
    size_t off = 0;
    smtp_verb want[] = {SMTP_VERB_MAIL, SMTP_VERB_RCPT, SMTP_VERB_DATA};
    for (smtp_verb v : want) {
        smtp_cmd c;
        long n = smtp_cmd_parse(in.data() + off, in.size() - off, 512, &c);
        ASSERT_GT(n, 0);
        EXPECT_EQ(c.verb, v);
        off += (size_t)n;
    }
    EXPECT_EQ(off, in.size());
}

TEST(Cmd, VerbNames)
{
    EXPECT_STREQ(smtp_cmd_verb_name(SMTP_VERB_STARTTLS), "STARTTLS");
    EXPECT_STREQ(smtp_cmd_verb_name(SMTP_VERB_UNKNOWN), "UNKNOWN");
}

} // namespace

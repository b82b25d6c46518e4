// SASL responses, checked against the RFCs' own examples.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "smtp_sasl.h"
#include "smtp_tls.h"

namespace
{

TEST(Sasl, PlainRfc4616)
{
    char out[256];
    smtp_error err;
    smtp_error_clear(&err);
    // RFC 4616 4: "\0tim\0tanstaaftanstaaf"
    long n = smtp_sasl_plain(nullptr, "tim", "tanstaaftanstaaf", out, sizeof(out), &err);
    ASSERT_GT(n, 0);
    EXPECT_STREQ(out, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    smtp_sasl_plain_fields f;
    ASSERT_EQ(smtp_sasl_plain_decode(out, strlen(out), &f, &err), 0);
    EXPECT_STREQ(f.authzid, "");
    EXPECT_STREQ(f.user, "tim");
    EXPECT_STREQ(f.pass, "tanstaaftanstaaf");
}

TEST(Sasl, PlainWithAuthzid)
{
    char out[256];
    smtp_error err;
    ASSERT_GT(smtp_sasl_plain("admin", "u", "p", out, sizeof(out), &err), 0);
    smtp_sasl_plain_fields f;
    ASSERT_EQ(smtp_sasl_plain_decode(out, strlen(out), &f, &err), 0);
    EXPECT_STREQ(f.authzid, "admin");
}

TEST(Sasl, CramMd5Rfc2195)
{
    // RFC 2195 2: the example exchange.
    const char *challenge = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
    char out[256];
    smtp_error err;
    smtp_error_clear(&err);
    ASSERT_GT(smtp_sasl_cram_md5("tim", "tanstaaftanstaaf", challenge, strlen(challenge), out,
                                 sizeof(out), &err),
              0);
    EXPECT_STREQ(out, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
}

TEST(Sasl, LoginEncodeAndDecode)
{
    char out[64];
    smtp_error err;
    ASSERT_GT(smtp_sasl_encode("user@example.com", out, sizeof(out), &err), 0);
    EXPECT_STREQ(out, "dXNlckBleGFtcGxlLmNvbQ==");
    char text[64];
    ASSERT_EQ(smtp_sasl_decode("VXNlcm5hbWU6", 12, text, sizeof(text), &err), 9);
    EXPECT_STREQ(text, "Username:");
}

TEST(Sasl, RefusesWhatCannotBeSent)
{
    char out[1024];
    smtp_error err;
    smtp_error_clear(&err);
    EXPECT_EQ(smtp_sasl_plain(nullptr, "user\r\nQUIT", "p", out, sizeof(out), &err), -1);
    EXPECT_EQ(err.cls, SMTP_ERR_USAGE);
    std::string long_pass(300, 'x');
    EXPECT_EQ(smtp_sasl_plain(nullptr, "u", long_pass.c_str(), out, sizeof(out), &err), -1);
    EXPECT_EQ(smtp_sasl_plain(nullptr, "u", "p", out, 8, &err), -1);
}

TEST(Sasl, BadChallenges)
{
    char out[256];
    smtp_error err;
    const char *bad[] = {"abc", "a=bc", "====", "ab!d", "YQ=a"};
    for (const char *b : bad) {
        SCOPED_TRACE(b);
        smtp_error_clear(&err);
        EXPECT_EQ(smtp_sasl_cram_md5("u", "p", b, strlen(b), out, sizeof(out), &err), -1);
        EXPECT_EQ(err.cls, SMTP_ERR_PROTO);
    }
    smtp_sasl_plain_fields f;
    // "a\0b" has one NUL only.
    EXPECT_EQ(smtp_sasl_plain_decode("YQBi", 4, &f, &err), -1);
}

TEST(Sasl, Base64RoundTripAndStrictness)
{
    unsigned char raw[256];
    for (int i = 0; i < 256; i++)
        raw[i] = (unsigned char)i;
    for (size_t len = 0; len < 40; len++) {
        char b64[512];
        unsigned char back[512];
        long n = smtp_tls_base64_encode(raw, len, b64, sizeof(b64));
        ASSERT_GE(n, 0);
        ASSERT_EQ(smtp_tls_base64_decode(b64, (size_t)n, back, sizeof(back)), (long)len);
        EXPECT_EQ(memcmp(raw, back, len), 0);
    }
}

} // namespace

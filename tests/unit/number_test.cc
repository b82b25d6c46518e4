// number_parse: every integer relaylab reads from text goes through it.
#include <gtest/gtest.h>

#include <errno.h>
#include <limits.h>

#include "number.h"

namespace
{

TEST(Number, Table)
{
    struct {
        const char *text;
        long long min, max;
        int rc;
        long long value; // when rc == 0
        int err;         // errno when rc == -1
    } cases[] = {
        {"0", 0, 10, 0, 0, 0},
        {"10", 0, 10, 0, 10, 0},
        {"007", 0, 10, 0, 7, 0},
        {"11", 0, 10, -1, 0, ERANGE},
        {"-1", 0, 10, -1, 0, ERANGE},
        {"-1", -5, 10, 0, -1, 0},
        {"-", -5, 10, -1, 0, EINVAL},
        {"", 0, 10, -1, 0, EINVAL},
        {" 1", 0, 10, -1, 0, EINVAL},
        {"1 ", 0, 10, -1, 0, EINVAL},
        {"+1", 0, 10, -1, 0, EINVAL},
        {"1x", 0, 10, -1, 0, EINVAL},
        {"0x10", 0, 100, -1, 0, EINVAL},
        {"1.5", 0, 10, -1, 0, EINVAL},
        {"--1", -5, 10, -1, 0, EINVAL},
        {"9223372036854775807", 0, LLONG_MAX, 0, LLONG_MAX, 0},
        {"9223372036854775808", 0, LLONG_MAX, -1, 0, ERANGE},
        {"-9223372036854775809", LLONG_MIN, 0, -1, 0, ERANGE},
        {"99999999999999999999999", 1, 64, -1, 0, ERANGE},
        {"65535", 1, 65535, 0, 65535, 0},
        {"65536", 1, 65535, -1, 0, ERANGE},
    };
    for (const auto &c : cases) {
        long long v = 12345;
        errno = 0;
        int rc = number_parse(c.text, c.min, c.max, &v);
        EXPECT_EQ(rc, c.rc) << "'" << c.text << "'";
        if (rc == 0) {
            EXPECT_EQ(v, c.value) << "'" << c.text << "'";
        } else {
            EXPECT_EQ(errno, c.err) << "'" << c.text << "'";
            EXPECT_EQ(v, 12345) << "'" << c.text << "': *out changed on failure";
        }
    }
    long long v;
    EXPECT_EQ(number_parse(nullptr, 0, 1, &v), -1);
}

TEST(Number, Unsigned)
{
    unsigned long long v = 0;
    EXPECT_EQ(number_parse_unsigned("18446744073709551615", ULLONG_MAX, &v), 0);
    EXPECT_EQ(v, ULLONG_MAX);
    EXPECT_EQ(number_parse_unsigned("18446744073709551616", ULLONG_MAX, &v), -1);
    EXPECT_EQ(errno, ERANGE);
    // strtoull alone takes "-1" as ULLONG_MAX.
    EXPECT_EQ(number_parse_unsigned("-1", ULLONG_MAX, &v), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(number_parse_unsigned("42", 41, &v), -1);
    EXPECT_EQ(errno, ERANGE);
    EXPECT_EQ(number_parse_unsigned("42", 42, &v), 0);
    EXPECT_EQ(v, 42u);
}

} // namespace

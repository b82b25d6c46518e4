// Transcript: bounded, ordered (escaping is smtp_sanitize's: sanitize_test.cc).
#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "smtp_transcript.h"

namespace
{

TEST(Transcript, RecordsInOrder)
{
    smtp_transcript *t = smtp_transcript_new(0);
    ASSERT_NE(t, nullptr);
    smtp_transcript_add(t, SMTP_TX_SERVER, 1, "220 hi", 6);
    smtp_transcript_add(t, SMTP_TX_CLIENT, 2, "EHLO x", 6);
    for (int i = 0; i < 1000; i++)
        smtp_transcript_add(t, SMTP_TX_SERVER, 3, "250-line", 8);
    ASSERT_EQ(smtp_transcript_count(t), 1002u);
    smtp_transcript_entry e;
    ASSERT_EQ(smtp_transcript_get(t, 1, &e), 0);
    EXPECT_EQ(e.dir, SMTP_TX_CLIENT);
    EXPECT_EQ(e.t_ms, 2);
    EXPECT_EQ(std::string(e.text, e.len), "EHLO x");
    ASSERT_EQ(smtp_transcript_get(t, 0, &e), 0);
    EXPECT_EQ(std::string(e.text, e.len), "220 hi");
    EXPECT_EQ(smtp_transcript_get(t, 1002, &e), -1);
    smtp_transcript_free(t);
}

int AddF(smtp_transcript *t, char dir, long t_ms, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = smtp_transcript_vaddf(t, dir, t_ms, fmt, ap);
    va_end(ap);
    return rc;
}

// A note from a format: whole when it fits, else cut to SMTP_TRANSCRIPT_NOTE_MAX - 1 bytes.
TEST(Transcript, NotesFromAFormat)
{
    smtp_transcript *t = smtp_transcript_new(0);
    ASSERT_NE(t, nullptr);
    std::string long_line(3000, 'x');
    EXPECT_EQ(AddF(t, SMTP_TX_INFO, 5, "state %s -> %s", "GREETED", "MAIL"), 0);
    EXPECT_EQ(AddF(t, SMTP_TX_FAIL, 6, "FAILED %s:%d: %s", "a.scn", 12, long_line.c_str()), 0);
    smtp_transcript_entry e;
    ASSERT_EQ(smtp_transcript_get(t, 0, &e), 0);
    EXPECT_EQ(e.dir, SMTP_TX_INFO);
    EXPECT_EQ(e.t_ms, 5);
    EXPECT_EQ(std::string(e.text, e.len), "state GREETED -> MAIL");
    ASSERT_EQ(smtp_transcript_get(t, 1, &e), 0);
    EXPECT_EQ(e.len, (size_t)SMTP_TRANSCRIPT_NOTE_MAX - 1);
    EXPECT_EQ(std::string(e.text, e.len), ("FAILED a.scn:12: " + long_line).substr(0, e.len));
    EXPECT_EQ(AddF(nullptr, SMTP_TX_INFO, 0, "no transcript"), -1);
    smtp_transcript_free(t);
}

TEST(Transcript, CapDropsAndCounts)
{
    smtp_transcript *t = smtp_transcript_new(1000);
    std::string line(100, 'x');
    int kept = 0;
    for (int i = 0; i < 50; i++)
        kept += smtp_transcript_add(t, SMTP_TX_SERVER, 0, line.data(), line.size()) == 0;
    EXPECT_EQ(smtp_transcript_count(t), (size_t)kept);
    EXPECT_LT(kept, 10);
    EXPECT_EQ(smtp_transcript_dropped(t), (size_t)(50 - kept));
    smtp_transcript_free(t);
}

// What a transcript shows of a line a person typed (relaylab send
// --interactive): the line as it is, or its secrets replaced.
struct RedactCase {
    const char *line;
    int last_code;     // the reply before it
    const char *shown; // nullptr: shown as it is
};

const RedactCase kRedact[] = {
    {"EHLO laptop.example", 220, nullptr},
    {"MAIL FROM:<a@b.test>", 250, nullptr},
    {"AUTH PLAIN", 250, nullptr}, // no initial response: nothing secret
    {"AUTH LOGIN", 250, nullptr},
    {"AUTH PLAIN AHVzZXIAcGFzcw==", 250, "AUTH PLAIN <redacted>"},
    {"auth plain AHVzZXIAcGFzcw==", 250, "auth plain <redacted>"},
    {"AUTH  CRAM-MD5   x", 250, "AUTH CRAM-MD5 <redacted>"},
    {"AUTH PLAIN =", 250, "AUTH PLAIN <redacted>"}, // RFC 4954 4: an empty response
    {"AUTH X-OTHER_1 abc", 250, "AUTH X-OTHER_1 <redacted>"},
    // A mechanism that is no SASL name (RFC 4422 3.1) may be the response itself.
    {"AUTH AHVzZXIAcGFzcw==", 250, "AUTH <redacted>"},
    {"AUTH dXNlcg", 250, "AUTH <redacted>"},
    {"AUTH ABCDEFGHIJKLMNOPQRSTU x", 250, "AUTH <redacted>"}, // 21 characters
    // After 334 every line is a SASL response, but "*" (the cancel).
    {"dXNlckBleGFtcGxlLmNvbQ==", 334, "<redacted>"},
    {"QUIT", 334, "<redacted>"},
    {"", 334, "<redacted>"},
    {"*", 334, nullptr},
    {"dXNlckBleGFtcGxlLmNvbQ==", 250, nullptr}, // not asked for: a command, shown
    {"AUTHX PLAIN abc", 250, nullptr},
};

TEST(Transcript, RedactsTypedAuth)
{
    for (const auto &c : kRedact) {
        char out[64] = "untouched";
        int r = smtp_transcript_redact(c.line, strlen(c.line), c.last_code, out, sizeof(out));
        if (c.shown == nullptr) {
            EXPECT_EQ(r, 0) << c.line;
            EXPECT_STREQ(out, "untouched") << c.line;
        } else {
            EXPECT_EQ(r, 1) << c.line;
            EXPECT_STREQ(out, c.shown) << c.line;
        }
    }
}

// The output buffer is the caller's bound: cut, NUL-terminated.
TEST(Transcript, RedactFitsTheBuffer)
{
    char out[8];
    const char *line = "AUTH PLAIN AHVzZXIAcGFzcw==";
    EXPECT_EQ(smtp_transcript_redact(line, strlen(line), 250, out, sizeof(out)), 1);
    EXPECT_STREQ(out, "AUTH PL");
}

// Written as it grows: each entry once, in order, sanitized.
TEST(Transcript, WriteFromGoesOn)
{
    smtp_transcript *t = smtp_transcript_new(0);
    size_t next = 0;
    char *buf = nullptr;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    ASSERT_NE(fp, nullptr);
    smtp_transcript_add(t, SMTP_TX_SERVER, 1, "220 \x1b[31mhi", 11);
    EXPECT_EQ(smtp_transcript_write_from(fp, t, &next, 0), 0);
    EXPECT_EQ(next, 1u);
    EXPECT_EQ(smtp_transcript_write_from(fp, t, &next, 0), 0); // nothing new
    smtp_transcript_add(t, SMTP_TX_CLIENT, 2, "EHLO x", 6);
    EXPECT_EQ(smtp_transcript_write_from(fp, t, &next, 0), 0);
    EXPECT_EQ(next, 2u);
    fclose(fp);
    EXPECT_EQ(std::string(buf, size), "   0.001 S: 220 \\x1b[31mhi\n   0.002 C: EHLO x\n");
    free(buf);
    smtp_transcript_free(t);
}

} // namespace

// Transcript: bounded, ordered (escaping is smtp_sanitize's: sanitize_test.cc).
#include <gtest/gtest.h>

#include <cstdarg>
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

} // namespace

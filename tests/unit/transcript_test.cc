// Transcript: bounded, ordered (escaping is smtp_sanitize's: sanitize_test.cc).
#include <gtest/gtest.h>

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

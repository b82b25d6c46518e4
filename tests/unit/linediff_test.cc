// linediff: the config diffs of report.html. Tables of texts and the
// hunks they give, the bounds, and a property check against a plain LCS
// table on random texts: the script is as short as can be, and its two
// sides are the two texts.
#include <gtest/gtest.h>

#include <errno.h>

#include <random>
#include <string>
#include <vector>

#include "linediff.h"

namespace
{

void Collect(void *ctx, enum linediff_kind kind, const char *text, size_t len)
{
    auto *out = static_cast<std::string *>(ctx);
    *out += static_cast<char>(kind);
    if (kind == LINEDIFF_HUNK)
        out->pop_back();
    out->append(text, len);
    *out += '\n';
}

long Diff(const std::string &a, const std::string &b, size_t context, std::string *out,
          size_t edits_max = 0)
{
    linediff_params p = {};
    p.context = context;
    p.edits_max = edits_max;
    p.emit = Collect;
    p.emit_ctx = out;
    return linediff(a.c_str(), b.c_str(), &p);
}

TEST(Linediff, Table)
{
    struct {
        const char *a, *b;
        size_t context;
        long changed;
        const char *out;
    } cases[] = {
        {"", "", 3, 0, ""},
        {"x\ny\n", "x\ny\n", 3, 0, ""},
        {"x\ny", "x\ny\n", 3, 0, ""}, // a last line without LF is a line
        {"a\nb\nc\nd\ne\n", "a\nb\nC\nd\ne\n", 1, 2, "@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n"},
        {"a\nb\nc\nd\ne\n", "a\nb\nC\nd\ne\n", 0, 2, "@@ -3,1 +3,1 @@\n-c\n+C\n"},
        {"a\nb\n", "a\nb\nc", 3, 1, "@@ -1,2 +1,3 @@\n a\n b\n+c\n"},
        {"", "a\nb\n", 3, 2, "@@ -0,0 +1,2 @@\n+a\n+b\n"},
        {"a\nb\n", "", 3, 2, "@@ -1,2 +0,0 @@\n-a\n-b\n"},
        {"a\nb\nc\n", "a\nc\n", 0, 1, "@@ -2,1 +1,0 @@\n-b\n"},
        {"a\nc\n", "a\nb\nc\n", 0, 1, "@@ -1,0 +2,1 @@\n+b\n"},
        // Within a change, a's lines come first.
        {"k\nx\ny\nk\n", "k\n1\n2\nk\n", 0, 4, "@@ -2,2 +2,2 @@\n-x\n-y\n+1\n+2\n"},
        // Two changes far apart: two hunks; close together: one.
        {"1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\nX\n3\n4\n5\n6\n7\nY\n9\n", 1, 4,
         "@@ -1,3 +1,3 @@\n 1\n-2\n+X\n 3\n@@ -7,3 +7,3 @@\n 7\n-8\n+Y\n 9\n"},
        {"1\n2\n3\n4\n5\n", "1\nX\n3\nY\n5\n", 1, 4,
         "@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n-4\n+Y\n 5\n"},
        // The sandbox's own line moved: a config line, as report.html shows it.
        {"mynetworks = 127.0.0.1/32\ninet_interfaces = loopback-only\n",
         "mynetworks = 127.0.0.1/32, 127.0.0.210/32\ninet_interfaces = loopback-only\n", 3, 2,
         "@@ -1,2 +1,2 @@\n-mynetworks = 127.0.0.1/32\n+mynetworks = 127.0.0.1/32, "
         "127.0.0.210/32\n inet_interfaces = loopback-only\n"},
    };
    for (auto &c : cases) {
        std::string out;
        EXPECT_EQ(Diff(c.a, c.b, c.context, &out), c.changed) << c.a << "|" << c.b;
        EXPECT_EQ(out, c.out) << c.a << "|" << c.b;
    }
}

TEST(Linediff, NullTextsAreEmpty)
{
    linediff_params p = {};
    EXPECT_EQ(linediff(nullptr, nullptr, &p), 0);
    EXPECT_EQ(linediff(nullptr, "a\n", &p), 1);
}

TEST(Linediff, BoundsSayE2big)
{
    std::string a, b, out;
    for (int i = 0; i < 20; i++) {
        a += "a" + std::to_string(i) + "\n";
        b += "b" + std::to_string(i) + "\n";
    }
    errno = 0;
    EXPECT_EQ(Diff(a, b, 3, &out, 39), -1);
    EXPECT_EQ(errno, E2BIG);
    EXPECT_EQ(out, "") << "nothing emitted past a bound";
    EXPECT_EQ(Diff(a, b, 3, &out, 40), 40);
    // More lines than a text may have.
    std::string big(LINEDIFF_LINES_MAX + 1, '\n');
    errno = 0;
    EXPECT_EQ(Diff(big, "", 3, &out), -1);
    EXPECT_EQ(errno, E2BIG);
    // Many lines, one change: the common ends cost no edit.
    std::string many(LINEDIFF_LINES_MAX - 1, '\n'), other = many;
    other.insert(LINEDIFF_LINES_MAX / 2, "x");
    out.clear();
    EXPECT_EQ(Diff(many, other, 0, &out, 2), 2);
}

// equal() overlooks what the caller knows to differ (an instance's directory).
TEST(Linediff, EqualCallback)
{
    linediff_params p = {};
    std::string out;
    p.context = 0;
    p.emit = Collect;
    p.emit_ctx = &out;
    p.equal = [](void *, const char *a, size_t alen, const char *b, size_t blen) {
        std::string x(a, alen), y(b, blen);
        for (auto *s : {&x, &y})
            for (size_t at; (at = s->find("inst-")) != std::string::npos;)
                s->replace(at, 6, "@");
        return x == y ? 1 : 0;
    };
    EXPECT_EQ(linediff("dir = /run/inst-1\nk = 1\n", "dir = /run/inst-2\nk = 2\n", &p), 2);
    EXPECT_EQ(out, "@@ -2,1 +2,1 @@\n-k = 1\n+k = 2\n");
}

// Random texts over a small alphabet: the script is minimal, and with all
// the context in one hunk its two sides are a and b.
TEST(Linediff, MinimalAgainstLcs)
{
    std::mt19937 rng(10);
    for (int round = 0; round < 2000; round++) {
        std::vector<std::string> a, b;
        int na = static_cast<int>(rng() % 30), nb = static_cast<int>(rng() % 30);
        for (int i = 0; i < na; i++)
            a.push_back(std::string(1, static_cast<char>('a' + rng() % 3)));
        for (int i = 0; i < nb; i++)
            b.push_back(std::string(1, static_cast<char>('a' + rng() % 3)));
        std::vector<std::vector<int>> lcs(na + 1, std::vector<int>(nb + 1, 0));
        for (int i = na - 1; i >= 0; i--)
            for (int j = nb - 1; j >= 0; j--)
                lcs[i][j] =
                    a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        std::string ta, tb, out;
        for (auto &l : a)
            ta += l + "\n";
        for (auto &l : b)
            tb += l + "\n";
        long changed = Diff(ta, tb, LINEDIFF_CONTEXT_MAX, &out);
        ASSERT_EQ(changed, na + nb - 2 * lcs[0][0]) << ta << "|" << tb;
        std::string sa, sb;
        size_t hunks = 0;
        for (size_t at = 0; at < out.size();) {
            size_t nl = out.find('\n', at);
            std::string line = out.substr(at, nl - at);
            at = nl + 1;
            if (line[0] == '@') {
                hunks++;
                continue;
            }
            if (line[0] != '+')
                sa += line.substr(1) + "\n";
            if (line[0] != '-')
                sb += line.substr(1) + "\n";
        }
        if (changed) {
            ASSERT_EQ(hunks, 1u) << out;
            ASSERT_EQ(sa, ta) << out;
            ASSERT_EQ(sb, tb) << out;
        }
    }
}

} // namespace

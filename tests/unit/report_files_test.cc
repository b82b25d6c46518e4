// The results writer: a run's files, written where nobody else has been.
#include <gtest/gtest.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "report_results.h"
#include "run.h"

namespace
{

std::string Slurp(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool Exists(const std::string &path)
{
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

class ReportFiles : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/relaylab-report-test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        top_ = tmpl;
        Load("scenario relay-test\ndialogue d\n  connect smtp\n  S: 220\n");
        meta_.run_id = "20240101T000000Z-1";
        meta_.started = "2024-01-01T00:00:00Z";
        meta_.wall_ms = 1234;
        meta_.relaylab_version = "test";
        meta_.template_dir = nullptr;
    }
    void TearDown() override
    {
        run_cell_free(&cell_);
        system(("rm -rf " + top_).c_str());
    }
    void Load(const std::string &text)
    {
        scenario_error err;
        run_cell_free(&cell_);
        scenario_init(scn_.get());
        ASSERT_EQ(
            scenario_parse(scn_.get(), "t.scn", text.data(), text.size(), nullptr, nullptr, &err),
            0)
            << err.msg;
        ASSERT_EQ(scenario_check(scn_.get(), &err), 0) << err.msg;
        memset(&cell_, 0, sizeof(cell_));
        cell_.scenario = scn_.get();
        cell_.mta = MTA_POSTFIX;
        cell_.status = RUN_PASS;
        cell_.swaks_ms = -1;
        cell_.transcript = strdup("--- t.scn:3: connect smtp\n");
        /* The writers take only cells whose text went through the sanitizer. */
        ASSERT_EQ(run_cell_sanitize(&cell_), 0);
    }
    std::string top_;
    std::unique_ptr<scenario> scn_ = std::make_unique<scenario>();
    run_cell cell_ = {};
    report_meta meta_;
    smtp_error err_;
};

TEST_F(ReportFiles, WritesEveryFile)
{
    std::string dir = top_ + "/run";
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
    ASSERT_EQ(report_write_run(dir.c_str(), &cell_, 1, &meta_, &err_), 0) << err_.msg;
    for (const char *f : {"results.json", "junit.xml", "results.tap", "report.html",
                          "cells/relay-test.default.postfix/transcript.txt"})
        EXPECT_TRUE(Exists(dir + "/" + f)) << f;
    EXPECT_EQ(Slurp(dir + "/cells/relay-test.default.postfix/transcript.txt"),
              "--- t.scn:3: connect smtp\n");
}

// A cell whose text cannot be read back from the evidence file (here: a
// closed descriptor) does not lose the run: its file says so instead.
TEST_F(ReportFiles, UnreadableEvidenceIsANoteNotALostRun)
{
    std::string dir = top_ + "/run";
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
    run_cell_free(&cell_);
    cell_.spilled = 1;
    cell_.evidence_fd = 1000; /* not open */
    cell_.evidence_len[RUN_TEXT_TRANSCRIPT] = 10;
    ASSERT_EQ(report_write_run(dir.c_str(), &cell_, 1, &meta_, &err_), 0) << err_.msg;
    std::string tx = Slurp(dir + "/cells/relay-test.default.postfix/transcript.txt");
    EXPECT_NE(tx.find("the transcript could not be read back"), std::string::npos) << tx;
    EXPECT_NE(Slurp(dir + "/junit.xml").find("could not be read back"), std::string::npos);
}

// A symlink planted where a result file goes is never followed: the
// write fails and the file it points to stays as it was.
TEST_F(ReportFiles, DoesNotFollowPlantedSymlinks)
{
    std::string victim = top_ + "/victim";
    {
        std::ofstream out(victim);
        out << "precious\n";
    }
    for (const char *f : {"junit.xml", "results.json", "results.tap", "report.html",
                          "cells/relay-test.default.postfix/transcript.txt"}) {
        std::string dir = top_ + "/run-" + std::to_string(std::hash<std::string>{}(f));
        ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
        ASSERT_EQ(mkdir((dir + "/cells").c_str(), 0755), 0);
        ASSERT_EQ(mkdir((dir + "/cells/relay-test.default.postfix").c_str(), 0755), 0);
        ASSERT_EQ(symlink(victim.c_str(), (dir + "/" + f).c_str()), 0);
        EXPECT_EQ(report_write_run(dir.c_str(), &cell_, 1, &meta_, &err_), -1) << f;
        EXPECT_EQ(Slurp(victim), "precious\n") << f;
    }
}

std::string List(const std::string &dir)
{
    std::string out;
    FILE *p = popen(("ls -A " + dir + " 2>&1").c_str(), "r");
    char buf[512];
    while (p && fgets(buf, sizeof(buf), p))
        out += buf;
    if (p)
        pclose(p);
    return out;
}

TEST_F(ReportFiles, PublishRenamesIntoPlace)
{
    std::string results = top_ + "/results";
    char final[1100];
    ASSERT_EQ(report_publish_run(results.c_str(), &cell_, 1, &meta_, final, sizeof(final), &err_),
              0)
        << err_.msg;
    EXPECT_EQ(std::string(final), results + "/20240101T000000Z-1");
    EXPECT_EQ(List(results), "20240101T000000Z-1\n");
    EXPECT_TRUE(Exists(results + "/20240101T000000Z-1/results.json"));
}

// A run whose files cannot all be written (here: a cell directory name
// over NAME_MAX, as a 290-character id made before ids had a limit)
// leaves nothing in results/, no .tmp.* directory.
TEST_F(ReportFiles, FailedPublishLeavesNothing)
{
    std::string results = top_ + "/results";
    ASSERT_EQ(mkdir(results.c_str(), 0755), 0);
    std::string id(290, 'a');
    scn_->id = id.c_str();
    char final[1100];
    EXPECT_EQ(report_publish_run(results.c_str(), &cell_, 1, &meta_, final, sizeof(final), &err_),
              -1);
    EXPECT_EQ(err_.sys_errno, ENAMETOOLONG) << err_.msg;
    EXPECT_EQ(List(results), "");
}

// report.html is one file: report.css is inside it, whole, in its style
// element, and the fix for the rule that held another rule is there
// (".open a" was nested in ".open", so font-weight:bold never applied).
TEST_F(ReportFiles, PageHoldsTheStylesheet)
{
    std::string dir = top_ + "/run";
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
    ASSERT_EQ(report_write_run(dir.c_str(), &cell_, 1, &meta_, &err_), 0) << err_.msg;
    std::string html = Slurp(dir + "/report.html");
    std::string css = Slurp(RELAYLAB_REPORT_TEMPLATES "/report.css");
    ASSERT_FALSE(css.empty());
    size_t style = html.find("<style>\n");
    ASSERT_NE(style, std::string::npos) << html;
    EXPECT_EQ(html.compare(style + 8, css.size() + 8, css + "</style>"), 0) << html;
    EXPECT_NE(css.find(".open { background: #d00; color: #fff; font-weight: bold }\n"
                       ".open a { color: #fff }\n"),
              std::string::npos)
        << css;
    EXPECT_EQ(html.find("<link"), std::string::npos) << "nothing outside the page";
    EXPECT_EQ(html.find("{{"), std::string::npos) << "every placeholder filled";
    EXPECT_NE(html.find("<title>relaylab run 20240101T000000Z-1</title>"), std::string::npos);
    EXPECT_NE(html.find("<th>postfix</th><th>exim</th></tr>\n<tr><td title="), std::string::npos)
        << html;
    EXPECT_NE(html.find("<td class=\"pass\"><a href=\"cells/relay-test.default.postfix/"
                        "transcript.txt\">pass</a></td><td class=\"na\">n/a</td></tr>\n</table>"),
              std::string::npos)
        << html;
}

// Without its templates the run is not written at all, and the error names
// the path: a directory without them, or RELAYLAB_TEMPLATE_DIR pointing at
// nothing.
TEST_F(ReportFiles, MissingTemplatesAreAClearError)
{
    std::string dir = top_ + "/run";
    std::string empty = top_ + "/templates";
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
    ASSERT_EQ(mkdir(empty.c_str(), 0755), 0);
    meta_.template_dir = empty.c_str();
    EXPECT_EQ(report_write_run(dir.c_str(), &cell_, 1, &meta_, &err_), -1);
    EXPECT_EQ(std::string(err_.msg),
              "cannot read template " + empty + "/report.css: No such file or directory");
    EXPECT_EQ(List(dir), "");

    // The stylesheet, but no page.
    system(("cp '" RELAYLAB_REPORT_TEMPLATES "/report.css' '" + empty + "/'").c_str());
    EXPECT_EQ(report_write_run(dir.c_str(), &cell_, 1, &meta_, &err_), -1);
    EXPECT_EQ(std::string(err_.msg),
              "cannot read template " + empty + "/report.html: No such file or directory");
    EXPECT_EQ(List(dir), "");

    // A stylesheet that would end its style element early is refused.
    {
        std::ofstream out(empty + "/report.css");
        out << "body { color: red }</STYLE><script>x</script>\n";
    }
    system(("cp '" RELAYLAB_REPORT_TEMPLATES "/report.html' '" + empty + "/'").c_str());
    EXPECT_EQ(report_write_run(dir.c_str(), &cell_, 1, &meta_, &err_), -1);
    EXPECT_EQ(std::string(err_.msg), "template " + empty + "/report.css: holds \"</style\"");
    EXPECT_EQ(List(dir), "");

    meta_.template_dir = nullptr;
    setenv("RELAYLAB_TEMPLATE_DIR", "/nonexistent-relaylab", 1);
    int rc = report_write_run(dir.c_str(), &cell_, 1, &meta_, &err_);
    unsetenv("RELAYLAB_TEMPLATE_DIR");
    EXPECT_EQ(rc, -1);
    EXPECT_STREQ(err_.msg, "no report templates: RELAYLAB_TEMPLATE_DIR=/nonexistent-relaylab, "
                           "but /nonexistent-relaylab/report: No such file or directory");
    EXPECT_EQ(List(dir), "");
}

} // namespace

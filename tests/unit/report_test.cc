// The report writers fed a results model full of hostile text, as
// run_matrix() builds it: every file must come out whole, valid UTF-8
// without control characters, and parse as what it claims to be. No
// daemon runs; xmllint and python3's yaml are used when they are there.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <jansson.h>

#include "badbyte.h"
#include "report_cell.h"
#include "report_console.h"
#include "report_results.h"
#include "report_transcript.h"
#include "run.h"
#include "smtp_sanitize.h"
#include "smtp_transcript.h"

namespace
{

// The banner a hostile server sends: markup, ESC, BEL, 0xFF, CDATA end,
// a C1 CSI, a bidi override, a lone surrogate, U+FFFF, a backslash.
const std::string kHostile = "220 <script>alert(1)</script> \x1b[31mred\x1b[0m \x07 \xff ]]> "
                             "\xc2\x9b"
                             "2J \xe2\x80\xae \xed\xa0\x80 \xef\xbf\xbf \\ & \"q\" 'a'";

// The same, as smtp_sanitize shows it.
const std::string kShown = "220 <script>alert(1)</script> \\x1b[31mred\\x1b[0m \\x07 \\xff ]]> "
                           "\\xc2\\x9b2J \\xe2\\x80\\xae \\xed\\xa0\\x80 \\xef\\xbf\\xbf \\\\ & "
                           "\"q\" 'a'";

std::string Slurp(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

size_t Count(const std::string &s, const std::string &what)
{
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
        n++;
    return n;
}

bool Have(const char *cmd)
{
    return system((std::string(cmd) + " >/dev/null 2>&1").c_str()) == 0;
}

class Report : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/relaylab-report-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        scn_ = std::make_unique<scenario>();
        scenario_init(scn_.get());
        // The scenario parser takes these bytes: only NUL is refused.
        std::string text = "scenario hostile-banner\n"
                           "title \"evil \x1b[2J\x07 title \xff <b>\"\n"
                           "advice \"<script>alert(2)</script> \x1b[1mdo\x07 this\"\n"
                           "variant broken \"the banner \x1b]0;pwned\x07\"\n"
                           "dialogue d\n"
                           "  connect smtp\n"
                           "  S: 250 \"no \x1b[5m such \xfe\"\n";
        scenario_error err;
        ASSERT_EQ(scenario_parse(scn_.get(), file_.c_str(), text.data(), text.size(), nullptr,
                                 nullptr, &err),
                  0)
            << err.msg;
        ASSERT_EQ(scenario_check(scn_.get(), &err), 0) << err.msg;
        meta_ = {"20261129T120000Z-1", "2026-11-29T12:00:00Z", 1234, "0.1.0"};
    }

    void TearDown() override
    {
        for (auto &c : cells_)
            run_cell_free(&c);
        std::string cmd = "rm -rf '" + dir_ + "'";
        (void)!system(cmd.c_str());
    }

    // A cell as run_cell_on() leaves it: raw text, transcript written sanitized.
    run_cell &AddCell(enum mta_kind mta, enum run_status status)
    {
        run_cell c;
        memset(&c, 0, sizeof(c));
        c.scenario = scn_.get();
        c.variant = 0;
        c.mta = mta;
        c.status = status;
        c.swaks_ms = -1;
        if (status == RUN_FAIL || status == RUN_OPEN_RELAY) {
            const scenario_step &st = scn_->steps[1];
            c.checks = c.failed = 1;
            c.fail_pos = st.pos;
            snprintf(c.fail_step, sizeof(c.fail_step), "%s", st.source);
            snprintf(c.expected, sizeof(c.expected), "%s", st.source + 3);
            snprintf(c.actual, sizeof(c.actual), "%s", kHostile.c_str());
            snprintf(c.message, sizeof(c.message), "%s:%d: %s: expected %s, got %s",
                     c.fail_pos.file, c.fail_pos.line, c.fail_step, c.expected, c.actual);
        } else if (status == RUN_ERROR) {
            snprintf(c.message, sizeof(c.message), "postfix did not start: fatal: %s",
                     kHostile.c_str());
        }
        smtp_transcript *tx = smtp_transcript_new(0);
        smtp_transcript_add(tx, SMTP_TX_SERVER, 1, kHostile.data(), kHostile.size());
        std::string long_line(2000, 'x');
        long_line += "\x1b\xff";
        smtp_transcript_add(tx, SMTP_TX_SERVER, 2, long_line.data(), long_line.size());
        smtp_transcript_add(tx, SMTP_TX_CLIENT, 3, "EHLO x\\y", 8);
        char *text = nullptr;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        smtp_transcript_write(mem, tx, 0);
        fclose(mem);
        smtp_transcript_free(tx);
        c.transcript = text;
        c.mta_log = strdup(("postfix/smtpd: banner " + kHostile + "\r\nnext line\n").c_str());
        c.mta_config = strdup(("smtpd_banner = " + kHostile + "\n").c_str());
        // The deciding step: the connect, its reply the hostile banner, a log line of it.
        c.decide_pos = scn_->steps[0].pos;
        snprintf(c.decide_step, sizeof(c.decide_step), "%s", scn_->steps[0].source);
        snprintf(c.decide_expected, sizeof(c.decide_expected), "%s; expect <relay-denied>",
                 scn_->steps[1].source);
        snprintf(c.decide_reply, sizeof(c.decide_reply), "%s", kHostile.c_str());
        c.step_log = strdup(("postfix/smtpd[7]: NOQUEUE: reject: " + kHostile +
                             "\npostfix/smtpd[7]: </pre><script>x</script>\n")
                                .c_str());
        cells_.push_back(c);
        return cells_.back();
    }

    int Write(smtp_error *err)
    {
        smtp_error_clear(err);
        return report_write_run(dir_.c_str(), cells_.data(), cells_.size(), &meta_, err);
    }

    std::string dir_;
    std::string file_ = "scn/\x1b[1mhostile.scn";
    std::unique_ptr<scenario> scn_;
    std::vector<run_cell> cells_;
    report_meta meta_;
};

TEST_F(Report, HostileTextComesOutCleanAndWhole)
{
    cells_.reserve(4);
    AddCell(MTA_POSTFIX, RUN_FAIL);
    AddCell(MTA_EXIM, RUN_ERROR);
    run_cell &pass = AddCell(MTA_POSTFIX, RUN_PASS);
    pass.repeat = 1;
    run_cell &open = AddCell(MTA_EXIM, RUN_OPEN_RELAY);
    open.repeat = 1;
    for (auto &c : cells_)
        ASSERT_EQ(run_cell_sanitize(&c), 0);
    smtp_error err;
    ASSERT_EQ(Write(&err), 0) << err.msg;

    std::vector<std::string> files = {"junit.xml", "results.json", "results.tap", "report.html"};
    for (auto &c : cells_) {
        char name[300];
        report_cell_dir(&c, name, sizeof(name));
        files.push_back(std::string("cells/") + name + "/transcript.txt");
        files.push_back(std::string("cells/") + name + "/mta.log");
        files.push_back(std::string("cells/") + name +
                        (c.mta == MTA_EXIM ? "/exim.conf" : "/main.cf"));
    }
    for (auto &f : files) {
        std::string text = Slurp(dir_ + "/" + f);
        EXPECT_FALSE(text.empty()) << f;
        EXPECT_EQ(BadByte(text), -1) << f << ": " << text.substr(0, 200);
    }

    // results.json: every cell, the failure, the error, exactly as sanitized.
    json_error_t jerr;
    json_t *root = json_load_file((dir_ + "/results.json").c_str(), 0, &jerr);
    ASSERT_NE(root, nullptr) << jerr.text;
    json_t *cells = json_object_get(root, "cells");
    ASSERT_EQ(json_array_size(cells), 4u);
    json_t *fail = json_array_get(cells, 0);
    EXPECT_STREQ(json_string_value(json_object_get(fail, "title")),
                 "evil \\x1b[2J\\x07 title \\xff <b>");
    json_t *f = json_object_get(fail, "failure");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(json_string_value(json_object_get(f, "actual")), kShown);
    EXPECT_STREQ(json_string_value(json_object_get(f, "file")), "scn/\\x1b[1mhostile.scn");
    EXPECT_STREQ(json_string_value(json_object_get(f, "step")),
                 "S: 250 \"no \\x1b[5m such \\xfe\"");
    EXPECT_NE(json_object_get(json_array_get(cells, 3), "failure"), nullptr);
    json_t *d = json_object_get(fail, "deciding_step");
    ASSERT_NE(d, nullptr);
    EXPECT_STREQ(json_string_value(json_object_get(d, "step")), "connect smtp");
    EXPECT_EQ(json_integer_value(json_object_get(d, "line")), 6);
    EXPECT_STREQ(json_string_value(json_object_get(d, "file")), "scn/\\x1b[1mhostile.scn");
    EXPECT_STREQ(json_string_value(json_object_get(d, "expected")),
                 "S: 250 \"no \\x1b[5m such \\xfe\"; expect <relay-denied>");
    EXPECT_EQ(json_string_value(json_object_get(d, "actual")), kShown);
    json_t *lines = json_object_get(d, "log");
    ASSERT_EQ(json_array_size(lines), 2u);
    EXPECT_EQ(json_string_value(json_array_get(lines, 0)),
              "postfix/smtpd[7]: NOQUEUE: reject: " + kShown);
    EXPECT_STREQ(json_string_value(json_object_get(fail, "advice")),
                 "<script>alert(2)</script> \\x1b[1mdo\\x07 this");
    json_t *error = json_object_get(json_array_get(cells, 1), "error");
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(json_string_value(error), "postfix did not start: fatal: " + kShown);
    EXPECT_EQ(json_integer_value(json_object_get(json_object_get(root, "summary"), "cells")), 4);
    json_decref(root);

    // junit.xml: markup escaped, one testcase per cell.
    std::string junit = Slurp(dir_ + "/junit.xml");
    EXPECT_EQ(Count(junit, "<testcase "), 4u);
    EXPECT_EQ(Count(junit, "<script>"), 0u);
    EXPECT_GT(Count(junit, "&lt;script&gt;alert(1)&lt;/script&gt;"), 0u);
    EXPECT_EQ(Count(junit, "]]>"), 0u);
    if (Have("xmllint --version")) {
        std::string cmd =
            "xmllint --noout --schema '" RELAYLAB_JUNIT_XSD "' '" + dir_ + "/junit.xml' 2>&1";
        EXPECT_EQ(system(cmd.c_str()), 0) << cmd;
    }

    // report.html: no markup from the server, the title escaped.
    std::string html = Slurp(dir_ + "/report.html");
    EXPECT_EQ(Count(html, "<script"), 0u);
    EXPECT_EQ(Count(html, "<b>"), 0u);
    EXPECT_GT(Count(html, "title=\"evil \\x1b[2J\\x07 title \\xff &lt;b&gt;\""), 0u);

    // results.tap: three YAML blocks, and they parse.
    std::string tap = Slurp(dir_ + "/results.tap");
    EXPECT_EQ(Count(tap, "\n  ---\n"), 3u);
    EXPECT_EQ(Count(tap, "\n  ...\n"), 3u);
    EXPECT_GT(Count(tap, "'a''"), 0u) << "quote doubled in a single-quoted scalar";
    if (Have("python3 -c 'import yaml'")) {
        std::string cmd =
            "python3 -c '\n"
            "import sys, yaml\n"
            "blocks, cur = [], None\n"
            "for line in open(sys.argv[1], encoding=\"utf-8\"):\n"
            "    if line == \"  ---\\n\": cur = []\n"
            "    elif line == \"  ...\\n\": blocks.append(yaml.safe_load(\"\".join(cur))); "
            "cur = None\n"
            "    elif cur is not None: cur.append(line[2:])\n"
            "assert len(blocks) == 3, blocks\n"
            "assert blocks[0][\"actual\"].startswith(\"220 <script>\"), blocks[0]\n"
            "assert blocks[0][\"at\"][\"line\"] == 7, blocks[0]\n"
            "' '" +
            dir_ + "/results.tap' 2>&1";
        EXPECT_EQ(system(cmd.c_str()), 0);
    }

    // The transcript: the 2000-byte line whole, its last bytes escaped.
    char name[300];
    report_cell_dir(&cells_[0], name, sizeof(name));
    std::string tx = Slurp(dir_ + "/cells/" + name + "/transcript.txt");
    EXPECT_GT(Count(tx, std::string(2000, 'x') + "\\x1b\\xff\n"), 0u);
    EXPECT_GT(Count(tx, "C: EHLO x\\\\y\n"), 0u);
    std::string log = Slurp(dir_ + "/cells/" + name + "/mta.log");
    EXPECT_EQ(log, "postfix/smtpd: banner " + kShown + "\\x0d\nnext line\n");
}

TEST_F(Report, ConsoleIsClean)
{
    AddCell(MTA_POSTFIX, RUN_FAIL);
    AddCell(MTA_EXIM, RUN_ERROR);
    for (auto &c : cells_)
        run_cell_sanitize(&c);
    char *text = nullptr;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    report_console(mem, cells_.data(), cells_.size(), 0);
    fclose(mem);
    std::string out(text, size);
    free(text);
    EXPECT_EQ(BadByte(out), -1) << out;
    EXPECT_GT(Count(out, kShown), 0u) << out;
    // Under the failure, the MTA's log lines of the deciding step.
    EXPECT_GT(Count(out, "\n  postfix log: postfix/smtpd[7]: NOQUEUE: reject: " + kShown + "\n"),
              0u)
        << out;
}

TEST_F(Report, SanitizeOnceOnly)
{
    run_cell &c = AddCell(MTA_POSTFIX, RUN_FAIL);
    ASSERT_EQ(run_cell_sanitize(&c), 0);
    std::string once = c.actual;
    std::string log = c.mta_log;
    ASSERT_EQ(run_cell_sanitize(&c), 0);
    EXPECT_EQ(c.actual, once);
    EXPECT_EQ(c.mta_log, log);
    EXPECT_EQ(once, kShown);
}

TEST_F(Report, LongTextIsCutAndMarked)
{
    run_cell &c = AddCell(MTA_POSTFIX, RUN_FAIL);
    // 511 raw bytes of ESC would be 2044 escaped: the field keeps what fits.
    memset(c.actual, '\x1b', sizeof(c.actual) - 1);
    c.actual[sizeof(c.actual) - 1] = 0;
    ASSERT_EQ(run_cell_sanitize(&c), 0);
    std::string a = c.actual;
    EXPECT_LT(a.size(), sizeof(c.actual));
    EXPECT_EQ(a.substr(a.size() - 3), "...");
    EXPECT_EQ(a.substr(0, 8), "\\x1b\\x1b");
    EXPECT_EQ((a.size() - 3) % 4, 0u) << "cut inside an escape";
}

// Text that did not go through run_cell_sanitize is refused, not written.
TEST_F(Report, UnsanitizedCellIsRefused)
{
    AddCell(MTA_POSTFIX, RUN_FAIL); // raw actual, raw title
    smtp_error err;
    EXPECT_EQ(Write(&err), -1);
    EXPECT_NE(strstr(err.msg, "run_cell_sanitize"), nullptr) << err.msg;
    EXPECT_NE(access((dir_ + "/results.json").c_str(), F_OK), 0);
}

// A file that cannot be written fails the write, naming the file: one
// that is there already (a link planted to /dev/full: never followed),
// and one that fills the disk half-way (a file size limit here).
TEST_F(Report, FullDiskFailsTheWrite)
{
    for (const char *victim : {"results.json", "junit.xml", "results.tap", "report.html"}) {
        std::string cmd = "rm -rf '" + dir_ + "'/*";
        (void)!system(cmd.c_str());
        if (cells_.empty()) {
            AddCell(MTA_POSTFIX, RUN_FAIL);
            run_cell_sanitize(&cells_[0]);
        }
        ASSERT_EQ(symlink("/dev/full", (dir_ + "/" + victim).c_str()), 0);
        smtp_error err;
        EXPECT_EQ(Write(&err), -1) << victim;
        EXPECT_NE(strstr(err.msg, victim), nullptr) << err.msg;
        EXPECT_NE(strstr(err.msg, "File exists"), nullptr) << err.msg;
    }
    // A transcript too.
    std::string cmd = "rm -rf '" + dir_ + "'/*";
    (void)!system(cmd.c_str());
    char name[300];
    report_cell_dir(&cells_[0], name, sizeof(name));
    std::string cell_dir = dir_ + "/cells/" + name;
    ASSERT_EQ(system(("mkdir -p '" + cell_dir + "'").c_str()), 0);
    // Larger than stdio's buffer: the first failed write is not the last.
    free(cells_[0].transcript);
    cells_[0].transcript = strdup((std::string(100000, 'a') + "\n").c_str());
    struct rlimit old, small;
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = {60000, old.rlim_max}; /* the soft limit only: it can be raised again */
    void (*old_xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    smtp_error err;
    int rc = Write(&err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_xfsz);
    EXPECT_EQ(rc, -1);
    EXPECT_NE(strstr(err.msg, "transcript.txt: File too large"), nullptr) << err.msg;
}

// The transcript writers sanitize every line, text and JSON alike.
TEST(ReportTranscript, TextAndJsonAreClean)
{
    smtp_transcript *tx = smtp_transcript_new(0);
    smtp_transcript_add(tx, SMTP_TX_SERVER, 1, kHostile.data(), kHostile.size());
    smtp_transcript_add(tx, SMTP_TX_SERVER, 2, "\xff\xfe", 2);
    char *text = nullptr;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    ASSERT_EQ(smtp_transcript_write(mem, tx, 0), 0);
    fclose(mem);
    std::string out(text, size);
    free(text);
    EXPECT_EQ(BadByte(out), -1);
    EXPECT_EQ(out, "   0.001 S: " + kShown + "\n   0.002 S: \\xff\\xfe\n");
    json_t *arr = report_transcript_json(tx);
    ASSERT_NE(arr, nullptr);
    EXPECT_EQ(json_string_value(json_object_get(json_array_get(arr, 0), "line")), kShown);
    char *dump = json_dumps(arr, 0);
    ASSERT_NE(dump, nullptr);
    EXPECT_EQ(BadByte(dump), -1);
    free(dump);
    json_decref(arr);
    smtp_transcript_free(tx);
}

} // namespace

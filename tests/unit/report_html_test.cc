// report.html for a mail admin: per cell the deciding step, its expected
// and actual reply, the MTA's log lines and the cell's time; per cause the
// advice and the config diff between the variants (report_diff: the
// instances' own names are no change, Exim's included ACL is compared in
// place). Everything from a server, a log, a config or a scenario file is
// hostile: escaped, never markup. A section with nothing to say is left out.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "badbyte.h"
#include "report_diff.h"
#include "report_html.h"
#include "run.h"

namespace
{

size_t Count(const std::string &s, const std::string &what)
{
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
        n++;
    return n;
}

// What a hostile MTA or scenario author may put in front of a reader.
const char kMarkup[] = "<script>alert(1)</script></pre><b onmouseover='x'>&amp;";
const char kMarkupShown[] =
    "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/pre&gt;&lt;b onmouseover=&#39;x&#39;&gt;&amp;amp;";

class ReportHtml : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        scn_ = std::make_unique<scenario>();
        scenario_init(scn_.get());
        std::string text = std::string("scenario mynet\n"
                                       "title \"The host is not in mynetworks ") +
                           kMarkup +
                           "\"\n"
                           "cause 2 \"mynetworks \x1b[1m<i>Misconfigured</i>\"\n"
                           "advice \"Never add external IPs to mynetworks " +
                           kMarkup +
                           "\"\n"
                           "variant broken\nvariant fixed\n"
                           "dialogue d\n"
                           "  connect smtp\n"
                           "  rcpt someone@example.org\n"
                           "  S: 554\n";
        scenario_error err;
        ASSERT_EQ(
            scenario_parse(scn_.get(), "t.scn", text.data(), text.size(), nullptr, nullptr, &err),
            0)
            << err.msg;
        ASSERT_EQ(scenario_check(scn_.get(), &err), 0) << err.msg;
        meta_ = {"20261129T120000Z-1", "2026-11-29T12:00:00Z", 1234, "0.1.0",
                 RELAYLAB_REPORT_TEMPLATES};
    }

    void TearDown() override
    {
        for (auto &c : cells_)
            run_cell_free(&c);
    }

    // A cell as run_cell_on() leaves it, its instance's names in its config.
    run_cell &Cell(enum mta_kind mta, size_t variant, enum run_status status, int inst)
    {
        run_cell c;
        memset(&c, 0, sizeof(c));
        c.scenario = scn_.get();
        c.variant = variant;
        c.mta = mta;
        c.status = status;
        c.swaks_ms = -1;
        c.ms = 1234 + inst;
        const std::string dir =
            "/run/relaylab/" + std::string(mta_kind_name(mta)) + "-" + std::to_string(inst);
        const std::string addr = "127.0.0." + std::to_string(10 + inst);
        snprintf(c.mta_dir, sizeof(c.mta_dir), "%s", dir.c_str());
        snprintf(c.mta_addr, sizeof(c.mta_addr), "%s", addr.c_str());
        snprintf(c.sink_addr, sizeof(c.sink_addr), "127.0.0.%d", 100 + inst);
        const std::string net = variant == 0 ? "127.0.0.1/32" : "127.0.0.1/32, 127.0.0.210/32";
        if (mta == MTA_POSTFIX) {
            c.mta_config =
                strdup(("queue_directory = " + dir + "/queue\n" + "relayhost = [" + c.sink_addr +
                        "]:2525\n" + "# the config " + kMarkup + "\n" + "mynetworks = " + net +
                        (variant == 0 ? std::string(" ") + kMarkup : "") + "\n" +
                        "inet_protocols = ipv4\n")
                           .c_str());
            c.mta_master = strdup((addr + ":25 inet n - n - - smtpd\n").c_str());
        } else {
            c.mta_config =
                strdup(("spool_directory = " + dir + "/spool\n" + "local_interfaces = <; " + addr +
                        ".25\n" + "acl_check_rcpt:\n.include " + dir + "/acl_rcpt.conf\n" +
                        "begin routers\n")
                           .c_str());
            c.mta_acl = strdup(variant == 0 ? "  deny message = <b>no</b>\n  accept\n"
                                            : "  accept authenticated = *\n  accept\n");
        }
        c.decide_pos = scn_->steps[1].pos;
        snprintf(c.decide_step, sizeof(c.decide_step), "%s", scn_->steps[1].source);
        snprintf(c.decide_expected, sizeof(c.decide_expected), "%s", scn_->steps[2].source);
        snprintf(c.decide_reply, sizeof(c.decide_reply), "554 5.7.1 <someone@example.org>: %s",
                 kMarkup);
        c.step_log = strdup((std::string("postfix/smtpd[7]: NOQUEUE: reject: RCPT from x: ") +
                             kMarkup + " \x1b[2J\n")
                                .c_str());
        if (status == RUN_FAIL) {
            c.checks = c.failed = 1;
            c.fail_pos = scn_->steps[2].pos;
            snprintf(c.fail_step, sizeof(c.fail_step), "%s", scn_->steps[2].source);
            snprintf(c.expected, sizeof(c.expected), "550");
            snprintf(c.actual, sizeof(c.actual), "%s", c.decide_reply);
            snprintf(c.message, sizeof(c.message), "t.scn:10: S: 554: expected 550, got %s",
                     c.decide_reply);
        }
        c.transcript = strdup("S: 220\n");
        c.mta_log = strdup("");
        cells_.push_back(c);
        EXPECT_EQ(run_cell_sanitize(&cells_.back()), 0);
        return cells_.back();
    }

    std::string Render()
    {
        smtp_error err;
        char *page = report_html_render(cells_.data(), cells_.size(), &meta_, &err);
        EXPECT_NE(page, nullptr) << err.msg;
        std::string html = page ? page : "";
        free(page);
        return html;
    }

    std::unique_ptr<scenario> scn_;
    std::vector<run_cell> cells_;
    report_meta meta_;
};

TEST_F(ReportHtml, DecidingStepLogAndFixAreShownEscaped)
{
    cells_.reserve(4);
    Cell(MTA_POSTFIX, 0, RUN_FAIL, 0);
    Cell(MTA_EXIM, 0, RUN_PASS, 1);
    Cell(MTA_POSTFIX, 1, RUN_PASS, 2);
    Cell(MTA_EXIM, 1, RUN_PASS, 3);
    std::string html = Render();

    EXPECT_EQ(BadByte(html), -1);
    // No markup from anyone but relaylab: the template has no script, no <b>, no <i>.
    EXPECT_EQ(Count(html, "<script"), 0u);
    EXPECT_EQ(Count(html, "<b>"), 0u);
    EXPECT_EQ(Count(html, "<b "), 0u);
    EXPECT_EQ(Count(html, "<i>"), 0u);
    EXPECT_EQ(Count(html, "onmouseover='"), 0u);

    // The failing cell: open, its step, expected, the server's reply, the log line, its time.
    size_t fail =
        html.find("<details class=\"cell cell-fail\" id=\"cell-mynet.broken.postfix\" open>");
    ASSERT_NE(fail, std::string::npos) << html;
    std::string cell = html.substr(fail, html.find("</details>", fail) - fail);
    EXPECT_NE(cell.find("<dt>step</dt><dd><code>rcpt someone@example.org</code></dd>"),
              std::string::npos)
        << cell;
    EXPECT_NE(cell.find("<dt>expected</dt><dd><code>S: 554</code></dd>"), std::string::npos);
    EXPECT_NE(cell.find(std::string("<dt>server replied</dt><dd><code>554 5.7.1 "
                                    "&lt;someone@example.org&gt;: ") +
                        kMarkupShown + "</code></dd>"),
              std::string::npos)
        << cell;
    EXPECT_NE(cell.find(std::string("<pre class=\"log\">postfix/smtpd[7]: NOQUEUE: reject: RCPT "
                                    "from x: ") +
                        kMarkupShown + " \\x1b[2J\n</pre>"),
              std::string::npos)
        << cell;
    EXPECT_NE(cell.find("1234 ms"), std::string::npos);
    EXPECT_NE(cell.find("<dt>where</dt><dd><code>t.scn:9</code></dd>"), std::string::npos);
    // ... and what to change: the advice, the main.cf line the fix changes.
    EXPECT_NE(cell.find(std::string("<p class=\"advice\">Never add external IPs to mynetworks ") +
                        kMarkupShown + "</p>"),
              std::string::npos)
        << cell;
    EXPECT_NE(cell.find(std::string("<span class=\"del\">-mynetworks = 127.0.0.1/32 ") +
                        kMarkupShown +
                        "</span>\n<span class=\"add\">+mynetworks = "
                        "127.0.0.1/32, 127.0.0.210/32</span>"),
              std::string::npos)
        << cell;
    // A passing cell is closed, and has no fix of its own.
    size_t pass = html.find("<details class=\"cell cell-pass\" id=\"cell-mynet.fixed.postfix\">");
    ASSERT_NE(pass, std::string::npos);
    EXPECT_EQ(html.substr(pass, html.find("</details>", pass) - pass).find("class=\"fix\""),
              std::string::npos);

    // By cause: the cause's name escaped, the advice, both MTAs' diffs.
    size_t causes = html.find("<h2 id=\"causes\">");
    ASSERT_NE(causes, std::string::npos);
    std::string fix = html.substr(causes, html.find("<h2 id=\"cells\">") - causes);
    EXPECT_NE(fix.find("<h3>Cause 2: mynetworks \\x1b[1m&lt;i&gt;Misconfigured&lt;/i&gt;</h3>"),
              std::string::npos)
        << fix;
    EXPECT_EQ(Count(fix, "<p class=\"advice\">"), 1u);
    EXPECT_NE(fix.find("<p class=\"pair\">postfix: broken &rarr; fixed</p>\n<p class=\"file\">"
                       "main.cf</p>"),
              std::string::npos)
        << fix;
    // The instances' own names (directory, addresses) are no change: not a line of the diff.
    EXPECT_EQ(Count(fix, "-queue_directory"), 0u) << fix;
    EXPECT_EQ(Count(fix, "+relayhost"), 0u) << fix;
    EXPECT_EQ(Count(fix, "master.cf"), 0u) << "master.cf differs only in the address: " << fix;
    // Exim: the rcpt ACL compared where exim.conf includes it.
    EXPECT_NE(fix.find("<span class=\"ctx\"> acl_check_rcpt:</span>\n"
                       "<span class=\"del\">-  deny message = &lt;b&gt;no&lt;/b&gt;</span>\n"
                       "<span class=\"add\">+  accept authenticated = *</span>"),
              std::string::npos)
        << fix;
    EXPECT_EQ(Count(fix, ".include"), 0u) << fix;
}

// A section with nothing to say is left out: no failures, no advice, no diff.
TEST_F(ReportHtml, NoEmptySections)
{
    scn_->advice = nullptr;
    cells_.reserve(2);
    run_cell &a = Cell(MTA_POSTFIX, 0, RUN_PASS, 0);
    run_cell &b = Cell(MTA_POSTFIX, 1, RUN_PASS, 1);
    // The same config but for the instance's names.
    free(b.mta_config);
    b.mta_config = strdup(a.mta_config);
    for (auto *from = strstr(b.mta_config, "postfix-0"); from; from = strstr(from, "postfix-0"))
        from[8] = '1';
    free(b.step_log);
    b.step_log = nullptr;
    std::string html = Render();
    EXPECT_EQ(Count(html, "<h2>Failures"), 0u);
    EXPECT_EQ(Count(html, "<h2 id=\"causes\">"), 0u) << html;
    EXPECT_EQ(Count(html, "class=\"fix\""), 0u);
    EXPECT_EQ(Count(html, "<pre class=\"log\">"), 1u) << "the cell without log lines shows none";
    EXPECT_EQ(Count(html, "<details "), 2u);
    EXPECT_EQ(Count(html, " open>"), 0u);
    EXPECT_EQ(Count(html, "<dt></dt>"), 0u);
}

// report_diff alone: names stand alone (127.0.0.2 is not in 127.0.0.21),
// and the count says what changed.
TEST_F(ReportHtml, DiffTellsInstanceNamesFromChanges)
{
    cells_.reserve(2);
    run_cell &a = Cell(MTA_POSTFIX, 0, RUN_PASS, 0);
    run_cell &b = Cell(MTA_POSTFIX, 1, RUN_PASS, 1);
    snprintf(a.mta_addr, sizeof(a.mta_addr), "127.0.0.2");
    snprintf(b.mta_addr, sizeof(b.mta_addr), "127.0.0.3");
    struct Case {
        const char *a, *b;
        long changed;
    } cases[] = {
        {"addr = 127.0.0.2\nnet = 127.0.0.21\n", "addr = 127.0.0.3\nnet = 127.0.0.21\n", 0},
        {"net = 127.0.0.2\n", "net = 127.0.0.21\n", 2},
        {"x = [127.0.0.2]:25\n", "x = [127.0.0.3]:25\n", 0},
        {"x = 127.0.0.2.25\n", "x = 127.0.0.3.25\n", 0},
        {"x = 127.0.0.2/32\n", "x = 127.0.0.3/32\n", 0},
        {"x = 10.127.0.0.2\n", "x = 10.127.0.0.3\n", 2},
        {"d = /run/relaylab/postfix-0/q\n", "d = /run/relaylab/postfix-1/q\n", 0},
        {"d = /run/relaylab/postfix-01/q\n", "d = /run/relaylab/postfix-1/q\n", 2},
    };
    for (const auto &c : cases) {
        free(a.mta_config);
        free(b.mta_config);
        a.mta_config = strdup(c.a);
        b.mta_config = strdup(c.b);
        free(a.mta_master);
        free(b.mta_master);
        a.mta_master = b.mta_master = nullptr;
        smtp_error err;
        std::string out;
        long n = report_diff(
            &a, &b,
            [](void *ctx, const char *file, int kind, const char *text, size_t len) {
                *static_cast<std::string *>(ctx) += std::string(file) + ":" +
                                                    static_cast<char>(kind) +
                                                    std::string(text, len) + "\n";
            },
            &out, &err);
        EXPECT_EQ(n, c.changed) << c.a << "|" << c.b << "\n" << out;
    }
}

} // namespace

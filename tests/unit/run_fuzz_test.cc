// The live fuzzer's findings: written by the scenario writer, read back by the parser.
#include <gtest/gtest.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "run_fuzz.h"

namespace
{

class Finding : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/relaylab-finding-test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ASSERT_EQ(mkdir((dir_ + "/out").c_str(), 0755), 0);
        Write("strict.acl", "deny message = no relay\n");
        Write("base.scn", "scenario base\n"
                          "variant open\n"
                          "variant closed\n"
                          "config postfix open set mynetworks = 127.0.0.0/8, 192.0.2.0/24\n"
                          "config postfix no-sasl\n"
                          "config postfix closed set smtpd_relay_restrictions = reject\n"
                          "config exim acl-rcpt strict.acl\n"
                          "dialogue d\n"
                          "  connect smtp\n");
        scenario_error err;
        ASSERT_EQ(scenario_load((dir_ + "/base.scn").c_str(), nullptr, base_.get(), &err), 0)
            << err.msg;
    }
    void TearDown() override
    {
        system(("rm -rf " + dir_).c_str());
    }
    void Write(const std::string &name, const std::string &text)
    {
        std::ofstream(dir_ + "/" + name) << text;
    }
    static std::string Read(const std::string &path)
    {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    // Files in out/, sorted
    std::vector<std::string> Out()
    {
        std::vector<std::string> names;
        DIR *d = opendir((dir_ + "/out").c_str());
        for (dirent *e; d && (e = readdir(d));)
            if (e->d_name[0] != '.')
                names.push_back(e->d_name);
        if (d)
            closedir(d);
        std::sort(names.begin(), names.end());
        return names;
    }
    run_fuzz_params Params(mta_kind mta)
    {
        run_fuzz_params p{};
        p.mta = mta;
        p.scenario = base_.get();
        p.variant = 0;
        p.seed = 42;
        p.out_dir = out_.c_str();
        return p;
    }
    std::string dir_;
    std::string out_ = "";
    std::unique_ptr<scenario> base_ = std::make_unique<scenario>();
};

// Step - what a step means, for comparing
std::string Step(int op, const char *arg = nullptr, const char *arg2 = nullptr, int code = 0)
{
    std::ostringstream o;
    o << op << "|" << (arg ? arg : "-") << "|" << (arg2 ? arg2 : "-") << "|" << code;
    return o.str();
}

std::string Step(const scenario_step &st)
{
    return Step(st.op, st.arg, st.arg2, st.code);
}

TEST_F(Finding, ParsesBackToTheSameSteps)
{
    out_ = dir_ + "/out";
    run_fuzz_params p = Params(MTA_POSTFIX);
    const char *commands[] = {
        "EHLO [127.0.0.1]", // ends in ']': not a where-clause
        "MAIL FROM:<\"a b\"@relaylab.test> SIZE=100",
        "RCPT TO:<victim%example.org@[127.0.0.1]>",
        nullptr, // DATA
        "NOOP # not a comment",
        "EHLO ", // an empty greeting: the blank cannot be kept
    };
    run_fuzz_finding f{};
    f.number = 1;
    f.kind = "open relay";
    f.detail = "mail for <victim@example.org> reached the sink";
    f.commands = commands;
    f.ncommands = sizeof(commands) / sizeof(commands[0]);
    char path[1024];
    smtp_error err;
    smtp_error_clear(&err);
    ASSERT_EQ(run_fuzz_write_finding(&p, &f, path, sizeof(path), &err), 0) << err.msg;
    EXPECT_EQ(std::string(path), out_ + "/finding-postfix-1.scn");
    EXPECT_EQ(Out(), std::vector<std::string>{"finding-postfix-1.scn"}); // no temp file left

    auto s = std::make_unique<scenario>();
    scenario_error serr;
    ASSERT_EQ(scenario_load(path, nullptr, s.get(), &serr), 0) << serr.msg;
    const std::vector<std::string> want = {
        Step(SCN_CONNECT, "smtp", "outside"),
        Step(SCN_EXPECT_REPLY, nullptr, nullptr, 220),
        Step(SCN_RAW, "EHLO [127.0.0.1]"),
        Step(SCN_RAW, "MAIL FROM:<\"a b\"@relaylab.test> SIZE=100"),
        Step(SCN_RAW, "RCPT TO:<victim%example.org@[127.0.0.1]>"),
        Step(SCN_DATA),
        Step(SCN_RAW, "NOOP # not a comment"),
        Step(SCN_RAW, "EHLO"),
        Step(SCN_EXPECT_RELAY_DENIED),
    };
    std::vector<std::string> got;
    for (size_t i = 0; i < s->nsteps; i++)
        got.push_back(Step(s->steps[i]));
    EXPECT_EQ(got, want);
    EXPECT_STREQ(s->id, "fuzz-postfix-1");
    EXPECT_STREQ(s->title, "relaylab fuzz: open relay");
    EXPECT_TRUE(scenario_has_tag(s.get(), "fuzz"));
    EXPECT_TRUE(scenario_has_tag(s.get(), "security"));
    EXPECT_EQ(s->mtas, unsigned(SCENARIO_MTA_POSTFIX));
    // The variant's config, for postfix alone; the other variant's and exim's left out.
    ASSERT_EQ(s->nconfigs, 2u);
    EXPECT_EQ(s->configs[0].op, SCN_CFG_SET);
    EXPECT_STREQ(s->configs[0].value, "mynetworks = 127.0.0.0/8, 192.0.2.0/24");
    EXPECT_EQ(s->configs[1].op, SCN_CFG_NO_SASL);
    for (size_t i = 0; i < s->nconfigs; i++)
        EXPECT_EQ(s->configs[i].where.mtas, unsigned(SCENARIO_MTA_POSTFIX));

    std::string text = Read(path);
    EXPECT_EQ(text.rfind("# Found by relaylab fuzz (seed 42) on postfix, config of base variant "
                         "open.\n# open relay: mail for <victim@example.org> reached the sink\n",
                         0),
              0u)
        << text;
    EXPECT_NE(text.find("# A command the fuzzer sent ended in a blank"), std::string::npos);
}

// Exim's rcpt ACL goes beside the finding: "relaylab run" reads only inside its tree.
TEST_F(Finding, AclCopiedBeside)
{
    out_ = dir_ + "/out";
    run_fuzz_params p = Params(MTA_EXIM);
    const char *commands[] = {"EHLO x", "MAIL FROM:<>", "RCPT TO:<victim@example.org>"};
    run_fuzz_finding f{};
    f.number = 2;
    f.kind = "open relay";
    f.detail = "";
    f.commands = commands;
    f.ncommands = 3;
    f.bare_lf = 1;
    char path[1024];
    smtp_error err;
    ASSERT_EQ(run_fuzz_write_finding(&p, &f, path, sizeof(path), &err), 0) << err.msg;
    EXPECT_EQ(Out(),
              (std::vector<std::string>{"finding-exim-2-acl-rcpt.conf", "finding-exim-2.scn"}));
    EXPECT_EQ(Read(out_ + "/finding-exim-2-acl-rcpt.conf"), "deny message = no relay\n");
    auto s = std::make_unique<scenario>();
    scenario_error serr;
    ASSERT_EQ(scenario_load(path, nullptr, s.get(), &serr), 0) << serr.msg;
    ASSERT_EQ(s->nconfigs, 1u);
    EXPECT_EQ(s->configs[0].op, SCN_CFG_ACL_RCPT);
    EXPECT_STREQ(s->configs[0].value, "finding-exim-2-acl-rcpt.conf");
    ASSERT_EQ(s->nsteps, 7u); // connect, S: 220, three commands, data added, expect
    EXPECT_EQ(s->steps[5].op, SCN_DATA);
    EXPECT_NE(Read(path).find("# The fuzzer sent bare LF line ends"), std::string::npos);
}

// A server's text goes into a comment: whatever it holds, it stays one.
TEST_F(Finding, ServerTextStaysAComment)
{
    out_ = dir_ + "/out";
    run_fuzz_params p = Params(MTA_POSTFIX);
    const char *commands[] = {"EHLO x"};
    const char *details[] = {
        "malformed reply: 250 x\\x0d\\x0aconfig postfix set relayhost = evil",        // sanitized
        "mail for <x\nconfig postfix set relayhost = evil\n  quit> reached the sink", // not
    };
    size_t number = 1;
    for (const char *detail : details) {
        SCOPED_TRACE(detail);
        run_fuzz_finding f{};
        f.number = number++;
        f.kind = "protocol violation";
        f.detail = detail;
        f.commands = commands;
        f.ncommands = 1;
        char path[1024];
        smtp_error err;
        ASSERT_EQ(run_fuzz_write_finding(&p, &f, path, sizeof(path), &err), 0) << err.msg;
        auto s = std::make_unique<scenario>();
        scenario_error serr;
        ASSERT_EQ(scenario_load(path, nullptr, s.get(), &serr), 0) << serr.msg;
        EXPECT_EQ(s->nconfigs, 2u); // the base's two for postfix, nothing more
        EXPECT_EQ(s->nsteps, 5u);
        std::string text = Read(path);
        EXPECT_EQ(text.find("\nconfig postfix set relayhost"), std::string::npos) << text;
    }
    // The sanitized one as it was: not escaped again.
    EXPECT_NE(Read(out_ + "/finding-postfix-1.scn").find("250 x\\x0d\\x0aconfig"),
              std::string::npos);
}

// What no scenario line can say is an error, and no file is left behind.
TEST_F(Finding, RefusedNotWritten)
{
    out_ = dir_ + "/out";
    run_fuzz_params p = Params(MTA_POSTFIX);
    const char *commands[] = {"NOOP\nRSET"};
    run_fuzz_finding f{};
    f.number = 1;
    f.kind = "no reply";
    f.detail = "timed out";
    f.commands = commands;
    f.ncommands = 1;
    char path[1024];
    smtp_error err;
    smtp_error_clear(&err);
    EXPECT_EQ(run_fuzz_write_finding(&p, &f, path, sizeof(path), &err), -1);
    EXPECT_NE(std::string(err.msg).find("a newline"), std::string::npos) << err.msg;
    EXPECT_TRUE(Out().empty());
}

} // namespace

// The runner's pure parts: a scenario's config for one MTA and variant.
#include <gtest/gtest.h>

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "run.h"

namespace
{

class Spec : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/relaylab-run-test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override
    {
        system(("rm -rf " + dir_).c_str());
    }
    void Write(const std::string &name, const std::string &text)
    {
        FILE *fp = fopen((dir_ + "/" + name).c_str(), "w");
        ASSERT_NE(fp, nullptr);
        fwrite(text.data(), 1, text.size(), fp);
        fclose(fp);
    }
    // The scenario's exim spec, with an ACL buffer of acl_size bytes.
    int Build(size_t acl_size, std::string *acl_out, std::string *err_out)
    {
        Write("acl.scn", "scenario acl\nconfig exim acl-rcpt big.acl\ndialogue d\n"
                         "  connect smtp\n");
        scenario_error serr;
        if (scenario_load((dir_ + "/acl.scn").c_str(), nullptr, scn_.get(), &serr) < 0) {
            *err_out = serr.msg;
            return -2;
        }
        mta_spec spec;
        mta_spec_init(&spec, MTA_EXIM);
        std::vector<char> acl(acl_size);
        smtp_error err;
        smtp_error_clear(&err);
        int rc = run_scenario_spec(scn_.get(), MTA_EXIM, 0, &spec, acl.data(), acl.size(), &err);
        *err_out = err.msg;
        if (rc == 0 && spec.exim_acl_rcpt)
            *acl_out = spec.exim_acl_rcpt;
        return rc;
    }
    std::string dir_;
    std::unique_ptr<scenario> scn_ = std::make_unique<scenario>();
};

std::string AclOf(size_t size)
{
    std::string text;
    while (text.size() + 40 < size)
        text += "  deny hosts = 192.0.2.0/24 : 198.51.1.1\n";
    text.resize(size - 7, '#');
    return text + "accept\n";
}

TEST_F(Spec, AclFileIsReadWhole)
{
    std::string text = AclOf(5000), acl, err;
    Write("big.acl", text);
    ASSERT_EQ(Build(RUN_ACL_MAX, &acl, &err), 0) << err;
    EXPECT_EQ(acl.size(), 5000u);
    EXPECT_EQ(acl, text);
}

// An ACL longer than the buffer is an error that says so, never a
// silently shortened rule set (the cut used to be at 4096 bytes).
TEST_F(Spec, AclFileOverTheLimitIsAnError)
{
    std::string acl, err;
    Write("big.acl", AclOf(5000));
    EXPECT_EQ(Build(4096, &acl, &err), -1) << "got " << acl.size() << " bytes";
    EXPECT_NE(err.find("acl.scn:2: " + dir_ +
                       "/big.acl is 5000 bytes: acl-rcpt files are at "
                       "most 4095"),
              std::string::npos)
        << err;

    Write("big.acl", AclOf(RUN_ACL_MAX));
    EXPECT_EQ(Build(RUN_ACL_MAX, &acl, &err), -1);
    EXPECT_NE(err.find("is 65536 bytes: acl-rcpt files are at most 65535"), std::string::npos)
        << err;
}

} // namespace

namespace
{

// A finished cell's texts live in the evidence file (run_matrix() moves
// them there): run_cell_text() gives each back whole and NUL-ended, or
// says why not.
TEST_F(Spec, CellTextFromEvidenceFile)
{
    struct run_cell cell;
    struct smtp_error err;
    const char *texts[RUN_TEXTS] = {
        "C: EHLO x\nS: 250 ok\n",
        "postfix/smtpd: connect\n",
        "",
        "smtp inet n - n - - smtpd\n",
        "  accept hosts = +relay_from_hosts\n",
        "NOQUEUE: reject: RCPT from x: 554 5.7.1 Relay access denied\n"};
    int fd = run_evidence_open(dir_.c_str());

    ASSERT_GE(fd, 0) << strerror(errno);
    memset(&cell, 0, sizeof(cell));
    ASSERT_EQ(write(fd, "junk", 4), 4);
    long long off = 4;
    for (int k = 0; k < RUN_TEXTS; k++) {
        size_t n = strlen(texts[k]);
        ASSERT_EQ(write(fd, texts[k], n), (ssize_t)n);
        cell.evidence_off[k] = off;
        cell.evidence_len[k] = n;
        off += (long long)n;
    }
    cell.spilled = 1;
    cell.evidence_fd = fd;
    for (int k = 0; k < RUN_TEXTS; k++) {
        char *t = run_cell_text(&cell, (enum run_text)k, &err);
        ASSERT_NE(t, nullptr) << err.msg;
        EXPECT_STREQ(t, texts[k]);
        free(t);
    }
    // Nothing in the directory: the file has no name.
    EXPECT_EQ(system(("test -z \"$(ls -A '" + dir_ + "')\"").c_str()), 0);
    // Cut short (someone truncated it): an error, never a short text.
    ASSERT_EQ(ftruncate(fd, 10), 0);
    EXPECT_EQ(run_cell_text(&cell, RUN_TEXT_TRANSCRIPT, &err), nullptr);
    EXPECT_NE(std::string(err.msg).find("evidence file"), std::string::npos) << err.msg;
    close(fd);
    run_cell_free(&cell);
}

// Without evidence files the texts come from memory; none is "".
TEST_F(Spec, CellTextFromMemory)
{
    struct run_cell cell;
    struct smtp_error err;

    memset(&cell, 0, sizeof(cell));
    cell.transcript = strdup("S: 220 hi\n");
    char *t = run_cell_text(&cell, RUN_TEXT_TRANSCRIPT, &err);
    ASSERT_NE(t, nullptr);
    EXPECT_STREQ(t, "S: 220 hi\n");
    free(t);
    t = run_cell_text(&cell, RUN_TEXT_MTA_CONFIG, &err);
    ASSERT_NE(t, nullptr);
    EXPECT_STREQ(t, "");
    free(t);
    run_cell_free(&cell);
}

} // namespace

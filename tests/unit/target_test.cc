// MTA targets: KIND@RELEASE, the users and version read from a release's
// own files (texts as /etc/passwd, /etc/group and /etc/relaylab-mta-version
// hold them), and the columns they make in a plan and a report.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mta_target.h"
#include "report_cell.h"
#include "run_plan.h"

namespace
{

TEST(Target, ParsesKindAndRelease)
{
    mta_target t;
    smtp_error err;

    ASSERT_EQ(mta_target_parse("postfix", &t, &err), 0) << err.msg;
    EXPECT_EQ(t.kind, MTA_POSTFIX);
    EXPECT_STREQ(t.release, "");
    EXPECT_STREQ(t.name, "postfix");
    ASSERT_EQ(mta_target_parse("exim@bullseye", &t, &err), 0) << err.msg;
    EXPECT_EQ(t.kind, MTA_EXIM);
    EXPECT_STREQ(t.release, "bullseye");
    EXPECT_STREQ(t.name, "exim@bullseye");
    for (const char *bad : {"sendmail", "postfix@sid", "postfix@", "@trixie", "exim@trixie/../x",
                            "postfixpostfixpostfix@trixie", ""}) {
        EXPECT_EQ(mta_target_parse(bad, &t, &err), -1) << bad;
        EXPECT_EQ(err.cls, SMTP_ERR_USAGE) << bad;
    }
}

TEST(Target, RuntimeWords)
{
    mta_runtime r;
    ASSERT_EQ(mta_runtime_parse("container", &r), 0);
    EXPECT_EQ(r, MTA_RUNTIME_CONTAINER);
    ASSERT_EQ(mta_runtime_parse("namespace", &r), 0);
    EXPECT_EQ(r, MTA_RUNTIME_NAMESPACE);
    EXPECT_EQ(mta_runtime_parse("docker", &r), -1);
    EXPECT_STREQ(mta_runtime_name(MTA_RUNTIME_CONTAINER), "container");
}

// bullseye's ids, as its images have them: not the host's.
TEST(Target, IdsFromTheReleasesOwnFiles)
{
    const char *passwd = "root:x:0:0:root:/root:/bin/bash\n"
                         "postfixx:x:7:7::/:/bin/false\n" /* a prefix is not the name */
                         "postfix:x:101:102::/var/spool/postfix:/usr/sbin/nologin\n"
                         "Debian-exim:x:101:101::/var/spool/exim4:/usr/sbin/nologin\n";
    const char *group = "root:x:0:\npostfix:x:102:\npostdrop:x:103:\ndovecot:x:104:\n";
    struct mta_env_ids ids;

    mta_target_ids_parse(passwd, group, &ids);
    ASSERT_TRUE(ids.have_postfix);
    EXPECT_EQ(ids.postfix_uid, 101u);
    EXPECT_EQ(ids.postfix_gid, 102u);
    EXPECT_EQ(ids.postdrop_gid, 103u);
    ASSERT_TRUE(ids.have_exim);
    EXPECT_EQ(ids.exim_uid, 101u);
    EXPECT_EQ(ids.exim_gid, 101u);
    ASSERT_TRUE(ids.have_dovecot);
    EXPECT_EQ(ids.dovecot_gid, 104u);

    // Postfix without postdrop, an id that is not a number: not there.
    mta_target_ids_parse("postfix:x:101:102::/:/x\nDebian-exim:x:abc:1::/:/x\n", "", &ids);
    EXPECT_FALSE(ids.have_postfix);
    EXPECT_FALSE(ids.have_exim);
    EXPECT_FALSE(ids.have_dovecot);
    mta_target_ids_parse("", "", &ids);
    EXPECT_FALSE(ids.have_postfix);
}

TEST(Target, VersionFromItsFile)
{
    char v[32];
    const char *text = "postfix 3.10.13 (package 3.10.13-0+deb13u1)\n"
                       "dovecot 2.4.1-4 (7d8c0e5759) (package 1:2.4.1+dfsg1-6+deb13u7)\n"
                       "debian 13.8 (trixie)\n";
    ASSERT_EQ(mta_target_version_parse(text, MTA_POSTFIX, v, sizeof(v)), 0);
    EXPECT_STREQ(v, "3.10.13");
    EXPECT_EQ(mta_target_version_parse(text, MTA_EXIM, v, sizeof(v)), -1);
    ASSERT_EQ(mta_target_version_parse("exim 4.94.2 (package 4.94.2-7+deb11u4)\n", MTA_EXIM, v,
                                       sizeof(v)),
              0);
    EXPECT_STREQ(v, "4.94.2");
    // Not a version: markup, nothing, too long for the buffer.
    EXPECT_EQ(mta_target_version_parse("postfix <b>\n", MTA_POSTFIX, v, sizeof(v)), -1);
    EXPECT_EQ(mta_target_version_parse("postfix \n", MTA_POSTFIX, v, sizeof(v)), -1);
    char small[4];
    EXPECT_EQ(mta_target_version_parse(text, MTA_POSTFIX, small, sizeof(small)), -1);
}

// A plan over targets: a column each, named KIND@RELEASE; a report's
// columns in that order, titled with their versions.
TEST(Target, PlanAndReportColumns)
{
    run_plan plan = {};
    run_plan_params p = {};
    smtp_error err;
    mta_target t[3];

    ASSERT_EQ(run_plan_collect(&plan, RELAYLAB_SCENARIOS "/seed", &err), 0) << err.msg;
    ASSERT_EQ(run_plan_load(&plan, nullptr, nullptr, &err), 0);
    ASSERT_EQ(mta_target_parse("postfix@trixie", &t[0], &err), 0);
    ASSERT_EQ(mta_target_parse("exim@bullseye", &t[1], &err), 0);
    ASSERT_EQ(mta_target_parse("postfix@bullseye", &t[2], &err), 0);
    snprintf(t[0].title, sizeof(t[0].title), "postfix 3.10.13 (trixie)");
    snprintf(t[1].title, sizeof(t[1].title), "exim 4.94.2 (bullseye)");
    p.repeat = 1;
    p.mta_only = -1;
    p.targets = t;
    p.ntargets = 3;
    long n = run_plan_cells(&plan, &p, &err);
    ASSERT_GT(n, 0) << err.msg;
    size_t per[3] = {0, 0, 0};
    for (long i = 0; i < n; i++) {
        const run_cell &c = plan.cells[i];
        ASSERT_NE(c.target, nullptr);
        EXPECT_EQ(c.mta, c.target->kind);
        per[c.target - t]++;
        char name[300];
        run_cell_name(&c, name, sizeof(name));
        EXPECT_NE(std::string(name).find("/" + std::string(c.target->name)), std::string::npos)
            << name;
    }
    EXPECT_EQ(per[0], per[2]) << "two Postfix columns, the same scenarios";
    EXPECT_GT(per[0], per[1]) << "Postfix-only scenarios";
    struct report_columns cols;
    report_columns(plan.cells, (size_t)n, &cols);
    ASSERT_EQ(cols.n, 3u);
    EXPECT_STREQ(cols.name[0], "postfix@trixie");
    EXPECT_STREQ(cols.title[0], "postfix 3.10.13 (trixie)");
    EXPECT_STREQ(cols.name[1], "exim@bullseye");
    EXPECT_STREQ(cols.title[1], "exim 4.94.2 (bullseye)");
    EXPECT_STREQ(cols.title[2], "postfix@bullseye") << "no version read: its name";
    // Cells on different targets never share an instance.
    run_params rp;
    run_params_default(&rp);
    char k0[RUN_PLAN_KEY_MAX], k2[RUN_PLAN_KEY_MAX];
    ASSERT_EQ(run_plan_key(&plan.cells[0], &rp, k0, sizeof(k0), &err), 0);
    for (long i = 0; i < n; i++)
        if (plan.cells[i].target == &t[2] && plan.cells[i].scenario == plan.cells[0].scenario &&
            plan.cells[i].variant == plan.cells[0].variant) {
            ASSERT_EQ(run_plan_key(&plan.cells[i], &rp, k2, sizeof(k2), &err), 0);
            EXPECT_STRNE(k0, k2);
        }
    run_plan_free(&plan);
}

} // namespace

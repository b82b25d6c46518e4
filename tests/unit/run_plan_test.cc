// The plan of a run: files, scenarios, cells; --mta, --filter, --shard, --repeat.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "run_plan.h"

namespace
{

std::string Name(const run_cell &c)
{
    char buf[300];
    run_cell_name(&c, buf, sizeof(buf));
    return buf + std::string(c.repeat ? "#" + std::to_string(c.repeat) : "");
}

class Plan : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        smtp_error err;
        ASSERT_EQ(run_plan_collect(&plan_, RELAYLAB_SCENARIOS "/seed", &err), 0) << err.msg;
        ASSERT_GT(plan_.nfiles, 1u);
        ASSERT_EQ(run_plan_load(&plan_, Say, this, &err), 0) << said_;
        p_.repeat = 1;
        p_.mta_only = -1;
    }
    void TearDown() override
    {
        run_plan_free(&plan_);
    }
    static void Say(void *ctx, const char *text)
    {
        static_cast<Plan *>(ctx)->said_ += std::string(text) + "\n";
    }
    std::set<std::string> Cells()
    {
        smtp_error err;
        long n = run_plan_cells(&plan_, &p_, &err);
        EXPECT_GE(n, 0) << err.msg;
        std::set<std::string> names;
        for (long i = 0; i < n; i++)
            names.insert(Name(plan_.cells[i]));
        EXPECT_EQ(names.size(), (size_t)n) << "a cell twice";
        return names;
    }
    run_plan plan_ = {};
    run_plan_params p_ = {};
    std::string said_;
};

TEST_F(Plan, FilesAreSortedAndEveryVariantMeetsEveryMta)
{
    for (size_t i = 1; i < plan_.nfiles; i++)
        EXPECT_LT(std::string(plan_.files[i - 1]), std::string(plan_.files[i]));
    size_t want = 0;
    for (size_t i = 0; i < plan_.nfiles; i++) {
        const scenario &s = plan_.scenarios[i];
        size_t mtas =
            s.mtas ? (s.mtas & SCENARIO_MTA_POSTFIX ? 1 : 0) + (s.mtas & SCENARIO_MTA_EXIM ? 1 : 0)
                   : 2;
        want += (s.nvariants ? s.nvariants : 1) * mtas;
    }
    EXPECT_EQ(Cells().size(), want);
}

TEST_F(Plan, MtaFilterAndRepeat)
{
    std::set<std::string> all = Cells();
    p_.mta_only = MTA_EXIM;
    for (const auto &name : Cells())
        EXPECT_NE(name.find("/exim"), std::string::npos) << name;
    p_.mta_only = -1;
    p_.filter = "/postfix";
    for (const auto &name : Cells())
        EXPECT_NE(name.find("/postfix"), std::string::npos) << name;
    p_.filter = "no cell has this";
    EXPECT_TRUE(Cells().empty());
    p_.filter = nullptr;
    p_.repeat = 3;
    EXPECT_EQ(Cells().size(), all.size() * 3);
}

TEST_F(Plan, ShardsSplitTheMatrixWhole)
{
    std::set<std::string> all = Cells(), seen;
    size_t total = 0;
    p_.shard_n = 3;
    for (p_.shard_k = 1; p_.shard_k <= 3; p_.shard_k++) {
        std::set<std::string> part = Cells();
        total += part.size();
        seen.insert(part.begin(), part.end());
    }
    EXPECT_EQ(total, all.size());
    EXPECT_EQ(seen, all);
}

std::string Key(const run_cell &c, const run_params &rp)
{
    char key[RUN_PLAN_KEY_MAX];
    smtp_error err;
    EXPECT_EQ(run_plan_key(&c, &rp, key, sizeof(key), &err), 0) << err.msg;
    return key;
}

// One instance per distinct key, numbered in the order of first cells, as run_matrix() batches.
TEST_F(Plan, InstancesFollowTheKeys)
{
    run_params rp;
    run_params_default(&rp);
    size_t n = Cells().size();
    std::vector<size_t> inst(n);
    smtp_error err;
    long ninst = run_plan_instances(
        &plan_, &rp, inst.data(), [](void *, size_t, const smtp_error *) { FAIL(); }, nullptr,
        &err);
    ASSERT_GT(ninst, 0) << err.msg;
    EXPECT_LT((size_t)ninst, n) << "the seed has cells that share an instance";
    size_t next = 0;
    std::set<std::string> keys;
    for (size_t i = 0; i < n; i++) {
        std::string key = Key(plan_.cells[i], rp);
        keys.insert(key);
        EXPECT_LE(inst[i], next) << Name(plan_.cells[i]);
        if (inst[i] == next)
            next++;
        for (size_t j = 0; j < i; j++)
            EXPECT_EQ(inst[i] == inst[j], key == Key(plan_.cells[j], rp))
                << Name(plan_.cells[i]) << " and " << Name(plan_.cells[j]);
    }
    EXPECT_EQ((size_t)ninst, keys.size());
    EXPECT_EQ(next, keys.size());
    rp.fresh_instances = 1;
    EXPECT_EQ(run_plan_instances(&plan_, &rp, inst.data(), nullptr, nullptr, &err), (long)n);
    for (size_t i = 0; i < n; i++)
        EXPECT_EQ(inst[i], i);
}

TEST_F(Plan, KeysNameTheUserConfigAndTooLongIsUnique)
{
    Cells();
    run_params rp;
    run_params_default(&rp);
    const run_cell &c = plan_.cells[0];
    std::string plain = Key(c, rp);
    rp.postfix_main_cf = "/etc/postfix/main.cf";
    rp.exim_conf = "/etc/exim4/exim4.conf";
    EXPECT_NE(Key(c, rp), plain);
    char a[32], b[32]; // too short for either key, long enough for "unique" and an address
    smtp_error err;
    ASSERT_EQ(run_plan_key(&plan_.cells[0], &rp, a, sizeof(a), &err), 0);
    ASSERT_EQ(run_plan_key(&plan_.cells[1], &rp, b, sizeof(b), &err), 0);
    EXPECT_EQ(std::string(a).rfind("unique ", 0), 0u) << a;
    EXPECT_STRNE(a, b) << "keys cut short are never shared";
}

TEST_F(Plan, TooManyCellsIsAnError)
{
    smtp_error err;
    size_t one = Cells().size();
    // The matrix's size decides, whatever the filter and the shard keep.
    p_.repeat = (int)(RUN_PLAN_CELLS_MAX / one);
    p_.filter = "no cell has this";
    EXPECT_EQ(run_plan_cells(&plan_, &p_, &err), 0) << err.msg;
    p_.repeat++;
    p_.filter = nullptr;
    p_.shard_k = p_.shard_n = RUN_PLAN_CELLS_MAX;
    EXPECT_EQ(run_plan_cells(&plan_, &p_, &err), -1);
    EXPECT_EQ(err.cls, SMTP_ERR_USAGE);
    EXPECT_EQ(err.msg, "more than " + std::to_string(RUN_PLAN_CELLS_MAX) + " cells");
    EXPECT_EQ(plan_.ncells, 0u);
}

TEST(PlanFiles, ErrorsAndDuplicateIds)
{
    run_plan plan = {};
    smtp_error err;
    EXPECT_EQ(run_plan_collect(&plan, "/nonexistent/x.scn", &err), -1);
    EXPECT_STREQ(err.msg, "/nonexistent/x.scn: No such file or directory");
    // The same file twice: two scenarios with one id.
    const char *one = RELAYLAB_SCENARIOS "/seed/02-mynetworks.scn";
    ASSERT_EQ(run_plan_collect(&plan, one, &err), 0);
    ASSERT_EQ(run_plan_collect(&plan, one, &err), 0);
    std::string said;
    EXPECT_EQ(run_plan_load(
                  &plan, [](void *ctx, const char *t) { *static_cast<std::string *>(ctx) += t; },
                  &said, &err),
              -1);
    EXPECT_EQ(err.cls, SMTP_ERR_USAGE);
    EXPECT_NE(said.find("is also used by"), std::string::npos) << said;
    run_plan_free(&plan);
}

// Each file whose id an earlier one has: one line, naming the first file with it.
TEST(PlanFiles, DuplicateIdsNameTheFirstFile)
{
    run_plan plan = {};
    smtp_error err;
    const char *one = RELAYLAB_SCENARIOS "/seed/02-mynetworks.scn";
    const char *two = RELAYLAB_SCENARIOS "/seed/03-recipient-domain.scn";
    for (const char *f : {two, one, two, one, one})
        ASSERT_EQ(run_plan_collect(&plan, f, &err), 0) << err.msg;
    std::vector<std::string> said;
    EXPECT_EQ(run_plan_load(
                  &plan,
                  [](void *ctx, const char *t) {
                      static_cast<std::vector<std::string> *>(ctx)->push_back(t);
                  },
                  &said, &err),
              -1);
    EXPECT_EQ(err.cls, SMTP_ERR_USAGE);
    ASSERT_EQ(said.size(), 3u);
    EXPECT_EQ(said[0], std::string(two) +
                           ":2:10: scenario id 'recipient-domain-not-listed' is also used by " +
                           two);
    for (size_t i = 1; i < 3; i++)
        EXPECT_EQ(said[i], std::string(one) +
                               ":2:10: scenario id 'mynetworks-misconfigured' is also used by " +
                               one);
    run_plan_free(&plan);
}

// Files past the first allocation, one by one and from a directory, and the limit.
TEST(PlanFiles, ManyFilesAndTheLimit)
{
    run_plan plan = {};
    smtp_error err;
    const char *one = RELAYLAB_SCENARIOS "/seed/02-mynetworks.scn";
    for (int i = 0; i < 1000; i++)
        ASSERT_EQ(run_plan_collect(&plan, one, &err), 0) << err.msg;
    ASSERT_EQ(run_plan_collect(&plan, RELAYLAB_SCENARIOS "/seed", &err), 0) << err.msg;
    EXPECT_GT(plan.nfiles, 1000u);
    EXPECT_STREQ(plan.files[999], one);
    EXPECT_EQ(plan.roots[999], nullptr);
    while (plan.nfiles < RUN_PLAN_FILES_MAX)
        ASSERT_EQ(run_plan_collect(&plan, one, &err), 0) << err.msg;
    EXPECT_EQ(run_plan_collect(&plan, one, &err), -1);
    EXPECT_EQ(err.msg, "more than " + std::to_string(RUN_PLAN_FILES_MAX) + " scenario files");
    EXPECT_EQ(run_plan_collect(&plan, RELAYLAB_SCENARIOS "/seed", &err), -1);
    EXPECT_EQ(plan.nfiles, (size_t)RUN_PLAN_FILES_MAX);
    run_plan_free(&plan);
}

TEST(PlanShard, Table)
{
    int k = 0, n = 0;
    EXPECT_EQ(run_plan_shard("2/3", &k, &n), 0);
    EXPECT_EQ(k, 2);
    EXPECT_EQ(n, 3);
    std::string max = std::to_string(RUN_PLAN_CELLS_MAX);
    EXPECT_EQ(run_plan_shard((max + "/" + max).c_str(), &k, &n), 0);
    EXPECT_EQ(n, RUN_PLAN_CELLS_MAX);
    std::string over = "1/" + std::to_string(RUN_PLAN_CELLS_MAX + 1);
    for (const char *bad :
         {"", "1", "/", "0/1", "2/1", "1/x", "1/2/3", over.c_str(), "-1/2", " 1/2"})
        EXPECT_EQ(run_plan_shard(bad, &k, &n), -1) << bad;
}

} // namespace

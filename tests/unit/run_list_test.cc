// relaylab run --list: the plan printed, nothing started and nothing
// written (issue 11). The binary against the plan the library lays out.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_plan.h"

namespace
{

const char kSeed[] = RELAYLAB_SCENARIOS "/seed";

struct Listed {
    int status = -1;
    std::string out, err;
    std::vector<std::string> lines; // out, line by line
};

// Slurp - a whole file
std::string Slurp(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A fresh working directory, removed after: "nothing written" is checked there.
class TempDir
{
  public:
    TempDir()
    {
        char tmpl[] = "/tmp/relaylab-list.XXXXXX";
        path_ = mkdtemp(tmpl) ? tmpl : "";
    }
    ~TempDir()
    {
        std::string cmd = "rm -rf '" + path_ + "'";
        (void)system(cmd.c_str());
    }
    const std::string &path() const
    {
        return path_;
    }
    // Entries - what is in it, "" when empty
    std::string Entries() const
    {
        std::string cmd = "ls -A '" + path_ + "'", names;
        FILE *fp = popen(cmd.c_str(), "r");
        char line[512];
        while (fp && fgets(line, sizeof(line), fp))
            names += line;
        if (fp)
            pclose(fp);
        return names;
    }

  private:
    std::string path_;
};

// List - "relaylab run --list ARGS..." run in cwd; stdout and stderr kept apart
Listed List(const std::string &cwd, std::vector<std::string> args)
{
    args.insert(args.begin(), {RELAYLAB_BIN, "run", "--list"});
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string out_path = cwd + "/.out", err_path = cwd + "/.err";
    pid_t pid = fork();
    if (pid == 0) {
        int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0 || err < 0 || chdir(cwd.c_str()) < 0)
            _exit(126);
        dup2(out, 1);
        dup2(err, 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
    Listed r;
    EXPECT_GT(pid, 0);
    waitpid(pid, &r.status, 0);
    r.status = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : 128 + WTERMSIG(r.status);
    r.out = Slurp(out_path);
    r.err = Slurp(err_path);
    unlink(out_path.c_str());
    unlink(err_path.c_str());
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
        r.lines.push_back(line);
    return r;
}

// The seed's matrix as the library lays it out: the cells' names, and the instance count.
class SeedPlan : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        smtp_error err;
        ASSERT_EQ(run_plan_collect(&plan_, kSeed, &err), 0) << err.msg;
        ASSERT_EQ(run_plan_load(
                      &plan_, [](void *, const char *t) { ADD_FAILURE() << t; }, nullptr, &err),
                  0);
        run_plan_params p = {};
        p.repeat = 1;
        p.mta_only = -1;
        ASSERT_GT(run_plan_cells(&plan_, &p, &err), 0) << err.msg;
        // Derived, not written down: each variant (or "default") on each MTA it allows.
        size_t want = 0;
        for (size_t i = 0; i < plan_.nfiles; i++) {
            const scenario &s = plan_.scenarios[i];
            unsigned mtas = s.mtas ? s.mtas : SCENARIO_MTA_ALL;
            want += (s.nvariants ? s.nvariants : 1) * (size_t)__builtin_popcount(mtas);
        }
        ASSERT_EQ(plan_.ncells, want);
        for (size_t i = 0; i < plan_.ncells; i++) {
            char name[300];
            run_cell_name(&plan_.cells[i], name, sizeof(name));
            names_.push_back(name);
        }
        run_params rp;
        run_params_default(&rp);
        std::vector<size_t> inst(plan_.ncells);
        ninstances_ = run_plan_instances(&plan_, &rp, inst.data(), nullptr, nullptr, &err);
        ASSERT_GT(ninstances_, 0) << err.msg;
    }
    void TearDown() override
    {
        run_plan_free(&plan_);
    }
    run_plan plan_ = {};
    std::vector<std::string> names_;
    long ninstances_ = 0;
    TempDir cwd_;
};

// "NAME instance N" -> NAME, and N (0 when the line is not of that form)
std::string CellOf(const std::string &line, long *instance)
{
    size_t at = line.find(" instance ");
    *instance = at == std::string::npos ? 0 : atol(line.c_str() + at + 10);
    return line.substr(0, at);
}

TEST_F(SeedPlan, EveryCellAndTheSummaryNothingWritten)
{
    Listed r = List(cwd_.path(), {kSeed});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    ASSERT_EQ(r.lines.size(), names_.size() + 1) << r.out;
    long seen = 0;
    for (size_t i = 0; i < names_.size(); i++) {
        long inst = 0;
        EXPECT_EQ(CellOf(r.lines[i], &inst), names_[i]);
        EXPECT_GE(inst, 1) << r.lines[i];
        EXPECT_LE(inst, seen + 1) << "instances numbered in the order of their first cells";
        seen = std::max(seen, inst);
    }
    EXPECT_EQ(seen, ninstances_);
    std::string summary = std::to_string(names_.size()) + " cells on " +
                          std::to_string(ninstances_) + " MTA instances, from " +
                          std::to_string(plan_.nfiles) + " of " + std::to_string(plan_.nfiles) +
                          " scenarios; nothing started";
    EXPECT_EQ(r.lines.back(), summary);
    EXPECT_EQ(cwd_.Entries(), "") << "no results/ (nor anything else) written";
    // --fresh: an instance per cell.
    r = List(cwd_.path(), {"--fresh", kSeed});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.lines.back().find(" on " + std::to_string(names_.size()) + " MTA instances"),
              std::string::npos)
        << r.lines.back();
}

TEST_F(SeedPlan, ShardsPartitionTheList)
{
    size_t n = names_.size();
    for (size_t shards : {(size_t)1, (size_t)2, (size_t)3, (size_t)7, n}) {
        std::vector<std::string> joined(n);
        size_t total = 0;
        for (size_t k = 1; k <= shards; k++) {
            std::string shard = std::to_string(k) + "/" + std::to_string(shards);
            Listed r = List(cwd_.path(), {"--shard", shard, kSeed});
            ASSERT_EQ(r.status, 0) << shard << ": " << r.err;
            ASSERT_GE(r.lines.size(), 2u) << r.out;
            // Cell j of the shard is cell (j * shards + k - 1) of the matrix.
            for (size_t j = 0; j + 1 < r.lines.size(); j++) {
                long inst;
                size_t at = j * shards + k - 1;
                ASSERT_LT(at, n) << shard;
                joined[at] = CellOf(r.lines[j], &inst);
            }
            total += r.lines.size() - 1;
            EXPECT_NE(
                r.lines.back().find("(shard " + shard + " of " + std::to_string(n) + " cells)"),
                std::string::npos)
                << r.lines.back();
        }
        EXPECT_EQ(total, n) << shards << " shards";
        EXPECT_EQ(joined, names_) << shards << " shards";
    }
    // More shards than cells: the last is empty, as "relaylab run" would
    // find it: not an error (a CI matrix may have more jobs than cells).
    std::string empty = std::to_string(n + 1) + "/" + std::to_string(n + 1);
    Listed r = List(cwd_.path(), {"--shard", empty, kSeed});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.err.find("holds no cell"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

TEST(RunList, BadScenarioIsExit2WithFileLineCol)
{
    TempDir cwd, tree;
    std::string good = Slurp(std::string(kSeed) + "/02-mynetworks.scn");
    ASSERT_FALSE(good.empty());
    std::ofstream(tree.path() + "/a-good.scn") << good;
    std::ofstream(tree.path() + "/b-bad.scn") << "scenario bad-one\n"
                                                 "variant a \"a\"\n"
                                                 "config postfix set queue_directory = /tmp\n"
                                                 "dialogue d\n"
                                                 "  connect smtp\n";
    std::ofstream(tree.path() + "/c-bad.scn") << "scenario bad-two\nfrobnicate\n";
    Listed r = List(cwd.path(), {tree.path()});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(r.out, "") << "nothing listed when a file is bad";
    EXPECT_NE(r.err.find(tree.path() + "/b-bad.scn:3:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("queue_directory"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(tree.path() + "/c-bad.scn:2:1: "), std::string::npos) << r.err;
    EXPECT_EQ(cwd.Entries(), "");
}

// A cell whose config cannot be made is listed, on an instance of its own,
// and stderr says why: the run would fail to start that instance.
TEST(RunList, ACellWhoseConfigCannotBeMadeIsListedAndSaid)
{
    TempDir cwd, tree;
    std::ofstream acl(tree.path() + "/big.conf");
    for (int i = 0; i < 2000; i++) // 72,000 bytes: more than an acl-rcpt file may hold
        acl << "  accept  hosts = +relay_from_hosts\n";
    acl.close();
    std::ofstream(tree.path() + "/a.scn") << "scenario big-acl\n"
                                             "variant broken \"b\"\n"
                                             "variant fixed \"f\"\n"
                                             "config exim broken acl-rcpt big.conf\n"
                                             "dialogue d\n"
                                             "  connect smtp\n";
    Listed r = List(cwd.path(), {tree.path()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "big-acl/broken/postfix instance 1\n"
                     "big-acl/broken/exim instance 2\n"
                     "big-acl/fixed/postfix instance 1\n"
                     "big-acl/fixed/exim instance 3\n"
                     "4 cells on 3 MTA instances, from 1 of 1 scenario; nothing started\n");
    EXPECT_NE(r.err.find("relaylab run: big-acl/broken/exim: its MTA instance would not start: "),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("acl-rcpt files are at most"), std::string::npos) << r.err;
}

} // namespace

namespace
{

// A CI matrix with more shards than cells: the empty shard is not an
// error (exit 0, and it says so); a filter that matches nothing still is.
TEST_F(SeedPlan, AnEmptyShardIsNotAnError)
{
    Listed r = List(cwd_.path(), {"--shard", "262144/262144", kSeed});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("holds no cell"), std::string::npos) << r.err;
    r = List(cwd_.path(), {"--filter", "no-such-cell-anywhere", kSeed});
    EXPECT_EQ(r.status, 2) << r.err;
}

} // namespace

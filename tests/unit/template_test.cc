// template_dir: where the templates are, in template.h's order, and a
// clear error naming every place tried when they are nowhere.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "template.h"

namespace
{

// Env - RELAYLAB_TEMPLATE_DIR set (or unset) for one test, then put back.
class Env
{
  public:
    explicit Env(const char *value)
    {
        const char *old = getenv(TEMPLATE_ENV);
        had_ = old != nullptr;
        old_ = old ? old : "";
        if (value)
            setenv(TEMPLATE_ENV, value, 1);
        else
            unsetenv(TEMPLATE_ENV);
    }
    ~Env()
    {
        if (had_)
            setenv(TEMPLATE_ENV, old_.c_str(), 1);
        else
            unsetenv(TEMPLATE_ENV);
    }

  private:
    bool had_;
    std::string old_;
};

struct Found {
    int rc;
    std::string dir;
    std::string why;
};

Found Find(const char *kind)
{
    char dir[PATH_MAX], why[512];
    Found f;
    f.rc = template_dir(kind, dir, sizeof(dir), why, sizeof(why));
    f.dir = f.rc == 0 ? dir : "";
    f.why = why;
    return f;
}

std::string ExeDir()
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return "";
    std::string exe(buf, (size_t)n);
    return exe.substr(0, exe.rfind('/'));
}

TEST(Template, SourceTreeWhenNothingElse)
{
    Env env(nullptr);
    Found f = Find("mta");
    ASSERT_EQ(f.rc, 0) << f.why;
    EXPECT_EQ(f.dir, RELAYLAB_SOURCE_HARNESS "/mta/templates");
    f = Find("report");
    ASSERT_EQ(f.rc, 0) << f.why;
    EXPECT_EQ(f.dir, RELAYLAB_SOURCE_HARNESS "/report/templates");
}

TEST(Template, EnvironmentFirst)
{
    char top[] = "/tmp/relaylab-template-XXXXXX";
    ASSERT_NE(mkdtemp(top), nullptr);
    std::string mta = std::string(top) + "/mta";
    ASSERT_EQ(mkdir(mta.c_str(), 0755), 0);
    {
        Env env(top);
        Found f = Find("mta");
        ASSERT_EQ(f.rc, 0) << f.why;
        EXPECT_EQ(f.dir, mta);
        // Set, but without this kind: an error, not the source tree's copy.
        f = Find("report");
        EXPECT_EQ(f.rc, -1);
        EXPECT_EQ(f.why, "no report templates: RELAYLAB_TEMPLATE_DIR=" + std::string(top) +
                             ", but " + top + "/report: No such file or directory");
    }
    rmdir(mta.c_str());
    rmdir(top);
}

TEST(Template, MissingEverywhereNamesEveryPlace)
{
    Env env(nullptr);
    Found f = Find("no-such-kind");
    EXPECT_EQ(f.rc, -1);
    EXPECT_EQ(f.why, "no no-such-kind templates: not in " + ExeDir() +
                         "/../share/relaylab/templates/no-such-kind, " RELAYLAB_SOURCE_HARNESS
                         "/no-such-kind/templates (set RELAYLAB_TEMPLATE_DIR)");
}

// Installed: EXE/../share/relaylab/templates/KIND comes before the source
// tree. A kind of this process's own, so that the plain and the ASan suite
// (run at once) do not meet.
TEST(Template, NextToTheExecutable)
{
    Env env(nullptr);
    std::string kind = "test-" + std::to_string(getpid());
    std::string share = ExeDir() + "/../share";
    std::string dir = share + "/relaylab/templates/" + kind;
    ASSERT_EQ(system(("mkdir -p '" + dir + "'").c_str()), 0);
    Found f = Find(kind.c_str());
    rmdir(dir.c_str());
    // The parents go too when no other test run still has a kind in them.
    rmdir((share + "/relaylab/templates").c_str());
    rmdir((share + "/relaylab").c_str());
    rmdir(share.c_str());
    ASSERT_EQ(f.rc, 0) << f.why;
    EXPECT_EQ(f.dir, dir);
}

} // namespace

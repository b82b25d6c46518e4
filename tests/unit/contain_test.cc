// contain_test - mta_contain as an MTA process sees it: a child is
// contained, then execs a shell that tries to reach the host; the host
// is checked afterwards. Needs root (it makes a mount namespace); it
// starts no daemon.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

extern "C" {
#include "mta_contain.h"
}

namespace
{

struct Tree {
    std::string root, writable, readonly, out;

    Tree()
    {
        char tmpl[] = "/tmp/relaylab-contain.XXXXXX";
        root = mkdtemp(tmpl);
        writable = root + "/w";
        readonly = writable + "/ro";
        out = root + "/out";
        mkdir(writable.c_str(), 0755);
        mkdir(readonly.c_str(), 0755);
    }
    ~Tree()
    {
        std::string cmd = "rm -rf '" + root + "'";
        (void)!system(cmd.c_str());
    }
};

std::string slurp(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// contained_sh - run script under /bin/sh in a contained child; its
// stdout goes to a file the host reads afterwards. The exit code.
int contained_sh(const Tree &t, const std::string &script, std::string *output,
                 std::string *failed = nullptr)
{
    int pipefd[2];
    struct mta_contain c;

    memset(&c, 0, sizeof(c));
    c.run_root = t.root.c_str();
    c.writable = t.writable.c_str();
    c.readonly[0] = t.readonly.c_str();
    if (pipe(pipefd) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        const char *what = "";
        int fd = open(t.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);

        close(pipefd[0]);
        dup2(fd, 1);
        dup2(fd, 2);
        if (mta_contain_enter(&c, &what) != 0) {
            (void)!write(pipefd[1], what, strlen(what));
            _exit(99);
        }
        execl("/bin/sh", "sh", "-c", script.c_str(), (char *)nullptr);
        _exit(98);
    }
    close(pipefd[1]);
    char buf[200] = {0};
    (void)!read(pipefd[0], buf, sizeof(buf) - 1);
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (failed)
        *failed = buf;
    *output = slurp(t.out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class Contain : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root (mount namespaces)";
    }
    Tree tree;
};

TEST_F(Contain, HostFileSystemIsReadOnly)
{
    std::string out, failed;
    std::string tag = std::to_string(getpid());
    std::string script = "for f in /var/tmp/relaylab-pwned-" + tag + " /etc/relaylab-pwned-" + tag +
                         " /usr/relaylab-pwned-" + tag + " " + tree.root +
                         "/pwned; do touch $f 2>/dev/null && echo wrote $f || echo denied $f; "
                         "done";

    ASSERT_EQ(contained_sh(tree, script, &out, &failed), 0) << failed << out;
    EXPECT_NE(out.find("denied /var/tmp/relaylab-pwned-" + tag), std::string::npos) << out;
    EXPECT_NE(out.find("denied /etc/relaylab-pwned-" + tag), std::string::npos) << out;
    EXPECT_EQ(out.find("wrote"), std::string::npos) << out;
    EXPECT_NE(access(("/var/tmp/relaylab-pwned-" + tag).c_str(), F_OK), 0);
    EXPECT_NE(access(("/etc/relaylab-pwned-" + tag).c_str(), F_OK), 0);
    EXPECT_NE(access((tree.root + "/pwned").c_str(), F_OK), 0);
}

TEST_F(Contain, OnlyTheWritableDirectoryAndPrivateTmpTakeWrites)
{
    std::string out;
    std::string tag = std::to_string(getpid());
    std::string script = "echo hi > " + tree.writable + "/ok && echo wrote-writable; echo x > " +
                         tree.readonly + "/no 2>/dev/null && echo wrote-readonly; echo t > " +
                         "/tmp/relaylab-tmp-" + tag + " && echo wrote-tmp; true";

    ASSERT_EQ(contained_sh(tree, script, &out), 0) << out;
    EXPECT_NE(out.find("wrote-writable"), std::string::npos) << out;
    EXPECT_NE(out.find("wrote-tmp"), std::string::npos) << out;
    EXPECT_EQ(out.find("wrote-readonly"), std::string::npos) << out;
    EXPECT_EQ(slurp(tree.writable + "/ok"), "hi\n");
    EXPECT_NE(access((tree.readonly + "/no").c_str(), F_OK), 0);
    // The private /tmp vanished with the child.
    EXPECT_NE(access(("/tmp/relaylab-tmp-" + tag).c_str(), F_OK), 0);
}

TEST_F(Contain, SecretsSocketsAndDevicesAreHidden)
{
    std::string out;
    std::string script = "echo shadow=$(wc -c < /etc/shadow); echo root=$(ls -A /root | wc -l); "
                         "echo run=$(ls -A /run | tr '\\n' ' '); echo dev=$(ls /dev | tr '\\n' "
                         "' '); echo null=$(echo x > /dev/null && echo ok); "
                         "echo urandom=$(head -c 4 /dev/urandom | wc -c)";

    ASSERT_EQ(contained_sh(tree, script, &out), 0) << out;
    EXPECT_NE(out.find("shadow=0\n"), std::string::npos) << out;
    EXPECT_NE(out.find("root=0\n"), std::string::npos) << out;
    EXPECT_NE(out.find("dev=fd full null random shm urandom zero\n"), std::string::npos) << out;
    EXPECT_NE(out.find("null=ok\n"), std::string::npos) << out;
    EXPECT_NE(out.find("urandom=4\n"), std::string::npos) << out;
    // The tree is under /tmp here, so /run is empty: no host socket.
    EXPECT_NE(out.find("run=\n"), std::string::npos) << out;
}

TEST_F(Contain, NoCapabilityToUndoIt)
{
    std::string out;
    std::string script = "grep CapBnd /proc/self/status; "
                         "mount -t tmpfs x " +
                         tree.writable +
                         " 2>/dev/null && echo mounted; "
                         "mount -o remount,rw / 2>/dev/null && echo remounted; "
                         "unshare -m true 2>/dev/null && echo unshared; true";
    unsigned long long host = 0, want = 0;

    for (int cap = 0; cap < 64; cap++)
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            host |= 1ULL << cap;
    // chown dac_override fowner fsetid kill setgid setuid net_bind_service sys_chroot
    // sys_resource, where the host has them
    want = host & ((1ULL << 0) | (1ULL << 1) | (1ULL << 3) | (1ULL << 4) | (1ULL << 5) |
                   (1ULL << 6) | (1ULL << 7) | (1ULL << 10) | (1ULL << 18) | (1ULL << 24));
    ASSERT_EQ(contained_sh(tree, script, &out), 0) << out;
    char line[64];
    snprintf(line, sizeof(line), "CapBnd:\t%016llx", want);
    EXPECT_NE(out.find(line), std::string::npos) << out << " wanted " << line;
    EXPECT_EQ(out.find("mounted"), std::string::npos) << out;
    EXPECT_EQ(out.find("remounted"), std::string::npos) << out;
    EXPECT_EQ(out.find("unshared"), std::string::npos) << out;
}

TEST_F(Contain, OwnProcAndHostUntouched)
{
    std::string out;
    // In our PID namespace's /proc, pid 1 is not the host's init unless we are not in one;
    // either way the host's mount table must not have changed.
    std::string before = slurp("/proc/self/mountinfo");

    ASSERT_EQ(contained_sh(tree, "ls /proc >/dev/null && echo proc-ok", &out), 0) << out;
    EXPECT_NE(out.find("proc-ok"), std::string::npos);
    EXPECT_EQ(slurp("/proc/self/mountinfo"), before);
}

TEST_F(Contain, RefusesAWritableOutsideTheRunRoot)
{
    struct mta_contain c;
    const char *what = nullptr;

    memset(&c, 0, sizeof(c));
    c.run_root = tree.writable.c_str();
    c.writable = tree.root.c_str(); // above it: refused before anything is done
    pid_t pid = fork();
    if (pid == 0)
        _exit(mta_contain_enter(&c, &what) == EINVAL && strcmp(what, "paths") == 0 ? 0 : 1);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

} // namespace

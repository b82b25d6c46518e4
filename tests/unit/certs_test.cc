// smtp_tls_make_certs: what "relaylab certs DIR" writes, and how.
#include <gtest/gtest.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "smtp_tls.h"

namespace
{

std::string Slurp(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class Certs : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/relaylab-certs-test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        top_ = tmpl;
        dir_ = top_ + "/certs";
        ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0);
    }
    void TearDown() override
    {
        system(("rm -rf " + top_).c_str());
    }
    std::string top_, dir_;
};

TEST_F(Certs, WritesThreeFilesWithModes)
{
    smtp_error err;
    smtp_error_clear(&err);
    ASSERT_EQ(smtp_tls_make_certs(dir_.c_str(), "mx.test", "127.0.0.1", &err), 0) << err.msg;
    struct {
        const char *name;
        mode_t mode;
        const char *begin;
    } files[] = {{"ca.pem", 0644, "-----BEGIN CERTIFICATE-----"},
                 {"cert.pem", 0644, "-----BEGIN CERTIFICATE-----"},
                 {"key.pem", 0600, "-----BEGIN PRIVATE KEY-----"}};
    for (const auto &f : files) {
        struct stat st;
        std::string path = dir_ + "/" + f.name;
        ASSERT_EQ(lstat(path.c_str(), &st), 0) << path;
        EXPECT_TRUE(S_ISREG(st.st_mode)) << path;
        EXPECT_EQ(st.st_mode & 07777, f.mode) << path;
        EXPECT_EQ(Slurp(path).rfind(f.begin, 0), 0u) << path;
    }
    // Nothing else is left behind (no temporary files).
    EXPECT_EQ(system(("test $(ls -A " + dir_ + " | wc -l) -eq 3").c_str()), 0);
}

// Someone who could write in DIR planted symlinks where the files go: the
// files they point to stay as they were, and the links are replaced.
TEST_F(Certs, DoesNotFollowPlantedSymlinks)
{
    std::string victim = top_ + "/victim";
    {
        std::ofstream out(victim);
        out << "precious\n";
    }
    chmod(victim.c_str(), 0644);
    for (const char *name : {"ca.pem", "cert.pem", "key.pem"})
        ASSERT_EQ(symlink(victim.c_str(), (dir_ + "/" + name).c_str()), 0);
    smtp_error err;
    smtp_error_clear(&err);
    ASSERT_EQ(smtp_tls_make_certs(dir_.c_str(), "mx.test", nullptr, &err), 0) << err.msg;
    EXPECT_EQ(Slurp(victim), "precious\n");
    struct stat st;
    ASSERT_EQ(stat(victim.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
    for (const char *name : {"ca.pem", "cert.pem", "key.pem"}) {
        ASSERT_EQ(lstat((dir_ + "/" + name).c_str(), &st), 0);
        EXPECT_TRUE(S_ISREG(st.st_mode)) << name;
    }
    EXPECT_EQ(st.st_mode & 07777, 0600u); // key.pem
}

} // namespace

// The sandbox's certificate names both of an instance's addresses: a
// client that verifies by address holds over IPv4 and IPv6 alike.
TEST_F(Certs, NamesEveryAddressOfTheList)
{
    smtp_error err;
    smtp_error_clear(&err);
    ASSERT_EQ(smtp_tls_make_certs(dir_.c_str(), "mx.test", "192.0.2.10,2001:db8::10", &err), 0)
        << err.msg;
    std::string out = dir_ + "/san.txt";
    ASSERT_EQ(
        system(
            ("openssl x509 -noout -ext subjectAltName -in " + dir_ + "/cert.pem > " + out).c_str()),
        0);
    std::string san = Slurp(out);
    EXPECT_NE(san.find("DNS:mx.test"), std::string::npos) << san;
    EXPECT_NE(san.find("IP Address:192.0.2.10"), std::string::npos) << san;
    EXPECT_NE(san.find("IP Address:2001:DB8:0:0:0:0:0:10"), std::string::npos) << san;
}

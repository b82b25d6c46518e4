// rmtree: everything below, nothing a link points to.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "rmtree.h"

namespace
{

void Touch(const std::string &path)
{
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0) << path;
    close(fd);
}

TEST(Rmtree, RemovesTheTreeButNothingALinkPointsTo)
{
    char base[] = "/tmp/rmtree-test.XXXXXX";
    ASSERT_NE(mkdtemp(base), nullptr);
    std::string b = base, tree = b + "/tree", outside = b + "/outside";
    ASSERT_EQ(mkdir(tree.c_str(), 0755), 0);
    ASSERT_EQ(mkdir(outside.c_str(), 0755), 0);
    Touch(outside + "/keep");
    ASSERT_EQ(mkdir((tree + "/a").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((tree + "/a/b").c_str(), 0700), 0);
    Touch(tree + "/a/b/f");
    Touch(tree + "/g");
    ASSERT_EQ(mkfifo((tree + "/fifo").c_str(), 0600), 0);
    // Links to the outside, as a directory would be swapped for one.
    ASSERT_EQ(symlink(outside.c_str(), (tree + "/a/link").c_str()), 0);
    ASSERT_EQ(symlink((outside + "/keep").c_str(), (tree + "/filelink").c_str()), 0);

    rmtree(tree.c_str());
    struct stat st;
    EXPECT_NE(lstat(tree.c_str(), &st), 0) << "the tree is gone";
    EXPECT_EQ(stat((outside + "/keep").c_str(), &st), 0) << "what the links point to stays";

    // The top itself a link: the link goes, not its target.
    ASSERT_EQ(symlink(outside.c_str(), tree.c_str()), 0);
    rmtree(tree.c_str());
    EXPECT_NE(lstat(tree.c_str(), &st), 0);
    EXPECT_EQ(stat((outside + "/keep").c_str(), &st), 0);
    rmtree(b.c_str());
    EXPECT_NE(lstat(b.c_str(), &st), 0);
}

} // namespace

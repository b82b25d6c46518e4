// The pure rewrites of a user's Exim config (mta_eximconf).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "mta_eximconf.h"

namespace
{

std::string Sockets(const std::string &in, const char *socket, int *count)
{
    smtp_error err;
    smtp_error_clear(&err);
    char *out = mta_eximconf_sockets(in.data(), in.size(), socket, count, &err);
    std::string s = out ? out : std::string("ERROR: ") + err.msg;
    free(out);
    return s;
}

TEST(Exim, RewritesServerSockets)
{
    int n = -1;
    EXPECT_EQ(
        Sockets("dovecot_plain:\n  driver = dovecot\n  server_socket = /var/run/dovecot/auth\n"
                "  public_name = PLAIN\n",
                "/run/relaylab/dovecot-shared/auth", &n),
        "dovecot_plain:\n  driver = dovecot\n"
        "  server_socket = /run/relaylab/dovecot-shared/auth\n  public_name = PLAIN\n");
    EXPECT_EQ(n, 1);
    EXPECT_EQ(Sockets("", "/s", &n), "");
    EXPECT_EQ(n, 0);
    // The last line keeps (gets) its line end; tabs count as indentation.
    EXPECT_EQ(Sockets("a:\n\tserver_socket=x", "/s", &n), "a:\n  server_socket = /s\n");
    EXPECT_EQ(n, 1);
}

// Many short server_socket lines, each replaced by a longer one: the
// output is far more than twice the input (a heap overflow once).
TEST(Exim, ManyShortServerSocketLines)
{
    std::string in, want;
    std::string socket(300, 's');
    socket = "/run/relaylab/" + socket;
    for (int i = 0; i < 2000; i++) {
        in += "server_socket = x\n";
        want += "  server_socket = " + socket + "\n";
    }
    int n = 0;
    EXPECT_EQ(Sockets(in, socket.c_str(), &n), want);
    EXPECT_EQ(n, 2000);
}

} // namespace

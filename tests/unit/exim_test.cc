// The pure rewrites of a user's Exim config (mta_eximconf).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

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

std::string MainOption(const std::string &in, const char *name, const char *value, int *had,
                       std::string *old = nullptr)
{
    smtp_error err;
    smtp_error_clear(&err);
    char *s = strdup(in.c_str());
    char was[400];
    *had = mta_eximconf_main_option(&s, name, value, was, sizeof(was), &err);
    std::string out = *had < 0 ? std::string("ERROR: ") + err.msg : s;
    if (old)
        *old = was;
    free(s);
    return out;
}

TEST(Exim, MainOptionSetOnce)
{
    int had = -1;
    std::string old;
    EXPECT_EQ(MainOption("a = 1\nspool_directory = /var/spool/exim4\nb = 2\n", "spool_directory",
                         "/run/x/spool", &had, &old),
              "a = 1\nspool_directory = /run/x/spool\nb = 2\n");
    EXPECT_EQ(had, 1);
    EXPECT_EQ(old, "/var/spool/exim4");
    // None: at the end of the main section, as before.
    EXPECT_EQ(MainOption("a = 1\n", "spool_directory", "/s", &had),
              "a = 1\nspool_directory = /s\n");
    EXPECT_EQ(had, 0);
    EXPECT_EQ(MainOption("a = 1", "spool_directory", "/s", &had), "a = 1\nspool_directory = /s\n");
    EXPECT_EQ(MainOption("", "spool_directory", "/s", &had), "spool_directory = /s\n");
    // Indented, "hide", and a second setting: all of them go.
    EXPECT_EQ(
        MainOption("  exim_path = /a\nx = 1\nhide exim_path = /b\n", "exim_path", "/e", &had, &old),
        "exim_path = /e\nx = 1\n");
    EXPECT_EQ(old, "/b");
    // A longer name with the same start is another option.
    EXPECT_EQ(MainOption("spool_directory_x = 1\n", "spool_directory", "/s", &had),
              "spool_directory_x = 1\nspool_directory = /s\n");
    EXPECT_EQ(had, 0);
}

// The known gap: an option's value continued with backslash-newline. Its
// continuation lines go with it (they would otherwise be lines of their
// own), and a line that only looks like an option inside another
// option's continuation is not one.
TEST(Exim, MainOptionContinuationLines)
{
    int had = -1;
    std::string old;
    EXPECT_EQ(MainOption("exim_path = /usr/sbin/\\\nexim4\nb = 2\n", "exim_path", "/e", &had, &old),
              "exim_path = /e\nb = 2\n");
    EXPECT_EQ(old, "/usr/sbin/exim4");
    // Trailing blanks after the backslash, a comment inside, leading blanks after.
    EXPECT_EQ(MainOption("local_interfaces = <; 0.0.0.0.25 ; \\  \n# a comment\n   ::0.25\nz = 1\n",
                         "local_interfaces", "<; 127.0.0.10.25", &had, &old),
              "local_interfaces = <; 127.0.0.10.25\nz = 1\n");
    EXPECT_EQ(old, "<; 0.0.0.0.25 ; ::0.25");
    // "spool_directory = ..." here is part of acl_smtp_helo's value: not a setting.
    EXPECT_EQ(
        MainOption("acl_smtp_helo = a \\\nspool_directory = /x\n", "spool_directory", "/s", &had),
        "acl_smtp_helo = a \\\nspool_directory = /x\nspool_directory = /s\n");
    EXPECT_EQ(had, 0);
    // Inside .ifdef it might never count: ours goes to the end, theirs goes.
    EXPECT_EQ(MainOption("a = 1\n.ifdef NEVER\nlocal_interfaces = 0.0.0.0\n.endif\nb = 2\n",
                         "local_interfaces", "127.0.0.10", &had),
              "a = 1\n.ifdef NEVER\n.endif\nb = 2\nlocal_interfaces = 127.0.0.10\n");
    EXPECT_EQ(had, 1);
    // A conditional still open at the end: the top.
    EXPECT_EQ(MainOption("a = 1\n.ifdef X\nb = 2\n", "exim_path", "/e", &had),
              "exim_path = /e\na = 1\n.ifdef X\nb = 2\n");
}

std::vector<std::string> notes;
void Note(void *, const char *text)
{
    notes.push_back(text);
}

const char kBody[] = "  driver = manualroute\n  route_list = * 127.0.0.3::2525\n"
                     "  transport = relaylab_to_sink_smtp\n  self = send\n";

std::string Routers(const std::string &in, int *count)
{
    smtp_error err;
    smtp_error_clear(&err);
    notes.clear();
    char *out = mta_eximconf_routers(in.data(), in.size(), kBody, Note, nullptr, count, &err);
    std::string s = out ? out : std::string("ERROR: ") + err.msg;
    free(out);
    return s;
}

TEST(Exim, DnslookupRouterKeptWithItsPreconditions)
{
    int n = -1;
    EXPECT_EQ(Routers("dnslookup:\n"
                      "  driver = dnslookup\n"
                      "  domains = ! +local_domains\n"
                      "  senders = ! : *@bad.test\n"
                      "  condition = ${if def:h_x{yes}{no}}\n"
                      "  transport = remote_smtp\n"
                      "  ignore_target_hosts = 0.0.0.0 : 127.0.0.0/8\n"
                      "  widen_domains = example.net\n"
                      "  no_qualify_single\n"
                      "  verify_recipient\n"
                      "  no_more\n",
                      &n),
              "dnslookup:\n"
              "  # relaylab: was driver = dnslookup; now a manualroute to the capture sink\n"
              "  driver = manualroute\n  route_list = * 127.0.0.3::2525\n"
              "  transport = relaylab_to_sink_smtp\n  self = send\n"
              "  domains = ! +local_domains\n"
              "  senders = ! : *@bad.test\n"
              "  condition = ${if def:h_x{yes}{no}}\n"
              "  verify_recipient\n"
              "  no_more\n");
    EXPECT_EQ(n, 1);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0], "exim router dnslookup: driver dnslookup -> manualroute to the capture "
                        "sink; dropped: transport, ignore_target_hosts, widen_domains, "
                        "qualify_single");
}

TEST(Exim, RedirectAndAcceptRoutersUntouched)
{
    const std::string in = "# the percent hack\n"
                           "percent:\n"
                           "  driver = redirect\n"
                           "  domains = +local_domains\n"
                           "  local_parts = *%*\n"
                           "  data = ${sg{$local_part}{%}{@}}\n"
                           "\n"
                           "localuser:\n"
                           "  driver = accept\n"
                           "  check_local_user\n"
                           "  transport = local_delivery\n";
    int n = -1;
    EXPECT_EQ(Routers(in, &n), in);
    EXPECT_EQ(n, 0);
    EXPECT_TRUE(notes.empty());
}

TEST(Exim, SmarthostRouterOverContinuationLines)
{
    int n = -1;
    EXPECT_EQ(Routers(".ifdef SMARTHOST\n"
                      "smarthost:\n"
                      "  driver = manualroute\n"
                      "  domains = ! +local_domains : \\\n"
                      "            ! lists.example.com\n"
                      "  route_list = * smart.example.net::587 \\\n"
                      "      byname\n"
                      "  hosts_randomize\n"
                      "  transport = remote_smtp_smarthost\n"
                      "  no_more\n"
                      ".endif\n"
                      "other:\n  driver = redirect\n  data = x\n",
                      &n),
              ".ifdef SMARTHOST\n"
              "smarthost:\n"
              "  # relaylab: was driver = manualroute; now a manualroute to the capture sink\n"
              "  driver = manualroute\n  route_list = * 127.0.0.3::2525\n"
              "  transport = relaylab_to_sink_smtp\n  self = send\n"
              "  domains = ! +local_domains : \\\n"
              "            ! lists.example.com\n"
              "  no_more\n"
              ".endif\n"
              "other:\n  driver = redirect\n  data = x\n");
    EXPECT_EQ(n, 1);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0], "exim router smarthost: driver manualroute -> manualroute to the capture "
                        "sink; dropped: route_list, hosts_randomize, transport");
}

TEST(Exim, TransportsReplacedByName)
{
    const char body[] = "  driver = smtp\n  hosts = 127.0.0.3\n  port = 2525\n  hosts_override\n";
    const std::string in = "remote_smtp:\n"
                           "  driver = smtp\n"
                           ".ifdef REMOTE_SMTP_HOSTS_AVOID_TLS\n"
                           "  hosts_avoid_tls = REMOTE_SMTP_HOSTS_AVOID_TLS\n"
                           ".endif\n"
                           "\n"
                           "local_delivery:\n"
                           "  driver = appendfile\n"
                           "  file = /var/mail/$local_part_data\n"
                           "  delivery_date_add\n"
                           "address_pipe:\n"
                           "  driver = pipe\n"
                           "  command = /bin/sh -c \\\n"
                           "    'cat > /tmp/x'\n";
    smtp_error err;
    smtp_error_clear(&err);
    notes.clear();
    int n = -1;
    char *out = mta_eximconf_transports(in.data(), in.size(), body, Note, nullptr, &n, &err);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(std::string(out),
              "remote_smtp:\n"
              "  # relaylab: was driver = smtp; now SMTP to the capture sink\n" +
                  std::string(body) +
                  ".ifdef REMOTE_SMTP_HOSTS_AVOID_TLS\n"
                  ".endif\n"
                  "\n"
                  "local_delivery:\n"
                  "  # relaylab: was driver = appendfile; now SMTP to the capture sink\n" +
                  body +
                  "address_pipe:\n"
                  "  # relaylab: was driver = pipe; now SMTP to the capture sink\n" +
                  body);
    free(out);
    EXPECT_EQ(n, 3);
    ASSERT_EQ(notes.size(), 3u);
    EXPECT_EQ(notes[1],
              "exim transport local_delivery: driver appendfile -> smtp to the capture sink "
              "(same name)");
}

TEST(Exim, TemplateBodyIsAfterTheName)
{
    EXPECT_STREQ(mta_eximconf_body("# c\nrelaylab_to_sink:\n  driver = manualroute\n"),
                 "  driver = manualroute\n");
    EXPECT_STREQ(mta_eximconf_body("no name here\n"), "");
}

} // namespace

// The pure rewrites of a user's Postfix config (mta_postfixconf).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "mta_postfixconf.h"

namespace
{

std::vector<std::string> notes;
void Note(void *, const char *text)
{
    notes.push_back(text);
}

std::string MasterO(const std::string &in, int *count)
{
    smtp_error err;
    smtp_error_clear(&err);
    notes.clear();
    char *out = mta_postfixconf_master_o(in.c_str(), Note, nullptr, count, &err);
    std::string s = out ? out : std::string("ERROR: ") + err.msg;
    free(out);
    return s;
}

// A master.cf's -o overrides of the sandbox's own parameters go, in every
// spelling; the others, and -n/-t with their values, stay.
TEST(PostfixConf, MasterOverridesOfOwnedParametersDropped)
{
    struct {
        const char *in;
        const char *out;
        int dropped;
    } cases[] = {
        {"submission inet n - y - - smtpd\n"
         "  -o syslog_name=postfix/submission\n"
         "  -o smtpd_sasl_path=private/auth\n"
         "  -o smtpd_tls_security_level=encrypt\n",
         "submission inet n - y - - smtpd\n"
         "  -o syslog_name=postfix/submission\n"
         "  -o smtpd_tls_security_level=encrypt\n",
         1},
        {"smtp inet n - y - - smtpd -o relayhost=[192.0.2.1] -o smtpd_banner=x\n",
         "smtp inet n - y - - smtpd -o smtpd_banner=x\n", 1},
        {"relay unix - - n - - smtp -orelay_transport=x -vo transport_maps=hash:/etc/t\n",
         "relay unix - - n - - smtp -v\n", 2},
        {"x unix - - n - - smtp\n  -o { smtpd_tls_cert_file = /etc/c.pem } -o a=b\n",
         "x unix - - n - - smtp -o a=b\n", 1},
        // "-o" at the end of a line, its value on the next: one override (Postfix joins them).
        {"smtp inet n - y - - smtpd -o\n  relayhost=[192.0.2.1]\n  -o a=b\n",
         "smtp inet n - y - - smtpd\n  -o a=b\n", 1},
        {"smtp inet n - y - - smtpd\n  -o a=b\n  -o relayhost=x\n# c\n  -o relayhost=y\npickup "
         "unix\n",
         "smtp inet n - y - - smtpd\n  -o a=b\n# c\npickup unix\n", 2},
        {"x unix - - n - - smtp -n queue_directory -t unix\n",
         "x unix - - n - - smtp -n queue_directory -t unix\n", 0},
        // The eight fields are never arguments, and comments stay.
        {"# -o relayhost=[x]\n-o inet n - n - - smtpd\n",
         "# -o relayhost=[x]\n-o inet n - n - - smtpd\n", 0},
        {"", "", 0},
    };
    for (const auto &c : cases) {
        int n = -1;
        EXPECT_EQ(MasterO(c.in, &n), c.out) << c.in;
        EXPECT_EQ(n, c.dropped) << c.in;
        EXPECT_EQ(notes.size(), static_cast<size_t>(c.dropped)) << c.in;
    }
    int n = 0;
    MasterO("submission inet n - y - - smtpd\n  -o smtpd_sasl_path=private/auth\n", &n);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0], "master.cf: submission: -o smtpd_sasl_path dropped (the sandbox's own: "
                        "the sandbox's SASL socket)");
}

TEST(PostfixConf, MapsThatPickANextHopAreOwned)
{
    EXPECT_NE(mta_postfixconf_owned("transport_maps"), nullptr);
    EXPECT_NE(mta_postfixconf_owned("sender_dependent_relayhost_maps"), nullptr);
    EXPECT_NE(mta_postfixconf_owned("sender_dependent_default_transport_maps"), nullptr);
    EXPECT_NE(mta_postfixconf_owned("relayhost"), nullptr);
    EXPECT_EQ(mta_postfixconf_owned("relay_domains"), nullptr);
    EXPECT_EQ(mta_postfixconf_owned("mynetworks"), nullptr);
}

std::string Mynetworks(const char *main_cf, std::string *style)
{
    char value[200], st[64];
    if (!mta_postfixconf_mynetworks(main_cf, "127.0.0.10", value, sizeof(value), st, sizeof(st)))
        return "(kept)";
    *style = st;
    return value;
}

TEST(PostfixConf, MynetworksUnsetVersusSet)
{
    std::string style;
    // Set (even empty): the user's.
    EXPECT_EQ(Mynetworks("mynetworks = 192.0.2.0/24\n", &style), "(kept)");
    EXPECT_EQ(Mynetworks("mynetworks =\n", &style), "(kept)");
    // Unset: the machine itself, whatever the style.
    EXPECT_EQ(Mynetworks("compatibility_level = 3.6\n", &style),
              "127.0.0.1/32 [::1]/128 127.0.0.10/32");
    EXPECT_EQ(style, "host");
    EXPECT_EQ(Mynetworks("compatibility_level = 1\n", &style),
              "127.0.0.1/32 [::1]/128 127.0.0.10/32");
    EXPECT_EQ(style, "subnet");
    EXPECT_EQ(Mynetworks("myhostname = x\n", &style), "127.0.0.1/32 [::1]/128 127.0.0.10/32");
    EXPECT_EQ(style, "subnet");
    EXPECT_EQ(Mynetworks("compatibility_level = 2\nmynetworks_style = class\n", &style),
              "127.0.0.1/32 [::1]/128 127.0.0.10/32");
    EXPECT_EQ(style, "class");
    // A longer name is another parameter.
    EXPECT_EQ(Mynetworks("mynetworks_style = host\n", &style),
              "127.0.0.1/32 [::1]/128 127.0.0.10/32");
}

} // namespace

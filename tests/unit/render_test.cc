// Config rendering: placeholders, main.cf parameters, Exim macros.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "mta.h"
#include "mta_render.h"

namespace
{

std::string Fill(const char *text, const mta_vars &vars, int *rc = nullptr)
{
    char *out = nullptr;
    smtp_error err;
    smtp_error_clear(&err);
    int r = mta_render_fill(text, &vars, &out, &err);
    if (rc)
        *rc = r;
    std::string s = out ? out : std::string("ERROR: ") + err.msg;
    free(out);
    return s;
}

TEST(Render, Placeholders)
{
    mta_vars v = {};
    mta_vars_set(&v, "ADDR", "127.0.0.10");
    mta_vars_set(&v, "PORT_SMTP", "25");
    struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"{{ADDR}}:{{PORT_SMTP}} inet", "127.0.0.10:25 inet"},
        {"no placeholders", "no placeholders"},
        {"", ""},
        {"exim {eq{$received_port}{{{PORT_SMTP}}}}", "exim {eq{$received_port}{25}}"},
        {"{{lowercase}} stays", "{{lowercase}} stays"},
        {"{{ADDR} half", "{{ADDR} half"},
        {"${if eq{a}{b}{{x}}}", "${if eq{a}{b}{{x}}}"},
    };
    for (const auto &c : cases)
        EXPECT_EQ(Fill(c.in, v), c.out) << c.in;
}

TEST(Render, UnknownPlaceholderIsAnError)
{
    mta_vars v = {};
    int rc = 0;
    EXPECT_EQ(Fill("x {{NOPE}} y", v, &rc), "ERROR: template names unknown {{NOPE}}");
    EXPECT_EQ(rc, -1);
}

std::string Param(const char *cf, const char *key, const char *value)
{
    char *s = strdup(cf);
    smtp_error err;
    EXPECT_EQ(mta_render_param(&s, key, value, &err), 0);
    std::string out = s;
    free(s);
    return out;
}

TEST(Render, MainCfParameters)
{
    EXPECT_EQ(Param("a = 1\nmynetworks = 127.0.0.1/32\nb = 2\n", "mynetworks", "10.0.0.0/8"),
              "a = 1\nmynetworks = 10.0.0.0/8\nb = 2\n");
    // Continuation lines (postconf(5)) belong to the parameter they follow.
    EXPECT_EQ(Param("smtpd_recipient_restrictions =\n  permit_mynetworks,\n  reject\nx = y\n",
                    "smtpd_recipient_restrictions", "reject_unauth_destination"),
              "smtpd_recipient_restrictions = reject_unauth_destination\nx = y\n");
    EXPECT_EQ(Param("a = 1", "relay_domains", "example.org"),
              "a = 1\nrelay_domains = example.org\n");
    // A longer name with the same prefix is another parameter.
    EXPECT_EQ(Param("mynetworks_style = host\n", "mynetworks", "127.0.0.0/8"),
              "mynetworks_style = host\nmynetworks = 127.0.0.0/8\n");
    EXPECT_EQ(Param("mydestination=a\n", "mydestination", ""), "mydestination = \n");
    char buf[64];
    EXPECT_EQ(
        mta_render_param_get("x = 1\nmynetworks =   10.0.0.0/8\n", "mynetworks", buf, sizeof(buf)),
        0);
    EXPECT_STREQ(buf, "10.0.0.0/8");
    EXPECT_EQ(mta_render_param_get("x = 1\n", "mynetworks", buf, sizeof(buf)), -1);
}

// Postfix takes the last line of a key: a user's main.cf with two
// relayhost lines must not keep its own next hop behind the one relaylab set.
TEST(Render, DuplicateLinesAllGo)
{
    EXPECT_EQ(Param("relayhost = [a]\nfoo = 1\nrelayhost = [b]\n  [c]\nbar = 2\nrelayhost=[d]",
                    "relayhost", "[sink]:2525"),
              "relayhost = [sink]:2525\nfoo = 1\nbar = 2\n");
    char buf[64];
    ASSERT_EQ(
        mta_render_param_get("relayhost = [a]\nrelayhost = [b]\n", "relayhost", buf, sizeof(buf)),
        0);
    EXPECT_STREQ(buf, "[b]");
}

// A scenario's master.cf entry: its command and every spelling of -o.
TEST(Render, ServiceLinesThatMoveTheSandboxAreRefused)
{
    struct {
        const char *line;
        bool refused;
    } cases[] = {
        {"10025 inet n - n - - smtpd -o smtpd_recipient_restrictions=permit_mynetworks,reject",
         false},
        {"10025 inet n - n - - smtpd -o queue_directory=/tmp", true},
        {"10025 inet n - n - - smtpd -oqueue_directory=/tmp", true},
        {"10025 inet n - n - - smtpd -vo queue_directory=/tmp", true},
        {"10025 inet n - n - - smtpd -v -o daemon_directory=/tmp", true},
        {"10025 inet n - n - - smtpd -o { queue_directory = /tmp }", true},
        {"10025 inet n - n - - smtpd -o {queue_directory=/tmp}", true},
        {"10025 inet n - n - - smtpd -o { smtpd_banner = a b c } -o relayhost=[x]", true},
        {"10025 inet n - n - - smtpd -n queue_directory=/tmp", false}, /* -n takes a name */
        {"x unix n - n 1 1 ../../../../tmp/x", true},
        {"x unix n - n 1 1 /bin/sh", true},
        {"10025 inet n - n - - smtpd -o syslog_name=postfix/10025", false},
        {"2526 inet n - n - - smtpd {-osmtpd_sasl_path=/x}", true},
        {"2526 inet n - n - - smtpd {-o} queue_directory=/x", true},
        {"10025 inet n - n - - smtpd -o smtpd_client_restrictions=cidr:/etc/secret", true},
    };
    for (const auto &c : cases) {
        char why[200];
        EXPECT_EQ(mta_refused_service(c.line, why, sizeof(why)) != nullptr, c.refused) << c.line;
    }
}

// A setting may not name a host file: smtpd reads its tables as root.
TEST(Render, SettingsThatNameFilesAreRefused)
{
    struct {
        const char *set;
        bool refused;
    } cases[] = {
        {"mynetworks = 127.0.0.0/8, [::1]/128, 10.0.0.0/24", false},
        {"smtpd_banner = $myhostname ESMTP Postfix (Debian/GNU)", false},
        {"smtpd_recipient_restrictions = check_sender_access inline:{a@b=OK}, permit", false},
        {"mynetworks = /etc/shadow", true},
        {"smtpd_client_restrictions = check_client_access cidr:/etc/secret, permit", true},
        {"smtpd_client_restrictions = check_client_access texthash:$config_directory/x", true},
        {"mydestination = $daemon_directory/../../../etc/x", true},
        {"relay_domains = $mydestination", false},
    };
    for (const auto &c : cases) {
        char why[200];
        EXPECT_EQ(mta_refused_setting(MTA_POSTFIX, c.set, why, sizeof(why)) != nullptr,
                  c.refused)
            << c.set;
    }
}

// An ACL from a scenario: no dot directive, however it is hidden.
TEST(Render, AclDirectivesAreRefused)
{
    const char *refused[] = {".include /etc/x\n", "  accept\n\t.include /etc/x\n",
                             "\v.include /etc/x\n", "\f.include /x\n", "\r.include /x\n",
                             "begin routers\n"};
    for (const char *text : refused) {
        char why[200];
        int line = 0;
        EXPECT_NE(mta_refused_acl(text, why, sizeof(why), &line), nullptr) << text;
    }
    char why[200];
    int line = 0;
    EXPECT_EQ(mta_refused_acl("  accept hosts = +relay_from_hosts\n  deny message = x.y\n", why,
                              sizeof(why), &line),
              nullptr);
}

TEST(Render, RefusesSettingsThatWouldInjectLines)
{
    char *s = strdup("a = 1\n");
    smtp_error err;
    smtp_error_clear(&err);
    EXPECT_EQ(mta_render_param(&s, "mynetworks", "1.2.3.4\nrelayhost = evil", &err), -1);
    EXPECT_EQ(mta_render_param(&s, "bad key", "x", &err), -1);
    EXPECT_EQ(mta_render_macro(&s, "lower", "x", &err), -1);
    EXPECT_STREQ(s, "a = 1\n");
    free(s);
}

TEST(Render, EximMacros)
{
    char *s = strdup("LOCAL_DOMAINS = relaylab.test : localhost\nRELAY_TO_DOMAINS =\n");
    smtp_error err;
    ASSERT_EQ(mta_render_macro(&s, "RELAY_TO_DOMAINS", "example.org", &err), 0);
    EXPECT_STREQ(s, "LOCAL_DOMAINS = relaylab.test : localhost\nRELAY_TO_DOMAINS = example.org\n");
    free(s);
}

} // namespace

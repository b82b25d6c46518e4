// relaylab lint (harness/audit/lint*): every check id firing on a fixture
// under tests/unit/data/lint/, the secure near misses raising nothing,
// hostile bytes coming out sanitized, files that are links or too large
// refused, and the command's exit codes, text and JSON.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "lint.h"
#include "lint_exim.h"
#include "lint_postfix.h"
#include "smtp_sanitize.h"

namespace
{

const std::string kData = RELAYLAB_LINT_DATA;

struct Params {
    std::vector<std::string> clients, domains;
};

// Lint runs lint_postfix (a directory) or lint_exim (a .conf file) and
// returns "id file:line" for each finding, file relative to the data dir.
using Findings = std::vector<lint_finding>;

std::multiset<std::string> Lint(const std::string &what, const Params &p = {},
                                Findings *keep = nullptr)
{
    lint_params lp = {};
    for (const auto &c : p.clients)
        lp.clients[lp.nclients++] = c.c_str();
    for (const auto &d : p.domains)
        lp.domains[lp.ndomains++] = d.c_str();
    lint_report r = {};
    smtp_error err;
    std::string path = kData + "/" + what;
    bool exim = what.size() > 5 && what.substr(what.size() - 5) == ".conf";
    int rc =
        exim ? lint_exim(path.c_str(), &lp, &r, &err) : lint_postfix(path.c_str(), &lp, &r, &err);
    std::multiset<std::string> out;
    if (rc < 0) {
        out.insert(std::string("ERROR ") + err.msg);
        return out;
    }
    for (size_t i = 0; i < r.n; i++) {
        std::string file = r.findings[i].file;
        if (file.compare(0, kData.size() + 1, kData + "/") == 0)
            file = file.substr(kData.size() + 1);
        out.insert(std::string(r.findings[i].id) + " " + file + ":" +
                   std::to_string(r.findings[i].line));
    }
    if (keep)
        keep->assign(r.findings, r.findings + r.n);
    lint_report_free(&r);
    return out;
}

// With - the findings of that id
std::vector<lint_finding> With(const Findings &all, const std::string &id)
{
    std::vector<lint_finding> out;
    for (const auto &f : all)
        if (id == f.id)
            out.push_back(f);
    return out;
}

using Set = std::multiset<std::string>;

TEST(LintPostfix, SecureNearMissesRaiseNothing)
{
    // Reject-only sender access, anchored regexps, mynetworks 127.0.0.0/8,
    // submission with smtpd_tls_auth_only=yes.
    EXPECT_EQ(
        Lint("pf-secure", {{"127.0.0.1", "::1"}, {"example.com", "example.net", "a.example.net"}}),
        Set{});
}

TEST(LintPostfix, RestrictionOrder)
{
    EXPECT_EQ(Lint("pf-order"),
              (Set{"restriction-order pf-order/main.cf:3", "table-unread pf-order/master.cf:0"}));
}

TEST(LintPostfix, BarePermit)
{
    EXPECT_EQ(Lint("pf-bare"),
              (Set{"bare-permit pf-bare/main.cf:2", "bare-permit pf-bare/main.cf:3",
                   "table-unread pf-bare/master.cf:0"}));
}

TEST(LintPostfix, RelayCheckMissing)
{
    EXPECT_EQ(Lint("pf-missing"),
              (Set{"relay-check-missing pf-missing/main.cf:2", "sasl-disabled pf-missing/main.cf:2",
                   "table-unread pf-missing/master.cf:0"}));
}

TEST(LintPostfix, PermitsKeyedOnWhatTheClientSays)
{
    Findings r;
    EXPECT_EQ(Lint("pf-client-keys", {}, &r),
              (Set{"client-controlled-permit pf-client-keys/sender_access:2",
                   "client-controlled-permit pf-client-keys/helo_access:1",
                   "client-controlled-permit pf-client-keys/recipient_access:2",
                   "client-controlled-permit pf-client-keys/sender.regexp:2",
                   "regexp-unanchored pf-client-keys/sender.regexp:1",
                   "table-unread pf-client-keys/master.cf:0"}));
    // Both lists let a stranger through: an open relay, an error.
    for (const auto &f : With(r, "client-controlled-permit")) {
        EXPECT_EQ(f.severity, LINT_ERROR) << f.file << ":" << f.line;
        EXPECT_NE(std::string(f.fix).find("reject_unauth_destination, check_sender_access"),
                  std::string::npos)
            << f.fix;
    }
    // The unanchored pattern only rejects: a warning, with the safe form.
    for (const auto &f : With(r, "regexp-unanchored")) {
        EXPECT_EQ(f.severity, LINT_WARNING);
        EXPECT_STREQ(f.fix, "/@example\\.com$/ REJECT");
        EXPECT_STREQ(f.excerpt, "/example\\\\.com$/    REJECT");
    }
}

TEST(LintPostfix, WideNetworks)
{
    Findings r;
    // 10.1.2.3 is in mynetworks (too wide, but in): no client-not-trusted.
    EXPECT_EQ(Lint("pf-wide", {{"10.1.2.3"}, {}}, &r),
              (Set{"network-wide pf-wide/main.cf:1", "network-wide pf-wide/main.cf:2",
                   "network-wide pf-wide/clients.cidr:2", "table-unread pf-wide/master.cf:0"}));
    // 10.0.0.0/8 is only too wide; 0/0 is the Internet; the cidr OK entry for
    // 64.0.0.0/2 is held back by the default relay restrictions.
    for (const auto &f : With(r, "network-wide"))
        EXPECT_EQ(f.severity, f.line == 2 && strstr(f.file, "main.cf") ? LINT_ERROR : LINT_WARNING)
            << f.file << ":" << f.line;
}

TEST(LintPostfix, GuideCauses)
{
    Findings r;
    EXPECT_EQ(Lint("pf-causes", {{"192.0.2.7"}, {"example.org", "relay.example"}}, &r),
              (Set{"client-not-trusted pf-causes/main.cf:3", "sasl-no-backend pf-causes/main.cf:4",
                   "auth-before-tls pf-causes/main.cf:4", "domain-unlisted pf-causes/main.cf:5",
                   "no-submission pf-causes/master.cf:0",
                   "alias-capture-domain pf-causes/virtual.pcre:1"}));
    EXPECT_STREQ(With(r, "client-not-trusted").at(0).fix, "mynetworks = 127.0.0.0/8 192.0.2.7/32");
    EXPECT_STREQ(With(r, "domain-unlisted").at(0).fix,
                 "virtual_alias_domains = relay.example, example.org");
    for (const char *id : {"sasl-no-backend", "client-not-trusted", "domain-unlisted"})
        EXPECT_NE(std::string(With(r, id).at(0).why).find("cause"), std::string::npos) << id;
}

TEST(LintPostfix, ServiceOverrides)
{
    Findings r;
    // 10.0.0.9 relays through the 10025 service's own mynetworks.
    EXPECT_EQ(
        Lint("pf-override", {{"10.0.0.9"}, {}}, &r),
        (Set{"relay-check-missing pf-override/master.cf:4", "bare-permit pf-override/master.cf:4",
             "bare-permit pf-override/master.cf:5", "auth-before-tls pf-override/master.cf:7",
             // "-o { name = value }": held back by the default relay restrictions.
             "bare-permit pf-override/master.cf:11"}));
    for (const auto &f : With(r, "bare-permit"))
        if (f.line == 5)
            EXPECT_STREQ(f.fix, "-o smtpd_recipient_restrictions=reject_unauth_destination");
    EXPECT_STREQ(With(r, "auth-before-tls").at(0).fix, "-o smtpd_tls_auth_only=yes");
}

TEST(LintPostfix, RelayDomainsAnyAndRoutingAliases)
{
    // The routing aliases (user%host@, "user@host"@) are refused to strangers while
    // allow_untrusted_routing is no: only the catch-all relay_domains is a hole.
    EXPECT_EQ(Lint("pf-relay-any"), (Set{"relay-domains-any pf-relay-any/main.cf:2",
                                         "table-unread pf-relay-any/master.cf:0"}));
}

TEST(LintExim, DenyStatements)
{
    EXPECT_EQ(Lint("exim-deny.conf", {{"10.1.2.3"}, {"example.com"}}), Set{});
    EXPECT_EQ(Lint("exim-sender.conf"), (Set{"client-controlled-permit exim-sender.conf:8",
                                             "relay-domains-any exim-sender.conf:3"}));
}

TEST(LintExim, RoutersLiteralsAndPorts)
{
    // The percent gateway is open ('%' not among the restricted characters), the
    // UUCP one is not ('!' is), the role forward keeps a fixed domain.
    Findings r;
    EXPECT_EQ(Lint("exim-routers.conf", {}, &r),
              (Set{"relay-domains-any exim-routers.conf:3",
                   "client-controlled-permit exim-routers.conf:14",
                   "alias-capture-domain exim-routers.conf:24"}));
    // The fix is the restricted characters' line with '%' back in it.
    EXPECT_STREQ(With(r, "alias-capture-domain").at(0).fix,
                 "local_parts = ^[.] : ^.*[%@!/|]   (line 11)");
}

TEST(LintExim, SecureNearMissesRaiseNothing)
{
    EXPECT_EQ(Lint("exim-secure.conf", {{"127.0.0.1", "::1", "192.168.10.5"},
                                        {"example.com", "mail.example.com", "a.example.net",
                                         "example.org", "b.example.org"}}),
              Set{});
}

TEST(LintExim, OpenRelayPatterns)
{
    EXPECT_EQ(Lint("exim-open.conf"),
              (Set{"wildcard-no-dot exim-open.conf:2", "regexp-unanchored exim-open.conf:2",
                   "network-wide exim-open.conf:3", "sasl-no-backend exim-open.conf:4",
                   "percent-hack exim-open.conf:5", "no-submission exim-open.conf:6",
                   "client-controlled-permit exim-open.conf:11",
                   "client-controlled-permit exim-open.conf:12",
                   "client-controlled-permit exim-open.conf:13", "network-wide exim-open.conf:14",
                   "bare-permit exim-open.conf:16"}));
}

TEST(LintExim, OrderAuthAndDomains)
{
    EXPECT_EQ(Lint("exim-order.conf", {{"192.0.2.7"}, {"example.org", "example.com"}}),
              (Set{"restriction-order exim-order.conf:13", "auth-before-tls exim-order.conf:17",
                   "domain-unlisted exim-order.conf:2", "client-not-trusted exim-order.conf:4"}));
}

TEST(LintRegex, LookalikeTable)
{
    struct {
        const char *pattern;
        int lookalike;
    } cases[] = {
        {"example\\.com$", 1},
        {".*example\\.com$", 1},
        {"example\\.com", 1},
        {"@example.com$", 1}, // "." is any character
        {"(^|\\.)example\\.com$", 0},
        {"@example\\.com$", 0},
        {"^example\\.com$", 0},
        {"\\.example\\.com$", 0},
        {"^(.*\\.)?example\\.com$", 0},
        {"[.@]example\\.com$", 0},
        {"^postmaster@", 0},
        {"^[a-z]+$", 0},
        {"mail\\.example\\.com$", 1},
    };
    for (const auto &c : cases) {
        char dom[256];
        EXPECT_EQ(lint_regex_lookalike(c.pattern, strlen(c.pattern), dom, sizeof(dom)), c.lookalike)
            << c.pattern;
    }
    // No domain in the pattern: dom says so, whatever it held before.
    char dom[8] = "stale";
    EXPECT_EQ(lint_regex_lookalike("^postmaster@", 12, dom, sizeof(dom)), 0);
    EXPECT_STREQ(dom, "");
}

TEST(LintNet, WideTable)
{
    struct {
        const char *net;
        int wide;
    } cases[] = {
        {"0.0.0.0/0", 2},       {"64.0.0.0/2", 2},    {"8.0.0.0/8", 2},       {"8.0.0.0/12", 1},
        {"10.0.0.0/8", 1},      {"172.16.0.0/12", 1}, {"127.0.0.0/8", 0},     {"10.0.0.0/16", 0},
        {"192.168.1.0/24", 0},  {"192.0.2.1", 0},     {"[::1]/128", 0},       {"[::]/0", 2},
        {"[2001:db8::]/16", 1}, {"[2000::]/3", 2},    {"[2001:db8::]/48", 0}, {"[fd00::]/8", 1},
        {"[fe80::]/10", 0},
    };
    for (const auto &c : cases) {
        audit_net n;
        ASSERT_EQ(audit_net_parse(c.net, strlen(c.net), &n), 0) << c.net;
        EXPECT_EQ(lint_net_wide(&n), c.wide) << c.net;
    }
}

// The audit's test set (tests/audit/configs): lint raises an error on every
// open config whose hole shows in the text (all but the authenticators that
// accept anyone, which only a login shows), and none on a secure near miss.
namespace fs = std::filesystem;

// Verdict - an EXPECT file's first line that is no comment: "secure" or "open FAMILY"
std::string Verdict(const fs::path &expect)
{
    std::ifstream in(expect);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty() && line[0] != '#')
            return line;
    return "";
}

// LintBlind - the EXPECT says static analysis cannot see this hole ("lint-blind")
bool LintBlind(const fs::path &expect)
{
    std::ifstream in(expect);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("lint-blind", 0) == 0)
            return true;
    return false;
}

// Errors - how many findings of severity error lint makes on a config
size_t Errors(const fs::path &config, bool exim)
{
    lint_params lp = {};
    lint_report r = {};
    smtp_error err;
    int rc = exim ? lint_exim(config.c_str(), &lp, &r, &err)
                  : lint_postfix(config.c_str(), &lp, &r, &err);
    EXPECT_EQ(rc, 0) << config << ": " << err.msg;
    size_t n = lint_report_errors(&r);
    lint_report_free(&r);
    return n;
}

TEST(LintAuditSet, ErrorsOnOpenConfigsOnly)
{
    const fs::path set = RELAYLAB_AUDIT_CONFIGS;
    int seen = 0;

    for (const auto &entry : fs::directory_iterator(set / "postfix")) {
        EXPECT_EQ(Errors(entry.path(), false) > 0, Verdict(entry.path() / "EXPECT") != "secure")
            << entry.path();
        seen++;
    }
    for (const auto &entry : fs::directory_iterator(set / "exim")) {
        fs::path expect = entry.path();
        std::string verdict = Verdict(expect.replace_extension(".expect"));

        if (entry.path().extension() != ".conf" || verdict == "open auth-bypass" ||
            LintBlind(expect))
            continue;
        EXPECT_EQ(Errors(entry.path(), true) > 0, verdict != "secure") << entry.path();
        seen++;
    }
    EXPECT_GT(seen, 40);
}

// A scratch directory, removed with what it holds.
struct Scratch {
    std::string dir;
    Scratch()
    {
        char t[] = "/tmp/relaylab-lint-XXXXXX";
        dir = mkdtemp(t);
    }
    ~Scratch()
    {
        std::string cmd = "rm -rf '" + dir + "'";
        EXPECT_EQ(system(cmd.c_str()), 0);
    }
    std::string Write(const std::string &name, const std::string &text)
    {
        std::string path = dir + "/" + name;
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }
};

// Clean - no byte that a terminal acts on: C0 (but the line ends), DEL, C1.
bool Clean(const std::string &s)
{
    return smtp_sanitize_is_clean(s.data(), s.size());
}

TEST(LintHostile, BytesComeOutSanitized)
{
    Scratch s;
    std::string evil = "\x1b[31mred\x07\x7f\xc2\x9b\x1b]0;title\x07";
    s.Write("main.cf",
            "mynetworks = 0.0.0.0/0 " + evil + "\n" + "smtpd_recipient_restrictions = permit " +
                evil + std::string(100000, 'x') + ",\n  check_sender_access hash:/etc/postfix/" +
                evil + "\n" + "smtpd_sasl_auth_enable = yes\n");
    s.Write("master.cf", "smtp inet n - y - - smtpd -o smtpd_relay_restrictions=" + evil + "\n");
    lint_params lp = {};
    lint_report r = {};
    smtp_error err;
    ASSERT_EQ(lint_postfix(s.dir.c_str(), &lp, &r, &err), 0) << err.msg;
    ASSERT_GT(r.n, 2u);
    std::set<std::string> ids;
    for (size_t i = 0; i < r.n; i++) {
        const lint_finding &f = r.findings[i];
        ids.insert(f.id);
        EXPECT_TRUE(Clean(f.why)) << f.id;
        EXPECT_TRUE(Clean(f.fix)) << f.id;
        EXPECT_TRUE(Clean(f.excerpt)) << f.id;
        EXPECT_TRUE(Clean(f.file)) << f.id;
        EXPECT_LT(strlen(f.excerpt), (size_t)LINT_EXCERPT_MAX);
        EXPECT_EQ(std::string(f.excerpt).find('\x1b'), std::string::npos);
    }
    EXPECT_TRUE(ids.count("network-wide"));
    EXPECT_TRUE(ids.count("bare-permit"));
    EXPECT_TRUE(ids.count("relay-check-missing")); // the relay list is the hostile word
    lint_report_free(&r);

    std::string conf =
        s.Write("exim.conf", "acl_smtp_rcpt = a " + evil + "\nbegin acl\na " + evil +
                                 ":\n  accept senders = " + evil + std::string(50000, 'y') + "\n");
    ASSERT_EQ(lint_exim(conf.c_str(), &lp, &r, &err), 0) << err.msg;
    for (size_t i = 0; i < r.n; i++) {
        EXPECT_TRUE(Clean(r.findings[i].why)) << r.findings[i].id;
        EXPECT_TRUE(Clean(r.findings[i].excerpt)) << r.findings[i].id;
    }
    lint_report_free(&r);
}

TEST(LintHostile, LinksFifosAndLargeFilesAreNotRead)
{
    Scratch s;
    lint_params lp = {};
    lint_report r = {};
    smtp_error err;

    // main.cf a link: refused, the path said.
    ASSERT_EQ(symlink("/etc/passwd", (s.dir + "/main.cf").c_str()), 0);
    EXPECT_EQ(lint_postfix(s.dir.c_str(), &lp, &r, &err), -1);
    EXPECT_EQ(err.cls, SMTP_ERR_USAGE);
    EXPECT_NE(std::string(err.msg).find(s.dir + "/main.cf"), std::string::npos) << err.msg;
    EXPECT_NE(std::string(err.msg).find("symbolic link"), std::string::npos) << err.msg;
    unlink((s.dir + "/main.cf").c_str());

    // Tables: a link, a FIFO, a path out of the directory, one too large.
    ASSERT_EQ(symlink("/etc/passwd", (s.dir + "/link").c_str()), 0);
    ASSERT_EQ(mkfifo((s.dir + "/fifo").c_str(), 0600), 0);
    int fd = open((s.dir + "/big").c_str(), O_CREAT | O_WRONLY, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(ftruncate(fd, LINT_FILE_MAX + 1), 0);
    close(fd);
    s.Write("main.cf",
            "smtpd_relay_restrictions =\n"
            "smtpd_recipient_restrictions = check_sender_access hash:/etc/postfix/link,\n"
            "  check_helo_access hash:/etc/postfix/fifo,\n"
            "  check_sender_access hash:/etc/postfix/../../etc/passwd,\n"
            "  check_sender_access hash:/etc/passwd,\n"
            "  check_sender_access hash:/etc/postfix/big, reject_unauth_destination\n");
    ASSERT_EQ(lint_postfix(s.dir.c_str(), &lp, &r, &err), 0) << err.msg;
    std::vector<std::string> unread;
    for (size_t i = 0; i < r.n; i++)
        if (std::string(r.findings[i].id) == "table-unread")
            unread.push_back(r.findings[i].why);
    lint_report_free(&r);
    // One finding per list line (kept once): what was not read is said.
    bool said = false;
    for (const auto &why : unread)
        said |= why.find(s.dir + "/link: a symbolic link (not followed)") != std::string::npos;
    EXPECT_TRUE(said);

    // Each refused on its own.
    lint_text t;
    EXPECT_EQ(lint_read(AT_FDCWD, (s.dir + "/link").c_str(), "link", &t, &err), -1);
    EXPECT_EQ(lint_read(AT_FDCWD, (s.dir + "/fifo").c_str(), "fifo", &t, &err), -1);
    EXPECT_NE(std::string(err.msg).find("not a regular file"), std::string::npos);
    EXPECT_EQ(lint_read(AT_FDCWD, (s.dir + "/big").c_str(), "big", &t, &err), -1);
    EXPECT_NE(std::string(err.msg).find("larger than"), std::string::npos);
    int dfd = open(s.dir.c_str(), O_RDONLY | O_DIRECTORY);
    EXPECT_EQ(lint_read(dfd, "../etc/passwd", "x", &t, &err), -1);
    EXPECT_EQ(lint_read(dfd, "/etc/passwd", "x", &t, &err), -1);
    EXPECT_EQ(lint_read(dfd, "main.cf", "main.cf", &t, &err), 0);
    lint_text_free(&t);
    close(dfd);
}

// "$p0 = $p1 $p1", "$p1 = $p2 $p2", ...: the expansion is bounded, not 2^n.
TEST(LintHostile, ExpansionBombIsBounded)
{
    Scratch s;
    std::string main_cf = "smtpd_recipient_restrictions = $p0, reject_unauth_destination\n";
    for (int i = 0; i < 50000; i++)
        main_cf += "p" + std::to_string(i) + " = $p" + std::to_string(i + 1) + " ${p" +
                   std::to_string(i + 1) + "}\n";
    s.Write("main.cf", main_cf);
    lint_params lp = {};
    lint_report r = {};
    smtp_error err;
    time_t t0 = time(nullptr);
    ASSERT_EQ(lint_postfix(s.dir.c_str(), &lp, &r, &err), 0) << err.msg;
    EXPECT_LE(time(nullptr) - t0, 5);
    lint_report_free(&r);
    // Exim: "+a" inside "+a", in every statement: bounded too, and said.
    std::string conf = "acl_smtp_rcpt = a\nhostlist relay_from_hosts = +relay_from_hosts";
    for (int i = 0; i < 2000; i++)
        conf += " : +relay_from_hosts";
    conf += "\nbegin acl\na:\n";
    for (int i = 0; i < 5000; i++)
        conf += "  accept hosts = +relay_from_hosts\n";
    std::string path = s.Write("bomb.conf", conf);
    t0 = time(nullptr);
    ASSERT_EQ(lint_exim(path.c_str(), &lp, &r, &err), 0) << err.msg;
    EXPECT_LE(time(nullptr) - t0, 5);
    bool said = false;
    for (size_t i = 0; i < r.n; i++)
        said |= std::string(r.findings[i].id) == "table-unread";
    EXPECT_TRUE(said);
    lint_report_free(&r);
    // Too many lines: refused, the file named.
    std::string many;
    for (int i = 0; i <= LINT_LINES_MAX; i++)
        many += "a\n";
    s.Write("main.cf", many);
    EXPECT_EQ(lint_postfix(s.dir.c_str(), &lp, &r, &err), -1);
    EXPECT_NE(std::string(err.msg).find("main.cf: more than"), std::string::npos) << err.msg;
}

// A table named by an absolute path inside the directory given is read too.
TEST(LintPostfix, TableByAbsolutePathInsideTheDirectory)
{
    Scratch s;
    s.Write("senders", "partner.example OK\n");
    s.Write("main.cf", "smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = "
                       "check_sender_access hash:" +
                           s.dir + "/senders, reject_unauth_destination\n");
    lint_params lp = {};
    lint_report r = {};
    smtp_error err;
    ASSERT_EQ(lint_postfix(s.dir.c_str(), &lp, &r, &err), 0) << err.msg;
    std::set<std::string> got;
    for (size_t i = 0; i < r.n; i++)
        got.insert(std::string(r.findings[i].id) + " " + r.findings[i].file + ":" +
                   std::to_string(r.findings[i].line));
    EXPECT_TRUE(got.count("client-controlled-permit " + s.dir + "/senders:1"));
    lint_report_free(&r);
}

// Run - relaylab with args; its stdout, and its exit code in *rc.
std::string RunLint(const std::string &args, int *rc)
{
    std::string cmd = std::string(RELAYLAB_BIN) + " lint " + args + " 2>&1";
    FILE *p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        out.append(buf, n);
    int status = pclose(p);
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

TEST(LintCommand, ExitCodesTextAndJson)
{
    int rc;
    std::string out = RunLint("--postfix-config " + kData + "/pf-secure --client 127.0.0.1", &rc);
    EXPECT_EQ(rc, 0) << out;
    out = RunLint("--postfix-config " + kData + "/pf-bare", &rc);
    EXPECT_EQ(rc, 1) << out;
    EXPECT_NE(out.find(kData + "/pf-bare/main.cf:2: [bare-permit] "), std::string::npos) << out;
    EXPECT_NE(out.find("\n  fix: smtpd_relay_restrictions = permit_mynetworks, "
                       "reject_unauth_destination\n"),
              std::string::npos)
        << out;
    out = RunLint("--exim-config " + kData + "/exim-order.conf", &rc);
    EXPECT_EQ(rc, 1) << out; // restriction-order is an error
    // Only warnings and infos: 0.
    out = RunLint("--postfix-config " + kData + "/pf-wide --json", &rc);
    EXPECT_EQ(rc, 1) << out; // mynetworks 10.0.0.0/8 is an error
    out = RunLint("--postfix-config " + kData + "/pf-override --client 10.0.0.9", &rc);
    EXPECT_EQ(rc, 1) << out;
    out = RunLint("--postfix-config /nonexistent/relaylab-dir", &rc);
    EXPECT_EQ(rc, 2);
    EXPECT_NE(out.find("/nonexistent/relaylab-dir"), std::string::npos) << out;
    RunLint("--postfix-config a --exim-config b", &rc);
    EXPECT_EQ(rc, 2);
    RunLint("", &rc);
    EXPECT_EQ(rc, 2);
    RunLint("--exim-config x --client not-an-address", &rc);
    EXPECT_EQ(rc, 2);

    out = RunLint("--json --exim-config " + kData + "/exim-open.conf", &rc);
    EXPECT_EQ(rc, 1);
    json_error_t jerr;
    json_t *root = json_loads(out.c_str(), 0, &jerr);
    ASSERT_NE(root, nullptr) << jerr.text << "\n" << out;
    EXPECT_STREQ(json_string_value(json_object_get(root, "mta")), "exim");
    json_t *findings = json_object_get(root, "findings");
    ASSERT_TRUE(json_is_array(findings));
    EXPECT_EQ(json_array_size(findings), 11u);
    json_t *first = json_array_get(findings, 0);
    EXPECT_STREQ(json_string_value(json_object_get(first, "id")), "wildcard-no-dot");
    EXPECT_EQ(json_integer_value(json_object_get(first, "line")), 2);
    EXPECT_STREQ(json_string_value(json_object_get(first, "severity")), "error");
    json_decref(root);
}

TEST(LintCommand, HostileConfigReachesNoTerminal)
{
    Scratch s;
    std::string evil = "\x1b[2J\x1b]0;pwned\x07\x9b\x7f";
    s.Write("main.cf", "mynetworks = 0.0.0.0/0 " + evil +
                           "\nsmtpd_recipient_restrictions = permit " + evil +
                           std::string(20000, 'z') + "\n");
    int rc;
    std::string out = RunLint("--postfix-config " + s.dir, &rc);
    EXPECT_EQ(rc, 1) << out;
    for (unsigned char c : out)
        EXPECT_TRUE(c == '\n' || (c >= 0x20 && c != 0x7f)) << "byte " << (int)c;
    EXPECT_TRUE(Clean(std::string(out.begin(), std::remove(out.begin(), out.end(), '\n'))));
    EXPECT_LT(out.size(), 20000u);
}

} // namespace

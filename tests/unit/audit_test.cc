// The audit's pure parts (harness/audit): networks, the battery, the
// oracle's domain matching, Message-ID tags, and the report writers.
#include <gtest/gtest.h>
#include <jansson.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

extern "C" {
#include "audit.h"
#include "audit_battery.h"
#include "audit_dialogue.h"
#include "audit_names.h"
#include "audit_net.h"
#include "report_audit.h"
#include "scenario.h"
}

namespace
{

bool holds(const char *net, const char *addr)
{
    struct audit_net n;

    if (audit_net_parse(net, strlen(net), &n) < 0)
        return false;
    return audit_net_holds(&n, addr) == 1;
}

TEST(AuditNet, ParsesAndHolds)
{
    EXPECT_TRUE(holds("127.0.0.0/8", "127.0.0.250"));
    EXPECT_FALSE(holds("127.0.0.0/8", "203.0.113.7"));
    EXPECT_TRUE(holds("0.0.0.0/0", "203.0.113.7"));
    EXPECT_TRUE(holds("203.0.113.7", "203.0.113.7"));
    EXPECT_FALSE(holds("203.0.113.7", "203.0.113.8"));
    EXPECT_TRUE(holds("192.0.2.0/25", "192.0.2.127"));
    EXPECT_FALSE(holds("192.0.2.0/25", "192.0.2.128"));
    EXPECT_TRUE(holds("[::1]/128", "::1"));
    EXPECT_TRUE(holds("2001:db8::/32", "2001:db8::99"));
    EXPECT_FALSE(holds("[::1]/128", "127.0.0.1"));
    struct audit_net n;
    for (const char *bad : {"", "example.com", "hash:/etc/postfix/x", "10.0.0.0/33", "[::1",
                            "!10.0.0.0/8", "1.2.3.4/x"})
        EXPECT_EQ(audit_net_parse(bad, strlen(bad), &n), -1) << bad;
    ASSERT_EQ(audit_net_parse("10.0.0.0/8", 10, &n), 0);
    EXPECT_EQ(audit_net_width(&n), 24);
}

TEST(AuditNames, DomainOk)
{
    EXPECT_TRUE(audit_names_domain_ok("example.com"));
    EXPECT_TRUE(audit_names_domain_ok("[192.0.2.1]"));
    EXPECT_TRUE(audit_names_domain_ok("[IPv6:2001:db8::1]"));
    EXPECT_FALSE(audit_names_domain_ok("exa}mple.com"));
    EXPECT_FALSE(audit_names_domain_ok("a${run{x}}"));
    EXPECT_FALSE(audit_names_domain_ok(""));
    EXPECT_FALSE(audit_names_domain_ok("[1.2.3.4"));
}

struct Battery {
    struct audit_names names;
    struct audit_listener ls[2];
    struct audit_battery b;
    Battery(bool auth587, bool xclient)
    {
        memset(&names, 0, sizeof(names));
        names.kind = MTA_POSTFIX;
        snprintf(names.hostname, sizeof(names.hostname), "mx.example.com");
        snprintf(names.domains[names.ndomains++], AUDIT_NAME_MAX, "example.com");
        snprintf(names.domains[names.ndomains++], AUDIT_NAME_MAX, "partner.example.net");
        snprintf(names.server_addr, sizeof(names.server_addr), "127.0.0.10");
        memset(ls, 0, sizeof(ls));
        ls[0] = {"smtp", 25, 0, 1, 0, 0, xclient, 1};
        ls[1] = {"submission", 587, 0, 1, 0, auth587, 0, 0};
        struct audit_battery_params p = {};
        p.names = &names;
        p.banner_name = "mx.example.com";
        p.listeners = ls;
        p.nlisteners = 2;
        struct smtp_error err;
        EXPECT_EQ(audit_battery_build(&p, &b, &err), 0);
    }
    ~Battery()
    {
        audit_battery_free(&b);
    }
    bool has(enum audit_family f, const char *rcpt = nullptr, const char *from = nullptr,
             const char *helo = nullptr)
    {
        for (size_t i = 0; i < b.n; i++) {
            const struct audit_attempt *a = &b.a[i];
            if (a->family == f && (!rcpt || strcmp(a->rcpt, rcpt) == 0) &&
                (!from || strcmp(a->from, from) == 0) && (!helo || strcmp(a->helo, helo) == 0))
                return true;
        }
        return false;
    }
};

TEST(AuditBattery, BuiltFromTheServersNames)
{
    Battery t(true, true);
    const char *v = AUDIT_VICTIM;
    std::string pct = std::string("victim%") + v + "@example.com";
    EXPECT_TRUE(t.has(AUDIT_WIDE_OPEN, (std::string("victim@") + v).c_str()));
    EXPECT_TRUE(t.has(AUDIT_PERCENT, pct.c_str()));
    EXPECT_TRUE(
        t.has(AUDIT_PERCENT, (std::string("victim%") + v + "@partner.example.net").c_str()));
    EXPECT_TRUE(t.has(AUDIT_BANG, (std::string(v) + "!victim@example.com").c_str()));
    EXPECT_TRUE(t.has(AUDIT_SOURCE_ROUTE, (std::string("@example.com:victim@") + v).c_str()));
    EXPECT_TRUE(t.has(AUDIT_QUOTED, (std::string("\"victim@") + v + "\"@example.com").c_str()));
    EXPECT_TRUE(t.has(AUDIT_MULTI_AT, (std::string("victim@") + v + "@example.com").c_str()));
    EXPECT_TRUE(t.has(AUDIT_LITERAL, "victim@[192.0.2.99]"));
    EXPECT_TRUE(t.has(AUDIT_LITERAL, "victim@[IPv6:2001:db8::99]"));
    EXPECT_TRUE(t.has(AUDIT_SRS_BATV));
    EXPECT_TRUE(t.has(AUDIT_LOOKALIKE, "victim@xexample.com"));
    EXPECT_TRUE(t.has(AUDIT_LOOKALIKE, "victim@example.com.relaylab-victim.test"));
    EXPECT_TRUE(t.has(AUDIT_LOCALPART_PERMIT, (std::string("postmaster@") + v).c_str()));
    EXPECT_TRUE(t.has(AUDIT_NULL_SENDER, nullptr, ""));
    EXPECT_TRUE(t.has(AUDIT_PERCENT, pct.c_str(), "")); // null sender with the tricks
    EXPECT_TRUE(t.has(AUDIT_SENDER_PERMIT, nullptr, "postmaster@example.com"));
    EXPECT_TRUE(t.has(AUDIT_SENDER_PERMIT, nullptr, "user@[127.0.0.10]"));
    EXPECT_TRUE(t.has(AUDIT_HELO_PERMIT, nullptr, nullptr, "mx.example.com"));
    EXPECT_TRUE(t.has(AUDIT_HELO_PERMIT, nullptr, nullptr, "[127.0.0.10]"));
    EXPECT_TRUE(t.has(AUDIT_HELO_PERMIT, nullptr, nullptr, "localhost"));
    EXPECT_TRUE(t.has(AUDIT_SMTPUTF8));
    EXPECT_TRUE(t.has(AUDIT_XCLIENT));
    EXPECT_TRUE(t.has(AUDIT_SUBMISSION_OPEN));
    EXPECT_TRUE(t.has(AUDIT_AUTH_BYPASS));
    // AUTH only where offered: after STARTTLS on 587, never before TLS.
    for (size_t i = 0; i < t.b.n; i++) {
        const struct audit_attempt *a = &t.b.a[i];
        if (a->family == AUDIT_AUTH_BYPASS) {
            EXPECT_EQ(a->listener, 1u);
            EXPECT_EQ(a->starttls, 1);
        }
        EXPECT_EQ(strpbrk(a->rcpt, "\r\n"), nullptr);
        EXPECT_EQ(strpbrk(a->from, "\r\n"), nullptr);
        EXPECT_EQ(strpbrk(a->helo, "\r\n"), nullptr);
    }
}

TEST(AuditBattery, OnlyWhatIsOffered)
{
    Battery t(false, false);
    EXPECT_FALSE(t.has(AUDIT_AUTH_BYPASS));
    EXPECT_FALSE(t.has(AUDIT_XCLIENT));
}

TEST(AuditBattery, SimplerAttemptsSubsume)
{
    struct audit_attempt plain = {}, sender = {}, both = {}, other = {};
    plain.parts = 0;
    sender.parts = AUDIT_PART_SENDER;
    both.parts = AUDIT_PART_SENDER | AUDIT_PART_RCPT;
    other = both;
    other.listener = 1;
    EXPECT_TRUE(audit_attempt_subsumes(&plain, &sender));
    EXPECT_TRUE(audit_attempt_subsumes(&sender, &both));
    EXPECT_FALSE(audit_attempt_subsumes(&both, &sender));
    EXPECT_FALSE(audit_attempt_subsumes(&sender, &sender));
    EXPECT_FALSE(audit_attempt_subsumes(&plain, &other)); // another listener
    EXPECT_STREQ(audit_family_name(AUDIT_PERCENT), "percent-hack");
    EXPECT_STREQ(audit_family_name(AUDIT_FAMILIES), "?");
}

TEST(AuditDialogue, MessageIdTags)
{
    struct audit_attempt a = {};
    char body[1024];
    snprintf(a.from, sizeof(a.from), "x@example.com");
    snprintf(a.what, sizeof(a.what), "a test");
    audit_dialogue_message("relaylab-audit.1.2", 42, &a, body, sizeof(body));
    const char *id = strstr(body, "Message-ID: ");
    ASSERT_NE(id, nullptr);
    std::string value(id + 12, strcspn(id + 12, "\r"));
    EXPECT_EQ(audit_dialogue_tag("relaylab-audit.1.2", value.c_str()), 41);
    EXPECT_EQ(audit_dialogue_tag("relaylab-audit.1.3", value.c_str()), -1);
    EXPECT_EQ(audit_dialogue_tag("relaylab-audit.1.2", "<relaylab-audit.1.2.0@relaylab.audit>"),
              -1);
    EXPECT_EQ(audit_dialogue_tag("relaylab-audit.1.2", "<relaylab-audit.1.2.x@relaylab.audit>"),
              -1);
    EXPECT_EQ(audit_dialogue_tag("relaylab-audit.1.2", "<relaylab-audit.1.2.5@evil.audit>"), -1);
    EXPECT_EQ(audit_dialogue_tag("relaylab-audit.1.2", "relaylab-audit.1.2.5@relaylab.audit>"), -1);
}

// A result of one finding, its strings hostile where an MTA wrote them.
struct Result {
    struct audit_result *r;
    Result()
    {
        r = static_cast<struct audit_result *>(calloc(1, sizeof(*r)));
        r->battery.a = static_cast<struct audit_attempt *>(calloc(2, sizeof(struct audit_attempt)));
        r->battery.n = 2;
        r->outcomes = static_cast<struct audit_outcome *>(calloc(2, sizeof(struct audit_outcome)));
        r->verdicts = static_cast<struct audit_verdict *>(calloc(2, sizeof(struct audit_verdict)));
        struct audit_attempt *a = &r->battery.a[0];
        a->family = AUDIT_PERCENT;
        snprintf(a->helo, sizeof(a->helo), "client.test");
        snprintf(a->from, sizeof(a->from), "p@relaylab-sender.test");
        snprintf(a->rcpt, sizeof(a->rcpt), "victim%%v.test@example.com");
        snprintf(a->victim, sizeof(a->victim), "v.test");
        snprintf(a->what, sizeof(a->what), "percent hack through example.com");
        r->battery.a[1] = *a;
        r->battery.a[1].family = AUDIT_WIDE_OPEN;
        r->listeners[0].name = "smtp";
        r->listeners[0].port = 25;
        r->nlisteners = 1;
        snprintf(r->client, sizeof(r->client), "203.0.113.7");
        snprintf(r->server, sizeof(r->server), "127.0.0.10");
        snprintf(r->banner, sizeof(r->banner), "mx\x1b[31m.example.com");
        snprintf(r->outcomes[0].reply, sizeof(r->outcomes[0].reply), "250 ok \x1b]0;pwn\x07");
        r->outcomes[0].data = 250;
        r->verdicts[0].arrived = r->verdicts[0].relayed = 1;
        struct audit_finding *f = &r->findings[r->nfindings++];
        f->family = AUDIT_PERCENT;
        f->attempt = 0;
        f->variants = 1;
        snprintf(f->listeners, sizeof(f->listeners), "smtp");
        snprintf(f->delivered_to, sizeof(f->delivered_to), "victim@v.test\x1b[2J");
        snprintf(f->log[f->nlog++], sizeof(f->log[0]), "log <line> & \x1b[2J done");
        snprintf(f->where, sizeof(f->where), "main.cf:12: virtual_alias_maps");
        snprintf(r->not_applicable[r->nna++], sizeof(r->not_applicable[0]), "xclient: not offered");
    }
    ~Result()
    {
        free(r->battery.a);
        free(r->outcomes);
        free(r->verdicts);
        free(r);
    }
};

std::string slurp(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(ReportAudit, JsonSarifJunitAreWholeAndClean)
{
    Result res;
    struct report_audit_meta m = {"9.9", "/etc/postfix/main.cf", "postfix"};
    char dir[] = "/tmp/relaylab-audit-test.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    std::string j = std::string(dir) + "/a.json", s = std::string(dir) + "/a.sarif",
                x = std::string(dir) + "/a.xml";
    struct smtp_error err;
    ASSERT_EQ(report_audit_json(j.c_str(), &m, res.r, &err), 0) << err.msg;
    ASSERT_EQ(report_audit_sarif(s.c_str(), &m, res.r, &err), 0) << err.msg;
    ASSERT_EQ(report_audit_junit(x.c_str(), &m, res.r, &err), 0) << err.msg;
    for (const std::string &p : {j, s, x}) {
        std::string text = slurp(p);
        EXPECT_EQ(text.find('\x1b'), std::string::npos) << p;
        EXPECT_EQ(text.find('\x07'), std::string::npos) << p;
    }
    json_error_t je;
    json_t *doc = json_load_file(j.c_str(), 0, &je);
    ASSERT_NE(doc, nullptr) << je.text;
    EXPECT_STREQ(json_string_value(json_object_get(doc, "verdict")), "open relay");
    json_t *f0 = json_array_get(json_object_get(doc, "findings"), 0);
    EXPECT_STREQ(json_string_value(json_object_get(f0, "family")), "percent-hack");
    EXPECT_EQ(json_array_size(json_object_get(doc, "attempt_log")), 2u);
    json_decref(doc);
    doc = json_load_file(s.c_str(), 0, &je);
    ASSERT_NE(doc, nullptr) << je.text;
    EXPECT_STREQ(json_string_value(json_object_get(doc, "version")), "2.1.0");
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *result = json_array_get(json_object_get(run, "results"), 0);
    EXPECT_STREQ(json_string_value(json_object_get(result, "ruleId")), "open-relay/percent-hack");
    json_t *phys = json_object_get(json_array_get(json_object_get(result, "locations"), 0),
                                   "physicalLocation");
    EXPECT_EQ(json_integer_value(json_object_get(json_object_get(phys, "region"), "startLine")),
              12);
    json_decref(doc);
    std::string xml = slurp(x);
    EXPECT_NE(xml.find("<failure message=\"OPEN RELAY"), std::string::npos);
    EXPECT_NE(xml.find("<skipped"), std::string::npos);
    EXPECT_EQ(xml.find("<line>"), std::string::npos); // escaped
    // Nothing half-written stays beside them.
    std::string ls = std::string("ls ") + dir + " | wc -l";
    FILE *p = popen(ls.c_str(), "r");
    int n = 0;
    ASSERT_EQ(fscanf(p, "%d", &n), 1);
    pclose(p);
    EXPECT_EQ(n, 3);
    std::string rm = std::string("rm -rf ") + dir;
    EXPECT_EQ(system(rm.c_str()), 0);
}

TEST(ScenarioNoRelayTo, ParsesAndWritesBack)
{
    const char *text = "scenario t\nmta postfix\ndialogue d\n  connect smtp\n  S: 220\n"
                       "  C: RCPT TO:<a%b.test@example.com>\n  data\n  expect no-relay-to b.test\n";
    struct scenario *s = static_cast<struct scenario *>(calloc(1, sizeof(*s)));
    struct scenario_error err;
    scenario_init(s);
    ASSERT_EQ(scenario_parse(s, "t.scn", text, strlen(text), nullptr, nullptr, &err), 0) << err.msg;
    ASSERT_EQ(scenario_check(s, &err), 0) << err.msg;
    EXPECT_EQ(s->steps[s->nsteps - 1].op, SCN_EXPECT_NO_RELAY_TO);
    EXPECT_STREQ(s->steps[s->nsteps - 1].arg, "b.test");
    char dir[] = "/tmp/relaylab-scn-test.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    std::string path = std::string(dir) + "/t.scn";
    ASSERT_EQ(scenario_write_file(s, "# head\n", path.c_str(), &err), 0) << err.msg;
    EXPECT_NE(slurp(path).find("expect no-relay-to b.test"), std::string::npos);
    const char *bad = "scenario t\nmta postfix\ndialogue d\n  connect smtp\n  expect no-relay-to\n";
    scenario_init(s);
    EXPECT_EQ(scenario_parse(s, "b.scn", bad, strlen(bad), nullptr, nullptr, &err), -1);
    free(s);
    std::string rm = std::string("rm -rf ") + dir;
    EXPECT_EQ(system(rm.c_str()), 0);
}

} // namespace

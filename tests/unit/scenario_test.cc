// Scenario parser: valid files, and errors with file:line:col.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "scenario.h"

namespace
{

struct Parsed {
    int rc;
    std::unique_ptr<scenario> s;
    scenario_error err;
    std::string where() const
    {
        char buf[600];
        scenario_error_format(&err, buf, sizeof(buf));
        return buf;
    }
};

Parsed Parse(const std::string &text, bool check = true)
{
    Parsed p{0, std::make_unique<scenario>(), {}};
    scenario_init(p.s.get());
    p.rc = scenario_parse(p.s.get(), "t.scn", text.data(), text.size(), nullptr, nullptr, &p.err);
    if (p.rc == 0 && check)
        p.rc = scenario_check(p.s.get(), &p.err);
    return p;
}

const char kGood[] =
    "# a comment\n"
    "scenario relay-test\n"
    "title \"A \\\"quoted\\\" title\"\n"
    "cause 4 \"Restriction Order Issue\"\n"
    "tags seed auth\n"
    "mta postfix exim\n"
    "variant broken \"wrong order\"\n"
    "variant fixed\n"
    "config postfix broken set smtpd_recipient_restrictions = reject_unauth_destination\n"
    "config exim set RELAY_TO_DOMAINS = partner.example\n"
    "config postfix service \"10025 inet n - n - - smtpd\"\n"
    "dialogue one\n"
    "  connect smtp from outside\n"
    "  S: 220\n"
    "  ehlo client.example   # greet\n"
    "  auth plain user       [fixed]\n"
    "  C: MAIL FROM:<a@[127.0.0.1]> # not a comment [postfix]\n"
    "  rcpt someone@example.org\n"
    "  S: 554 5.7.1 \"Relay access denied\" [postfix broken]\n"
    "  S: 5xx [exim broken]\n"
    "  expect relayed someone@example.org [fixed]\n";

TEST(Scenario, ParsesAWholeFile)
{
    Parsed p = Parse(kGood);
    ASSERT_EQ(p.rc, 0) << p.where();
    const scenario &s = *p.s;
    EXPECT_STREQ(s.id, "relay-test");
    EXPECT_STREQ(s.title, "A \"quoted\" title");
    EXPECT_EQ(s.cause, 4);
    EXPECT_STREQ(s.cause_name, "Restriction Order Issue");
    EXPECT_EQ(s.ntags, 2u);
    EXPECT_TRUE(scenario_has_tag(&s, "auth"));
    EXPECT_EQ(s.mtas, unsigned(SCENARIO_MTA_ALL));
    ASSERT_EQ(s.nvariants, 2u);
    EXPECT_STREQ(s.variants[0].description, "wrong order");
    ASSERT_EQ(s.nconfigs, 3u);
    EXPECT_EQ(s.configs[0].op, SCN_CFG_SET);
    EXPECT_STREQ(s.configs[0].value, "smtpd_recipient_restrictions = reject_unauth_destination");
    EXPECT_EQ(s.configs[0].where.mtas, unsigned(SCENARIO_MTA_POSTFIX));
    EXPECT_EQ(s.configs[0].where.variants, 1u);
    EXPECT_STREQ(s.configs[2].value, "10025 inet n - n - - smtpd");
    ASSERT_EQ(s.nsteps, 9u);
    EXPECT_EQ(s.steps[0].op, SCN_CONNECT);
    EXPECT_STREQ(s.steps[0].arg, "smtp");
    EXPECT_STREQ(s.steps[0].arg2, "outside");
    EXPECT_EQ(s.steps[3].where.variants, 2u); // [fixed]
    EXPECT_EQ(s.steps[4].op, SCN_RAW);
    EXPECT_STREQ(s.steps[4].arg, "MAIL FROM:<a@[127.0.0.1]> # not a comment");
    EXPECT_EQ(s.steps[4].where.mtas, unsigned(SCENARIO_MTA_POSTFIX));
    const scenario_step &r = s.steps[6];
    EXPECT_EQ(r.op, SCN_EXPECT_REPLY);
    EXPECT_EQ(r.code, 554);
    EXPECT_FALSE(r.code_class);
    EXPECT_STREQ(r.enhanced, "5.7.1");
    EXPECT_STREQ(r.text, "Relay access denied");
    EXPECT_EQ(r.pos.line, 19);
    EXPECT_EQ(s.steps[7].code, 5);
    EXPECT_TRUE(s.steps[7].code_class);
    EXPECT_TRUE(scenario_applies(&r.where, SCENARIO_MTA_POSTFIX, 0, 0));
    EXPECT_FALSE(scenario_applies(&r.where, SCENARIO_MTA_EXIM, 0, 0));
    EXPECT_FALSE(scenario_applies(&r.where, SCENARIO_MTA_POSTFIX, 1, 0));
    EXPECT_EQ(s.steps[8].op, SCN_EXPECT_RELAYED);
}

// advice: the guide's one line for the cause, its words joined as a title's.
TEST(Scenario, AdviceIsOneLineOfText)
{
    Parsed p = Parse("scenario a\nadvice \"Use port 587\"  (submission)  for\tAUTH\n"
                     "dialogue d\n  connect smtp\n");
    ASSERT_EQ(p.rc, 0) << p.where();
    EXPECT_STREQ(p.s->advice, "Use port 587 (submission) for AUTH");
    Parsed none = Parse("scenario a\ndialogue d\n  connect smtp\n");
    ASSERT_EQ(none.rc, 0) << none.where();
    EXPECT_EQ(none.s->advice, nullptr);
}

struct Bad {
    const char *text;
    const char *error; // "t.scn:line:col: message" prefix
};

const Bad kBad[] = {
    {"scenario Bad_Id\n", "t.scn:1:10: scenario id 'Bad_Id': use a-z, 0-9 and '-'"},
    {"scenario a\nscenario b\n", "t.scn:2:1: a second 'scenario' line"},
    {"scenario a\ndialogue d\n  connect smtp\n  S: 2x0\n",
     "t.scn:4:6: reply code '2x0': three digits (554) or a class (5xx)"},
    {"scenario a\ndialogue d\n  connect smtp\n  S: 250 5.7 \"x\"\n",
     "t.scn:4:10: enhanced status code '5.7'"},
    {"scenario a\ndialogue d\n  connect pop3\n", "t.scn:3:11: listener 'pop3'"},
    {"scenario a\ndialogue d\n  connect smtp to x\n",
     "t.scn:3:16: write 'connect LISTENER from CLIENT'"},
    {"scenario a\ndialogue d\n  connect smtp\n  auth digest-md5\n",
     "t.scn:4:8: mechanism 'digest-md5'"},
    {"scenario a\ndialogue d\n  connect smtp\n  frobnicate\n",
     "t.scn:4:3: unknown statement 'frobnicate'"},
    {"scenario a\ndialogue d\n  connect smtp [sendmail]\n",
     "t.scn:3:17: 'sendmail' is neither an MTA (postfix, exim) nor a declared variant"},
    {"scenario a\n  ehlo x\n", "t.scn:2:3: 'ehlo' outside a dialogue"},
    {"scenario a\ntitle \"open\n", "t.scn:2:7: unterminated quoted string"},
    {"scenario a\nadvice\n", "t.scn:2:1: 'advice' needs at least 1 argument"},
    {"scenario a\nadvice \"x\"\nadvice \"y\"\n", "t.scn:3:1: a second 'advice' line"},
    {"scenario a\nvariant v\nadvice x [v]\n", "t.scn:3:1: 'advice' cannot be limited"},
    {"scenario a\ndialogue d\n  connect smtp\n  expect teleported\n",
     "t.scn:4:10: unknown expectation 'teleported'"},
    {"scenario a\ndialogue d\n  connect smtp\n  rcpt <x@y.test>\n",
     "t.scn:4:8: write the address without <>"},
    {"scenario a\nconfig postfix set nothing\n", "t.scn:2:16: set needs NAME = VALUE"},
    {"scenario a\nconfig postfix\n", "t.scn:2:1: config needs set, service"},
    {"scenario a\nconfig postfix no-listener pop3\n",
     "t.scn:2:16: no-listener takes smtp, submission or smtps"},
    {"scenario a\ndialogue d\nvariant late\n", "t.scn:3:1: variants must be declared before"},
    {"scenario a\nvariant postfix\n", "t.scn:2:9: variant name 'postfix'"},
    {"scenario a\ninclude other.scn\n", "t.scn:2:1: include is not allowed here"},
    {"scenario a\nmta qmail\n", "t.scn:2:5: unknown MTA 'qmail'"},
    {"scenario a\ncause zero\n", "t.scn:2:7: cause is a number from 1 to 99"},
    {"scenario a\ncause 7x\n", "t.scn:2:7: cause is a number from 1 to 99"},
    {"scenario a\ncause 100\n", "t.scn:2:7: cause is a number from 1 to 99"},
    {"scenario a\ndialogue d\n  connect 99999\n",
     "t.scn:3:11: listener '99999': smtp, submission, smtps or a port number 1..65535"},
    {"scenario a\ndialogue d\n  connect 0\n",
     "t.scn:3:11: listener '0': smtp, submission, smtps or a port number 1..65535"},
    {"scenario a\ndialogue d\n  ehlo x\n",
     "t.scn:3:3: 'ehlo x' before any 'connect' in dialogue d (postfix)"},
    {"scenario a\ndialogue d\n  connect smtp from 8.8.8.8\n",
     "t.scn:3:21: client '8.8.8.8': inside, inside6, office, outside, outside6, or an address"},
    {"scenario a\ndialogue d\n  connect smtp from 2001:db9::1\n",
     "t.scn:3:21: client '2001:db9::1'"},
    {"scenario a\ndialogue d\n  connect smtp from outsid6\n", "t.scn:3:21: client 'outsid6'"},
    {"dialogue d\n  connect smtp\n", "t.scn:1:1: no 'scenario ID' line"},
    {"scenario a\n", "t.scn:1:1: no dialogue"},
};

// ExpectErrors - each text fails to parse (or check) with a message that starts with its error
template <typename Cases> void ExpectErrors(const Cases &cases)
{
    for (const auto &b : cases) {
        SCOPED_TRACE(b.text);
        Parsed p = Parse(b.text);
        ASSERT_EQ(p.rc, -1);
        EXPECT_EQ(p.where().rfind(b.error, 0), 0u) << p.where();
    }
}

TEST(Scenario, ErrorsSayFileLineColumn)
{
    ExpectErrors(kBad);
}

TEST(Scenario, LimitsAreErrorsNotOverflows)
{
    std::string steps = "scenario a\ndialogue d\n  connect smtp\n";
    for (int i = 0; i < SCENARIO_STEPS_MAX + 1; i++)
        steps += "  noop\n";
    Parsed p = Parse(steps);
    EXPECT_EQ(p.rc, -1);
    EXPECT_NE(p.where().find("more than 64 steps"), std::string::npos) << p.where();

    std::string longline = "scenario a\ntitle " + std::string(SCENARIO_LINE_MAX + 5, 'x') + "\n";
    p = Parse(longline);
    EXPECT_EQ(p.where(), "t.scn:2:1001: line longer than 1000 bytes");

    p = Parse(std::string("scenario a\0b\n", 13));
    EXPECT_EQ(p.where(), "t.scn:1:11: NUL byte");
}

// Ids and variant names become file names (results/<run>/cells/ID.VARIANT.MTA):
// at most SCENARIO_ID_MAX (64) characters each.
TEST(Scenario, IdsAndVariantNamesAreShort)
{
    std::string id64(SCENARIO_ID_MAX, 'a');
    Parsed p = Parse("scenario " + id64 + "\nvariant " + id64 + "\ndialogue d\n  connect smtp\n");
    EXPECT_EQ(p.rc, 0) << p.where();

    p = Parse("scenario " + std::string(290, 'a') + "\ndialogue d\n  connect smtp\n");
    EXPECT_EQ(p.rc, -1);
    EXPECT_EQ(p.where(), "t.scn:1:10: scenario id is 290 characters long: at most 64");

    p = Parse("scenario x\nvariant  " + id64 + "b fixed\ndialogue d\n  connect smtp\n");
    EXPECT_EQ(p.rc, -1);
    EXPECT_EQ(p.where(), "t.scn:2:10: variant name is 65 characters long: at most 64");
}

TEST(Scenario, SeedFilesLoad)
{
    const char *files[] = {"01-client-not-authenticated.scn", "04-restriction-order.scn",
                           "07b-dedicated-port.scn"};
    for (const char *f : files) {
        auto s = std::make_unique<scenario>();
        scenario_error err;
        std::string path = std::string(RELAYLAB_SCENARIOS) + "/seed/" + f;
        EXPECT_EQ(scenario_load(path.c_str(), nullptr, s.get(), &err), 0)
            << err.file << ":" << err.line << ": " << err.msg;
    }
}

} // namespace

namespace
{

// include: a path relative to the including file; errors name the included file.
TEST(Scenario, IncludeFromFile)
{
    char dir[] = "/tmp/relaylab-scn.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    std::string d = dir;
    system(("mkdir -p " + d + "/common").c_str());
    FILE *fp = fopen((d + "/common/greet.inc").c_str(), "w");
    fputs("  connect smtp from outside\n  S: 220\n  ehlo client.example\n", fp);
    fclose(fp);
    fp = fopen((d + "/main.scn").c_str(), "w");
    fputs("scenario inc\ndialogue d\ninclude common/greet.inc\n  quit\n", fp);
    fclose(fp);
    auto s = std::make_unique<scenario>();
    scenario_error err;
    ASSERT_EQ(scenario_load((d + "/main.scn").c_str(), nullptr, s.get(), &err), 0) << err.msg;
    ASSERT_EQ(s->nsteps, 4u);
    EXPECT_EQ(s->steps[0].op, SCN_CONNECT);
    EXPECT_EQ(std::string(s->steps[1].pos.file), d + "/common/greet.inc");
    EXPECT_EQ(s->steps[1].pos.line, 2);
    EXPECT_EQ(s->steps[3].op, SCN_QUIT);

    fp = fopen((d + "/common/greet.inc").c_str(), "w");
    fputs("  connect smtp\n  S: 99\n", fp);
    fclose(fp);
    ASSERT_EQ(scenario_load((d + "/main.scn").c_str(), nullptr, s.get(), &err), -1);
    char where[600];
    scenario_error_format(&err, where, sizeof(where));
    EXPECT_EQ(std::string(where).rfind(d + "/common/greet.inc:2:6: reply code '99'", 0), 0u)
        << where;

    fp = fopen((d + "/loop.inc").c_str(), "w");
    fputs("include loop.inc\n", fp); // includes itself
    fclose(fp);
    fp = fopen((d + "/main.scn").c_str(), "w");
    fputs("scenario inc\ninclude loop.inc\n", fp);
    fclose(fp);
    ASSERT_EQ(scenario_load((d + "/main.scn").c_str(), nullptr, s.get(), &err), -1);
    EXPECT_NE(std::string(err.msg).find("nested more than 4 deep"), std::string::npos) << err.msg;
    system(("rm -rf " + d).c_str());
}

// A scenario whose text fills the arena is an error at the statement that
// did not fit, never a model with NULL where the runner expects text.
TEST(Scenario, ArenaFullIsAnErrorWithPosition)
{
    std::string text = "scenario big\ndialogue d\n  connect smtp\n";
    int line = 3;
    for (int i = 0; i < 20; i++, line++)
        text += "  C: NOOP " + std::string(807, 'x') + "\n";
    for (int i = 0; i < 43; i++)
        text += "  S: 250\n";
    // Each C: line keeps its text twice (as written, and the command): the
    // 20 of them leave less than 300 bytes, and the S: lines go over that.
    // An S: line keeps only its text as written: that used to be a NULL
    // source in the model, and a crash in the runner.
    Parsed p = Parse(text);
    ASSERT_EQ(p.rc, -1) << "parsed, with " << p.s->arena_used << " bytes in the arena";
    EXPECT_EQ(std::string(p.err.msg).rfind("scenario too large: ", 0), 0u) << p.where();
    EXPECT_GT(p.err.line, line) << p.where();
    EXPECT_EQ(p.err.col, 3) << p.where();
    for (size_t i = 0; i < p.s->nsteps; i++)
        EXPECT_NE(p.s->steps[i].source, nullptr) << "step " << i;
}

// Each statement that keeps text, parsed with room for its file name only.
TEST(Scenario, ArenaFullForEveryKindOfStatement)
{
    struct {
        const char *before;
        const char *line;
    } cases[] = {
        {"", "scenario x"},
        {"scenario x\n", "title A title"},
        {"scenario x\n", "cause 3 Some cause"},
        {"scenario x\n", "advice Always require authentication"},
        {"scenario x\n", "tags a b"},
        {"scenario x\n", "variant v with a description"},
        {"scenario x\n", "config set a = b"},
        {"scenario x\n", "config no-listener smtp"},
        {"scenario x\n", "dialogue d"},
        {"scenario x\ndialogue d\n  connect smtp\n", "  S: 250"},
        {"scenario x\ndialogue d\n  connect smtp\n", "  quit"},
        {"scenario x\ndialogue d\n  connect smtp\n", "  ehlo"},
        {"scenario x\ndialogue d\n  connect smtp\n", "  C: NOOP"},
        {"scenario x\ndialogue d\n  connect smtp\n", "  expect relay-denied"},
    };
    for (const auto &c : cases) {
        auto s = std::make_unique<scenario>();
        scenario_error err;
        scenario_init(s.get());
        ASSERT_EQ(
            scenario_parse(s.get(), "a.scn", c.before, strlen(c.before), nullptr, nullptr, &err), 0)
            << err.msg;
        // A file with nothing in it but a long name leaves 6 bytes: "b.scn".
        std::string filler(SCENARIO_ARENA_MAX - s->arena_used - 6 - 1, 'f');
        ASSERT_EQ(scenario_parse(s.get(), filler.c_str(), "", 0, nullptr, nullptr, &err), 0);
        ASSERT_EQ(s->arena_used, (size_t)SCENARIO_ARENA_MAX - 6);
        size_t steps = s->nsteps;
        int rc = scenario_parse(s.get(), "b.scn", c.line, strlen(c.line), nullptr, nullptr, &err);
        char where[600];
        scenario_error_format(&err, where, sizeof(where));
        EXPECT_EQ(rc, -1) << c.line;
        EXPECT_EQ(std::string(where).rfind("b.scn:1:", 0), 0u) << c.line << ": " << where;
        EXPECT_NE(std::string(where).find(": scenario too large: more than 32768 bytes of text"),
                  std::string::npos)
            << c.line << ": " << where;
        EXPECT_EQ(s->nsteps, steps) << c.line;
    }
}

} // namespace

// The writer: parse(format(x)) == x, and format is a fixed point.
namespace
{

std::string Format(const scenario &s)
{
    scenario_error err{};
    ssize_t n = scenario_format(&s, nullptr, 0, &err);
    EXPECT_GE(n, 0) << err.file << ":" << err.line << ": " << err.msg;
    if (n < 0)
        return "";
    std::string text((size_t)n + 1, '\0');
    EXPECT_EQ(scenario_format(&s, text.data(), text.size(), &err), n);
    text.resize((size_t)n);
    return text;
}

// RoundTrip - format s, parse the text (checked when check), compare
void RoundTrip(const scenario &s, bool check = true)
{
    std::string text = Format(s);
    SCOPED_TRACE(text);
    Parsed again = Parse(text, check);
    ASSERT_EQ(again.rc, 0) << again.where();
    EXPECT_TRUE(scenario_equal(&s, again.s.get()));
    EXPECT_EQ(Format(*again.s), text);
}

TEST(ScenarioFormat, EveryScenarioFileRoundTrips)
{
    std::string find = std::string("find ") + RELAYLAB_SCENARIOS + " -name '*.scn' | sort";
    FILE *p = popen(find.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char path[4096];
    int files = 0;
    while (fgets(path, sizeof(path), p)) {
        path[strcspn(path, "\n")] = 0;
        SCOPED_TRACE(path);
        auto s = std::make_unique<scenario>();
        scenario_error err;
        ASSERT_EQ(scenario_load(path, RELAYLAB_SCENARIOS, s.get(), &err), 0) << err.msg;
        RoundTrip(*s);
        files++;
    }
    pclose(p);
    EXPECT_GE(files, 15);
}

TEST(ScenarioFormat, TheWholeExampleRoundTrips)
{
    Parsed p = Parse(kGood);
    ASSERT_EQ(p.rc, 0) << p.where();
    RoundTrip(*p.s);
}

// Each case parses; its model must come back from the text the writer makes.
const char *const kRoundTrip[] = {
    // quoting: blanks, quotes, backslashes, '#', '[', ']', empty strings
    "title \"a  b\"\n",
    "title \"a \\\"b\\\" c\"\n",
    "title a\\b \"c\\\\d\" x\\\n",
    "title \"\\\\\"\n",
    "title \"#not a comment\" a#b\n",
    "title \"[postfix]\"\n",
    "title a [b] []\n",
    "title a[postfix] \"x ]\"\n",
    "title \"\"\n",
    "title \" \"\n",
    "title \"\\\"\"\n",
    "title \"\\\"start\" mid\"dle\n",
    "title \"tab\there\"\n",
    "title \"cr\r\"\n",
    "title cr\r\r\n",
    "title \"lead\" \"\" \"trail \"\n",
    "cause 4\n",
    "cause 4 \"Restriction Order Issue\"\n",
    "cause 99 \"#1\" \"[x]\"\n",
    "cause 3 a\ncause 5\n",
    "advice \"Always require authentication for relay \u2014 never add external IPs\"\n",
    "advice a  \"#b\" [c] \"\" d\\\n",
    "advice \"\"\n",
    "advice \"[postfix]\"\n",
    "tags seed auth\ntags \"\" \"a b\" \"#c\" [d] \"\\\\\"\n",
    "mta postfix\n",
    "mta exim\n",
    "mta exim postfix\n",
    "variant a\nvariant b \"with a description\"\nvariant c \"\"\nvariant d x \"y z\"\n",
    "variant v \"a [x]\" y]\n",
    // configs: every verb, selectors, where-clauses of all shapes
    "variant broken\nvariant fixed\n"
    "config set a = b\n"
    "config postfix set a = b c\n"
    "config postfix broken set mynetworks = 127.0.0.0/8, 127.0.0.12/32\n"
    "config exim fixed set RELAY_FROM_HOSTS = 127.0.0.1\n"
    "config postfix exim broken fixed set x = \"a  b\"\n"
    "config set \"k = v\" [postfix broken]\n"
    "config postfix service \"10025 inet n - n - - smtpd\"\n"
    "config service \"a \\\"q\\\" b\"\n"
    "config exim acl-rcpt common/strict-acl.conf\n"
    "config exim acl-rcpt \"a b.conf\"\n"
    "config postfix no-sasl\n"
    "config plaintext-auth [exim fixed]\n"
    "config postfix broken no-listener submission\n"
    "config no-listener smtps\n",
    "variant set\nvariant no-sasl\nconfig set a = b [set]\nconfig postfix no-sasl [no-sasl set]\n",
    "config set a = [b] []\n",
    "config set a=b # a comment\n",
    // dialogues: every step kind and expectation kind
    "variant broken\nvariant fixed\n"
    "dialogue one\n"
    "  connect smtp\n"
    "  connect submission from outside\n"
    "  connect 10025 from 127.0.0.9\n"
    "  ehlo\n"
    "  ehlo client.example\n"
    "  helo\n"
    "  helo \"a b\"\n"
    "  starttls\n"
    "  auth plain\n"
    "  auth LOGIN app\n"
    "  auth cram-md5 wrong [fixed]\n"
    "  mail <>\n"
    "  mail user@relaylab.test\n"
    "  rcpt \"someone@[127.0.0.1]\"\n"
    "  rcpt x@y]\n"
    "  data\n"
    "  rset\n"
    "  noop\n"
    "  quit\n"
    "  C: MAIL FROM:<a@[127.0.0.1]>\n"
    "  C: RCPT TO:<x> # not a comment [postfix]\n"
    "  C: NOOP [x]  []\n"
    "  C: NOOP \"quoted\" \\ back\n"
    "  C: x\r\r\n"
    "  C:NOOP\n"
    "  S: 220\n"
    "  S: 2xx\n"
    "  S: 554 5.7.1\n"
    "  S: 554 5.7.1 \"Relay access denied\" [postfix broken]\n"
    "  S: 550 \"relay not permitted\" [exim broken]\n"
    "  S: 4xx 4.7.1 \"\"\n"
    "  S: 250 5.0.0 \"5.7.1 [x]\"\n"
    "  S: 250 text\n"
    "  expect relayed\n"
    "  expect relayed someone@example.org [fixed]\n"
    "  expect relay-denied\n"
    "  expect open-relay\n"
    "  expect open-relay \"a b\"\n"
    "  expect auth-offered [postfix]\n"
    "  expect auth-not-offered [exim]\n"
    "  expect starttls-offered [postfix exim]\n"
    "  expect connection-refused [broken fixed exim]\n"
    "dialogue \"two words\"\n"
    "dialogue empty\n"
    "  connect smtps\n",
    // steps are kept in order across configs written between them
    "dialogue a\n  connect smtp\nconfig set a = b\n  quit\ndialogue b\n  connect smtp\n",
};

TEST(ScenarioFormat, CasesRoundTrip)
{
    for (const char *body : kRoundTrip) {
        std::string text = std::string("scenario t\n") + body;
        SCOPED_TRACE(text);
        Parsed p = Parse(text, false);
        ASSERT_EQ(p.rc, 0) << p.where();
        RoundTrip(*p.s, false);
    }
}

TEST(ScenarioFormat, QuotesOnlyWhatNeedsIt)
{
    Parsed p = Parse("scenario t\ntitle a \"b\" c\nvariant v \"x  y\"\n"
                     "dialogue d\n  connect smtp\n  ehlo \"#x\" [v]\n",
                     false);
    ASSERT_EQ(p.rc, 0) << p.where();
    EXPECT_EQ(Format(*p.s), "scenario t\ntitle a b c\nvariant v x \"\" y\ndialogue d\n"
                            "  connect smtp\n  ehlo \"#x\" [v]\n");
}

TEST(ScenarioFormat, LikeSnprintf)
{
    Parsed p = Parse("scenario t\ndialogue d\n  connect smtp\n");
    ASSERT_EQ(p.rc, 0) << p.where();
    const std::string whole = "scenario t\ndialogue d\n  connect smtp\n";
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    scenario_error err;
    EXPECT_EQ(scenario_format(p.s.get(), buf, sizeof(buf), &err), (ssize_t)whole.size());
    EXPECT_STREQ(buf, "scenari");
    EXPECT_EQ(scenario_format(p.s.get(), nullptr, 0, &err), (ssize_t)whole.size());
}

TEST(ScenarioFormat, EqualSeesEveryField)
{
    Parsed a = Parse(kGood), b = Parse(kGood);
    ASSERT_EQ(a.rc, 0);
    EXPECT_TRUE(scenario_equal(a.s.get(), b.s.get()));
    b.s->steps[6].code = 550;
    EXPECT_FALSE(scenario_equal(a.s.get(), b.s.get()));
    b = Parse(kGood);
    b.s->configs[1].where.variants = 2;
    EXPECT_FALSE(scenario_equal(a.s.get(), b.s.get()));
    b = Parse(kGood);
    b.s->steps[8].arg = nullptr;
    EXPECT_FALSE(scenario_equal(a.s.get(), b.s.get()));
    b = Parse(kGood);
    b.s->steps[2].dialogue = 1;
    EXPECT_FALSE(scenario_equal(a.s.get(), b.s.get()));
    b = Parse(kGood);
    b.s->advice = "Use port 587";
    EXPECT_FALSE(scenario_equal(a.s.get(), b.s.get()));
    b = Parse(kGood);
    b.s->steps[2].pos.line = 99; // positions are not meaning
    b.s->steps[2].source = "ehlo client.example";
    EXPECT_TRUE(scenario_equal(a.s.get(), b.s.get()));
}

} // namespace

namespace
{

// Lines at the parser's limits: the text the writer makes is no longer.
TEST(ScenarioFormat, LinesAtTheLimitStillFit)
{
    std::string v64(SCENARIO_ID_MAX, 'v');
    const std::string cases[] = {
        "dialogue d\n  connect smtp\nC:" + std::string(SCENARIO_LINE_MAX - 2, 'x') + "\n",
        "dialogue d\n  connect smtp\nS: 250 " + std::string(SCENARIO_LINE_MAX - 7, 'x') + "\n",
        "variant b\nconfig postfix b set a=" + std::string(SCENARIO_LINE_MAX - 25, 'x') + "\n",
        "variant " + v64 + "\nconfig " + v64 + " set a = b\n",
        "tags " + std::string(490, 'a') + " " + std::string(SCENARIO_LINE_MAX - 496, 'b') + "\n",
    };
    for (const auto &body : cases) {
        std::string text = "scenario t\n" + body;
        SCOPED_TRACE(text.substr(0, 120));
        Parsed p = Parse(text, false);
        ASSERT_EQ(p.rc, 0) << p.where();
        RoundTrip(*p.s, false);
    }
}

} // namespace

namespace
{

// LongestLine - the longest line of text, its LF not counted
size_t LongestLine(const std::string &text)
{
    size_t longest = 0, start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        longest = std::max(longest, nl - start);
    return longest;
}

// A joined value (title, cause name, variant description, set) of more
// pieces than the line has words for and a bare run of backslashes: quoted
// whole, as the writer once did, its line came back past 1000 bytes and
// did not parse (fuzz/corpus/scenario/cause-quoted-words-past-line). The
// shortest layout within the word limit is never longer than the source.
TEST(ScenarioFormat, JoinedValuesOfManyPiecesStillFit)
{
    auto many = [](const std::string &verb, const std::string &quoted_word, size_t words) {
        std::string line = verb;
        for (size_t i = 0; i < words; i++)
            line += " \"" + quoted_word + "\"";
        line += " ";
        line += std::string(SCENARIO_LINE_MAX - line.size(), '\\');
        return line + "\n";
    };
    const std::string cases[] = {
        many("cause 1", "a b", 16), // the fuzz finding's shape
        many("title", "a b", 16),
        many("variant v", "a b c", 10),
        "variant v\n" + many("config v set k =", "x y", 15),
        many("cause 99", "\\\"q\\\" r", 14), // escapes inside the quoted words too
        many("title", "a \\\\ b", 12),
    };
    for (const auto &body : cases) {
        std::string text = "scenario t\n" + body;
        SCOPED_TRACE(text.substr(0, 160));
        ASSERT_LE(LongestLine(text), (size_t)SCENARIO_LINE_MAX);
        Parsed p = Parse(text, false);
        ASSERT_EQ(p.rc, 0) << p.where();
        RoundTrip(*p.s, false);
        EXPECT_LE(LongestLine(Format(*p.s)), LongestLine(text));
    }
}

// A model built in memory may hold what no line can say: refused, not written.
TEST(ScenarioFormat, RefusesWhatNoLineCanSay)
{
    std::string long_raw(SCENARIO_LINE_MAX, 'x'), long_title(SCENARIO_LINE_MAX, 'y');
    std::string v64(SCENARIO_ID_MAX, 'v');
    struct {
        const char *name;
        std::function<void(scenario &)> edit;
        int line;
        const char *msg;
    } cases[] = {
        {"a raw line too long", [&](scenario &s) { s.steps[1].arg = long_raw.c_str(); }, 5,
         "'C:' needs a line of 1002 bytes: at most 1000"},
        {"a title too long", [&](scenario &s) { s.title = long_title.c_str(); }, 2,
         "'title' needs a line of 1006 bytes: at most 1000"},
        {"a newline in a title", [](scenario &s) { s.title = "two\nlines"; }, 2,
         "'title': a newline in its text cannot be written"},
        {"a newline in a reply text", [](scenario &s) { s.steps[2].text = "a\nb"; }, 6,
         "'S:': a newline in its text cannot be written"},
        {"a raw line with a blank first", [](scenario &s) { s.steps[1].arg = " NOOP"; }, 5,
         "'C:': a raw line that is empty or has blanks around it cannot be written"},
        {"a raw line with a tab last", [](scenario &s) { s.steps[1].arg = "NOOP\t"; }, 5,
         "'C:': a raw line that is empty or has blanks around it cannot be written"},
        {"an empty raw line", [](scenario &s) { s.steps[1].arg = ""; }, 5,
         "'C:': a raw line that is empty or has blanks around it cannot be written"},
        {"a long variant name in a step's [where]",
         [&](scenario &s) {
             s.variants[0].name = v64.c_str();
             s.steps[1].where.variants = 1;
         },
         5, "'C:': variant " /* the name, then */},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.name);
        Parsed p = Parse("scenario t\nvariant w\ndialogue d\n  connect smtp\n  C: NOOP\n"
                         "  S: 250 ok\n");
        ASSERT_EQ(p.rc, 0) << p.where();
        c.edit(*p.s);
        scenario_error err{};
        char buf[4096];
        EXPECT_EQ(scenario_format(p.s.get(), buf, sizeof(buf), &err), -1);
        EXPECT_EQ(err.line, c.line);
        EXPECT_EQ(std::string(err.msg).rfind(c.msg, 0), 0u) << err.msg;
        EXPECT_EQ(scenario_format(p.s.get(), nullptr, 0, &err), -1);
    }
}

} // namespace

// Debian releases in where-clauses: dialogue lines only, checked per release.
namespace
{

const char kReleases[] = "scenario banners\n"
                         "title \"each release's own banner\"\n"
                         "mta exim\n"
                         "variant plain\n"
                         "dialogue banner\n"
                         "  connect smtp from inside\n"
                         "  S: 220 \"ESMTP Exim 4.94.2\" [exim @bullseye]\n"
                         "  S: 220 \"ESMTP Exim 4.98.2\" [@trixie @bookworm plain]\n"
                         "  ehlo client.example\n";

TEST(ScenarioRelease, WhereClausesNameReleases)
{
    Parsed p = Parse(kReleases);
    ASSERT_EQ(p.rc, 0) << p.where();
    const scenario_step &a = p.s->steps[1], &b = p.s->steps[2];
    EXPECT_EQ(a.where.releases, unsigned(SCENARIO_RELEASE_BULLSEYE));
    EXPECT_EQ(b.where.releases, unsigned(SCENARIO_RELEASE_TRIXIE | SCENARIO_RELEASE_BOOKWORM));
    EXPECT_TRUE(scenario_applies(&a.where, SCENARIO_MTA_EXIM, 0, SCENARIO_RELEASE_BULLSEYE));
    EXPECT_FALSE(scenario_applies(&a.where, SCENARIO_MTA_EXIM, 0, SCENARIO_RELEASE_TRIXIE));
    EXPECT_FALSE(scenario_applies(&a.where, SCENARIO_MTA_EXIM, 0, 0)) << "no release: not it";
    EXPECT_TRUE(scenario_applies(&b.where, SCENARIO_MTA_EXIM, 0, SCENARIO_RELEASE_BOOKWORM));
    EXPECT_TRUE(scenario_applies(&p.s->steps[3].where, SCENARIO_MTA_EXIM, 0, 0)) << "unlimited";
    EXPECT_EQ(scenario_release_bit("trixie"), unsigned(SCENARIO_RELEASE_TRIXIE));
    EXPECT_EQ(scenario_release_bit("sid"), 0u);
    RoundTrip(*p.s);
    EXPECT_NE(Format(*p.s).find("[exim @bullseye]"), std::string::npos) << Format(*p.s);
}

TEST(ScenarioRelease, OnlyDialogueLinesTakeARelease)
{
    struct {
        const char *text;
        const char *error;
    } bad[] = {
        {"scenario x\ndialogue d\n  connect smtp\n  S: 220 [@sid]\n",
         "t.scn:4:11: '@sid' is not a Debian release relaylab knows"},
        {"scenario x\nconfig postfix set relay_domains = a.example [@trixie]\ndialogue d\n"
         "  connect smtp\n",
         "t.scn:2:1: a Debian release (@NAME) limits dialogue lines only"},
        {"scenario x [@trixie]\n", "t.scn:1:1: 'scenario' cannot be limited"},
        // Each release must connect before it talks.
        {"scenario x\ndialogue d\n  connect smtp [@trixie]\n  ehlo a.example\n",
         "t.scn:4:3: 'ehlo a.example' before any 'connect'"},
    };
    ExpectErrors(bad);
}

} // namespace

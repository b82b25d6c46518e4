// relaylab send's dialogue plan (harness/engine/engine_send): its parsers and defaults.
#include <gtest/gtest.h>

#include <string.h>

#include <string>

#include "engine_send.h"

namespace
{

TEST(EngineSend, ServerTable)
{
    struct {
        const char *text;
        int rc;
        const char *host, *port;
    } cases[] = {
        {"mx.example", 0, "mx.example", ""},
        {"mx.example:2525", 0, "mx.example", "2525"},
        {"127.0.0.1:25", 0, "127.0.0.1", "25"},
        {"[::1]", 0, "::1", ""},
        {"[::1]:587", 0, "::1", "587"},
        {"::1", 0, "::1", ""}, // bare IPv6: no port
        {"", -1, nullptr, nullptr},
        {":25", -1, nullptr, nullptr},
        {"host:", -1, nullptr, nullptr},
        {"host:2x", -1, nullptr, nullptr},
        {"[::1", -1, nullptr, nullptr},
        {"[]:25", -1, nullptr, nullptr},
        {"[::1]x", -1, nullptr, nullptr},
        {"host:12345678901234567", -1, nullptr, nullptr},
    };
    for (const auto &c : cases) {
        engine_send_params p;
        engine_send_params_default(&p);
        EXPECT_EQ(engine_send_server(c.text, &p), c.rc) << c.text;
        if (c.rc == 0) {
            EXPECT_STREQ(p.host, c.host) << c.text;
            EXPECT_STREQ(p.port, c.port) << c.text;
        }
    }
    engine_send_params p;
    engine_send_params_default(&p);
    EXPECT_EQ(engine_send_server(std::string(300, 'a').c_str(), &p), -1) << "host too long";
}

TEST(EngineSend, StagesByNameAndSwaksAlias)
{
    EXPECT_EQ(engine_send_stage_parse("connect"), ENGINE_SEND_CONNECT);
    EXPECT_EQ(engine_send_stage_parse("CONN"), ENGINE_SEND_CONNECT);
    EXPECT_EQ(engine_send_stage_parse("greeting"), ENGINE_SEND_BANNER);
    EXPECT_EQ(engine_send_stage_parse("first-ehlo"), ENGINE_SEND_EHLO);
    EXPECT_EQ(engine_send_stage_parse("starttls"), ENGINE_SEND_STARTTLS);
    EXPECT_EQ(engine_send_stage_parse("ehlo"), ENGINE_SEND_HELO);
    EXPECT_EQ(engine_send_stage_parse("from"), ENGINE_SEND_MAIL);
    EXPECT_EQ(engine_send_stage_parse("to"), ENGINE_SEND_RCPT);
    EXPECT_EQ(engine_send_stage_parse("dot"), ENGINE_SEND_MESSAGE);
    EXPECT_EQ(engine_send_stage_parse("quit"), ENGINE_SEND_QUIT);
    EXPECT_EQ(engine_send_stage_parse("nope"), ENGINE_SEND_NONE);
    EXPECT_STREQ(engine_send_stage_name(ENGINE_SEND_RCPT), "rcpt");
    EXPECT_STREQ(engine_send_stage_name(ENGINE_SEND_NONE), "done");
}

TEST(EngineSend, DefaultsAndMessage)
{
    engine_send_params p;
    engine_send_params_default(&p);
    EXPECT_STREQ(p.from, "relaylab@relaylab.test");
    EXPECT_STREQ(p.helo, "relaylab.test");
    EXPECT_EQ(p.quit_after, ENGINE_SEND_QUIT);
    EXPECT_EQ(p.engine.pipelining, 0) << "only with --pipeline";
    EXPECT_EQ(p.repeat, 1);
    EXPECT_EQ(p.concurrency, 1);
    p.to[p.nto++] = "a@example.org";
    p.to[p.nto++] = "b@example.org";
    size_t len = 0;
    char *msg = engine_send_default_message(&p, &len);
    ASSERT_NE(msg, nullptr);
    std::string text(msg, len);
    free(msg);
    EXPECT_NE(text.find("\nTo: <a@example.org>, <b@example.org>\n"), std::string::npos) << text;
    EXPECT_NE(text.find("From: <relaylab@relaylab.test>\n"), std::string::npos) << text;
    EXPECT_NE(text.find("@relaylab.test>\nX-Mailer: relaylab\n\n"), std::string::npos) << text;
}

TEST(EngineSend, NothingListeningIsAConnectFailure)
{
    engine_send_params p;
    engine_send_params_default(&p);
    ASSERT_EQ(engine_send_server("127.0.0.1:1", &p), 0);
    p.to[p.nto++] = "a@example.org";
    engine_send_outcome out;
    engine_send(&p, &out);
    ASSERT_NE(out.engine, nullptr);
    EXPECT_EQ(out.stage, ENGINE_SEND_CONNECT);
    EXPECT_EQ(out.verdict, ENGINE_BROKEN);
    EXPECT_EQ(out.err.cls, SMTP_ERR_CONN);
    engine_free(out.engine);

    p.repeat = 4;
    p.concurrency = 2;
    engine_send_repeat_result res;
    ASSERT_EQ(engine_send_repeat(&p, &res), 0);
    EXPECT_EQ(res.failed, 4);
    EXPECT_EQ(res.threads, 2);
    EXPECT_TRUE(res.have_failure);
    EXPECT_EQ(res.first.stage, ENGINE_SEND_CONNECT);
    ASSERT_NE(res.first_transcript, nullptr);
    EXPECT_NE(std::string(res.first_transcript).find("Connection refused"), std::string::npos);
    free(res.first_transcript);
}

} // namespace

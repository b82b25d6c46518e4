// The capture sink, driven by relaylab's own client over loopback.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "mta_sink.h"
#include "smtp_client.h"

namespace
{

class Sink : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/relaylab-sink-test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        smtp_error err;
        smtp_error_clear(&err);
        sink_ = mta_sink_start("127.0.0.1", 0, dir_.c_str(), &err);
        ASSERT_NE(sink_, nullptr) << err.msg;
        port_ = std::to_string(mta_sink_port(sink_));
    }
    void TearDown() override
    {
        mta_sink_stop(sink_);
        system(("rm -rf " + dir_).c_str());
    }
    smtp_client *Connect()
    {
        smtp_client_params p;
        smtp_client_params_default(&p);
        p.step_timeout_ms = 2000;
        smtp_client *c = smtp_client_new(&p);
        smtp_tcp_params tcp = {};
        tcp.host = "127.0.0.1";
        tcp.port = port_.c_str();
        EXPECT_EQ(smtp_client_connect(c, &tcp), 0);
        EXPECT_EQ(smtp_client_banner(c), 220);
        EXPECT_EQ(smtp_client_ehlo(c, "mx.test"), 250);
        return c;
    }
    std::string dir_;
    std::string port_;
    mta_sink *sink_ = nullptr;
};

TEST_F(Sink, StoresMessageWithEnvelope)
{
    smtp_client *c = Connect();
    EXPECT_TRUE(smtp_client_caps(c)->caps & SMTP_EHLO_PIPELINING);
    EXPECT_EQ(smtp_client_mail(c, "a@x.test", nullptr), 250);
    EXPECT_EQ(smtp_client_rcpt(c, "b@y.test", nullptr), 250);
    EXPECT_EQ(smtp_client_rcpt(c, "c@z.test", nullptr), 250);
    EXPECT_EQ(smtp_client_data(c), 354);
    const char body[] = "Subject: hi\r\n\r\n.dot line\r\nend\r\n";
    EXPECT_EQ(smtp_client_message(c, body, sizeof(body) - 1), 250);
    EXPECT_EQ(smtp_client_quit(c), 221);
    smtp_client_free(c);

    mta_sink_message m;
    ASSERT_EQ(mta_sink_wait(sink_, "c@z.test", 0, 2000, &m), 1);
    EXPECT_STREQ(m.mail_from, "a@x.test");
    ASSERT_EQ(m.nrcpt, 2u);
    EXPECT_STREQ(m.rcpt[0], "b@y.test");
    EXPECT_STREQ(m.helo, "mx.test");
    std::ifstream eml(m.path);
    std::stringstream ss;
    ss << eml.rdbuf();
    EXPECT_EQ(ss.str(), "Subject: hi\r\n\r\n.dot line\r\nend\r\n"); // un-stuffed
    // Captured mail is for root only (--keep leaves it behind).
    struct stat st;
    ASSERT_EQ(stat(m.path, &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u) << m.path;
    ASSERT_EQ(stat((dir_ + "/msg-1.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    std::ifstream env(dir_ + "/msg-1.json");
    std::stringstream js;
    js << env.rdbuf();
    EXPECT_NE(js.str().find("\"rcpt_to\": [\n    \"b@y.test\",\n    \"c@z.test\"\n  ]"),
              std::string::npos)
        << js.str();
}

// Each message keeps its own Message-ID (the header section's first, any
// case, blanks trimmed; one in the body does not count), so that a test with
// several messages on the way tells them apart.
TEST_F(Sink, KeepsEachMessagesId)
{
    smtp_client *c = Connect();
    const char *bodies[] = {
        "Subject: a\r\nmessage-id:  <one@x.test> \r\nMessage-ID: <two@x.test>\r\n\r\nx\r\n",
        "Subject: b\r\n\r\nMessage-ID: <body@x.test>\r\n",
        "Message-Id:<three@x.test>\r\n\r\n",
    };
    for (const char *body : bodies) {
        EXPECT_EQ(smtp_client_mail(c, "a@x.test", nullptr), 250);
        EXPECT_EQ(smtp_client_rcpt(c, "b@y.test", nullptr), 250);
        EXPECT_EQ(smtp_client_data(c), 354);
        EXPECT_EQ(smtp_client_message(c, body, strlen(body)), 250);
    }
    smtp_client_free(c);

    mta_sink_message m;
    ASSERT_EQ(mta_sink_wait(sink_, nullptr, 2, 2000, &m), 1);
    ASSERT_EQ(mta_sink_get(sink_, 0, &m), 0);
    EXPECT_STREQ(m.message_id, "<one@x.test>");
    ASSERT_EQ(mta_sink_get(sink_, 1, &m), 0);
    EXPECT_STREQ(m.message_id, "");
    ASSERT_EQ(mta_sink_get(sink_, 2, &m), 0);
    EXPECT_STREQ(m.message_id, "<three@x.test>");
}

// A client's bytes (any at all) reach the envelope file sanitized, and the
// file is still written whole: invalid UTF-8 used to drop it silently.
TEST_F(Sink, HostileEnvelopeIsStoredSanitized)
{
    smtp_client *c = Connect();
    const char helo[] = "EHLO a\x1b[31mb\xff\r\n";
    ASSERT_EQ(smtp_client_send_bytes(c, helo, sizeof(helo) - 1), 0);
    EXPECT_EQ(smtp_client_read_reply(c), 250);
    const char rcpt[] = "MAIL FROM:<\xc0\xaf@x.test>\r\n";
    ASSERT_EQ(smtp_client_send_bytes(c, rcpt, sizeof(rcpt) - 1), 0);
    EXPECT_EQ(smtp_client_read_reply(c), 250);
    EXPECT_EQ(smtp_client_rcpt(c, "b@y.test", nullptr), 250);
    EXPECT_EQ(smtp_client_data(c), 354);
    EXPECT_EQ(smtp_client_message(c, "x\r\n", 3), 250);
    smtp_client_free(c);

    mta_sink_message m;
    ASSERT_EQ(mta_sink_wait(sink_, "b@y.test", 0, 2000, &m), 1);
    std::ifstream env(dir_ + "/msg-1.json");
    std::stringstream js;
    js << env.rdbuf();
    EXPECT_NE(js.str().find("\"helo\": \"a\\\\x1b[31mb\\\\xff\""), std::string::npos) << js.str();
    EXPECT_NE(js.str().find("\"mail_from\": \"\\\\xc0\\\\xaf@x.test\""), std::string::npos)
        << js.str();
    EXPECT_NE(js.str().find("\"b@y.test\""), std::string::npos) << js.str();
}

// A client that floods commands and never reads the replies is hung up
// on; the sink (one thread for all) goes on serving the others. It used
// to block in send() for good, and relaylab with it.
TEST_F(Sink, ClientThatNeverReadsIsHungUpOn)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in sin = {};
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)std::stoi(port_));
    inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
    ASSERT_EQ(connect(fd, (sockaddr *)&sin, sizeof(sin)), 0);
    std::string flood;
    for (int i = 0; i < 4096; i++)
        flood += "NOOP\r\n";
    bool hung_up = false;
    int err = 0;
    time_t until = time(nullptr) + 20;
    /* Until the sink hangs up (EPIPE/ECONNRESET); a full send buffer only waits. */
    while (!hung_up && time(nullptr) < until) {
        if (send(fd, flood.data(), flood.size(), MSG_NOSIGNAL) < 0) {
            err = errno;
            hung_up = err == EPIPE || err == ECONNRESET;
        }
    }
    EXPECT_TRUE(hung_up) << "the sink kept taking commands it could not answer (" << err << ")";
    close(fd);
    // Still serving.
    smtp_client *c = Connect();
    EXPECT_EQ(smtp_client_noop(c), 250);
    smtp_client_free(c);
}

TEST_F(Sink, WaitTimesOutWhenNothingCame)
{
    long t0 = smtp_transport_now();
    EXPECT_EQ(mta_sink_wait(sink_, "nobody@x.test", 0, 200, nullptr), 0);
    EXPECT_GE(smtp_transport_now() - t0, 190);
    EXPECT_EQ(mta_sink_count(sink_), 0u);
}

TEST_F(Sink, FaultRules)
{
    ASSERT_EQ(mta_sink_rule(sink_, SMTP_VERB_RCPT, "451 4.3.0 try later"), 0);
    smtp_client *c = Connect();
    EXPECT_EQ(smtp_client_mail(c, "a@x.test", nullptr), 250);
    EXPECT_EQ(smtp_client_rcpt(c, "b@y.test", nullptr), 451);
    smtp_client_free(c);

    mta_sink_clear_rules(sink_);
    ASSERT_EQ(mta_sink_rule(sink_, SMTP_VERB_MAIL, nullptr), 0); // hang up at MAIL
    c = Connect();
    EXPECT_EQ(smtp_client_mail(c, "a@x.test", nullptr), -1);
    EXPECT_EQ(smtp_client_error(c)->cls, SMTP_ERR_CONN);
    smtp_client_free(c);
    EXPECT_EQ(mta_sink_count(sink_), 0u);
}

TEST_F(Sink, RefusesDataWithoutRecipientsAndBadSyntax)
{
    smtp_client *c = Connect();
    EXPECT_EQ(smtp_client_raw(c, "DATA"), 554);
    EXPECT_EQ(smtp_client_raw(c, "MAIL FROM:<broken"), 501);
    EXPECT_EQ(smtp_client_raw(c, "XYZZY"), 502);
    EXPECT_EQ(smtp_client_rset(c), 250);
    smtp_client_free(c);
}

// Symlinks planted where the sink writes are not followed: the message
// is still published (its path is what the sink wrote, or nothing), and
// the files they point to stay as they were.
TEST_F(Sink, DoesNotFollowPlantedSymlinks)
{
    std::string victim = dir_ + "/../" + dir_.substr(dir_.rfind('/') + 1) + ".victim";
    {
        std::ofstream out(victim);
        out << "precious\n";
    }
    for (const char *name : {"msg-1.eml.tmp", "msg-1.json.tmp"})
        ASSERT_EQ(symlink(victim.c_str(), (dir_ + "/" + name).c_str()), 0);
    smtp_client *c = Connect();
    EXPECT_EQ(smtp_client_mail(c, "a@x.test", nullptr), 250);
    EXPECT_EQ(smtp_client_rcpt(c, "b@y.test", nullptr), 250);
    EXPECT_EQ(smtp_client_data(c), 354);
    EXPECT_EQ(smtp_client_message(c, "Subject: x\r\n\r\nbody\r\n", 21), 250);
    smtp_client_free(c);
    EXPECT_EQ(mta_sink_wait(sink_, "b@y.test", 0, 2000, nullptr), 1);
    std::ifstream in(victim);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), "precious\n");
    unlink(victim.c_str());
}

} // namespace

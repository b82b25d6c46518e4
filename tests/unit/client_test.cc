// The client state machine against a scripted fake server over a
// socketpair: refusals, 421, multi-line replies, STARTTLS with a real
// handshake, AUTH, PIPELINING, timeouts, and input it must refuse.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "fakesrv.h"
#include "smtp_client.h"

namespace
{

const char kEhlo[] = "250-mx.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN "
                     "CRAM-MD5\r\n250 8BITMIME\r\n";

class Client : public ::testing::Test
{
  protected:
    static std::string dir_;
    static smtp_tls_ctx *server_tls_;

    static void SetUpTestSuite()
    {
        char tmpl[] = "/tmp/relaylab-test.XXXXXX";
        smtp_error err;
        smtp_error_clear(&err);
        server_tls_ = fakesrv_tls_server(tmpl, &err);
        dir_ = tmpl;
        ASSERT_NE(server_tls_, nullptr) << err.msg;
    }

    static void TearDownTestSuite()
    {
        smtp_tls_ctx_free(server_tls_);
        system(("rm -rf " + dir_).c_str());
    }

    void TearDown() override
    {
        if (c_)
            smtp_client_free(c_);
        if (fs_) {
            failed_step_ = fakesrv_finish(fs_);
            fakesrv_free(fs_);
        }
        smtp_tls_ctx_free(client_tls_);
    }

    void Start(const std::vector<fakesrv_step> &steps, long step_ms = 3000,
               const char *verify_name = nullptr, bool pipelining = true)
    {
        steps_ = steps;
        int fd = -1;
        fs_ = fakesrv_pair(steps_.data(), steps_.size(), server_tls_, &fd);
        ASSERT_NE(fs_, nullptr);
        smtp_client_params p;
        smtp_client_params_default(&p);
        p.step_timeout_ms = step_ms;
        p.pipelining = pipelining;
        p.trace_states = 1;
        c_ = smtp_client_new(&p);
        ASSERT_NE(c_, nullptr);
        smtp_error err;
        smtp_transport *t = smtp_transport_fd(fd, client_tls_, nullptr, verify_name, &err);
        ASSERT_NE(t, nullptr);
        smtp_client_attach(c_, t);
    }

    // Ends the session and returns what the server saw; checks the script ran.
    std::string Finish()
    {
        smtp_client_free(c_);
        c_ = nullptr;
        int failed = fakesrv_finish(fs_);
        std::string got = fakesrv_received(fs_);
        EXPECT_EQ(failed, 0) << fakesrv_why(fs_);
        fakesrv_free(fs_);
        fs_ = nullptr;
        return got;
    }

    std::string TranscriptText()
    {
        const smtp_transcript *t = smtp_client_transcript(c_);
        std::string all;
        for (size_t i = 0; i < smtp_transcript_count(t); i++) {
            smtp_transcript_entry e;
            smtp_transcript_get(t, i, &e);
            all += e.dir;
            all += ": ";
            all.append(e.text, e.len);
            all += "\n";
        }
        return all;
    }

    std::vector<fakesrv_step> steps_;
    fakesrv *fs_ = nullptr;
    smtp_client *c_ = nullptr;
    smtp_tls_ctx *client_tls_ = nullptr;
    int failed_step_ = 0;
};

std::string Client::dir_;
smtp_tls_ctx *Client::server_tls_ = nullptr;

fakesrv_step Send(const char *t)
{
    return {FS_SEND, t, 0, 0};
}
fakesrv_step Expect(const char *t)
{
    return {FS_EXPECT, t, 0, 0};
}

TEST_F(Client, FullDialogueWithDotStuffing)
{
    Start({Send("220 mx.test ESMTP\r\n"), Expect("EHLO client.test\r\n"), Send(kEhlo),
           Expect("MAIL FROM:<a@x.test>\r\n"), Send("250 2.1.0 Ok\r\n"),
           Expect("RCPT TO:<b@y.test>\r\n"), Send("250 2.1.5 Ok\r\n"), Expect("DATA\r\n"),
           Send("354 go\r\n"), Expect("Subject: t\r\n"), Expect("\r\n"), Expect("..leading\r\n"),
           Expect("bare lf\r\n"), Expect(".\r\n"), Send("250 2.0.0 queued\r\n"), Expect("QUIT\r\n"),
           Send("221 bye\r\n")},
          3000, nullptr, false);
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_state(c_), SMTP_CS_GREETED);
    EXPECT_EQ(smtp_client_ehlo(c_, "client.test"), 250);
    EXPECT_EQ(smtp_client_reply(c_)->nlines, 5u);
    EXPECT_EQ(smtp_client_caps(c_)->auth_mechs,
              unsigned(SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN | SMTP_AUTH_CRAM_MD5));
    EXPECT_EQ(smtp_client_mail(c_, "a@x.test", nullptr), 250);
    EXPECT_STREQ(smtp_client_reply(c_)->enhanced, "2.1.0");
    EXPECT_EQ(smtp_client_rcpt(c_, "b@y.test", nullptr), 250);
    EXPECT_EQ(smtp_client_state(c_), SMTP_CS_RCPT);
    EXPECT_EQ(smtp_client_data(c_), 354);
    const char body[] = "Subject: t\r\n\r\n.leading\nbare lf";
    EXPECT_EQ(smtp_client_message(c_, body, strlen(body)), 250);
    EXPECT_EQ(smtp_client_state(c_), SMTP_CS_SESSION);
    EXPECT_EQ(smtp_client_quit(c_), 221);
    EXPECT_EQ(smtp_client_state(c_), SMTP_CS_QUIT);
    std::string tx = TranscriptText();
    EXPECT_NE(tx.find("*: state rcpt -> data"), std::string::npos) << tx;
    Finish();
}

TEST_F(Client, RefusedBanner)
{
    Start({Send("554 5.3.2 go away\r\n"), Expect("QUIT"), Send("221 bye\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), 554);
    EXPECT_EQ(smtp_client_state(c_), SMTP_CS_CONNECTED);
    EXPECT_EQ(smtp_client_refused(c_, "banner"), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_REPLY);
    EXPECT_EQ(smtp_client_error(c_)->code, 554);
    EXPECT_STREQ(smtp_client_error(c_)->enhanced, "5.3.2");
    EXPECT_STREQ(smtp_client_error(c_)->reply, "554 5.3.2 go away");
    EXPECT_EQ(smtp_client_quit(c_), 221);
    Finish();
}

TEST_F(Client, ServiceClosingMidDialogue)
{
    Start({Send("220 hi\r\n"),
           Expect("EHLO"),
           Send("250 mx\r\n"),
           Expect("MAIL"),
           Send("421 4.3.2 shutting down\r\n"),
           {FS_CLOSE, nullptr, 0, 0}});
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_ehlo(c_, "c"), 250);
    EXPECT_EQ(smtp_client_mail(c_, "a@b.test", nullptr), 421);
    EXPECT_EQ(smtp_client_state(c_), SMTP_CS_CLOSED);
    // RFC 5321 3.8: nothing more may be sent.
    EXPECT_EQ(smtp_client_rcpt(c_, "c@d.test", nullptr), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_CONN);
    Finish();
}

TEST_F(Client, MultiLineRepliesAndCodeOnlyLines)
{
    Start({Send("220-first\r\n220-second\r\n220\r\n"), Expect("NOOP"), Send("250\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_reply(c_)->nlines, 3u);
    EXPECT_EQ(std::string(smtp_client_reply(c_)->text, smtp_client_reply(c_)->text_len), "first");
    EXPECT_EQ(smtp_client_noop(c_), 250);
    Finish();
}

TEST_F(Client, StartTlsRealHandshakeForgetsCapabilities)
{
    smtp_error err;
    client_tls_ = smtp_tls_client_ctx(SMTP_TLS_VERIFY_NAME, (dir_ + "/ca.pem").c_str(), &err);
    ASSERT_NE(client_tls_, nullptr);
    Start({Send("220 hi\r\n"),
           Expect("EHLO"),
           Send("250-mx\r\n250 STARTTLS\r\n"),
           Expect("STARTTLS\r\n"),
           Send("220 2.0.0 go ahead\r\n"),
           {FS_STARTTLS, nullptr, 0, 0},
           Expect("EHLO"),
           Send("250-mx\r\n250 AUTH PLAIN\r\n"),
           Expect("QUIT"),
           Send("221 bye\r\n")},
          3000, "mx.relaylab.test");
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_ehlo(c_, "c"), 250);
    EXPECT_TRUE(smtp_client_caps(c_)->caps & SMTP_EHLO_STARTTLS);
    EXPECT_EQ(smtp_client_starttls(c_), 220) << smtp_client_error(c_)->msg;
    EXPECT_TRUE(smtp_client_tls_active(c_));
    EXPECT_EQ(smtp_client_state(c_), SMTP_CS_TLS);
    EXPECT_EQ(smtp_client_caps(c_)->caps, 0u); // RFC 3207 4.2
    EXPECT_EQ(smtp_client_ehlo(c_, "c"), 250);
    EXPECT_EQ(smtp_client_caps(c_)->caps, unsigned(SMTP_EHLO_AUTH));
    EXPECT_EQ(smtp_client_quit(c_), 221);
    EXPECT_NE(TranscriptText().find("*: TLS started: TLSv1.3"), std::string::npos);
    Finish();
}

TEST_F(Client, StartTlsWrongNameFailsVerification)
{
    smtp_error err;
    client_tls_ = smtp_tls_client_ctx(SMTP_TLS_VERIFY_NAME, (dir_ + "/ca.pem").c_str(), &err);
    Start(
        {Send("220 hi\r\n"), Expect("STARTTLS"), Send("220 go\r\n"), {FS_STARTTLS, nullptr, 0, 0}},
        3000, "other.example");
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_starttls(c_), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_TLS);
    EXPECT_NE(std::string(smtp_client_error(c_)->msg).find("certificate"), std::string::npos)
        << smtp_client_error(c_)->msg;
    smtp_client_free(c_);
    c_ = nullptr;
    fakesrv_finish(fs_); // the server's handshake fails too; that is expected
    fakesrv_free(fs_);
    fs_ = nullptr;
}

TEST_F(Client, PlaintextAfterStartTlsReplyIsAProtocolError)
{
    smtp_error err;
    client_tls_ = smtp_tls_client_ctx(SMTP_TLS_VERIFY_NONE, nullptr, &err);
    Start({Send("220 hi\r\n"), Expect("STARTTLS"), Send("220 go\r\n250 injected\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_starttls(c_), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_PROTO);
    EXPECT_STREQ(smtp_client_error(c_)->reply, "250 injected");
    EXPECT_EQ(smtp_client_state(c_), SMTP_CS_BROKEN);
    Finish();
}

TEST_F(Client, AuthPlainIsRedacted)
{
    Start(
        {Send("220 hi\r\n"), Expect("AUTH PLAIN AHVzZXIAczNjcjN0\r\n"), Send("235 2.7.0 ok\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_auth(c_, SMTP_AUTH_PLAIN, "user", "s3cr3t"), 235);
    std::string tx = TranscriptText();
    EXPECT_EQ(tx.find("AHVzZXIAczNjcjN0"), std::string::npos) << tx;
    EXPECT_EQ(tx.find("s3cr3t"), std::string::npos) << tx;
    EXPECT_NE(tx.find("C: AUTH PLAIN <redacted>"), std::string::npos) << tx;
    Finish();
}

TEST_F(Client, AuthLoginSuccessAndRedaction)
{
    Start({Send("220 hi\r\n"), Expect("AUTH LOGIN\r\n"), Send("334 VXNlcm5hbWU6\r\n"),
           Expect("dXNlcg==\r\n"), Send("334 UGFzc3dvcmQ6\r\n"), Expect("czNjcjN0\r\n"),
           Send("235 2.7.0 ok\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_auth(c_, SMTP_AUTH_LOGIN, "user", "s3cr3t"), 235);
    std::string tx = TranscriptText();
    EXPECT_EQ(tx.find("czNjcjN0"), std::string::npos) << tx;
    EXPECT_EQ(tx.find("dXNlcg=="), std::string::npos) << tx;
    Finish();
}

TEST_F(Client, AuthFailureIsAReply)
{
    Start({Send("220 hi\r\n"), Expect("AUTH PLAIN"),
           Send("535 5.7.8 Error: authentication failed\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_auth(c_, SMTP_AUTH_PLAIN, "user", "wrong"), 535);
    EXPECT_NE(smtp_client_state(c_), SMTP_CS_BROKEN);
    Finish();
}

TEST_F(Client, AuthCramMd5)
{
    Start({Send("220 hi\r\n"), Expect("AUTH CRAM-MD5\r\n"),
           Send("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
           Expect("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"), Send("235 ok\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_auth(c_, SMTP_AUTH_CRAM_MD5, "tim", "tanstaaftanstaaf"), 235);
    Finish();
}

TEST_F(Client, PipeliningSendsTheGroupBeforeReading)
{
    // The server reads all three commands before it answers: a client
    // that waited for MAIL's reply would time out here.
    Start({Send("220 hi\r\n"), Expect("EHLO"), Send("250-mx\r\n250 PIPELINING\r\n"),
           Expect("MAIL FROM:<a@x.test>"), Expect("RCPT TO:<b@y.test>"),
           Expect("RCPT TO:<c@z.test>"), Expect("DATA"),
           Send("250 ok\r\n250 ok\r\n550 5.7.1 no\r\n354 go\r\n")},
          1000);
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_ehlo(c_, "c"), 250);
    const char *rcpts[] = {"b@y.test", "c@z.test"};
    int codes[4];
    ASSERT_EQ(smtp_client_envelope(c_, "a@x.test", rcpts, 2, 1, codes), 0)
        << smtp_client_error(c_)->msg;
    EXPECT_EQ(codes[0], 250);
    EXPECT_EQ(codes[1], 250);
    EXPECT_EQ(codes[2], 550);
    EXPECT_EQ(codes[3], 354);
    EXPECT_EQ(smtp_client_state(c_), SMTP_CS_DATA);
    Finish();
}

TEST_F(Client, NoPipeliningWithoutTheCapability)
{
    Start({Send("220 hi\r\n"), Expect("EHLO"), Send("250 mx\r\n"), Expect("MAIL"),
           Send("250 ok\r\n"), Expect("RCPT"), Send("554 5.7.1 relay denied\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_ehlo(c_, "c"), 250);
    const char *rcpts[] = {"b@y.test"};
    int codes[3];
    ASSERT_EQ(smtp_client_envelope(c_, "a@x.test", rcpts, 1, 1, codes), 0);
    EXPECT_EQ(codes[1], 554);
    EXPECT_EQ(codes[2], 0); // no DATA without a recipient
    Finish();
}

TEST_F(Client, StepTimeout)
{
    Start({{FS_SILENT, nullptr, 0, 5000}}, 200);
    long t0 = smtp_transport_now();
    EXPECT_EQ(smtp_client_banner(c_), -1);
    long took = smtp_transport_now() - t0;
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_TIMEOUT);
    EXPECT_GE(took, 190);
    EXPECT_LT(took, 700);
    Finish();
}

TEST_F(Client, DripFeedIsBoundedByTheStepTimeout)
{
    Start({{FS_DRIP, "220 slowly but surely here it comes\r\n", 0, 50}}, 300);
    long t0 = smtp_transport_now();
    EXPECT_EQ(smtp_client_banner(c_), -1);
    EXPECT_LT(smtp_transport_now() - t0, 800);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_TIMEOUT);
    Finish();
}

TEST_F(Client, RefusesCrLfInEnvelope)
{
    Start({Send("220 hi\r\n"), Expect("NOOP"), Send("250 ok\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), 220);
    EXPECT_EQ(smtp_client_mail(c_, "a@b.test>\r\nRCPT TO:<victim@x.test", nullptr), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_USAGE);
    EXPECT_EQ(smtp_client_rcpt(c_, "a@b.test", "SIZE=1\nX"), -1);
    EXPECT_EQ(smtp_client_raw(c_, "NOOP\r\nQUIT"), -1);
    EXPECT_EQ(smtp_client_ehlo(c_, "x\ny"), -1);
    // Nothing was sent and the session goes on.
    EXPECT_EQ(smtp_client_noop(c_), 250);
    std::string got = Finish();
    EXPECT_EQ(got, "NOOP\r\n");
}

TEST_F(Client, MalformedReplyIsAProtocolError)
{
    Start({Send("HTTP/1.1 400 Bad Request\r\n")});
    EXPECT_EQ(smtp_client_banner(c_), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_PROTO);
    EXPECT_STREQ(smtp_client_error(c_)->reply, "HTTP/1.1 400 Bad Request");
    // Once broken, every step fails with the first error kept.
    EXPECT_EQ(smtp_client_noop(c_), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_PROTO);
    Finish();
}

TEST_F(Client, ClosedInTheMiddleOfAReply)
{
    Start({Send("250-one\r\n250-two"), {FS_CLOSE, nullptr, 0, 0}});
    EXPECT_EQ(smtp_client_banner(c_), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_PROTO);
    EXPECT_STREQ(smtp_client_error(c_)->msg, "connection closed in the middle of a reply");
    Finish();
}

TEST_F(Client, ClosedBeforeTheBanner)
{
    Start({{FS_CLOSE, nullptr, 0, 0}});
    EXPECT_EQ(smtp_client_banner(c_), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_CONN);
    Finish();
}

TEST_F(Client, HugeLineIsCutOffNotBuffered)
{
    Start({{FS_REPEAT, "2", 10 * 1024 * 1024, 0}});
    EXPECT_EQ(smtp_client_banner(c_), -1);
    EXPECT_EQ(smtp_client_error(c_)->cls, SMTP_ERR_PROTO);
    EXPECT_NE(std::string(smtp_client_error(c_)->msg).find("too long"), std::string::npos);
    Finish();
}

} // namespace

// engine_talk (relaylab send --interactive) against a scripted fake server
// on a loopback port, opened by engine_send_open: what goes on the wire,
// what the transcript shows (AUTH secrets never), the message after 354
// dot-stuffed, lines refused before they are sent, STARTTLS in the middle,
// and how a session ends.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine_send.h"
#include "engine_talk.h"
#include "fakesrv.h"

namespace
{

fakesrv_step Send(const char *t)
{
    return {FS_SEND, t, 0, 0};
}
fakesrv_step Expect(const char *t)
{
    return {FS_EXPECT, t, 0, 0};
}

class Talk : public ::testing::Test
{
  protected:
    static std::string dir_;
    static smtp_tls_ctx *server_tls_;

    static void SetUpTestSuite()
    {
        char tmpl[] = "/tmp/relaylab-talk-test.XXXXXX";
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
        Finish();
        smtp_tls_ctx_free(client_tls_);
    }

    // The server's script after its banner; the session opened up to the banner.
    void Start(std::vector<fakesrv_step> steps)
    {
        steps.insert(steps.begin(), Send("220 mx.test ESMTP\r\n"));
        steps_ = steps;
        int port = 0;
        fs_ = fakesrv_listen(steps_.data(), steps_.size(), server_tls_, &port);
        ASSERT_NE(fs_, nullptr);
        smtp_error err;
        smtp_error_clear(&err);
        client_tls_ = smtp_tls_client_ctx(SMTP_TLS_VERIFY_NONE, nullptr, &err);
        ASSERT_NE(client_tls_, nullptr);
        engine_send_params p;
        engine_send_params_default(&p);
        snprintf(p.host, sizeof(p.host), "127.0.0.1");
        snprintf(p.port, sizeof(p.port), "%d", port);
        p.quit_after = ENGINE_SEND_BANNER;
        p.tls_ctx = client_tls_;
        p.engine.step_timeout_ms = 3000;
        e_ = engine_new(&p.engine);
        ASSERT_NE(e_, nullptr);
        engine_send_outcome out;
        ASSERT_EQ(engine_send_open(e_, &p, &out), 0) << out.err.msg;
        t_ = engine_talk_new(e_);
        ASSERT_NE(t_, nullptr);
        EXPECT_EQ(engine_talk_mode(t_), ENGINE_TALK_COMMAND);
    }

    engine_talk_result Line(const std::string &line)
    {
        return engine_talk_line(t_, line.data(), line.size());
    }

    // The session closed; what the server received (its script must have run).
    std::string Finish()
    {
        std::string got;
        engine_talk_free(t_);
        t_ = nullptr;
        if (e_)
            tx_ = Transcript();
        engine_free(e_);
        e_ = nullptr;
        if (fs_) {
            int failed = fakesrv_finish(fs_);
            got = fakesrv_received(fs_);
            EXPECT_EQ(failed, 0) << fakesrv_why(fs_);
            fakesrv_free(fs_);
            fs_ = nullptr;
        }
        return got;
    }

    std::string Transcript()
    {
        const smtp_transcript *t = engine_transcript(e_);
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

    std::string Error()
    {
        return engine_talk_error(t_)->msg;
    }

    std::vector<fakesrv_step> steps_;
    fakesrv *fs_ = nullptr;
    smtp_tls_ctx *client_tls_ = nullptr;
    engine *e_ = nullptr;
    engine_talk *t_ = nullptr;
    std::string tx_; // the transcript, after Finish()
};

std::string Talk::dir_;
smtp_tls_ctx *Talk::server_tls_ = nullptr;

// AUTH PLAIN typed with its initial response: sent as typed, shown redacted.
TEST_F(Talk, TypedAuthPlainIsRedacted)
{
    Start({Expect("EHLO laptop.example"), Send("250-mx.test\r\n250 AUTH PLAIN LOGIN\r\n"),
           Expect("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"), Send("235 2.7.0 ok\r\n"), Expect("QUIT"),
           Send("221 bye\r\n")});
    EXPECT_EQ(Line("EHLO laptop.example"), ENGINE_TALK_OK);
    EXPECT_EQ(Line("AUTH PLAIN AHVzZXIAcGFzcw=="), ENGINE_TALK_OK);
    EXPECT_EQ(engine_talk_end(t_), ENGINE_TALK_OVER);
    EXPECT_EQ(engine_talk_error(t_)->cls, SMTP_ERR_NONE) << Error();
    std::string tx = Transcript();
    EXPECT_NE(tx.find("C: AUTH PLAIN <redacted>\nS: 235 2.7.0 ok\n"), std::string::npos) << tx;
    EXPECT_EQ(tx.find("AHVzZXIAcGFzcw"), std::string::npos) << tx;
    EXPECT_NE(tx.find("C: QUIT\nS: 221 bye\n"), std::string::npos) << tx;
    EXPECT_NE(Finish().find("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"), std::string::npos);
}

// AUTH LOGIN typed: each line after 334 is a SASL response, shown redacted.
TEST_F(Talk, ResponsesAfter334AreRedacted)
{
    Start({Expect("AUTH LOGIN\r\n"), Send("334 VXNlcm5hbWU6\r\n"), Expect("dXNlcg==\r\n"),
           Send("334 UGFzc3dvcmQ6\r\n"), Expect("cGFzcw==\r\n"), Send("235 ok\r\n"), Expect("QUIT"),
           Send("221 bye\r\n")});
    EXPECT_EQ(Line("AUTH LOGIN"), ENGINE_TALK_OK);
    EXPECT_EQ(engine_talk_mode(t_), ENGINE_TALK_SASL);
    EXPECT_EQ(Line("dXNlcg=="), ENGINE_TALK_OK);
    EXPECT_EQ(Line("cGFzcw=="), ENGINE_TALK_OK);
    EXPECT_EQ(engine_talk_mode(t_), ENGINE_TALK_COMMAND);
    EXPECT_EQ(Line("QUIT"), ENGINE_TALK_OVER);
    std::string tx = Transcript();
    EXPECT_NE(tx.find("C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: <redacted>\nS: 334 UGFzc3dvcmQ6\n"
                      "C: <redacted>\nS: 235 ok\n"),
              std::string::npos)
        << tx;
    EXPECT_EQ(tx.find("dXNlcg"), std::string::npos);
    EXPECT_EQ(tx.find("cGFzcw"), std::string::npos);
}

// .auth makes the base64 (smtp_sasl); neither it nor the password shows.
TEST_F(Talk, DotAuthEncodesAndRedacts)
{
    Start({Expect("AUTH PLAIN AHVzZXIAcyBlIGMgcmV0\r\n"), Send("235 ok\r\n"),
           Expect("AUTH LOGIN\r\n"), Send("334 VXNlcm5hbWU6\r\n"), Expect("dXNlcg==\r\n"),
           Send("334 UGFzc3dvcmQ6\r\n"), Expect("cyBlIGMgcmV0\r\n"), Send("535 no\r\n"),
           Expect("QUIT"), Send("221 bye\r\n")});
    EXPECT_EQ(Line(".auth PLAIN user s e c ret"), ENGINE_TALK_OK) << Error();
    EXPECT_EQ(Line(".auth login user s e c ret"), ENGINE_TALK_OK) << Error();
    EXPECT_EQ(Line(".auth PLAIN user"), ENGINE_TALK_REFUSED);
    EXPECT_EQ(Error(), "usage: .auth PLAIN|LOGIN|CRAM-MD5 USER PASSWORD");
    EXPECT_EQ(Line(".auth XOAUTH2 user pass"), ENGINE_TALK_REFUSED);
    EXPECT_EQ(engine_talk_end(t_), ENGINE_TALK_OVER);
    std::string tx = Transcript();
    EXPECT_NE(tx.find(">: .auth PLAIN user <redacted>\nC: AUTH PLAIN <redacted>\nS: 235 ok\n"),
              std::string::npos)
        << tx;
    EXPECT_NE(tx.find(">: .auth LOGIN user <redacted>\nC: AUTH LOGIN\n"), std::string::npos) << tx;
    EXPECT_EQ(tx.find("s e c ret"), std::string::npos) << tx;
    EXPECT_EQ(tx.find("cyBlIGMgcmV0"), std::string::npos) << tx;
    EXPECT_EQ(tx.find("AHVzZXIA"), std::string::npos) << tx;
}

// After 354 the lines are the message: dot-stuffed, a tab allowed, "." ends it.
TEST_F(Talk, MessageIsDotStuffed)
{
    Start({Expect("MAIL FROM:<a@b.test>"), Send("250 ok\r\n"), Expect("RCPT TO:<c@d.test>"),
           Send("250 ok\r\n"), Expect("DATA"), Send("354 go\r\n"), Expect("Subject: x\r\n"),
           Expect("\r\n"), Expect("..leading\r\n"), Expect("...two\r\n"), Expect("\tindented\r\n"),
           Expect(".\r\n"), Send("250 queued\r\n"), Expect("QUIT"), Send("221 bye\r\n")});
    EXPECT_EQ(Line("MAIL FROM:<a@b.test>"), ENGINE_TALK_OK);
    EXPECT_EQ(Line("RCPT TO:<c@d.test>"), ENGINE_TALK_OK);
    EXPECT_EQ(Line("DATA"), ENGINE_TALK_OK);
    EXPECT_EQ(engine_talk_mode(t_), ENGINE_TALK_MESSAGE);
    for (const char *l : {"Subject: x", "", ".leading", "..two", "\tindented"})
        EXPECT_EQ(Line(l), ENGINE_TALK_OK) << l;
    EXPECT_EQ(Line("."), ENGINE_TALK_OK);
    EXPECT_EQ(engine_talk_mode(t_), ENGINE_TALK_COMMAND);
    EXPECT_NE(Transcript().find("S: 250 queued\n"), std::string::npos);
    EXPECT_EQ(engine_talk_end(t_), ENGINE_TALK_OVER);
}

// Lines SMTP does not allow are refused with a reason, and never sent.
TEST_F(Talk, RefusedLinesAreNotSent)
{
    // The script points into these: they live as long as the test.
    const std::string cmd510 = "NOOP " + std::string(505, 'x');
    const std::string auth998 = "AUTH PLAIN " + std::string(987, 'A');
    const std::string text998 = std::string(998, 'm') + "\r\n";
    Start({Expect(cmd510.c_str()), Send("250 ok\r\n"), Expect("AUTH PLAIN AAAA"),
           Send("535 no\r\n"), Expect("DATA"), Send("354 go\r\n"), Expect(text998.c_str()),
           Expect(".\r\n"), Send("250 ok\r\n"), Expect("QUIT"), Send("221 bye\r\n")});
    struct {
        std::string line;
        const char *why;
    } refused[] = {
        {cmd510 + "x", "line of 511 octets not sent: a command line is at most 510 octets and "
                       "CRLF (RFC 5321 4.5.3.1.4)"},
        {std::string("NOOP a\0b", 8), "NUL byte at column 7: line not sent"},
        {"NOOP \x1b[31m", "control byte 0x1b at column 6: line not sent"},
        {"NOOP\ta", "control byte 0x09 at column 5: line not sent"},
        {"NOOP a\rRSET", "control byte 0x0d at column 7: line not sent"},
        {"NOOP \x7f", "control byte 0x7f at column 6: line not sent"},
        {".frob", "unknown command '.frob' (.auth, .starttls, .help)"},
    };
    for (const auto &r : refused) {
        EXPECT_EQ(Line(r.line), ENGINE_TALK_REFUSED) << r.why;
        EXPECT_EQ(Error(), r.why);
    }
    EXPECT_EQ(Line(""), ENGINE_TALK_OK); // nothing: no command
    EXPECT_EQ(Line(".help"), ENGINE_TALK_HELP);
    EXPECT_NE(std::string(engine_talk_help()).find(".auth MECH USER PASSWORD"), std::string::npos);
    EXPECT_EQ(Line(cmd510), ENGINE_TALK_OK);
    EXPECT_EQ(Line(auth998 + "A"), ENGINE_TALK_REFUSED);
    EXPECT_EQ(Error(), "line of 999 octets not sent: a text line is at most 998 octets and CRLF "
                       "(RFC 5321 4.5.3.1.6)");
    EXPECT_EQ(Line(auth998), ENGINE_TALK_OK); // AUTH: a text line's length
    EXPECT_EQ(Line("DATA"), ENGINE_TALK_OK);
    EXPECT_EQ(Line(std::string(999, 'm')), ENGINE_TALK_REFUSED);
    EXPECT_EQ(Line(std::string("a\0b", 3)), ENGINE_TALK_REFUSED);
    EXPECT_EQ(engine_talk_overlong(t_, 5000), ENGINE_TALK_REFUSED);
    EXPECT_EQ(Error(), "line of 5000 octets not sent: a text line is at most 998 octets and CRLF "
                       "(RFC 5321 4.5.3.1.6)");
    EXPECT_EQ(Line(std::string(998, 'm')), ENGINE_TALK_OK);
    EXPECT_EQ(Line("."), ENGINE_TALK_OK);
    EXPECT_EQ(engine_talk_end(t_), ENGINE_TALK_OVER);
    std::string got = Finish();
    EXPECT_EQ(got.find("\x1b"), std::string::npos);
    EXPECT_EQ(got.find("RSET"), std::string::npos);
    EXPECT_EQ(got.find(".frob"), std::string::npos);
}

// The guide's cause 6: AUTH before STARTTLS, refused; the base64 typed next
// is not sent as a command (nor shown).
TEST_F(Talk, Base64AfterARefusedAuthIsKeptBack)
{
    Start({Expect("AUTH LOGIN"), Send("503 5.5.1 Error: authentication not enabled\r\n"),
           Expect("RSET"), Send("250 ok\r\n"), Expect("QUIT"), Send("221 bye\r\n")});
    EXPECT_EQ(Line("AUTH LOGIN"), ENGINE_TALK_OK);
    EXPECT_EQ(Line("dXNlckBleGFtcGxlLmNvbQ=="), ENGINE_TALK_REFUSED);
    EXPECT_EQ(Error(), "line not sent: it looks like an AUTH response, and the server asked for "
                       "none (it answered AUTH with 503, not 334)");
    EXPECT_EQ(Line("c2VjcmV0cGFzcw=="), ENGINE_TALK_REFUSED);
    EXPECT_EQ(Line("RSET"), ENGINE_TALK_OK);
    EXPECT_EQ(engine_talk_end(t_), ENGINE_TALK_OVER);
    std::string got = Finish();
    EXPECT_EQ(got.find("dXNlck"), std::string::npos) << got;
    EXPECT_EQ(tx_.find("dXNlck"), std::string::npos) << tx_;
}

// A server that says 235 (or 354) to AUTH at once asked for no response
// either: the base64 typed next is kept back, not sent nor shown.
TEST_F(Talk, Base64AfterAnAuthSaidYesAtOnceIsKeptBack)
{
    Start({Expect("AUTH LOGIN"), Send("235 2.7.0 fine\r\n"), Expect("AUTH LOGIN"),
           Send("354 go on\r\n"), Expect("QUIT"), Send("221 bye\r\n")});
    EXPECT_EQ(Line("AUTH LOGIN"), ENGINE_TALK_OK);
    EXPECT_EQ(Line("czNjcjN0UGFzc3dvcmQ="), ENGINE_TALK_REFUSED);
    EXPECT_EQ(Line("AUTH LOGIN"), ENGINE_TALK_OK);
    EXPECT_EQ(Line("czNjcjN0UGFzc3dvcmQ="), ENGINE_TALK_REFUSED);
    EXPECT_EQ(engine_talk_end(t_), ENGINE_TALK_OVER);
    std::string got = Finish();
    EXPECT_EQ(got.find("czNjcjN0"), std::string::npos) << got;
    EXPECT_EQ(tx_.find("czNjcjN0"), std::string::npos) << tx_;
}

// .starttls in the middle: a real handshake, then the session goes on under TLS.
TEST_F(Talk, StartTlsMidSession)
{
    Start({Expect("EHLO a"),
           Send("250-mx\r\n250 STARTTLS\r\n"),
           Expect("STARTTLS"),
           Send("220 go\r\n"),
           {FS_STARTTLS, nullptr, 0, 0},
           Expect("EHLO a"),
           Send("250-mx\r\n250 AUTH PLAIN\r\n"),
           Expect("QUIT"),
           Send("221 bye\r\n")});
    smtp_tls_chain chain;
    smtp_tls_ctx_keep_chain(client_tls_, &chain);
    EXPECT_EQ(Line("EHLO a"), ENGINE_TALK_OK);
    EXPECT_EQ(Line(".starttls"), ENGINE_TALK_OK) << Error();
    EXPECT_TRUE(engine_tls(e_));
    EXPECT_EQ(chain.have_session, 1);
    EXPECT_EQ(Line(".starttls"), ENGINE_TALK_REFUSED); // once is enough
    EXPECT_EQ(Error(), "TLS is already active");
    EXPECT_EQ(Line("EHLO a"), ENGINE_TALK_OK);
    EXPECT_EQ(Line("quit"), ENGINE_TALK_OVER);
    EXPECT_EQ(engine_talk_error(t_)->cls, SMTP_ERR_NONE);
    std::string tx = Transcript();
    EXPECT_NE(tx.find(">: .starttls\nC: STARTTLS\nS: 220 go\n*: TLS started: TLSv1.3"),
              std::string::npos)
        << tx;
}

// The end of input inside a message: nothing more is sent (a QUIT would be
// a line of the message), and the transcript says the message was dropped.
TEST_F(Talk, EndOfInputInsideTheMessage)
{
    Start({Expect("DATA"), Send("354 go\r\n")});
    EXPECT_EQ(Line("DATA"), ENGINE_TALK_OK);
    EXPECT_EQ(Line("half a message"), ENGINE_TALK_OK);
    EXPECT_EQ(engine_talk_end(t_), ENGINE_TALK_OVER);
    EXPECT_EQ(engine_talk_error(t_)->cls, SMTP_ERR_NONE);
    std::string tx = Transcript();
    EXPECT_NE(tx.find("message not sent"), std::string::npos) << tx;
    EXPECT_EQ(tx.find("C: QUIT"), std::string::npos) << tx;
    EXPECT_EQ(tx.find("half a message"), std::string::npos) << tx; // kept, never sent
}

// The server ends it: 421 (RFC 5321 3.8) is the end, with the reason.
TEST_F(Talk, ServerEndsTheSession)
{
    Start({Expect("NOOP"), Send("421 4.3.2 shutting down\r\n")});
    EXPECT_EQ(Line("NOOP"), ENGINE_TALK_OVER);
    EXPECT_EQ(engine_talk_error(t_)->cls, SMTP_ERR_CONN);
    EXPECT_EQ(Error(), "the server ended the session with 421");
    EXPECT_EQ(Line("NOOP"), ENGINE_TALK_REFUSED);
    EXPECT_EQ(Error(), "the session is over");
    EXPECT_EQ(engine_talk_end(t_), ENGINE_TALK_OVER);
}

// A server that hangs up: the session broke, and says how.
TEST_F(Talk, ServerHangsUp)
{
    Start({Expect("NOOP"), {FS_CLOSE, nullptr, 0, 0}});
    EXPECT_EQ(Line("NOOP"), ENGINE_TALK_OVER);
    EXPECT_EQ(engine_talk_error(t_)->cls, SMTP_ERR_CONN);
    EXPECT_EQ(Error(), "connection closed by the server");
}

} // namespace

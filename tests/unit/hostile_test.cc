// relaylab send against servers that misbehave. Each must end within its
// --timeout plus one second, exit non-zero (not by a signal), and say why.
//
// With RELAYLAB_VALGRIND set (to valgrind's path), relaylab runs under
// "valgrind --error-exitcode=99 --track-origins=yes": a read of
// uninitialised memory makes it exit 99 instead of the expected code
// (ctest valgrind.send_refusals runs the Refusal cases so).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <jansson.h>

#include "badbyte.h"
#include "fakesrv.h"
#include "smtp_transport.h"

namespace
{

const long kTimeoutS = 2;

struct Outcome {
    int status = -1;
    long elapsed_ms = 0;
    std::string err;
    std::string out; /* stdout, when not silent */
};

const char *Valgrind()
{
    const char *v = getenv("RELAYLAB_VALGRIND");
    return v && *v ? v : nullptr;
}

// Slack over --timeout: valgrind needs seconds to start relaylab.
long SlackMs()
{
    return Valgrind() ? 30000 : 1000;
}

// RunSend - relaylab send --server (the fake server) --timeout, then extra;
// the server does TLS with tls, and stdin is input when not null.
Outcome RunSend(const std::vector<fakesrv_step> &steps, const std::vector<std::string> &extra,
                smtp_tls_ctx *tls = nullptr, const std::string *input = nullptr)
{
    int port = 0;
    fakesrv *fs = fakesrv_listen(steps.data(), steps.size(), tls, &port);
    EXPECT_NE(fs, nullptr);
    std::string server = "127.0.0.1:" + std::to_string(port);
    std::string timeout = std::to_string(kTimeoutS);
    std::vector<std::string> args = {RELAYLAB_BIN, "send",      "--server",
                                     server,       "--timeout", timeout};
    char in_path[] = "/tmp/relaylab-hostile-in.XXXXXX";
    int in_fd = -1;
    if (input) {
        in_fd = mkstemp(in_path);
        EXPECT_GE(in_fd, 0);
        EXPECT_EQ(write(in_fd, input->data(), input->size()), (ssize_t)input->size());
        lseek(in_fd, 0, SEEK_SET);
        unlink(in_path);
    }
    if (Valgrind())
        args.insert(args.begin(), {Valgrind(), "-q", "--error-exitcode=99", "--track-origins=yes"});
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    int pipefd[2];
    EXPECT_EQ(pipe(pipefd), 0);
    char out_path[] = "/tmp/relaylab-hostile-out.XXXXXX";
    int out_fd = mkstemp(out_path);
    EXPECT_GE(out_fd, 0);
    Outcome run;
    long t0 = smtp_transport_now();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        dup2(out_fd, 1);
        if (in_fd >= 0)
            dup2(in_fd, 0);
        execv(argv[0], argv.data());
        _exit(127);
    }
    if (in_fd >= 0)
        close(in_fd);
    close(pipefd[1]);
    char buf[4096];
    ssize_t n;
    while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
        run.err.append(buf, (size_t)n);
    close(pipefd[0]);
    waitpid(pid, &run.status, 0);
    run.elapsed_ms = smtp_transport_now() - t0;
    lseek(out_fd, 0, SEEK_SET);
    while ((n = read(out_fd, buf, sizeof(buf))) > 0)
        run.out.append(buf, (size_t)n);
    close(out_fd);
    unlink(out_path);
    fakesrv_finish(fs);
    fakesrv_free(fs);
    return run;
}

Outcome SendAgainst(const std::vector<fakesrv_step> &steps, std::vector<std::string> extra = {},
                    bool silent = true)
{
    std::vector<std::string> args = {"--to", "x@y.test"};
    if (silent)
        args.push_back("--silent");
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSend(steps, args);
}

void ExpectCleanFailure(const Outcome &r, int exit_code, const char *message)
{
    ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status);
    EXPECT_EQ(WEXITSTATUS(r.status), exit_code) << r.err;
    EXPECT_LT(r.elapsed_ms, kTimeoutS * 1000 + SlackMs());
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
}

TEST(Hostile, NeverAnswers)
{
    Outcome r = SendAgainst({{FS_SILENT, nullptr, 0, 10000}});
    ExpectCleanFailure(r, 5, "no complete reply within 2000 ms");
    EXPECT_GE(r.elapsed_ms, kTimeoutS * 1000 - 50);
}

TEST(Hostile, AnswersGarbage)
{
    Outcome r = SendAgainst({{FS_SEND, "SSH-2.0-OpenSSH_9.2\r\n", 0, 0}});
    ExpectCleanFailure(r, 6,
                       "malformed reply: reply line does not start with a reply code: "
                       "SSH-2.0-OpenSSH_9.2");
}

TEST(Hostile, TenMegabyteLine)
{
    Outcome r = SendAgainst({{FS_REPEAT, "2", 10 * 1024 * 1024, 0}});
    ExpectCleanFailure(r, 6, "reply line too long");
}

TEST(Hostile, TenThousandLineReply)
{
    static std::string reply;
    for (int i = 0; i < 10000; i++)
        reply += "220-still greeting you\r\n";
    reply += "220 done\r\n";
    Outcome r = SendAgainst({{FS_SEND, reply.c_str(), reply.size(), 0}});
    ExpectCleanFailure(r, 6, "too many lines in reply");
}

TEST(Hostile, NulBytes)
{
    static const char nul[] = "220 mx\0evil\r\n";
    Outcome r = SendAgainst({{FS_SEND, nul, sizeof(nul) - 1, 0}});
    ExpectCleanFailure(r, 6, "NUL byte in reply: 220 mx\\x00evil");
}

TEST(Hostile, ClosesMidReply)
{
    Outcome r =
        SendAgainst({{FS_SEND, "220-mx.test\r\n220-still", 0, 0}, {FS_CLOSE, nullptr, 0, 0}});
    ExpectCleanFailure(r, 6, "connection closed in the middle of a reply");
}

TEST(Hostile, ClosesAtOnce)
{
    Outcome r = SendAgainst({{FS_CLOSE, nullptr, 0, 0}});
    ExpectCleanFailure(r, 4, "connection closed by the server");
}

TEST(Hostile, DripsOneByteASecond)
{
    Outcome r = SendAgainst({{FS_DRIP, "220 mx.test ESMTP at a crawl\r\n", 0, 1000}});
    ExpectCleanFailure(r, 5, "no complete reply within 2000 ms");
}

TEST(Hostile, ClosesDuringTlsHandshake)
{
    Outcome r = SendAgainst({{FS_SEND, "220 mx\r\n", 0, 0},
                             {FS_EXPECT, "EHLO", 0, 0},
                             {FS_SEND, "250-mx\r\n250 STARTTLS\r\n", 0, 0},
                             {FS_EXPECT, "STARTTLS", 0, 0},
                             {FS_SEND, "220 go ahead\r\n", 0, 0},
                             {FS_SEND, "\x16\x03\x01\x00\x05hello", 0, 0},
                             {FS_CLOSE, nullptr, 0, 0}},
                            {"--tls"});
    ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status);
    EXPECT_NE(WEXITSTATUS(r.status), 0);
    EXPECT_LT(r.elapsed_ms, kTimeoutS * 1000 + SlackMs());
}

TEST(Hostile, StartTlsNotOffered)
{
    Outcome r = SendAgainst({{FS_SEND, "220 mx\r\n", 0, 0},
                             {FS_EXPECT, "EHLO", 0, 0},
                             {FS_SEND, "250 mx\r\n", 0, 0},
                             {FS_EXPECT, "QUIT", 0, 0},
                             {FS_SEND, "221 bye\r\n", 0, 0}},
                            {"--tls"});
    ExpectCleanFailure(r, 23, "STARTTLS not offered");
}

TEST(Hostile, RelayDeniedNamesTheStage)
{
    Outcome r = SendAgainst({{FS_SEND, "220 mx\r\n", 0, 0},
                             {FS_EXPECT, "EHLO", 0, 0},
                             {FS_SEND, "250 mx\r\n", 0, 0},
                             {FS_EXPECT, "MAIL", 0, 0},
                             {FS_SEND, "250 2.1.0 Ok\r\n", 0, 0},
                             {FS_EXPECT, "RCPT", 0, 0},
                             {FS_SEND, "554 5.7.1 <x@y.test>: Relay access denied\r\n", 0, 0},
                             {FS_EXPECT, "QUIT", 0, 0},
                             {FS_SEND, "221 bye\r\n", 0, 0}});
    ExpectCleanFailure(r, 26, "rcpt: no recipient accepted (last reply 554)");
}

// A banner with markup, ESC, BEL, 0xFF, a CDATA end and a C1 CSI.
const char kBanner[] = "220 <script>alert(1)</script> \x1b[31mred\x1b[0m \x07 \xff ]]> "
                       "\xc2\x9b"
                       "2J \\ mx\r\n";
const char kBannerShown[] = "220 <script>alert(1)</script> \\x1b[31mred\\x1b[0m \\x07 \\xff ]]> "
                            "\\xc2\\x9b2J \\\\ mx";

std::vector<fakesrv_step> HostileDialogue()
{
    static std::string refusal = "554-5.7.1 \x1b]0;owned\x07 " + std::string(2000, 'x') +
                                 "\r\n554 5.7.1 \xe2\x80\xae \xed\xa0\x80 \x1b[2J\r\n";
    return {{FS_SEND, kBanner, 0, 0},
            {FS_EXPECT, "EHLO", 0, 0},
            {FS_SEND, "250-mx \x1b[1m\r\n250 8BITMIME \xc0\xaf\r\n", 0, 0},
            {FS_EXPECT, "MAIL", 0, 0},
            {FS_SEND, "250 2.1.0 Ok\r\n", 0, 0},
            {FS_EXPECT, "RCPT", 0, 0},
            {FS_SEND, refusal.c_str(), refusal.size(), 0},
            {FS_EXPECT, "QUIT", 0, 0},
            {FS_SEND, "221 \x07bye\r\n", 0, 0}};
}

// Nothing a server says reaches the terminal raw: transcript, error line.
TEST(Hostile, TextOutputIsClean)
{
    Outcome r = SendAgainst(HostileDialogue(), {}, false);
    ExpectCleanFailure(r, 26, "rcpt: no recipient accepted (last reply 554)");
    EXPECT_EQ(BadByte(r.out), -1) << r.out;
    EXPECT_EQ(BadByte(r.err), -1) << r.err;
    EXPECT_NE(r.out.find(std::string("S: ") + kBannerShown + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(std::string(2000, 'x')), std::string::npos) << "the long line whole";
    EXPECT_NE(r.out.find("\\xe2\\x80\\xae \\xed\\xa0\\x80 \\x1b[2J"), std::string::npos);
}

TEST(Hostile, JsonOutputIsCleanAndParses)
{
    Outcome r = SendAgainst(HostileDialogue(), {"--json"}, false);
    ASSERT_TRUE(WIFEXITED(r.status));
    EXPECT_EQ(WEXITSTATUS(r.status), 26) << r.err;
    EXPECT_EQ(BadByte(r.out), -1) << r.out;
    json_error_t jerr;
    json_t *root = json_loads(r.out.c_str(), 0, &jerr);
    ASSERT_NE(root, nullptr) << jerr.text << "\n" << r.out;
    json_t *tx = json_object_get(root, "transcript");
    ASSERT_GE(json_array_size(tx), 6u);
    EXPECT_STREQ(json_string_value(json_object_get(json_array_get(tx, 1), "line")), kBannerShown);
    EXPECT_STREQ(json_string_value(json_object_get(root, "result")), "refused");
    json_decref(root);
}

TEST(Hostile, RefusedBannerOnStderrIsClean)
{
    Outcome r = SendAgainst({{FS_SEND, "554 \x1b[31mgo away\x07\xff\r\n", 0, 0},
                             {FS_EXPECT, "QUIT", 0, 0},
                             {FS_SEND, "221 bye\r\n", 0, 0}});
    ExpectCleanFailure(r, 21,
                       "relaylab send: banner refused with 554: 554 \\x1b[31mgo away\\x07\\xff");
    EXPECT_EQ(BadByte(r.err), -1) << r.err;
}

// The fake server's TLS: a certificate whose name (subject CN and DNS
// subjectAltName) holds ESC, BEL and a C1 CSI (smtp_tls_make_certs).
smtp_tls_ctx *HostileTls()
{
    static smtp_tls_ctx *ctx = nullptr;
    if (ctx)
        return ctx;
    char dir[] = "/tmp/relaylab-hostile-tls.XXXXXX";
    smtp_error err;
    smtp_error_clear(&err);
    EXPECT_NE(mkdtemp(dir), nullptr);
    EXPECT_EQ(smtp_tls_make_certs(dir,
                                  "\x1b[31mevil\x07\x9b"
                                  "2J.test",
                                  nullptr, &err),
              0)
        << err.msg;
    std::string d = dir;
    ctx = smtp_tls_server_ctx((d + "/cert.pem").c_str(), (d + "/key.pem").c_str(), &err);
    EXPECT_NE(ctx, nullptr) << err.msg;
    EXPECT_EQ(system(("rm -rf " + d).c_str()), 0);
    return ctx;
}

// STARTTLS, then EHLO again and QUIT: the dialogue of --tls --quit-after helo.
std::vector<fakesrv_step> StartTlsDialogue()
{
    return {{FS_SEND, "220 mx\r\n", 0, 0},
            {FS_EXPECT, "EHLO", 0, 0},
            {FS_SEND, "250-mx\r\n250 STARTTLS\r\n", 0, 0},
            {FS_EXPECT, "STARTTLS", 0, 0},
            {FS_SEND, "220 go ahead\r\n", 0, 0},
            {FS_STARTTLS, nullptr, 0, 0},
            {FS_EXPECT, "EHLO", 0, 0},
            {FS_SEND, "250 mx\r\n", 0, 0},
            {FS_EXPECT, "QUIT", 0, 0},
            {FS_SEND, "221 bye\r\n", 0, 0}};
}

// --show-cert: the certificate's ESC and BEL reach the terminal as \x1b, \x07.
TEST(Hostile, ShowCertSanitizesTheCertificate)
{
    Outcome r =
        RunSend(StartTlsDialogue(), {"--tls", "--show-cert", "--quit-after", "helo"}, HostileTls());
    ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status);
    EXPECT_EQ(WEXITSTATUS(r.status), 0) << r.err;
    EXPECT_EQ(BadByte(r.out), -1) << r.out;
    EXPECT_NE(
        r.out.find("    subject:   O=relaylab test, CN=\\x1b[31mevil\\x07\\xc2\\x9b2J.test\n"),
        std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("    alt names: DNS:\\x1b[31mevil\\x07\\x9b2J.test\n"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(" verify result: "), std::string::npos) << r.out;
}

TEST(Hostile, ShowCertJsonIsCleanAndParses)
{
    Outcome r = RunSend(StartTlsDialogue(),
                        {"--tls", "--show-cert", "--quit-after", "helo", "--json"}, HostileTls());
    ASSERT_TRUE(WIFEXITED(r.status));
    EXPECT_EQ(WEXITSTATUS(r.status), 0) << r.err;
    EXPECT_EQ(BadByte(r.out), -1) << r.out;
    json_error_t jerr;
    json_t *root = json_loads(r.out.c_str(), 0, &jerr);
    ASSERT_NE(root, nullptr) << jerr.text << "\n" << r.out;
    json_t *cert =
        json_array_get(json_object_get(json_object_get(root, "certificates"), "chain"), 0);
    EXPECT_STREQ(json_string_value(json_object_get(cert, "subject")),
                 "O=relaylab test, CN=\\x1b[31mevil\\x07\\xc2\\x9b2J.test");
    EXPECT_STREQ(json_string_value(json_object_get(cert, "validity")), "valid");
    json_decref(root);
}

// --interactive fed a file: AUTH redacted, a server's ESC sanitized, bad
// lines refused on stderr with their numbers (exit 2), never sent.
TEST(Hostile, InteractiveFromAFile)
{
    const std::string input = "EHLO a\n"
                              "NOOP \x1b[31m\n"
                              "AUTH PLAIN AHVzZXIAcGFzcw==\r\n" +
                              std::string(600, 'x') + "\n" + std::string(5000, 'y') +
                              "\n"
                              "MAIL FROM:<a@b.test>\n";
    Outcome r = RunSend({{FS_SEND, "220 mx \x1b[2J\r\n", 0, 0},
                         {FS_EXPECT, "EHLO a\r\n", 0, 0},
                         {FS_SEND, "250-mx\r\n250 AUTH PLAIN\r\n", 0, 0},
                         {FS_EXPECT, "AUTH PLAIN AHVzZXIAcGFzcw==\r\n", 0, 0},
                         {FS_SEND, "235 \x07ok\r\n", 0, 0},
                         {FS_EXPECT, "MAIL FROM:<a@b.test>\r\n", 0, 0},
                         {FS_SEND, "250 ok\r\n", 0, 0},
                         {FS_EXPECT, "QUIT", 0, 0},
                         {FS_SEND, "221 bye\r\n", 0, 0}},
                        {"--interactive"}, nullptr, &input);
    ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status);
    EXPECT_EQ(WEXITSTATUS(r.status), 2) << r.err;
    EXPECT_EQ(BadByte(r.out), -1) << r.out;
    EXPECT_EQ(BadByte(r.err), -1) << r.err;
    EXPECT_NE(r.out.find("S: 220 mx \\x1b[2J\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("C: AUTH PLAIN <redacted>\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("S: 235 \\x07ok\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("S: 221 bye\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("AHVzZXIA"), std::string::npos) << r.out;
    EXPECT_EQ(r.err,
              "relaylab send: input line 2: control byte 0x1b at column 6: line not sent\n"
              "relaylab send: input line 4: line of 600 octets not sent: a command line is at "
              "most 510 octets and CRLF (RFC 5321 4.5.3.1.4)\n"
              "relaylab send: input line 5: line of 5000 octets not sent: a command line is at "
              "most 510 octets and CRLF (RFC 5321 4.5.3.1.4)\n");
}

// --auth-user (which implies --auth): the opening runs through AUTH before
// the first line is read; nothing typed, the end of input sends QUIT.
TEST(Hostile, InteractiveOpensThroughAuth)
{
    const std::string input;
    Outcome r = RunSend({{FS_SEND, "220 mx\r\n", 0, 0},
                         {FS_EXPECT, "EHLO relaylab.test\r\n", 0, 0},
                         {FS_SEND, "250-mx\r\n250 AUTH PLAIN\r\n", 0, 0},
                         {FS_EXPECT, "AUTH PLAIN AHUAcA==\r\n", 0, 0},
                         {FS_SEND, "235 ok\r\n", 0, 0},
                         {FS_EXPECT, "QUIT", 0, 0},
                         {FS_SEND, "221 bye\r\n", 0, 0}},
                        {"-i", "--auth-user", "u", "--auth-password", "p"}, nullptr, &input);
    ASSERT_TRUE(WIFEXITED(r.status));
    EXPECT_EQ(WEXITSTATUS(r.status), 0) << r.err;
    EXPECT_NE(r.out.find("C: AUTH PLAIN <redacted>\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("S: 221 bye\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("AHUAcA"), std::string::npos) << r.out;
}

// A server that hangs up in the middle: exit 4, said on stderr.
TEST(Hostile, InteractiveServerHangsUp)
{
    const std::string input = "NOOP\nNOOP\n";
    Outcome r = RunSend(
        {{FS_SEND, "220 mx\r\n", 0, 0}, {FS_EXPECT, "NOOP", 0, 0}, {FS_CLOSE, nullptr, 0, 0}},
        {"--interactive"}, nullptr, &input);
    ExpectCleanFailure(r, 4, "relaylab send: the session ended: connection closed by the server");
}

// A server that refuses one stage of the envelope: MAIL, RCPT or DATA.
// The error names the stage and the code, and nothing else: no reply text
// or enhanced code left over from an earlier stage or from the stack.
std::vector<fakesrv_step> Refusing(const char *stage)
{
    std::vector<fakesrv_step> steps = {{FS_SEND, "220 mx\r\n", 0, 0},
                                       {FS_EXPECT, "EHLO", 0, 0},
                                       {FS_SEND, "250 mx\r\n", 0, 0},
                                       {FS_EXPECT, "MAIL", 0, 0}};
    std::string s = stage;
    if (s == "mail") {
        steps.push_back({FS_SEND, "554 5.7.1 <relaylab@relaylab.test>: Sender rejected\r\n", 0, 0});
        steps.push_back({FS_EXPECT, "RCPT", 0, 0});
        steps.push_back({FS_SEND, "503 5.5.1 Error: need MAIL command\r\n", 0, 0});
    } else {
        steps.push_back({FS_SEND, "250 2.1.0 Ok\r\n", 0, 0});
        steps.push_back({FS_EXPECT, "RCPT", 0, 0});
        if (s == "rcpt") {
            steps.push_back({FS_SEND, "554 5.7.1 <x@y.test>: Relay access denied\r\n", 0, 0});
        } else {
            steps.push_back({FS_SEND, "250 2.1.5 Ok\r\n", 0, 0});
            steps.push_back({FS_EXPECT, "DATA", 0, 0});
            steps.push_back({FS_SEND, "554 5.5.1 Error: no valid recipients\r\n", 0, 0});
        }
    }
    steps.push_back({FS_EXPECT, "QUIT", 0, 0});
    steps.push_back({FS_SEND, "221 2.0.0 Bye\r\n", 0, 0});
    return steps;
}

struct RefusalCase {
    const char *stage;
    int exit_code;
    const char *err; // the whole of stderr
    const char *message;
};

const RefusalCase kRefusals[] = {
    {"mail", 25, "relaylab send: mail refused with 554 (exit 25)\n", "mail refused with 554"},
    {"rcpt", 26, "relaylab send: rcpt: no recipient accepted (last reply 554) (exit 26)\n",
     "no recipient accepted (last reply 554)"},
    {"data", 27, "relaylab send: data refused with 554 (exit 27)\n", "data refused with 554"},
};

TEST(Refusal, ErrorTextIsExact)
{
    for (const auto &c : kRefusals) {
        std::vector<fakesrv_step> steps = Refusing(c.stage);
        Outcome r = SendAgainst(steps);
        ASSERT_TRUE(WIFEXITED(r.status)) << c.stage << ": killed by signal " << WTERMSIG(r.status);
        EXPECT_EQ(WEXITSTATUS(r.status), c.exit_code) << c.stage << ": " << r.err;
        EXPECT_EQ(r.err, c.err) << c.stage;
    }
}

TEST(Refusal, JsonErrorHasNoStaleFields)
{
    for (const auto &c : kRefusals) {
        std::vector<fakesrv_step> steps = Refusing(c.stage);
        Outcome r = SendAgainst(steps, {"--json"});
        ASSERT_TRUE(WIFEXITED(r.status)) << c.stage << ": killed by signal " << WTERMSIG(r.status);
        EXPECT_EQ(WEXITSTATUS(r.status), c.exit_code) << c.stage << ": " << r.err;
        json_error_t jerr;
        json_t *root = json_loads(r.out.c_str(), 0, &jerr);
        ASSERT_NE(root, nullptr) << c.stage << ": " << jerr.text << "\n" << r.out;
        EXPECT_STREQ(json_string_value(json_object_get(root, "result")), "refused") << c.stage;
        EXPECT_STREQ(json_string_value(json_object_get(root, "stage")), c.stage);
        json_t *e = json_object_get(root, "error");
        ASSERT_TRUE(json_is_object(e)) << r.out;
        EXPECT_STREQ(json_string_value(json_object_get(e, "class")), "reply") << c.stage;
        EXPECT_STREQ(json_string_value(json_object_get(e, "message")), c.message) << c.stage;
        EXPECT_EQ(json_integer_value(json_object_get(e, "code")), 554) << c.stage;
        // The envelope's replies are in the transcript; the error record
        // holds no enhanced code or reply text that is not this stage's.
        EXPECT_EQ(json_object_get(e, "enhanced"), nullptr)
            << c.stage << ": " << json_string_value(json_object_get(e, "enhanced"));
        EXPECT_EQ(json_object_get(e, "reply"), nullptr)
            << c.stage << ": " << json_string_value(json_object_get(e, "reply"));
        json_decref(root);
    }
}

// Every numeric option, given a bad number: exit 2 and one message that
// names the flag and the range. The other arguments make each command stop
// early (no such scenario, nothing listening) if a bad number got through.
struct CliRun {
    int status = -1;
    std::string err;
};

CliRun Relaylab(std::vector<std::string> args)
{
    args.insert(args.begin(), RELAYLAB_BIN);
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int pipefd[2];
    EXPECT_EQ(pipe(pipefd), 0);
    CliRun run;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(pipefd[1]);
    char buf[4096];
    ssize_t n;
    while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
        run.err.append(buf, (size_t)n);
    close(pipefd[0]);
    waitpid(pid, &run.status, 0);
    return run;
}

TEST(Numbers, BadNumbersAreUsageErrors)
{
    const std::vector<std::string> run = {"run", "/nonexistent/x.scn"};
    const std::vector<std::string> fuzz = {"fuzz", "--mta", "postfix", "--scenario",
                                           "/nonexistent/x.scn"};
    const std::vector<std::string> send = {"send", "--server", "127.0.0.1:1", "--to", "a@b.test"};
    struct {
        std::vector<std::string> base;
        std::vector<std::string> flag;
        const char *err;
    } cases[] = {
        {run, {"--jobs", "-3"}, "relaylab: --jobs: expected 1..64, got '-3'\n"},
        {run, {"-j", "2x"}, "relaylab: --jobs: expected 1..64, got '2x'\n"},
        {run, {"--repeat", "0"}, "relaylab: --repeat: expected 1..1000, got '0'\n"},
        {run,
         {"--repeat", "4294967297"},
         "relaylab: --repeat: expected 1..1000, got '4294967297'\n"},
        {run,
         {"--shard", "2/1"},
         "relaylab: --shard: expected K/N with 1 <= K <= N <= 262144, got '2/1'\n"},
        {run,
         {"--shard", "1/x"},
         "relaylab: --shard: expected K/N with 1 <= K <= N <= 262144, got '1/x'\n"},
        {run,
         {"--shard", "1/2/3"},
         "relaylab: --shard: expected K/N with 1 <= K <= N <= 262144, got '1/2/3'\n"},
        {fuzz, {"--max-findings", "-1"}, "relaylab: --max-findings: expected 1..16, got '-1'\n"},
        {fuzz, {"--time", "0"}, "relaylab: --time: expected 1..86400, got '0'\n"},
        {fuzz,
         {"--time", "9223372036854775808"},
         "relaylab: --time: expected 1..86400, got '9223372036854775808'\n"},
        {fuzz, {"--seed", "-1"}, "relaylab: --seed: expected 0..18446744073709551615, got '-1'\n"},
        {fuzz,
         {"--seed", "12ab"},
         "relaylab: --seed: expected 0..18446744073709551615, got '12ab'\n"},
        {send, {"--repeat", "0"}, "relaylab: --repeat: expected 1..10000000, got '0'\n"},
        {send, {"--concurrency", "257"}, "relaylab: --concurrency: expected 1..256, got '257'\n"},
        {send, {"--port", "70000"}, "relaylab: --port: expected 1..65535, got '70000'\n"},
        {send, {"--port", "0"}, "relaylab: --port: expected 1..65535, got '0'\n"},
        {send,
         {"--server", "127.0.0.1:99999"},
         "relaylab: --server: port: expected 1..65535, got '99999'\n"},
        {send,
         {"--timeout", "-1"},
         "relaylab: --timeout: expected 0.001..86400 (seconds), got '-1'\n"},
        {send,
         {"--total-timeout", "1e9"},
         "relaylab: --total-timeout: expected 0.001..86400 (seconds), got '1e9'\n"},
    };
    for (const auto &c : cases) {
        std::vector<std::string> args = c.base;
        args.insert(args.end(), c.flag.begin(), c.flag.end());
        CliRun r = Relaylab(args);
        std::string what = args[0] + " " + c.flag[0] + " " + c.flag[1];
        ASSERT_TRUE(WIFEXITED(r.status)) << what;
        EXPECT_EQ(WEXITSTATUS(r.status), 2) << what << ": " << r.err;
        EXPECT_EQ(r.err, c.err) << what;
    }
}

// --show-cert without TLS or with --repeat, --interactive with flags for
// the dialogue it does not run: usage errors, before anything connects.
TEST(Numbers, ShowCertAndInteractiveUsage)
{
    const std::vector<std::string> send = {"send", "--server", "127.0.0.1:1"};
    struct {
        std::vector<std::string> flags;
        const char *err;
    } cases[] = {
        {{"--to", "a@b.test", "--show-cert"},
         "relaylab send: --show-cert needs --tls or --tls-on-connect\n"},
        {{"--to", "a@b.test", "--tls", "--show-cert", "--repeat", "2"},
         "relaylab send: --show-cert is for one dialogue, not --repeat\n"},
        {{"--interactive", "--to", "a@b.test"},
         "relaylab send: --interactive takes no --json, --data, --to, --pipeline or --repeat: "
         "type the envelope and the message\n"},
        {{"-i", "--json"},
         "relaylab send: --interactive takes no --json, --data, --to, --pipeline or --repeat: "
         "type the envelope and the message\n"},
        {{"--interactive", "--quit-after", "rcpt"},
         "relaylab send: with --interactive, --quit-after is connect, banner, first-helo, tls, "
         "helo or auth\n"},
    };
    for (const auto &c : cases) {
        std::vector<std::string> args = send;
        args.insert(args.end(), c.flags.begin(), c.flags.end());
        CliRun r = Relaylab(args);
        ASSERT_TRUE(WIFEXITED(r.status));
        EXPECT_EQ(WEXITSTATUS(r.status), 2) << c.err;
        EXPECT_EQ(r.err, c.err);
    }
}

} // namespace

// relaylab send against servers that misbehave. Each must end within its
// --timeout plus one second, exit non-zero (not by a signal), and say why.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "fakesrv.h"
#include "smtp_transport.h"

namespace
{

const long kTimeoutS = 2;

struct Outcome {
    int status = -1;
    long elapsed_ms = 0;
    std::string err;
};

Outcome SendAgainst(const std::vector<fakesrv_step> &steps, std::vector<std::string> extra = {})
{
    int port = 0;
    fakesrv *fs = fakesrv_listen(steps.data(), steps.size(), nullptr, &port);
    EXPECT_NE(fs, nullptr);
    std::string server = "127.0.0.1:" + std::to_string(port);
    std::string timeout = std::to_string(kTimeoutS);
    std::vector<std::string> args = {RELAYLAB_BIN, "send",      "--server", server,    "--to",
                                     "x@y.test",   "--timeout", timeout,    "--silent"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    int pipefd[2];
    EXPECT_EQ(pipe(pipefd), 0);
    Outcome run;
    long t0 = smtp_transport_now();
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
    run.elapsed_ms = smtp_transport_now() - t0;
    fakesrv_finish(fs);
    fakesrv_free(fs);
    return run;
}

void ExpectCleanFailure(const Outcome &r, int exit_code, const char *message)
{
    ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status);
    EXPECT_EQ(WEXITSTATUS(r.status), exit_code) << r.err;
    EXPECT_LT(r.elapsed_ms, kTimeoutS * 1000 + 1000);
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
    EXPECT_LT(r.elapsed_ms, kTimeoutS * 1000 + 1000);
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

} // namespace

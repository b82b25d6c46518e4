// smtp_tls_peer_chain through real handshakes (a fake server over a
// socketpair, certificates made by smtp_tls_make_certs or the openssl
// command): what the struct holds for a chain as sent, one verified
// against the CA, one verification refused, a hostile certificate (its
// bytes kept raw: showing them is the sanitizer's job), dates out of
// range, a chain too long to keep.
#include <gtest/gtest.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fakesrv.h"
#include "smtp_transport.h"

namespace
{

const long kX509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20;
const long kX509_V_ERR_HOSTNAME_MISMATCH = 62;

std::string Capture(const std::string &cmd)
{
    std::string out;
    FILE *p = popen(cmd.c_str(), "r");
    char buf[512];
    size_t n;
    if (p == nullptr)
        return out;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        out.append(buf, n);
    pclose(p);
    return out;
}

std::string Hex(const unsigned char *md, size_t n)
{
    std::string s;
    char b[4];
    for (size_t i = 0; i < n; i++) {
        snprintf(b, sizeof(b), "%s%02X", i ? ":" : "", md[i]);
        s += b;
    }
    return s;
}

// "notBefore=Jan  1 00:00:00 2020 GMT" (openssl x509 -dates) as smtp_tls writes it
std::string OpensslDate(const std::string &line)
{
    struct tm tm = {};
    char out[64];
    const char *v = line.c_str() + line.find('=') + 1;
    if (strptime(v, "%b %d %H:%M:%S %Y GMT", &tm) == nullptr)
        return "?";
    strftime(out, sizeof(out), "%Y-%m-%d %H:%M:%S UTC", &tm);
    return out;
}

class Chain : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/relaylab-chain-test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        smtp_error_clear(&err_);
        memset(&chain_, 0x55, sizeof(chain_)); // no field left as it was
    }
    void TearDown() override
    {
        Hangup();
        smtp_tls_ctx_free(client_);
        smtp_tls_ctx_free(server_);
        system(("rm -rf " + dir_).c_str());
    }

    // Our end closed, the server's thread waits no more.
    void Hangup()
    {
        smtp_tls_free(tls_);
        tls_ = nullptr;
        if (fd_ >= 0)
            close(fd_);
        fd_ = -1;
        if (fs_) {
            fakesrv_finish(fs_);
            fakesrv_free(fs_);
        }
        fs_ = nullptr;
    }

    void Certs(const char *name, const char *ip)
    {
        ASSERT_EQ(smtp_tls_make_certs(dir_.c_str(), name, ip, &err_), 0) << err_.msg;
    }

    void Serve(const std::string &cert, const std::string &key)
    {
        server_ = smtp_tls_server_ctx(cert.c_str(), key.c_str(), &err_);
        ASSERT_NE(server_, nullptr) << err_.msg;
    }

    // The handshake on client_ (made if not yet): the server's side in a fakesrv thread.
    smtp_tls *Handshake(smtp_tls_verify verify, const char *ca, const char *name,
                        const fakesrv_step *steps = kHandshake, size_t nsteps = 1)
    {
        if (client_ == nullptr && (client_ = smtp_tls_client_ctx(verify, ca, &err_)) == nullptr) {
            ADD_FAILURE() << err_.msg;
            return nullptr;
        }
        smtp_tls_ctx_keep_chain(client_, &chain_);
        fs_ = fakesrv_pair(steps, nsteps, server_, &fd_);
        EXPECT_NE(fs_, nullptr);
        return smtp_tls_connect(client_, fd_, name, name, smtp_transport_now() + 5000, &err_);
    }

    static const fakesrv_step kHandshake[1];
    std::string dir_;
    smtp_error err_;
    smtp_tls_chain chain_;
    smtp_tls_ctx *server_ = nullptr;
    smtp_tls_ctx *client_ = nullptr;
    smtp_tls *tls_ = nullptr;
    fakesrv *fs_ = nullptr;
    int fd_ = -1;
};

const fakesrv_step Chain::kHandshake[1] = {{FS_STARTTLS, nullptr, 0, 0}};

std::string Str(const char *s, size_t len)
{
    return std::string(s, len);
}

// The chain as the server sent it: only its own certificate; not verified
// (no CA here), and the struct says so at depth 0.
TEST_F(Chain, AsSentWithoutVerification)
{
    Certs("mx.relaylab.test", "127.0.0.1");
    Serve(dir_ + "/cert.pem", dir_ + "/key.pem");
    tls_ = Handshake(SMTP_TLS_VERIFY_NONE, nullptr, nullptr);
    ASSERT_NE(tls_, nullptr) << err_.msg;
    EXPECT_EQ(chain_.have_session, 1);
    EXPECT_EQ(chain_.complete, 1);
    EXPECT_EQ(chain_.verify_peer, 0);
    EXPECT_NE(chain_.verify_result, 0);
    EXPECT_EQ(std::string(chain_.session).rfind("TLSv1.3 ", 0), 0u) << chain_.session;
    ASSERT_EQ(chain_.ncerts, 1u);
    EXPECT_EQ(chain_.certs_dropped, 0u);
    const smtp_tls_cert &c = chain_.certs[0];
    EXPECT_EQ(c.depth, 0);
    EXPECT_EQ(c.sent, 1);
    EXPECT_EQ(Str(c.subject, c.subject_len), "O=relaylab test, CN=mx.relaylab.test");
    EXPECT_EQ(Str(c.issuer, c.issuer_len), "O=relaylab test, CN=relaylab test CA");
    EXPECT_EQ(c.subject_cut, 0);
    EXPECT_EQ(c.issuer_cut, 0);
    EXPECT_EQ(c.validity, SMTP_TLS_VALID);
    ASSERT_EQ(c.nsans, 2u);
    EXPECT_STREQ(c.sans[0].kind, "DNS");
    EXPECT_EQ(Str(c.sans[0].value, c.sans[0].len), "mx.relaylab.test");
    EXPECT_STREQ(c.sans[1].kind, "IP");
    EXPECT_EQ(Str(c.sans[1].value, c.sans[1].len), "127.0.0.1");
    EXPECT_EQ(c.sans_dropped, 0u);
    EXPECT_EQ(c.verify_error, kX509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    EXPECT_STREQ(smtp_tls_verify_string(c.verify_error), "unable to get local issuer certificate");
    EXPECT_STREQ(smtp_tls_verify_string(0), "ok");

    // The fingerprint and dates as the openssl command, written apart, sees them.
    std::string cert = dir_ + "/cert.pem";
    std::string fp = Capture("openssl x509 -noout -fingerprint -sha256 -in " + cert);
    ASSERT_NE(fp.find('='), std::string::npos) << fp;
    fp = fp.substr(fp.find('=') + 1);
    fp.erase(fp.find_last_not_of("\n") + 1);
    EXPECT_EQ(Hex(c.sha256, sizeof(c.sha256)), fp);
    EXPECT_EQ(c.not_before, OpensslDate(Capture("openssl x509 -noout -startdate -in " + cert)));
    EXPECT_EQ(c.not_after, OpensslDate(Capture("openssl x509 -noout -enddate -in " + cert)));
}

// Verified against the CA file: the CA, which the server did not send, comes
// after the server's certificate, from the trust store.
TEST_F(Chain, VerifiedAgainstTheCa)
{
    Certs("mx.relaylab.test", "127.0.0.1");
    Serve(dir_ + "/cert.pem", dir_ + "/key.pem");
    tls_ = Handshake(SMTP_TLS_VERIFY_NAME, (dir_ + "/ca.pem").c_str(), "mx.relaylab.test");
    ASSERT_NE(tls_, nullptr) << err_.msg;
    EXPECT_EQ(chain_.verify_peer, 1);
    EXPECT_EQ(chain_.verify_result, 0);
    ASSERT_EQ(chain_.ncerts, 2u);
    EXPECT_EQ(chain_.certs[0].sent, 1);
    EXPECT_EQ(chain_.certs[0].verify_error, 0);
    EXPECT_EQ(chain_.certs[1].depth, 1);
    EXPECT_EQ(chain_.certs[1].sent, 0);
    EXPECT_EQ(Str(chain_.certs[1].subject, chain_.certs[1].subject_len),
              "O=relaylab test, CN=relaylab test CA");
    EXPECT_EQ(chain_.certs[1].nsans, 0u);
    EXPECT_EQ(chain_.certs[1].verify_error, 0);
}

// smtp_tls_ctx_trust: the CA counts for the result, but is not enforced.
TEST_F(Chain, TrustedButNotEnforced)
{
    Certs("mx.relaylab.test", nullptr);
    Serve(dir_ + "/cert.pem", dir_ + "/key.pem");
    client_ = smtp_tls_client_ctx(SMTP_TLS_VERIFY_NONE, nullptr, &err_);
    ASSERT_NE(client_, nullptr);
    ASSERT_EQ(smtp_tls_ctx_trust(client_, (dir_ + "/ca.pem").c_str(), &err_), 0) << err_.msg;
    EXPECT_EQ(smtp_tls_ctx_trust(client_, (dir_ + "/missing.pem").c_str(), &err_), -1);
    EXPECT_EQ(err_.cls, SMTP_ERR_USAGE);
    tls_ = Handshake(SMTP_TLS_VERIFY_NONE, nullptr, nullptr);
    ASSERT_NE(tls_, nullptr) << err_.msg;
    EXPECT_EQ(chain_.verify_peer, 0);
    EXPECT_EQ(chain_.verify_result, 0);
    EXPECT_EQ(chain_.ncerts, 2u);
}

// What verification refused is kept: --show-cert is for seeing it.
TEST_F(Chain, RefusedChainIsKept)
{
    Certs("mx.relaylab.test", "127.0.0.1");
    Serve(dir_ + "/cert.pem", dir_ + "/key.pem");
    tls_ = Handshake(SMTP_TLS_VERIFY_NAME, (dir_ + "/ca.pem").c_str(), "wrong.example");
    ASSERT_EQ(tls_, nullptr);
    EXPECT_EQ(err_.cls, SMTP_ERR_TLS);
    EXPECT_NE(std::string(err_.msg).find("hostname mismatch"), std::string::npos) << err_.msg;
    EXPECT_EQ(chain_.have_session, 1);
    EXPECT_EQ(chain_.complete, 0);
    EXPECT_EQ(chain_.verify_result, kX509_V_ERR_HOSTNAME_MISMATCH);
    ASSERT_GE(chain_.ncerts, 1u);
    EXPECT_EQ(chain_.certs[0].verify_error, kX509_V_ERR_HOSTNAME_MISMATCH);
    EXPECT_EQ(Str(chain_.certs[0].subject, chain_.certs[0].subject_len),
              "O=relaylab test, CN=mx.relaylab.test");
}

// A server that hangs up before any certificate: nothing to show.
TEST_F(Chain, NoCertificateNoChain)
{
    static const fakesrv_step hangup[] = {{FS_CLOSE, nullptr, 0, 0}};
    tls_ = Handshake(SMTP_TLS_VERIFY_NONE, nullptr, nullptr, hangup, 1);
    EXPECT_EQ(tls_, nullptr);
    EXPECT_EQ(err_.cls, SMTP_ERR_CONN) << err_.msg;
    EXPECT_EQ(chain_.have_session, 0);
    EXPECT_EQ(chain_.ncerts, 0u);
}

// A certificate made with ESC, BEL, DEL and a C1 CSI in its name: the
// struct holds the bytes as they are (in UTF-8), for smtp_sanitize() to
// show; smtp_tls escapes nothing itself (report_cert_test shows them).
TEST_F(Chain, HostileBytesKeptRaw)
{
    const char *name = "\x1b[31mevil\x07\x7f\x9b"
                       "2J.test";
    Certs(name, nullptr);
    Serve(dir_ + "/cert.pem", dir_ + "/key.pem");
    tls_ = Handshake(SMTP_TLS_VERIFY_NONE, nullptr, nullptr);
    ASSERT_NE(tls_, nullptr) << err_.msg;
    ASSERT_EQ(chain_.ncerts, 1u);
    const smtp_tls_cert &c = chain_.certs[0];
    // The CN went in as Latin-1 (MBSTRING_ASC): 0x9b is U+009B, C2 9B in UTF-8.
    EXPECT_EQ(Str(c.subject, c.subject_len),
              std::string("O=relaylab test, CN=\x1b[31mevil\x07\x7f\xc2\x9b"
                          "2J.test"));
    ASSERT_EQ(c.nsans, 1u);
    EXPECT_EQ(Str(c.sans[0].value, c.sans[0].len), std::string(name));
}

// Dates out of range, from the openssl command's own CA (openssl ca
// takes any start and end date): expired, and not valid yet.
TEST_F(Chain, ValidityOutOfRange)
{
    struct {
        const char *start, *end;
        smtp_tls_validity want;
        const char *not_before;
    } cases[] = {
        {"20200101000000Z", "20200201000000Z", SMTP_TLS_EXPIRED, "2020-01-01 00:00:00 UTC"},
        {"20990101000000Z", "20990201000000Z", SMTP_TLS_NOT_YET, "2099-01-01 00:00:00 UTC"},
    };
    std::ofstream(dir_ + "/ca.cnf") << "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\n"
                                       "new_certs_dir = .\nserial = serial\npolicy = p\n"
                                       "default_md = sha256\n[p]\ncommonName = supplied\n";
    std::string cd = "cd " + dir_ + " && ";
    ASSERT_EQ(system((cd + "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                           "-keyout k.pem -out r.csr -subj /CN=dated.test 2>/dev/null")
                         .c_str()),
              0);
    for (const auto &c : cases) {
        std::string make = cd + ": > index.txt && echo 01 > serial && openssl ca -config ca.cnf " +
                           "-selfsign -keyfile k.pem -in r.csr -startdate " + c.start +
                           " -enddate " + c.end + " -batch -notext -out d.pem 2>/dev/null";
        ASSERT_EQ(system(make.c_str()), 0) << make;
        Hangup();
        smtp_tls_ctx_free(server_);
        Serve(dir_ + "/d.pem", dir_ + "/k.pem");
        tls_ = Handshake(SMTP_TLS_VERIFY_NONE, nullptr, nullptr);
        ASSERT_NE(tls_, nullptr) << err_.msg;
        ASSERT_EQ(chain_.ncerts, 1u);
        EXPECT_EQ(chain_.certs[0].validity, c.want) << c.start;
        EXPECT_STREQ(chain_.certs[0].not_before, c.not_before);
    }
}

// A server that sends more certificates than the struct keeps: the first
// SMTP_TLS_CHAIN_MAX, and a count of the rest.
TEST_F(Chain, LongChainIsCut)
{
    Certs("mx.relaylab.test", nullptr);
    std::string chain_file = dir_ + "/chain.pem";
    std::string cmd = "cat " + dir_ + "/cert.pem";
    for (int i = 0; i < SMTP_TLS_CHAIN_MAX + 3; i++)
        cmd += " " + dir_ + "/ca.pem";
    ASSERT_EQ(system((cmd + " > " + chain_file).c_str()), 0);
    Serve(chain_file, dir_ + "/key.pem");
    tls_ = Handshake(SMTP_TLS_VERIFY_NONE, nullptr, nullptr);
    ASSERT_NE(tls_, nullptr) << err_.msg;
    EXPECT_EQ(chain_.ncerts, (size_t)SMTP_TLS_CHAIN_MAX);
    EXPECT_EQ(chain_.certs_dropped, 4u); // 1 + 11 sent, 8 kept
    for (size_t i = 0; i < chain_.ncerts; i++)
        EXPECT_EQ(chain_.certs[i].sent, 1) << i;
}

} // namespace

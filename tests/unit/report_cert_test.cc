// report_cert: a server's certificate chain for people and machines
// (relaylab send --show-cert). A chain laid out by hand, exactly as
// shown; one full of hostile bytes, which must come out sanitized in the
// text and the JSON; and the chain of a real handshake with a hostile
// certificate (smtp_tls_make_certs with ESC and BEL in its name).
#include <gtest/gtest.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include <jansson.h>

#include "badbyte.h"
#include "fakesrv.h"
#include "report_cert.h"
#include "smtp_sanitize.h"
#include "smtp_transport.h"

namespace
{

void Set(char *dst, size_t size, size_t *len, const std::string &s)
{
    size_t n = s.size() < size - 1 ? s.size() : size - 1;
    memcpy(dst, s.data(), n);
    dst[n] = 0;
    *len = n;
}

void San(smtp_tls_cert *c, const char *kind, const std::string &value)
{
    smtp_tls_san *s = &c->sans[c->nsans++];
    snprintf(s->kind, sizeof(s->kind), "%s", kind);
    Set(s->value, sizeof(s->value), &s->len, value);
}

smtp_tls_cert *Cert(smtp_tls_chain *chain, int depth, int sent, const std::string &subject,
                    const std::string &issuer)
{
    smtp_tls_cert *c = &chain->certs[chain->ncerts++];
    c->depth = depth;
    c->sent = sent;
    Set(c->subject, sizeof(c->subject), &c->subject_len, subject);
    Set(c->issuer, sizeof(c->issuer), &c->issuer_len, issuer);
    snprintf(c->not_before, sizeof(c->not_before), "2026-11-29 11:00:00 UTC");
    snprintf(c->not_after, sizeof(c->not_after), "2026-12-29 12:00:00 UTC");
    for (int i = 0; i < SMTP_TLS_SHA256_LEN; i++)
        c->sha256[i] = (unsigned char)(depth * 0x20 + i);
    return c;
}

std::unique_ptr<smtp_tls_chain> Benign()
{
    auto chain = std::make_unique<smtp_tls_chain>();
    memset(chain.get(), 0, sizeof(smtp_tls_chain));
    chain->have_session = 1;
    chain->complete = 1;
    snprintf(chain->session, sizeof(chain->session), "TLSv1.3 TLS_AES_256_GCM_SHA384");
    chain->verify_peer = 1;
    smtp_tls_cert *c = Cert(chain.get(), 0, 1, "O=relaylab test, CN=mx.relaylab.test",
                            "O=relaylab test, CN=relaylab test CA");
    San(c, "DNS", "mx.relaylab.test");
    San(c, "IP", "127.0.0.10");
    Cert(chain.get(), 1, 0, "O=relaylab test, CN=relaylab test CA",
         "O=relaylab test, CN=relaylab test CA");
    return chain;
}

std::string Text(const smtp_tls_chain *chain)
{
    char *buf = nullptr;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    EXPECT_EQ(report_cert_text(fp, chain), 0);
    fclose(fp);
    std::string s(buf, size);
    free(buf);
    return s;
}

TEST(ReportCert, TextAsShown)
{
    auto chain = Benign();
    EXPECT_EQ(Text(chain.get()),
              "TLS certificates (TLSv1.3 TLS_AES_256_GCM_SHA384):\n"
              " depth 0, sent by the server\n"
              "    subject:   O=relaylab test, CN=mx.relaylab.test\n"
              "    issuer:    O=relaylab test, CN=relaylab test CA\n"
              "    validity:  2026-11-29 11:00:00 UTC to 2026-12-29 12:00:00 UTC: valid now\n"
              "    alt names: DNS:mx.relaylab.test, IP:127.0.0.10\n"
              "    sha256:    00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:"
              "15:16:17:18:19:1A:1B:1C:1D:1E:1F\n"
              "    verify:    ok\n"
              " depth 1, from the trust store (not sent by the server)\n"
              "    subject:   O=relaylab test, CN=relaylab test CA\n"
              "    issuer:    O=relaylab test, CN=relaylab test CA\n"
              "    validity:  2026-11-29 11:00:00 UTC to 2026-12-29 12:00:00 UTC: valid now\n"
              "    alt names: none\n"
              "    sha256:    20:21:22:23:24:25:26:27:28:29:2A:2B:2C:2D:2E:2F:30:31:32:33:34:"
              "35:36:37:38:39:3A:3B:3C:3D:3E:3F\n"
              "    verify:    ok\n"
              " verify result: 0 (ok), enforced\n");
}

TEST(ReportCert, NoSession)
{
    smtp_tls_chain chain;
    memset(&chain, 0, sizeof(chain));
    EXPECT_EQ(Text(&chain), "TLS certificates: none (no TLS session)\n");
    json_t *j = report_cert_json(&chain);
    ASSERT_NE(j, nullptr);
    EXPECT_TRUE(json_is_null(json_object_get(j, "session")));
    EXPECT_EQ(json_array_size(json_object_get(j, "chain")), 0u);
    json_decref(j);
}

// Every kind of byte the sanitizer escapes, in every string a certificate gives.
const std::string kHostileName = std::string("O=\x1b[31mred\x1b[0m, CN=a\x07") + '\0' +
                                 "b \xc2\x9b"
                                 "2J \xe2\x80\xae \xe2\x80\xa8 \xff \\ \xed\xa0\x80";
const std::string kHostileShown = "O=\\x1b[31mred\\x1b[0m, CN=a\\x07\\x00b \\xc2\\x9b2J "
                                  "\\xe2\\x80\\xae \\xe2\\x80\\xa8 \\xff \\\\ \\xed\\xa0\\x80";

std::unique_ptr<smtp_tls_chain> Hostile()
{
    auto chain = Benign();
    smtp_tls_cert *c = &chain->certs[0];
    Set(c->subject, sizeof(c->subject), &c->subject_len, kHostileName);
    // A name smtp_tls cut to fit: shown with "..." after it.
    Set(c->issuer, sizeof(c->issuer), &c->issuer_len, std::string(600, 'i'));
    c->issuer_cut = 1;
    c->nsans = 0;
    San(c, "DNS", "\x1b]0;owned\x07.test");
    San(c, "URI", "http://x/\r\nInjected: yes");
    c->sans_dropped = 3;
    c->validity = SMTP_TLS_EXPIRED;
    c->verify_error = 10;
    chain->certs[1].validity = SMTP_TLS_NOT_YET;
    chain->certs_dropped = 2;
    chain->verify_result = 10;
    chain->verify_peer = 0;
    chain->complete = 0;
    return chain;
}

TEST(ReportCert, HostileTextIsSanitized)
{
    auto chain = Hostile();
    std::string text = Text(chain.get());
    EXPECT_EQ(BadByte(text), -1) << text;
    EXPECT_NE(text.find("    subject:   " + kHostileShown + "\n"), std::string::npos) << text;
    EXPECT_NE(text.find("    issuer:    " + std::string(SMTP_TLS_CERT_NAME_MAX - 1, 'i') + "...\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("    alt names: DNS:\\x1b]0;owned\\x07.test, "
                        "URI:http://x/\\x0d\\x0aInjected: yes (and 3 not shown)\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(": EXPIRED\n"), std::string::npos) << text;
    EXPECT_NE(text.find(": NOT YET VALID\n"), std::string::npos) << text;
    EXPECT_NE(text.find("    verify:    error 10: certificate has expired\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("    verify:    no error found at this depth\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find(" (and 2 more certificates not shown)\n"), std::string::npos) << text;
    EXPECT_NE(text.find("the handshake failed after they came"), std::string::npos) << text;
    EXPECT_NE(text.find(" verify result: 10 (certificate has expired), not enforced"),
              std::string::npos)
        << text;
}

TEST(ReportCert, HostileJsonIsSanitized)
{
    auto chain = Hostile();
    json_t *j = report_cert_json(chain.get());
    ASSERT_NE(j, nullptr);
    char *dumped = json_dumps(j, JSON_INDENT(2));
    ASSERT_NE(dumped, nullptr);
    std::string out = dumped;
    free(dumped);
    EXPECT_EQ(BadByte(out), -1) << out;
    json_t *c = json_array_get(json_object_get(j, "chain"), 0);
    EXPECT_EQ(json_string_value(json_object_get(c, "subject")), kHostileShown);
    EXPECT_TRUE(json_is_true(json_object_get(c, "issuer_cut")));
    std::string issuer = json_string_value(json_object_get(c, "issuer"));
    EXPECT_EQ(issuer.substr(issuer.size() - 3), "...");
    EXPECT_STREQ(json_string_value(json_object_get(c, "validity")), "expired");
    EXPECT_STREQ(json_string_value(json_array_get(json_object_get(c, "alt_names"), 0)),
                 "DNS:\\x1b]0;owned\\x07.test");
    EXPECT_EQ(json_integer_value(json_object_get(c, "alt_names_dropped")), 3);
    EXPECT_EQ(json_integer_value(json_object_get(json_object_get(c, "verify_error"), "code")), 10);
    EXPECT_TRUE(json_is_true(json_object_get(c, "sent")));
    EXPECT_EQ(json_integer_value(json_object_get(j, "chain_dropped")), 2);
    EXPECT_TRUE(json_is_false(json_object_get(j, "complete")));
    json_t *v = json_object_get(j, "verify");
    EXPECT_EQ(json_integer_value(json_object_get(v, "result")), 10);
    EXPECT_STREQ(json_string_value(json_object_get(v, "text")), "certificate has expired");
    EXPECT_TRUE(json_is_false(json_object_get(v, "enforced")));
    EXPECT_STREQ(json_string_value(
                     json_object_get(json_array_get(json_object_get(j, "chain"), 1), "validity")),
                 "not-yet-valid");
    json_decref(j);
}

// End to end: a real handshake with a certificate whose name holds ESC,
// BEL and a C1 CSI, as smtp_tls_make_certs writes it, then the report.
TEST(ReportCert, HostileCertificateFromAHandshake)
{
    char tmpl[] = "/tmp/relaylab-report-cert.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::string dir = tmpl;
    smtp_error err;
    smtp_error_clear(&err);
    ASSERT_EQ(smtp_tls_make_certs(tmpl,
                                  "\x1b[31mevil\x07\x9b"
                                  "2J.test",
                                  nullptr, &err),
              0)
        << err.msg;
    smtp_tls_ctx *server =
        smtp_tls_server_ctx((dir + "/cert.pem").c_str(), (dir + "/key.pem").c_str(), &err);
    ASSERT_NE(server, nullptr) << err.msg;
    smtp_tls_ctx *client = smtp_tls_client_ctx(SMTP_TLS_VERIFY_NONE, nullptr, &err);
    ASSERT_NE(client, nullptr);
    ASSERT_EQ(smtp_tls_ctx_trust(client, (dir + "/ca.pem").c_str(), &err), 0) << err.msg;
    auto chain = std::make_unique<smtp_tls_chain>();
    smtp_tls_ctx_keep_chain(client, chain.get());
    static const fakesrv_step steps[] = {{FS_STARTTLS, nullptr, 0, 0}};
    int fd = -1;
    fakesrv *fs = fakesrv_pair(steps, 1, server, &fd);
    ASSERT_NE(fs, nullptr);
    smtp_tls *tls =
        smtp_tls_connect(client, fd, nullptr, nullptr, smtp_transport_now() + 5000, &err);
    ASSERT_NE(tls, nullptr) << err.msg;
    smtp_tls_free(tls);
    close(fd);
    fakesrv_finish(fs);
    fakesrv_free(fs);

    std::string text = Text(chain.get());
    EXPECT_EQ(BadByte(text), -1) << text;
    EXPECT_EQ(text.find('\x1b'), std::string::npos);
    EXPECT_NE(text.find("    subject:   O=relaylab test, CN=\\x1b[31mevil\\x07\\xc2\\x9b2J.test\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("    alt names: DNS:\\x1b[31mevil\\x07\\x9b2J.test\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find(" verify result: 0 (ok), not enforced"), std::string::npos) << text;
    json_t *j = report_cert_json(chain.get());
    ASSERT_NE(j, nullptr);
    char *dumped = json_dumps(j, 0);
    EXPECT_EQ(BadByte(dumped), -1) << dumped;
    free(dumped);
    json_decref(j);
    smtp_tls_ctx_free(client);
    smtp_tls_ctx_free(server);
    system(("rm -rf " + dir).c_str());
}

} // namespace

/*++
 * NAME
 *	report_cert 3
 * SUMMARY
 *	a server's certificate chain for people and for machines
 * DESCRIPTION
 *	See report_cert.h. Both forms read the chain only; the text of a
 *	certificate goes through shown() (smtp_sanitize, and "..." when
 *	smtp_tls cut it) on its way to either.
 *--*/
#include <stdio.h>
#include <string.h>

#include "report_cert.h"
#include "smtp_sanitize.h"

/* Room for a name or an alternative name, sanitized, and the mark of a cut one. */
#define SHOWN_SIZE (SMTP_SANITIZE_SIZE(SMTP_TLS_CERT_NAME_MAX) + sizeof(SMTP_SANITIZE_MARK))

/* shown - certificate bytes through smtp_sanitize(), "..." after them when cut */

static const char *shown(const char *s, size_t len, int cut, char *out, size_t size)
{
    size_t n = smtp_sanitize(s, len, out, size);

    if (cut && n + sizeof(SMTP_SANITIZE_MARK) <= size)
        memcpy(out + n, SMTP_SANITIZE_MARK, sizeof(SMTP_SANITIZE_MARK));
    return out;
}

/* fingerprint - "AB:CD:..." as openssl x509 -fingerprint shows it */

static const char *fingerprint(const unsigned char *md, char *out, size_t size)
{
    size_t i, used = 0;

    out[0] = 0;
    for (i = 0; i < SMTP_TLS_SHA256_LEN && used + 4 <= size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%02X", i ? ":" : "", md[i]);
    return out;
}

/* report_cert_validity_name - the validity as a word */

const char *report_cert_validity_name(enum smtp_tls_validity validity)
{
    static const char *const names[] = {
        [SMTP_TLS_VALID] = "valid",
        [SMTP_TLS_NOT_YET] = "not-yet-valid",
        [SMTP_TLS_EXPIRED] = "expired",
        [SMTP_TLS_BAD_TIME] = "unreadable",
    };

    return (unsigned)validity < sizeof(names) / sizeof(names[0]) ? names[validity] : "unreadable";
}

/* validity_text - the validity for people */

static const char *validity_text(enum smtp_tls_validity validity)
{
    switch (validity) {
    case SMTP_TLS_VALID:
        return "valid now";
    case SMTP_TLS_NOT_YET:
        return "NOT YET VALID";
    case SMTP_TLS_EXPIRED:
        return "EXPIRED";
    default:
        return "dates unreadable";
    }
}

/* san_text - "DNS:name", sanitized */

static const char *san_text(const struct smtp_tls_san *san, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "%s:", san->kind);

    if (n < size)
        smtp_sanitize(san->value, san->len, out + n, size - n);
    return out;
}

/* cert_text - one certificate's lines */

static void cert_text(FILE *fp, const struct smtp_tls_chain *chain, const struct smtp_tls_cert *c)
{
    char buf[SHOWN_SIZE];
    char fp_text[3 * SMTP_TLS_SHA256_LEN + 1];
    size_t i;

    fprintf(fp, " depth %d, %s\n", c->depth,
            c->sent ? "sent by the server" : "from the trust store (not sent by the server)");
    fprintf(fp, "    subject:   %s\n",
            shown(c->subject, c->subject_len, c->subject_cut, buf, sizeof(buf)));
    fprintf(fp, "    issuer:    %s\n",
            shown(c->issuer, c->issuer_len, c->issuer_cut, buf, sizeof(buf)));
    fprintf(fp, "    validity:  %s to %s: %s\n", c->not_before, c->not_after,
            validity_text(c->validity));
    fprintf(fp, "    alt names:");
    for (i = 0; i < c->nsans; i++)
        fprintf(fp, "%s %s", i ? "," : "", san_text(&c->sans[i], buf, sizeof(buf)));
    if (c->nsans == 0)
        fprintf(fp, " none");
    if (c->sans_dropped)
        fprintf(fp, " (and %zu not shown)", c->sans_dropped);
    fprintf(fp, "\n    sha256:    %s\n", fingerprint(c->sha256, fp_text, sizeof(fp_text)));
    if (c->verify_error)
        fprintf(fp, "    verify:    error %ld: %s\n", c->verify_error,
                smtp_tls_verify_string(c->verify_error));
    else
        fprintf(fp, "    verify:    %s\n",
                chain->verify_result == 0 ? "ok" : "no error found at this depth");
}

/* report_cert_text - the chain for people */

int report_cert_text(FILE *fp, const struct smtp_tls_chain *chain)
{
    char session[SMTP_SANITIZE_SIZE(sizeof(chain->session))];
    size_t i;

    if (!chain->have_session) {
        fprintf(fp, "TLS certificates: none (no TLS session)\n");
        return ferror(fp) ? -1 : 0;
    }
    smtp_sanitize_str(chain->session, session, sizeof(session));
    fprintf(fp, "TLS certificates (%s)%s:%s\n", session,
            chain->complete ? "" : ", the handshake failed after they came",
            chain->ncerts ? "" : " none");
    for (i = 0; i < chain->ncerts; i++)
        cert_text(fp, chain, &chain->certs[i]);
    if (chain->certs_dropped)
        fprintf(fp, " (and %zu more certificates not shown)\n", chain->certs_dropped);
    fprintf(fp, " verify result: %ld (%s), %s\n", chain->verify_result,
            smtp_tls_verify_string(chain->verify_result),
            chain->verify_peer ? "enforced" : "not enforced: the session goes on whatever it is");
    return ferror(fp) ? -1 : 0;
}

/* verify_json - {"code", "text"} */

static json_t *verify_json(long code)
{
    char text[SMTP_SANITIZE_SIZE(128)];

    smtp_sanitize_str(smtp_tls_verify_string(code), text, sizeof(text));
    return json_pack("{s:I, s:s}", "code", (json_int_t)code, "text", text);
}

/* cert_json - one certificate as an object */

static json_t *cert_json(const struct smtp_tls_cert *c)
{
    char subject[SHOWN_SIZE], issuer[SHOWN_SIZE], san[SHOWN_SIZE];
    char fp_text[3 * SMTP_TLS_SHA256_LEN + 1];
    json_t *names = json_array();
    json_t *o;
    size_t i;
    int bad = names == NULL;

    for (i = 0; !bad && i < c->nsans; i++)
        bad |= json_array_append_new(names, json_string(san_text(&c->sans[i], san, sizeof(san))));
    if (bad) {
        json_decref(names);
        return NULL;
    }
    o = json_pack("{s:i, s:b, s:s, s:b, s:s, s:b, s:s, s:s, s:s, s:o, s:I, s:s, s:o}", "depth",
                  c->depth, "sent", c->sent, "subject",
                  shown(c->subject, c->subject_len, c->subject_cut, subject, sizeof(subject)),
                  "subject_cut", c->subject_cut, "issuer",
                  shown(c->issuer, c->issuer_len, c->issuer_cut, issuer, sizeof(issuer)),
                  "issuer_cut", c->issuer_cut, "not_before", c->not_before, "not_after",
                  c->not_after, "validity", report_cert_validity_name(c->validity), "alt_names",
                  names, "alt_names_dropped", (json_int_t)c->sans_dropped, "sha256",
                  fingerprint(c->sha256, fp_text, sizeof(fp_text)), "verify_error",
                  verify_json(c->verify_error));
    return o;
}

/* report_cert_json - the chain as one object */

json_t *report_cert_json(const struct smtp_tls_chain *chain)
{
    char session[SMTP_SANITIZE_SIZE(sizeof(chain->session))];
    json_t *certs = json_array();
    json_t *root;
    size_t i;
    int bad = certs == NULL;

    smtp_sanitize_str(chain->session, session, sizeof(session));
    for (i = 0; !bad && i < chain->ncerts; i++)
        bad |= json_array_append_new(certs, cert_json(&chain->certs[i]));
    if (bad) {
        json_decref(certs);
        return NULL;
    }
    root = json_pack("{s:o, s:b, s:{s:I, s:s, s:b}, s:o, s:I}", "session",
                     chain->have_session ? json_string(session) : json_null(), "complete",
                     chain->complete, "verify", "result", (json_int_t)chain->verify_result, "text",
                     smtp_tls_verify_string(chain->verify_result), "enforced", chain->verify_peer,
                     "chain", certs, "chain_dropped", (json_int_t)chain->certs_dropped);
    return root;
}

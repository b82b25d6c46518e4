/*++
 * NAME
 *	smtp_sasl 3
 * SUMMARY
 *	SASL responses for AUTH PLAIN, LOGIN and CRAM-MD5
 * DESCRIPTION
 *	See smtp_sasl.h. Base64 and HMAC come from OpenSSL through
 *	smtp_tls; nothing here is hand-rolled cryptography.
 *--*/
#include <string.h>

#include "smtp_sasl.h"
#include "smtp_tls.h"

/* check_field - refuse what cannot be sent in a SASL field */

static int check_field(const char *s, const char *what, struct smtp_error *err)
{
    size_t len = strlen(s);

    if (len > SMTP_SASL_FIELD_MAX)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s over %d octets", what,
                              SMTP_SASL_FIELD_MAX);
    if (strpbrk(s, "\r\n") != NULL)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "CR or LF in %s", what);
    return 0;
}

/* smtp_sasl_plain - RFC 4616 2 message, base64 */

long smtp_sasl_plain(const char *authzid, const char *user, const char *pass, char *out,
                     size_t size, struct smtp_error *err)
{
    unsigned char msg[3 * SMTP_SASL_FIELD_MAX + 2];
    size_t n = 0;
    size_t len;
    long b64;

    if (authzid == NULL)
        authzid = "";
    if (check_field(authzid, "authorization identity", err) < 0 ||
        check_field(user, "user name", err) < 0 || check_field(pass, "password", err) < 0)
        return -1;
    len = strlen(authzid);
    memcpy(msg + n, authzid, len);
    n += len;
    msg[n++] = 0;
    len = strlen(user);
    memcpy(msg + n, user, len);
    n += len;
    msg[n++] = 0;
    len = strlen(pass);
    memcpy(msg + n, pass, len);
    n += len;
    b64 = smtp_tls_base64_encode(msg, n, out, size);
    memset(msg, 0, sizeof(msg));
    if (b64 < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "SASL response too long");
    return b64;
}

/* smtp_sasl_encode - base64 of a string */

long smtp_sasl_encode(const char *text, char *out, size_t size, struct smtp_error *err)
{
    long n;

    if (check_field(text, "SASL field", err) < 0)
        return -1;
    if ((n = smtp_tls_base64_encode((const unsigned char *)text, strlen(text), out, size)) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "SASL response too long");
    return n;
}

/* smtp_sasl_decode - base64 into text */

long smtp_sasl_decode(const char *b64, size_t len, char *out, size_t size, struct smtp_error *err)
{
    long n;

    if (size == 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "no room to decode");
    n = smtp_tls_base64_decode(b64, len, (unsigned char *)out, size - 1);
    if (n < 0)
        return smtp_error_set(err, SMTP_ERR_PROTO, 0, "SASL challenge is not valid base64");
    out[n] = 0;
    return n;
}

/* smtp_sasl_cram_md5 - RFC 2195 2 */

long smtp_sasl_cram_md5(const char *user, const char *pass, const char *challenge_b64,
                        size_t challenge_len, char *out, size_t size, struct smtp_error *err)
{
    static const char hex[] = "0123456789abcdef";
    char challenge[SMTP_SASL_RESPONSE_MAX];
    char response[SMTP_SASL_FIELD_MAX + 1 + 32 + 1];
    unsigned char digest[16];
    long clen;
    size_t ulen;
    size_t i;

    if (check_field(user, "user name", err) < 0 || check_field(pass, "password", err) < 0)
        return -1;
    if ((clen = smtp_sasl_decode(challenge_b64, challenge_len, challenge, sizeof(challenge), err)) <
        0)
        return -1;
    if (smtp_tls_hmac_md5(pass, strlen(pass), challenge, (size_t)clen, digest) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "HMAC-MD5 failed");
    ulen = strlen(user);
    memcpy(response, user, ulen);
    response[ulen] = ' ';
    for (i = 0; i < 16; i++) {
        response[ulen + 1 + 2 * i] = hex[digest[i] >> 4];
        response[ulen + 2 + 2 * i] = hex[digest[i] & 15];
    }
    response[ulen + 33] = 0;
    return smtp_sasl_encode(response, out, size, err);
}

/* copy_field - one NUL-separated field */

static int copy_field(const char *s, size_t len, char *out)
{
    if (len > SMTP_SASL_FIELD_MAX)
        return -1;
    memcpy(out, s, len);
    out[len] = 0;
    return 0;
}

/* smtp_sasl_plain_decode - split an RFC 4616 message */

int smtp_sasl_plain_decode(const char *b64, size_t len, struct smtp_sasl_plain_fields *out,
                           struct smtp_error *err)
{
    char msg[3 * SMTP_SASL_FIELD_MAX + 3];
    const char *nul1;
    const char *nul2;
    long n;

    memset(out, 0, sizeof(*out));
    if ((n = smtp_sasl_decode(b64, len, msg, sizeof(msg), err)) < 0)
        return -1;
    if ((nul1 = memchr(msg, 0, (size_t)n)) == NULL ||
        (nul2 = memchr(nul1 + 1, 0, (size_t)(msg + n - nul1 - 1))) == NULL ||
        memchr(nul2 + 1, 0, (size_t)(msg + n - nul2 - 1)) != NULL)
        return smtp_error_set(err, SMTP_ERR_PROTO, 0, "PLAIN message needs exactly two NULs");
    if (copy_field(msg, (size_t)(nul1 - msg), out->authzid) < 0 ||
        copy_field(nul1 + 1, (size_t)(nul2 - nul1 - 1), out->user) < 0 ||
        copy_field(nul2 + 1, (size_t)(msg + n - nul2 - 1), out->pass) < 0)
        return smtp_error_set(err, SMTP_ERR_PROTO, 0, "PLAIN field too long");
    memset(msg, 0, sizeof(msg));
    return 0;
}

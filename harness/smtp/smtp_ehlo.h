/*++
 * NAME
 *	smtp_ehlo 3h
 * SUMMARY
 *	EHLO capability parser
 * SYNOPSIS
 *	#include "smtp_ehlo.h"
 *
 *	int	smtp_ehlo_parse(const struct smtp_reply *reply, struct smtp_ehlo *out)
 * DESCRIPTION
 *	smtp_ehlo_parse() reads the ehlo-lines of a 250 reply to EHLO
 *	(RFC 5321 4.1.1.1) into capability bits, the AUTH mechanisms
 *	(RFC 4954 3) and the SIZE limit (RFC 1870). Keywords are case
 *	insensitive. The obsolete "AUTH=MECH" form is read too.
 * DIAGNOSTICS
 *	Returns 0, or -1 when the reply is not a 250.
 *--*/
#ifndef SMTP_EHLO_H
#define SMTP_EHLO_H

#include <stddef.h>

#include "smtp_reply.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SMTP_EHLO_STARTTLS 0x0001            /* RFC 3207 */
#define SMTP_EHLO_AUTH 0x0002                /* RFC 4954 */
#define SMTP_EHLO_PIPELINING 0x0004          /* RFC 2920 */
#define SMTP_EHLO_SIZE 0x0008                /* RFC 1870 */
#define SMTP_EHLO_8BITMIME 0x0010            /* RFC 6152 */
#define SMTP_EHLO_SMTPUTF8 0x0020            /* RFC 6531 */
#define SMTP_EHLO_CHUNKING 0x0040            /* RFC 3030 */
#define SMTP_EHLO_DSN 0x0080                 /* RFC 3461 */
#define SMTP_EHLO_ENHANCEDSTATUSCODES 0x0100 /* RFC 2034 */
#define SMTP_EHLO_XCLIENT 0x0200             /* Postfix XCLIENT */
#define SMTP_EHLO_VRFY 0x0400
#define SMTP_EHLO_ETRN 0x0800

#define SMTP_AUTH_PLAIN 0x01    /* RFC 4616 */
#define SMTP_AUTH_LOGIN 0x02    /* draft-murchison-sasl-login */
#define SMTP_AUTH_CRAM_MD5 0x04 /* RFC 2195 */
#define SMTP_AUTH_OTHER 0x80    /* a mechanism relaylab does not speak */

struct smtp_ehlo {
    unsigned caps;               /* SMTP_EHLO_* */
    unsigned auth_mechs;         /* SMTP_AUTH_* */
    unsigned long long size_max; /* SIZE parameter, 0 if none or unlimited */
    size_t unknown;              /* keywords not recognised */
};

/* smtp_ehlo_parse - capabilities from a reply to EHLO */
int smtp_ehlo_parse(const struct smtp_reply *reply, struct smtp_ehlo *out);

/* smtp_ehlo_auth_mech - SMTP_AUTH_* for a mechanism name, 0 if unknown */
unsigned smtp_ehlo_auth_mech(const char *name, size_t len);

/* smtp_ehlo_auth_name - the name of one SMTP_AUTH_* bit */
const char *smtp_ehlo_auth_name(unsigned mech);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	smtp_path 3h
 * SUMMARY
 *	RFC 5321 path parser and relay-trick classifier
 * SYNOPSIS
 *	#include "smtp_path.h"
 *
 *	long	smtp_path_parse(const char *s, size_t len, struct smtp_path *out)
 * DESCRIPTION
 *	smtp_path_parse() reads a Reverse-path or Forward-path (RFC 5321
 *	4.1.2) at the start of s: "<" [A-d-l ":"] Mailbox ">" or "<>".
 *	It never allocates; local part, domain and source route come back
 *	as views into s. Input that breaks the grammar is still split as
 *	well as it can be, out->valid is 0 and out->error says why,
 *	because relay tests must send and recognise exactly such forms.
 *	out->tricks classifies the forms that were used to slip mail past
 *	relay checks: the percent hack, bang paths, several "@", a quoted
 *	"@", a trailing dot or "@", source routes, missing brackets.
 * DIAGNOSTICS
 *	Returns the bytes the path took, or -1 when there is no path at
 *	all (empty input, no closing ">").
 *--*/
#ifndef SMTP_PATH_H
#define SMTP_PATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 5321 4.5.3.1 */
#define SMTP_PATH_LOCAL_MAX 64
#define SMTP_PATH_DOMAIN_MAX 255
#define SMTP_PATH_MAX 256

#define SMTP_PATH_F_NULL 0x01        /* "<>" */
#define SMTP_PATH_F_QUOTED 0x02      /* quoted local part */
#define SMTP_PATH_F_LITERAL4 0x04    /* [1.2.3.4] */
#define SMTP_PATH_F_LITERAL6 0x08    /* [IPv6:...] */
#define SMTP_PATH_F_LITERAL_GEN 0x10 /* [tag:content] */
#define SMTP_PATH_F_NO_DOMAIN 0x20   /* no "@" (RCPT TO:<Postmaster>) */
#define SMTP_PATH_F_UTF8 0x40        /* octets over 127 (RFC 6531) */
#define SMTP_PATH_F_POSTMASTER 0x80  /* <Postmaster>, RFC 5321 4.1.1.3 */

#define SMTP_PATH_T_PERCENT 0x001      /* user%remote@relay */
#define SMTP_PATH_T_BANG 0x002         /* remote!user@relay */
#define SMTP_PATH_T_MULTI_AT 0x004     /* user@remote@relay */
#define SMTP_PATH_T_QUOTED_AT 0x008    /* "user@remote"@relay */
#define SMTP_PATH_T_TRAILING_DOT 0x010 /* user@remote. */
#define SMTP_PATH_T_TRAILING_AT 0x020  /* user@ */
#define SMTP_PATH_T_ROUTE 0x040        /* <@relay:user@remote> */
#define SMTP_PATH_T_NO_BRACKETS 0x080  /* user@remote without <> */
#define SMTP_PATH_T_LITERAL 0x100      /* user@[1.2.3.4] */

struct smtp_path {
    const char *local;
    size_t local_len;
    const char *domain; /* brackets included for address literals */
    size_t domain_len;
    const char *route; /* "@a,@b" without the ":" */
    size_t route_len;
    unsigned flags;    /* SMTP_PATH_F_* */
    unsigned tricks;   /* SMTP_PATH_T_* */
    int valid;         /* 1 when the path obeys RFC 5321 4.1.2 */
    const char *error; /* why not valid, static */
};

/* smtp_path_parse - parse a path at the start of s */
long smtp_path_parse(const char *s, size_t len, struct smtp_path *out);

/* smtp_path_trick_names - comma-separated names of trick bits into buf */
void smtp_path_trick_names(unsigned tricks, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif

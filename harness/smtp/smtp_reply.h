/*++
 * NAME
 *	smtp_reply 3h
 * SUMMARY
 *	incremental, non-allocating SMTP reply parser
 * SYNOPSIS
 *	#include "smtp_reply.h"
 *
 *	void	smtp_reply_parser_init(struct smtp_reply_parser *p);
 *
 *	long	smtp_reply_parse(p, lim, buf, len, out)
 *
 *	int	smtp_reply_next_line(reply, pos, text, text_len)
 * DESCRIPTION
 *	smtp_reply_parse() looks for one complete reply (RFC 5321 4.2,
 *	multi-line form 4.2.1) at the start of buf. The caller keeps all
 *	bytes of the reply in buf between calls and passes the same parser
 *	state, so bytes already scanned are not scanned again; the reply
 *	handed back is a set of views into buf (picohttpparser style).
 *
 *	Every limit is in struct smtp_reply_limits: bytes per line,
 *	lines per reply and bytes per reply, capped "to defend against a
 *	denial of service" as Postfix does.
 * DIAGNOSTICS
 *	Returns the number of bytes the complete reply took, SMTP_REPLY_PARTIAL
 *	when more input is needed, or SMTP_REPLY_MALFORMED with out->error
 *	(a static string) and out->error_offset set.
 *--*/
#ifndef SMTP_REPLY_H
#define SMTP_REPLY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMTP_REPLY_PARTIAL (-2)
#define SMTP_REPLY_MALFORMED (-1)

/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including CRLF. */
#define SMTP_REPLY_RFC_LINE_MAX 512
#define SMTP_REPLY_LINE_MAX_DEFAULT 4096
#define SMTP_REPLY_LINES_MAX_DEFAULT 1000
#define SMTP_REPLY_TOTAL_MAX_DEFAULT 65536

struct smtp_reply_limits {
    size_t line_max;  /* bytes in one line, line end included */
    size_t lines_max; /* lines in one reply */
    size_t total_max; /* bytes in one reply */
};

#define SMTP_REPLY_F_BARE_LF 0x01      /* a line ended in LF without CR */
#define SMTP_REPLY_F_LONG_LINE 0x02    /* a line over RFC 5321's 512 octets */
#define SMTP_REPLY_F_ENH_MISMATCH 0x04 /* RFC 3463 class differs from the code */
#define SMTP_REPLY_F_BARE_CR 0x08      /* a CR not followed by LF inside a line */

struct smtp_reply_parser {
    size_t scanned;   /* bytes of complete lines already checked */
    size_t tail;      /* bytes of the unfinished line known to hold no LF */
    size_t nlines;    /* complete lines so far */
    size_t first_end; /* end of the first line's text */
    int code;
    unsigned flags;
};

struct smtp_reply {
    int code;                               /* 200..599 */
    int enh_class, enh_subject, enh_detail; /* RFC 3463; enh_class 0 if absent */
    const char *raw;                        /* the whole reply, line ends included */
    size_t raw_len;
    const char *text; /* first line after "ddd-" or "ddd " */
    size_t text_len;
    size_t nlines;
    unsigned flags;      /* SMTP_REPLY_F_* */
    const char *error;   /* why malformed, static */
    size_t error_offset; /* offset in buf of the offending line */
};

/* smtp_reply_limits_default - the default limits */
void smtp_reply_limits_default(struct smtp_reply_limits *lim);

/* smtp_reply_parser_init - prepare for a new reply */
void smtp_reply_parser_init(struct smtp_reply_parser *p);

/* smtp_reply_parse - find one complete reply at the start of buf */
long smtp_reply_parse(struct smtp_reply_parser *p, const struct smtp_reply_limits *lim,
                      const char *buf, size_t len, struct smtp_reply *out);

/* smtp_reply_next_line - iterate lines of a parsed reply; *pos starts at 0 */
int smtp_reply_next_line(const struct smtp_reply *r, size_t *pos, const char **text,
                         size_t *text_len);

/* smtp_reply_enhanced - format "5.7.1" into buf; "" when absent */
void smtp_reply_enhanced(const struct smtp_reply *r, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif

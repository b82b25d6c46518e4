/*++
 * NAME
 *	smtp_cmd 3h
 * SUMMARY
 *	server-side SMTP command parser
 * SYNOPSIS
 *	#include "smtp_cmd.h"
 *
 *	long	smtp_cmd_parse(const char *buf, size_t len, size_t line_max,
 *			struct smtp_cmd *out)
 * DESCRIPTION
 *	smtp_cmd_parse() reads one command line at the start of buf
 *	(RFC 5321 4.1.1): the verb (table driven), its argument, and for
 *	MAIL and RCPT the path and the ESMTP parameters (4.1.2,
 *	Mail-parameters / Rcpt-parameters). Views point into buf; nothing
 *	is allocated. A complete line that breaks the grammar comes back
 *	with out->error set, so a server can answer 500 or 501 and go on.
 * DIAGNOSTICS
 *	Returns the bytes the line took (line end included),
 *	SMTP_CMD_PARTIAL when no line end has arrived yet, or
 *	SMTP_CMD_TOO_LONG when line_max bytes hold no line end.
 *--*/
#ifndef SMTP_CMD_H
#define SMTP_CMD_H

#include <stddef.h>

#include "smtp_path.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SMTP_CMD_PARTIAL (-2)
#define SMTP_CMD_TOO_LONG (-1)

/* RFC 5321 4.5.3.1.4: a command line is at most 512 octets with CRLF. */
#define SMTP_CMD_RFC_LINE_MAX 512
#define SMTP_CMD_PARAMS_MAX 16

enum smtp_verb {
    SMTP_VERB_UNKNOWN = 0,
    SMTP_VERB_HELO,
    SMTP_VERB_EHLO,
    SMTP_VERB_MAIL,
    SMTP_VERB_RCPT,
    SMTP_VERB_DATA,
    SMTP_VERB_BDAT,
    SMTP_VERB_RSET,
    SMTP_VERB_NOOP,
    SMTP_VERB_QUIT,
    SMTP_VERB_VRFY,
    SMTP_VERB_EXPN,
    SMTP_VERB_HELP,
    SMTP_VERB_STARTTLS,
    SMTP_VERB_AUTH,
    SMTP_VERB_ETRN,
    SMTP_VERB_XCLIENT,
    SMTP_VERB_COUNT
};

#define SMTP_CMD_F_BARE_LF 0x01    /* line ended in LF without CR */
#define SMTP_CMD_F_LONG_LINE 0x02  /* over RFC 5321's 512 octets */
#define SMTP_CMD_F_SPACE_PATH 0x04 /* "MAIL FROM: <x>": SP before the path */
#define SMTP_CMD_F_BARE_CR 0x08    /* CR inside the line */
#define SMTP_CMD_F_NUL 0x10        /* NUL inside the line */

struct smtp_cmd_param {
    const char *key;
    size_t key_len;
    const char *value; /* NULL when the parameter has no "=" */
    size_t value_len;
};

struct smtp_cmd {
    enum smtp_verb verb;
    const char *line; /* the line without its line end */
    size_t line_len;
    const char *arg; /* after the verb and one SP */
    size_t arg_len;
    struct smtp_path path; /* MAIL and RCPT */
    struct smtp_cmd_param params[SMTP_CMD_PARAMS_MAX];
    size_t nparams;
    unsigned flags;    /* SMTP_CMD_F_* */
    const char *error; /* why the line breaks the grammar, static */
};

/* smtp_cmd_parse - parse one command line */
long smtp_cmd_parse(const char *buf, size_t len, size_t line_max, struct smtp_cmd *out);

/* smtp_cmd_verb_name - "MAIL", ... */
const char *smtp_cmd_verb_name(enum smtp_verb verb);

#ifdef __cplusplus
}
#endif
#endif

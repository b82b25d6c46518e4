/*++
 * NAME
 *	smtp_sanitize 3h
 * SUMMARY
 *	hostile text made safe for reports and terminals
 * SYNOPSIS
 *	#include "smtp_sanitize.h"
 *
 *	size_t	smtp_sanitize(const char *in, size_t len, char *out, size_t size)
 *
 *	size_t	smtp_sanitize_str(const char *in, char *out, size_t size)
 *
 *	int	smtp_sanitize_is_clean(const char *s, size_t len)
 * DESCRIPTION
 *	Everything a server says, and everything a scenario file or an MTA's
 *	log or config holds, is hostile until it has been through here: only
 *	then may a report (JSON, XML, TAP, HTML), a transcript or a terminal
 *	see it. smtp_sanitize() is a pure function: it reads len bytes of in
 *	(any octets, NUL included), never allocates, and writes into out
 *	(size bytes) valid UTF-8 with no control character, NUL-terminated.
 *
 *	The rules, byte by byte from the start of in:
 *
 *	1. A well-formed UTF-8 sequence (RFC 3629: shortest form, no
 *	   surrogate U+D800..U+DFFF, nothing above U+10FFFF) of a character
 *	   not listed in 3 is copied as it is.
 *
 *	2. A backslash becomes two backslashes.
 *
 *	3. Every other byte is shown as \xNN (two lower-case hex digits):
 *	   bytes that are not part of a well-formed sequence (0x80..0xBF
 *	   alone, 0xC0, 0xC1, 0xF5..0xFF, overlong forms, surrogates, beyond
 *	   U+10FFFF, a sequence cut short: the lead byte is escaped and the
 *	   scan goes on at the next byte), and every byte of these characters:
 *	   - C0 controls U+0000..U+001F, tab, CR and LF included (XML 1.0
 *	     forbids most of them; TAP's YAML and terminals act on the rest);
 *	   - DEL U+007F;
 *	   - C1 controls U+0080..U+009F, as their two bytes (\xc2\x9b);
 *	   - the line and paragraph separators U+2028, U+2029 (line breaks
 *	     to YAML and JavaScript);
 *	   - the bidirectional controls U+061C, U+200E, U+200F,
 *	     U+202A..U+202E, U+2066..U+2069 (they reorder what a terminal or
 *	     a browser shows: "Trojan Source", CVE-2021-42574);
 *	   - the noncharacters U+FDD0..U+FDEF and U+nFFFE, U+nFFFF (XML 1.0
 *	     and YAML refuse U+FFFE and U+FFFF).
 *
 *	So the output is unambiguous: reading \\ as a backslash and \xNN as
 *	the byte NN gives back in exactly (when it was not truncated).
 *
 *	The bound is the caller's: at most size - 1 bytes and a NUL. When the
 *	whole does not fit, the output ends at a character or escape
 *	boundary (never inside a UTF-8 sequence or a \xNN) followed by
 *	SMTP_SANITIZE_MARK ("..."), all within size - 1 bytes; with size < 4
 *	only as many dots as fit. SMTP_SANITIZE_SIZE(len), 4 * len + 1, is
 *	always enough for the whole: with a smaller out, a caller who must
 *	know whether text was cut (a "..." may be the text's own) compares
 *	with a run into a buffer of that size.
 *
 *	smtp_sanitize_str() is smtp_sanitize() over a NUL-terminated string
 *	(NULL reads as "").
 *
 *	smtp_sanitize_is_clean() tells whether s is valid UTF-8 holding no
 *	character that rule 3 escapes (backslashes are allowed), as every
 *	output of smtp_sanitize() is: what a report writer may take as it is.
 * DIAGNOSTICS
 *	smtp_sanitize() returns the bytes written to out, NUL not counted
 *	(0 when size is 0: then out is not touched).
 *--*/
#ifndef SMTP_SANITIZE_H
#define SMTP_SANITIZE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMTP_SANITIZE_MARK "..."
#define SMTP_SANITIZE_SIZE(len) (4 * (size_t)(len) + 1)

/* smtp_sanitize - in[0..len) as valid UTF-8 without controls, into out[size] */
size_t smtp_sanitize(const char *in, size_t len, char *out, size_t size);

/* smtp_sanitize_str - the same for a string */
size_t smtp_sanitize_str(const char *in, char *out, size_t size);

/* smtp_sanitize_is_clean - 1 if s is valid UTF-8 with nothing the sanitizer escapes */
int smtp_sanitize_is_clean(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	smtp_transcript 3h
 * SUMMARY
 *	bounded record of a dialogue, secrets already removed
 * SYNOPSIS
 *	#include "smtp_transcript.h"
 * DESCRIPTION
 *	Every line sent ('C') and received ('S'), and notes ('*': TLS
 *	established, connection closed...), with the time in milliseconds
 *	since the dialogue began. Secrets never enter: the client adds
 *	AUTH payloads as SMTP_TRANSCRIPT_REDACTED, so nothing written from
 *	a transcript can leak them. The total size is capped; past the
 *	cap lines are counted and dropped. Entries hold the raw bytes: a
 *	writer puts them through smtp_sanitize() (smtp_transcript_write()
 *	does; report_transcript's JSON too).
 *--*/
#ifndef SMTP_TRANSCRIPT_H
#define SMTP_TRANSCRIPT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMTP_TRANSCRIPT_REDACTED "<redacted>"
#define SMTP_TRANSCRIPT_MAX_DEFAULT (1024 * 1024)

#define SMTP_TX_CLIENT 'C'
#define SMTP_TX_SERVER 'S'
#define SMTP_TX_INFO '*'
/* The harness's own lines, between the dialogue's (the dialogue engine's notes). */
#define SMTP_TX_BEGIN '-' /* a dialogue starts: where, as written */
#define SMTP_TX_STEP '>'  /* a step, as written */
#define SMTP_TX_FAIL '!'  /* an expectation that did not hold */

struct smtp_transcript_entry {
    long t_ms;
    char dir;         /* SMTP_TX_* */
    const char *text; /* raw bytes, no line end; may hold any octet */
    size_t len;
};

struct smtp_transcript;

struct smtp_transcript *smtp_transcript_new(size_t bytes_max);
void smtp_transcript_free(struct smtp_transcript *t);

/* smtp_transcript_add - append one line; 0, or -1 if dropped */
int smtp_transcript_add(struct smtp_transcript *t, char dir, long t_ms, const char *text,
                        size_t len);

/*
 * smtp_transcript_vaddf - append one line made like vsnprintf(3): a note
 * of the client's or of its caller's, cut at SMTP_TRANSCRIPT_NOTE_MAX - 1
 * bytes (a scenario line, 1000 bytes, and where it stands fit whole);
 * 0, or -1 if dropped or not made
 */
#define SMTP_TRANSCRIPT_NOTE_MAX 2048
int smtp_transcript_vaddf(struct smtp_transcript *t, char dir, long t_ms, const char *fmt,
                          va_list ap) __attribute__((format(printf, 4, 0)));

size_t smtp_transcript_count(const struct smtp_transcript *t);

/* smtp_transcript_get - entry i; 0 or -1 when out of range */
int smtp_transcript_get(const struct smtp_transcript *t, size_t i, struct smtp_transcript_entry *e);

/* smtp_transcript_dropped - lines lost to the cap */
size_t smtp_transcript_dropped(const struct smtp_transcript *t);

/*
 * smtp_transcript_write - one line per entry for people: seconds since
 * the start, a marker (" C:", " S:", " * ", " --", " > ", " ! "), and the
 * line through smtp_sanitize() (whole: a transcript line is never cut),
 * so no byte a server sent reaches a file or terminal as it is. colour:
 * ANSI colours for a terminal. 0, or -1 on a write error.
 */
int smtp_transcript_write(FILE *fp, const struct smtp_transcript *t, int colour);

/*
 * smtp_transcript_write_from - the same for the entries from *next on (a
 * session shown as it goes, relaylab send --interactive); *next becomes
 * the count. No note of dropped lines: the caller says it once.
 */
int smtp_transcript_write_from(FILE *fp, const struct smtp_transcript *t, size_t *next, int colour);

/*
 * smtp_transcript_redact - what a transcript shows of a command line the
 * client did not build (one a person typed): after a 334 (last_code) the
 * line is a SASL response (RFC 4954 4) and shows as
 * SMTP_TRANSCRIPT_REDACTED, but for "*", the cancel; an AUTH command
 * shows its verb and mechanism and SMTP_TRANSCRIPT_REDACTED for an
 * initial response ("AUTH PLAIN <redacted>"), and a mechanism that is no
 * SASL name (RFC 4422 3.1) is taken for a response ("AUTH <redacted>").
 * Returns 1 and fills out (size bytes, NUL-terminated) when the line
 * must not be shown as it is, else 0 (out untouched).
 */
int smtp_transcript_redact(const char *line, size_t len, int last_code, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif

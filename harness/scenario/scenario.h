/*++
 * NAME
 *	scenario 3h
 * SUMMARY
 *	scenario files: parser and model (scenarios/FORMAT.md)
 * SYNOPSIS
 *	#include "scenario.h"
 *
 *	int	scenario_parse(s, file, text, len, include, ctx, err)
 *
 *	int	scenario_load(path, root, s, err)
 *
 *	ssize_t	scenario_format(s, buf, size, err)
 *
 *	int	scenario_equal(a, b)
 * DESCRIPTION
 *	scenario_parse() adds the statements of one file's text to *s. It
 *	never allocates: every string lives in the scenario's arena and
 *	every list has a fixed maximum, so it is safe to fuzz. "include"
 *	lines call the include callback (NULL: includes are an error).
 *	scenario_load() reads a file (and its includes, 4 deep at most)
 *	and checks the whole: scenario_check(). Every file a scenario names
 *	must stay inside its tree (scenario_path()).
 *
 *	A scenario whose text does not fit in the arena is an error at the
 *	statement that did not fit ("scenario too large: ..."): a parsed
 *	model never holds NULL where it keeps text. NULL means "not given"
 *	only where a field says so below.
 *
 *	scenario_format() writes a scenario back as text in the same format
 *	(includes expanded, comments and layout not kept) that
 *	scenario_parse() reads as an equal scenario: scenario_equal()
 *	compares everything but positions, file names, the lines as written
 *	and the arena's layout. It never allocates and does no I/O. It
 *	writes every scenario the parser made, and refuses (-1) rather than
 *	write a line the parser would reject: a model built in memory may
 *	hold what no line can say.
 *
 *	The scenario layer knows nothing of processes or MTAs beyond their
 *	names.
 * DIAGNOSTICS
 *	0, or -1 with err holding file, line, column and message.
 *	scenario_format() returns the bytes the text needs, NUL not counted,
 *	like snprintf(3): the text was cut when that is size or more; or -1
 *	with err (its line: of the text written) when the scenario cannot be
 *	written.
 *--*/
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SCENARIO_LINE_MAX 1000
#define SCENARIO_STEPS_MAX 64
#define SCENARIO_VARIANTS_MAX 8
#define SCENARIO_CONFIGS_MAX 48
#define SCENARIO_DIALOGUES_MAX 8
#define SCENARIO_TAGS_MAX 16
#define SCENARIO_ARENA_MAX 32768
#define SCENARIO_ID_MAX 64 /* scenario ids, variant names: they name result files */
#define SCENARIO_INCLUDE_DEPTH 4

/* MTA bits for where-clauses; the names are the sandbox's. */
#define SCENARIO_MTA_POSTFIX 0x1
#define SCENARIO_MTA_EXIM 0x2
#define SCENARIO_MTA_ALL 0x3

/*
 * Debian release bits for where-clauses ("@trixie"): a dialogue line for
 * the MTA of that release only (relaylab run --mta postfix@trixie; the
 * host's MTA is its own release's). Names as mta_target's.
 */
#define SCENARIO_RELEASE_BULLSEYE 0x1
#define SCENARIO_RELEASE_BOOKWORM 0x2
#define SCENARIO_RELEASE_TRIXIE 0x4

enum scenario_op {
    SCN_CONNECT,
    SCN_EHLO,
    SCN_HELO,
    SCN_STARTTLS,
    SCN_AUTH,
    SCN_MAIL,
    SCN_RCPT,
    SCN_DATA,
    SCN_RSET,
    SCN_NOOP,
    SCN_QUIT,
    SCN_RAW,
    /* expectations */
    SCN_EXPECT_REPLY,
    SCN_EXPECT_RELAYED,
    SCN_EXPECT_RELAY_DENIED,
    SCN_EXPECT_OPEN_RELAY,
    SCN_EXPECT_AUTH_OFFERED,
    SCN_EXPECT_AUTH_NOT_OFFERED,
    SCN_EXPECT_STARTTLS_OFFERED,
    SCN_EXPECT_CONNECTION_REFUSED,
    SCN_EXPECT_NO_RELAY_TO,       /* arg: a domain no message of the cell may reach */
    SCN_EXPECT_CONNECTION_CLOSED, /* the server ended the session (closed, reset or 421) */
};

enum scenario_config_op {
    SCN_CFG_SET,
    SCN_CFG_SERVICE,
    SCN_CFG_ACL_RCPT,
    SCN_CFG_NO_SASL,
    SCN_CFG_PLAINTEXT_AUTH,
    SCN_CFG_NO_LISTENER, /* value: smtp, submission or smtps */
    SCN_CFG_SASL_DOWN,   /* SASL on, its authentication service down (cause 5) */
};

/* Where a line applies: 0 in a field means "any". */
struct scenario_where {
    unsigned mtas;
    unsigned variants; /* bit i = variant i */
    unsigned releases; /* SCENARIO_RELEASE_*: dialogue lines only */
};

struct scenario_pos {
    const char *file; /* in the arena */
    int line;
    int col;
};

struct scenario_step {
    enum scenario_op op;
    const char *arg;  /* listener, name, mechanism, address, raw line, rcpt; NULL if none */
    const char *arg2; /* "from" client, auth who; NULL if none */
    int code;         /* S: exact code, or class digit when code_class */
    int code_class;
    const char *enhanced; /* "5.7.1" or NULL */
    const char *text;     /* substring, or NULL */
    const char *source;   /* the line as written, for reports; never NULL */
    struct scenario_where where;
    struct scenario_pos pos;
    int dialogue;
};

struct scenario_config {
    enum scenario_config_op op;
    const char *value; /* "key = value", service line, ACL file path, listener; NULL for
                          no-sasl and plaintext-auth */
    struct scenario_where where;
    struct scenario_pos pos;
};

struct scenario_variant {
    const char *name;
    const char *description;
};

struct scenario_dialogue {
    const char *name;
    struct scenario_pos pos;
};

struct scenario {
    const char *id;    /* never NULL after scenario_check() */
    const char *title; /* NULL if none */
    int cause;
    const char *cause_name; /* NULL if none */
    const char *advice;     /* the guide's one line of advice for the cause; NULL if none */
    const char *tags[SCENARIO_TAGS_MAX];
    size_t ntags;
    unsigned mtas;
    struct scenario_variant variants[SCENARIO_VARIANTS_MAX];
    size_t nvariants;
    struct scenario_config configs[SCENARIO_CONFIGS_MAX];
    size_t nconfigs;
    struct scenario_dialogue dialogues[SCENARIO_DIALOGUES_MAX];
    size_t ndialogues;
    struct scenario_step steps[SCENARIO_STEPS_MAX];
    size_t nsteps;
    struct scenario_pos id_pos;
    int include_depth;
    char root[512]; /* realpath of the tree its files must stay in; "" if none */
    char arena[SCENARIO_ARENA_MAX];
    size_t arena_used;
};

struct scenario_error {
    char file[256];
    int line;
    int col;
    char msg[256];
};

/* at: where the include's path is written (for errors about it) */
typedef int (*scenario_include_fn)(void *ctx, const struct scenario_pos *at, const char *path,
                                   struct scenario *s, struct scenario_error *err);

void scenario_init(struct scenario *s);

/* scenario_parse - add one file's statements */
int scenario_parse(struct scenario *s, const char *file, const char *text, size_t len,
                   scenario_include_fn include, void *ctx, struct scenario_error *err);

/* scenario_check - the whole scenario makes sense (id, dialogues, connect first) */
int scenario_check(const struct scenario *s, struct scenario_error *err);

/*
 * scenario_load - read, include, parse, check. Files the scenario names
 * (include, acl-rcpt) must resolve, symbolic links followed, to a path
 * inside root (NULL: the scenario file's own directory): a scenario from
 * a pull request cannot make relaylab read /etc/shadow into a report.
 */
int scenario_load(const char *path, const char *root, struct scenario *s,
                  struct scenario_error *err);

/*
 * scenario_path - the file a scenario names at position at: relative to
 * the file it is written in (or absolute), resolved with realpath(3), and
 * inside s->root; -1 with err at that position otherwise. Without a root
 * (a scenario parsed from memory) every path is refused.
 */
int scenario_path(const struct scenario *s, const struct scenario_pos *at, const char *path,
                  char *buf, size_t size, struct scenario_error *err);

/*
 * scenario_mta_bit - SCENARIO_MTA_* for an MTA's name ("postfix", "exim":
 * mta_kind_name() above this layer), 0 if scenarios know no such MTA
 */
unsigned scenario_mta_bit(const char *name);

/* scenario_release_bit - SCENARIO_RELEASE_* for a release's name ("trixie"), 0 if unknown */
unsigned scenario_release_bit(const char *name);

/*
 * scenario_applies - does a where-clause hold for this MTA bit, variant
 * index and release bit (0: a release no clause names)?
 */
int scenario_applies(const struct scenario_where *w, unsigned mta, size_t variant,
                     unsigned release);

/* scenario_has_tag - 1 if tagged */
int scenario_has_tag(const struct scenario *s, const char *tag);

/*
 * scenario_format - s as scenario text, like snprintf(3): the bytes needed
 * (NUL not counted); buf holds at most size - 1 of them and a NUL. The
 * text is no longer than the text it was parsed from, line by line and in
 * the kept text the arena counts, but for "C: LINE" (a byte more than
 * "C:LINE", the form used only where a line would not fit otherwise).
 * -1 with err, and nothing to use in buf, when a line would be longer
 * than SCENARIO_LINE_MAX, a string holds a LF, a raw line is empty or
 * has blanks around it, or a [where] would name a variant of 64 or more
 * characters: none of these comes from the parser. The rest of the
 * parser's rules (an id's characters, a reply code's range) are the
 * caller's to keep in a model it builds; parse the text back to be sure.
 */
ssize_t scenario_format(const struct scenario *s, char *buf, size_t size,
                        struct scenario_error *err);

/*
 * scenario_write_file - head (comment lines, or NULL) and s's text, read
 * back by the parser and compared with s, then written to path whole: a
 * new file beside it (newfile_open()), renamed into place. -1 with err
 * when the text would not read back as s, or the file cannot be written.
 */
int scenario_write_file(const struct scenario *s, const char *head, const char *path,
                        struct scenario_error *err);

/* scenario_equal - 1 if a and b mean the same (positions, file names, sources aside) */
int scenario_equal(const struct scenario *a, const struct scenario *b);

/* scenario_error_format - "file:line:col: message" */
void scenario_error_format(const struct scenario_error *err, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif

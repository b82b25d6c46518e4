/*++
 * NAME
 *	lint 3h
 * SUMMARY
 *	static checks of an MTA's relay config: the findings model
 * SYNOPSIS
 *	#include "lint.h"
 * DESCRIPTION
 *	relaylab lint reads a user's Postfix (main.cf, master.cf and the
 *	tables they name) or Exim config without running it, and reports
 *	each line that is one of the guide's six causes of "Relay access
 *	denied" or an open-relay pattern, with why it matters and the line
 *	that would replace it (lint_postfix.h, lint_exim.h run the checks).
 *
 *	A finding's id is stable (the man page lists them); its severity
 *	says whether it fails the check (LINT_ERROR: an open relay, or a
 *	cause that refuses relay to a client or domain the user named),
 *	or only advises (LINT_WARNING), or says what could not be checked
 *	(LINT_INFO).
 *
 *	The files are hostile input (they may come from a pull request):
 *	each is opened with O_NOFOLLOW, must be a regular file of at most
 *	LINT_FILE_MAX bytes, and every text a finding holds went through
 *	smtp_sanitize() (why and fix only when they are not clean already,
 *	so that a regular expression's backslashes read as written).
 *
 *	This module holds the model and what both MTAs' checks share:
 *	the report, bounded reads, logical lines, the width of a trusted
 *	network, and whether a regular expression for a domain is anchored
 *	at a label boundary.
 * DIAGNOSTICS
 *	Functions that can fail return -1 and fill a struct smtp_error:
 *	SMTP_ERR_USAGE for an input that cannot be read (its path in the
 *	message), SMTP_ERR_INTERNAL for out of memory.
 *--*/
#ifndef LINT_H
#define LINT_H

#include <stddef.h>

#include "audit_net.h"
#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LINT_FILE_MAX (4u << 20) /* bytes read of one config or table file */
#define LINT_FINDINGS_MAX 512    /* findings kept; more are counted in dropped */
#define LINT_PATH_MAX 512        /* a finding's file name, sanitized */
#define LINT_WHY_MAX 640
#define LINT_FIX_MAX 640
#define LINT_EXCERPT_MAX 400  /* the offending line, sanitized and cut with "..." */
#define LINT_PARAMS_MAX 32    /* --client and --domain values each */
#define LINT_LINES_MAX 262144 /* logical lines of one file: more is refused */

enum lint_severity {
    LINT_INFO,
    LINT_WARNING,
    LINT_ERROR,
};

struct lint_finding {
    const char *id; /* stable: "bare-permit", "network-wide", ... */
    enum lint_severity severity;
    char file[LINT_PATH_MAX]; /* as given on the command line, sanitized */
    int line;                 /* 1-based; 0: not in the file (an MTA default) */
    char why[LINT_WHY_MAX];   /* why it matters: the guide's cause or the MTA's doc */
    char fix[LINT_FIX_MAX];   /* the replacement line, or what to do */
    char excerpt[LINT_EXCERPT_MAX];
};

struct lint_params {
    const char *clients[LINT_PARAMS_MAX]; /* --client: addresses that must relay */
    size_t nclients;
    const char *domains[LINT_PARAMS_MAX]; /* --domain: recipient domains to accept */
    size_t ndomains;
};

struct lint_report {
    struct lint_finding *findings;
    size_t n, cap;
    size_t dropped; /* beyond LINT_FINDINGS_MAX */
    int failed;     /* out of memory: findings may be missing */
};

/* lint_report_free - the findings freed, the report empty */
void lint_report_free(struct lint_report *r);

/* lint_severity_name - "error", "warning", "info" */
const char *lint_severity_name(enum lint_severity s);

/* lint_report_sort - findings by file, then line (stable) */
void lint_report_sort(struct lint_report *r);

/* lint_report_errors - how many findings are LINT_ERROR */
size_t lint_report_errors(const struct lint_report *r);

struct lint_line;

/*
 * lint_add - one finding at where (NULL: not in the file, line 0), its
 * excerpt where's first physical line. The same id at the same file:line
 * is kept once. Out of memory sets r->failed.
 */
void lint_add(struct lint_report *r, const char *id, enum lint_severity sev, const char *file,
              const struct lint_line *where, const char *fix, const char *why_fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* A file's bytes, NUL-terminated (a NUL inside ends the text as C sees it). */
struct lint_text {
    char *buf;
    size_t len;
    const char *shown; /* lint_read()'s: the caller's, for messages */
};

/*
 * lint_read - path (relative to dirfd, or absolute with AT_FDCWD) walked
 * one component at a time with O_NOFOLLOW ("..": refused), a regular
 * file of at most LINT_FILE_MAX bytes. 0, or -1 (SMTP_ERR_USAGE naming
 * shown, or SMTP_ERR_INTERNAL).
 */
int lint_read(int dirfd, const char *path, const char *shown, struct lint_text *out,
              struct smtp_error *err);

void lint_text_free(struct lint_text *t);

/* A logical line: physical lines joined, comments and blank lines left out. */
struct lint_line {
    char *text; /* NUL-terminated, trailing white space removed */
    size_t len;
    int line;        /* the first physical line's number */
    const char *raw; /* the first physical line in the file's bytes */
    size_t raw_len;
};

enum lint_join {
    LINT_JOIN_INDENT,    /* Postfix: a line starting with white space continues */
    LINT_JOIN_BACKSLASH, /* Exim: a line ending with "\" continues */
};

struct lint_lines {
    struct lint_line *v;
    size_t n;
    char *arena;
};

/* lint_lines_split - t's logical lines; 0, or -1 (more than LINT_LINES_MAX, out of memory) */
int lint_lines_split(const struct lint_text *t, enum lint_join join, struct lint_lines *out,
                     struct smtp_error *err);

void lint_lines_free(struct lint_lines *l);

/*
 * lint_net_wide - how far a trusted network is too wide to trust:
 * LINT_NET_OPEN, the Internet at large (0/0, a public IPv4 /8 or wider, a
 * global IPv6 /16 or wider); LINT_NET_WIDE, far wider than the hosts that
 * send mail (a private IPv4 network wider than /16, a public one wider
 * than /16, a unique-local IPv6 one wider than /48, a global one wider
 * than /32); else 0 (loopback 127/8 and link-local are never too wide).
 */
#define LINT_NET_WIDE 1
#define LINT_NET_OPEN 2
int lint_net_wide(const struct audit_net *net);

/*
 * lint_regex_lookalike - for a regular expression p[0..n) that ends in a
 * literal domain ("example\.com$"), 1 when it also matches a lookalike
 * (evilexample.com, example.com.evil.net, examplexcom): the domain is
 * not anchored at a label boundary and the end, or holds an unescaped
 * dot. The domain (escaped as written) into dom, "" when p names none.
 * 0 when safe or when p names no domain.
 */
int lint_regex_lookalike(const char *p, size_t n, char *dom, size_t dom_size);

/* lint_fmt - snprintf that may cut (a fix or a why quoting a long value) */
void lint_fmt(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* lint_is_word - s[0..n) equals word, ignoring case */
int lint_is_word(const char *s, size_t n, const char *word);

#ifdef __cplusplus
}
#endif
#endif

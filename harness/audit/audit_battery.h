/*++
 * NAME
 *	audit_battery 3h
 * SUMMARY
 *	the relay attempts, generated from the server's own names
 * SYNOPSIS
 *	#include "audit_battery.h"
 * DESCRIPTION
 *	audit_battery_build() makes every relay attempt the audit, the
 *	probe and the fuzzer's seeds use, from names rather than fixed
 *	lists: the server's host name, banner and EHLO names, its address
 *	literal, the config's own domains (audit_names), the user's
 *	--domain and --victim names, and what each listener offers (AUTH
 *	before and after STARTTLS, XCLIENT, SMTPUTF8). An attempt is one
 *	transaction: its HELO name, envelope sender and one recipient, on
 *	one listener, maybe after STARTTLS, AUTH or XCLIENT. Each names
 *	the trick it tries (its family) and the parts it changes from the
 *	plain attempt (a bit set): a relay that a simpler attempt on the
 *	same listener also got is the simpler one's finding
 *	(audit_attempt_subsumes()).
 *	Every string is built here from checked names: no CR, LF or NUL.
 *--*/
#ifndef AUDIT_BATTERY_H
#define AUDIT_BATTERY_H

#include <stddef.h>

#include "audit_names.h"
#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AUDIT_ADDR_MAX 320                  /* one envelope address */
#define AUDIT_ATTEMPTS_MAX 4096             /* a battery's attempts at most */
#define AUDIT_VICTIM "relaylab-victim.test" /* RFC 6761 .test: no one's domain */
#define AUDIT_SENDER "probe@relaylab-sender.test"
#define AUDIT_HELO "client.relaylab-sender.test"

enum audit_family {
    AUDIT_WIDE_OPEN,
    AUDIT_TRUSTED_NETWORK,
    AUDIT_SENDER_PERMIT,
    AUDIT_NULL_SENDER,
    AUDIT_HELO_PERMIT,
    AUDIT_LOCALPART_PERMIT,
    AUDIT_LOOKALIKE,
    AUDIT_PERCENT,
    AUDIT_BANG,
    AUDIT_SOURCE_ROUTE,
    AUDIT_QUOTED,
    AUDIT_MULTI_AT,
    AUDIT_LITERAL,
    AUDIT_SRS_BATV,
    AUDIT_CASE,
    AUDIT_TRAILING_DOT,
    AUDIT_SMTPUTF8,
    AUDIT_AUTH_BYPASS,
    AUDIT_SUBMISSION_OPEN,
    AUDIT_XCLIENT,
    AUDIT_FAMILIES
};

/* The parts of an attempt that differ from the plain one. */
#define AUDIT_PART_SENDER 0x01u
#define AUDIT_PART_HELO 0x02u
#define AUDIT_PART_RCPT 0x04u
#define AUDIT_PART_AUTH 0x08u
#define AUDIT_PART_XCLIENT 0x10u
#define AUDIT_PART_UTF8 0x20u

/* The shapes a recipient holds (a form with more of them is a variant of one with fewer). */
#define AUDIT_FORM_PERCENT 0x001u
#define AUDIT_FORM_BANG 0x002u
#define AUDIT_FORM_ROUTE 0x004u
#define AUDIT_FORM_QUOTE 0x008u
#define AUDIT_FORM_MULTI_AT 0x010u
#define AUDIT_FORM_SRS 0x020u
#define AUDIT_FORM_BATV 0x040u
#define AUDIT_FORM_DOT 0x080u
#define AUDIT_FORM_LITERAL 0x100u
#define AUDIT_FORM_UPPER 0x200u
#define AUDIT_FORM_UTF8 0x400u

/* The AUTH edge cases (RFC 4954), sent as the client's own lines. */
enum audit_auth {
    AUDIT_AUTH_NONE,
    AUDIT_AUTH_EMPTY_PASSWORD, /* PLAIN \0victim\0 */
    AUDIT_AUTH_UNKNOWN_USER,   /* PLAIN \0nosuchuser\0x */
    AUDIT_AUTH_EMPTY_USER,     /* PLAIN \0\0x */
    AUDIT_AUTH_EQUALS,         /* "AUTH PLAIN =": an empty initial response */
    AUDIT_AUTH_LOGIN_EMPTY,    /* LOGIN with an empty user and password */
    AUDIT_AUTH_LOGIN_UNKNOWN,  /* LOGIN nosuchuser, password x */
};

/* What one listener offers, learned from its EHLO replies. */
struct audit_listener {
    const char *name; /* "smtp", "submission", "smtps" */
    int port;
    int implicit_tls;
    int starttls;   /* STARTTLS offered */
    int auth_plain; /* AUTH offered before TLS */
    int auth_tls;   /* AUTH offered after STARTTLS (or on TLS at once) */
    int xclient;
    int smtputf8;
};

struct audit_attempt {
    enum audit_family family;
    unsigned parts;
    unsigned forms;  /* AUDIT_FORM_*: what the recipient's shape holds */
    size_t listener; /* index into the params' listeners */
    int starttls;
    enum audit_auth auth;
    int xclient;
    int smtputf8;
    char helo[AUDIT_NAME_MAX];
    char from[AUDIT_ADDR_MAX]; /* "" is <> */
    char rcpt[AUDIT_ADDR_MAX];
    char victim[AUDIT_NAME_MAX]; /* the foreign domain it tries to reach */
    char what[200];              /* one line, for the report */
};

struct audit_battery_params {
    const struct audit_names *names;
    const char *banner_name;    /* from the banner or EHLO reply; NULL if none */
    const char *const *domains; /* --domain: the server's own, given by the user */
    size_t ndomains;
    const char *const *victims; /* --victim; AUDIT_VICTIM when none */
    size_t nvictims;
    const struct audit_listener *listeners;
    size_t nlisteners;
    size_t domains_max;      /* the server's domains tricks are tried on; 0: 6 */
    const char *victim_user; /* the local part at a victim domain; NULL: "victim" */
    /*
     * Words the config's own permits are keyed on (lint's findings: an
     * access table's key, an ACL's senders or local_parts, a HELO name it
     * compares): senders ("" is <>), HELO names, recipient local parts.
     */
    const char *const *hint_senders;
    size_t nhint_senders;
    const char *const *hint_helos;
    size_t nhint_helos;
    const char *const *hint_localparts;
    size_t nhint_localparts;
};

struct audit_battery {
    struct audit_attempt *a;
    size_t n;
    char domains[16][AUDIT_NAME_MAX]; /* the server's domains it used */
    size_t ndomains;
};

/* audit_battery_build - every attempt; 0, or -1 with err (out of memory, too many) */
int audit_battery_build(const struct audit_battery_params *p, struct audit_battery *b,
                        struct smtp_error *err);

void audit_battery_free(struct audit_battery *b);

/* audit_family_name - "percent-hack", ...; the names the test set and reports use */
const char *audit_family_name(enum audit_family f);

/* audit_attempt_subsumes - 1 if a relay by simple makes one by a no finding of its own */
int audit_attempt_subsumes(const struct audit_attempt *simple, const struct audit_attempt *a);

/*
 * audit_battery_family - the trick a transaction tries, by the battery's
 * attempt it matches: its sender's family when the sender is a trick's
 * (NULL: the plain one), else its HELO name's, else its recipient's;
 * AUDIT_WIDE_OPEN when it matches none
 */
enum audit_family audit_battery_family(const struct audit_battery *b, const char *helo,
                                       const char *from, const char *rcpt);

/*
 * audit_battery_victim - 1 if domain is one the battery aims at (the
 * victims, the look-alikes, the foreign literals): foreign by making,
 * whatever a config's lists say (a look-alike a too-wide pattern lets
 * through is the hole, not the config's own domain)
 */
int audit_battery_victim(const struct audit_battery *b, const char *domain);

/* audit_auth_lines - the client's lines of an AUTH edge case (NULL-ended), or NULL */
const char *const *audit_auth_lines(enum audit_auth auth);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	mta_eximconf 3h
 * SUMMARY
 *	an Exim config's text: sections, splices, options, drivers
 * SYNOPSIS
 *	#include "mta_eximconf.h"
 * DESCRIPTION
 *	The pure text work the Exim driver (mta_exim.c) does on a user's
 *	own config: find a section ("begin NAME" up to the next "begin",
 *	or the main part before the first), replace a range, add a section
 *	at the end, and point every server_socket line of an authenticators
 *	section at the sandbox's Dovecot. No I/O; strings are malloc'd.
 * DIAGNOSTICS
 *	mta_eximconf_section() returns 0, or -1 when there is no such
 *	section; the others 0 (or the new string), or -1 (NULL) with err.
 *--*/
#ifndef MTA_EXIMCONF_H
#define MTA_EXIMCONF_H

#include <stddef.h>

#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* mta_eximconf_section - [*start, *end) of section name in cf (NULL: the main part) */
int mta_eximconf_section(const char *cf, const char *name, size_t *start, size_t *end);

/* mta_eximconf_splice - *cf with [start, end) replaced by text */
int mta_eximconf_splice(char **cf, size_t start, size_t end, const char *text,
                        struct smtp_error *err);

/* mta_eximconf_append - "begin NAME" and text added at the end of *cf */
int mta_eximconf_append(char **cf, const char *name, const char *text, struct smtp_error *err);

/*
 * mta_eximconf_sockets - an authenticators section (len bytes) with every
 * server_socket line replaced by "  server_socket = SOCKET"; malloc'd,
 * *count of them replaced; NULL with err.
 */
char *mta_eximconf_sockets(const char *section_text, size_t len, const char *socket, int *count,
                           struct smtp_error *err);

/* mta_eximconf_main_option - name = value in a main section, once; 1 if it was set (old: its value)
 */
int mta_eximconf_main_option(char **main_part, const char *name, const char *value, char *old,
                             size_t old_size, struct smtp_error *err);

/* mta_eximconf_routers - a routers section (len bytes), DNS and smarthost routers to body */
char *mta_eximconf_routers(const char *section_text, size_t len, const char *body,
                           void (*note)(void *ctx, const char *text), void *ctx, int *count,
                           struct smtp_error *err);

/* mta_eximconf_transports - a transports section, each transport's options replaced by body */
char *mta_eximconf_transports(const char *section_text, size_t len, const char *body,
                              void (*note)(void *ctx, const char *text), void *ctx, int *count,
                              struct smtp_error *err);

/* mta_eximconf_body - the options after the first driver name line of text (a template's) */
const char *mta_eximconf_body(const char *text);

#ifdef __cplusplus
}
#endif
#endif

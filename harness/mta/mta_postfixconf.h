/*++
 * NAME
 *	mta_postfixconf 3h
 * SUMMARY
 *	a Postfix config's text: the parameters the sandbox owns, master.cf
 *	overrides of them, mynetworks left unset
 * SYNOPSIS
 *	#include "mta_postfixconf.h"
 * DESCRIPTION
 *	The pure text work the Postfix driver (mta_postfix.c) does on a
 *	user's own config. No I/O; strings are malloc'd.
 *
 *	mta_postfixconf_owned() says why a main.cf parameter is the
 *	sandbox's own (paths, listeners, the next hop, certificates, the
 *	SASL socket, no DNS), or NULL: a scenario may not set it, a user's
 *	main.cf gets the sandbox's value.
 *
 *	mta_postfixconf_master_o() drops, from a user's master.cf, every
 *	-o override of an owned parameter, in every spelling the daemons'
 *	getopt(3) takes ("-o n=v", "-on=v", bundled "-vo n=v", "-o { n = v
 *	}"): the service then has main.cf's value, the sandbox's. A
 *	continuation line left with nothing goes. Each override dropped is
 *	told to note(ctx, text) and counted.
 *
 *	mta_postfixconf_mynetworks() - when main.cf leaves mynetworks
 *	unset, Postfix computes it from mynetworks_style and the interfaces
 *	it sees; in relaylab's network namespace the test clients have
 *	addresses of those interfaces (127.0.0.N), so every one of them
 *	would be trusted. What the style means on a real machine is the
 *	machine itself: 127.0.0.1/32 [::1]/128 and the instance's own
 *	address. The style is mynetworks_style, else the default of the
 *	config's compatibility_level (host from 2 on, subnet below or
 *	unset), as postconf -h mynetworks_style says.
 * DIAGNOSTICS
 *	mta_postfixconf_master_o() returns the new text, or NULL with err;
 *	mta_postfixconf_mynetworks() 1 (value and style filled: set it) or
 *	0 (main.cf sets mynetworks: keep it).
 *--*/
#ifndef MTA_POSTFIXCONF_H
#define MTA_POSTFIXCONF_H

#include <stddef.h>

#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* mta_postfixconf_owned - why key is the sandbox's own parameter, or NULL */
const char *mta_postfixconf_owned(const char *key);

/* mta_postfixconf_master_o - master.cf without -o overrides of owned parameters */
char *mta_postfixconf_master_o(const char *master, void (*note)(void *ctx, const char *text),
                               void *ctx, int *count, struct smtp_error *err);

/* mta_postfixconf_mynetworks - 1: main_cf leaves mynetworks unset, value is what to set */
int mta_postfixconf_mynetworks(const char *main_cf, const char *addr, char *value, size_t size,
                               char *style, size_t style_size);

#ifdef __cplusplus
}
#endif
#endif

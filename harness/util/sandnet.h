/*++
 * NAME
 *	sandnet 3h
 * SUMMARY
 *	where an address is among the sandbox's networks
 * SYNOPSIS
 *	#include "sandnet.h"
 * DESCRIPTION
 *	The one list of the networks a sandbox client may be on, for the
 *	scenario parser (an address elsewhere is an error) and the sandbox
 *	(which of them are there: loopback always, the guide's networks in
 *	relaylab's own network namespace only):
 *	127.0.0.0/8 and ::1 (loopback); 10.0.0.0/24, 192.0.2.0/24,
 *	198.51.100.0/24, 203.0.113.0/24 (RFC 5737) and 2001:db8::/32
 *	(RFC 3849): the guide's.
 *--*/
#ifndef SANDNET_H
#define SANDNET_H

#ifdef __cplusplus
extern "C" {
#endif

enum sandnet_place {
    SANDNET_NONE,     /* not an address, or on no network of the sandbox */
    SANDNET_LOOPBACK, /* 127.0.0.0/8, ::1 */
    SANDNET_GUIDE4,   /* one of the guide's IPv4 /24s */
    SANDNET_GUIDE6,   /* 2001:db8::/32 */
};

/* sandnet_place - where addr (an IPv4 or IPv6 literal) is */
enum sandnet_place sandnet_place(const char *addr);

#ifdef __cplusplus
}
#endif
#endif

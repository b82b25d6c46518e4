/*++
 * NAME
 *	audit_net 3h
 * SUMMARY
 *	networks as a config names them, and whether one holds an address
 * SYNOPSIS
 *	#include "audit_net.h"
 * DESCRIPTION
 *	The trusted networks of a config (Postfix mynetworks, a cidr
 *	table's keys, Exim's relay_from_hosts) are written as "a.b.c.d",
 *	"a.b.c.d/len", "[v6]", "[v6]/len" or "v6/len". audit_net_parse()
 *	reads one such item; audit_net_holds() says whether a network
 *	holds an address. Names, tables and "!" are not networks: parse
 *	refuses them, and the caller decides what that means.
 *--*/
#ifndef AUDIT_NET_H
#define AUDIT_NET_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct audit_net {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* network byte order; 4 used for AF_INET */
    int len;                /* prefix length */
};

/* audit_net_parse - one item ("10.0.0.0/8", "[::1]/128", "192.0.2.1"): 0, or -1 */
int audit_net_parse(const char *item, size_t n, struct audit_net *out);

/* audit_net_holds - 1 if net holds the address (text, "a.b.c.d" or v6), else 0 */
int audit_net_holds(const struct audit_net *net, const char *addr);

/* audit_net_width - how many addresses a v4 network holds, as a power of two (32 - len) */
int audit_net_width(const struct audit_net *net);

#ifdef __cplusplus
}
#endif
#endif

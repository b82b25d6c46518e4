/*++
 * NAME
 *	audit_net 3
 * SUMMARY
 *	networks as a config names them, and whether one holds an address
 * DESCRIPTION
 *	See audit_net.h.
 *--*/
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "audit_net.h"
#include "number.h"

/* audit_net_parse - one network item: 0, or -1 when it is none */

int audit_net_parse(const char *item, size_t n, struct audit_net *out)
{
    char text[64];
    char *slash;
    long long len = -1;
    size_t off = 0;

    if (n == 0 || n >= sizeof(text))
        return -1;
    memcpy(text, item, n);
    text[n] = 0;
    if ((slash = strchr(text, '/')) != NULL) {
        *slash = 0;
        if (number_parse(slash + 1, 0, 128, &len) < 0)
            return -1;
    }
    /* Postfix writes IPv6 as "[::1]/128"; "::1/128" is taken as well. */
    if (text[0] == '[') {
        char *close = strchr(text, ']');

        if (close == NULL || close[1] != 0)
            return -1;
        *close = 0;
        off = 1;
    }
    memset(out, 0, sizeof(*out));
    if (off == 0 && inet_pton(AF_INET, text, out->addr) == 1) {
        out->family = AF_INET;
        out->len = len < 0 ? 32 : (int)len;
        return out->len <= 32 ? 0 : -1;
    }
    if (inet_pton(AF_INET6, text + off, out->addr) == 1) {
        out->family = AF_INET6;
        out->len = len < 0 ? 128 : (int)len;
        return 0;
    }
    return -1;
}

/* audit_net_holds - the first len bits of both agree */

int audit_net_holds(const struct audit_net *net, const char *addr)
{
    unsigned char a[16];
    int bits = net->len;
    int i;

    if (inet_pton(net->family, addr, a) != 1)
        return 0;
    for (i = 0; bits > 0; i++, bits -= 8) {
        unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));

        if ((a[i] & mask) != (net->addr[i] & mask))
            return 0;
    }
    return 1;
}

int audit_net_width(const struct audit_net *net)
{
    return (net->family == AF_INET ? 32 : 128) - net->len;
}

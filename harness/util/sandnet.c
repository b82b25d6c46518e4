/*++
 * NAME
 *	sandnet 3
 * SUMMARY
 *	where an address is among the sandbox's networks
 * DESCRIPTION
 *	See sandnet.h.
 *--*/
#include <arpa/inet.h>
#include <string.h>

#include "sandnet.h"

enum sandnet_place sandnet_place(const char *addr)
{
    static const unsigned char nets4[][3] = {
        {10, 0, 0}, {192, 0, 2}, {198, 51, 100}, {203, 0, 113}};
    static const unsigned char loop6[16] = {[15] = 1};
    static const unsigned char doc6[4] = {0x20, 0x01, 0x0d, 0xb8}; /* RFC 3849 */
    unsigned char bin[16];
    size_t i;

    if (inet_pton(AF_INET, addr, bin) == 1) {
        if (bin[0] == 127)
            return SANDNET_LOOPBACK;
        for (i = 0; i < sizeof(nets4) / sizeof(nets4[0]); i++)
            if (memcmp(bin, nets4[i], 3) == 0)
                return SANDNET_GUIDE4;
        return SANDNET_NONE;
    }
    if (inet_pton(AF_INET6, addr, bin) == 1) {
        if (memcmp(bin, loop6, 16) == 0)
            return SANDNET_LOOPBACK;
        if (memcmp(bin, doc6, 4) == 0)
            return SANDNET_GUIDE6;
    }
    return SANDNET_NONE;
}

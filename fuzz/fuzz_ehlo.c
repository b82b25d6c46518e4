/* fuzz_ehlo - EHLO capabilities from any 250 reply */
#include <stdint.h>
#include <stdlib.h>

#include "smtp_ehlo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smtp_reply_limits lim;
    struct smtp_reply_parser p;
    struct smtp_reply r;
    struct smtp_ehlo e;

    smtp_reply_limits_default(&lim);
    smtp_reply_parser_init(&p);
    if (smtp_reply_parse(&p, &lim, (const char *)data, size, &r) > 0) {
        if (smtp_ehlo_parse(&r, &e) == 0 && r.code != 250)
            abort();
    }
    return 0;
}

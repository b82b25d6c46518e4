/* fuzz_cmd - command lines, as a server reads them, one after another */
#include <stdint.h>
#include <stdlib.h>

#include "smtp_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    size_t off = 0;

    while (off < size) {
        struct smtp_cmd c;
        long n = smtp_cmd_parse(buf + off, size - off, 512, &c);

        if (n <= 0)
            break;
        if ((size_t)n > size - off || c.line + c.line_len > buf + size ||
            c.nparams > SMTP_CMD_PARAMS_MAX)
            abort();
        off += (size_t)n;
    }
    return 0;
}

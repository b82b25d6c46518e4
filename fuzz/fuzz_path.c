/* fuzz_path - paths and the relay-trick classifier */
#include <stdint.h>
#include <stdlib.h>

#include "smtp_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smtp_path p;
    const char *s = (const char *)data;
    long n = smtp_path_parse(s, size, &p);
    char names[256];

    if (n > (long)size)
        abort();
    if (n > 0) {
        if (p.local && (p.local < s || p.local + p.local_len > s + size))
            abort();
        if (p.domain && (p.domain < s || p.domain + p.domain_len > s + size))
            abort();
        if (p.valid != (p.error == NULL))
            abort();
        smtp_path_trick_names(p.tricks, names, sizeof(names));
    }
    return 0;
}

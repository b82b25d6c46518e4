/* fuzz_sasl - decoding what the other side of an AUTH exchange sends */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char out[SMTP_SASL_RESPONSE_MAX];
    struct smtp_sasl_plain_fields f;
    struct smtp_error err;

    if (size > 4 * SMTP_SASL_RESPONSE_MAX)
        return 0;
    smtp_error_clear(&err);
    if (smtp_sasl_decode(s, size, out, sizeof(out), &err) >= (long)sizeof(out))
        abort();
    (void)smtp_sasl_cram_md5("user@relaylab.test", "secret", s, size, out, sizeof(out), &err);
    if (smtp_sasl_plain_decode(s, size, &f, &err) == 0 &&
        (strlen(f.user) > SMTP_SASL_FIELD_MAX || strlen(f.pass) > SMTP_SASL_FIELD_MAX))
        abort();
    return 0;
}

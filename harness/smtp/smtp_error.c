/*++
 * NAME
 *	smtp_error 3
 * SUMMARY
 *	error record shared by the SMTP modules
 * DESCRIPTION
 *	See smtp_error.h.
 *--*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtp_error.h"

/* smtp_error_clear - reset to SMTP_ERR_NONE */

void smtp_error_clear(struct smtp_error *err)
{
    memset(err, 0, sizeof(*err));
}

/* smtp_error_set - fill class and message */

int smtp_error_set(struct smtp_error *err, enum smtp_err_class cls, int sys_errno, const char *fmt,
                   ...)
{
    va_list ap;

    if (err == NULL)
        return -1;
    err->cls = cls;
    err->sys_errno = sys_errno;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

/* smtp_error_set_reply - record offending bytes, made printable */

void smtp_error_set_reply(struct smtp_error *err, const char *bytes, size_t len)
{
    size_t out = 0;
    size_t i;

    if (err == NULL)
        return;
    for (i = 0; i < len && out + 5 < sizeof(err->reply); i++) {
        unsigned char ch = (unsigned char)bytes[i];

        if (ch == '\r' || ch == '\n')
            break;
        if (ch >= 0x20 && ch < 0x7f) {
            err->reply[out++] = (char)ch;
        } else {
            out += (size_t)snprintf(err->reply + out, sizeof(err->reply) - out, "\\x%02x", ch);
        }
    }
    err->reply[out] = 0;
}

/* smtp_error_class_name - printable class */

const char *smtp_error_class_name(enum smtp_err_class cls)
{
    static const char *const names[] = {
        "none", "internal", "usage", "connect", "timeout", "tls", "protocol", "reply",
    };

    if ((unsigned)cls < sizeof(names) / sizeof(names[0]))
        return names[cls];
    return "unknown";
}

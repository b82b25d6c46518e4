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
#include "smtp_sanitize.h"

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

/* smtp_error_set_reply - the first line of offending bytes, sanitized */

void smtp_error_set_reply(struct smtp_error *err, const char *bytes, size_t len)
{
    size_t n = 0;

    if (err == NULL)
        return;
    while (n < len && bytes[n] != '\r' && bytes[n] != '\n')
        n++;
    smtp_sanitize(bytes, n, err->reply, sizeof(err->reply));
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

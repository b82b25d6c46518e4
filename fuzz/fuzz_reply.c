/* fuzz_reply - the reply parser, whole and byte by byte (it must agree) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smtp_reply_limits lim;
    struct smtp_reply_parser p;
    struct smtp_reply whole, piece;
    const char *buf = (const char *)data;
    long rc_whole, rc_piece = SMTP_REPLY_PARTIAL;
    size_t n;

    smtp_reply_limits_default(&lim);
    lim.line_max = 512;
    lim.lines_max = 50;
    lim.total_max = 4096;
    smtp_reply_parser_init(&p);
    rc_whole = smtp_reply_parse(&p, &lim, buf, size, &whole);
    if (rc_whole > 0) {
        size_t pos = 0;
        const char *text;
        size_t len;
        char enh[16];

        if ((size_t)rc_whole > size || whole.code < 200 || whole.code > 599)
            abort();
        while (smtp_reply_next_line(&whole, &pos, &text, &len))
            if (text + len > buf + rc_whole)
                abort();
        smtp_reply_enhanced(&whole, enh, sizeof(enh));
    }
    /* Incremental feeding must reach the same verdict. */
    smtp_reply_parser_init(&p);
    for (n = 0; n <= size && rc_piece == SMTP_REPLY_PARTIAL; n++)
        rc_piece = smtp_reply_parse(&p, &lim, buf, n, &piece);
    if (rc_piece != rc_whole && !(rc_whole == SMTP_REPLY_PARTIAL && n > size))
        abort();
    if (rc_whole > 0 && (piece.code != whole.code || piece.nlines != whole.nlines))
        abort();
    return 0;
}

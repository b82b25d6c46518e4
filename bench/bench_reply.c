/*++
 * NAME
 *	bench_reply 1
 * SUMMARY
 *	reply parser throughput
 * SYNOPSIS
 *	bench_reply [seconds]
 * DESCRIPTION
 *	Parses a buffer of back-to-back replies, as a client reading a
 *	pipelined stream would, for each of three shapes: a single-line
 *	reply, Postfix's 11-line EHLO reply, and a 40-line reply of long
 *	lines. Prints replies/s and MB/s (10^6 bytes) per shape.
 *--*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtp_reply.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(const char *name, const char *reply, double seconds)
{
    size_t rlen = strlen(reply);
    size_t count = (1 << 20) / rlen + 1; /* about 1 MiB of replies */
    size_t len = rlen * count;
    char *buf = malloc(len);
    struct smtp_reply_limits lim;
    double t0, t1;
    unsigned long long replies = 0;
    unsigned long long bytes = 0;
    int sink = 0;
    size_t i;

    smtp_reply_limits_default(&lim);
    for (i = 0; i < count; i++)
        memcpy(buf + i * rlen, reply, rlen);
    t0 = now_s();
    do {
        size_t off = 0;

        while (off < len) {
            struct smtp_reply_parser p;
            struct smtp_reply r;
            long n;

            smtp_reply_parser_init(&p);
            n = smtp_reply_parse(&p, &lim, buf + off, len - off, &r);
            if (n <= 0) {
                fprintf(stderr, "bench_reply: parse failed at %zu\n", off);
                exit(1);
            }
            sink += r.code;
            off += (size_t)n;
            replies++;
        }
        bytes += len;
        t1 = now_s();
    } while (t1 - t0 < seconds);
    printf("%-28s %6zu B/reply %12.0f replies/s %9.1f MB/s   (check %d)\n", name, rlen,
           (double)replies / (t1 - t0), (double)bytes / (t1 - t0) / 1e6, sink & 1);
    free(buf);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    static char long_reply[8192];
    size_t i;

    for (i = 0; i < 39; i++)
        strcat(long_reply, "250-this is a long line of a long multi-line reply, as some "
                           "servers send for HELP or for banners with legal notices\r\n");
    strcat(long_reply, "250 end of the long reply\r\n");
    run("single-line", "250 2.1.5 Ok\r\n", seconds);
    run("single-line relay denied", "554 5.7.1 <someone@example.org>: Relay access denied\r\n",
        seconds);
    run("multi-line EHLO (11 lines)",
        "250-mx.relaylab.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
        "250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
        "250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
        seconds);
    run("multi-line long (40 lines)", long_reply, seconds);
    return 0;
}

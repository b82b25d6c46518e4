/*++
 * NAME
 *	cli_certs 3
 * SUMMARY
 *	relaylab certs: a throwaway CA and server certificate
 * SYNOPSIS
 *	relaylab certs DIR [--name HOST] [--ip ADDR]
 * DESCRIPTION
 *	Writes DIR/ca.pem, DIR/cert.pem and DIR/key.pem (0600), made
 *	with the OpenSSL API (EC P-256, 30 days), for test servers.
 *--*/
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mta.h"
#include "smtp_tls.h"

int cli_certs(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"name", required_argument, 0, 'n'},
        {"ip", required_argument, 0, 'i'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *name = MTA_HOSTNAME;
    const char *ip = NULL;
    struct smtp_error err;
    int ch;

    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            name = optarg;
            break;
        case 'i':
            ip = optarg;
            break;
        case 'h':
            printf("usage: relaylab certs DIR [--name HOST] [--ip ADDR]\n"
                   "writes DIR/ca.pem, DIR/cert.pem and DIR/key.pem (a throwaway test CA and a\n"
                   "server certificate for HOST and ADDR)\n");
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "relaylab certs: bad option '%s'\n", argv[optind - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: relaylab certs DIR [--name HOST] [--ip ADDR]\n");
        return CLI_EXIT_USAGE;
    }
    smtp_error_clear(&err);
    if (smtp_tls_make_certs(argv[optind], name, ip, &err) < 0) {
        cli_error("certs", err.msg);
        return CLI_EXIT_ENV;
    }
    return CLI_EXIT_OK;
}

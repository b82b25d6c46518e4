/*++
 * NAME
 *	mta_eximconf 3
 * SUMMARY
 *	an Exim config's text: sections, splices, authenticator sockets
 * DESCRIPTION
 *	See mta_eximconf.h.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mta_eximconf.h"

/* mta_eximconf_section - [start, end) of "begin NAME" .. next "begin", or of the main part */

int mta_eximconf_section(const char *cf, const char *name, size_t *start, size_t *end)
{
    const char *p = cf;
    const char *found = NULL;

    *start = 0;
    *end = strlen(cf);
    while (p && *p) {
        const char *q = p;

        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "begin", 5) == 0 && (q[5] == ' ' || q[5] == '\t')) {
            const char *n = q + 5;

            while (*n == ' ' || *n == '\t')
                n++;
            if (found) {
                *end = (size_t)(p - cf);
                return 0;
            }
            if (name == NULL) {
                *end = (size_t)(p - cf);
                return 0;
            }
            if (strncmp(n, name, strlen(name)) == 0 &&
                (n[strlen(name)] == '\n' || n[strlen(name)] == ' ' || n[strlen(name)] == 0)) {
                found = p;
                *start = strchr(p, '\n') ? (size_t)(strchr(p, '\n') + 1 - cf) : strlen(cf);
            }
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return name == NULL || found ? 0 : -1;
}

/* mta_eximconf_splice - cf[0, start) + text + cf[end, ...) */

int mta_eximconf_splice(char **cf, size_t start, size_t end, const char *text,
                        struct smtp_error *err)
{
    size_t len = strlen(*cf);
    size_t tlen = strlen(text);
    char *out = malloc(len - (end - start) + tlen + 1);

    if (out == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    memcpy(out, *cf, start);
    memcpy(out + start, text, tlen);
    memcpy(out + start + tlen, *cf + end, len - end + 1);
    free(*cf);
    *cf = out;
    return 0;
}

/*
 * put_sockets - the rewritten section into out (NULL: only measure);
 * returns its length, without the NUL. Both passes walk the same lines,
 * so the size is exact, never a guess.
 */
static size_t put_sockets(const char *text, size_t len, const char *socket, char *out, int *count)
{
    static const char key[] = "  server_socket = ";
    size_t slen = strlen(socket);
    size_t off = 0;
    size_t used = 0;

    *count = 0;
    while (off < len) {
        const char *line = text + off;
        const char *nl = memchr(line, '\n', len - off);
        size_t llen = nl ? (size_t)(nl - line) : len - off;
        size_t q = 0;

        while (q < llen && (line[q] == ' ' || line[q] == '\t'))
            q++;
        if (llen - q >= 13 && strncmp(line + q, "server_socket", 13) == 0) {
            if (out) {
                memcpy(out + used, key, sizeof(key) - 1);
                memcpy(out + used + sizeof(key) - 1, socket, slen);
            }
            used += sizeof(key) - 1 + slen;
            (*count)++;
        } else {
            if (out)
                memcpy(out + used, line, llen);
            used += llen;
        }
        if (out)
            out[used] = '\n';
        used++;
        off += llen + (nl ? 1 : 0);
    }
    return used;
}

/* mta_eximconf_sockets - every server_socket line of a section set to socket */

char *mta_eximconf_sockets(const char *section_text, size_t len, const char *socket, int *count,
                           struct smtp_error *err)
{
    size_t need = put_sockets(section_text, len, socket, NULL, count);
    char *out = malloc(need + 1);

    if (out == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    if (put_sockets(section_text, len, socket, out, count) != need) {
        free(out);
        smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "authenticators rewrite: size changed");
        return NULL;
    }
    out[need] = 0;
    return out;
}

/* mta_eximconf_append - "begin NAME" and text at the end of *cf */

int mta_eximconf_append(char **cf, const char *name, const char *text, struct smtp_error *err)
{
    size_t len = strlen(*cf);
    size_t size = strlen(name) + strlen(text) + sizeof("\nbegin \n");
    char *with = malloc(size);
    int rc;

    if (with == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    snprintf(with, size, "\nbegin %s\n%s", name, text);
    rc = mta_eximconf_splice(cf, len, len, with, err);
    free(with);
    return rc;
}

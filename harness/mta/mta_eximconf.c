/*++
 * NAME
 *	mta_eximconf 3
 * SUMMARY
 *	an Exim config's text: sections, splices, options, drivers
 * DESCRIPTION
 *	See mta_eximconf.h.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mta_eximconf.h"
#include "mta_render.h"

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

/*
 * Logical lines (spec 6.2): a line whose last character before any
 * trailing white space is a backslash continues on the next; comment
 * lines may sit between continuation lines and do not end them. Leading
 * white space is not significant: an option or a driver's name may be
 * indented.
 */
enum line_kind { LINE_BLANK, LINE_COMMENT, LINE_DOT, LINE_NAME, LINE_MACRO, LINE_OPTION };

struct line {
    size_t start, end;   /* [start, end) in the text: every physical line, newlines included */
    enum line_kind kind; /* what its first physical line is */
    const char *name;    /* LINE_NAME: the driver's name; LINE_OPTION: the option's */
    size_t name_len;     /* (LINE_OPTION: without "no_", "not_" or "hide ") */
};

/* phys_end - past the physical line at off (its newline included) */

static size_t phys_end(const char *text, size_t len, size_t off)
{
    const char *nl = memchr(text + off, '\n', len - off);

    return nl ? (size_t)(nl - text) + 1 : len;
}

/* continues - does the physical line [off, end) end with a backslash (trailing blanks aside)? */

static int continues(const char *text, size_t off, size_t end)
{
    while (end > off && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' ' ||
                         text[end - 1] == '\t'))
        end--;
    return end > off && text[end - 1] == '\\';
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* next_line - the logical line at off into *ln; 0 at the end of the text */

static int next_line(const char *text, size_t len, size_t off, struct line *ln)
{
    size_t p = off;
    size_t n = 0;
    size_t end;

    if (off >= len)
        return 0;
    ln->start = off;
    ln->name = NULL;
    ln->name_len = 0;
    end = phys_end(text, len, off);
    while (p < end && (text[p] == ' ' || text[p] == '\t'))
        p++;
    if (p == end || text[p] == '\n' || text[p] == '\r') {
        ln->kind = LINE_BLANK;
    } else if (text[p] == '#') {
        ln->kind = LINE_COMMENT;
    } else if (text[p] == '.') {
        ln->kind = LINE_DOT;
    } else {
        size_t q;

        while (p + n < end && name_char(text[p + n]))
            n++;
        q = p + n;
        while (q < end && (text[q] == ' ' || text[q] == '\t'))
            q++;
        if (n && q < end && text[q] == ':') {
            ln->kind = LINE_NAME;
        } else if (text[p] >= 'A' && text[p] <= 'Z') {
            ln->kind = LINE_MACRO;
        } else {
            ln->kind = LINE_OPTION;
            /* "hide name = value" (spec 6.12) */
            if (n == 4 && strncmp(text + p, "hide", 4) == 0 && q > p + n) {
                p = q;
                for (n = 0; p + n < end && name_char(text[p + n]); n++)
                    ;
            }
            if (n > 3 && strncmp(text + p, "no_", 3) == 0) {
                p += 3;
                n -= 3;
            } else if (n > 4 && strncmp(text + p, "not_", 4) == 0) {
                p += 4;
                n -= 4;
            }
        }
        ln->name = text + p;
        ln->name_len = n;
    }
    /* Comments and directives are one physical line; anything else may continue. */
    if (ln->kind != LINE_COMMENT && ln->kind != LINE_DOT && ln->kind != LINE_BLANK) {
        size_t cur = off;     /* the last physical line that counts */
        size_t cur_end = end; /* (a comment between does not) */

        while (continues(text, cur, cur_end) && end < len) {
            size_t next = end;
            size_t q = next;

            while (q < len && (text[q] == ' ' || text[q] == '\t'))
                q++;
            end = phys_end(text, len, next);
            if (q < len && text[q] == '#')
                continue; /* a comment inside: the line goes on after it */
            cur = next;
            cur_end = end;
        }
    }
    ln->end = end;
    return 1;
}

/* is_option - is ln a setting of option name? */

static int is_option(const struct line *ln, const char *name)
{
    return ln->kind == LINE_OPTION && ln->name_len == strlen(name) &&
           strncmp(ln->name, name, ln->name_len) == 0;
}

/* option_value - ln's value, its physical lines joined as Exim joins them, into buf */

static void option_value(const char *text, const struct line *ln, char *buf, size_t size)
{
    const char *p = ln->name + ln->name_len;
    const char *end = text + ln->end;
    size_t used = 0;

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end && *p == '=')
        p++;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (p < end && used + 1 < size) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        const char *q = stop;
        int more;

        while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
            q--;
        more = q > p && q[-1] == '\\' && nl;
        if (more)
            q--;
        while (p < q && used + 1 < size)
            buf[used++] = *p++;
        if (!more)
            break;
        /* The next physical line: its leading blanks go, a comment goes whole. */
        p = nl + 1;
        for (;;) {
            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            if (p < end && *p == '#') {
                const char *n2 = memchr(p, '\n', (size_t)(end - p));

                p = n2 ? n2 + 1 : end;
                continue;
            }
            break;
        }
    }
    buf[used] = 0;
}

static int buf_str(struct mta_text *b, const char *s)
{
    return mta_text_add(b, s, strlen(s));
}

/* dot_depth - the conditional depth after directive ln (.ifdef/.ifndef in, .endif out) */

static int dot_depth(const char *text, const struct line *ln, int depth)
{
    const char *p = text + ln->start;

    while (*p == ' ' || *p == '\t')
        p++;
    if (strncmp(p, ".ifdef", 6) == 0 || strncmp(p, ".ifndef", 7) == 0)
        return depth + 1;
    if (strncmp(p, ".endif", 6) == 0 && depth > 0)
        return depth - 1;
    return depth;
}

/* mta_eximconf_main_option - name = value, once, in a main section */

int mta_eximconf_main_option(char **main_part, const char *name, const char *value, char *old,
                             size_t old_size, struct smtp_error *err)
{
    const char *text = *main_part;
    size_t len = strlen(text);
    size_t off = 0;
    size_t at = (size_t)-1; /* where the setting goes: the first one's place, the end, or the top */
    int had = 0;
    int depth = 0;
    struct line ln;
    struct mta_text b = {0};

    if (strchr(value, '\n') || strchr(name, '\n'))
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "bad setting %s", name);
    if (old_size)
        old[0] = 0;
    /* First pass: where the first setting is, and the last one's value (the one Exim keeps). */
    while (next_line(text, len, off, &ln)) {
        if (ln.kind == LINE_DOT)
            depth = dot_depth(text, &ln, depth);
        if (is_option(&ln, name)) {
            if (!had && depth == 0)
                at = ln.start;
            had = 1;
            if (old_size)
                option_value(text, &ln, old, old_size);
        }
        off = ln.end;
    }
    /*
     * None, or the first inside .ifdef/.ifndef (where it might never
     * count): at the end, as before; at the top when a conditional is
     * still open there.
     */
    if (at == (size_t)-1)
        at = depth == 0 ? len : 0;
    /* Second pass: every setting of the option out (each physical line of it), ours in. */
    off = 0;
    for (;;) {
        int more = next_line(text, len, off, &ln);

        if ((more ? ln.start : len) == at) {
            if (b.len && b.s[b.len - 1] != '\n' && buf_str(&b, "\n") < 0)
                goto oom;
            if (buf_str(&b, name) < 0 || buf_str(&b, " = ") < 0 || buf_str(&b, value) < 0 ||
                buf_str(&b, "\n") < 0)
                goto oom;
            at = (size_t)-1;
        }
        if (!more)
            break;
        if (!is_option(&ln, name) && mta_text_add(&b, text + ln.start, ln.end - ln.start) < 0)
            goto oom;
        off = ln.end;
    }
    /* The last line had no newline: the next section's "begin" must not join it. */
    if (b.len && b.s[b.len - 1] != '\n' && buf_str(&b, "\n") < 0)
        goto oom;
    free(*main_part);
    *main_part = b.s;
    return had;
oom:
    free(b.s);
    return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
}

/*
 * The options a router that found hosts through DNS or a route list had
 * for that alone, or that would move or drop its next hop: once it is a
 * manualroute to the capture sink they go (spec: the dnslookup and
 * manualroute routers' options; ignore_target_hosts would ignore the
 * sink's 127.0.0.N, translate_ip_address and fallback_hosts move it).
 */
static const char *const router_dropped[] = {
    "transport",
    "route_data",
    "route_list",
    "hosts_randomize",
    "host_find_failed",
    "host_all_ignored",
    "same_domain_copy_routing",
    "widen_domains",
    "check_srv",
    "check_secondary_mx",
    "mx_domains",
    "mx_fail_domains",
    "srv_fail_domains",
    "fail_defer_domains",
    "qualify_single",
    "search_parents",
    "rewrite_headers",
    "ipv4_only",
    "ipv4_prefer",
    "fail_if_no_mx",
    "ignore_target_hosts",
    "fallback_hosts",
    "translate_ip_address",
    "self",
    "dnssec_request_domains",
    "dnssec_require_domains",
};

static int router_drops(const struct line *ln)
{
    size_t i;

    if (is_option(ln, "driver"))
        return 1;
    for (i = 0; i < sizeof(router_dropped) / sizeof(router_dropped[0]); i++)
        if (is_option(ln, router_dropped[i]))
            return 1;
    return 0;
}

/* driver_of - the value of the first "driver =" in [start, end), into buf ("" if none) */

static void driver_of(const char *text, size_t start, size_t end, char *buf, size_t size)
{
    struct line ln;
    size_t off = start;

    buf[0] = 0;
    while (off < end && next_line(text, end, off, &ln)) {
        if (is_option(&ln, "driver")) {
            option_value(text, &ln, buf, size);
            /* A quoted value (spec 6.16) is the same word. */
            if (buf[0] == '"' && strlen(buf) > 1 && buf[strlen(buf) - 1] == '"') {
                memmove(buf, buf + 1, strlen(buf) - 2);
                buf[strlen(buf) - 2] = 0;
            }
            return;
        }
        off = ln.end;
    }
}

/* driver_end - where the driver whose name line ends at off ends: the next name line */

static size_t driver_end(const char *text, size_t len, size_t off)
{
    struct line ln;

    while (next_line(text, len, off, &ln)) {
        if (ln.kind == LINE_NAME)
            return ln.start;
        off = ln.end;
    }
    return len;
}

/* add_name - ", name" onto a list of dropped options, once */

static void add_name(char *list, size_t size, const char *name, size_t len)
{
    char one[64];
    const char *p = list;

    snprintf(one, sizeof(one), "%.*s", (int)len, name);
    while ((p = strstr(p, one)) != NULL) {
        size_t l = strlen(one);

        if ((p == list || p[-1] == ' ') && (p[l] == ',' || p[l] == 0))
            return;
        p += l;
    }
    snprintf(list + strlen(list), size - strlen(list), "%s%s", list[0] ? ", " : "", one);
}

/*
 * rewrite_drivers - a routers (transports == 0) or transports section
 * rewritten: see mta_eximconf_routers() and mta_eximconf_transports().
 */
static char *rewrite_drivers(const char *text, size_t len, const char *body, int transports,
                             void (*note)(void *ctx, const char *text), void *ctx, int *count,
                             struct smtp_error *err)
{
    struct mta_text b = {0};
    struct line ln;
    size_t off = 0;

    *count = 0;
    while (next_line(text, len, off, &ln)) {
        char driver[64];
        char dropped[512] = "";
        char said[700];
        size_t end, o;
        int convert;

        if (ln.kind != LINE_NAME) {
            if (mta_text_add(&b, text + ln.start, ln.end - ln.start) < 0)
                goto oom;
            off = ln.end;
            continue;
        }
        end = driver_end(text, len, ln.end);
        driver_of(text, ln.end, end, driver, sizeof(driver));
        convert =
            transports || strcmp(driver, "dnslookup") == 0 || strcmp(driver, "manualroute") == 0;
        if (mta_text_add(&b, text + ln.start, ln.end - ln.start) < 0)
            goto oom;
        if (!convert) {
            off = ln.end;
            continue;
        }
        if (buf_str(&b, "  # relaylab: was driver = ") < 0 ||
            buf_str(&b, driver[0] ? driver : "(none)") < 0 ||
            buf_str(&b, transports ? "; now SMTP to the capture sink\n"
                                   : "; now a manualroute to the capture sink\n") < 0 ||
            buf_str(&b, body) < 0)
            goto oom;
        for (o = ln.end; o < end && next_line(text, end, o, &ln); o = ln.end) {
            int drop = transports ? ln.kind == LINE_OPTION : router_drops(&ln);

            if (drop && !is_option(&ln, "driver"))
                add_name(dropped, sizeof(dropped), ln.name, ln.name_len);
            if (!drop && mta_text_add(&b, text + ln.start, ln.end - ln.start) < 0)
                goto oom;
        }
        {
            struct line name_ln;
            size_t nlen;

            next_line(text, len, off, &name_ln);
            nlen = name_ln.name_len;
            if (transports)
                snprintf(said, sizeof(said),
                         "exim transport %.*s: driver %s -> smtp to the capture sink (same name)",
                         (int)nlen, name_ln.name, driver[0] ? driver : "(none)");
            else
                snprintf(said, sizeof(said),
                         "exim router %.*s: driver %s -> manualroute to the capture sink; "
                         "dropped: %s",
                         (int)nlen, name_ln.name, driver, dropped[0] ? dropped : "nothing else");
        }
        if (note)
            note(ctx, said);
        (*count)++;
        off = end;
    }
    if (b.s == NULL && buf_str(&b, "") < 0)
        goto oom;
    return b.s;
oom:
    free(b.s);
    smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    return NULL;
}

/* mta_eximconf_routers - dnslookup and manualroute routers made manualroutes to the sink */

char *mta_eximconf_routers(const char *section_text, size_t len, const char *body,
                           void (*note)(void *ctx, const char *text), void *ctx, int *count,
                           struct smtp_error *err)
{
    return rewrite_drivers(section_text, len, body, 0, note, ctx, count, err);
}

/* mta_eximconf_transports - every transport's options replaced by body */

char *mta_eximconf_transports(const char *section_text, size_t len, const char *body,
                              void (*note)(void *ctx, const char *text), void *ctx, int *count,
                              struct smtp_error *err)
{
    return rewrite_drivers(section_text, len, body, 1, note, ctx, count, err);
}

/* mta_eximconf_body - past a driver's name line in text: its options */

const char *mta_eximconf_body(const char *text)
{
    size_t len = strlen(text);
    size_t off = 0;
    struct line ln;

    while (next_line(text, len, off, &ln)) {
        if (ln.kind == LINE_NAME)
            return text + ln.end;
        off = ln.end;
    }
    return text + len;
}

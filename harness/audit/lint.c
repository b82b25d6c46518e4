/*++
 * NAME
 *	lint 3
 * SUMMARY
 *	static checks of an MTA's relay config: the findings model
 * DESCRIPTION
 *	See lint.h.
 *--*/
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lint.h"
#include "slurp.h"
#include "smtp_sanitize.h"

void lint_report_free(struct lint_report *r)
{
    free(r->findings);
    memset(r, 0, sizeof(*r));
}

const char *lint_severity_name(enum lint_severity s)
{
    return s == LINT_ERROR ? "error" : s == LINT_WARNING ? "warning" : "info";
}

/* before - a comes before b: by file, then line */

static int before(const struct lint_finding *a, const struct lint_finding *b)
{
    int c = strcmp(a->file, b->file);

    return c < 0 || (c == 0 && a->line < b->line);
}

/* lint_report_sort - an insertion sort: stable, and at most LINT_FINDINGS_MAX findings */

void lint_report_sort(struct lint_report *r)
{
    struct lint_finding tmp;
    size_t i, j;

    for (i = 1; i < r->n; i++) {
        for (j = i; j > 0 && before(&r->findings[i], &r->findings[j - 1]); j--)
            ;
        if (j == i)
            continue;
        tmp = r->findings[i];
        memmove(&r->findings[j + 1], &r->findings[j], (i - j) * sizeof(tmp));
        r->findings[j] = tmp;
    }
}

size_t lint_report_errors(const struct lint_report *r)
{
    size_t i, n = 0;

    for (i = 0; i < r->n; i++)
        n += r->findings[i].severity == LINT_ERROR;
    return n;
}

/*
 * clean_copy - text as it is when the sanitizer would leave it so (a
 * regular expression's backslashes stay single), else sanitized
 */
static void clean_copy(const char *text, char *out, size_t size)
{
    size_t n = strlen(text);

    if (n < size && smtp_sanitize_is_clean(text, n))
        memcpy(out, text, n + 1);
    else
        smtp_sanitize(text, n, out, size);
}

/*
 * excerpt - the line's bytes, its physical lines joined by one space (a
 * continuation's break and indent, or "\" and break), through the
 * sanitizer, cut with "..."
 */
static void excerpt(const struct lint_line *where, char *out, size_t size)
{
    char joined[2 * LINT_EXCERPT_MAX];
    size_t i, n = 0;

    for (i = 0; where && i < where->raw_len && n < sizeof(joined); i++) {
        const char *p = where->raw + i;

        if (*p == '\\' && i + 1 < where->raw_len && p[1] == '\n')
            continue;
        if (*p == '\r' && i + 1 < where->raw_len && p[1] == '\n')
            continue;
        if (*p != '\n') {
            joined[n++] = *p;
            continue;
        }
        while (i + 1 < where->raw_len && (p[1] == ' ' || p[1] == '\t'))
            i++, p++;
        joined[n++] = ' ';
    }
    smtp_sanitize(joined, n, out, size);
}

/* lint_add - see lint.h */

void lint_add(struct lint_report *r, const char *id, enum lint_severity sev, const char *file,
              const struct lint_line *where, const char *fix, const char *why_fmt, ...)
{
    int line = where ? where->line : 0;
    char shown[LINT_PATH_MAX];
    char why[LINT_WHY_MAX];
    struct lint_finding *f;
    va_list ap;
    size_t i;

    if (r->n >= LINT_FINDINGS_MAX) {
        r->dropped++; /* a duplicate among them too, perhaps: no time spent on telling */
        return;
    }
    smtp_sanitize_str(file, shown, sizeof(shown));
    for (i = 0; i < r->n; i++)
        if (strcmp(r->findings[i].id, id) == 0 && r->findings[i].line == line &&
            strcmp(r->findings[i].file, shown) == 0)
            return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        struct lint_finding *p = realloc(r->findings, cap * sizeof(*p));

        if (p == NULL) {
            r->failed = 1;
            return;
        }
        r->findings = p;
        r->cap = cap;
    }
    f = &r->findings[r->n++];
    memset(f, 0, sizeof(*f));
    f->id = id;
    f->severity = sev;
    f->line = line;
    memcpy(f->file, shown, sizeof(shown));
    va_start(ap, why_fmt);
    vsnprintf(why, sizeof(why), why_fmt, ap);
    va_end(ap);
    clean_copy(why, f->why, sizeof(f->why));
    clean_copy(fix ? fix : "", f->fix, sizeof(f->fix));
    excerpt(where, f->excerpt, sizeof(f->excerpt));
}

/* walk - open path below dirfd one component at a time, never through a link */

static int walk(int dirfd, const char *path)
{
    char part[256];
    const char *p = path, *slash;
    int fd = dirfd, next;

    for (;;) {
        size_t n;

        while (*p == '/')
            p++;
        slash = strchr(p, '/');
        n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || n >= sizeof(part) || (n == 2 && p[0] == '.' && p[1] == '.')) {
            if (fd != dirfd)
                close(fd);
            errno = n == 0 ? ENOENT : EPERM;
            return -1;
        }
        memcpy(part, p, n);
        part[n] = 0;
        p += n;
        while (*p == '/')
            p++;
        next = openat(fd, part,
                      O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (*p ? O_DIRECTORY : 0));
        if (fd != dirfd)
            close(fd);
        if (next < 0 || *p == 0)
            return next;
        fd = next;
    }
}

/* lint_read - see lint.h */

int lint_read(int dirfd, const char *path, const char *shown, struct lint_text *out,
              struct smtp_error *err)
{
    struct stat st;
    FILE *fp;
    int fd;

    memset(out, 0, sizeof(*out));
    if (dirfd == AT_FDCWD)
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    else if (path[0] == '/')
        return smtp_error_set(err, SMTP_ERR_USAGE, EPERM, "%s: not below the config directory",
                              shown);
    else
        fd = walk(dirfd, path);
    if (fd < 0)
        return smtp_error_set(err, SMTP_ERR_USAGE, errno, "cannot read %s: %s", shown,
                              errno == ELOOP ? "a symbolic link (not followed)" : strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "cannot read %s: not a regular file", shown);
    }
    if (st.st_size > (off_t)LINT_FILE_MAX) {
        close(fd);
        return smtp_error_set(err, SMTP_ERR_USAGE, EFBIG, "cannot read %s: larger than %u bytes",
                              shown, LINT_FILE_MAX);
    }
    if ((fp = fdopen(fd, "r")) == NULL) {
        close(fd);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "out of memory");
    }
    out->buf = slurp_stream(fp, LINT_FILE_MAX, &out->len);
    fclose(fp);
    if (out->buf == NULL)
        return smtp_error_set(err, errno == ENOMEM ? SMTP_ERR_INTERNAL : SMTP_ERR_USAGE, errno,
                              "cannot read %s: %s", shown, strerror(errno));
    /* slurp_stream's buffer is never full when it returns: room for a NUL. */
    out->buf[out->len] = 0;
    out->shown = shown;
    return 0;
}

void lint_text_free(struct lint_text *t)
{
    free(t->buf);
    memset(t, 0, sizeof(*t));
}

/* is_comment - blank, or "#" the first non-space character */

static int is_comment(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i == n || s[i] == '#';
}

/* rtrim - the length without trailing white space */

static size_t rtrim(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return n;
}

/* append - physical line s[0..n) onto the logical line being built at *end */

static void append(struct lint_line *l, char **end, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (l->len > 0 && n > 0) {
        *(*end)++ = ' ';
        l->len++;
    }
    memcpy(*end, s, n);
    *end += n;
    l->len += n;
    **end = 0;
}

/* lint_lines_split - see lint.h */

int lint_lines_split(const struct lint_text *t, enum lint_join join, struct lint_lines *out,
                     struct smtp_error *err)
{
    size_t off = 0, cap = 0;
    char *end;
    int lineno = 0, open = 0;

    memset(out, 0, sizeof(*out));
    /* Joined text is never longer than the file: one arena, a NUL per line. */
    if ((out->arena = malloc(2 * t->len + 2)) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    end = out->arena;
    while (off < t->len) {
        const char *s = t->buf + off, *nl = memchr(s, '\n', t->len - off);
        size_t n = nl ? (size_t)(nl - s) : t->len - off;
        int indented = n > 0 && (s[0] == ' ' || s[0] == '\t');
        struct lint_line *l;

        off += n + (nl != NULL);
        lineno++;
        if (is_comment(s, n))
            continue;
        n = rtrim(s, n);
        if (join == LINT_JOIN_INDENT ? (indented && out->n > 0) : open) {
            l = &out->v[out->n - 1];
        } else {
            if (out->n == LINT_LINES_MAX) {
                lint_lines_free(out);
                return smtp_error_set(err, SMTP_ERR_USAGE, 0, "cannot read %s: more than %d lines",
                                      t->shown ? t->shown : "a file", LINT_LINES_MAX);
            }
            if (out->n == cap) {
                struct lint_line *p;

                cap = cap ? 2 * cap : 64;
                if ((p = realloc(out->v, cap * sizeof(*p))) == NULL) {
                    lint_lines_free(out);
                    return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
                }
                out->v = p;
            }
            l = &out->v[out->n++];
            end += l > out->v ? 1 : 0;
            *l = (struct lint_line){.text = end, .line = lineno, .raw = s, .raw_len = n};
            *end = 0;
        }
        open = join == LINT_JOIN_BACKSLASH && n > 0 && s[n - 1] == '\\';
        l->raw_len = (size_t)(s + n - l->raw); /* the excerpt spans every physical line */
        append(l, &end, s, open ? n - 1 : n);
        if (open)
            l->len = rtrim(l->text, l->len), end = l->text + l->len, *end = 0;
    }
    return 0;
}

void lint_lines_free(struct lint_lines *l)
{
    free(l->v);
    free(l->arena);
    memset(l, 0, sizeof(*l));
}

/* in_v4 - net lies within a.b.c.d/len */

static int in_v4(const struct audit_net *net, unsigned a, unsigned b, int len)
{
    unsigned want = (a << 24) | (b << 16), have;
    unsigned mask = len == 0 ? 0 : 0xffffffffu << (32 - len);

    if (net->family != AF_INET || net->len < len)
        return 0;
    have = ((unsigned)net->addr[0] << 24) | ((unsigned)net->addr[1] << 16) |
           ((unsigned)net->addr[2] << 8) | net->addr[3];
    return (have & mask) == (want & mask);
}

/* in_private - net lies within one of the ranges a site uses for itself (RFC 1918, 6598, 3927) */

static int in_private(const struct audit_net *net)
{
    return in_v4(net, 10, 0, 8) || in_v4(net, 172, 16, 12) || in_v4(net, 192, 168, 16) ||
           in_v4(net, 100, 64, 10) || in_v4(net, 169, 254, 16);
}

/* lint_net_wide - see lint.h */

int lint_net_wide(const struct audit_net *net)
{
    if (net->len == 0)
        return LINT_NET_OPEN;
    if (net->family == AF_INET) {
        if (in_v4(net, 127, 0, 8))
            return 0;
        if (in_private(net))
            return net->len < 16 ? LINT_NET_WIDE : 0;
        return net->len <= 8 ? LINT_NET_OPEN : net->len < 16 ? LINT_NET_WIDE : 0;
    }
    /* fe80::/10, link-local: only the link. fc00::/7, unique local: a site's own. */
    if (net->addr[0] == 0xfe && (net->addr[1] & 0xc0) == 0x80)
        return 0;
    if ((net->addr[0] & 0xfe) == 0xfc)
        return net->len < 48 ? LINT_NET_WIDE : 0;
    return net->len < 16 ? LINT_NET_OPEN : net->len < 32 ? LINT_NET_WIDE : 0;
}

/* domain_tail - where the literal domain at the end of p[0..n) starts */

static size_t domain_tail(const char *p, size_t n, int *escaped_dots, int *bare_dots)
{
    size_t i = n;

    *escaped_dots = *bare_dots = 0;
    while (i > 0) {
        char c = p[i - 1];

        if (isalnum((unsigned char)c) || c == '-') {
            i--;
        } else if (c == '.' && i >= 2 && p[i - 2] == '\\') {
            (*escaped_dots)++;
            i -= 2;
        } else if (c == '.' && i < n && i >= 2 && isalnum((unsigned char)p[i - 2])) {
            (*bare_dots)++; /* "example.com": "." matches any character */
            i--;
        } else {
            break;
        }
    }
    /* A label starts the domain, not a dot. */
    while (i < n && !isalnum((unsigned char)p[i]))
        i += p[i] == '\\' ? 2 : 1;
    return i;
}

/* ends_with - p[0..n) ends with s */

static int ends_with(const char *p, size_t n, const char *s)
{
    size_t k = strlen(s);

    return n >= k && memcmp(p + n - k, s, k) == 0;
}

/* lint_regex_lookalike - see lint.h */

int lint_regex_lookalike(const char *p, size_t n, char *dom, size_t dom_size)
{
    static const char *const safe_before[] = {
        "^", "@", "\\.", "\\@", "[.@]", "[@.]", "[.]", "\\.)", "\\.)?", "@)", "@)?", "|^)",
    };
    int anchored = n > 0 && p[n - 1] == '$';
    int escaped, bare;
    size_t end = anchored ? n - 1 : n, start, i;

    if (dom_size > 0)
        dom[0] = 0; /* "no domain" unless one is found */
    start = domain_tail(p, end, &escaped, &bare);
    if (escaped + bare == 0 || start >= end)
        return 0;
    snprintf(dom, dom_size, "%.*s", (int)(end - start), p + start);
    if (!anchored || bare > 0)
        return 1;
    for (i = 0; i < sizeof(safe_before) / sizeof(safe_before[0]); i++)
        if (ends_with(p, start, safe_before[i]))
            return 0;
    return 1;
}

int lint_is_word(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

void lint_fmt(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out, size, fmt, ap);
    va_end(ap);
}

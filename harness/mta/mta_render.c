/*++
 * NAME
 *	mta_render 3
 * SUMMARY
 *	render MTA configs from templates and overrides
 * DESCRIPTION
 *	See mta_render.h.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mta_render.h"

int mta_vars_set(struct mta_vars *vars, const char *name, const char *value)
{
    size_t i;

    for (i = 0; i < vars->n; i++) {
        if (strcmp(vars->name[i], name) == 0) {
            vars->value[i] = value;
            return 0;
        }
    }
    if (vars->n == MTA_RENDER_VARS_MAX)
        return -1;
    vars->name[vars->n] = name;
    vars->value[vars->n++] = value;
    return 0;
}

/* mta_text_add - see mta_render.h */

int mta_text_add(struct mta_text *t, const char *s, size_t len)
{
    if (len > MTA_RENDER_TEXT_MAX || t->len + len + 1 > MTA_RENDER_TEXT_MAX)
        return -1;
    if (t->len + len + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        char *p;

        while (cap < t->len + len + 1)
            cap *= 2;
        if ((p = realloc(t->s, cap)) == NULL)
            return -1;
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, len);
    t->len += len;
    t->s[t->len] = 0;
    return 0;
}

static int is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* mta_render_fill - {{NAME}} -> value */

int mta_render_fill(const char *text, const struct mta_vars *vars, char **out,
                    struct smtp_error *err)
{
    struct mta_text b = {0};
    const char *p = text;

    while (*p) {
        const char *open = strstr(p, "{{");
        const char *name;
        size_t nlen = 0;
        size_t i;

        /* "{{{X}}}" in Exim: the placeholder is the innermost "{{X}}". */
        while (open && open[2] == '{')
            open++;
        if (open == NULL) {
            if (mta_text_add(&b, p, strlen(p)) < 0)
                goto oom;
            break;
        }
        name = open + 2;
        while (is_name_char(name[nlen]))
            nlen++;
        if (nlen == 0 || name[nlen] != '}' || name[nlen + 1] != '}') {
            if (mta_text_add(&b, p, (size_t)(open - p) + 1) < 0)
                goto oom;
            p = open + 1;
            continue;
        }
        for (i = 0; i < vars->n; i++)
            if (strlen(vars->name[i]) == nlen && strncmp(vars->name[i], name, nlen) == 0)
                break;
        if (i == vars->n) {
            free(b.s);
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "template names unknown {{%.*s}}",
                                  (int)nlen, name);
        }
        if (mta_text_add(&b, p, (size_t)(open - p)) < 0 ||
            mta_text_add(&b, vars->value[i], strlen(vars->value[i])) < 0)
            goto oom;
        p = name + nlen + 2;
    }
    if (b.s == NULL && mta_text_add(&b, "", 0) < 0)
        goto oom;
    *out = b.s;
    return 0;
oom:
    free(b.s);
    return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
}

/* mta_render_read - a whole file, malloc'd; over the limit is an error, never cut short */

char *mta_render_read(const char *path, enum mta_render_whose whose, struct smtp_error *err)
{
    /* A template is ours (the install is wrong); a user's file is theirs to fix. */
    enum smtp_err_class cls = whose == MTA_RENDER_TEMPLATE ? SMTP_ERR_INTERNAL : SMTP_ERR_USAGE;
    const char *what = whose == MTA_RENDER_TEMPLATE ? "template " : "";
    FILE *fp;
    char *text;
    size_t n;

    if ((fp = fopen(path, "r")) == NULL) {
        smtp_error_set(err, cls, errno, "cannot read %s%s: %s", what, path, strerror(errno));
        return NULL;
    }
    /* One byte over the limit tells a file of exactly the limit from a longer one. */
    if ((text = malloc(MTA_RENDER_FILE_MAX + 2)) == NULL) {
        fclose(fp);
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    n = fread(text, 1, MTA_RENDER_FILE_MAX + 1, fp);
    if (ferror(fp) || n > MTA_RENDER_FILE_MAX) {
        int e = ferror(fp) ? errno : EFBIG;

        fclose(fp);
        free(text);
        if (e == EFBIG)
            smtp_error_set(err, cls, e, "%s%s is over %d bytes", what, path, MTA_RENDER_FILE_MAX);
        else
            smtp_error_set(err, cls, e, "cannot read %s%s: %s", what, path, strerror(e));
        return NULL;
    }
    text[n] = 0;
    fclose(fp);
    return text;
}

/* mta_render_load - read a template and fill it */

int mta_render_load(const char *dir, const char *name, const struct mta_vars *vars, char **out,
                    struct smtp_error *err)
{
    char path[1024];
    char *text;
    int rc;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENAMETOOLONG, "template path too long: %s/%s",
                              dir, name);
    if ((text = mta_render_read(path, MTA_RENDER_TEMPLATE, err)) == NULL)
        return -1;
    rc = mta_render_fill(text, vars, out, err);
    free(text);
    return rc;
}

/* find_line - start of the line "key = ..." (key followed by blanks and '=') */

static char *find_line(char *cf, const char *key)
{
    size_t klen = strlen(key);
    char *line = cf;

    while (line && *line) {
        if (strncmp(line, key, klen) == 0) {
            const char *q = line + klen;

            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '=')
                return line;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return NULL;
}

/* line_end - past "key = ..." and its continuation lines (white space first: postconf(5)) */

static char *line_end(char *line)
{
    char *end = strchr(line, '\n');

    while (end && (end[1] == ' ' || end[1] == '\t'))
        end = strchr(end + 1, '\n');
    return end ? end + 1 : line + strlen(line);
}

/*
 * set_line - replace "key = ..." and its continuation lines, or append.
 * Postfix takes the last of several lines for one key: every other line
 * for it is removed, so the value set here is the one that counts.
 */
static int set_line(char **cf, const char *key, const char *value, struct smtp_error *err)
{
    char *first = find_line(*cf, key);
    struct mta_text b = {0};
    char *p = *cf;

    if (strpbrk(key, " \t\n=") || strchr(value, '\n'))
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "bad setting %s", key);
    if (first == NULL) {
        size_t len = strlen(*cf);

        if (mta_text_add(&b, *cf, len) < 0 ||
            (len && (*cf)[len - 1] != '\n' && mta_text_add(&b, "\n", 1) < 0) ||
            mta_text_add(&b, key, strlen(key)) < 0 || mta_text_add(&b, " = ", 3) < 0 ||
            mta_text_add(&b, value, strlen(value)) < 0 || mta_text_add(&b, "\n", 1) < 0)
            goto oom;
    } else {
        char *line;

        /* Up to the first line, the setting there, then the rest without the key. */
        if (mta_text_add(&b, *cf, (size_t)(first - *cf)) < 0 ||
            mta_text_add(&b, key, strlen(key)) < 0 || mta_text_add(&b, " = ", 3) < 0 ||
            mta_text_add(&b, value, strlen(value)) < 0 || mta_text_add(&b, "\n", 1) < 0)
            goto oom;
        p = line_end(first);
        while ((line = find_line(p, key)) != NULL) {
            if (mta_text_add(&b, p, (size_t)(line - p)) < 0)
                goto oom;
            p = line_end(line);
        }
        if (mta_text_add(&b, p, strlen(p)) < 0)
            goto oom;
    }
    free(*cf);
    *cf = b.s;
    return 0;
oom:
    free(b.s);
    return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
}

int mta_render_param(char **cf, const char *key, const char *value, struct smtp_error *err)
{
    return set_line(cf, key, value, err);
}

int mta_render_macro(char **cf, const char *name, const char *value, struct smtp_error *err)
{
    /* Exim macros start with an upper-case letter (spec 6.4). */
    if (name[0] < 'A' || name[0] > 'Z')
        return smtp_error_set(err, SMTP_ERR_USAGE, 0,
                              "Exim macro names start with an upper-case letter: %s", name);
    return set_line(cf, name, value, err);
}

int mta_render_param_get(const char *cf, const char *key, char *buf, size_t size)
{
    const char *line = find_line((char *)cf, key);
    const char *later;
    const char *v;
    size_t len;

    /* The last line for the key is the one Postfix uses. */
    while (line && (later = find_line(line_end((char *)line), key)) != NULL)
        line = later;

    if (line == NULL)
        return -1;
    v = strchr(line, '=') + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    len = strcspn(v, "\n");
    if (len >= size)
        len = size - 1;
    memcpy(buf, v, len);
    buf[len] = 0;
    return 0;
}

/* mta_render_write - atomic write */

int mta_render_write(const char *path, const char *text, int mode, struct smtp_error *err)
{
    char tmp[1100];
    int fd;
    size_t len = strlen(text);

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot write %s: %s", tmp,
                              strerror(errno));
    /*
     * Backdated by a minute: Postfix's master waits, re-reading every
     * 300 ms for about 2 s, for a config file that is newer than itself
     * to settle. A rendered file is complete before it is renamed.
     */
    struct timespec times[2];

    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= 60;
    times[1] = times[0];
    if (write(fd, text, len) != (ssize_t)len || fchmod(fd, (mode_t)mode) < 0 ||
        futimens(fd, times) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        int e = errno;

        unlink(tmp);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, e, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

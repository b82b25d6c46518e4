/*++
 * NAME
 *	smtp_transcript 3
 * SUMMARY
 *	bounded record of a dialogue, secrets already removed
 * DESCRIPTION
 *	See smtp_transcript.h. Entries hold offsets into one text arena,
 *	so growing the arena never leaves an entry pointing at freed
 *	memory.
 *--*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_ehlo.h"
#include "smtp_sanitize.h"
#include "smtp_transcript.h"

struct slot {
    long t_ms;
    char dir;
    size_t off;
    size_t len;
};

struct smtp_transcript {
    struct slot *slots;
    size_t nslots;
    size_t slots_cap;
    char *text;
    size_t text_len;
    size_t text_cap;
    size_t bytes_max;
    size_t dropped;
};

struct smtp_transcript *smtp_transcript_new(size_t bytes_max)
{
    struct smtp_transcript *t = calloc(1, sizeof(*t));

    if (t)
        t->bytes_max = bytes_max ? bytes_max : SMTP_TRANSCRIPT_MAX_DEFAULT;
    return t;
}

void smtp_transcript_free(struct smtp_transcript *t)
{
    if (t == NULL)
        return;
    free(t->slots);
    free(t->text);
    free(t);
}

/* grow - double a buffer up to need */

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 16;
    void *p;

    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    if ((p = realloc(*buf, n * elem)) == NULL)
        return -1;
    *buf = p;
    *cap = n;
    return 0;
}

/* smtp_transcript_add - append one line */

int smtp_transcript_add(struct smtp_transcript *t, char dir, long t_ms, const char *text,
                        size_t len)
{
    struct slot *s;

    if (t == NULL)
        return -1;
    if (t->text_len + len + (t->nslots + 1) * sizeof(struct slot) > t->bytes_max ||
        grow((void **)&t->slots, &t->slots_cap, t->nslots + 1, sizeof(struct slot)) < 0 ||
        grow((void **)&t->text, &t->text_cap, t->text_len + len + 1, 1) < 0) {
        t->dropped++;
        return -1;
    }
    s = &t->slots[t->nslots++];
    s->t_ms = t_ms;
    s->dir = dir;
    s->off = t->text_len;
    s->len = len;
    if (len)
        memcpy(t->text + t->text_len, text, len);
    t->text_len += len;
    t->text[t->text_len] = 0;
    return 0;
}

/* smtp_transcript_vaddf - append one line made from a format, cut to fit */

int smtp_transcript_vaddf(struct smtp_transcript *t, char dir, long t_ms, const char *fmt,
                          va_list ap)
{
    char buf[SMTP_TRANSCRIPT_NOTE_MAX];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    if (n < 0)
        return -1;
    return smtp_transcript_add(t, dir, t_ms, buf,
                               (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

size_t smtp_transcript_count(const struct smtp_transcript *t)
{
    return t ? t->nslots : 0;
}

int smtp_transcript_get(const struct smtp_transcript *t, size_t i, struct smtp_transcript_entry *e)
{
    if (t == NULL || i >= t->nslots)
        return -1;
    e->t_ms = t->slots[i].t_ms;
    e->dir = t->slots[i].dir;
    e->text = t->text + t->slots[i].off;
    e->len = t->slots[i].len;
    return 0;
}

size_t smtp_transcript_dropped(const struct smtp_transcript *t)
{
    return t ? t->dropped : 0;
}

/* smtp_transcript_write - readable transcript, every line sanitized */

int smtp_transcript_write(FILE *fp, const struct smtp_transcript *t, int colour)
{
    size_t next = 0;

    if (smtp_transcript_write_from(fp, t, &next, colour) < 0)
        return -1;
    if (smtp_transcript_dropped(t) > 0)
        fprintf(fp, " *  (%zu more lines dropped: transcript limit)\n", smtp_transcript_dropped(t));
    return ferror(fp) ? -1 : 0;
}

/* smtp_transcript_write_from - the entries from *next on */

int smtp_transcript_write_from(FILE *fp, const struct smtp_transcript *t, size_t *next, int colour)
{
    static const struct {
        char dir;
        const char *mark;
        const char *colour;
    } marks[] = {
        {SMTP_TX_CLIENT, " C:", "\033[36m"}, {SMTP_TX_SERVER, " S:", "\033[33m"},
        {SMTP_TX_BEGIN, " --", "\033[1m"},   {SMTP_TX_STEP, " > ", "\033[1m"},
        {SMTP_TX_FAIL, " ! ", "\033[31m"},   {SMTP_TX_INFO, " * ", "\033[2m"},
    };
    size_t n = smtp_transcript_count(t);
    size_t i, k;

    for (i = *next; i < n; i++) {
        struct smtp_transcript_entry e;
        size_t size;
        char *line;

        if (smtp_transcript_get(t, i, &e) < 0)
            return -1;
        for (k = 0; k < sizeof(marks) / sizeof(marks[0]) - 1 && marks[k].dir != e.dir; k++)
            ;
        size = SMTP_SANITIZE_SIZE(e.len);
        if ((line = malloc(size)) == NULL)
            return -1;
        smtp_sanitize(e.text, e.len, line, size);
        fprintf(fp, "%s%4ld.%03ld%s %s%s\n", colour ? marks[k].colour : "", e.t_ms / 1000,
                e.t_ms % 1000, marks[k].mark, line, colour ? "\033[0m" : "");
        free(line);
        *next = i + 1;
    }
    return ferror(fp) ? -1 : 0;
}

/* sasl_name - RFC 4422 3.1: 1 to 20 of upper-case letters, digits, "-" and "_" */

static int sasl_name(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len > 20)
        return 0;
    for (i = 0; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_'))
            return 0;
    return 1;
}

/* word - the next word of line from *pos (blanks skipped); its length */

static size_t word(const char *line, size_t len, size_t *pos, const char **start)
{
    size_t n = 0;

    while (*pos < len && (line[*pos] == ' ' || line[*pos] == '\t'))
        (*pos)++;
    *start = line + *pos;
    while (*pos < len && line[*pos] != ' ' && line[*pos] != '\t') {
        (*pos)++;
        n++;
    }
    return n;
}

/* smtp_transcript_redact - a typed line's secrets out of sight */

int smtp_transcript_redact(const char *line, size_t len, int last_code, char *out, size_t size)
{
    const char *verb, *mech, *rest;
    size_t pos = 0;
    size_t verb_len = word(line, len, &pos, &verb);
    size_t mech_len = word(line, len, &pos, &mech);

    /* RFC 4954 4: after 334 the client's line is a response; "*" cancels. */
    if (last_code == 334) {
        if (len == 1 && line[0] == '*')
            return 0;
        snprintf(out, size, "%s", SMTP_TRANSCRIPT_REDACTED);
        return 1;
    }
    if (verb_len != 4 || strncasecmp(verb, "AUTH", 4) != 0 || mech_len == 0)
        return 0;
    /* A word that is no mechanism name may be a response typed without one. */
    if (!sasl_name(mech, mech_len) && smtp_ehlo_auth_mech(mech, mech_len) == 0) {
        snprintf(out, size, "%.*s %s", (int)verb_len, verb, SMTP_TRANSCRIPT_REDACTED);
        return 1;
    }
    if (word(line, len, &pos, &rest) == 0)
        return 0; /* no initial response: nothing secret */
    snprintf(out, size, "%.*s %.*s %s", (int)verb_len, verb, (int)mech_len, mech,
             SMTP_TRANSCRIPT_REDACTED);
    return 1;
}

/*++
 * NAME
 *	audit_hints 3
 * SUMMARY
 *	the words a config's own permits are keyed on, from lint's findings
 * DESCRIPTION
 *	See audit_hints.h. lint's excerpts are sanitised text (smtp_sanitize:
 *	"\\" for a backslash, "\xNN" for other bytes): read back here.
 *--*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_hints.h"
#include "lint_exim.h"
#include "lint_postfix.h"

/* unsanitize - "\\" and "\xNN" back to their bytes (a tab stays a word's end) */

static void unsanitize(const char *in, char *out, size_t size)
{
    size_t used = 0;

    while (*in && used + 1 < size) {
        if (in[0] == '\\' && in[1] == '\\') {
            out[used++] = '\\';
            in += 2;
        } else if (in[0] == '\\' && in[1] == 'x' && isxdigit((unsigned char)in[2]) &&
                   isxdigit((unsigned char)in[3])) {
            char hex[3] = {in[2], in[3], 0};

            out[used++] = (char)strtol(hex, NULL, 16);
            in += 4;
        } else {
            out[used++] = *in++;
        }
    }
    out[used] = 0;
}

/* example - one unit of the pattern at *p into out; the output's length after it */

static size_t example(const char **p, char *out, size_t used, size_t size, int depth);

/* group - "(a|b)": the first alternative's example */

static size_t group(const char **p, char *out, size_t used, size_t size, int depth)
{
    (*p)++; /* '(' */
    if ((*p)[0] == '?' && (*p)[1] == ':')
        *p += 2;
    while (**p && **p != ')' && **p != '|')
        used = example(p, out, used, size, depth + 1);
    /* The other alternatives are skipped, parentheses counted. */
    for (int level = 0; **p && !(level == 0 && **p == ')'); (*p)++) {
        if (**p == '\\' && (*p)[1])
            (*p)++;
        else if (**p == '(')
            level++;
        else if (**p == ')')
            level--;
    }
    if (**p == ')')
        (*p)++;
    return used;
}

static size_t example(const char **p, char *out, size_t used, size_t size, int depth)
{
    size_t start = used;
    char c = 0;

    if (depth > 8) {
        *p += strlen(*p);
        return used;
    }
    switch (**p) {
    case '^':
    case '$':
        (*p)++;
        return used;
    case '(':
        used = group(p, out, used, size, depth);
        break;
    case '[': {
        const char *q = *p + 1;

        c = *q == '^' ? 'x' : *q;
        while (*q && *q != ']')
            q += *q == '\\' && q[1] ? 2 : 1;
        *p = *q ? q + 1 : q;
        break;
    }
    case '\\':
        (*p)++;
        c = **p == 'd' ? '1' : **p == 'w' ? 'a' : **p == 's' ? '-' : **p;
        if (**p)
            (*p)++;
        if (c == 'N') /* Exim's \N ... \N: no unit */
            return used;
        break;
    case '.':
        c = 'x';
        (*p)++;
        break;
    default:
        c = *(*p)++;
    }
    if (c && used + 1 < size)
        out[used++] = c;
    /* A quantifier: '*' and '?' may leave the unit out, so they do. */
    if (**p == '*' || **p == '?') {
        used = start;
        (*p)++;
    } else if (**p == '+') {
        (*p)++;
    } else if (**p == '{') {
        while (**p && **p != '}')
            (*p)++;
        if (**p)
            (*p)++;
    }
    out[used] = 0;
    return used;
}

int audit_regex_example(const char *re, char *out, size_t size)
{
    const char *p = re;
    size_t used = 0;

    if (size == 0)
        return -1;
    out[0] = 0;
    while (*p && *p != '|' && used + 1 < size)
        used = example(&p, out, used, size, 0);
    out[used] = 0;
    return used ? 0 : -1;
}

/* word_ok - printable, no blank, within size */

static int word_ok(const char *w, size_t size)
{
    size_t i;

    for (i = 0; w[i]; i++)
        if ((unsigned char)w[i] <= ' ' || (unsigned char)w[i] >= 0x7f || w[i] == '<' ||
            w[i] == '>' || w[i] == '"')
            return 0;
    return i < size;
}

/* keep - one word of a kind, once */

static void keep(char (*list)[AUDIT_ADDR_MAX], size_t *n, const char *w)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp(list[i], w) == 0)
            return;
    if (*n < AUDIT_HINTS_MAX && word_ok(w, AUDIT_ADDR_MAX))
        snprintf(list[(*n)++], AUDIT_ADDR_MAX, "%s", w);
}

enum role { SENDER, HELO, LOCAL };

/* add_word - a key of a role, as the word to send */

static void add_word(struct audit_hints *h, enum role role, const char *key)
{
    char word[AUDIT_ADDR_MAX], re[AUDIT_ADDR_MAX];
    size_t n = strlen(key);

    if (n == 0 || n >= sizeof(re))
        return;
    /* A pattern: /re/flags (Postfix), ^re (Exim): a string it matches. */
    if (key[0] == '/' && strrchr(key + 1, '/')) {
        snprintf(re, sizeof(re), "%.*s", (int)(strrchr(key + 1, '/') - key - 1), key + 1);
        if (audit_regex_example(re, word, sizeof(word)) < 0)
            return;
    } else if (key[0] == '^') {
        if (audit_regex_example(key, word, sizeof(word)) < 0)
            return;
    } else {
        snprintf(word, sizeof(word), "%s", key);
    }
    if (role == SENDER) {
        char s[AUDIT_ADDR_MAX];
        const char *at = strchr(word, '@');

        if (strcmp(word, "<>") == 0)
            snprintf(s, sizeof(s), "%s", "");
        else if (at == NULL)
            snprintf(s, sizeof(s), "x@%.300s", word); /* a domain: any sender in it */
        else if (at[1] == 0)
            snprintf(s, sizeof(s), "%.280s%s", word, "relaylab-sender.test");
        else
            snprintf(s, sizeof(s), "%s%.300s", word[0] == '@' || word[0] == '*' ? "x" : "",
                     word[0] == '*' ? word + 1 : word);
        keep(h->senders, &h->nsenders, s); /* "" is the null sender, once */
    } else if (role == HELO) {
        if (strchr(word, '@') == NULL && h->nhelos < AUDIT_HINTS_MAX &&
            word_ok(word, AUDIT_NAME_MAX))
            snprintf(h->helos[h->nhelos++], AUDIT_NAME_MAX, "%.*s", AUDIT_NAME_MAX - 1, word);
    } else {
        size_t lp = strcspn(word, "@");

        if (lp > 0 && lp < sizeof(h->locals[0]) && h->nlocals < AUDIT_HINTS_MAX) {
            snprintf(h->locals[h->nlocals], sizeof(h->locals[0]), "%.*s", (int)lp, word);
            if (word_ok(h->locals[h->nlocals], sizeof(h->locals[0])))
                h->nlocals++;
        }
    }
}

/* exim_values - the items of "NAME = a : b" in an ACL line */

static void exim_values(struct audit_hints *h, enum role role, const char *line, const char *name)
{
    const char *v = strstr(line, name);
    char item[AUDIT_ADDR_MAX];

    if (v == NULL || (v = strchr(v, '=')) == NULL)
        return;
    for (v++; *v;) {
        size_t n;

        v += strspn(v, " \t");
        n = strcspn(v, ":");
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        if (n && n < sizeof(item)) {
            snprintf(item, sizeof(item), "%.*s", (int)n, v);
            add_word(h, role, item);
        }
        v += strcspn(v, ":");
        if (*v)
            v++;
    }
}

/* exim_helo - a condition on $sender_helo_name: eq{...}{NAME} or match{...}{RE} */

static void exim_helo(struct audit_hints *h, const char *line)
{
    const char *v = strstr(line, "{$sender_helo_name}{");
    char word[AUDIT_NAME_MAX];
    size_t n;

    if (v == NULL)
        return;
    v += 20;
    if (strncmp(v, "\\N", 2) == 0) {
        const char *end = strstr(v + 2, "\\N");

        if (end == NULL || (size_t)(end - v - 2) >= sizeof(word))
            return;
        snprintf(word, sizeof(word), "%.*s", (int)(end - v - 2), v + 2);
    } else {
        n = strcspn(v, "}");
        if (n >= sizeof(word))
            return;
        snprintf(word, sizeof(word), "%.*s", (int)n, v);
    }
    add_word(h, HELO, word);
}

void audit_hints_from_lint(const struct lint_report *rep, struct audit_hints *h)
{
    size_t i;

    memset(h, 0, sizeof(*h));
    for (i = 0; i < rep->n; i++) {
        const struct lint_finding *f = &rep->findings[i];
        char line[LINT_EXCERPT_MAX];
        char key[LINT_EXCERPT_MAX];

        if (strcmp(f->id, "client-controlled-permit") != 0)
            continue;
        unsanitize(f->excerpt, line, sizeof(line));
        if (strstr(f->why, "check_sender_access") || strstr(f->why, "check_helo_access") ||
            strstr(f->why, "check_recipient_access")) {
            /* A table's line: its key is the first word. */
            snprintf(key, sizeof(key), "%.*s", (int)strcspn(line, " \t"), line);
            add_word(h,
                     strstr(f->why, "check_sender_access") ? SENDER
                     : strstr(f->why, "check_helo_access") ? HELO
                                                           : LOCAL,
                     key);
        } else if (strstr(line, "senders")) {
            exim_values(h, SENDER, line, "senders");
        } else if (strstr(line, "local_parts")) {
            exim_values(h, LOCAL, line, "local_parts");
        } else if (strstr(line, "$sender_helo_name")) {
            exim_helo(h, line);
        }
    }
    for (i = 0; i < h->nsenders; i++)
        h->sender_ptr[i] = h->senders[i];
    for (i = 0; i < h->nhelos; i++)
        h->helo_ptr[i] = h->helos[i];
    for (i = 0; i < h->nlocals; i++)
        h->local_ptr[i] = h->locals[i];
}

/* audit_lint_config - see audit_hints.h */

void audit_lint_config(enum mta_kind mta, const char *main_cf, const char *exim_conf,
                       struct lint_report *rep)
{
    struct lint_params lp = {0};
    struct smtp_error err;
    char dir[4096];
    const char *slash;

    memset(rep, 0, sizeof(*rep));
    if (mta == MTA_POSTFIX && main_cf) {
        slash = strrchr(main_cf, '/');
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - main_cf) : 1,
                 slash ? main_cf : ".");
        (void)lint_postfix(dir, &lp, rep, &err);
    } else if (exim_conf) {
        (void)lint_exim(exim_conf, &lp, rep, &err);
    }
}

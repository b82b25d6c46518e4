/*++
 * NAME
 *	scenario 3
 * SUMMARY
 *	scenario files: parser and model (scenarios/FORMAT.md)
 * DESCRIPTION
 *	See scenario.h. One line at a time: cut a trailing "[where]",
 *	split into words (quotes, comments), dispatch on the first word
 *	from a table. Every string is copied into the arena.
 *--*/
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "number.h"
#include "sandnet.h"
#include "scenario.h"
#include "scenario_grammar.h"

#define WORDS_MAX SCENARIO_GRAMMAR_WORDS_MAX

struct word {
    const char *text; /* NUL-terminated, in the line buffer */
    int col;          /* 1-based */
};

struct line {
    struct scenario *s;
    const char *file; /* in the arena */
    int lineno;
    struct word words[WORDS_MAX];
    size_t nwords;
    char buf[2 * SCENARIO_LINE_MAX + 2];
    struct scenario_where where;
    const char *source; /* the statement as written, without the where */
    const char *raw;    /* for "C:", the rest of the line */
    int raw_col;
    scenario_include_fn include;
    void *ctx;
};

/* fail - record the position and message */

static int fail(struct scenario_error *err, const char *file, int line, int col, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));

static int fail(struct scenario_error *err, const char *file, int line, int col, const char *fmt,
                ...)
{
    va_list ap;

    snprintf(err->file, sizeof(err->file), "%s", file ? file : "?");
    err->line = line;
    err->col = col;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

void scenario_error_format(const struct scenario_error *err, char *buf, size_t size)
{
    snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
}

/*
 * scenario_init - an empty scenario. The arena is not cleared: nothing
 * reads it but what dup() wrote, and its untouched pages cost no memory
 * (10,000 scenarios would clear 320 MB, issue 11).
 */
void scenario_init(struct scenario *s)
{
    const size_t arena_end = offsetof(struct scenario, arena) + sizeof(s->arena);

    memset(s, 0, offsetof(struct scenario, arena));
    memset((char *)s + arena_end, 0, sizeof(*s) - arena_end); /* arena_used, and any after */
}

/* dup - a string into the arena, or NULL when it is full */

static const char *dup(struct scenario *s, const char *text, size_t len)
{
    char *p;

    if (s->arena_used + len + 1 > SCENARIO_ARENA_MAX)
        return NULL;
    p = s->arena + s->arena_used;
    memcpy(p, text, len);
    p[len] = 0;
    s->arena_used += len + 1;
    return p;
}

#define LFAIL(l, col, ...) fail(err, (l)->file, (l)->lineno, (col), __VA_ARGS__)

/* too_large - the arena is full: the statement at line:col did not fit */

#define TOO_LARGE "scenario too large: more than %d bytes of text (its includes counted)"

static int too_large(struct line *l, int col, struct scenario_error *err)
{
    return LFAIL(l, col, TOO_LARGE, SCENARIO_ARENA_MAX);
}

/* keep - a word into the arena */

static int keep(struct line *l, const struct word *w, const char **out, struct scenario_error *err)
{
    if ((*out = dup(l->s, w->text, strlen(w->text))) == NULL)
        return too_large(l, w->col, err);
    return 0;
}

/* variant_index - index of a declared variant, or -1 */

static int variant_index(const struct scenario *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->nvariants; i++)
        if (strcmp(s->variants[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* scenario_mta_bit - SCENARIO_MTA_* for a name, 0 if not an MTA */

unsigned scenario_mta_bit(const char *name)
{
    if (strcmp(name, "postfix") == 0)
        return SCENARIO_MTA_POSTFIX;
    if (strcmp(name, "exim") == 0)
        return SCENARIO_MTA_EXIM;
    return 0;
}

unsigned scenario_release_bit(const char *name)
{
    if (strcmp(name, "bullseye") == 0)
        return SCENARIO_RELEASE_BULLSEYE;
    if (strcmp(name, "bookworm") == 0)
        return SCENARIO_RELEASE_BOOKWORM;
    if (strcmp(name, "trixie") == 0)
        return SCENARIO_RELEASE_TRIXIE;
    return 0;
}

/* selector - one MTA or variant name into a where-clause */

static int selector(struct line *l, const char *name, int col, struct scenario_where *w,
                    struct scenario_error *err)
{
    unsigned bit = scenario_mta_bit(name);
    int v;

    if (bit) {
        w->mtas |= bit;
        return 0;
    }
    if (name[0] == '@') {
        if ((bit = scenario_release_bit(name + 1)) == 0)
            return LFAIL(l, col,
                         "'%s' is not a Debian release relaylab knows (@bullseye, "
                         "@bookworm, @trixie)",
                         name);
        w->releases |= bit;
        return 0;
    }
    if ((v = variant_index(l->s, name)) >= 0) {
        w->variants |= 1u << v;
        return 0;
    }
    return LFAIL(l, col, "'%s' is neither an MTA (postfix, exim) nor a declared variant", name);
}

/* split - the line into words; handles quotes, comments, a trailing [where] */

static int split(struct line *l, const char *text, size_t len, struct scenario_error *err)
{
    size_t end = len;
    size_t i = 0;
    size_t o = 0;

    l->nwords = 0;
    l->raw = NULL;
    memset(&l->where, 0, sizeof(l->where));
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        end--;
    /* A trailing "[words]" after a blank limits the line. */
    if (end > 0 && text[end - 1] == ']') {
        size_t open = end - 1;

        while (open > 0 && text[open] != '[')
            open--;
        if (text[open] == '[' && open > 0 && (text[open - 1] == ' ' || text[open - 1] == '\t') &&
            strspn(text + open + 1, "abcdefghijklmnopqrstuvwxyz0123456789-@ ") == end - open - 2) {
            size_t j = open + 1;

            while (j < end - 1) {
                char name[SCENARIO_GRAMMAR_WHERE_NAME_MAX];
                size_t start;

                while (j < end - 1 && text[j] == ' ')
                    j++;
                start = j;
                while (j < end - 1 && text[j] != ' ')
                    j++;
                if (j == start)
                    break;
                if (j - start >= sizeof(name))
                    return LFAIL(l, (int)start + 1, "name too long");
                memcpy(name, text + start, j - start);
                name[j - start] = 0;
                if (selector(l, name, (int)start + 1, &l->where, err) < 0)
                    return -1;
            }
            end = open;
            while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t'))
                end--;
        }
    }
    while (i < end && (text[i] == ' ' || text[i] == '\t'))
        i++;
    /* Blank and comment-only lines keep nothing. */
    l->source = NULL;
    if (i < end && text[i] != '#' && (l->source = dup(l->s, text + i, end - i)) == NULL)
        return too_large(l, (int)i + 1, err);
    /* "C: LINE" sends LINE as it is: no quoting, no comments. */
    if (end - i >= 2 && text[i] == 'C' && text[i + 1] == ':') {
        size_t r = i + 2;

        while (r < end && (text[r] == ' ' || text[r] == '\t'))
            r++;
        memcpy(l->buf, text + r, end - r);
        l->buf[end - r] = 0;
        l->raw = l->buf;
        l->raw_col = (int)r + 1;
        l->words[0].text = "C:";
        l->words[0].col = (int)i + 1;
        l->nwords = 1;
        return 0;
    }
    while (i < end) {
        struct word *w;

        while (i < end && (text[i] == ' ' || text[i] == '\t'))
            i++;
        if (i >= end || text[i] == '#')
            break;
        if (l->nwords == WORDS_MAX)
            return LFAIL(l, (int)i + 1, "more than %d words", WORDS_MAX);
        w = &l->words[l->nwords++];
        w->col = (int)i + 1;
        w->text = l->buf + o;
        if (text[i] == '"') {
            i++;
            while (i < end && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < end)
                    i++;
                l->buf[o++] = text[i++];
            }
            if (i >= end)
                return LFAIL(l, w->col, "unterminated quoted string");
            i++;
            if (i < end && text[i] != ' ' && text[i] != '\t' && text[i] != '#')
                return LFAIL(l, (int)i + 1, "blank expected after a quoted string");
        } else {
            while (i < end && text[i] != ' ' && text[i] != '\t')
                l->buf[o++] = text[i++];
        }
        l->buf[o++] = 0;
    }
    return 0;
}

/* join - words from..n-1 joined by one blank, into the arena */

static const char *join(struct line *l, size_t from)
{
    char tmp[2 * SCENARIO_LINE_MAX + 2];
    size_t o = 0;
    size_t i;

    for (i = from; i < l->nwords; i++) {
        size_t n = strlen(l->words[i].text);

        if (o + n + 2 > sizeof(tmp))
            break;
        if (i > from)
            tmp[o++] = ' ';
        memcpy(tmp + o, l->words[i].text, n);
        o += n;
    }
    return dup(l->s, tmp, o);
}

/* need - exactly or at least n words */

static int need(struct line *l, size_t min, size_t max, struct scenario_error *err)
{
    const char *verb = l->words[0].text;

    if (l->nwords < min)
        return LFAIL(l, l->words[0].col, "'%s' needs %s %zu argument%s", verb,
                     min == max ? "exactly" : "at least", min - 1, min == 2 ? "" : "s");
    if (l->nwords > max) {
        size_t first_extra = max < WORDS_MAX ? max : 0; /* always max: said for -Warray-bounds */

        return LFAIL(l, l->words[first_extra].col, "'%s' takes at most %zu argument%s", verb,
                     max - 1, max == 2 ? "" : "s");
    }
    return 0;
}

/* header - scenario, title, advice, cause, tags, mta, variant */

static int header(struct line *l, struct scenario_error *err)
{
    struct scenario *s = l->s;
    const char *verb = l->words[0].text;
    size_t i;

    if (l->where.mtas || l->where.variants || l->where.releases)
        return LFAIL(l, l->words[0].col, "'%s' cannot be limited to an MTA or variant", verb);
    if (strcmp(verb, "scenario") == 0) {
        const char *id = l->words[1].text;

        if (need(l, 2, 2, err) < 0)
            return -1;
        if (s->id)
            return LFAIL(l, l->words[0].col, "a second 'scenario' line (the first says %s)", s->id);
        if (strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(id) || !*id)
            return LFAIL(l, l->words[1].col, "scenario id '%s': use a-z, 0-9 and '-'", id);
        if (strlen(id) > SCENARIO_ID_MAX)
            return LFAIL(l, l->words[1].col, "scenario id is %zu characters long: at most %d",
                         strlen(id), SCENARIO_ID_MAX);
        s->id_pos = (struct scenario_pos){l->file, l->lineno, l->words[1].col};
        return keep(l, &l->words[1], &s->id, err);
    }
    if (strcmp(verb, "title") == 0) {
        if (need(l, 2, WORDS_MAX, err) < 0)
            return -1;
        return (s->title = join(l, 1)) ? 0 : too_large(l, l->words[1].col, err);
    }
    if (strcmp(verb, "advice") == 0) {
        if (need(l, 2, WORDS_MAX, err) < 0)
            return -1;
        if (s->advice)
            return LFAIL(l, l->words[0].col, "a second 'advice' line (a scenario gives one)");
        return (s->advice = join(l, 1)) ? 0 : too_large(l, l->words[1].col, err);
    }
    if (strcmp(verb, "cause") == 0) {
        long long n;

        if (need(l, 2, WORDS_MAX, err) < 0)
            return -1;
        if (number_parse(l->words[1].text, 1, 99, &n) < 0)
            return LFAIL(l, l->words[1].col, "cause is a number from 1 to 99");
        s->cause = (int)n;
        if (l->nwords > 2 && (s->cause_name = join(l, 2)) == NULL)
            return too_large(l, l->words[2].col, err);
        return 0;
    }
    if (strcmp(verb, "tags") == 0) {
        for (i = 1; i < l->nwords; i++) {
            if (s->ntags == SCENARIO_TAGS_MAX)
                return LFAIL(l, l->words[i].col, "more than %d tags", SCENARIO_TAGS_MAX);
            if (keep(l, &l->words[i], &s->tags[s->ntags++], err) < 0)
                return -1;
        }
        return 0;
    }
    if (strcmp(verb, "mta") == 0) {
        if (need(l, 2, 3, err) < 0)
            return -1;
        s->mtas = 0;
        for (i = 1; i < l->nwords; i++) {
            unsigned bit = scenario_mta_bit(l->words[i].text);

            if (bit == 0)
                return LFAIL(l, l->words[i].col, "unknown MTA '%s' (postfix, exim)",
                             l->words[i].text);
            s->mtas |= bit;
        }
        return 0;
    }
    /* variant NAME [description] */
    if (need(l, 2, WORDS_MAX, err) < 0)
        return -1;
    if (s->nvariants == SCENARIO_VARIANTS_MAX)
        return LFAIL(l, l->words[0].col, "more than %d variants", SCENARIO_VARIANTS_MAX);
    if (strspn(l->words[1].text, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
            strlen(l->words[1].text) ||
        scenario_mta_bit(l->words[1].text))
        return LFAIL(l, l->words[1].col, "variant name '%s': a-z, 0-9, '-', not an MTA name",
                     l->words[1].text);
    if (strlen(l->words[1].text) > SCENARIO_ID_MAX)
        return LFAIL(l, l->words[1].col, "variant name is %zu characters long: at most %d",
                     strlen(l->words[1].text), SCENARIO_ID_MAX);
    if (variant_index(s, l->words[1].text) >= 0)
        return LFAIL(l, l->words[1].col, "variant '%s' declared twice", l->words[1].text);
    if (s->nsteps > 0 || s->nconfigs > 0 || s->ndialogues > 0)
        return LFAIL(l, l->words[0].col, "variants must be declared before config and dialogues");
    if (keep(l, &l->words[1], &s->variants[s->nvariants].name, err) < 0)
        return -1;
    s->variants[s->nvariants].description = l->nwords > 2 ? join(l, 2) : "";
    if (s->variants[s->nvariants].description == NULL)
        return too_large(l, l->words[2].col, err);
    s->nvariants++;
    return 0;
}

/* config - config [selectors] VERB value */

static int config(struct line *l, struct scenario_error *err)
{
    struct scenario *s = l->s;
    struct scenario_config *c;
    size_t i = 1;

    if (s->nconfigs == SCENARIO_CONFIGS_MAX)
        return LFAIL(l, l->words[0].col, "more than %d config lines", SCENARIO_CONFIGS_MAX);
    c = &s->configs[s->nconfigs];
    memset(c, 0, sizeof(*c));
    c->where = l->where;
    /* One rendered config for every release: a release's difference is in its replies. */
    if (c->where.releases)
        return LFAIL(l, l->words[0].col,
                     "a Debian release (@NAME) limits dialogue lines only, not config");
    /* Selectors up to the verb. */
    while (i < l->nwords && strcmp(l->words[i].text, "set") &&
           strcmp(l->words[i].text, "service") && strcmp(l->words[i].text, "acl-rcpt") &&
           strcmp(l->words[i].text, "no-sasl") && strcmp(l->words[i].text, "plaintext-auth") &&
           strcmp(l->words[i].text, "no-listener") && strcmp(l->words[i].text, "sasl-down")) {
        if (selector(l, l->words[i].text, l->words[i].col, &c->where, err) < 0)
            return -1;
        i++;
    }
    if (i == l->nwords)
        return LFAIL(l, l->words[0].col,
                     "config needs set, service, acl-rcpt, no-listener, no-sasl, sasl-down or "
                     "plaintext-auth");
    /* Errors about the value (a refused setting, a path outside the tree) point at it. */
    c->pos = (struct scenario_pos){l->file, l->lineno, l->words[i + 1 < l->nwords ? i + 1 : i].col};
    if (strcmp(l->words[i].text, "no-sasl") == 0 ||
        strcmp(l->words[i].text, "plaintext-auth") == 0 ||
        strcmp(l->words[i].text, "sasl-down") == 0) {
        c->op = l->words[i].text[0] == 'n'   ? SCN_CFG_NO_SASL
                : l->words[i].text[0] == 's' ? SCN_CFG_SASL_DOWN
                                             : SCN_CFG_PLAINTEXT_AUTH;
        if (i + 1 != l->nwords)
            return LFAIL(l, l->words[i + 1].col, "'%s' takes no value", l->words[i].text);
    } else if (strcmp(l->words[i].text, "no-listener") == 0) {
        c->op = SCN_CFG_NO_LISTENER;
        if (i + 2 != l->nwords ||
            (strcmp(l->words[i + 1].text, "smtp") && strcmp(l->words[i + 1].text, "submission") &&
             strcmp(l->words[i + 1].text, "smtps")))
            return LFAIL(l, l->words[i].col, "no-listener takes smtp, submission or smtps");
        if (keep(l, &l->words[i + 1], &c->value, err) < 0)
            return -1;
    } else if (strcmp(l->words[i].text, "set") == 0) {
        const char *value;

        c->op = SCN_CFG_SET;
        if (i + 2 > l->nwords)
            return LFAIL(l, l->words[i].col, "set needs NAME = VALUE");
        if ((value = join(l, i + 1)) == NULL)
            return too_large(l, l->words[i + 1].col, err);
        if (strchr(value, '=') == NULL || value[0] == '=')
            return LFAIL(l, l->words[i].col, "set needs NAME = VALUE");
        c->value = value;
    } else {
        c->op = strcmp(l->words[i].text, "service") == 0 ? SCN_CFG_SERVICE : SCN_CFG_ACL_RCPT;
        if (i + 2 != l->nwords)
            return LFAIL(l, l->words[i].col, "'%s' takes one value (quote it)", l->words[i].text);
        if (keep(l, &l->words[i + 1], &c->value, err) < 0)
            return -1;
    }
    s->nconfigs++;
    return 0;
}

/* parse_reply - S: CODE [ENHANCED] ["text"] */

static int parse_reply(struct line *l, struct scenario_step *st, struct scenario_error *err)
{
    const char *code = l->words[1].text;
    size_t i = 2;

    if (need(l, 2, 4, err) < 0)
        return -1;
    if (strlen(code) != 3 || code[0] < '2' || code[0] > '5')
        return LFAIL(l, l->words[1].col, "reply code '%s': three digits (554) or a class (5xx)",
                     code);
    if (strcmp(code + 1, "xx") == 0) {
        st->code = code[0] - '0';
        st->code_class = 1;
    } else if (code[1] >= '0' && code[1] <= '5' && code[2] >= '0' && code[2] <= '9') {
        long long n;

        if (number_parse(code, 200, 599, &n) < 0) /* three digits, checked above */
            return LFAIL(l, l->words[1].col, "reply code '%s': 200 to 599", code);
        st->code = (int)n;
    } else {
        return LFAIL(l, l->words[1].col, "reply code '%s': three digits (554) or a class (5xx)",
                     code);
    }
    if (i < l->nwords && l->words[i].text[0] >= '2' && l->words[i].text[0] <= '5' &&
        l->words[i].text[1] == '.') {
        const char *e = l->words[i].text;
        size_t dots = 0;
        size_t k;

        for (k = 0; e[k]; k++) {
            if (e[k] == '.')
                dots++;
            else if (e[k] < '0' || e[k] > '9')
                break;
        }
        if (e[k] || dots != 2 || e[strlen(e) - 1] == '.' || strstr(e, ".."))
            return LFAIL(l, l->words[i].col, "enhanced status code '%s' (RFC 3463: 5.7.1)", e);
        if (keep(l, &l->words[i], &st->enhanced, err) < 0)
            return -1;
        i++;
    }
    if (i < l->nwords) {
        if (keep(l, &l->words[i], &st->text, err) < 0)
            return -1;
        i++;
    }
    if (i < l->nwords)
        return LFAIL(l, l->words[i].col, "unexpected '%s' (quote the text)", l->words[i].text);
    return 0;
}

const struct scenario_grammar_row scenario_grammar_steps[] = {
    {"connect", SCN_CONNECT, 2, 4},   {"ehlo", SCN_EHLO, 1, 2}, {"helo", SCN_HELO, 1, 2},
    {"starttls", SCN_STARTTLS, 1, 1}, {"auth", SCN_AUTH, 2, 3}, {"mail", SCN_MAIL, 2, 2},
    {"rcpt", SCN_RCPT, 2, 2},         {"data", SCN_DATA, 1, 1}, {"rset", SCN_RSET, 1, 1},
    {"noop", SCN_NOOP, 1, 1},         {"quit", SCN_QUIT, 1, 1}, {"S:", SCN_EXPECT_REPLY, 2, 4},
};

const struct scenario_grammar_row scenario_grammar_expects[] = {
    {"relayed", SCN_EXPECT_RELAYED, 2, 3},
    {"relay-denied", SCN_EXPECT_RELAY_DENIED, 2, 2},
    {"open-relay", SCN_EXPECT_OPEN_RELAY, 2, 3},
    {"auth-offered", SCN_EXPECT_AUTH_OFFERED, 2, 2},
    {"auth-not-offered", SCN_EXPECT_AUTH_NOT_OFFERED, 2, 2},
    {"starttls-offered", SCN_EXPECT_STARTTLS_OFFERED, 2, 2},
    {"connection-refused", SCN_EXPECT_CONNECTION_REFUSED, 2, 2},
    {"no-relay-to", SCN_EXPECT_NO_RELAY_TO, 3, 3},
    {"connection-closed", SCN_EXPECT_CONNECTION_CLOSED, 2, 2},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const size_t scenario_grammar_nsteps = COUNT(scenario_grammar_steps);
const size_t scenario_grammar_nexpects = COUNT(scenario_grammar_expects);

/* client_word - a connect step's CLIENT: a role, or an address (where it may be is the runner's) */

static int client_word(const char *w)
{
    static const char *const roles[] = {"inside", "inside6", "office", "outside", "outside6"};
    size_t i;

    for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(w, roles[i]) == 0)
            return 1;
    /* An address of the sandbox's networks (FORMAT.md "Networks"): elsewhere it tests nothing. */
    return sandnet_place(w) != SANDNET_NONE;
}

/* step - one dialogue step */

static int step(struct line *l, struct scenario_error *err)
{
    struct scenario *s = l->s;
    struct scenario_step *st;
    const char *verb = l->words[0].text;
    const struct scenario_grammar_row *row = NULL;
    size_t i;

    if (s->ndialogues == 0)
        return LFAIL(l, l->words[0].col, "'%s' outside a dialogue (start one with 'dialogue NAME')",
                     verb);
    if (s->nsteps == SCENARIO_STEPS_MAX)
        return LFAIL(l, l->words[0].col, "more than %d steps", SCENARIO_STEPS_MAX);
    st = &s->steps[s->nsteps];
    memset(st, 0, sizeof(*st));
    st->where = l->where;
    st->pos = (struct scenario_pos){l->file, l->lineno, l->words[0].col};
    st->dialogue = (int)s->ndialogues - 1;
    st->source = l->source;
    if (strcmp(verb, "C:") == 0) {
        st->op = SCN_RAW;
        if (l->raw == NULL || l->raw[0] == 0)
            return LFAIL(l, l->words[0].col, "'C:' needs a command line");
        if ((st->arg = dup(s, l->raw, strlen(l->raw))) == NULL)
            return too_large(l, l->raw_col, err);
        s->nsteps++;
        return 0;
    }
    if (strcmp(verb, "expect") == 0) {
        if (l->nwords < 2)
            return LFAIL(l, l->words[0].col, "'expect' needs what: relayed, relay-denied, ...");
        for (i = 0; i < COUNT(scenario_grammar_expects); i++)
            if (strcmp(l->words[1].text, scenario_grammar_expects[i].verb) == 0)
                row = &scenario_grammar_expects[i];
        if (row == NULL)
            return LFAIL(l, l->words[1].col,
                         "unknown expectation '%s' (relayed, relay-denied, open-relay, "
                         "auth-offered, auth-not-offered, starttls-offered, connection-refused, "
                         "connection-closed, no-relay-to)",
                         l->words[1].text);
        if (need(l, row->min, row->max, err) < 0)
            return -1;
        st->op = row->op;
        if (l->nwords > 2 && keep(l, &l->words[2], &st->arg, err) < 0)
            return -1;
        s->nsteps++;
        return 0;
    }
    for (i = 0; i < COUNT(scenario_grammar_steps); i++)
        if (strcmp(verb, scenario_grammar_steps[i].verb) == 0)
            row = &scenario_grammar_steps[i];
    if (row == NULL)
        return LFAIL(l, l->words[0].col, "unknown statement '%s'", verb);
    if (need(l, row->min, row->max, err) < 0)
        return -1;
    st->op = row->op;
    if (row->op == SCN_EXPECT_REPLY) {
        if (parse_reply(l, st, err) < 0)
            return -1;
    } else if (row->op == SCN_CONNECT) {
        const char *lis = l->words[1].text;
        long long port;

        if (strcmp(lis, "smtp") && strcmp(lis, "submission") && strcmp(lis, "smtps") &&
            number_parse(lis, 1, 65535, &port) < 0)
            return LFAIL(l, l->words[1].col,
                         "listener '%s': smtp, submission, smtps or a port number 1..65535", lis);
        if (l->nwords == 3 || (l->nwords == 4 && strcmp(l->words[2].text, "from")))
            return LFAIL(l, l->words[2].col, "write 'connect LISTENER from CLIENT'");
        if (l->nwords == 4 && !client_word(l->words[3].text))
            return LFAIL(l, l->words[3].col,
                         "client '%s': inside, inside6, office, outside, outside6, or an "
                         "address of the sandbox's networks (127.0.0.0/8, 10.0.0.0/24, "
                         "192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, ::1, 2001:db8::/32)",
                         l->words[3].text);
        if (keep(l, &l->words[1], &st->arg, err) < 0 ||
            (l->nwords == 4 && keep(l, &l->words[3], &st->arg2, err) < 0))
            return -1;
    } else if (row->op == SCN_AUTH) {
        const char *m = l->words[1].text;

        if (strcasecmp(m, "plain") && strcasecmp(m, "login") && strcasecmp(m, "cram-md5"))
            return LFAIL(l, l->words[1].col, "mechanism '%s': plain, login or cram-md5", m);
        if (l->nwords == 3 && strcmp(l->words[2].text, "user") && strcmp(l->words[2].text, "app") &&
            strcmp(l->words[2].text, "wrong"))
            return LFAIL(l, l->words[2].col, "who '%s': user, app or wrong", l->words[2].text);
        if (keep(l, &l->words[1], &st->arg, err) < 0 ||
            (l->nwords == 3 && keep(l, &l->words[2], &st->arg2, err) < 0))
            return -1;
    } else if (l->nwords > 1 && keep(l, &l->words[1], &st->arg, err) < 0) {
        return -1;
    }
    if ((row->op == SCN_MAIL || row->op == SCN_RCPT) && strpbrk(st->arg, "<>") &&
        strcmp(st->arg, "<>") != 0)
        return LFAIL(l, l->words[1].col,
                     "write the address without <> (only the null sender is <>)");
    s->nsteps++;
    return 0;
}

/* statement - one line */

static int statement(struct line *l, struct scenario_error *err)
{
    const char *verb = l->words[0].text;
    struct scenario *s = l->s;

    if (strcmp(verb, "scenario") == 0 || strcmp(verb, "title") == 0 || strcmp(verb, "cause") == 0 ||
        strcmp(verb, "advice") == 0 || strcmp(verb, "tags") == 0 || strcmp(verb, "mta") == 0 ||
        strcmp(verb, "variant") == 0)
        return header(l, err);
    if (strcmp(verb, "config") == 0)
        return config(l, err);
    if (strcmp(verb, "include") == 0) {
        if (need(l, 2, 2, err) < 0)
            return -1;
        if (l->include == NULL)
            return LFAIL(l, l->words[0].col, "include is not allowed here");
        if (s->include_depth >= SCENARIO_INCLUDE_DEPTH)
            return LFAIL(l, l->words[1].col, "includes nested more than %d deep",
                         SCENARIO_INCLUDE_DEPTH);
        {
            struct scenario_pos at = {l->file, l->lineno, l->words[1].col};

            return l->include(l->ctx, &at, l->words[1].text, s, err) < 0 ? -1 : 0;
        }
    }
    if (strcmp(verb, "dialogue") == 0) {
        if (need(l, 2, 2, err) < 0)
            return -1;
        if (s->ndialogues == SCENARIO_DIALOGUES_MAX)
            return LFAIL(l, l->words[0].col, "more than %d dialogues", SCENARIO_DIALOGUES_MAX);
        s->dialogues[s->ndialogues].pos = (struct scenario_pos){l->file, l->lineno, 1};
        if (keep(l, &l->words[1], &s->dialogues[s->ndialogues].name, err) < 0)
            return -1;
        s->ndialogues++;
        return 0;
    }
    return step(l, err);
}

/* scenario_parse - add one file's statements */

int scenario_parse(struct scenario *s, const char *file, const char *text, size_t len,
                   scenario_include_fn include, void *ctx, struct scenario_error *err)
{
    struct line l;
    size_t off = 0;

    memset(&l, 0, sizeof(l));
    l.s = s;
    l.include = include;
    l.ctx = ctx;
    if ((l.file = dup(s, file, strlen(file))) == NULL)
        return fail(err, file, 1, 1, TOO_LARGE, SCENARIO_ARENA_MAX);
    while (off < len) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
        const char *line = text + off;

        l.lineno++;
        off += n + (nl ? 1 : 0);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (n > SCENARIO_LINE_MAX)
            return LFAIL(&l, SCENARIO_LINE_MAX + 1, "line longer than %d bytes", SCENARIO_LINE_MAX);
        if (memchr(line, 0, n))
            return LFAIL(&l, (int)((const char *)memchr(line, 0, n) - line) + 1, "NUL byte");
        if (split(&l, line, n, err) < 0)
            return -1;
        if (l.nwords == 0) {
            if (l.where.mtas || l.where.variants)
                return LFAIL(&l, 1, "a [where] with nothing before it");
            continue;
        }
        if (statement(&l, err) < 0)
            return -1;
    }
    return 0;
}

/* scenario_applies - does a where-clause hold? */

int scenario_applies(const struct scenario_where *w, unsigned mta, size_t variant, unsigned release)
{
    if (w->mtas && !(w->mtas & mta))
        return 0;
    if (w->releases && !(w->releases & release))
        return 0;
    if (w->variants && !(w->variants & (1u << variant)))
        return 0;
    return 1;
}

int scenario_has_tag(const struct scenario *s, const char *tag)
{
    size_t i;

    for (i = 0; i < s->ntags; i++)
        if (strcmp(s->tags[i], tag) == 0)
            return 1;
    return 0;
}

/* scenario_check - the whole makes sense */

int scenario_check(const struct scenario *s, struct scenario_error *err)
{
    size_t v;
    unsigned m;

    if (s->id == NULL)
        return fail(err, s->nsteps ? s->steps[0].pos.file : "?", 1, 1, "no 'scenario ID' line");
    if (s->ndialogues == 0)
        return fail(err, s->id_pos.file, s->id_pos.line, 1, "no dialogue");
    /* For every MTA and variant, each dialogue must connect before it talks. */
    for (m = SCENARIO_MTA_POSTFIX; m <= SCENARIO_MTA_EXIM; m <<= 1) {
        if (s->mtas && !(s->mtas & m))
            continue;
        for (v = 0; v < (s->nvariants ? s->nvariants : 1) * 3; v++) {
            unsigned release = SCENARIO_RELEASE_BULLSEYE << (v % 3); /* and each release */
            int dialogue = -1;
            int connected = 0;
            size_t i;

            for (i = 0; i < s->nsteps; i++) {
                const struct scenario_step *st = &s->steps[i];

                if (st->dialogue != dialogue) {
                    dialogue = st->dialogue;
                    connected = 0;
                }
                if (!scenario_applies(&st->where, m, v / 3, release))
                    continue;
                if (st->op == SCN_CONNECT)
                    connected = 1;
                else if (!connected)
                    return fail(err, st->pos.file, st->pos.line, st->pos.col,
                                "'%s' before any 'connect' in dialogue %s (%s%s%s)", st->source,
                                s->dialogues[st->dialogue].name,
                                m == SCENARIO_MTA_POSTFIX ? "postfix" : "exim",
                                s->nvariants ? ", " : "",
                                s->nvariants ? s->variants[v / 3].name : "");
            }
        }
    }
    return 0;
}

/* load_file - read path and parse it */

static int load_file(struct scenario *s, const char *path, struct scenario_error *err);

static int include_file(void *ctx, const struct scenario_pos *at, const char *path,
                        struct scenario *s, struct scenario_error *err)
{
    char full[PATH_MAX];
    int rc;

    (void)ctx;
    if (scenario_path(s, at, path, full, sizeof(full), err) < 0)
        return -1;
    s->include_depth++;
    rc = load_file(s, full, err);
    s->include_depth--;
    return rc;
}

/* scenario_path - a named file, resolved, inside the scenario's tree */

int scenario_path(const struct scenario *s, const struct scenario_pos *at, const char *path,
                  char *buf, size_t size, struct scenario_error *err)
{
    char joined[PATH_MAX];
    char real[PATH_MAX];
    const char *slash = strrchr(at->file, '/');
    size_t rlen = strlen(s->root);

    if (s->root[0] == 0)
        return fail(err, at->file, at->line, at->col, "no file may be named here");
    if (path[0] == '/' || slash == NULL)
        snprintf(joined, sizeof(joined), "%s", path);
    else if ((size_t)snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - at->file), at->file,
                              path) >= sizeof(joined))
        return fail(err, at->file, at->line, at->col, "path too long");
    /* Resolved first: a symbolic link inside the tree may point out of it. */
    if (realpath(joined, real) == NULL)
        return fail(err, at->file, at->line, at->col, "cannot read '%s': %s", path,
                    strerror(errno));
    if (strncmp(real, s->root, rlen) != 0 || (real[rlen] != '/' && rlen > 1))
        return fail(err, at->file, at->line, at->col,
                    "'%s' is outside the scenario tree %s: a scenario may name only files "
                    "inside it",
                    path, s->root);
    if (strlen(real) >= size)
        return fail(err, at->file, at->line, at->col, "path too long");
    memcpy(buf, real, strlen(real) + 1);
    return 0;
}

static int load_file(struct scenario *s, const char *path, struct scenario_error *err)
{
    FILE *fp = fopen(path, "r");
    static const size_t max = 256 * 1024;
    char *text;
    size_t n;
    int rc;

    if (fp == NULL)
        return fail(err, path, 0, 0, "cannot read: %s", strerror(errno));
    if ((text = malloc(max + 1)) == NULL) {
        fclose(fp);
        return fail(err, path, 0, 0, "out of memory");
    }
    n = fread(text, 1, max + 1, fp);
    fclose(fp);
    if (n > max) {
        free(text);
        return fail(err, path, 0, 0, "file larger than %zu bytes", max);
    }
    rc = scenario_parse(s, path, text, n, include_file, NULL, err);
    free(text);
    return rc;
}

int scenario_load(const char *path, const char *root, struct scenario *s,
                  struct scenario_error *err)
{
    char dir[PATH_MAX];
    char real[PATH_MAX];
    const char *slash = strrchr(path, '/');

    scenario_init(s);
    if (root == NULL) {
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
        if (dir[0] == 0)
            snprintf(dir, sizeof(dir), "/");
        root = dir;
    }
    if (realpath(root, real) == NULL || strlen(real) >= sizeof(s->root))
        return fail(err, path, 0, 0, "scenario tree %s: %s", root,
                    errno ? strerror(errno) : "path too long");
    memcpy(s->root, real, strlen(real) + 1);
    /* The scenario file itself as well (it may be a link out of the tree). */
    {
        struct scenario_pos at = {path, 0, 0};
        char self[PATH_MAX];

        if (scenario_path(s, &at, slash ? slash + 1 : path, self, sizeof(self), err) < 0)
            return -1;
    }
    if (load_file(s, path, err) < 0)
        return -1;
    /* Files named by config lines: inside the tree, and there, before anything runs. */
    for (size_t i = 0; i < s->nconfigs; i++) {
        char file[PATH_MAX];

        if (s->configs[i].op == SCN_CFG_ACL_RCPT &&
            scenario_path(s, &s->configs[i].pos, s->configs[i].value, file, sizeof(file), err) < 0)
            return -1;
    }
    return scenario_check(s, err);
}

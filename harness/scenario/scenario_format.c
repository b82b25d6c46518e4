/*++
 * NAME
 *	scenario_format 3
 * SUMMARY
 *	scenario files: the writer beside the parser
 * SYNOPSIS
 *	#include "scenario.h"
 *
 *	ssize_t	scenario_format(const struct scenario *s, char *buf, size_t size,
 *				struct scenario_error *err)
 *
 *	int	scenario_equal(const struct scenario *a, const struct scenario *b)
 * DESCRIPTION
 *	scenario_format() writes a scenario model back as text that
 *	scenario_parse() reads as the same model (scenario_equal()), like
 *	snprintf: no allocation, no I/O. Kept apart from the parser
 *	(scenario.c), whose tokenizer decides what it must quote.
 * DIAGNOSTICS
 *	-1 with err when a line cannot be written within the parser's
 *	limits, or at all; never for a model scenario_parse() made.
 *--*/
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "newfile.h"
#include "scenario.h"
#include "scenario_grammar.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The writer: a model back to text that scenario_parse() reads as the same
 * model. The tokenizer above decides what must be quoted: blanks split
 * words, a word that starts with '"' is quoted (inside, '\' takes the next
 * byte as it is), a word that starts with '#' starts a comment, and a line
 * that ends in "]" after a blank may be a where-clause: such a line gets an
 * empty one, " []", which the parser cuts and ignores. Words are written
 * bare where they can be, so that the text is no longer than need be (the
 * parser's limits count it). What no line can say is refused (refuse()),
 * never written for the parser to reject.
 */

struct out {
    char *buf;
    size_t size;
    size_t len;   /* bytes needed so far */
    char last;    /* the last byte of the current line, 0 at its start */
    size_t line;  /* bytes since the line or its [where] began: a word after them takes a blank */
    size_t start; /* where the current line starts in the text */
    int lineno;   /* the current line's number, from 1 */
    const char *what;           /* the statement on it, for errors */
    int refused;                /* something could not be written */
    struct scenario_error *err; /* the first reason; NULL for a dry run */
};

/* refuse - record why the text cannot be written (the first reason wins) */

static void refuse(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void refuse(struct out *o, const char *fmt, ...)
{
    va_list ap;

    if (o->refused++ || o->err == NULL)
        return;
    snprintf(o->err->file, sizeof(o->err->file), "(written)");
    o->err->line = o->lineno;
    o->err->col = 1;
    va_start(ap, fmt);
    vsnprintf(o->err->msg, sizeof(o->err->msg), fmt, ap);
    va_end(ap);
}

/* put - n bytes out, or counted where they do not fit */

static void put(struct out *o, const char *text, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (o->size && o->len < o->size - 1)
            o->buf[o->len] = text[i];
        o->len++;
    }
    if (n) {
        o->last = text[n - 1];
        o->line += n;
    }
}

static void puts_(struct out *o, const char *text)
{
    put(o, text, strlen(text));
}

/* begin - a statement's line */

static void begin(struct out *o, const char *what)
{
    o->start = o->len;
    o->what = what;
    o->line = 0;
    o->last = 0;
}

/* text_ok - a string the statement holds has no LF: the parser ends a line there */

static void text_ok(struct out *o, const char *w, size_t n)
{
    if (memchr(w, '\n', n))
        refuse(o, "'%s': a newline in its text cannot be written", o->what);
}

/* bare - can the word be written as it is? */

static int bare(const char *w, size_t n)
{
    size_t i;

    if (n == 0 || w[0] == '"' || w[0] == '#')
        return 0;
    for (i = 0; i < n; i++)
        if (w[i] == ' ' || w[i] == '\t')
            return 0;
    return 1;
}

/* quoted - n bytes as one quoted word, after a blank */

static void quoted(struct out *o, const char *w, size_t n)
{
    text_ok(o, w, n);
    if (o->line)
        put(o, " ", 1);
    put(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (w[i] == '"' || w[i] == '\\')
            put(o, "\\", 1);
        put(o, w + i, 1);
    }
    put(o, "\"", 1);
}

/* word_n - n bytes as one word, bare or quoted, after a blank */

static void word_n(struct out *o, const char *w, size_t n)
{
    if (!bare(w, n)) {
        quoted(o, w, n);
        return;
    }
    text_ok(o, w, n);
    if (o->line)
        put(o, " ", 1);
    put(o, w, n);
}

static void word(struct out *o, const char *w)
{
    word_n(o, w, strlen(w));
}

/*
 * Joined values (title, cause name, variant description, set): the parser
 * joins a line's words with one blank, so the writer may cut the value at
 * any blank. A piece between blanks that cannot be bare (empty, '"' or '#'
 * first, a tab) goes in a quoted word, which may take in its neighbours;
 * a quoted word costs its two quotes and an escape for each '"' and '\'
 * in it. Of the ways to write the value in at most room words, the
 * shortest is written: the line it was parsed from was one of them, so a
 * value the parser took always fits again (and its arena, which keeps the
 * line as written, too). Ties go to a bare piece, then to the shorter
 * quoted word.
 *
 * cost(r, i): the fewest bytes that write pieces i.. in at most r words,
 * each word with the blank before it. A bare piece k costs at[k + 1] -
 * at[k] (its length and a blank); a quoted word over pieces i..j-1 costs
 * at[j] + esc[j] - at[i] - esc[i] + 2. Row r comes from row r - 1 in one
 * pass from the end, again for each word written: room * room * pieces
 * steps at most (31 * 31 * 1001), and no allocation.
 */

#define PIECES_MAX (SCENARIO_LINE_MAX + 1) /* a longer value cannot fit on a line */
#define NO_WAY UINT_MAX

struct pieces {
    size_t n;                           /* pieces */
    unsigned short at[PIECES_MAX + 1];  /* piece k is at[k] .. at[k + 1] - 2, a blank after */
    unsigned short esc[PIECES_MAX + 1]; /* escapes before at[k] */
    unsigned char bare[PIECES_MAX];     /* can piece k be written bare? */
};

/* pieces_split - cut text at every blank; -1 if it is too long for any line */

static int pieces_split(struct pieces *p, const char *text)
{
    size_t len = strlen(text);
    unsigned esc = 0;
    size_t i;

    if (len > SCENARIO_LINE_MAX)
        return -1;
    p->n = 0;
    p->at[0] = 0;
    p->esc[0] = 0;
    for (i = 0; i <= len; i++) {
        if (i < len && text[i] != ' ') {
            esc += text[i] == '"' || text[i] == '\\';
            continue;
        }
        p->bare[p->n] = (unsigned char)bare(text + p->at[p->n], i - p->at[p->n]);
        p->n++;
        p->at[p->n] = (unsigned short)(i + 1);
        p->esc[p->n] = (unsigned short)esc;
    }
    return 0;
}

/* quoted_cost - a blank and pieces i..j-1 as one quoted word */

static unsigned quoted_cost(const struct pieces *p, size_t i, size_t j)
{
    return (unsigned)(p->at[j] + p->esc[j] - p->at[i] - p->esc[i] + 2);
}

/* cost_row - cost(r, i) for every i into row (n + 1 long), prev its scratch */

static void cost_row(const struct pieces *p, size_t r, unsigned *row, unsigned *prev)
{
    size_t i, k;

    for (i = 0; i <= p->n; i++)
        row[i] = i == p->n ? 0 : NO_WAY;
    for (k = 0; k < r; k++) {
        unsigned best = NO_WAY; /* min over j > i of at[j] + esc[j] + prev[j] */

        memcpy(prev, row, (p->n + 1) * sizeof(*row));
        for (i = p->n; i-- > 0;) {
            unsigned q;

            if (prev[i + 1] != NO_WAY && p->at[i + 1] + p->esc[i + 1] + prev[i + 1] < best)
                best = p->at[i + 1] + p->esc[i + 1] + prev[i + 1];
            q = best == NO_WAY ? NO_WAY : best - p->at[i] - p->esc[i] + 2;
            if (p->bare[i] && prev[i + 1] != NO_WAY && p->at[i + 1] - p->at[i] + prev[i + 1] < q)
                q = p->at[i + 1] - p->at[i] + prev[i + 1];
            if (q < row[i])
                row[i] = q;
        }
    }
}

/* joined - a joined value as the shortest words, at most room of them */

static void joined(struct out *o, const char *text, size_t room)
{
    struct pieces p;
    unsigned row[PIECES_MAX + 1], prev[PIECES_MAX + 1];
    size_t i = 0;

    if (room == 0 || pieces_split(&p, text) < 0) {
        quoted(o, text, strlen(text)); /* too long for any line: end_line() refuses it */
        return;
    }
    for (; i < p.n; room--) {
        unsigned best = NO_WAY;
        int as_is = 0; /* the piece bare, else quoted up to end */
        size_t end = 0;
        size_t j;

        /* What is left after this word, in room - 1 words (one word can hold it all). */
        cost_row(&p, room - 1, row, prev);
        if (p.bare[i] && row[i + 1] != NO_WAY) {
            best = p.at[i + 1] - p.at[i] + row[i + 1];
            end = i + 1;
            as_is = 1;
        }
        for (j = i + 1; j <= p.n; j++)
            if (row[j] != NO_WAY && quoted_cost(&p, i, j) + row[j] < best) {
                best = quoted_cost(&p, i, j) + row[j];
                end = j;
                as_is = 0;
            }
        if (as_is)
            word_n(o, text + p.at[i], p.at[i + 1] - p.at[i] - 1u);
        else
            quoted(o, text + p.at[i], p.at[end] - p.at[i] - 1u);
        i = end;
    }
}

/* is_config_verb - a variant may be called "set": as a selector, it must trail */

static int is_config_verb(const char *name);

/*
 * where_words - the names of a where-clause's MTAs and variants, as words;
 * verbs: 0 leaves out variants named like a config verb, 1 writes only those
 */

static void where_words(struct out *o, const struct scenario *s, const struct scenario_where *w,
                        int verbs)
{
    size_t i;

    if (verbs < 1 && (w->mtas & SCENARIO_MTA_POSTFIX))
        word(o, "postfix");
    if (verbs < 1 && (w->mtas & SCENARIO_MTA_EXIM))
        word(o, "exim");
    for (i = 0; i < s->nvariants; i++)
        if ((w->variants & (1u << i)) &&
            (verbs < 0 || verbs == is_config_verb(s->variants[i].name)))
            word(o, s->variants[i].name);
    if (verbs < 1) {
        static const char *const names[] = {"@bullseye", "@bookworm", "@trixie"};

        for (i = 0; i < 3; i++)
            if (w->releases & (SCENARIO_RELEASE_BULLSEYE << i))
                word(o, names[i]);
    }
}

/* end_line - a trailing where-clause (or an empty one where it is needed), then LF */

static void end_line(struct out *o, const struct scenario *s, const struct scenario_where *w)
{
    if (w && (w->mtas || w->variants || w->releases)) {
        put(o, " [", 2);
        o->line = 0; /* no blank before the first name */
        where_words(o, s, w, -1);
        put(o, "]", 1);
        for (size_t v = 0; v < s->nvariants; v++)
            if ((w->variants & (1u << v)) &&
                strlen(s->variants[v].name) >= SCENARIO_GRAMMAR_WHERE_NAME_MAX)
                refuse(o, "'%s': variant %s is too long a name for a [where]", o->what,
                       s->variants[v].name);
    } else if (o->last == ']' || o->last == '\r') {
        /* Not a where-clause, and not a line end: the parser cuts this one. */
        put(o, " []", 3);
    }
    if (o->len - o->start > SCENARIO_LINE_MAX)
        refuse(o, "'%s' needs a line of %zu bytes: at most %d", o->what, o->len - o->start,
               SCENARIO_LINE_MAX);
    put(o, "\n", 1);
    o->line = 0;
    o->last = 0;
    o->lineno++;
}

static const char *const config_verbs[] = {
    "set", "service", "acl-rcpt", "no-sasl", "plaintext-auth", "no-listener", "sasl-down"};

static int is_config_verb(const char *name)
{
    for (size_t i = 0; i < COUNT(config_verbs); i++)
        if (strcmp(name, config_verbs[i]) == 0)
            return 1;
    return 0;
}

static const char *const expect_names[] = {
    "relayed",           "relay-denied",     "open-relay",         "auth-offered",
    "auth-not-offered",  "starttls-offered", "connection-refused", "no-relay-to",
    "connection-closed",
};

/* step_verb - the word a step's line starts with */

static const char *step_verb(enum scenario_op op)
{
    if (op >= SCN_EXPECT_RELAYED && op <= SCN_EXPECT_CONNECTION_CLOSED)
        return "expect";
    for (size_t i = 0; i < scenario_grammar_nsteps; i++)
        if (scenario_grammar_steps[i].op == op)
            return scenario_grammar_steps[i].verb;
    return "C:";
}

/* format_step - one dialogue step; tight: no indent, "C:LINE" */

static void format_step(struct out *o, const struct scenario *s, const struct scenario_step *st,
                        int tight)
{
    char code[16];
    size_t n;

    begin(o, step_verb(st->op));
    if (!tight)
        put(o, "  ", 2);
    o->line = 0;
    switch (st->op) {
    case SCN_RAW:
        /* The parser takes the rest of the line, blanks around it cut: they cannot be sent. */
        n = st->arg ? strlen(st->arg) : 0;
        if (n == 0 || strchr(" \t", st->arg[0]) || strchr(" \t", st->arg[n - 1]))
            refuse(o, "'C:': a raw line that is empty or has blanks around it cannot be written");
        puts_(o, tight ? "C:" : "C: ");
        if (n) {
            text_ok(o, st->arg, n);
            put(o, st->arg, n);
        }
        break;
    case SCN_EXPECT_REPLY:
        puts_(o, "S:");
        if (st->code_class)
            snprintf(code, sizeof(code), "%dxx", st->code);
        else
            snprintf(code, sizeof(code), "%d", st->code);
        word(o, code);
        if (st->enhanced)
            word(o, st->enhanced);
        if (st->text)
            word(o, st->text);
        break;
    default:
        if (st->op >= SCN_EXPECT_RELAYED && st->op <= SCN_EXPECT_CONNECTION_CLOSED) {
            puts_(o, "expect");
            word(o, expect_names[st->op - SCN_EXPECT_RELAYED]);
            if (st->arg)
                word(o, st->arg);
            break;
        }
        puts_(o, step_verb(st->op));
        if (st->arg)
            word(o, st->arg);
        if (st->arg2) {
            if (st->op == SCN_CONNECT)
                word(o, "from");
            word(o, st->arg2);
        }
        break;
    }
    end_line(o, s, &st->where);
}

/*
 * format_config - one config line. Selectors go in a trailing [where]
 * (the arena keeps a line without it) where the line fits and every name
 * is short enough for one; else before the verb, but for variants named
 * like a verb ("set"), which only a [where] can name.
 */

static void format_config(struct out *o, const struct scenario *s, const struct scenario_config *c,
                          int trailing)
{
    struct scenario_where after = {0, 0, 0};
    struct scenario_where before = c->where;
    size_t selectors = 0;
    size_t v;

    for (v = 0; v < s->nvariants; v++)
        if ((c->where.variants & (1u << v)) && (trailing || is_config_verb(s->variants[v].name)))
            after.variants |= 1u << v;
    if (trailing)
        after.mtas = c->where.mtas;
    before.mtas &= ~after.mtas;
    before.variants &= ~after.variants;
    for (v = 0; v < 32; v++)
        selectors += ((before.mtas >> v) & 1) + ((before.variants >> v) & 1);
    begin(o, "config");
    puts_(o, "config");
    where_words(o, s, &before, -1);
    word(o, config_verbs[c->op]);
    if (c->op == SCN_CFG_SET)
        joined(o, c->value, SCENARIO_GRAMMAR_WORDS_MAX - 2 - selectors);
    else if (c->value)
        word(o, c->value);
    end_line(o, s, &after);
}

/* short_names - can every variant in w be named in a [where]? */

static int short_names(const struct scenario *s, const struct scenario_where *w)
{
    for (size_t v = 0; v < s->nvariants; v++)
        if ((w->variants & (1u << v)) &&
            strlen(s->variants[v].name) >= SCENARIO_GRAMMAR_WHERE_NAME_MAX)
            return 0;
    return 1;
}

/* fits - is a line written to dry (its LF included) one the parser reads? */

static int fits(const struct out *dry)
{
    return dry->len - 1 <= SCENARIO_LINE_MAX;
}

/* step_fits - does a step fit on its line, indented and "C: LINE"? */

static int step_fits(const struct scenario *s, const struct scenario_step *st)
{
    struct out dry = {.lineno = 1};

    format_step(&dry, s, st, 0);
    return fits(&dry);
}

/* config_fits - does a config line fit, selectors in a trailing [where]? */

static int config_fits(const struct scenario *s, const struct scenario_config *c)
{
    struct out dry = {.lineno = 1};

    format_config(&dry, s, c, 1);
    return fits(&dry);
}

/* tag_fits - one more tag on this tags line (and " []" should it end in "]")? */

static int tag_fits(const struct out *o, const char *tag)
{
    struct out dry = {.line = 1, .lineno = 1};
    size_t n = strlen(tag);

    word(&dry, tag);
    return o->line + dry.len + (n && (tag[n - 1] == ']' || tag[n - 1] == '\r') ? 3 : 0) <=
           SCENARIO_LINE_MAX;
}

/* scenario_format - the scenario as text that parses to it, or -1 */

ssize_t scenario_format(const struct scenario *s, char *buf, size_t size,
                        struct scenario_error *err)
{
    struct out o = {.buf = buf, .size = size, .lineno = 1, .err = err};
    size_t i, d;

    if (s->id) {
        begin(&o, "scenario");
        puts_(&o, "scenario");
        word(&o, s->id);
        end_line(&o, s, NULL);
    }
    if (s->title) {
        begin(&o, "title");
        puts_(&o, "title");
        joined(&o, s->title, SCENARIO_GRAMMAR_WORDS_MAX - 1);
        end_line(&o, s, NULL);
    }
    if (s->cause) {
        char n[16];

        snprintf(n, sizeof(n), "%d", s->cause);
        begin(&o, "cause");
        puts_(&o, "cause");
        word(&o, n);
        if (s->cause_name)
            joined(&o, s->cause_name, SCENARIO_GRAMMAR_WORDS_MAX - 2);
        end_line(&o, s, NULL);
    }
    if (s->advice) {
        begin(&o, "advice");
        puts_(&o, "advice");
        joined(&o, s->advice, SCENARIO_GRAMMAR_WORDS_MAX - 1);
        end_line(&o, s, NULL);
    }
    /* Tags: as many to a line as fit in one the parser reads. */
    for (i = 0; i < s->ntags;) {
        begin(&o, "tags");
        puts_(&o, "tags");
        do
            word(&o, s->tags[i++]);
        while (i < s->ntags && tag_fits(&o, s->tags[i]));
        end_line(&o, s, NULL);
    }
    if (s->mtas) {
        begin(&o, "mta");
        puts_(&o, "mta");
        where_words(&o, s, &(struct scenario_where){s->mtas, 0, 0}, -1);
        end_line(&o, s, NULL);
    }
    for (i = 0; i < s->nvariants; i++) {
        begin(&o, "variant");
        puts_(&o, "variant");
        word(&o, s->variants[i].name);
        if (s->variants[i].description && s->variants[i].description[0])
            joined(&o, s->variants[i].description, SCENARIO_GRAMMAR_WORDS_MAX - 2);
        end_line(&o, s, NULL);
    }
    for (i = 0; i < s->nconfigs; i++) {
        const struct scenario_config *c = &s->configs[i];
        int trailing = short_names(s, &c->where) && config_fits(s, c);

        format_config(&o, s, c, trailing);
    }
    for (d = 0; d < s->ndialogues; d++) {
        begin(&o, "dialogue");
        puts_(&o, "dialogue");
        word(&o, s->dialogues[d].name);
        end_line(&o, s, NULL);
        for (i = 0; i < s->nsteps; i++)
            if (s->steps[i].dialogue == (int)d)
                format_step(&o, s, &s->steps[i], !step_fits(s, &s->steps[i]));
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return o.refused ? -1 : (ssize_t)o.len;
}

/* same - two strings, either NULL */

static int same(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static int same_where(const struct scenario_where *a, const struct scenario_where *b)
{
    return a->mtas == b->mtas && a->variants == b->variants && a->releases == b->releases;
}

/* scenario_equal - the same meaning: positions, sources, file names, arena aside */

int scenario_equal(const struct scenario *a, const struct scenario *b)
{
    size_t i;

    if (!same(a->id, b->id) || !same(a->title, b->title) || a->cause != b->cause ||
        !same(a->cause_name, b->cause_name) || !same(a->advice, b->advice) ||
        a->ntags != b->ntags || a->mtas != b->mtas || a->nvariants != b->nvariants ||
        a->nconfigs != b->nconfigs || a->ndialogues != b->ndialogues || a->nsteps != b->nsteps)
        return 0;
    for (i = 0; i < a->ntags; i++)
        if (!same(a->tags[i], b->tags[i]))
            return 0;
    for (i = 0; i < a->nvariants; i++)
        if (!same(a->variants[i].name, b->variants[i].name) ||
            !same(a->variants[i].description, b->variants[i].description))
            return 0;
    for (i = 0; i < a->nconfigs; i++) {
        const struct scenario_config *x = &a->configs[i], *y = &b->configs[i];

        if (x->op != y->op || !same(x->value, y->value) || !same_where(&x->where, &y->where))
            return 0;
    }
    for (i = 0; i < a->ndialogues; i++)
        if (!same(a->dialogues[i].name, b->dialogues[i].name))
            return 0;
    for (i = 0; i < a->nsteps; i++) {
        const struct scenario_step *x = &a->steps[i], *y = &b->steps[i];

        if (x->op != y->op || !same(x->arg, y->arg) || !same(x->arg2, y->arg2) ||
            x->code != y->code || x->code_class != y->code_class ||
            !same(x->enhanced, y->enhanced) || !same(x->text, y->text) ||
            !same_where(&x->where, &y->where) || x->dialogue != y->dialogue)
            return 0;
    }
    return 1;
}

/* write_err - an error of scenario_write_file() about path */

static int write_err(struct scenario_error *err, const char *path, const char *fmt,
                     const char *what)
{
    memset(err, 0, sizeof(*err));
    snprintf(err->file, sizeof(err->file), "%s", path);
    snprintf(err->msg, sizeof(err->msg), fmt, what);
    return -1;
}

/* checked_text - head and s's text, parsed back and compared; malloc'd, or NULL */

static char *checked_text(const struct scenario *s, const char *head, const char *path,
                          struct scenario_error *err)
{
    struct scenario *again;
    size_t hlen = head ? strlen(head) : 0;
    ssize_t n = scenario_format(s, NULL, 0, err);
    char *text;

    if (n < 0)
        return NULL;
    if ((text = malloc(hlen + (size_t)n + 1)) == NULL || (again = malloc(sizeof(*again))) == NULL) {
        free(text);
        write_err(err, path, "%s", "out of memory");
        return NULL;
    }
    memcpy(text, head ? head : "", hlen);
    scenario_format(s, text + hlen, (size_t)n + 1, err);
    scenario_init(again);
    if (scenario_parse(again, path, text, hlen + (size_t)n, NULL, NULL, err) < 0 ||
        scenario_check(again, err) < 0) {
        free(text);
        text = NULL;
    } else if (!scenario_equal(s, again)) {
        write_err(err, path, "%s", "the text reads back as another scenario");
        free(text);
        text = NULL;
    }
    free(again);
    return text;
}

/* scenario_write_file - see scenario.h */

int scenario_write_file(const struct scenario *s, const char *head, const char *path,
                        struct scenario_error *err)
{
    char tmp[PATH_MAX];
    char *text;
    FILE *fp;
    int ok;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return write_err(err, path, "%s", "path too long");
    if ((text = checked_text(s, head, path, err)) == NULL)
        return -1;
    if ((fp = newfile_open(tmp, 0644)) == NULL) {
        free(text);
        return write_err(err, path, "cannot write: %s", strerror(errno));
    }
    ok = fputs(text, fp) >= 0;
    free(text);
    if (fclose(fp) != 0 || !ok || rename(tmp, path) < 0) {
        int e = errno ? errno : EIO;

        unlink(tmp);
        return write_err(err, path, "cannot write: %s", strerror(e));
    }
    return 0;
}

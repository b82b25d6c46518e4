/*++
 * NAME
 *	scenario_format 3
 * SUMMARY
 *	scenario files: the writer beside the parser
 * SYNOPSIS
 *	#include "scenario.h"
 *
 *	size_t	scenario_format(const struct scenario *s, char *buf, size_t size)
 *
 *	int	scenario_equal(const struct scenario *a, const struct scenario *b)
 * DESCRIPTION
 *	scenario_format() writes a scenario model back as text that
 *	scenario_parse() reads as the same model (scenario_equal()), like
 *	snprintf: no allocation, no I/O. Kept apart from the parser
 *	(scenario.c), whose tokenizer decides what it must quote.
 *--*/
#include <stdio.h>
#include <string.h>

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
 * parser's limits count it).
 */

struct out {
    char *buf;
    size_t size;
    size_t len;  /* bytes needed so far */
    char last;   /* the last byte of the current line, 0 at its start */
    size_t line; /* bytes written on the current line */
};

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

static void quoted(struct out *o, const char *w, size_t n);

/* word - one word, bare or quoted, after a blank */

static void word(struct out *o, const char *w)
{
    size_t n = strlen(w);

    if (!bare(w, n)) {
        quoted(o, w, n);
        return;
    }
    if (o->line)
        put(o, " ", 1);
    put(o, w, n);
}

/* escapes - the backslashes quoting n bytes needs */

static size_t escapes(const char *p, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += p[i] == '"' || p[i] == '\\';
    return k;
}

/* piece_end - the end of the blank-separated piece at p */

static const char *piece_end(const char *p)
{
    const char *sp = strchr(p, ' ');

    return sp ? sp : p + strlen(p);
}

/*
 * group_end - where a quoted word that starts with the piece at p ends:
 * it takes in the next piece that needs quoting when the bare pieces
 * between cost fewer than the two quotes a word of its own would.
 */

static const char *group_end(const char *p, size_t merge)
{
    const char *end = piece_end(p);

    while (*end) {
        const char *q = end + 1;
        size_t cost = 0;

        for (;;) {
            const char *e = piece_end(q);

            if (!bare(q, (size_t)(e - q)))
                break;
            cost += escapes(q, (size_t)(e - q));
            if (*e == 0) {
                q = NULL;
                break;
            }
            q = e + 1;
        }
        if (q == NULL || cost >= merge)
            break;
        end = piece_end(q);
    }
    return end;
}

/* quoted - n bytes as one quoted word */

static void quoted(struct out *o, const char *w, size_t n)
{
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

/*
 * joined_words - a value the parser joins from words with one blank
 * (title, cause name, description, set): bare pieces as they are, the
 * rest quoted; the words written, counted.
 */

static size_t joined_words(struct out *o, const char *text, size_t merge)
{
    const char *p = text;
    size_t words = 0;

    for (;;) {
        const char *e = piece_end(p);

        if (!bare(p, (size_t)(e - p)))
            e = group_end(p, merge), quoted(o, p, (size_t)(e - p));
        else if (o->line)
            put(o, " ", 1), put(o, p, (size_t)(e - p));
        else
            put(o, p, (size_t)(e - p));
        words++;
        if (*e == 0)
            return words;
        p = e + 1;
    }
}

/*
 * joined - as words, quoted groups taking in the bare pieces between
 * them when that is shorter (merge 2: fewer than two escapes) or, past
 * room words, when it makes fewer words; else one quoted word
 */

static void joined(struct out *o, const char *text, size_t room)
{
    static const size_t merges[] = {2, 4, 16, 256, (size_t)-1};

    for (size_t m = 0; m < COUNT(merges); m++) {
        struct out dry = {NULL, 0, 0, 0, 1};

        if (joined_words(&dry, text, merges[m]) <= room) {
            joined_words(o, text, merges[m]);
            return;
        }
    }
    quoted(o, text, strlen(text));
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
}

/* end_line - a trailing where-clause (or an empty one where it is needed), then LF */

static void end_line(struct out *o, const struct scenario *s, const struct scenario_where *w)
{
    if (w && (w->mtas || w->variants)) {
        put(o, " [", 2);
        o->line = 0; /* no blank before the first name */
        where_words(o, s, w, -1);
        put(o, "]", 1);
    } else if (o->last == ']' || o->last == '\r') {
        /* Not a where-clause, and not a line end: the parser cuts this one. */
        put(o, " []", 3);
    }
    put(o, "\n", 1);
    o->line = 0;
    o->last = 0;
}

static const char *const config_verbs[] = {"set",     "service",        "acl-rcpt",
                                           "no-sasl", "plaintext-auth", "no-listener"};

static int is_config_verb(const char *name)
{
    for (size_t i = 0; i < COUNT(config_verbs); i++)
        if (strcmp(name, config_verbs[i]) == 0)
            return 1;
    return 0;
}

static const char *const expect_names[] = {
    "relayed",          "relay-denied",     "open-relay",         "auth-offered",
    "auth-not-offered", "starttls-offered", "connection-refused",
};

/* format_step - one dialogue step; tight: no indent, "C:LINE" */

static void format_step(struct out *o, const struct scenario *s, const struct scenario_step *st,
                        int tight)
{
    char code[16];

    if (!tight)
        put(o, "  ", 2);
    o->line = 0;
    switch (st->op) {
    case SCN_RAW:
        puts_(o, tight ? "C:" : "C: ");
        puts_(o, st->arg ? st->arg : "");
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
        if (st->op >= SCN_EXPECT_RELAYED && st->op <= SCN_EXPECT_CONNECTION_REFUSED) {
            puts_(o, "expect");
            word(o, expect_names[st->op - SCN_EXPECT_RELAYED]);
            if (st->arg)
                word(o, st->arg);
            break;
        }
        for (size_t i = 0; i < scenario_grammar_nsteps; i++)
            if (scenario_grammar_steps[i].op == st->op)
                puts_(o, scenario_grammar_steps[i].verb);
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
    struct scenario_where after = {0, 0};
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
    puts_(o, "config");
    where_words(o, s, &before, -1);
    word(o, config_verbs[c->op]);
    if (c->op == SCN_CFG_SET)
        joined(o, c->value, SCENARIO_GRAMMAR_WORDS_MAX - 2 - selectors);
    else if (c->value)
        word(o, c->value);
    end_line(o, s, &after);
}

/* short_names - can every variant in w be named in a [where] (the parser's 63 bytes)? */

static int short_names(const struct scenario *s, const struct scenario_where *w)
{
    for (size_t v = 0; v < s->nvariants; v++)
        if ((w->variants & (1u << v)) && strlen(s->variants[v].name) >= 64)
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
    struct out dry = {NULL, 0, 0, 0, 0};

    format_step(&dry, s, st, 0);
    return fits(&dry);
}

/* config_fits - does a config line fit, selectors in a trailing [where]? */

static int config_fits(const struct scenario *s, const struct scenario_config *c)
{
    struct out dry = {NULL, 0, 0, 0, 0};

    format_config(&dry, s, c, 1);
    return fits(&dry);
}

/* tag_fits - one more tag on this tags line (and " []" should it end in "]")? */

static int tag_fits(const struct out *o, const char *tag)
{
    struct out dry = {NULL, 0, 0, 0, 1};
    size_t n = strlen(tag);

    word(&dry, tag);
    return o->line + dry.len + (n && (tag[n - 1] == ']' || tag[n - 1] == '\r') ? 3 : 0) <=
           SCENARIO_LINE_MAX;
}

/* scenario_format - the scenario as text that parses to it */

size_t scenario_format(const struct scenario *s, char *buf, size_t size)
{
    struct out o = {buf, size, 0, 0, 0};
    size_t i, d;

    if (s->id) {
        puts_(&o, "scenario");
        word(&o, s->id);
        end_line(&o, s, NULL);
    }
    if (s->title) {
        puts_(&o, "title");
        joined(&o, s->title, SCENARIO_GRAMMAR_WORDS_MAX - 1);
        end_line(&o, s, NULL);
    }
    if (s->cause) {
        char n[16];

        snprintf(n, sizeof(n), "%d", s->cause);
        puts_(&o, "cause");
        word(&o, n);
        if (s->cause_name)
            joined(&o, s->cause_name, SCENARIO_GRAMMAR_WORDS_MAX - 2);
        end_line(&o, s, NULL);
    }
    /* Tags: as many to a line as fit in one the parser reads. */
    for (i = 0; i < s->ntags;) {
        puts_(&o, "tags");
        do
            word(&o, s->tags[i++]);
        while (i < s->ntags && tag_fits(&o, s->tags[i]));
        end_line(&o, s, NULL);
    }
    if (s->mtas) {
        puts_(&o, "mta");
        where_words(&o, s, &(struct scenario_where){s->mtas, 0}, -1);
        end_line(&o, s, NULL);
    }
    for (i = 0; i < s->nvariants; i++) {
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
        puts_(&o, "dialogue");
        word(&o, s->dialogues[d].name);
        end_line(&o, s, NULL);
        for (i = 0; i < s->nsteps; i++)
            if (s->steps[i].dialogue == (int)d)
                format_step(&o, s, &s->steps[i], !step_fits(s, &s->steps[i]));
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return o.len;
}

/* same - two strings, either NULL */

static int same(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static int same_where(const struct scenario_where *a, const struct scenario_where *b)
{
    return a->mtas == b->mtas && a->variants == b->variants;
}

/* scenario_equal - the same meaning: positions, sources, file names, arena aside */

int scenario_equal(const struct scenario *a, const struct scenario *b)
{
    size_t i;

    if (!same(a->id, b->id) || !same(a->title, b->title) || a->cause != b->cause ||
        !same(a->cause_name, b->cause_name) || a->ntags != b->ntags || a->mtas != b->mtas ||
        a->nvariants != b->nvariants || a->nconfigs != b->nconfigs ||
        a->ndialogues != b->ndialogues || a->nsteps != b->nsteps)
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

/*++
 * NAME
 *	linediff 3
 * SUMMARY
 *	a bounded line diff, shown unified-style
 * DESCRIPTION
 *	See linediff.h. The texts are cut into line views (no copies); the
 *	lines both start and end with are taken off; Myers' greedy forward
 *	search runs on the rest, keeping each round's furthest reaching
 *	paths (round d holds 2d + 1 of them: (D + 1)^2 in all) so that the
 *	path found can be walked back into an edit script; the script is
 *	then shown in hunks.
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linediff.h"

struct line {
    const char *text;
    size_t len;
};

/* One step of the edit script: a line of both texts, or of one. */
struct op {
    char kind; /* LINEDIFF_SAME, _DEL, _ADD */
    int a, b;  /* line indices: a for SAME and DEL, b for SAME and ADD */
};

struct diff {
    const struct linediff_params *p;
    struct line *a, *b;
    int na, nb;
    struct op *ops; /* na + nb at most */
    int nops;
};

/* split - text's lines as views into it; the count, or -1 (E2BIG, ENOMEM) */

static int split(const char *text, struct line **out)
{
    const char *p = text ? text : "";
    size_t n = 0, i = 0;

    for (const char *q = p; *q; q++)
        n += *q == '\n' || q[1] == 0;
    if (n > LINEDIFF_LINES_MAX) {
        errno = E2BIG;
        return -1;
    }
    if ((*out = malloc((n ? n : 1) * sizeof(**out))) == NULL)
        return -1;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        (*out)[i].text = p;
        (*out)[i++].len = len;
        p += len + (nl != NULL);
    }
    return (int)n;
}

/* same - are a's line i and b's line j the same? */

static int same(const struct diff *d, int i, int j)
{
    const struct line *x = &d->a[i], *y = &d->b[j];

    if (d->p->equal)
        return d->p->equal(d->p->equal_ctx, x->text, x->len, y->text, y->len);
    return x->len == y->len && memcmp(x->text, y->text, x->len) == 0;
}

static void push(struct diff *d, char kind, int a, int b)
{
    d->ops[d->nops++] = (struct op){kind, a, b};
}

/*
 * myers - the edit script of a[from_a, to_a) into b[from_b, to_b),
 * pushed in reverse; 0, or -1 (E2BIG past max edits, ENOMEM). v holds
 * round r's furthest x on diagonal k (x - y, relative to the range) at
 * v[r * r + k + r].
 */
static int myers(struct diff *d, int off_a, int n, int off_b, int m, int max)
{
    int limit = max < n + m ? max : n + m;
    int *v = malloc((size_t)(limit + 1) * (size_t)(limit + 1) * sizeof(int));
    int r, k, x, y, found = -1;

    if (v == NULL)
        return -1;
    for (r = 0; r <= limit && found < 0; r++) {
        int *cur = v + r * r + r, *prev = v + (r - 1) * (r - 1) + (r - 1);

        for (k = -r; k <= r; k += 2) {
            if (r == 0)
                x = 0;
            else if (k == -r || (k != r && prev[k - 1] < prev[k + 1]))
                x = prev[k + 1]; /* down: a line of b added */
            else
                x = prev[k - 1] + 1; /* right: a line of a deleted */
            y = x - k;
            while (x < n && y < m && same(d, off_a + x, off_b + y))
                x++, y++;
            cur[k] = x;
            if (x >= n && y >= m) {
                found = r;
                break;
            }
        }
    }
    if (found < 0) {
        free(v);
        errno = E2BIG;
        return -1;
    }
    /* Back from (n, m): each round one edit, and the snake that followed it. */
    x = n;
    y = m;
    for (r = found; r > 0; r--) {
        int *prev = v + (r - 1) * (r - 1) + (r - 1);
        int pk, px, py, mid;

        k = x - y;
        pk = k == -r || (k != r && prev[k - 1] < prev[k + 1]) ? k + 1 : k - 1;
        px = prev[pk];
        py = px - pk;
        mid = pk == k + 1 ? px : px + 1;
        for (; x > mid; x--, y--)
            push(d, LINEDIFF_SAME, off_a + x - 1, off_b + y - 1);
        if (pk == k + 1)
            push(d, LINEDIFF_ADD, -1, off_b + py);
        else
            push(d, LINEDIFF_DEL, off_a + px, -1);
        x = px;
        y = py;
    }
    for (; x > 0; x--, y--)
        push(d, LINEDIFF_SAME, off_a + x - 1, off_b + y - 1);
    free(v);
    return 0;
}

/* script - the whole edit script in order; lines changed, or -1 */

static long script(struct diff *d, size_t max)
{
    int pre = 0, suf = 0, i, j;
    long changed = 0;

    while (pre < d->na && pre < d->nb && same(d, pre, pre))
        pre++;
    while (suf < d->na - pre && suf < d->nb - pre && same(d, d->na - 1 - suf, d->nb - 1 - suf))
        suf++;
    /* Pushed in reverse: the common end, the middle, the common start. */
    for (i = 0; i < suf; i++)
        push(d, LINEDIFF_SAME, d->na - 1 - i, d->nb - 1 - i);
    if (myers(d, pre, d->na - pre - suf, pre, d->nb - pre - suf, (int)max) < 0)
        return -1;
    for (i = pre; i-- > 0;)
        push(d, LINEDIFF_SAME, i, i);
    for (i = 0, j = d->nops - 1; i < j; i++, j--) {
        struct op t = d->ops[i];

        d->ops[i] = d->ops[j];
        d->ops[j] = t;
    }
    for (i = 0; i < d->nops; i++)
        changed += d->ops[i].kind != LINEDIFF_SAME;
    return changed;
}

/* ops_order - within each change, DEL before ADD, each kind in its order */

static int ops_order(struct diff *d)
{
    struct op *out = malloc((size_t)(d->nops ? d->nops : 1) * sizeof(*out));
    int i = 0, o = 0;

    if (out == NULL)
        return -1;
    while (i < d->nops) {
        int j = i;

        if (d->ops[i].kind == LINEDIFF_SAME) {
            out[o++] = d->ops[i++];
            continue;
        }
        while (j < d->nops && d->ops[j].kind != LINEDIFF_SAME)
            j++;
        for (int k = i; k < j; k++)
            if (d->ops[k].kind == LINEDIFF_DEL)
                out[o++] = d->ops[k];
        for (int k = i; k < j; k++)
            if (d->ops[k].kind == LINEDIFF_ADD)
                out[o++] = (struct op){LINEDIFF_ADD, -1, d->ops[k].b};
        i = j;
    }
    memcpy(d->ops, out, (size_t)d->nops * sizeof(*out));
    free(out);
    return 0;
}

/* emit_hunk - ops [from, to) as one hunk, its header first */

static void emit_hunk(const struct diff *d, int from, int to)
{
    const struct linediff_params *p = d->p;
    int a0 = -1, b0 = -1, na = 0, nb = 0, i;
    char head[80];

    for (i = from; i < to; i++) {
        const struct op *o = &d->ops[i];

        if (o->kind != LINEDIFF_ADD) {
            a0 = a0 < 0 ? o->a : a0;
            na++;
        }
        if (o->kind != LINEDIFF_DEL) {
            b0 = b0 < 0 ? o->b : b0;
            nb++;
        }
    }
    /* An empty side is numbered by the line before it, as diff -u does. */
    if (a0 < 0) {
        for (i = from; i-- > 0 && d->ops[i].kind == LINEDIFF_ADD;)
            ;
        a0 = i < 0 ? 0 : d->ops[i].a + 1;
    } else {
        a0++;
    }
    if (b0 < 0) {
        for (i = from; i-- > 0 && d->ops[i].kind == LINEDIFF_DEL;)
            ;
        b0 = i < 0 ? 0 : d->ops[i].b + 1;
    } else {
        b0++;
    }
    snprintf(head, sizeof(head), "@@ -%d,%d +%d,%d @@", a0, na, b0, nb);
    p->emit(p->emit_ctx, LINEDIFF_HUNK, head, strlen(head));
    for (i = from; i < to; i++) {
        const struct op *o = &d->ops[i];
        const struct line *l = o->kind == LINEDIFF_ADD ? &d->b[o->b] : &d->a[o->a];

        p->emit(p->emit_ctx, (enum linediff_kind)o->kind, l->text, l->len);
    }
}

/* hunks - every change with its context; changes closer than twice that share a hunk */

static void hunks(const struct diff *d)
{
    int ctx = (int)(d->p->context < LINEDIFF_CONTEXT_MAX ? d->p->context : LINEDIFF_CONTEXT_MAX);
    int i = 0;

    while (i < d->nops) {
        int start, end, gap;

        while (i < d->nops && d->ops[i].kind == LINEDIFF_SAME)
            i++;
        if (i == d->nops)
            break;
        start = i - ctx < 0 ? 0 : i - ctx;
        for (;;) {
            while (i < d->nops && d->ops[i].kind != LINEDIFF_SAME)
                i++;
            for (gap = 0; i + gap < d->nops && d->ops[i + gap].kind == LINEDIFF_SAME; gap++)
                ;
            if (i + gap == d->nops || gap > 2 * ctx) {
                end = i + (gap < ctx ? gap : ctx);
                break;
            }
            i += gap;
        }
        emit_hunk(d, start, end);
        i = end;
    }
}

/* linediff - see linediff.h */

long linediff(const char *a, const char *b, const struct linediff_params *params)
{
    struct diff d = {.p = params};
    size_t max = params->edits_max && params->edits_max < LINEDIFF_EDITS_MAX ? params->edits_max
                                                                             : LINEDIFF_EDITS_MAX;
    long changed = -1;

    if ((d.na = split(a, &d.a)) < 0 || (d.nb = split(b, &d.b)) < 0)
        goto out;
    if ((d.ops = malloc((size_t)(d.na + d.nb + 1) * sizeof(*d.ops))) == NULL)
        goto out;
    if ((changed = script(&d, max)) < 0)
        goto out;
    if (changed > 0 && ops_order(&d) < 0) {
        changed = -1;
        goto out;
    }
    if (changed > 0 && params->emit)
        hunks(&d);
out:
    free(d.a);
    free(d.b);
    free(d.ops);
    return changed;
}

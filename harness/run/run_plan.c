/*++
 * NAME
 *	run_plan 3
 * SUMMARY
 *	the cells of a run: scenario x variant x MTA, filtered and sharded
 * DESCRIPTION
 *	See run_plan.h.
 *--*/
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "number.h"
#include "mta_target.h"
#include "run_plan.h"
#include "smtp_sanitize.h"

/* cmp_str - qsort() order of file names */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* add_file - path and the tree its named files stay in, onto plan's lists (grown as needed) */

static int add_file(struct run_plan *plan, const char *path, const char *root,
                    struct smtp_error *err)
{
    if (plan->nfiles == RUN_PLAN_FILES_MAX)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "more than %d scenario files",
                              RUN_PLAN_FILES_MAX);
    if (plan->nfiles == plan->files_alloc) {
        size_t want = plan->files_alloc ? 2 * plan->files_alloc : 64;
        char **files;
        const char **roots;

        if (want > RUN_PLAN_FILES_MAX)
            want = RUN_PLAN_FILES_MAX;
        if ((files = realloc(plan->files, want * sizeof(*files))) == NULL)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        plan->files = files;
        if ((roots = realloc(plan->roots, want * sizeof(*roots))) == NULL)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        plan->roots = roots;
        plan->files_alloc = want;
    }
    if ((plan->files[plan->nfiles] = strdup(path)) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    plan->roots[plan->nfiles++] = root;
    return 0;
}

/* run_plan_collect - see run_plan.h */

int run_plan_collect(struct run_plan *plan, const char *path, struct smtp_error *err)
{
    size_t first = plan->nfiles;
    struct stat st;
    DIR *d;
    struct dirent *e;
    int rc = 0;

    smtp_error_clear(err);
    if (stat(path, &st) < 0)
        return smtp_error_set(err, SMTP_ERR_USAGE, errno, "%s: %s", path, strerror(errno));
    /* A file named on the command line: its own directory is its tree. */
    if (!S_ISDIR(st.st_mode))
        return add_file(plan, path, NULL, err);
    if ((d = opendir(path)) == NULL)
        return smtp_error_set(err, SMTP_ERR_USAGE, errno, "%s: %s", path, strerror(errno));
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char full[PATH_MAX];

        if (len < 5 || strcmp(e->d_name + len - 4, ".scn") != 0)
            continue;
        if ((size_t)snprintf(full, sizeof(full), "%s/%s", path, e->d_name) >= sizeof(full))
            rc = smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s/%s: path too long", path, e->d_name);
        else /* the directory named on the command line is the tree */
            rc = add_file(plan, full, path, err);
    }
    closedir(d);
    qsort(plan->files + first, plan->nfiles - first, sizeof(char *), cmp_str);
    return rc;
}

/* An id and the file it is in, sorted by id and then file (duplicate_ids). */
struct id_ref {
    const char *id;
    size_t file;
};

/* by_id - qsort() order of id_refs */

static int by_id(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    return c ? c : (x->file > y->file) - (x->file < y->file);
}

/*
 * duplicate_ids - each file whose scenario id an earlier file has, to
 * say(), in file order, naming the first of them; sorted, not compared
 * pair by pair (10,000 files are 50 million pairs). 1 when there was
 * one, 0 none, -1 out of memory.
 */
static int duplicate_ids(const struct run_plan *plan, void (*say)(void *ctx, const char *text),
                         void *ctx)
{
    size_t n = plan->nfiles, i, head = 0;
    struct id_ref *refs = malloc((n ? n : 1) * sizeof(*refs));
    size_t *first = malloc((n ? n : 1) * sizeof(*first)); /* per file: the first with its id */
    int found = 0;

    if (refs == NULL || first == NULL) {
        free(refs);
        free(first);
        return -1;
    }
    for (i = 0; i < n; i++)
        refs[i] = (struct id_ref){plan->scenarios[i].id, i};
    qsort(refs, n, sizeof(*refs), by_id);
    for (i = 0; i < n; i++) {
        if (i == 0 || strcmp(refs[i].id, refs[head].id) != 0)
            head = i;
        first[refs[i].file] = refs[head].file;
    }
    for (i = 0; i < n; i++)
        if (first[i] != i) {
            const struct scenario *s = &plan->scenarios[i];
            char file[1024], other[1024], line[2200];

            smtp_sanitize_str(s->id_pos.file, file, sizeof(file));
            smtp_sanitize_str(plan->files[first[i]], other, sizeof(other));
            snprintf(line, sizeof(line), "%s:%d:%d: scenario id '%s' is also used by %s", file,
                     s->id_pos.line, s->id_pos.col, s->id, other);
            say(ctx, line);
            found = 1;
        }
    free(refs);
    free(first);
    return found;
}

/* run_plan_load - see run_plan.h */

int run_plan_load(struct run_plan *plan, void (*say)(void *ctx, const char *text), void *ctx,
                  struct smtp_error *err)
{
    char *const *files = plan->files;
    const char *const *roots = plan->roots;
    size_t n = plan->nfiles;
    struct scenario *scenarios;
    char msg[600];
    char clean[SMTP_SANITIZE_SIZE(600)];
    int rc = 0;
    size_t i;

    smtp_error_clear(err);
    free(plan->scenarios); /* loaded again */
    if ((scenarios = plan->scenarios = calloc(n, sizeof(*scenarios))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");

    for (i = 0; i < n; i++) {
        struct scenario_error serr;

        if (scenario_load(files[i], roots[i], &scenarios[i], &serr) < 0 ||
            run_scenario_check(&scenarios[i], &serr) < 0) {
            scenario_error_format(&serr, msg, sizeof(msg));
            smtp_sanitize_str(msg, clean, sizeof(clean));
            say(ctx, clean);
            rc = -1;
        }
    }
    /* Ids are compared once every file has one. */
    if (rc == 0 && (rc = duplicate_ids(plan, say, ctx)) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    return rc != 0 ? smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s", "") : 0;
}

/* mta_wanted - the scenario allows the cell's MTA, and it is the one chosen */

static int mta_wanted(const struct run_cell *c, const struct run_plan_params *p)
{
    unsigned bit = scenario_mta_bit(mta_kind_name(c->mta));

    return !(c->scenario->mtas && !(c->scenario->mtas & bit)) &&
           !(p->mta_only >= 0 && (int)c->mta != p->mta_only);
}

/* name_wanted - the cell's name holds the filter */

static int name_wanted(const struct run_cell *c, const struct run_plan_params *p)
{
    char name[300];

    if (p->filter == NULL)
        return 1;
    run_cell_name(c, name, sizeof(name));
    return strstr(name, p->filter) != NULL;
}

/*
 * lay_out - plan's cells under p, in order, into out (NULL: only counted):
 * the number kept, *matched before the shard took its slice; -1 with err
 * past RUN_PLAN_CELLS_MAX
 */
static long lay_out(const struct run_plan *plan, const struct run_plan_params *p,
                    struct run_plan_cell *out, size_t *matched, struct smtp_error *err)
{
    static const struct run_cell blank;
    struct run_cell c = blank; /* one, its fields set cell by cell: 3.5 KB cleared once */
    size_t matrix = 0, kept = 0, i, t;

    *matched = 0;
    for (c.repeat = 0; c.repeat < p->repeat; c.repeat++)
        for (i = 0; i < plan->nfiles; i++) {
            const struct scenario *s = c.scenario = &plan->scenarios[i];

            if (p->policy_only && !scenario_has_tag(s, "policy"))
                continue;
            for (c.variant = 0; c.variant < (s->nvariants ? s->nvariants : 1); c.variant++)
                for (t = 0; t < (p->ntargets ? p->ntargets : MTA_KINDS); t++) {
                    /* A column per target (postfix@trixie ...), else one per MTA, the host's. */
                    c.target = p->ntargets ? &p->targets[t] : NULL;
                    c.mta = p->ntargets ? p->targets[t].kind : (enum mta_kind)t;
                    if (!mta_wanted(&c, p))
                        continue;
                    /* Counted before the filter: the limit is the matrix's, not the filter's. */
                    if (matrix++ == RUN_PLAN_CELLS_MAX)
                        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "more than %d cells",
                                              RUN_PLAN_CELLS_MAX);
                    if (!name_wanted(&c, p))
                        continue;
                    /* The shard: every shard_n-th cell of those matched, from the shard_k-th. */
                    if (p->shard_n <= 0 || (int)(*matched % (size_t)p->shard_n) == p->shard_k - 1) {
                        if (out)
                            out[kept] =
                                (struct run_plan_cell){s, c.variant, c.mta, c.repeat, c.target};
                        kept++;
                    }
                    (*matched)++;
                }
        }
    return (long)kept;
}

/* run_plan_layout - see run_plan.h */

long run_plan_layout(struct run_plan *plan, const struct run_plan_params *p, struct smtp_error *err)
{
    long n;

    free(plan->cells); /* a plan laid out again */
    free(plan->layout);
    plan->cells = NULL;
    plan->layout = NULL;
    plan->ncells = plan->nmatched = 0;
    /* Counted first, then laid out in an array of just that size. */
    if ((n = lay_out(plan, p, NULL, &plan->nmatched, err)) <= 0)
        return n;
    if ((plan->layout = calloc((size_t)n, sizeof(*plan->layout))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory for %ld cells", n);
    return (long)(plan->ncells = (size_t)lay_out(plan, p, plan->layout, &plan->nmatched, err));
}

/* run_plan_cells - see run_plan.h */

long run_plan_cells(struct run_plan *plan, const struct run_plan_params *p, struct smtp_error *err)
{
    long n = run_plan_layout(plan, p, err);
    size_t i;

    if (n <= 0)
        return n;
    if ((plan->cells = calloc((size_t)n, sizeof(*plan->cells))) == NULL) {
        plan->ncells = 0;
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory for %ld cells", n);
    }
    for (i = 0; i < plan->ncells; i++) {
        const struct run_plan_cell *l = &plan->layout[i];

        plan->cells[i].scenario = l->scenario;
        plan->cells[i].variant = l->variant;
        plan->cells[i].mta = l->mta;
        plan->cells[i].repeat = l->repeat;
        plan->cells[i].target = l->target;
    }
    return n;
}

/* spec_key - cells with the same key can share one MTA instance; size when it did not fit */

static size_t spec_key(const struct mta_spec *spec, char *key, size_t size)
{
    size_t used = 0;
    size_t i;

#define KEY_ADD(...)                                                                               \
    do {                                                                                           \
        if (used < size)                                                                           \
            used += (size_t)snprintf(key + used, size - used, __VA_ARGS__);                        \
    } while (0)
    KEY_ADD("%s|%d|%d|%d|%d|%u|%s|%s|%s|", spec->target ? spec->target->name : "", (int)spec->kind,
            spec->no_sasl, spec->sasl_down, spec->exim_plaintext_auth, spec->no_listeners,
            spec->user_exim_conf ? spec->user_exim_conf : "",
            spec->user_main_cf ? spec->user_main_cf : "",
            spec->user_master_cf ? spec->user_master_cf : "");
    for (i = 0; i < spec->nsets; i++)
        KEY_ADD("set %s\n", spec->sets[i]);
    for (i = 0; i < spec->nservices; i++)
        KEY_ADD("service %s\n", spec->services[i]);
    KEY_ADD("acl %s", spec->exim_acl_rcpt ? spec->exim_acl_rcpt : "");
#undef KEY_ADD
    return used < size ? used : size;
}

/* cell_key - a cell's key (run_plan_key()); 1 when it does not fit in size, 0, or -1 with err */

static int cell_key(const struct scenario *s, enum mta_kind mta, size_t variant,
                    const struct mta_target *target, const struct run_params *rp, char *key,
                    size_t size, struct smtp_error *err)
{
    struct mta_spec spec;
    char acl[RUN_ACL_MAX];

    /* The spec run_batch() renders: the user's files, then the scenario's overrides. */
    mta_spec_init(&spec, mta);
    spec.target = target;
    if (mta == MTA_POSTFIX) {
        spec.user_main_cf = rp->postfix_main_cf;
        spec.user_master_cf = rp->postfix_master_cf;
    } else {
        spec.user_exim_conf = rp->exim_conf;
    }
    if (run_scenario_spec(s, mta, variant, &spec, acl, sizeof(acl), err) < 0)
        return -1;
    /*
     * Postfix with its SASL socket missing: smtpd dies at the first
     * session and master throttles smtpd for a minute ("bad command
     * startup -- throttling"), so the instance serves one cell only.
     */
    if (mta == MTA_POSTFIX && spec.sasl_down)
        return 1;
    return spec_key(&spec, key, size) == size;
}

/* run_plan_key - see run_plan.h */

int run_plan_key(const struct run_cell *cell, const struct run_params *rp, char *key, size_t size,
                 struct smtp_error *err)
{
    int rc = cell_key(cell->scenario, cell->mta, cell->variant, cell->target, rp, key, size, err);

    /* Too long to compare: never shared (the cell's address is unique to it). */
    if (rc == 1)
        snprintf(key, size, "unique %p", (const void *)cell);
    return rc < 0 ? -1 : 0;
}

/* Instances by key: open addressing over the keys' FNV-1a hashes. */
struct key_slot {
    uint64_t hash;
    char *key; /* NULL: a free slot */
    size_t instance;
};

/* key_hash - FNV-1a, 64 bits */

static uint64_t key_hash(const char *key)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 1099511628211ULL;
    return h;
}

/* key_instance - the instance of key: the one found, or next (*next then grows); -1 no memory */

static int key_instance(struct key_slot *slots, size_t mask, const char *key, size_t *next,
                        size_t *out)
{
    uint64_t h = key_hash(key);
    size_t at = (size_t)h & mask;

    while (slots[at].key && (slots[at].hash != h || strcmp(slots[at].key, key) != 0))
        at = (at + 1) & mask;
    if (slots[at].key == NULL) {
        if ((slots[at].key = strdup(key)) == NULL)
            return -1;
        slots[at].hash = h;
        slots[at].instance = (*next)++;
    }
    *out = slots[at].instance;
    return 0;
}

/* run_plan_instances - see run_plan.h */

/*
 * number_instances - instance[i] for n cells whose scenario, MTA and
 * variant get(ctx, i, ...) gives: one rule for the runner and --list.
 */
static long number_instances(size_t n,
                             void (*get)(const void *ctx, size_t i, const struct scenario **s,
                                         enum mta_kind *mta, size_t *variant,
                                         const struct mta_target **target),
                             const void *ctx, const struct run_params *rp, size_t *instance,
                             void (*say)(void *sctx, size_t i, const struct smtp_error *cell_err),
                             void *sctx, struct smtp_error *err)
{
    size_t nslots = 16, next = 0, i;
    struct key_slot *slots;
    char key[RUN_PLAN_KEY_MAX];
    int rc = 0;

    smtp_error_clear(err);
    while (nslots < 2 * n) /* at most half full: short probes */
        nslots *= 2;
    if ((slots = calloc(nslots, sizeof(*slots))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    for (i = 0; i < n && rc == 0; i++) {
        struct smtp_error cell_err;
        const struct scenario *s;
        const struct mta_target *target;
        enum mta_kind mta;
        size_t variant;
        int shared;

        get(ctx, i, &s, &mta, &variant, &target);
        shared = rp->fresh_instances
                     ? 1
                     : cell_key(s, mta, variant, target, rp, key, sizeof(key), &cell_err);
        /* Fresh, too long to compare, or in error: an instance of its own. */
        if (shared == 0)
            rc = key_instance(slots, nslots - 1, key, &next, &instance[i]);
        else
            instance[i] = next++;
        if (shared < 0 && say)
            say(sctx, i, &cell_err); /* that batch reports it when it runs */
    }
    for (i = 0; i < nslots; i++)
        free(slots[i].key);
    free(slots);
    if (rc < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    return (long)next;
}

static void layout_get(const void *ctx, size_t i, const struct scenario **s, enum mta_kind *mta,
                       size_t *variant, const struct mta_target **target)
{
    const struct run_plan_cell *c = &((const struct run_plan *)ctx)->layout[i];

    *s = c->scenario;
    *mta = c->mta;
    *variant = c->variant;
    *target = c->target;
}

static void cells_get(const void *ctx, size_t i, const struct scenario **s, enum mta_kind *mta,
                      size_t *variant, const struct mta_target **target)
{
    const struct run_cell *c = &((const struct run_cell *)ctx)[i];

    *s = c->scenario;
    *mta = c->mta;
    *variant = c->variant;
    *target = c->target;
}

long run_plan_instances(const struct run_plan *plan, const struct run_params *rp, size_t *instance,
                        void (*say)(void *ctx, size_t i, const struct smtp_error *cell_err),
                        void *ctx, struct smtp_error *err)
{
    return number_instances(plan->ncells, layout_get, plan, rp, instance, say, ctx, err);
}

long run_plan_cell_instances(const struct run_cell *cells, size_t n, const struct run_params *rp,
                             size_t *instance, struct smtp_error *err)
{
    return number_instances(n, cells_get, cells, rp, instance, NULL, NULL, err);
}

/* run_plan_free - see run_plan.h */

void run_plan_free(struct run_plan *plan)
{
    size_t i;

    free(plan->cells);
    free(plan->layout);
    free(plan->scenarios);
    for (i = 0; i < plan->nfiles; i++)
        free(plan->files[i]);
    free(plan->files);
    free(plan->roots);
    memset(plan, 0, sizeof(*plan));
}

/* run_plan_user_config - see run_plan.h */

int run_plan_user_config(const char *postfix_dir, const char *exim_conf,
                         struct run_plan_params *plan, struct run_params *rp,
                         struct smtp_error *err)
{
    if (postfix_dir) {
        snprintf(plan->postfix_main_cf, sizeof(plan->postfix_main_cf), "%s/main.cf", postfix_dir);
        snprintf(plan->postfix_master_cf, sizeof(plan->postfix_master_cf), "%s/master.cf",
                 postfix_dir);
        if (access(plan->postfix_main_cf, R_OK) < 0)
            return smtp_error_set(err, SMTP_ERR_USAGE, errno, "%s needs a main.cf", postfix_dir);
        plan->mta_only = MTA_POSTFIX;
        rp->postfix_main_cf = plan->postfix_main_cf;
        /* Without a master.cf of its own: the sandbox's (smtp, submission, smtps). */
        rp->postfix_master_cf =
            access(plan->postfix_master_cf, R_OK) == 0 ? plan->postfix_master_cf : NULL;
    }
    if (exim_conf) {
        if (access(exim_conf, R_OK) < 0)
            return smtp_error_set(err, SMTP_ERR_USAGE, errno, "cannot read %s", exim_conf);
        plan->mta_only = postfix_dir ? -1 : MTA_EXIM;
        rp->exim_conf = exim_conf;
    }
    plan->policy_only = postfix_dir || exim_conf;
    return 0;
}

/* run_plan_shard - see run_plan.h */

int run_plan_shard(const char *text, int *k, int *n)
{
    const char *slash = strchr(text, '/');
    char part[32];
    long long vk, vn;

    if (slash == NULL || (size_t)(slash - text) >= sizeof(part))
        return -1;
    snprintf(part, sizeof(part), "%.*s", (int)(slash - text), text);
    if (number_parse(slash + 1, 1, RUN_PLAN_CELLS_MAX, &vn) < 0 ||
        number_parse(part, 1, vn, &vk) < 0)
        return -1;
    *k = (int)vk;
    *n = (int)vn;
    return 0;
}

/* run_plan_swaks - see run_plan.h */

void run_plan_swaks(const struct run_cell *cells, size_t ncells, char *buf, size_t size)
{
    long ours = 0, theirs = 0, waits = 0;
    int dialogues = 0;
    size_t i;

    for (i = 0; i < ncells; i++) {
        ours += cells[i].dialogue_ms - cells[i].relay_wait_ms;
        waits += cells[i].relay_wait_ms;
        theirs += cells[i].swaks_ms;
        dialogues += cells[i].swaks_dialogues;
    }
    snprintf(buf, size,
             "dialogues: %d; relaylab %.2f s (plus %.2f s waiting for the sink, which swaks "
             "does not do), swaks %.2f s (one process each): %.1fx",
             dialogues, ours / 1000.0, waits / 1000.0, theirs / 1000.0,
             ours ? (double)theirs / ours : 0.0);
}

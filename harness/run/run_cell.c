/*++
 * NAME
 *	run_cell 3
 * SUMMARY
 *	a cell's results: names, sanitizing, evidence texts
 * DESCRIPTION
 *	See run.h: the result model run_matrix() fills and the report
 *	renders. Where hostile text stops (run_cell_sanitize()), and where a
 *	finished cell's texts go out of memory and come back
 *	(run_cell_spill(), run_cell_text()).
 *--*/
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mta_target.h"
#include "run.h"
#include "smtp_sanitize.h"

#define FIELD_MAX 2048 /* the largest fixed text field of a run_cell */

/* run_cell_name - "scenario/variant/mta" */

void run_cell_name(const struct run_cell *cell, char *buf, size_t size)
{
    const struct scenario *s = cell->scenario;

    snprintf(buf, size, "%s/%s/%s", s->id,
             s->nvariants ? s->variants[cell->variant].name : "default", run_cell_mta(cell));
}

static unsigned host_release; /* the host's MTA's release: its Debian's */

static void host_release_once(void)
{
    char name[16];

    mta_target_host_release(name, sizeof(name));
    host_release = scenario_release_bit(name);
}

/* run_cell_mta - its column's name: "postfix", "postfix@trixie" */

const char *run_cell_mta(const struct run_cell *cell)
{
    return cell->target ? cell->target->name : mta_kind_name(cell->mta);
}

/* run_release_bit - a release's SCENARIO_RELEASE_* bit; "" is the host's own */

unsigned run_release_bit(const char *release)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    if (release && release[0])
        return scenario_release_bit(release);
    pthread_once(&once, host_release_once);
    return host_release;
}

/* run_cell_release_bit - the release of its column's MTA, for [@trixie] lines */

unsigned run_cell_release_bit(const struct run_cell *cell)
{
    return run_release_bit(cell->target ? cell->target->release : NULL);
}

/* run_cell_mta_title - its column's title: "postfix 3.10.13 (trixie)" */

const char *run_cell_mta_title(const struct run_cell *cell)
{
    return cell->target && cell->target->title[0] ? cell->target->title : run_cell_mta(cell);
}

/* run_status_name - "pass", "FAIL", ... */

const char *run_status_name(enum run_status status)
{
    switch (status) {
    case RUN_PASS:
        return "pass";
    case RUN_FAIL:
        return "FAIL";
    case RUN_OPEN_RELAY:
        return "OPEN RELAY";
    case RUN_NOT_APPLICABLE:
        return "n/a";
    default:
        return "ERROR";
    }
}

/* run_cell_instance - the instance's names, and Exim's rcpt ACL */

void run_cell_instance(struct run_cell *cell, const struct mta_instance *inst)
{
    struct smtp_error err;
    char acl[sizeof(inst->dir) + 16];

    if (strlen(inst->dir) < sizeof(cell->mta_dir))
        memcpy(cell->mta_dir, inst->dir, strlen(inst->dir) + 1);
    snprintf(cell->mta_addr, sizeof(cell->mta_addr), "%s", inst->addr);
    snprintf(cell->mta_addr6, sizeof(cell->mta_addr6), "%s", inst->addr6);
    snprintf(cell->sink_addr, sizeof(cell->sink_addr), "%s", inst->sink_addr);
    if (cell->mta != MTA_EXIM || cell->mta_acl)
        return;
    /* Exim's config includes it (".include RUN_DIR/acl_rcpt.conf"): the ACL is not in exim.conf. */
    snprintf(acl, sizeof(acl), "%s/acl_rcpt.conf", inst->dir);
    cell->mta_acl = mta_instance_read(inst, acl, 0, &err);
}

/* run_cell_free - the malloc'd parts */

void run_cell_free(struct run_cell *cell)
{
    free(cell->transcript);
    free(cell->mta_log);
    free(cell->mta_config);
    free(cell->mta_master);
    free(cell->mta_acl);
    free(cell->step_log);
    cell->transcript = cell->mta_log = cell->mta_config = cell->mta_master = NULL;
    cell->mta_acl = cell->step_log = NULL;
    cell->spilled = 0;
}

/* text_field - the in-memory field of a text */

static char **text_field(struct run_cell *cell, enum run_text which)
{
    switch (which) {
    case RUN_TEXT_TRANSCRIPT:
        return &cell->transcript;
    case RUN_TEXT_MTA_LOG:
        return &cell->mta_log;
    case RUN_TEXT_MTA_CONFIG:
        return &cell->mta_config;
    case RUN_TEXT_MTA_ACL:
        return &cell->mta_acl;
    case RUN_TEXT_STEP_LOG:
        return &cell->step_log;
    default:
        return &cell->mta_master;
    }
}

int run_evidence_open(const char *dir)
{
    return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

char *run_cell_text(const struct run_cell *cell, enum run_text which, struct smtp_error *err)
{
    const char *mem = *text_field((struct run_cell *)cell, which);
    size_t len = cell->evidence_len[which], got = 0;
    char *text;

    if (!cell->spilled) {
        if ((text = strdup(mem ? mem : "")) == NULL)
            smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return text;
    }
    if ((text = malloc(len + 1)) == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    while (got < len) {
        ssize_t n = pread(cell->evidence_fd, text + got, len - got,
                          (off_t)cell->evidence_off[which] + (off_t)got);

        if (n <= 0) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, n < 0 ? errno : EIO,
                           "cannot read a cell's text back from the evidence file: %s",
                           n < 0 ? strerror(errno) : "short file");
            free(text);
            return NULL;
        }
        got += (size_t)n;
    }
    text[len] = 0;
    return text;
}

size_t run_cell_text_bytes(const struct run_cell *cell)
{
    size_t total = 0;
    int k;

    for (k = 0; k < RUN_TEXTS; k++) {
        const char *text = *text_field((struct run_cell *)cell, (enum run_text)k);

        total += text ? strlen(text) : 0;
    }
    return total;
}

int run_cell_spill(struct run_cell *cell, int fd, long long off)
{
    int k;

    for (k = 0; k < RUN_TEXTS; k++) {
        const char *text = *text_field(cell, (enum run_text)k);
        size_t len = text ? strlen(text) : 0, done = 0;

        cell->evidence_off[k] = off;
        cell->evidence_len[k] = len;
        while (done < len) {
            ssize_t n = pwrite(fd, text + done, len - done, (off_t)off + (off_t)done);

            if (n <= 0)
                return -1; /* the texts stay here */
            done += (size_t)n;
        }
        off += (long long)len;
    }
    for (k = 0; k < RUN_TEXTS; k++) {
        free(*text_field(cell, (enum run_text)k));
        *text_field(cell, (enum run_text)k) = NULL;
    }
    cell->evidence_fd = fd;
    cell->spilled = 1;
    return 0;
}

/* sanitize_field - a fixed-size text field through smtp_sanitize, in place */

static void sanitize_field(char *field, size_t size)
{
    char raw[FIELD_MAX];

    snprintf(raw, sizeof(raw), "%s", field);
    smtp_sanitize_str(raw, field, size);
}

/* sanitize_lines - text through smtp_sanitize line by line (LF kept), malloc'd */

static char *sanitize_lines(const char *text)
{
    size_t len = strlen(text);
    char *out = malloc(SMTP_SANITIZE_SIZE(len));
    const char *p = text;
    size_t o = 0;

    if (out == NULL)
        return NULL;
    for (;;) {
        const char *nl = memchr(p, '\n', len - (size_t)(p - text));
        size_t n = nl ? (size_t)(nl - p) : len - (size_t)(p - text);

        /* Never cut: 4 bytes out per byte in is the most it takes. */
        o += smtp_sanitize(p, n, out + o, SMTP_SANITIZE_SIZE(n));
        if (nl == NULL)
            break;
        out[o++] = '\n';
        p = nl + 1;
    }
    out[o] = 0;
    return out;
}

/* run_cell_sanitize - every text reports show, through smtp_sanitize once */

int run_cell_sanitize(struct run_cell *cell)
{
    char *clean[RUN_TEXTS] = {NULL};
    int k, j;

    if (cell->sanitized)
        return 0;
    cell->sanitized = 1;
    smtp_sanitize_str(cell->scenario ? cell->scenario->title : NULL, cell->title,
                      sizeof(cell->title));
    smtp_sanitize_str(cell->fail_pos.file, cell->fail_file, sizeof(cell->fail_file));
    sanitize_field(cell->fail_step, sizeof(cell->fail_step));
    sanitize_field(cell->expected, sizeof(cell->expected));
    sanitize_field(cell->actual, sizeof(cell->actual));
    sanitize_field(cell->message, sizeof(cell->message));
    sanitize_field(cell->decide_step, sizeof(cell->decide_step));
    sanitize_field(cell->decide_expected, sizeof(cell->decide_expected));
    sanitize_field(cell->decide_reply, sizeof(cell->decide_reply));
    /* The MTA's texts (its log, config, ACL, the deciding step's log lines), line by line;
     * the transcript was sanitized as it was written. */
    for (k = RUN_TEXT_MTA_LOG; k < RUN_TEXTS; k++) {
        char **field = text_field(cell, (enum run_text)k);

        if (*field && (clean[k] = sanitize_lines(*field)) == NULL)
            break;
    }
    for (j = RUN_TEXT_MTA_LOG; j < RUN_TEXTS; j++) {
        char **field = text_field(cell, (enum run_text)j);

        free(*field);
        *field = k == RUN_TEXTS ? clean[j] : NULL;
        if (k != RUN_TEXTS)
            free(clean[j]);
    }
    if (k != RUN_TEXTS) {
        cell->status = RUN_ERROR;
        snprintf(cell->message, sizeof(cell->message),
                 "out of memory sanitizing the MTA's log and config");
        return -1;
    }
    return 0;
}

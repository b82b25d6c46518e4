/*++
 * NAME
 *	run_fuzz_finding 3
 * SUMMARY
 *	a fuzz finding as a scenario file that relaylab run replays
 * DESCRIPTION
 *	See run_fuzz_write_finding() in run_fuzz.h: the finding is built as
 *	a struct scenario, written by scenario_format() beside the parser,
 *	read back and compared before it is renamed into place.
 *--*/
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newfile.h"
#include "run.h"
#include "run_fuzz.h"
#include "smtp_sanitize.h"

/* copy_file - from's bytes to a new file to (temp file, then rename) */

static int copy_file(const char *from, const char *to, struct smtp_error *err)
{
    char *text = mta_read_file(from, err);
    int rc;

    if (text == NULL)
        return -1;
    rc = mta_render_write(to, text, 0644, err);
    free(text);
    return rc;
}

/* A finding's scenario: the model, the strings it points to, and the text read back. */
struct finding_model {
    struct scenario s;
    char id[SCENARIO_ID_MAX + 1];
    char title[128];
    char acl[256]; /* the acl-rcpt copy, by its name beside the finding */
    char lines[RUN_FUZZ_COMMANDS_MAX][RUN_FUZZ_LINE_MAX];
    char head[2 * SMTP_SANITIZE_SIZE(SMTP_ERROR_MSG_MAX + SMTP_ERROR_REPLY_MAX)]; /* comments */
};

/* finding_configs - the config lines that apply to this MTA and variant, for it alone */

static int finding_configs(const struct run_fuzz_params *p, struct finding_model *m,
                           const char *path, struct smtp_error *err)
{
    const struct scenario *from = p->scenario;
    unsigned bit = scenario_mta_bit(mta_kind_name(p->mta));
    size_t i;

    for (i = 0; from && i < from->nconfigs; i++) {
        const struct scenario_config *c = &from->configs[i];
        struct scenario_config *to = &m->s.configs[m->s.nconfigs];
        char acl[PATH_MAX];
        char copy[1200];

        if (!scenario_applies(&c->where, bit, p->variant, 0)) /* configs: no @RELEASE */
            continue;
        *to = (struct scenario_config){c->op, c->value, {bit, 0, 0}, {NULL, 0, 0}};
        m->s.nconfigs++;
        if (c->op != SCN_CFG_ACL_RCPT)
            continue;
        /* A copy beside the finding: "relaylab run" reads only files inside its tree. */
        if (run_acl_path(from, c, acl, sizeof(acl), err) < 0)
            return -1;
        if (snprintf(copy, sizeof(copy), "%.*s-acl-rcpt.conf", (int)(strlen(path) - 4), path) >=
            (int)sizeof(copy))
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "path too long: %s", path);
        if (copy_file(acl, copy, err) < 0)
            return -1;
        if (snprintf(m->acl, sizeof(m->acl), "%s",
                     strrchr(copy, '/') ? strrchr(copy, '/') + 1 : copy) >= (int)sizeof(m->acl))
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "name too long: %s", copy);
        to->value = m->acl;
    }
    return 0;
}

/* finding_step - one more step of the finding's dialogue */

static void finding_step(struct scenario *s, enum scenario_op op, const char *arg, const char *arg2)
{
    s->steps[s->nsteps++] = (struct scenario_step){.op = op, .arg = arg, .arg2 = arg2};
}

/*
 * finding_dialogue - connect from outside, the commands as raw lines (a
 * blank the fuzzer left at the end cut: a "C:" line cannot hold one),
 * data, and the verdict; 1 when a blank was cut
 */

static int finding_dialogue(const struct run_fuzz_finding *fnd, struct finding_model *m)
{
    struct scenario *s = &m->s;
    int data = 0, cut = 0;
    size_t i;

    s->dialogues[s->ndialogues++].name = "finding";
    finding_step(s, SCN_CONNECT, "smtp", fnd->client ? fnd->client : "outside");
    finding_step(s, SCN_EXPECT_REPLY, NULL, NULL);
    s->steps[s->nsteps - 1].code = 220;
    for (i = 0; i < fnd->ncommands; i++) {
        char *line = m->lines[i];
        size_t n;

        if (fnd->commands[i] == NULL) {
            finding_step(s, SCN_DATA, NULL, NULL);
            data = 1;
            continue;
        }
        snprintf(line, RUN_FUZZ_LINE_MAX, "%s", fnd->commands[i]);
        for (n = strlen(line); n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'); n--)
            cut = 1;
        line[n] = 0;
        finding_step(s, SCN_RAW, line, NULL);
    }
    if (!data)
        finding_step(s, SCN_DATA, NULL, NULL);
    if (fnd->relayed_to)
        finding_step(s, SCN_EXPECT_NO_RELAY_TO, fnd->relayed_to, NULL);
    else
        finding_step(s, SCN_EXPECT_RELAY_DENIED, NULL, NULL);
    return cut;
}

/* head_add - more of the comments, cut where they do not fit */

static void head_add(struct finding_model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void head_add(struct finding_model *m, const char *fmt, ...)
{
    size_t used = strlen(m->head);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(m->head + used, sizeof(m->head) - used, fmt, ap);
    va_end(ap);
}

/*
 * finding_head - the comments the file starts with: what was found, and
 * what a scenario cannot say. The detail came from a server: a reply is
 * sanitized where it was read (smtp_error), a recipient the sink got is
 * not; here whatever is not clean is, for a LF would end the comment and
 * start a line of the scenario.
 */

static void finding_head(const struct run_fuzz_params *p, const struct run_fuzz_finding *fnd,
                         int cut, struct finding_model *m)
{
    const struct scenario *from = p->scenario;
    char clean[sizeof(m->head) / 2];
    const char *detail = fnd->detail;

    if (!smtp_sanitize_is_clean(detail, strlen(detail)))
        detail = (smtp_sanitize_str(detail, clean, sizeof(clean)), clean);
    head_add(m, "# Found by relaylab fuzz (seed %lu) on %s", p->seed, mta_kind_name(p->mta));
    if (from)
        head_add(m, ", config of %s", from->id);
    if (from && from->nvariants)
        head_add(m, " variant %s", from->variants[p->variant].name);
    head_add(m, ".\n# %s: %.*s\n", fnd->kind, (int)sizeof(clean) - 1, detail);
    if (fnd->bare_lf || fnd->odd_data_end)
        head_add(m,
                 "# The fuzzer sent bare %s line ends or a variant end of data; scenario "
                 "files send CRLF.\n",
                 fnd->bare_lf == 2 ? "CR" : "LF");
    if (cut)
        head_add(m, "# A command the fuzzer sent ended in a blank; a C: line cannot.\n");
    if (fnd->relayed_to)
        head_add(m,
                 "# Mail reached the sink for %s, a domain the config neither delivers nor "
                 "relays for.\n",
                 fnd->relayed_to);
    else
        head_add(m, "# Relaying to %s without authentication is an open relay: relay-denied.\n",
                 RUN_FUZZ_VICTIM_DOMAIN);
}

/* run_fuzz_write_finding - a scenario file that reproduces it with relaylab run */

int run_fuzz_write_finding(const struct run_fuzz_params *p, const struct run_fuzz_finding *fnd,
                           char *path, size_t size, struct smtp_error *err)
{
    const char *mta = mta_kind_name(p->mta);
    struct finding_model *m;
    int rc = -1;

    size_t i;

    if (fnd->ncommands > RUN_FUZZ_COMMANDS_MAX)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "a finding of more than %d commands",
                              RUN_FUZZ_COMMANDS_MAX);
    for (i = 0; i < fnd->ncommands; i++)
        if (fnd->commands[i] && strlen(fnd->commands[i]) >= RUN_FUZZ_LINE_MAX)
            return smtp_error_set(err, SMTP_ERR_USAGE, 0, "a command of %d bytes or more",
                                  RUN_FUZZ_LINE_MAX);
    if ((size_t)snprintf(path, size, "%s/finding-%s-%zu.scn", p->out_dir, mta, fnd->number) >= size)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "path too long: %s", p->out_dir);
    if ((m = calloc(1, sizeof(*m))) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "out of memory");
    snprintf(m->id, sizeof(m->id), "fuzz-%s-%zu", mta, fnd->number);
    snprintf(m->title, sizeof(m->title), "relaylab fuzz: %s", fnd->kind);
    m->s.id = m->id;
    m->s.title = m->title;
    m->s.tags[m->s.ntags++] = "fuzz";
    if (p->user_main_cf || p->user_exim_conf)
        m->s.tags[m->s.ntags++] = "policy"; /* run --postfix-config/--exim-config runs these */
    m->s.tags[m->s.ntags++] = "security";
    m->s.mtas = scenario_mta_bit(mta);
    if (finding_configs(p, m, path, err) == 0) {
        struct scenario_error serr;

        finding_head(p, fnd, finding_dialogue(fnd, m), m);
        if ((rc = scenario_write_file(&m->s, m->head, path, &serr)) < 0)
            smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "cannot write the finding %s: %s", path,
                           serr.msg);
    }
    free(m);
    return rc;
}

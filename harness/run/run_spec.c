/*++
 * NAME
 *	run_spec 3
 * SUMMARY
 *	a scenario's config lines: checked, and as an MTA spec
 * DESCRIPTION
 *	See run.h: run_scenario_check() (what the sandbox refuses, with the
 *	file and line), run_acl_path() (an acl-rcpt file, inside the
 *	scenario's tree) and run_scenario_spec() (the overrides one MTA
 *	gets in one variant).
 *--*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static unsigned mta_bit(enum mta_kind k)
{
    return scenario_mta_bit(mta_kind_name(k));
}

/* slurp - a small file, malloc'd, or NULL */

static char *slurp(const char *path)
{
    struct smtp_error err;

    return mta_read_file(path, &err);
}

/* refused_acl_file - an acl-rcpt file's text, checked (mta_refused_acl) */

static const char *refused_acl_file(const struct scenario *s, const struct scenario_config *c,
                                    char *why, size_t size)
{
    char path[PATH_MAX];
    char inner[200];
    struct smtp_error err;
    char *text;
    int line = 0;

    if (run_acl_path(s, c, path, sizeof(path), &err) < 0 ||
        (text = mta_read_file(path, &err)) == NULL) {
        snprintf(why, size, "%.180s", err.msg);
        return why;
    }
    if (mta_refused_acl(text, inner, sizeof(inner), &line) != NULL) {
        free(text);
        snprintf(why, size, "%.60s line %d: %.120s", c->value, line, inner);
        return why;
    }
    free(text);
    return NULL;
}

/* run_scenario_check - the config lines, checked against what the sandbox owns */

int run_scenario_check(const struct scenario *s, struct scenario_error *err)
{
    size_t i;
    int k;

    for (i = 0; i < s->nconfigs; i++) {
        const struct scenario_config *c = &s->configs[i];
        char why[200];
        const char *refused = NULL;

        for (k = 0; k < MTA_KINDS && refused == NULL; k++) {
            enum mta_kind kind = (enum mta_kind)k;

            if (c->where.mtas && !(c->where.mtas & mta_bit(kind)))
                continue;
            if (c->op == SCN_CFG_SET)
                refused = mta_refused_setting(kind, c->value, why, sizeof(why));
            else if (c->op == SCN_CFG_SERVICE && kind == MTA_POSTFIX)
                refused = mta_refused_service(c->value, why, sizeof(why));
            else if (c->op == SCN_CFG_ACL_RCPT && kind == MTA_EXIM)
                refused = refused_acl_file(s, c, why, sizeof(why));
        }
        if (refused) {
            snprintf(err->file, sizeof(err->file), "%s", c->pos.file);
            err->line = c->pos.line;
            err->col = c->pos.col;
            snprintf(err->msg, sizeof(err->msg), "%s", refused);
            return -1;
        }
    }
    return 0;
}

/* run_acl_path - resolved next to the scenario file, and inside its tree */

int run_acl_path(const struct scenario *s, const struct scenario_config *c, char *buf, size_t size,
                 struct smtp_error *err)
{
    struct scenario_error serr;

    if (scenario_path(s, &c->pos, c->value, buf, size, &serr) < 0) {
        char msg[600];

        scenario_error_format(&serr, msg, sizeof(msg));
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s", msg);
    }
    return 0;
}

/* run_scenario_spec - a scenario's overrides for one MTA and variant */

int run_scenario_spec(const struct scenario *s, enum mta_kind mta, size_t variant,
                      struct mta_spec *spec, char *acl, size_t acl_size, struct smtp_error *err)
{
    size_t i;

    for (i = 0; s && i < s->nconfigs; i++) {
        const struct scenario_config *c = &s->configs[i];

        /* Configs are the same on every release (the parser refuses @RELEASE there). */
        if (!scenario_applies(&c->where, mta_bit(mta), variant, 0))
            continue;
        switch (c->op) {
        case SCN_CFG_SET:
            if (spec->nsets == MTA_SETS_MAX)
                return smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s:%d: more than %d settings",
                                      c->pos.file, c->pos.line, MTA_SETS_MAX);
            spec->sets[spec->nsets++] = c->value;
            break;
        case SCN_CFG_SERVICE:
            if (spec->nservices == MTA_LISTENERS_MAX)
                return smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s:%d: more than %d services",
                                      c->pos.file, c->pos.line, MTA_LISTENERS_MAX);
            spec->services[spec->nservices++] = c->value;
            break;
        case SCN_CFG_ACL_RCPT: {
            char path[1024];
            char *text;

            if (run_acl_path(s, c, path, sizeof(path), err) < 0)
                return -1;
            if ((text = slurp(path)) == NULL)
                return smtp_error_set(err, SMTP_ERR_USAGE, errno, "%s:%d: cannot read %s",
                                      c->pos.file, c->pos.line, path);
            /* The whole rule set or an error: a shortened ACL is another policy. */
            if (strlen(text) >= acl_size) {
                smtp_error_set(err, SMTP_ERR_USAGE, 0,
                               "%s:%d: %s is %zu bytes: acl-rcpt files are at most %zu",
                               c->pos.file, c->pos.line, path, strlen(text), acl_size - 1);
                free(text);
                return -1;
            }
            memcpy(acl, text, strlen(text) + 1);
            free(text);
            spec->exim_acl_rcpt = acl;
            break;
        }
        case SCN_CFG_NO_SASL:
            spec->no_sasl = 1;
            break;
        case SCN_CFG_PLAINTEXT_AUTH:
            spec->exim_plaintext_auth = 1;
            break;
        case SCN_CFG_SASL_DOWN:
            spec->sasl_down = 1;
            break;
        case SCN_CFG_NO_LISTENER:
            spec->no_listeners |= strcmp(c->value, "smtp") == 0         ? MTA_LISTEN_SMTP
                                  : strcmp(c->value, "submission") == 0 ? MTA_LISTEN_SUBMISSION
                                                                        : MTA_LISTEN_SMTPS;
            break;
        }
    }
    return 0;
}

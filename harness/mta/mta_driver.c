/*++
 * NAME
 *	mta_driver 3
 * SUMMARY
 *	what an MTA driver is, and what the sandbox offers it
 * DESCRIPTION
 *	See mta_driver.h. The services a driver calls: the settings
 *	check, template variables, containment, the list of rewrites,
 *	Dovecot.
 *--*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mta_driver.h"

/* setting_name - the name before '=' (blanks trimmed) into buf; its length, or 0 */

static size_t setting_name(const char *set, char *buf, size_t size)
{
    const char *eq = strchr(set, '=');
    size_t len;

    if (eq == NULL)
        return 0;
    len = (size_t)(eq - set);
    while (len > 0 && (set[len - 1] == ' ' || set[len - 1] == '\t'))
        len--;
    while (len > 0 && (*set == ' ' || *set == '\t')) {
        set++;
        len--;
    }
    if (len == 0 || len >= size)
        return 0;
    memcpy(buf, set, len);
    buf[len] = 0;
    return len;
}

/* mta_driver_refused_setting - the name's form here, what it may name in the driver */

const char *mta_driver_refused_setting(const struct mta_driver *driver, const char *set, char *why,
                                       size_t size)
{
    static const char name_chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    char name[128];
    size_t len = setting_name(set, name, sizeof(name));

    if (len == 0) {
        snprintf(why, size, "not NAME = value");
        return why;
    }
    if (strspn(name, name_chars) != len) {
        snprintf(why, size, "'%s' is not a %s name", name, driver->setting_kind);
        return why;
    }
    return driver->refused_setting(name, strchr(set, '=') + 1, why, size);
}

/* mta_driver_rewrite - note one change made to a user's config */

void mta_driver_rewrite(struct mta_instance *inst, const char *fmt, ...)
{
    va_list ap;

    if (inst->nrewrites == MTA_REWRITES_MAX)
        return;
    va_start(ap, fmt);
    vsnprintf(inst->rewrites[inst->nrewrites++], sizeof(inst->rewrites[0]), fmt, ap);
    va_end(ap);
}

/* mta_driver_vars - the variables of every template */

void mta_driver_vars(const struct mta_instance *inst, const char *dovecot_socket,
                     struct mta_vars *vars)
{
    mta_vars_set(vars, "HOSTNAME", MTA_HOSTNAME);
    mta_vars_set(vars, "RUN_DIR", inst->dir);
    mta_vars_set(vars, "ADDR", inst->addr);
    mta_vars_set(vars, "PORT_SMTP", "25");
    mta_vars_set(vars, "PORT_SUBMISSION", "587");
    mta_vars_set(vars, "PORT_SMTPS", "465");
    mta_vars_set(vars, "SINK_ADDR", inst->sink_addr);
    mta_vars_set(vars, "SINK_PORT", inst->sink_port_text);
    mta_vars_set(vars, "DOVECOT_SOCKET", dovecot_socket ? dovecot_socket : "");
}

/* mta_driver_left_out - one of the listeners the spec leaves out */

int mta_driver_left_out(unsigned no_listeners, int port)
{
    unsigned bit = port == 25    ? MTA_LISTEN_SMTP
                   : port == 587 ? MTA_LISTEN_SUBMISSION
                   : port == 465 ? MTA_LISTEN_SMTPS
                                 : 0;

    return (bit & no_listeners) != 0;
}

/* mta_driver_dovecot - the run's shared Dovecot, or the instance's own */

const char *mta_driver_dovecot(struct mta_instance *inst, struct smtp_error *err)
{
    const char *shared = mta_env_shared_dovecot(inst->env);
    char dir[340];

    if (inst->dovecot_socket[0])
        return inst->dovecot_socket; /* started early by mta_start */
    if (shared) {
        /* inst->dovecot stays empty: the instance does not stop it. */
        snprintf(inst->dovecot_socket, sizeof(inst->dovecot_socket), "%s", shared);
        return inst->dovecot_socket;
    }
    snprintf(dir, sizeof(dir), "%s/dovecot", inst->dir);
    if (mta_env_dovecot(inst->env, dir, &inst->dovecot, inst->dovecot_socket,
                        sizeof(inst->dovecot_socket), err) < 0) {
        inst->dovecot_socket[0] = 0;
        return NULL;
    }
    return inst->dovecot_socket;
}

/* mta_driver_contain - how the instance's MTA process is contained */

const struct mta_contain *mta_driver_contain(const struct mta_instance *inst,
                                             struct mta_contain *buf)
{
    if (mta_env_contain(inst->env, inst->dir, buf) == NULL)
        return NULL;
    buf->readonly[0] = inst->sink_dir;
    buf->readonly[1] = inst->tls_dir;
    return buf;
}

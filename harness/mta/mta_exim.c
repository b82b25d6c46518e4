/*++
 * NAME
 *	mta_exim 3
 * SUMMARY
 *	Exim driver: config from a base, "exim4 -C FILE -bdf"
 * DESCRIPTION
 *	The unpacked exim4-daemon-heavy (scripts/setup) runs as root in
 *	the foreground. Its config lives at RUN_DIR/exim-N/exim.conf,
 *	root-owned and 0644: /etc/exim4/trusted_configs lists those paths
 *	(scripts/setup), so Exim's re-executed delivery processes keep
 *	their privilege. Scenarios replace macros (host and domain lists),
 *	the rcpt ACL, and the authenticators (Dovecot or plaintext).
 *
 *	A user's own Exim config is not supported yet: mta_exim_start()
 *	says so.
 *--*/
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mta.h"
#include "mta_render.h"

/* exim_dir - spool or log directory owned by Debian-exim */

static int exim_dir(const struct mta_env_ids *ids, const char *path, struct smtp_error *err)
{
    if (!ids->have_exim)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "no Debian-exim user: run scripts/setup");
    if (mkdir(path, 0750) < 0 || chown(path, (uid_t)ids->exim_uid, (gid_t)ids->exim_gid) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", path,
                              strerror(errno));
    return 0;
}

/* render_part - a template (or the caller's text) filled into RUN_DIR/name */

static int render_part(struct mta_instance *inst, const char *template_name, const char *text,
                       const struct mta_vars *vars, const char *name, struct smtp_error *err)
{
    char *out = NULL;
    char path[512];
    int rc;

    rc = text ? mta_render_fill(text, vars, &out, err)
              : mta_render_load(mta_env_template_dir(inst->env), template_name, vars, &out, err);
    if (rc < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s", inst->dir, name);
    rc = mta_render_write(path, out, 0644, err);
    free(out);
    return rc;
}

/* mta_exim_start - render and start */

int mta_exim_start(struct mta_instance *inst, const struct mta_spec *spec, struct smtp_error *err)
{
    struct mta_vars vars = {0};
    const struct mta_env_user *user = mta_env_user(inst->env, 0);
    const char *dovecot = NULL;
    char path[512];
    char *conf = NULL;
    char *argv[6];
    const struct mta_env_ids *ids = mta_env_ids(inst->env);
    gid_t exim_gid = (gid_t)ids->exim_gid;
    size_t i;
    int rc = -1;

    if (spec->user_exim_conf)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0,
                              "a user's own Exim config is not supported yet; "
                              "use --set for macros instead");
    if (geteuid() != 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "Exim's daemon must start as root");
    if (access(mta_env_exim_bin(inst->env), X_OK) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno,
                              "no Exim at %s: run scripts/setup (or set RELAYLAB_EXIM)",
                              mta_env_exim_bin(inst->env));
    if (!spec->exim_plaintext_auth && (dovecot = mta_dovecot(inst, err)) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/spool", inst->dir);
    if (exim_dir(mta_env_ids(inst->env), path, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/log", inst->dir);
    if (exim_dir(mta_env_ids(inst->env), path, err) < 0)
        return -1;
    /* Exim reads the TLS key as Debian-exim: root:Debian-exim 0640. */
    snprintf(path, sizeof(path), "%s/tls/key.pem", inst->dir);
    if (!ids->have_exim || chown(path, 0, exim_gid) < 0 || chmod(path, 0640) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot share the TLS key with Exim");

    mta_instance_vars(inst, dovecot, &vars);
    mta_vars_set(&vars, "EXIM_BIN", mta_env_exim_bin(inst->env));
    mta_vars_set(&vars, "SASL_USER", user->name);
    mta_vars_set(&vars, "SASL_PASS", user->pass);

    if (render_part(inst, "exim-acl-rcpt.conf", spec->exim_acl_rcpt, &vars, "acl_rcpt.conf", err) <
            0 ||
        render_part(
            inst, spec->exim_plaintext_auth ? "exim-auth-plaintext.conf" : "exim-auth-dovecot.conf",
            NULL, &vars, "authenticators.conf", err) < 0)
        return -1;
    if (spec->exim_plaintext_auth) {
        /* The password is in there: root and Exim only. */
        snprintf(path, sizeof(path), "%s/authenticators.conf", inst->dir);
        if (chown(path, 0, exim_gid) < 0 || chmod(path, 0640) < 0)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "chmod %s", path);
    }
    if (mta_render_load(mta_env_template_dir(inst->env), "exim.conf", &vars, &conf, err) < 0)
        return -1;
    for (i = 0; i < spec->nsets; i++) {
        const char *eq = strchr(spec->sets[i], '=');
        char name[128];

        if (eq == NULL || eq == spec->sets[i] || (size_t)(eq - spec->sets[i]) >= sizeof(name)) {
            smtp_error_set(err, SMTP_ERR_USAGE, 0, "setting '%s' is not NAME=value", spec->sets[i]);
            goto out;
        }
        snprintf(name, sizeof(name), "%.*s", (int)(eq - spec->sets[i]), spec->sets[i]);
        while (name[0] && name[strlen(name) - 1] == ' ')
            name[strlen(name) - 1] = 0;
        if (mta_render_macro(&conf, name, eq + 1 + strspn(eq + 1, " \t"), err) < 0)
            goto out;
    }
    snprintf(inst->config_path, sizeof(inst->config_path), "%s/exim.conf", inst->dir);
    if (mta_render_write(inst->config_path, conf, 0644, err) < 0)
        goto out;
    inst->listeners[0] = (struct mta_listener){"smtp", 25, 0};
    inst->listeners[1] = (struct mta_listener){"submission", 587, 0};
    inst->listeners[2] = (struct mta_listener){"smtps", 465, 1};
    inst->nlisteners = 3;
    snprintf(inst->log_path, sizeof(inst->log_path), "%s/log/mainlog", inst->dir);
    snprintf(path, sizeof(path), "%s/exim.out", inst->dir);
    argv[0] = (char *)mta_env_exim_bin(inst->env);
    argv[1] = "-C";
    argv[2] = inst->config_path;
    argv[3] = "-bdf";
    argv[4] = NULL;
    rc = mta_proc_spawn(&inst->proc, argv, path, err);
out:
    free(conf);
    return rc;
}

/*++
 * NAME
 *	mta_exim 3
 * SUMMARY
 *	Exim driver: config from a base, "exim4 -C FILE -bdf"
 * DESCRIPTION
 *	The unpacked exim4-daemon-heavy (scripts/setup) runs as root in
 *	the foreground. Its config lives at RUN_DIR/exim-N/exim.conf,
 *	root-owned and 0644: /etc/exim4/trusted_configs lists those paths
 *	(scripts/setup), so Exim accepts them with -C. The binary is not
 *	setuid (scripts/setup drops the bit the package sets): the daemon
 *	is root because relaylab starts it as root, and the processes Exim
 *	re-executes to deliver run as Debian-exim, which is enough: every
 *	delivery is SMTP to the capture sink. Scenarios replace macros
 *	(host and domain lists), the rcpt ACL, and the authenticators
 *	(Dovecot or plaintext).
 *
 *	A user's own Exim config is kept except where the sandbox must own
 *	it: in the main section the paths, listeners, TLS files and host
 *	lookups; routers that would look hosts up in DNS or go to a
 *	smarthost become manualroutes to the capture sink, keeping their
 *	names and preconditions (every other router stays as it is: they
 *	decide where mail goes); every transport becomes SMTP to the sink
 *	under its own name, so local deliveries reach the sink too; Dovecot
 *	authenticators get the sandbox's socket. The ACLs, domain and host
 *	lists it tests stay as they are. Every change is listed.
 *
 *	Exports mta_exim_driver only (mta_driver.h).
 *--*/
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mta_driver.h"
#include "mta_eximconf.h"
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

/* local_interfaces - the listeners not left out, in Exim's "<;" list form */

static void local_interfaces(const struct mta_instance *inst, unsigned no_listeners, char *buf,
                             size_t size)
{
    static const int ports[] = {25, 587, 465};
    size_t used = (size_t)snprintf(buf, size, "<;");
    size_t i;

    for (i = 0; i < 3 && used < size; i++)
        if (!mta_driver_left_out(no_listeners, ports[i])) {
            used += (size_t)snprintf(buf + used, size - used, " %s.%d ;", inst->addr, ports[i]);
            if (inst->addr6[0] && used < size)
                used +=
                    (size_t)snprintf(buf + used, size - used, " %s.%d ;", inst->addr6, ports[i]);
        }
    if (used > 2 && buf[used - 1] == ';')
        buf[used - 1] = 0;
}

/* note_rewrite - mta_eximconf's note: one rewrite of the instance's list */

static void note_rewrite(void *inst, const char *text)
{
    mta_driver_rewrite(inst, "%s", text);
}

/* rewrite_section - section name of *cf through rewrite (routers, transports); 0 if none */

static int rewrite_section(char **cf, const char *name, const char *body,
                           char *(*rewrite)(const char *, size_t, const char *,
                                            void (*)(void *, const char *), void *, int *,
                                            struct smtp_error *),
                           struct mta_instance *inst, int *count, struct smtp_error *err)
{
    size_t start, end;
    char *out;
    int rc;

    *count = 0;
    if (mta_eximconf_section(*cf, name, &start, &end) < 0)
        return 0;
    if ((out = rewrite(*cf + start, end - start, body, note_rewrite, inst, count, err)) == NULL)
        return -1;
    rc = mta_eximconf_splice(cf, start, end, out, err);
    free(out);
    return rc;
}

/*
 * adopt_drivers - the routers kept, only where mail leaves goes to the
 * sink: a router that would look hosts up in DNS or send to a smarthost
 * becomes a manualroute to the sink (its name and preconditions kept),
 * every transport an SMTP transport to the sink under its own name (a
 * local delivery arrives there too, with its envelope), and the sink's
 * own transport is added. No routers at all: one to the sink.
 */
static int adopt_drivers(struct mta_instance *inst, const struct mta_vars *vars, char **cf,
                         struct smtp_error *err)
{
    const char *dir = mta_env_template_dir(inst->env);
    char *router = NULL;
    char *transport = NULL;
    size_t start, end;
    int n = 0;
    int rc = -1;

    if (mta_render_load(dir, "exim-user-router.conf", vars, &router, err) < 0 ||
        mta_render_load(dir, "exim-user-transport.conf", vars, &transport, err) < 0)
        goto out;
    if (mta_eximconf_section(*cf, "routers", &start, &end) == 0) {
        if (rewrite_section(cf, "routers", mta_eximconf_body(router), mta_eximconf_routers, inst,
                            &n, err) < 0)
            goto out;
        if (n == 0)
            mta_driver_rewrite(inst, "exim routers: kept as they are (none looks hosts up)");
    } else {
        if (mta_eximconf_append(cf, "routers", router, err) < 0)
            goto out;
        mta_driver_rewrite(inst, "exim routers: added one manualroute to the capture sink");
    }
    if (rewrite_section(cf, "transports", mta_eximconf_body(transport), mta_eximconf_transports,
                        inst, &n, err) < 0)
        goto out;
    if (mta_eximconf_section(*cf, "transports", &start, &end) == 0) {
        if (mta_eximconf_splice(cf, start, start, transport, err) < 0)
            goto out;
    } else if (mta_eximconf_append(cf, "transports", transport, err) < 0) {
        goto out;
    }
    mta_driver_rewrite(inst, "exim transports: added relaylab_to_sink_smtp");
    rc = 0;
out:
    free(router);
    free(transport);
    return rc;
}

/*
 * user_left_out - the listeners a user's config does not have: Exim
 * listens on daemon_smtp_ports (default "smtp": 25 alone), so a port it
 * does not list is no door of the config's (a rewrite listed when none of
 * 25, 587 and 465 is, and the sandbox keeps 25)
 */
static unsigned user_left_out(struct mta_instance *inst, const char *cf)
{
    static const struct {
        int port;
        unsigned bit;
        const char *names[3];
    } known[] = {{25, MTA_LISTEN_SMTP, {"25", "smtp", NULL}},
                 {587, MTA_LISTEN_SUBMISSION, {"587", "submission", NULL}},
                 {465, MTA_LISTEN_SMTPS, {"465", "smtps", "submissions"}}};
    char ports[400] = "smtp";
    unsigned out = 0;
    size_t start, end, i, k;
    char *main_part;

    mta_eximconf_section(cf, NULL, &start, &end);
    if ((main_part = strndup(cf, end)) == NULL)
        return 0;
    (void)mta_render_param_get(main_part, "daemon_smtp_ports", ports, sizeof(ports));
    free(main_part);
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        int listed = 0;

        for (k = 0; k < 3 && known[i].names[k] && !listed; k++) {
            const char *p = ports;
            size_t n = strlen(known[i].names[k]);

            /* An item of the colon list, blanks around it. */
            while ((p = strstr(p, known[i].names[k])) != NULL && !listed) {
                listed = (p == ports || strchr(" \t:", p[-1])) && strchr(" \t:", p[n]) != NULL;
                p += n;
            }
        }
        out |= listed ? 0 : known[i].bit;
    }
    if (out == (MTA_LISTEN_SMTP | MTA_LISTEN_SUBMISSION | MTA_LISTEN_SMTPS)) {
        mta_driver_rewrite(inst,
                           "exim main: port 25 served (was: daemon_smtp_ports = %.60s): the "
                           "sandbox serves 25, 587 and 465 only",
                           ports);
        out &= ~MTA_LISTEN_SMTP;
    }
    return out;
}

/* adopt_user_config - rewrite a user's Exim config where the sandbox must */

static int adopt_user_config(struct mta_instance *inst, const struct mta_vars *vars,
                             const char *dovecot, unsigned no_listeners, char **cf,
                             struct smtp_error *err)
{
    char listen[320], spool[400], logs[400], pid[400], cert[400], key[400], ports[40];
    const char *forced[][2] = {
        {"exim_path", mta_instance_exim_bin(inst)},
        {"spool_directory", spool},
        {"log_file_path", logs},
        {"pid_file_path", pid},
        {"keep_environment", ""},
        {"exim_user", "Debian-exim"},
        {"exim_group", "Debian-exim"},
        {"local_interfaces", listen},
        {"daemon_smtp_ports", ports},
        {"tls_on_connect_ports", "465"},
        {"tls_certificate", cert},
        {"tls_privatekey", key},
        {"host_lookup", ""},
        {"rfc1413_hosts", ""},
        {"check_spool_space", "0"},
        {"check_log_space", "0"},
        {"queue_run_max", "0"},
    };
    char *main_part;
    size_t start, end, i;

    local_interfaces(inst, no_listeners, listen, sizeof(listen));
    snprintf(ports, sizeof(ports), "%s%s%s", mta_driver_left_out(no_listeners, 25) ? "" : "25 : ",
             mta_driver_left_out(no_listeners, 587) ? "" : "587 : ",
             mta_driver_left_out(no_listeners, 465) ? "" : "465 : ");
    if (strlen(ports) >= 3)
        ports[strlen(ports) - 3] = 0; /* the last " : " */
    snprintf(spool, sizeof(spool), "%s/spool", inst->dir);
    snprintf(logs, sizeof(logs), "%s/log/%%slog", inst->dir);
    snprintf(pid, sizeof(pid), "%s/exim.pid", inst->dir);
    snprintf(cert, sizeof(cert), "%s/tls/cert.pem", inst->dir);
    snprintf(key, sizeof(key), "%s/tls/key.pem", inst->dir);
    /* The main section: options set or replaced there only. */
    mta_eximconf_section(*cf, NULL, &start, &end);
    if ((main_part = strndup(*cf, end)) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    for (i = 0; i < sizeof(forced) / sizeof(forced[0]); i++) {
        char old[400];
        int had =
            mta_eximconf_main_option(&main_part, forced[i][0], forced[i][1], old, sizeof(old), err);

        if (had < 0) {
            free(main_part);
            return -1;
        }
        if (had && strcmp(old, forced[i][1]) == 0)
            continue;
        mta_driver_rewrite(inst, "exim main: %s = %s%s%.80s%s", forced[i][0], forced[i][1],
                           had ? " (was: " : "", had ? old : "", had ? ")" : "");
    }
    if (mta_eximconf_splice(cf, 0, end, main_part, err) < 0) {
        free(main_part);
        return -1;
    }
    free(main_part);
    if (adopt_drivers(inst, vars, cf, err) < 0)
        return -1;
    /* Dovecot authenticators: the sandbox's socket. */
    if (dovecot && mta_eximconf_section(*cf, "authenticators", &start, &end) == 0) {
        char *out;
        int n = 0;

        if ((out = mta_eximconf_sockets(*cf + start, end - start, dovecot, &n, err)) == NULL)
            return -1;
        if (mta_eximconf_splice(cf, start, end, out, err) < 0) {
            free(out);
            return -1;
        }
        free(out);
        if (n)
            mta_driver_rewrite(inst, "exim authenticators: %d server_socket = %s", n, dovecot);
    }
    return 0;
}

/* uses_dovecot - Dovecot's authenticators unless the spec asks for plaintext ones */

static int uses_dovecot(const struct mta_spec *spec)
{
    return !spec->exim_plaintext_auth && !spec->sasl_down;
}

/* start - render and start */

static int start(struct mta_instance *inst, const struct mta_spec *spec, struct smtp_error *err)
{
    struct mta_vars vars = {0};
    const struct mta_env_user *user = mta_env_user(inst->env, 0);
    const char *dovecot = NULL;
    char path[512];
    char *conf = NULL;
    unsigned no_listeners = spec->no_listeners;
    char *argv[6];
    const struct mta_env_ids *ids = mta_instance_ids(inst);
    char interfaces[320];
    char down[sizeof(inst->dir) + 16];
    gid_t exim_gid = (gid_t)ids->exim_gid;
    size_t i;
    int rc = -1;

    if (geteuid() != 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "Exim's daemon must start as root");
    if (inst->target == NULL && access(mta_instance_exim_bin(inst), X_OK) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno,
                              "no Exim at %s: run scripts/setup (or set RELAYLAB_EXIM)",
                              mta_instance_exim_bin(inst));
    if (uses_dovecot(spec) && (dovecot = mta_driver_dovecot(inst, err)) == NULL)
        return -1;
    /* The guide's cause 5: the authenticators' socket, where nothing listens. */
    if (spec->sasl_down) {
        snprintf(down, sizeof(down), "%s/auth-down/auth", inst->dir);
        dovecot = down;
    }
    snprintf(path, sizeof(path), "%s/spool", inst->dir);
    if (exim_dir(mta_instance_ids(inst), path, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/log", inst->dir);
    if (exim_dir(mta_instance_ids(inst), path, err) < 0)
        return -1;
    /* Exim reads the TLS key as Debian-exim: root:Debian-exim 0640. */
    snprintf(path, sizeof(path), "%s/tls/key.pem", inst->dir);
    if (!ids->have_exim || chown(path, 0, exim_gid) < 0 || chmod(path, 0640) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot share the TLS key with Exim");

    if (spec->user_exim_conf) {
        if ((conf = mta_render_read(spec->user_exim_conf, MTA_RENDER_USER_FILE, err)) == NULL)
            goto out;
        no_listeners |= user_left_out(inst, conf);
    }
    mta_driver_vars(inst, dovecot, &vars);
    local_interfaces(inst, no_listeners, interfaces, sizeof(interfaces));
    mta_vars_set(&vars, "LOCAL_INTERFACES", interfaces);
    mta_vars_set(&vars, "EXIM_BIN", mta_instance_exim_bin(inst));
    mta_vars_set(&vars, "SASL_USER", user->name);
    mta_vars_set(&vars, "SASL_PASS", user->pass);

    if (spec->user_exim_conf) {
        if (adopt_user_config(inst, &vars, dovecot, no_listeners, &conf, err) < 0)
            goto out;
    } else {
        if (render_part(inst, "exim-acl-rcpt.conf", spec->exim_acl_rcpt, &vars, "acl_rcpt.conf",
                        err) < 0 ||
            render_part(inst,
                        spec->exim_plaintext_auth ? "exim-auth-plaintext.conf"
                                                  : "exim-auth-dovecot.conf",
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
    }
    /* The settings were checked (mta_start): here they are applied. */
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
    if (mta_render_write(inst->config_path, conf, 0644, err) < 0)
        goto out;
    {
        static const struct mta_listener all[] = {
            {"smtp", 25, 0}, {"submission", 587, 0}, {"smtps", 465, 1}};

        inst->nlisteners = 0;
        for (i = 0; i < 3; i++)
            if (!mta_driver_left_out(no_listeners, all[i].port))
                inst->listeners[inst->nlisteners++] = all[i];
        if (inst->nlisteners == 0) {
            smtp_error_set(err, SMTP_ERR_USAGE, 0, "every listener left out");
            goto out;
        }
    }
    snprintf(path, sizeof(path), "%s/exim.out", inst->dir);
    argv[0] = (char *)mta_instance_exim_bin(inst);
    argv[1] = "-C";
    argv[2] = inst->config_path;
    argv[3] = "-bdf";
    argv[4] = NULL;
    rc = mta_driver_spawn(inst, argv, path, err);
out:
    free(conf);
    return rc;
}

/* refused_setting - a macro: a lower-case name would replace an option line */

static const char *refused_setting(const char *name, const char *value, char *why, size_t size)
{
    (void)value;
    /* Exim macros start upper-case (spec 6.4). */
    if (name[0] < 'A' || name[0] > 'Z') {
        snprintf(why, size, "'%s' is not an Exim macro (NAME starts with A-Z)", name);
        return why;
    }
    return NULL;
}

const struct mta_driver mta_exim_driver = {
    .name = "exim",
    .config_name = "exim.conf",
    .log_name = "log/mainlog",
    .setting_kind = "macro",
    .log_fatal = "panic",
    .log_why = NULL,
    .uses_dovecot = uses_dovecot,
    .refused_setting = refused_setting,
    .refused_service = NULL, /* no master.cf: a spec's services are Postfix's */
    .start = start,
    .exit_hint = NULL,
};

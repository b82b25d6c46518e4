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
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <signal.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mta_driver.h"
#include "mta_owner.h"
#include "mta_target.h"

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

/* volume - "-v" HOST:PATH[:ro] for path below the run root, the host's view */

static int volume(const char *host_dir, const char *run_root, const char *path, int ro, char *buf,
                  size_t size)
{
    size_t n = strlen(run_root);

    if (strncmp(path, run_root, n) != 0 || (path[n] && path[n] != '/'))
        return -1;
    return (size_t)snprintf(buf, size, "--volume=%s%s:%s%s", host_dir, path + n, path,
                            ro ? ":ro" : "") < size
               ? 0
               : -1;
}

#define SPAWN_ARGS_MAX 64
#define LIFELINE_PATH "/run/relaylab-lifeline" /* in the container */

/* lifeline - the instance's FIFO beside the run directory, opened; its volume option */

static int lifeline(struct mta_instance *inst, char *vol, size_t size, struct smtp_error *err)
{
    const char *base = strrchr(inst->dir, '/');

    snprintf(inst->lifeline, sizeof(inst->lifeline), "%s/lifeline-%s", mta_env_host_top(inst->env),
             base ? base + 1 : "mta");
    if (mkfifo(inst->lifeline, 0600) < 0 ||
        (inst->lifeline_fd = open(inst->lifeline, O_RDWR | O_CLOEXEC)) < 0) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "%s: %s", inst->lifeline, strerror(errno));
        inst->lifeline[0] = 0;
        return -1;
    }
    if ((size_t)snprintf(vol, size, "--volume=%s:" LIFELINE_PATH ":ro", inst->lifeline) >= size)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENAMETOOLONG, "%s", inst->lifeline);
    return 0;
}

/* spawn_container - argv in a container of the target's image */

static int spawn_container(struct mta_instance *inst, char *const argv[], const char *log_path,
                           struct smtp_error *err)
{
    const struct mta_target *t = inst->target;
    int service = mta_target_engine_is_service(t);
    const char *base = strrchr(inst->dir, '/');
    /* As mta_contain keeps: what an MTA daemon needs, nothing to undo the container. */
    static const char *const caps[] = {"--cap-add=CHOWN",      "--cap-add=DAC_OVERRIDE",
                                       "--cap-add=FOWNER",     "--cap-add=FSETID",
                                       "--cap-add=KILL",       "--cap-add=SETGID",
                                       "--cap-add=SETUID",     "--cap-add=NET_BIND_SERVICE",
                                       "--cap-add=SYS_CHROOT", "--cap-add=SYS_RESOURCE"};
    char name[128], label[128], net[64], vols[4 + MTA_CONTAIN_READONLY_MAX][700];
    const char *host_dir;
    char *args[SPAWN_ARGS_MAX];
    struct mta_contain jail;
    char token[64];
    int n = 0, nv = 0;
    size_t i;

    if (mta_env_contain(inst->env, inst->dir, &jail) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, EPERM, "containers need root");
    /*
     * podman runs in relaylab's namespaces and mounts the run directory
     * where relaylab has it (the run's size-limited tmpfs); docker's
     * service, in the host's, from where the host sees it.
     */
    host_dir = service ? mta_env_host_dir(inst->env) : jail.run_root;
    if (host_dir == NULL || (service && mta_env_host_top(inst->env) == NULL))
        return smtp_error_set(err, SMTP_ERR_INTERNAL, EINVAL,
                              "no run directory the container engine's service can mount");
    if (mta_owner_self(token, sizeof(token)) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot read our own start time");
    snprintf(inst->container, sizeof(inst->container), "relaylab-%s-%s", token,
             base ? base + 1 : "mta");
    snprintf(name, sizeof(name), "--name=%s", inst->container);
    snprintf(label, sizeof(label), "--label=%s=%s", MTA_TARGET_LABEL, token);
    /*
     * relaylab's network namespace, the clients' addresses unchanged:
     * podman runs in it (host networking there); docker's service runs
     * in the host's, and takes the namespace by the path the host sees.
     */
    if (service)
        snprintf(net, sizeof(net), "--network=ns:/proc/%ld/ns/net", mta_env_host_pid());
    else
        snprintf(net, sizeof(net), "--network=host");
    if (volume(host_dir, jail.run_root, jail.run_root, 1, vols[nv++], sizeof(vols[0])) < 0 ||
        volume(host_dir, jail.run_root, inst->dir, 0, vols[nv++], sizeof(vols[0])) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENAMETOOLONG, "run directory paths");
    jail.readonly[0] = inst->sink_dir;
    jail.readonly[1] = inst->tls_dir;
    for (i = 0; i < 2; i++)
        if (volume(host_dir, jail.run_root, jail.readonly[i], 1, vols[nv++], sizeof(vols[0])) < 0)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, ENAMETOOLONG, "run directory paths");
    args[n++] = (char *)t->engine;
    args[n++] = "run";
    args[n++] = "--rm";
    args[n++] = "--pull=never";
    args[n++] = name;
    args[n++] = label;
    args[n++] = net;
    args[n++] = "--cap-drop=ALL";
    for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
        args[n++] = (char *)caps[i];
    args[n++] = "--read-only";
    args[n++] = "--tmpfs=/tmp:rw,nosuid,nodev,noexec,size=16m";
    args[n++] = "--tmpfs=/run:rw,nosuid,nodev,noexec,size=1m";
    args[n++] = "--pids-limit=4096";
    /* nosuid, as the namespace runtime mounts everything. */
    args[n++] = "--security-opt=no-new-privileges";
    /*
     * And the MTA ends when relaylab does: docker's service runs the
     * container outside relaylab's namespaces, which end with relaylab.
     * A FIFO of this container's own (its only writer relaylab, never a
     * child), read by its PID 1: the end of the read is relaylab's. One
     * per container, so that an MTA can end only itself by writing it.
     */
    if (service && lifeline(inst, vols[nv++], sizeof(vols[0]), err) < 0)
        return -1;
    for (i = 0; i < (size_t)nv; i++)
        args[n++] = vols[i];
    args[n++] = (char *)t->image;
    /*
     * A PID 1 that ends the MTA on SIGTERM (which the engine's client
     * passes on): the kernel gives PID 1 no signal it has no handler
     * for, and Postfix's master and Exim's daemon, which end by the
     * default action, would ignore it there.
     */
    args[n++] = "/bin/sh";
    args[n++] = "-c";
    /*
     * The lifeline is opened before the MTA starts: opening a FIFO waits
     * for a writer, so a container that a service starts after relaylab
     * is gone (its request outlived it) never starts its MTA.
     */
    args[n++] = service ? "exec 3< " LIFELINE_PATH "; trap 'kill -KILL $p' TERM; \"$@\" 3<&- & "
                          "p=$!; { read -r x <&3; kill -KILL $p; } & wait $p"
                        : "trap 'kill -KILL $p' TERM; \"$@\" & p=$!; wait $p";
    args[n++] = "relaylab-init";
    for (i = 0; argv[i] && n < SPAWN_ARGS_MAX - 1; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    if (argv[i] != NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, E2BIG, "too many arguments");
    return mta_proc_spawn_env(&inst->proc, args, mta_target_engine_env(), MTA_PROC_OWN_PROC,
                              log_path, NULL, err);
}

/* mta_driver_spawn - see mta_driver.h */

int mta_driver_spawn(struct mta_instance *inst, char *const argv[], const char *log_path,
                     struct smtp_error *err)
{
    struct mta_contain jail;
    const struct mta_contain *c;

    if (inst->target && inst->target->runtime == MTA_RUNTIME_CONTAINER)
        return spawn_container(inst, argv, log_path, err);
    c = mta_driver_contain(inst, &jail);
    if (c != NULL && inst->target && inst->target->rootfs[0])
        jail.rootfs = inst->target->rootfs;
    else if (inst->target && inst->target->rootfs[0])
        return smtp_error_set(err, SMTP_ERR_INTERNAL, EPERM,
                              "a release's root file system needs root (containment)");
    return mta_proc_spawn(&inst->proc, argv, log_path, c, err);
}

/* mta_driver_unspawn - see mta_driver.h */

void mta_driver_unspawn(struct mta_instance *inst)
{
    char *argv[] = {(char *)(inst->target ? inst->target->engine : ""), "rm", "-f", inst->container,
                    NULL};
    char out[1024];
    struct smtp_error err;
    long deadline = mta_env_now_ms() + 5000;

    if (!inst->container[0])
        return;
    if (inst->lifeline_fd > 0) {
        close(inst->lifeline_fd); /* the container reads its end: it ends too */
        inst->lifeline_fd = 0;
    }
    /*
     * The engine's client passes SIGTERM on to the container (its signal
     * proxy): the MTA ends, the engine removes the container (--rm) in
     * the mount namespace that mounted it, and the client ends. Only a
     * container that does not go in time is removed by force.
     */
    if (mta_proc_alive(&inst->proc))
        kill(inst->proc.pid, SIGTERM);
    while (mta_proc_alive(&inst->proc) && mta_env_now_ms() < deadline) {
        struct timespec ts = {0, 5000000};

        nanosleep(&ts, NULL);
    }
    if (mta_proc_alive(&inst->proc)) {
        smtp_error_clear(&err);
        (void)mta_proc_capture(argv, mta_target_engine_env(), MTA_PROC_OWN_PROC, out, sizeof(out),
                               60000, &err);
    }
    inst->container[0] = 0;
    if (inst->lifeline[0])
        (void)unlink(inst->lifeline);
    inst->lifeline[0] = 0;
}

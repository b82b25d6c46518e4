/*++
 * NAME
 *	mta 3
 * SUMMARY
 *	one sandboxed MTA instance: Postfix (with Dovecot SASL) or Exim
 * DESCRIPTION
 *	See mta.h. The common part: a run directory, an address, TLS
 *	certificates, the capture sink, the wait for banners, and stop;
 *	what differs per MTA comes from its driver, found in drivers[]
 *	by kind (mta_driver.h).
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mta.h"
#include "mta_driver.h"
#include "mta_target.h"
#include "rmtree.h"
#include "smtp_tls.h"

#define MTA_FILE_MAX MTA_RENDER_FILE_MAX
#define MTA_READY_TIMEOUT_MS 10000

/*
 * The drivers, by kind: the one place that names them. A third MTA is
 * its file, its kind in mta.h and one line here (see mta.h).
 */
extern const struct mta_driver mta_postfix_driver;
extern const struct mta_driver mta_exim_driver;

static const struct mta_driver *const drivers[] = {
    [MTA_POSTFIX] = &mta_postfix_driver,
    [MTA_EXIM] = &mta_exim_driver,
};

_Static_assert(sizeof(drivers) / sizeof(drivers[0]) == MTA_KINDS, "a driver for every kind");

/* driver - the driver of a kind, or NULL */

static const struct mta_driver *driver(enum mta_kind kind)
{
    return (unsigned)kind < MTA_KINDS ? drivers[kind] : NULL;
}

void mta_spec_init(struct mta_spec *spec, enum mta_kind kind)
{
    memset(spec, 0, sizeof(*spec));
    spec->kind = kind;
}

/* mta_kind_name - its driver's name */

const char *mta_kind_name(enum mta_kind kind)
{
    return driver(kind) ? driver(kind)->name : "?";
}

/* mta_kind_config_name - its driver's config file name */

const char *mta_kind_config_name(enum mta_kind kind)
{
    return driver(kind) ? driver(kind)->config_name : "config";
}

/* mta_kind_parse - the kind whose driver has this name */

int mta_kind_parse(const char *name, enum mta_kind *kind)
{
    int k;

    for (k = 0; k < MTA_KINDS; k++)
        if (strcmp(name, drivers[k]->name) == 0) {
            *kind = (enum mta_kind)k;
            return 0;
        }
    return -1;
}

/* mta_read_file - a file the user named */

char *mta_read_file(const char *path, struct smtp_error *err)
{
    return mta_render_read(path, MTA_RENDER_USER_FILE, err);
}

/* mta_refused_setting - see mta.h */

const char *mta_refused_setting(enum mta_kind kind, const char *set, char *why, size_t size)
{
    if (driver(kind) == NULL) {
        snprintf(why, size, "no MTA of kind %d", (int)kind);
        return why;
    }
    return mta_driver_refused_setting(driver(kind), set, why, size);
}

/* mta_refused_acl - see mta.h */

const char *mta_refused_acl(const char *text, char *why, size_t size, int *line)
{
    const char *p = text;

    for (*line = 1; *p; (*line)++) {
        const char *q = p + strspn(p, " \t");
        const char *nl = strchr(p, '\n');
        const char *c;

        /*
         * Exim skips every isspace() byte before a directive (\v, \f, \r
         * too): no control byte at all but tab and the line end.
         */
        for (c = p; *c && *c != '\n'; c++)
            if ((unsigned char)*c < 0x20 && *c != '\t') {
                snprintf(why, size, "a control byte (0x%02x) in an ACL", (unsigned char)*c);
                return why;
            }
        if (*q == '.') {
            snprintf(why, size, "a dot directive ('%.*s') in an ACL: it would run as root at start",
                     (int)strcspn(q, " \t\r\n"), q);
            return why;
        }
        if (strncmp(q, "begin", 5) == 0 && (q[5] == ' ' || q[5] == '\t')) {
            snprintf(why, size, "'begin' in an ACL: the ACL is one section's body");
            return why;
        }
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return NULL;
}

/* mta_refused_service - see mta.h: services are master.cf lines, Postfix's */

const char *mta_refused_service(const char *line, char *why, size_t size)
{
    return drivers[MTA_POSTFIX]->refused_service(line, why, size);
}

/* mta_instance_read - see mta.h */

char *mta_instance_read(const struct mta_instance *inst, const char *path, long offset,
                        struct smtp_error *err)
{
    int fd = mta_contain_open(inst->dir, path);
    char *text;
    size_t used = 0;

    if (fd < 0) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    if ((text = malloc(MTA_FILE_MAX + 1)) == NULL) {
        close(fd);
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    {
        struct stat st;
        off_t from = offset > 0 ? (off_t)offset : 0;
        ssize_t n;

        /*
         * The newest MTA_FILE_MAX bytes at most, read once: a log can be
         * made to grow without bound (or sparse, 1 PB long) by the MTA.
         * Shorter than it was (truncated): from the start.
         */
        if (fstat(fd, &st) < 0)
            st.st_size = 0;
        if (from > st.st_size)
            from = 0;
        if (st.st_size - from > MTA_FILE_MAX)
            from = st.st_size - MTA_FILE_MAX;
        while (used < MTA_FILE_MAX &&
               (n = pread(fd, text + used, MTA_FILE_MAX - used, from + (off_t)used)) > 0)
            used += (size_t)n;
    }
    close(fd);
    text[used] = 0;
    return text;
}

/* mta_instance_file_size - see mta.h */

long mta_instance_file_size(const struct mta_instance *inst, const char *path)
{
    int fd = mta_contain_open(inst->dir, path);
    struct stat st;
    long size = 0;

    if (fd >= 0 && fstat(fd, &st) == 0)
        size = (long)st.st_size;
    if (fd >= 0)
        close(fd);
    return size;
}

int mta_listener_port(const struct mta_instance *inst, const char *name)
{
    size_t i;

    for (i = 0; i < inst->nlisteners; i++)
        if (strcmp(inst->listeners[i].name, name) == 0)
            return inst->listeners[i].port;
    return -1;
}

/* someone_listens - 1 if addr:port accepts a TCP connection now */

static int someone_listens(const char *addr, int port)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int yes;

    if (fd < 0)
        return 0;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    yes = inet_pton(AF_INET, addr, &sin.sin_addr) == 1 &&
          connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
    close(fd);
    return yes;
}

/* check_spec - what the spec adds, refused before anything starts */

static int check_spec(const struct mta_driver *d, const struct mta_spec *spec,
                      struct smtp_error *err)
{
    char why[200];
    size_t i;

    for (i = 0; i < spec->nsets; i++)
        if (mta_driver_refused_setting(d, spec->sets[i], why, sizeof(why)))
            return smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s", why);
    for (i = 0; d->refused_service && i < spec->nservices; i++)
        if (d->refused_service(spec->services[i], why, sizeof(why)))
            return smtp_error_set(err, SMTP_ERR_USAGE, 0, "service '%.60s': %s", spec->services[i],
                                  why);
    return 0;
}

/* mta_start - render, start, wait for every banner */

struct mta_instance *mta_start(struct mta_env *env, const struct mta_spec *spec,
                               struct smtp_error *err)
{
    const struct mta_driver *d = driver(spec->kind);
    struct mta_instance *inst;
    long t0 = mta_env_now_ms();

    if (d == NULL) {
        smtp_error_set(err, SMTP_ERR_USAGE, 0, "no MTA of kind %d", (int)spec->kind);
        return NULL;
    }
    if (check_spec(d, spec, err) < 0)
        return NULL;
    if ((inst = calloc(1, sizeof(*inst))) == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    inst->kind = spec->kind;
    inst->env = env;
    inst->target = spec->target;
    inst->sink_port = MTA_SINK_PORT;
    snprintf(inst->sink_port_text, sizeof(inst->sink_port_text), "%d", inst->sink_port);
    if (mta_env_subdir(env, d->name, inst->dir, sizeof(inst->dir), err) < 0 ||
        mta_env_host_addr(env, inst->addr, sizeof(inst->addr), inst->addr6, sizeof(inst->addr6),
                          err) < 0 ||
        mta_env_addr(env, inst->sink_addr, sizeof(inst->sink_addr), err) < 0)
        goto fail;
    /*
     * Dovecot first: it takes longest to come up, and Postfix's smtpd
     * asks it before its banner. Certificates, sink and config render
     * meanwhile.
     */
    if (d->uses_dovecot(spec) && mta_driver_dovecot(inst, err) == NULL)
        goto fail;
    snprintf(inst->tls_dir, sizeof(inst->tls_dir), "%s/tls", inst->dir);
    snprintf(inst->sink_dir, sizeof(inst->sink_dir), "%s/sink", inst->dir);
    snprintf(inst->ca_path, sizeof(inst->ca_path), "%s/ca.pem", inst->tls_dir);
    snprintf(inst->config_path, sizeof(inst->config_path), "%s/%s", inst->dir, d->config_name);
    snprintf(inst->log_path, sizeof(inst->log_path), "%s/%s", inst->dir, d->log_name);
    /* The sink (relaylab itself, as root) is the only one in its directory. */
    if (mkdir(inst->tls_dir, 0755) < 0 || mkdir(inst->sink_dir, 0700) < 0) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "mkdir in %s: %s", inst->dir,
                       strerror(errno));
        goto fail;
    }
    {
        char ips[sizeof(inst->addr) + sizeof(inst->addr6) + 1]; /* both addresses named */

        snprintf(ips, sizeof(ips), "%s%s%s", inst->addr, inst->addr6[0] ? "," : "", inst->addr6);
        if (smtp_tls_make_certs(inst->tls_dir, MTA_HOSTNAME, ips, err) < 0)
            goto fail;
    }
    if ((inst->sink = mta_sink_start(inst->sink_addr, inst->sink_port, inst->sink_dir, err)) ==
        NULL)
        goto fail;
    /*
     * Nothing may answer on the instance's address before its MTA does:
     * a process of another instance listening there would pass for it.
     */
    {
        static const int ports[] = {25, 587, 465, 10025};
        size_t i;

        for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
            if (someone_listens(inst->addr, ports[i])) {
                smtp_error_set(err, SMTP_ERR_INTERNAL, 0,
                               "something already listens on %s:%d, before the MTA", inst->addr,
                               ports[i]);
                goto fail;
            }
    }
    if (d->start(inst, spec, err) < 0)
        goto fail;
    /*
     * Ready means the banner was read on the first listener. The master
     * (or Exim's daemon) binds every listener before it serves any, and
     * a probe of the others would only make Postfix spawn an smtpd for
     * each (the integration tests read every listener's banner).
     */
    {
        long deadline = mta_env_now_ms() + MTA_READY_TIMEOUT_MS;

        /* Short tries, so that an MTA that logs a fatal error fails fast. */
        while (mta_env_wait_banner(inst->addr, inst->listeners[0].port, 250, err) < 0) {
            char fatal[8];

            mta_proc_log_tail(inst->dir, inst->log_path, d->log_fatal, fatal, sizeof(fatal));
            if (fatal[0] || !mta_alive(inst) || mta_env_now_ms() > deadline)
                goto failed_start;
        }
    }
    /* The banner was its MTA's only if the MTA is still there (it dies when a bind fails). */
    if (!mta_alive(inst))
        goto failed_start;
    if (inst->dovecot.pid > 0 &&
        mta_env_dovecot_ready(&inst->dovecot, inst->dovecot_socket, err) < 0)
        goto fail;
    inst->start_ms = mta_env_now_ms() - t0;
    return inst;
failed_start : {
    char tail[SMTP_ERROR_MSG_MAX];

    /* The MTA's own words, not a bare timeout. */
    mta_proc_log_tail(inst->dir, inst->log_path, d->log_why, tail, sizeof(tail));
    if (!tail[0])
        mta_proc_log_tail(inst->dir, inst->proc.log_path, NULL, tail, sizeof(tail));
    if (tail[0]) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "%s did not start: %s", d->name, tail);
    } else if (!mta_alive(inst) && WIFEXITED(inst->proc.status)) {
        char hint[SMTP_ERROR_MSG_MAX] = "";

        if (d->exit_hint)
            d->exit_hint(inst, hint, sizeof(hint));
        smtp_error_set(err, SMTP_ERR_INTERNAL, 0,
                       "%s exited with status %d before it answered, without a word in its "
                       "log%s%s",
                       d->name, WEXITSTATUS(inst->proc.status), hint[0] ? "; " : "", hint);
    }
}
fail:
    mta_stop(inst);
    return NULL;
}

const struct mta_env_ids *mta_instance_ids(const struct mta_instance *inst)
{
    return inst->target && inst->target->own_ids ? &inst->target->ids : mta_env_ids(inst->env);
}

const char *mta_instance_exim_bin(const struct mta_instance *inst)
{
    return inst->target && inst->target->release[0] ? MTA_TARGET_EXIM_BIN
                                                    : mta_env_exim_bin(inst->env);
}

int mta_alive(struct mta_instance *inst)
{
    return mta_proc_alive(&inst->proc);
}

void mta_stop(struct mta_instance *inst)
{
    if (inst == NULL)
        return;
    /*
     * Throwaway too: its log and config were read while it ran, and
     * nothing it could still say matters. SIGKILL ends the namespace's
     * init, and with it every process there (a graceful stop cost
     * Exim 15-40 ms per instance).
     */
    mta_driver_unspawn(inst);
    mta_proc_stop(&inst->proc, 0);
    mta_proc_stop(&inst->dovecot, 0); /* throwaway: no graceful shutdown (it takes 6 s) */
    mta_sink_stop(inst->sink);
    /*
     * Its directory goes now, not with the run's: a --fresh run of
     * thousands of cells would otherwise fill the run's tmpfs with the
     * spools of instances long gone (and a full spool makes MTAs answer
     * 452). Kept runs keep it.
     */
    if (mta_env_kept_dir(inst->env) == NULL && inst->dir[0])
        rmtree(inst->dir);
    free(inst);
}

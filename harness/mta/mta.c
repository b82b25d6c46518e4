/*++
 * NAME
 *	mta 3
 * SUMMARY
 *	one sandboxed MTA instance: Postfix (with Dovecot SASL) or Exim
 * DESCRIPTION
 *	See mta.h. The common part: a run directory, an address, TLS
 *	certificates, the capture sink, the wait for banners, and stop.
 *--*/
#include <errno.h>
#include <stdarg.h>
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
#include "smtp_tls.h"

#define MTA_FILE_MAX MTA_RENDER_FILE_MAX
#define MTA_READY_TIMEOUT_MS 10000

void mta_spec_init(struct mta_spec *spec, enum mta_kind kind)
{
    memset(spec, 0, sizeof(*spec));
    spec->kind = kind;
}

const char *mta_kind_name(enum mta_kind kind)
{
    return kind == MTA_EXIM ? "exim" : "postfix";
}

int mta_kind_parse(const char *name, enum mta_kind *kind)
{
    if (strcmp(name, "postfix") == 0)
        *kind = MTA_POSTFIX;
    else if (strcmp(name, "exim") == 0)
        *kind = MTA_EXIM;
    else
        return -1;
    return 0;
}

void mta_add_rewrite(struct mta_instance *inst, const char *fmt, ...)
{
    va_list ap;

    if (inst->nrewrites == MTA_REWRITES_MAX)
        return;
    va_start(ap, fmt);
    vsnprintf(inst->rewrites[inst->nrewrites++], sizeof(inst->rewrites[0]), fmt, ap);
    va_end(ap);
}

/* mta_read_file - a user's file: what it names is the user's to fix */

char *mta_read_file(const char *path, struct smtp_error *err)
{
    char *text = mta_render_read(path, NULL, err);

    if (text == NULL && err)
        err->cls = SMTP_ERR_USAGE;
    return text;
}

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

/*
 * names_a_file - why a Postfix value names a host file, or NULL. smtpd
 * opens its tables (cidr:, pcre:, texthash:, a bare /file in mynetworks
 * and the like) as root, before it drops privileges, and logs their bad
 * lines: a root-only host file would reach the results through the
 * maillog. A setting may name no file: "/path", "type:/path",
 * "type:$dir/path", "$dir/path". Addresses (127.0.0.0/8, [::1]/128) and
 * text ("Postfix (Debian/GNU)") are not files.
 */
static const char *names_a_file(const char *name, const char *value, char *why, size_t size)
{
    const char *p = value;

    while (*p) {
        size_t len;
        const char *colon;

        p += strspn(p, " \t,");
        len = strcspn(p, " \t,");
        if (len == 0)
            break;
        colon = memchr(p, ':', len);
        /* A table type is letters: "cidr:", not an IPv6 address's "::1". */
        if (colon && colon > p && (size_t)(colon - p) == strspn(p, "abcdefghijklmnopqrstuvwxyz_") &&
            (colon[1] == '/' || colon[1] == '$'))
            break;
        if (p[0] == '/' || (p[0] == '$' && memchr(p, '/', len)))
            break;
        p += len;
    }
    if (*p == 0 || strcspn(p, " \t,") == 0)
        return NULL;
    snprintf(why, size, "%s names a file ('%.*s'): a setting may not (host files are read as root)",
             name, (int)strcspn(p, " \t,"), p);
    return why;
}

/* mta_refused_setting - see mta.h */

const char *mta_refused_setting(enum mta_kind kind, const char *set, char *why, size_t size)
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
        snprintf(why, size, "'%s' is not a %s name", name,
                 kind == MTA_EXIM ? "macro" : "parameter");
        return why;
    }
    if (kind == MTA_EXIM) {
        /* Exim macros start upper-case; a lower-case name would replace an option line. */
        if (name[0] < 'A' || name[0] > 'Z') {
            snprintf(why, size, "'%s' is not an Exim macro (NAME starts with A-Z)", name);
            return why;
        }
        return NULL;
    }
    if (mta_postfix_owned(name)) {
        snprintf(why, size, "%s is the sandbox's own (%s): it cannot be set", name,
                 mta_postfix_owned(name));
        return why;
    }
    return names_a_file(name, strchr(set, '=') + 1, why, size);
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

/* next_word - [*start, *len) of the next word of a master.cf line; "{ ... }" is one word */

static int next_word(const char **p, const char **start, size_t *len)
{
    const char *q = *p + strspn(*p, " \t\r\n");

    if (*q == 0)
        return 0;
    *start = q;
    if (*q == '{') {
        const char *close = strchr(q, '}');

        q = close ? close + 1 : q + strlen(q);
    } else {
        q += strcspn(q, " \t\r\n");
    }
    *len = (size_t)(q - *start);
    *p = q;
    return 1;
}

/* check_o - one -o value ("name=value" or "{ name = value }") */

static const char *check_o(const char *arg, size_t len, char *why, size_t size)
{
    char set[512];

    if (len && arg[0] == '{') { /* Postfix 3.0: -o { name = value } */
        arg++;
        len -= len > 1 && arg[len - 2] == '}' ? 2 : 1;
    }
    snprintf(set, sizeof(set), "%.*s", (int)len, arg);
    return mta_refused_setting(MTA_POSTFIX, set, why, size);
}

/*
 * mta_refused_service - a master.cf entry as a scenario gives it: its
 * command must be a program of daemon_directory (no '/': no
 * "../../tmp/x" run as root), and its -o overrides are checked like
 * settings, in every spelling the daemons' getopt(3) takes: "-o n=v",
 * "-on=v", bundled "-vo n=v", and "-o { n = v }".
 */
const char *mta_refused_service(const char *line, char *why, size_t size)
{
    const char *p = line;
    const char *w;
    size_t len;
    int field = 0;

    while (next_word(&p, &w, &len)) {
        size_t j;
        int takes_o;

        if (++field == 8 && memchr(w, '/', len) != NULL) {
            snprintf(why, size, "the command '%.*s' is not a name in daemon_directory", (int)len,
                     w);
            return why;
        }
        /* Postfix strips the braces of an argument: {-on=v} is -on=v to the daemon. */
        if (field > 8 && w[0] == '{') {
            snprintf(why, size, "a braced argument '%.*s' (only an -o value may be braced)",
                     (int)len, w);
            return why;
        }
        if (field <= 8 || len < 2 || w[0] != '-' || w[1] == '-')
            continue;
        /* Bundled flags: the first that takes a value ends the word. */
        for (j = 1; j < len && w[j] != 'o' && w[j] != 'n' && w[j] != 't'; j++)
            ;
        if (j == len)
            continue;
        takes_o = w[j] == 'o';
        if (j + 1 < len) { /* the value is attached: -on=v, -nname */
            if (takes_o && check_o(w + j + 1, len - j - 1, why, size))
                return why;
            continue;
        }
        if (!next_word(&p, &w, &len)) /* the value is the next word */
            break;
        if (takes_o && check_o(w, len, why, size))
            return why;
    }
    return NULL;
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

void mta_instance_vars(const struct mta_instance *inst, const char *dovecot_socket,
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

unsigned mta_listen_bit(int port)
{
    return port == 25    ? MTA_LISTEN_SMTP
           : port == 587 ? MTA_LISTEN_SUBMISSION
           : port == 465 ? MTA_LISTEN_SMTPS
                         : 0;
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

/* mta_start - render, start, wait for every banner */

struct mta_instance *mta_start(struct mta_env *env, const struct mta_spec *spec,
                               struct smtp_error *err)
{
    struct mta_instance *inst = calloc(1, sizeof(*inst));
    long t0 = mta_env_now_ms();
    int rc;

    if (inst == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    inst->kind = spec->kind;
    inst->env = env;
    inst->sink_port = MTA_SINK_PORT;
    snprintf(inst->sink_port_text, sizeof(inst->sink_port_text), "%d", inst->sink_port);
    if (mta_env_subdir(env, mta_kind_name(spec->kind), inst->dir, sizeof(inst->dir), err) < 0 ||
        mta_env_addr(env, inst->addr, sizeof(inst->addr), err) < 0 ||
        mta_env_addr(env, inst->sink_addr, sizeof(inst->sink_addr), err) < 0)
        goto fail;
    /*
     * Dovecot first: it takes longest to come up, and Postfix's smtpd
     * asks it before its banner. Certificates, sink and config render
     * meanwhile.
     */
    if (((spec->kind == MTA_POSTFIX && !spec->no_sasl) ||
         (spec->kind == MTA_EXIM && !spec->exim_plaintext_auth)) &&
        mta_dovecot(inst, err) == NULL)
        goto fail;
    snprintf(inst->tls_dir, sizeof(inst->tls_dir), "%s/tls", inst->dir);
    snprintf(inst->sink_dir, sizeof(inst->sink_dir), "%s/sink", inst->dir);
    snprintf(inst->ca_path, sizeof(inst->ca_path), "%s/ca.pem", inst->tls_dir);
    /* The sink (relaylab itself, as root) is the only one in its directory. */
    if (mkdir(inst->tls_dir, 0755) < 0 || mkdir(inst->sink_dir, 0700) < 0) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "mkdir in %s: %s", inst->dir,
                       strerror(errno));
        goto fail;
    }
    if (smtp_tls_make_certs(inst->tls_dir, MTA_HOSTNAME, inst->addr, err) < 0)
        goto fail;
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
    rc = spec->kind == MTA_EXIM ? mta_exim_start(inst, spec, err)
                                : mta_postfix_start(inst, spec, err);
    if (rc < 0)
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

            mta_proc_log_tail(inst->dir, inst->log_path,
                              inst->kind == MTA_EXIM ? "panic" : "fatal:", fatal, sizeof(fatal));
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
    mta_proc_log_tail(inst->dir, inst->log_path, inst->kind == MTA_EXIM ? NULL : "fatal:", tail,
                      sizeof(tail));
    if (!tail[0])
        mta_proc_log_tail(inst->dir, inst->proc.log_path, NULL, tail, sizeof(tail));
    if (tail[0])
        smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "%s did not start: %s", mta_kind_name(inst->kind),
                       tail);
    else if (!mta_alive(inst) && WIFEXITED(inst->proc.status))
        /* Postfix's master reports its earliest errors to syslog only. */
        smtp_error_set(err, SMTP_ERR_INTERNAL, 0,
                       "%s exited with status %d before it answered, without a word in its "
                       "log; Postfix reports such errors to syslog only: check %s with "
                       "'postconf -c %.*s -n' and the files it names",
                       mta_kind_name(inst->kind), WEXITSTATUS(inst->proc.status), inst->config_path,
                       (int)(strrchr(inst->config_path, '/') - inst->config_path),
                       inst->config_path);
}
fail:
    mta_stop(inst);
    return NULL;
}

const char *mta_dovecot(struct mta_instance *inst, struct smtp_error *err)
{
    char dir[340];

    const char *shared = mta_env_shared_dovecot(inst->env);

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

/* mta_instance_contain - how the instance's MTA process is contained */

const struct mta_contain *mta_instance_contain(const struct mta_instance *inst,
                                               struct mta_contain *buf)
{
    if (mta_env_contain(inst->env, inst->dir, buf) == NULL)
        return NULL;
    buf->readonly[0] = inst->sink_dir;
    buf->readonly[1] = inst->tls_dir;
    return buf;
}

int mta_alive(struct mta_instance *inst)
{
    return mta_proc_alive(&inst->proc);
}

void mta_stop(struct mta_instance *inst)
{
    if (inst == NULL)
        return;
    mta_proc_stop(&inst->proc, 200);
    mta_proc_stop(&inst->dovecot, 0); /* throwaway: no graceful shutdown (it takes 6 s) */
    mta_sink_stop(inst->sink);
    free(inst);
}

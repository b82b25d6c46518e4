/*++
 * NAME
 *	mta_postfix 3
 * SUMMARY
 *	Postfix driver: queue tree, main.cf, master.cf, master -s
 * DESCRIPTION
 *	The queue tree is made directly (owners and modes as
 *	postfix-files has them): "postfix check" costs about 2 s and can
 *	fail on a machine without /etc/postfix/main.cf. The master runs
 *	as "master -c DIR -s", a foreground child. SASL is the run's
 *	shared Dovecot, through an absolute smtpd_sasl_path.
 *
 *	A user's own main.cf is kept except for the parameters in
 *	forced[] (paths, listeners, next hop and the maps that could pick
 *	another, SASL socket, certificates, no DNS), and an unset
 *	mynetworks made explicit (mta_postfixconf.h says why); the other
 *	files of its directory (tables it names through
 *	$config_directory) are copied into the instance directory, which is
 *	config_directory. Its master.cf is kept except that inet listeners
 *	move to the instance address, chroot is turned off, and -o
 *	overrides of the sandbox's parameters go. Every change is listed
 *	with mta_driver_rewrite().
 *
 *	Exports mta_postfix_driver only (mta_driver.h).
 *--*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mta_driver.h"
#include "mta_postfixconf.h"
#include "mta_render.h"
#include "number.h"

#define POSTFIX_MASTER "/usr/lib/postfix/sbin/master"

extern const struct mta_driver mta_postfix_driver; /* at the end of this file */

/* make_dir - mkdir with owner and mode */

static int make_dir(const char *path, uid_t uid, gid_t gid, mode_t mode, struct smtp_error *err)
{
    if ((mkdir(path, mode) < 0 && errno != EEXIST) || chown(path, uid, gid) < 0 ||
        chmod(path, mode) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make %s: %s", path,
                              strerror(errno));
    return 0;
}

/* make_queue - the queue and data directories */

static int make_queue(const struct mta_env_ids *ids, const char *run_dir, struct smtp_error *err)
{
    static const char *const private_dirs[] = {"active",   "bounce", "corrupt", "defer",
                                               "deferred", "flush",  "hold",    "incoming",
                                               "private",  "saved",  "trace"};
    char path[512];
    size_t i;

    if (!ids->have_postfix)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0,
                              "no postfix user or postdrop group: run scripts/setup");
    snprintf(path, sizeof(path), "%s/queue", run_dir);
    if (make_dir(path, 0, 0, 0755, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/queue/pid", run_dir);
    if (make_dir(path, 0, 0, 0755, err) < 0)
        return -1;
    for (i = 0; i < sizeof(private_dirs) / sizeof(private_dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/queue/%s", run_dir, private_dirs[i]);
        if (make_dir(path, (uid_t)ids->postfix_uid, 0, 0700, err) < 0)
            return -1;
    }
    snprintf(path, sizeof(path), "%s/queue/maildrop", run_dir);
    if (make_dir(path, (uid_t)ids->postfix_uid, (gid_t)ids->postdrop_gid, 0730, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/queue/public", run_dir);
    if (make_dir(path, (uid_t)ids->postfix_uid, (gid_t)ids->postdrop_gid, 0710, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/data", run_dir);
    return make_dir(path, (uid_t)ids->postfix_uid, 0, 0700, err);
}

/* split_set - "key=value" into key and value */

static int split_set(const char *set, char *key, size_t size, const char **value,
                     struct smtp_error *err)
{
    const char *eq = strchr(set, '=');
    size_t klen;

    if (eq == NULL || eq == set)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "setting '%s' is not key=value", set);
    klen = (size_t)(eq - set);
    while (klen > 0 && (set[klen - 1] == ' ' || set[klen - 1] == '\t'))
        klen--;
    if (klen >= size)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "setting name too long in '%s'", set);
    if (strspn(set, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != klen)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "setting name '%.*s' is not a parameter name",
                              (int)klen, set);
    memcpy(key, set, klen);
    key[klen] = 0;
    *value = eq + 1;
    while (**value == ' ' || **value == '\t')
        (*value)++;
    return 0;
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

/* refused_setting - a parameter the sandbox owns, or a value that names a file: why, or NULL */

static const char *refused_setting(const char *name, const char *value, char *why, size_t size)
{
    const char *owned = mta_postfixconf_owned(name);

    if (owned) {
        snprintf(why, size, "%s is the sandbox's own (%s): it cannot be set", name, owned);
        return why;
    }
    return names_a_file(name, value, why, size);
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
    return mta_driver_refused_setting(&mta_postfix_driver, set, why, size);
}

/*
 * refused_service - a master.cf entry as a scenario gives it: its
 * command must be a program of daemon_directory (no '/': no
 * "../../tmp/x" run as root), and its -o overrides are checked like
 * settings, in every spelling the daemons' getopt(3) takes: "-o n=v",
 * "-on=v", bundled "-vo n=v", and "-o { n = v }".
 */
static const char *refused_service(const char *line, char *why, size_t size)
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

/* force_one - key = value in *cf, listed as a rewrite when it changed one */

static int force_one(struct mta_instance *inst, char **cf, const char *key, const char *value,
                     int user, struct smtp_error *err)
{
    char old[512];
    int had = mta_render_param_get(*cf, key, old, sizeof(old)) == 0;

    if (had && strcmp(old, value) == 0)
        return 0;
    if (mta_render_param(cf, key, value, err) < 0)
        return -1;
    if (user)
        mta_driver_rewrite(inst, "main.cf: %s = %s%s%.80s%s", key, value, had ? " (was: " : "",
                           had ? old : "", had ? ")" : "");
    return 0;
}

/*
 * force_params - the sandbox's own values (mta_postfixconf_owned), applied after the
 * scenario's and the user's; and, in a user's main.cf, the defaults a
 * fast, quiet test wants (a scenario may still set those).
 */
static int force_params(struct mta_instance *inst, char **cf, const char *dovecot, int user,
                        int defaults, struct smtp_error *err)
{
    char sink[64];
    char smtp_sink[80];
    char queue[400];
    char data[400];
    char cert[400];
    char key[400];
    const char *forced[][2] = {
        {"queue_directory", queue},
        {"data_directory", data},
        {"command_directory", "/usr/sbin"},
        {"daemon_directory", "/usr/lib/postfix/sbin"},
        {"shlib_directory", "/usr/lib/postfix"},
        {"meta_directory", "/etc/postfix"},
        {"mail_owner", "postfix"},
        {"setgid_group", "postdrop"},
        {"process_id_directory", "pid"},
        {"inet_interfaces", "loopback-only"}, /* master.cf names each listener's address */
        {"inet_protocols", inst->addr6[0] ? "ipv4, ipv6" : "ipv4"},
        {"relayhost", sink},
        {"relay_transport", "smtp"},
        {"default_transport", "smtp"},
        {"local_transport", smtp_sink},
        {"virtual_transport", smtp_sink},
        {"smtp_tls_security_level", "none"},
        {"maillog_file", inst->log_path},
        {"maillog_file_prefixes", inst->dir},
        {"smtpd_tls_cert_file", cert},
        {"smtpd_tls_key_file", key},
        {"smtpd_tls_chain_files", ""},
        {"smtpd_tls_eccert_file", ""},
        {"smtpd_tls_eckey_file", ""},
        {"smtpd_tls_dcert_file", ""},
        {"smtpd_tls_dkey_file", ""},
        {"smtp_fallback_relay", ""},
        {"smtpd_sasl_type", "dovecot"},
        {"smtpd_sasl_path", dovecot ? dovecot : ""},
        {"smtp_dns_support_level", "disabled"},
        {"smtp_host_lookup", "native"},
        {"disable_dns_lookups", "yes"},
        {"smtpd_peername_lookup", "no"},
        {"transport_maps", ""},
        {"sender_dependent_relayhost_maps", ""},
        {"sender_dependent_default_transport_maps", ""},
    };
    const char *quick[][2] = {
        {"alias_maps", ""},
        {"alias_database", ""},
        {"in_flow_delay", "0"},
        {"smtpd_error_sleep_time", "0"},
    };
    size_t i;

    if (defaults) {
        for (i = 0; i < sizeof(quick) / sizeof(quick[0]); i++)
            if (force_one(inst, cf, quick[i][0], quick[i][1], user, err) < 0)
                return -1;
        return 0;
    }
    /*
     * myorigin may name a file (Debian: /etc/mailname). If it is not on
     * this machine, master dies at once and says so only to syslog.
     */
    {
        char origin[512];

        if (mta_render_param_get(*cf, "myorigin", origin, sizeof(origin)) == 0 &&
            origin[0] == '/' && access(origin, R_OK) < 0) {
            if (mta_render_param(cf, "myorigin", "$myhostname", err) < 0)
                return -1;
            mta_driver_rewrite(inst, "main.cf: myorigin = $myhostname (was: %s, not readable here)",
                               origin);
        }
    }
    snprintf(sink, sizeof(sink), "[%s]:%d", inst->sink_addr, inst->sink_port);
    snprintf(smtp_sink, sizeof(smtp_sink), "smtp:%s", sink);
    snprintf(queue, sizeof(queue), "%s/queue", inst->dir);
    snprintf(data, sizeof(data), "%s/data", inst->dir);
    snprintf(cert, sizeof(cert), "%s/tls/cert.pem", inst->dir);
    snprintf(key, sizeof(key), "%s/tls/key.pem", inst->dir);
    for (i = 0; i < sizeof(forced) / sizeof(forced[0]); i++) {
        char old[512];
        int had = mta_render_param_get(*cf, forced[i][0], old, sizeof(old)) == 0;

        if (dovecot == NULL && strncmp(forced[i][0], "smtpd_sasl_", 11) == 0)
            continue;
        /* An empty or absent certificate option is the same to Postfix. */
        if (!had && forced[i][1][0] == 0)
            continue;
        if (force_one(inst, cf, forced[i][0], forced[i][1], user, err) < 0)
            return -1;
    }
    return 0;
}

/* listener_port - the port of a master.cf service name, 0 if not inet-by-port */

static int service_port(const char *name, size_t len)
{
    static const struct {
        const char *name;
        int port;
    } known[] = {{"smtp", 25}, {"submission", 587}, {"smtps", 465}, {"submissions", 465}};
    const char *colon = memchr(name, ':', len);
    size_t i;

    if (colon) {
        len -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i].name) == len && strncmp(known[i].name, name, len) == 0)
            return known[i].port;
    if (len > 0 && len < 6) {
        char digits[6];
        long long port;

        memcpy(digits, name, len);
        digits[len] = 0;
        if (number_parse(digits, 1, 65535, &port) == 0)
            return (int)port;
    }
    return 0;
}

/*
 * service_body_end - past a service's last -o line, body being the line
 * after the service's own. master.cf(5): a line that starts with white
 * space continues the service; comment and empty lines between do not
 * end it. Comments after its last continuation line are not its.
 */
static const char *service_body_end(const char *body)
{
    const char *p = body, *last = body;

    while (*p) {
        const char *nl = strchr(p, '\n');
        const char *next = nl ? nl + 1 : p + strlen(p);
        size_t k = 0;

        while (p + k < next && (p[k] == ' ' || p[k] == '\t'))
            k++;
        if (p[k] == '\n' || p[k] == 0 || p[k] == '#') {
            p = next; /* empty, blank or a comment: the service may go on */
            continue;
        }
        if (k == 0)
            break; /* the next service */
        last = p = next;
    }
    return last;
}

/* rewrite_master - inet services onto the instance address; chroot n */

static int rewrite_master(struct mta_instance *inst, const char *in, char **out, int user,
                          unsigned no_listeners, struct smtp_error *err)
{
    size_t cap = strlen(in) * 3 + 8192; /* each inet service may be written twice (IPv6) */
    char *buf = malloc(cap);
    const char *line = in;
    size_t used = 0;

    if (buf == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char fields[8][128];
        int nf = 0;
        size_t i = 0;

        /* service type private unpriv chroot wakeup maxproc command */
        if (len && line[0] != '#' && line[0] != ' ' && line[0] != '\t') {
            while (nf < 8 && i < len) {
                size_t start;

                while (i < len && (line[i] == ' ' || line[i] == '\t'))
                    i++;
                start = i;
                while (i < len && line[i] != ' ' && line[i] != '\t')
                    i++;
                if (i > start)
                    snprintf(fields[nf++], sizeof(fields[0]), "%.*s", (int)(i - start),
                             line + start);
            }
        }
        if (nf >= 8 && strcmp(fields[1], "inet") == 0 &&
            mta_driver_left_out(no_listeners, service_port(fields[0], strlen(fields[0])))) {
            /* Left out on purpose: the service and its -o lines. */
            line = service_body_end(end ? end + 1 : line + len);
            continue;
        } else if (nf >= 8 && strcmp(fields[1], "inet") == 0) {
            int port = service_port(fields[0], strlen(fields[0]));
            char rest[4096];

            snprintf(rest, sizeof(rest), "%.*s", (int)(len - i), line + i);
            if (port == 0) {
                free(buf);
                return smtp_error_set(err, SMTP_ERR_USAGE, 0,
                                      "master.cf service '%s': cannot tell its port", fields[0]);
            }
            if (inst->nlisteners == MTA_LISTENERS_MAX) {
                free(buf);
                return smtp_error_set(err, SMTP_ERR_USAGE, 0, "more than %d listeners",
                                      MTA_LISTENERS_MAX);
            }
            {
                struct mta_listener *l = &inst->listeners[inst->nlisteners++];
                snprintf(l->name, sizeof(l->name), "%s",
                         port == 25    ? "smtp"
                         : port == 587 ? "submission"
                         : port == 465 ? "smtps"
                                       : fields[0]);
                if (port != 25 && port != 587 && port != 465)
                    snprintf(l->name, sizeof(l->name), "%d", port);
                l->port = port;
                l->implicit_tls = port == 465 || strstr(rest, "smtpd_tls_wrappermode=yes") != NULL;
            }
            if (user && (strcmp(fields[4], "n") != 0 || strchr(fields[0], ':') == NULL))
                mta_driver_rewrite(inst, "master.cf: %s -> %s:%d, chroot n", fields[0], inst->addr,
                                   port);
            used += (size_t)snprintf(buf + used, cap - used, "%s:%d %s %s %s n %s %s %s%s\n",
                                     inst->addr, port, fields[1], fields[2], fields[3], fields[5],
                                     fields[6], fields[7], rest);
            if (inst->addr6[0]) {
                /*
                 * The same service on the instance's IPv6 address: master
                 * binds an explicit address without asking inet_interfaces
                 * (which wants addresses the interfaces list, and the
                 * instance's are not). All its -o lines go with each copy,
                 * comments between them too (they do not end a service).
                 */
                const char *body = end ? end + 1 : line + len;
                const char *bend = service_body_end(body);
                int blen = (int)(bend - body);

                if (used < cap)
                    used += (size_t)snprintf(buf + used, cap - used,
                                             "%.*s[%s]:%d %s %s %s n %s %s %s%s\n%.*s", blen, body,
                                             inst->addr6, port, fields[1], fields[2], fields[3],
                                             fields[5], fields[6], fields[7], rest, blen, body);
                if (used >= cap) {
                    free(buf);
                    return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "master.cf too long");
                }
                line = bend;
                continue;
            }
        } else if (nf >= 8 && strcmp(fields[4], "n") != 0) {
            if (user)
                mta_driver_rewrite(inst, "master.cf: %s: chroot n", fields[0]);
            used += (size_t)snprintf(buf + used, cap - used, "%s %s %s %s n %s %s %s%.*s\n",
                                     fields[0], fields[1], fields[2], fields[3], fields[5],
                                     fields[6], fields[7], (int)(len - i), line + i);
        } else {
            used += (size_t)snprintf(buf + used, cap - used, "%.*s\n", (int)len, line);
        }
        if (used >= cap) {
            free(buf);
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "master.cf too long");
        }
        line = end ? end + 1 : line + len;
    }
    if (strstr(buf, "\npostlog ") == NULL && strncmp(buf, "postlog ", 8) != 0) {
        used += (size_t)snprintf(buf + used, cap - used, "postlog unix-dgram n - n - 1 postlogd\n");
        if (used >= cap) {
            free(buf);
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "master.cf too long");
        }
        if (user)
            mta_driver_rewrite(inst, "master.cf: added the postlog service (for maillog_file)");
    }
    *out = buf;
    return 0;
}

/*
 * The tables of a user's config directory: main.cf names them as
 * "$config_directory/x", and config_directory is the instance's own
 * directory, so they are copied there. Limits: a table, the tables.
 */
#define POSTFIX_TABLE_MAX (4 * 1024 * 1024)
#define POSTFIX_TABLES_MAX 256

/* copy_one - dir/name to the instance directory: a regular file, never through a link */

static int copy_one(struct mta_instance *inst, int dir_fd, const char *dir, const char *name,
                    struct smtp_error *err)
{
    struct stat st;
    char path[700];
    char buf[65536];
    int in, out;
    ssize_t n;
    int rc = -1;

    /* O_NONBLOCK: a FIFO planted here must not hang the sandbox's start. */
    if ((in = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
        return smtp_error_set(err, SMTP_ERR_USAGE, errno, "cannot copy %s/%s: %s", dir, name,
                              errno == ELOOP ? "a symbolic link" : strerror(errno));
    if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(in);
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "cannot copy %s/%s: not a regular file", dir,
                              name);
    }
    if (st.st_size > POSTFIX_TABLE_MAX) {
        close(in);
        return smtp_error_set(err, SMTP_ERR_USAGE, EFBIG, "cannot copy %s/%s: over %d bytes", dir,
                              name, POSTFIX_TABLE_MAX);
    }
    snprintf(path, sizeof(path), "%s/%s", inst->dir, name);
    /* O_EXCL: a name the sandbox uses itself (queue, maillog, tls) is refused, not replaced. */
    if ((out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    st.st_mode & 0644)) < 0) {
        smtp_error_set(err, SMTP_ERR_USAGE, errno, "cannot copy %s/%s to %s: %s", dir, name, path,
                       errno == EEXIST ? "a name the sandbox uses" : strerror(errno));
        close(in);
        return -1;
    }
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n) {
            n = -1;
            break;
        }
    if (n < 0)
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot copy %s/%s: %s", dir, name,
                       strerror(errno));
    else
        rc = 0;
    if (close(out) < 0 && rc == 0)
        rc = smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot copy %s: %s", path,
                            strerror(errno));
    close(in);
    return rc;
}

/*
 * copy_tables - the regular files of the directory of a user's main.cf
 * (not main.cf, master.cf; not links, not directories) into the
 * instance directory; anything else that is not a regular file is
 * refused, by name. Absolute paths in main.cf stay as they are.
 */
static int copy_tables(struct mta_instance *inst, const char *main_cf, struct smtp_error *err)
{
    char dir[512];
    const char *slash = strrchr(main_cf, '/');
    DIR *d;
    struct dirent *e;
    int n = 0;
    int rc = 0;

    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - main_cf) : 1, slash ? main_cf : ".");
    if (slash == main_cf)
        snprintf(dir, sizeof(dir), "/");
    if ((d = opendir(dir)) == NULL)
        return smtp_error_set(err, SMTP_ERR_USAGE, errno, "cannot read %s: %s", dir,
                              strerror(errno));
    while (rc == 0 && (e = readdir(d)) != NULL) {
        struct stat st;

        if (e->d_name[0] == '.' && (e->d_name[1] == 0 || strcmp(e->d_name, "..") == 0))
            continue;
        if (strcmp(e->d_name, "main.cf") == 0 || strcmp(e->d_name, "master.cf") == 0)
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = smtp_error_set(err, SMTP_ERR_USAGE, errno, "cannot copy %s/%s: %s", dir, e->d_name,
                                strerror(errno));
            break;
        }
        if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))
            continue; /* not a table file: neither is copied */
        if (++n > POSTFIX_TABLES_MAX) {
            rc = smtp_error_set(err, SMTP_ERR_USAGE, 0, "%s: more than %d files to copy", dir,
                                POSTFIX_TABLES_MAX);
            break;
        }
        rc = copy_one(inst, dirfd(d), dir, e->d_name, err);
    }
    closedir(d);
    if (rc == 0 && n > 0)
        mta_driver_rewrite(
            inst, "copied %d table files from %s (config_directory is the sandbox's)", n, dir);
    return rc;
}

/* note_rewrite - mta_postfixconf's note: one rewrite of the instance's list */

static void note_rewrite(void *inst, const char *text)
{
    mta_driver_rewrite(inst, "%s", text);
}

/* user_mynetworks - an unset mynetworks in a user's main.cf made what it means on a real machine */

static int user_mynetworks(struct mta_instance *inst, char **main_cf, struct smtp_error *err)
{
    char value[200], style[64];

    if (!mta_postfixconf_mynetworks(*main_cf, inst->addr, value, sizeof(value), style,
                                    sizeof(style)))
        return 0;
    if (mta_render_param(main_cf, "mynetworks", value, err) < 0)
        return -1;
    mta_driver_rewrite(inst,
                       "main.cf: mynetworks = %s (was unset: mynetworks_style %s would trust every "
                       "address of the sandbox, which the client shares)",
                       value, style);
    return 0;
}

/* uses_dovecot - SASL unless the spec turns it off */

static int uses_dovecot(const struct mta_spec *spec)
{
    return !spec->no_sasl && !spec->sasl_down;
}

/* start - render and start */

static int start(struct mta_instance *inst, const struct mta_spec *spec, struct smtp_error *err)
{
    struct mta_vars vars = {0};
    char *main_cf = NULL;
    char *master_in = NULL;
    char *master_cf = NULL;
    const char *dovecot = NULL;
    char path[512];
    char *argv[6];
    size_t i;
    int rc = -1;

    if (geteuid() != 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "Postfix's master must run as root");
    if (uses_dovecot(spec) && (dovecot = mta_driver_dovecot(inst, err)) == NULL)
        return -1;
    /*
     * The guide's cause 5: SASL on, the socket missing. Relative to the
     * queue directory (the instance's), where nothing listens.
     */
    if (spec->sasl_down)
        dovecot = "private/auth";
    if (make_queue(mta_instance_ids(inst), inst->dir, err) < 0)
        return -1;
    if (spec->user_main_cf && copy_tables(inst, spec->user_main_cf, err) < 0)
        return -1;
    mta_driver_vars(inst, dovecot, &vars);

    if (spec->user_main_cf) {
        if ((main_cf = mta_render_read(spec->user_main_cf, MTA_RENDER_USER_FILE, err)) == NULL ||
            force_params(inst, &main_cf, dovecot, 1, 1, err) < 0)
            goto out;
    } else if (mta_render_load(mta_env_template_dir(inst->env), "postfix-main.cf", &vars, &main_cf,
                               err) < 0) {
        goto out;
    }
    /* No SASL: smtpd still wants a non-empty smtpd_sasl_path. */
    if (spec->no_sasl && (mta_render_param(&main_cf, "smtpd_sasl_auth_enable", "no", err) < 0 ||
                          mta_render_param(&main_cf, "smtpd_sasl_path", "private/auth", err) < 0))
        goto out;
    /* The settings were checked (mta_start): here they are applied. */
    for (i = 0; i < spec->nsets; i++) {
        char key[128];
        const char *value = NULL;

        if (split_set(spec->sets[i], key, sizeof(key), &value, err) < 0 ||
            mta_render_param(&main_cf, key, value, err) < 0)
            goto out;
    }
    if (spec->user_main_cf && user_mynetworks(inst, &main_cf, err) < 0)
        goto out;
    /* The sandbox's own settings last: nothing above may move them. */
    if (force_params(inst, &main_cf, dovecot, spec->user_main_cf != NULL, 0, err) < 0)
        goto out;
    if (spec->user_master_cf) {
        char *kept;
        int n;

        if ((master_in = mta_render_read(spec->user_master_cf, MTA_RENDER_USER_FILE, err)) == NULL)
            goto out;
        /* Its -o overrides may not move what main.cf may not. */
        if ((kept = mta_postfixconf_master_o(master_in, note_rewrite, inst, &n, err)) == NULL)
            goto out;
        free(master_in);
        master_in = kept;
    } else if (mta_render_load(mta_env_template_dir(inst->env), "postfix-master.cf", &vars,
                               &master_in, err) < 0) {
        goto out;
    }
    for (i = 0; i < spec->nservices; i++) {
        size_t len = strlen(master_in);
        char *grown = realloc(master_in, len + strlen(spec->services[i]) + 2);

        if (grown == NULL) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
            goto out;
        }
        master_in = grown;
        snprintf(master_in + len, strlen(spec->services[i]) + 2, "%s\n", spec->services[i]);
    }
    if (rewrite_master(inst, master_in, &master_cf, spec->user_master_cf != NULL,
                       spec->no_listeners, err) < 0)
        goto out;
    snprintf(path, sizeof(path), "%s/master.cf", inst->dir);
    if (mta_render_write(inst->config_path, main_cf, 0644, err) < 0 ||
        mta_render_write(path, master_cf, 0644, err) < 0)
        goto out;
    snprintf(path, sizeof(path), "%s/master.out", inst->dir);
    argv[0] = POSTFIX_MASTER;
    argv[1] = "-c";
    argv[2] = inst->dir;
    argv[3] = "-s";
    argv[4] = NULL;
    rc = mta_driver_spawn(inst, argv, path, err);
out:
    free(main_cf);
    free(master_in);
    free(master_cf);
    return rc;
}

/* exit_hint - Postfix's master tells its earliest errors to syslog only */

static void exit_hint(const struct mta_instance *inst, char *buf, size_t size)
{
    const char *slash = strrchr(inst->config_path, '/');

    snprintf(buf, size,
             "Postfix reports such errors to syslog only: check %s with 'postconf -c %.*s -n' "
             "and the files it names",
             inst->config_path, slash ? (int)(slash - inst->config_path) : 0, inst->config_path);
}

const struct mta_driver mta_postfix_driver = {
    .name = "postfix",
    .config_name = "main.cf",
    .log_name = "maillog",
    .setting_kind = "parameter",
    .log_fatal = "fatal:",
    .log_why = "fatal:",
    .uses_dovecot = uses_dovecot,
    .refused_setting = refused_setting,
    .refused_service = refused_service,
    .start = start,
    .exit_hint = exit_hint,
};

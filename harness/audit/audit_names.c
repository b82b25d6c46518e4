/*++
 * NAME
 *	audit_names 3
 * SUMMARY
 *	what a running config calls its own, and whom it trusts
 * DESCRIPTION
 *	See audit_names.h. Postfix's answers come from Postfix's programs,
 *	so its defaults, compatibility levels and $name expansion are its
 *	own; only the matching of a domain list is redone here, by the rules
 *	of postconf(5) (parent_domain_matches_subdomains; ".domain" for
 *	subdomains; "!" negates; /file and type:table items).
 *--*/
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audit_exec.h"
#include "audit_names.h"
#include "mta_env.h"
#include "slurp.h"
#include "smtp_sanitize.h"

#define POSTCONF "/usr/sbin/postconf"
#define ASK_MS 10000
#define TABLE_MAX (1L << 20) /* a table file read for its keys */

/* The Postfix parameters asked, in postconf's order of output. */
enum {
    PF_MYHOSTNAME,
    PF_MYDOMAIN,
    PF_MYDESTINATION,
    PF_RELAY_DOMAINS,
    PF_VIRTUAL_ALIAS_DOMAINS,
    PF_VIRTUAL_MAILBOX_DOMAINS,
    PF_PARENT,
    PF_MYNETWORKS,
    PF_XCLIENT,
    PF_CLIENT_R,
    PF_HELO_R,
    PF_SENDER_R,
    PF_RELAY_R,
    PF_RCPT_R,
    PF_COUNT
};

static const char *const pf_params[PF_COUNT] = {
    "myhostname",
    "mydomain",
    "mydestination",
    "relay_domains",
    "virtual_alias_domains",
    "virtual_mailbox_domains",
    "parent_domain_matches_subdomains",
    "mynetworks",
    "smtpd_authorized_xclient_hosts",
    "smtpd_client_restrictions",
    "smtpd_helo_restrictions",
    "smtpd_sender_restrictions",
    "smtpd_relay_restrictions",
    "smtpd_recipient_restrictions",
};

/* lower - a copy in lower case, without a trailing dot */

static void lower(char *to, size_t size, const char *from, size_t n)
{
    size_t i;

    if (n >= size)
        n = size - 1;
    for (i = 0; i < n; i++)
        to[i] = (char)tolower((unsigned char)from[i]);
    while (i > 0 && to[i - 1] == '.')
        i--;
    to[i] = 0;
}

int audit_names_domain_ok(const char *t)
{
    size_t n = strlen(t);

    if (n == 0 || n >= AUDIT_NAME_MAX)
        return 0;
    if (t[0] == '[')
        return t[n - 1] == ']' && strspn(t + 1, "0123456789abcdefABCDEFIPv6:.") == n - 2;
    return strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == n;
}

/* add_domain - a literal domain of the config, once */

static void add_domain(struct audit_names *n, const char *d, size_t len)
{
    char name[AUDIT_NAME_MAX];
    size_t i;

    while (len && *d == '.')
        d++, len--;
    lower(name, sizeof(name), d, len);
    if (!audit_names_domain_ok(name) || strchr(name, '.') == NULL ||
        n->ndomains == AUDIT_DOMAINS_MAX)
        return;
    for (i = 0; i < n->ndomains; i++)
        if (strcmp(n->domains[i], name) == 0)
            return;
    snprintf(n->domains[n->ndomains++], AUDIT_NAME_MAX, "%s", name);
}

/* line_of - the 1-based line of the first "name =" in a config file, or 0 */

static int line_of(const char *text, const char *name)
{
    size_t len = strlen(name);
    int line = 1;
    const char *p;

    for (p = text; p && *p; line++) {
        const char *q = p + strspn(p, " \t");

        if (p == q && strncmp(q, name, len) == 0 && strchr(" \t=", q[len]) != NULL) {
            q += len + strspn(q + len, " \t");
            if (*q == '=')
                return line;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return 0;
}

/* add_trust - a trusted network, with where it is named */

static void add_trust(struct audit_names *n, const char *item, size_t len, int xclient,
                      const char *fmt, const char *a, int line)
{
    struct audit_trust *t;
    char where[AUDIT_WHERE_MAX];

    if (n->ntrust == AUDIT_TRUST_MAX)
        return;
    t = &n->trust[n->ntrust];
    if (audit_net_parse(item, len, &t->net) < 0) {
        /* Postfix access tables: "1.2.3" is the network 1.2.3.0/24 (access(5)). */
        char prefix[64];
        size_t dots = 0, i;

        for (i = 0; i < len && i < 20; i++)
            dots += item[i] == '.';
        if (len > 20 || len == 0 || dots > 2 || strspn(item, "0123456789.") < len ||
            item[len - 1] == '.')
            return;
        snprintf(prefix, sizeof(prefix), "%.*s%s/%zu", (int)len, item,
                 dots == 0   ? ".0.0.0"
                 : dots == 1 ? ".0.0"
                             : ".0",
                 8 * (dots + 1));
        if (audit_net_parse(prefix, strlen(prefix), &t->net) < 0)
            return;
    }
    t->xclient = xclient;
    snprintf(where, sizeof(where), fmt, a, line);
    snprintf(where + strlen(where), sizeof(where) - strlen(where), " (%.*s)", (int)len, item);
    smtp_sanitize_str(where, t->where, sizeof(t->where));
    n->ntrust++;
}

/* read_small - a table or list file the config names; NULL if not readable */

/*
 * The directories a config's files may be read from (the user's config
 * directory, the instance's copy of it): a hostile config naming /root/x,
 * /dev/watchdog or a FIFO gets nothing read, not a hang.
 */
static __thread const char *read_roots[2];

/* under - 1 if the real path of path is inside root */

static int under(const char *path, const char *root)
{
    char real[4096], rroot[4096];
    size_t n;

    if (root == NULL || realpath(path, real) == NULL || realpath(root, rroot) == NULL)
        return 0;
    n = strlen(rroot);
    return strncmp(real, rroot, n) == 0 && (real[n] == '/' || real[n] == 0);
}

static char *read_small(const char *path)
{
    int fd;
    FILE *fp;
    char *text = NULL;
    size_t len = 0;
    struct stat st;

    if (!under(path, read_roots[0]) && !under(path, read_roots[1]))
        return NULL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        return NULL; /* a FIFO, a device: never read */
    }
    if (fd < 0 || (fp = fdopen(fd, "r")) == NULL) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    text = slurp_stream(fp, TABLE_MAX, &len);
    fclose(fp);
    if (text) {
        char *z = realloc(text, len + 1);

        if (z == NULL) {
            free(text);
            return NULL;
        }
        z[len] = 0;
        text = z;
    }
    return text;
}

/* next_item - [*p, len) of the next item of a Postfix list (blanks and commas) */

static const char *next_item(const char **p, size_t *len)
{
    const char *s = *p + strspn(*p, " \t\r\n,");

    *len = strcspn(s, " \t\r\n,");
    *p = s + *len;
    return *len ? s : NULL;
}

/* table_path - the file of a "type:/path" item, in buf; NULL if none */

static const char *table_path(const char *item, size_t len, char *buf, size_t size,
                              const char **type)
{
    const char *colon = memchr(item, ':', len);
    static char t[32];

    if (colon == NULL || colon == item || (size_t)(colon - item) >= sizeof(t) || colon[1] != '/')
        return NULL;
    snprintf(t, sizeof(t), "%.*s", (int)(colon - item), item);
    *type = t;
    snprintf(buf, size, "%.*s", (int)(len - (size_t)(colon + 1 - item)), colon + 1);
    return buf;
}

/* table_networks - the keys of a cidr (or texthash) table with a permitting value */

static void table_networks(struct audit_names *n, const char *path, int any_value, const char *why,
                           int xclient)
{
    char *text = read_small(path);
    const char *slash = strrchr(path, '/');
    char fmt[AUDIT_WHERE_MAX];
    const char *p = text;
    int line = 1;

    if (text == NULL)
        return;
    snprintf(fmt, sizeof(fmt), "%%s:%%d: %s", why);
    for (; p && *p; line++) {
        const char *end = strchr(p, '\n');
        size_t klen = strcspn(p, " \t\r\n");
        const char *v = p + klen + strspn(p + klen, " \t");

        if (klen && p[klen - 1] == ':')
            klen--; /* Exim's lsearch: "key: value" */

        if (*p != '#' && klen &&
            (any_value || strncasecmp(v, "OK", 2) == 0 || strncasecmp(v, "PERMIT", 6) == 0 ||
             strncasecmp(v, "RELAY", 5) == 0 || (*v >= '0' && *v <= '9')))
            add_trust(n, p, klen, xclient, fmt, slash ? slash + 1 : path, line);
        p = end ? end + 1 : NULL;
    }
    free(text);
}

/* pf_networks - a network list: items, /files, tables */

static void pf_networks(struct audit_names *n, const char *value, const char *param,
                        const char *user_text, int xclient)
{
    const char *p = value;
    const char *item;
    size_t len;
    char fmt[AUDIT_WHERE_MAX];

    snprintf(fmt, sizeof(fmt), "%%s:%%d: %s", param);
    while ((item = next_item(&p, &len)) != NULL) {
        char path[400];
        const char *type = NULL;

        if (*item == '!')
            continue;
        if (*item == '/') {
            snprintf(path, sizeof(path), "%.*s", (int)len, item);
            table_networks(n, path, 1, param, xclient);
        } else if (table_path(item, len, path, sizeof(path), &type)) {
            table_networks(n, path, 1, param, xclient);
        } else {
            add_trust(n, item, len, xclient, fmt, "main.cf", line_of(user_text, param));
        }
    }
}

/* pf_client_tables - cidr tables of check_client_access whose entries say OK */

static void pf_client_tables(struct audit_names *n, const char *value, const char *param)
{
    const char *p = value;
    const char *item;
    size_t len;
    char why[160];

    snprintf(why, sizeof(why), "check_client_access in %s", param);
    while ((item = next_item(&p, &len)) != NULL) {
        char path[400];
        const char *type = NULL;
        const char *table;
        size_t tlen;

        if (len != 19 || strncmp(item, "check_client_access", 19) != 0)
            continue;
        if ((table = next_item(&p, &tlen)) != NULL &&
            table_path(table, tlen, path, sizeof(path), &type) &&
            (strcmp(type, "cidr") == 0 || strcmp(type, "texthash") == 0))
            table_networks(n, path, 0, why, 0);
    }
}

/* pf_domains - the literal domains of a list, for the battery */

static void pf_domains(struct audit_names *n, const char *value)
{
    const char *p = value;
    const char *item;
    size_t len;

    while ((item = next_item(&p, &len)) != NULL) {
        char path[400];
        const char *type = NULL;

        if (*item == '!' || *item == '/')
            continue;
        if (table_path(item, len, path, sizeof(path), &type)) {
            /* Keys of a text table are domains; a regexp's are not. */
            if (strcmp(type, "texthash") == 0 || strcmp(type, "hash") == 0 ||
                strcmp(type, "lmdb") == 0 || strcmp(type, "btree") == 0) {
                char *text = read_small(path);
                const char *q = text;

                while (q && *q) {
                    size_t k = strcspn(q, " \t\r\n");

                    if (*q != '#' && k)
                        add_domain(n, q, k);
                    q = strchr(q, '\n');
                    q = q ? q + 1 : NULL;
                }
                free(text);
            }
            continue;
        }
        add_domain(n, item, len);
    }
}

/* load_postfix - postconf's answers */

static int load_postfix(const struct mta_instance *inst, struct audit_names *n,
                        const char *user_text, struct smtp_error *err)
{
    char *argv[PF_COUNT + 6];
    char *out;
    char *value[PF_COUNT];
    char *line;
    size_t i, k = 0;
    int rc;

    argv[k++] = POSTCONF;
    argv[k++] = "-c";
    argv[k++] = (char *)inst->dir;
    argv[k++] = "-x";
    argv[k++] = "-h";
    for (i = 0; i < PF_COUNT; i++)
        argv[k++] = (char *)pf_params[i];
    argv[k] = NULL;
    if ((out = malloc(1 << 20)) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    if ((rc = audit_exec(argv, NULL, out, 1 << 20, ASK_MS, err)) != 0) {
        if (rc > 0)
            smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "postconf -c %s exited %d", inst->dir, rc);
        free(out);
        return -1;
    }
    for (i = 0, line = out; i < PF_COUNT; i++) {
        char *nl = line ? strchr(line, '\n') : NULL;

        if (line == NULL || nl == NULL) {
            free(out);
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "postconf gave %zu of %d values", i,
                                  PF_COUNT);
        }
        *nl = 0;
        value[i] = line;
        line = nl + 1;
    }
    lower(n->hostname, sizeof(n->hostname), value[PF_MYHOSTNAME], strlen(value[PF_MYHOSTNAME]));
    for (i = PF_MYDESTINATION; i <= PF_VIRTUAL_MAILBOX_DOMAINS; i++) {
        pf_domains(n, value[i]);
        snprintf(n->list_name[n->nlists], sizeof(n->list_name[0]), "%s", pf_params[i]);
        n->list_parent[n->nlists] = strstr(value[PF_PARENT], pf_params[i]) != NULL;
        if ((n->list[n->nlists++] = strdup(value[i])) == NULL) {
            free(out);
            return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        }
    }
    add_domain(n, value[PF_MYDOMAIN], strlen(value[PF_MYDOMAIN]));
    pf_networks(n, value[PF_MYNETWORKS], "mynetworks", user_text, 0);
    pf_networks(n, value[PF_XCLIENT], "smtpd_authorized_xclient_hosts", user_text, 1);
    for (i = PF_CLIENT_R; i <= PF_RCPT_R; i++)
        pf_client_tables(n, value[i], pf_params[i]);
    free(out);
    return 0;
}

/*
 * exim_logical - the next logical line of an Exim config from *p (a
 * trailing backslash joins the next line, its leading blanks dropped),
 * into buf; its first physical line in *line. 0 at the end.
 */
static int exim_logical(const char **p, char *buf, size_t size, int *line, int *next)
{
    size_t used = 0;

    if (*p == NULL || **p == 0)
        return 0;
    *line = *next;
    for (;;) {
        const char *end = strchr(*p, '\n');
        size_t len = end ? (size_t)(end - *p) : strlen(*p);
        int more = len > 0 && (*p)[len - 1] == '\\';

        if (more)
            len--;
        if (used + len >= size)
            len = size - 1 - used;
        memcpy(buf + used, *p, len);
        used += len;
        (*next)++;
        *p = end ? end + 1 : NULL;
        if (!more || *p == NULL)
            break;
        *p += strspn(*p, " \t");
    }
    buf[used] = 0;
    return 1;
}

/*
 * host_file - a host list's file: "/FILE" (an item a line) or a lookup
 * "[net24-]lsearch;FILE" (its keys), networks taken, the rest not
 */
static void host_file(struct audit_names *n, const char *item, size_t len)
{
    char path[400];
    const char *semi = memchr(item, ';', len);

    if (semi) {
        if (semi - item < 7 || strncmp(semi - 7, "lsearch", 7) != 0)
            return; /* another lookup: not read */
        len -= (size_t)(semi + 1 - item);
        item = semi + 1;
    }
    if (len == 0 || len >= sizeof(path) || item[0] != '/')
        return;
    snprintf(path, sizeof(path), "%.*s", (int)len, item);
    table_networks(n, path, 1, "hostlist file", 0);
}

/* exim_items - each item of an Exim list value ("a : b", "<; a ; b") */

static void exim_items(struct audit_names *n, const char *value, int host, int line)
{
    const char *item = value + strspn(value, " \t");
    char sep = ':';

    if (item[0] == '<' && item[1] && item[1] != ' ') {
        sep = item[1];
        item += 2;
    }
    while (*item) {
        size_t ilen;

        item += strspn(item, " \t");
        for (ilen = 0; item[ilen] && item[ilen] != sep; ilen++)
            ;
        /* "::" is a literal colon (IPv6 in a colon list): not split there. */
        while (sep == ':' && item[ilen] == ':' && item[ilen + 1] == ':') {
            ilen += 2;
            while (item[ilen] && item[ilen] != ':')
                ilen++;
        }
        {
            size_t tlen = ilen;

            while (tlen && (item[tlen - 1] == ' ' || item[tlen - 1] == '\t'))
                tlen--;
            if (tlen && host && tlen == 1 && item[0] == '*')
                add_trust(n, "0.0.0.0/0", 9, 0, "%s:%d: hostlist *", "exim.conf", line);
            else if (tlen && host && (item[0] == '/' || memchr(item, ';', tlen)))
                host_file(n, item, tlen);
            else if (tlen && host)
                add_trust(n, item, tlen, 0, "%s:%d: hostlist", "exim.conf", line);
            else if (tlen > 2 && item[0] == '*' && item[1] == '.')
                add_domain(n, item + 2, tlen - 2);
            else if (tlen && strchr("@*^+!/$", item[0]) == NULL && !memchr(item, ';', tlen))
                add_domain(n, item, tlen);
        }
        item += ilen;
        if (*item)
            item++;
    }
}

/* exim_lists - the main section's named lists and names */

static void exim_lists(struct audit_names *n, const char *text)
{
    const char *p = text;
    char buf[8192];
    int line = 0, next = 1;

    while (exim_logical(&p, buf, sizeof(buf), &line, &next)) {
        const char *q = buf + strspn(buf, " \t");
        const char *v;
        int host = 0, dom = 0;
        size_t nlen;

        if (strncmp(q, "begin", 5) == 0 && (q[5] == ' ' || q[5] == '\t'))
            break; /* the main section ends */
        if (strncmp(q, "domainlist", 10) == 0 && (q[10] == ' ' || q[10] == '\t'))
            dom = 1, q += 10;
        else if (strncmp(q, "hostlist", 8) == 0 && (q[8] == ' ' || q[8] == '\t'))
            host = 1, q += 8;
        else if (strncmp(q, "primary_hostname", 16) == 0 || strncmp(q, "qualify_domain", 14) == 0)
            dom = 2;
        if ((!dom && !host) || (v = strchr(q, '=')) == NULL)
            continue;
        q += strspn(q, " \t");
        if (dom == 2) {
            const char *w = v + 1 + strspn(v + 1, " \t");

            add_domain(n, w, strcspn(w, " \t\r"));
            if (strncmp(q, "primary_hostname", 16) == 0)
                lower(n->hostname, sizeof(n->hostname), w, strcspn(w, " \t\r"));
            continue;
        }
        exim_items(n, v + 1, host, line);
        /* A named domain list, kept for the oracle: its name (Exim's rule) and its text. */
        nlen = strcspn(q, " \t=");
        if (dom && n->nlists < AUDIT_LISTS_MAX && nlen > 0 && nlen < sizeof(n->list_name[0]) &&
            strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == nlen &&
            (n->list[n->nlists] = strdup(v + 1)) != NULL)
            snprintf(n->list_name[n->nlists++], sizeof(n->list_name[0]), "%.*s", (int)nlen, q);
    }
}

int audit_names_load(const struct mta_instance *inst, const char *user_config,
                     struct audit_names *n, struct smtp_error *err)
{
    char *user_text;
    int rc = 0;

    memset(n, 0, sizeof(*n));
    n->kind = inst->kind;
    snprintf(n->server_addr, sizeof(n->server_addr), "%s", inst->addr);
    snprintf(n->config_dir, sizeof(n->config_dir), "%s", inst->dir);
    snprintf(n->config, sizeof(n->config), "%s", inst->config_path);
    snprintf(n->user_config, sizeof(n->user_config), "%s", user_config ? user_config : "");
    if ((user_text = mta_read_file(user_config ? user_config : inst->config_path, err)) == NULL)
        return -1;
    {
        /* Files are read from the config's own directory and the instance's only. */
        static __thread char dir[4096];
        const char *src = user_config ? user_config : inst->config_path;
        const char *slash = strrchr(src, '/');

        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - src) : 1, slash ? src : ".");
        read_roots[0] = dir;
        read_roots[1] = inst->dir;
    }
    if (inst->kind == MTA_POSTFIX) {
        rc = load_postfix(inst, n, user_text, err);
    } else {
        exim_lists(n, user_text);
        /* Trusted hosts, as the running config has them (the rewrites keep them). */
    }
    free(user_text);
    /* The server's name goes into HELO lines and reports: a plain name, or none. */
    if (!audit_names_domain_ok(n->hostname) || n->hostname[0] == '[')
        n->hostname[0] = 0;
    if (rc < 0)
        audit_names_free(n);
    return rc;
}

void audit_names_free(struct audit_names *n)
{
    size_t i;

    for (i = 0; i < n->nlists; i++) {
        free(n->list[i]);
        n->list[i] = NULL;
    }
}

const struct audit_trust *audit_names_trusted(const struct audit_names *n, const char *addr)
{
    size_t i;

    for (i = 0; i < n->ntrust; i++)
        if (!n->trust[i].xclient && audit_net_holds(&n->trust[i].net, addr))
            return &n->trust[i];
    return NULL;
}

int audit_names_own(const struct audit_names *n, const char *domain)
{
    size_t i, len = strlen(domain);

    while (len && domain[len - 1] == '.')
        len--;
    for (i = 0; i < n->ndomains; i++)
        if (strlen(n->domains[i]) == len && strncasecmp(n->domains[i], domain, len) == 0)
            return 1;
    return 0;
}

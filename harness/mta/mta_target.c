/*++
 * NAME
 *	mta_target 3
 * SUMMARY
 *	which MTA a cell runs on: its kind, its Debian release, its runtime
 * DESCRIPTION
 *	See mta_target.h.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mta_proc.h"
#include "mta_owner.h"
#include "mta_target.h"
#include "smtp_sanitize.h"

#define TARGET_TEXT_MAX (256 * 1024) /* an image's passwd, group and version file */
#define TARGET_ENGINE_MS 60000       /* one engine command */

static const char *const releases[] = {"bullseye", "bookworm", "trixie"};

/* mta_runtime_name - see mta_target.h */

const char *mta_runtime_name(enum mta_runtime runtime)
{
    return runtime == MTA_RUNTIME_CONTAINER ? "container" : "namespace";
}

int mta_runtime_parse(const char *word, enum mta_runtime *runtime)
{
    if (strcmp(word, "namespace") == 0)
        *runtime = MTA_RUNTIME_NAMESPACE;
    else if (strcmp(word, "container") == 0)
        *runtime = MTA_RUNTIME_CONTAINER;
    else
        return -1;
    return 0;
}

/* mta_target_parse - KIND[@RELEASE] */

int mta_target_parse(const char *word, struct mta_target *t, struct smtp_error *err)
{
    const char *at = strchr(word, '@');
    char kind[16];
    size_t n = at ? (size_t)(at - word) : strlen(word);
    size_t i;

    memset(t, 0, sizeof(*t));
    if (n >= sizeof(kind) ||
        (memcpy(kind, word, n), kind[n] = 0, mta_kind_parse(kind, &t->kind)) < 0)
        return smtp_error_set(err, SMTP_ERR_USAGE, 0,
                              "not an MTA: '%.40s' (postfix or exim, optionally @RELEASE)", word);
    if (at != NULL) {
        for (i = 0; i < sizeof(releases) / sizeof(releases[0]); i++)
            if (strcmp(at + 1, releases[i]) == 0)
                break;
        if (i == sizeof(releases) / sizeof(releases[0]))
            return smtp_error_set(err, SMTP_ERR_USAGE, 0,
                                  "not a release relaylab knows: '%.40s' (bullseye, bookworm, "
                                  "trixie)",
                                  at + 1);
        snprintf(t->release, sizeof(t->release), "%s", releases[i]);
        snprintf(t->name, sizeof(t->name), "%s@%s", mta_kind_name(t->kind), t->release);
    } else {
        snprintf(t->name, sizeof(t->name), "%s", mta_kind_name(t->kind));
    }
    return 0;
}

/* line_value - the first line of text that starts with prefix: the rest of it, in buf */

static int line_value(const char *text, const char *prefix, char *buf, size_t size)
{
    size_t plen = strlen(prefix);
    const char *p = text;

    while (p && *p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len >= plen && strncmp(p, prefix, plen) == 0) {
            len -= plen;
            if (len >= size)
                len = size - 1;
            memcpy(buf, p + plen, len);
            buf[len] = 0;
            return 0;
        }
        p = end ? end + 1 : NULL;
    }
    return -1;
}

/* field - the n-th ':' field of line (0-based) as a number, or -1 */

static long field(const char *line, int n)
{
    const char *p = line;
    char *end;
    long v;

    while (n-- > 0)
        if ((p = strchr(p, ':')) == NULL)
            return -1;
        else
            p++;
    errno = 0;
    v = strtol(p, &end, 10);
    if (end == p || (*end != ':' && *end != '\n' && *end) || errno || v < 0 || v > INT_MAX)
        return -1;
    return v;
}

/* entry - name's line in a passwd or group text (NAME:...), or NULL */

static const char *entry(const char *text, const char *name, char *buf, size_t size)
{
    char prefix[64];

    snprintf(prefix, sizeof(prefix), "%s:", name);
    if (line_value(text, prefix, buf, size) < 0)
        return NULL;
    return buf;
}

/* mta_target_ids_parse - see mta_target.h */

void mta_target_ids_parse(const char *passwd, const char *group, struct mta_env_ids *ids)
{
    char line[512];
    long uid, gid, g;

    memset(ids, 0, sizeof(*ids));
    /* passwd: NAME:x:UID:GID:...; what entry() leaves is x:UID:GID:... */
    if (entry(passwd, "postfix", line, sizeof(line)) && (uid = field(line, 1)) >= 0 &&
        (gid = field(line, 2)) >= 0 && entry(group, "postdrop", line, sizeof(line)) &&
        (g = field(line, 1)) >= 0) {
        ids->postfix_uid = (unsigned)uid;
        ids->postfix_gid = (unsigned)gid;
        ids->postdrop_gid = (unsigned)g;
        ids->have_postfix = 1;
    }
    if (entry(passwd, "Debian-exim", line, sizeof(line)) && (uid = field(line, 1)) >= 0 &&
        (gid = field(line, 2)) >= 0) {
        ids->exim_uid = (unsigned)uid;
        ids->exim_gid = (unsigned)gid;
        ids->have_exim = 1;
    }
    if (entry(group, "dovecot", line, sizeof(line)) && (g = field(line, 1)) >= 0) {
        ids->dovecot_gid = (unsigned)g;
        ids->have_dovecot = 1;
    }
}

/* mta_target_version_parse - "KIND VERSION (package ...)" */

int mta_target_version_parse(const char *text, enum mta_kind kind, char *version, size_t size)
{
    char prefix[24], rest[128];
    size_t n;

    snprintf(prefix, sizeof(prefix), "%s ", mta_kind_name(kind));
    if (line_value(text, prefix, rest, sizeof(rest)) < 0)
        return -1;
    n = strspn(rest, "0123456789.");
    if (n == 0 || n >= size)
        return -1;
    memcpy(version, rest, n);
    version[n] = 0;
    return 0;
}

/* host_version - the host's own MTA: what its binary says */

static void host_version(struct mta_target *t, const char *exim_bin)
{
    char out[4096];
    struct smtp_error err;
    const char *p;

    smtp_error_clear(&err);
    if (t->kind == MTA_POSTFIX) {
        char *argv[] = {"/usr/sbin/postconf", "-d", "-h", "mail_version", NULL};

        if (mta_proc_capture(argv, NULL, 0, out, sizeof(out), 10000, &err) == 0) {
            size_t n = strspn(out, "0123456789.");

            if (n > 0 && n < sizeof(t->version))
                memcpy(t->version, out, n), t->version[n] = 0;
        }
    } else {
        /* "Exim version 4.96 #2 built ..." (whatever -bV then says of the config) */
        char *argv[] = {(char *)exim_bin, "-bV", NULL};

        if (mta_proc_capture(argv, NULL, 0, out, sizeof(out), 10000, &err) >= 0 &&
            (p = strstr(out, "Exim version ")) != NULL) {
            size_t n = strspn(p + 13, "0123456789.");

            if (n > 0 && n < sizeof(t->version))
                memcpy(t->version, p + 13, n), t->version[n] = 0;
        }
    }
}

/* read_small - a root file system's file, regular, at most TARGET_TEXT_MAX; malloc'd */

static char *read_small(const char *root, const char *rel, struct smtp_error *err)
{
    char path[700];
    struct stat st;
    char *buf;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "%s%s", root, rel);
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0 ||
        fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > TARGET_TEXT_MAX) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, errno ? errno : EINVAL, "%s: %s", path,
                       fd < 0 || errno ? strerror(errno) : "not a small regular file");
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        close(fd);
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    n = read(fd, buf, (size_t)st.st_size);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

/* open_rootfs - the release's root file system: ids, version */

static int open_rootfs(struct mta_target *t, struct smtp_error *err)
{
    const char *base = getenv("RELAYLAB_ROOTFS_DIR");
    char *passwd = NULL, *group = NULL, *version = NULL;
    struct stat st;
    int rc = -1;

    if (base && base[0] != '/')
        return smtp_error_set(err, SMTP_ERR_USAGE, EINVAL,
                              "RELAYLAB_ROOTFS_DIR must be an absolute path, not '%.200s'", base);
    snprintf(t->rootfs, sizeof(t->rootfs), "%s/%s-%s", base ? base : MTA_TARGET_ROOTFS_DIR,
             mta_kind_name(t->kind), t->release);
    if (stat(t->rootfs, &st) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno,
                              errno == ENOENT ? "%s: no root file system at %s: make it with "
                                                "scripts/mta-rootfs --release %s --mta %s"
                                              : "%s: %s: %s (root's alone: relaylab runs as root)",
                              t->name, t->rootfs, errno == ENOENT ? t->release : strerror(errno),
                              mta_kind_name(t->kind));
    /* Root's, not writable by others: what runs from it runs as root. */
    if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, EPERM,
                              "%s: %s must be a directory of root's that no one else may write "
                              "(scripts/mta-rootfs makes it so)",
                              t->name, t->rootfs);
    if ((passwd = read_small(t->rootfs, "/etc/passwd", err)) == NULL ||
        (group = read_small(t->rootfs, "/etc/group", err)) == NULL ||
        (version = read_small(t->rootfs, "/etc/relaylab-mta-version", err)) == NULL)
        goto out;
    mta_target_ids_parse(passwd, group, &t->ids);
    t->own_ids = 1;
    if (mta_target_version_parse(version, t->kind, t->version, sizeof(t->version)) < 0) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, EINVAL,
                       "%s/etc/relaylab-mta-version does not name %s's version", t->rootfs,
                       mta_kind_name(t->kind));
        goto out;
    }
    rc = 0;
out:
    free(passwd);
    free(group);
    free(version);
    return rc;
}

/* find_program - name (or a path) as an absolute path along PATH */

static int find_program(const char *name, char *buf, size_t size)
{
    const char *path = getenv("PATH");
    const char *p;

    if (strchr(name, '/')) {
        snprintf(buf, size, "%s", name);
        return access(buf, X_OK);
    }
    if (path == NULL || !*path)
        path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
    for (p = path; *p;) {
        size_t n = strcspn(p, ":");

        if (n > 0 && (size_t)snprintf(buf, size, "%.*s/%s", (int)n, p, name) < size &&
            buf[0] == '/' && access(buf, X_OK) == 0)
            return 0;
        p += n;
        if (*p == ':')
            p++;
    }
    return -1;
}

/*
 * mta_target_engine_env - what an engine's command gets: PATH, HOME, and
 * where to find its service (DOCKER_HOST, CONTAINER_HOST), nothing else
 * of the harness's environment.
 */
static char *engine_envp[5];

/* engine_env_make - once: getenv() and the buffers, before any thread reads them */

static void engine_env_make(void)
{
    static char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static char home[] = "HOME=/root";
    static char hosts[2][600];
    char **envp = engine_envp;
    const char *names[] = {"DOCKER_HOST", "CONTAINER_HOST"};
    int n = 0;

    envp[n++] = path;
    envp[n++] = home;
    for (int i = 0; i < 2; i++) {
        const char *v = getenv(names[i]);

        if (v && strlen(v) < 500) {
            snprintf(hosts[i], sizeof(hosts[i]), "%s=%s", names[i], v);
            envp[n++] = hosts[i];
        }
    }
    envp[n] = NULL;
}

char *const *mta_target_engine_env(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, engine_env_make);
    return engine_envp;
}

/* mta_target_engine_is_service - docker: a service in the host's namespaces does the work */

int mta_target_engine_is_service(const struct mta_target *t)
{
    return mta_target_engine_name_is_service(t->engine);
}

int mta_target_engine_name_is_service(const char *engine)
{
    const char *base = engine ? strrchr(engine, '/') : NULL;

    return engine && strncmp(base ? base + 1 : engine, "docker", 6) == 0;
}

/* mta_target_host_release - this machine's Debian codename, or "bookworm" */

void mta_target_host_release(char *buf, size_t size)
{
    struct smtp_error err;
    /* os-release(5): /etc/os-release is a link to it on Debian (read_small follows none). */
    char *text = read_small("", "/usr/lib/os-release", &err);
    char v[32];

    snprintf(buf, size, "bookworm");
    if (text && line_value(text, "VERSION_CODENAME=", v, sizeof(v)) == 0)
        for (size_t i = 0; i < sizeof(releases) / sizeof(releases[0]); i++)
            if (strcmp(v, releases[i]) == 0)
                snprintf(buf, size, "%s", releases[i]);
    free(text);
}

/* open_image - the image: it exists; ids and version from its own files */

static int open_image(struct mta_target *t, struct smtp_error *err)
{
    char *out = malloc(TARGET_TEXT_MAX);
    char *argv[16];
    char token[64], name[128], label[128];
    char *sep, *sep2;
    int n = 0, rc;

    if (out == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    snprintf(t->image, sizeof(t->image), "relaylab/%s:%s", mta_kind_name(t->kind), t->release);
    /* Labelled and named as every container relaylab starts: a killed run's is swept. */
    if (mta_owner_self(token, sizeof(token)) < 0) {
        free(out);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot read our own start time");
    }
    snprintf(name, sizeof(name), "--name=relaylab-%s-probe-%s-%s", token, mta_kind_name(t->kind),
             t->release);
    snprintf(label, sizeof(label), "--label=" MTA_TARGET_LABEL "=%s", token);
    argv[n++] = t->engine;
    argv[n++] = "run";
    argv[n++] = "--rm";
    argv[n++] = "--pull=never";
    argv[n++] = name;
    argv[n++] = label;
    argv[n++] = "--network=none";
    argv[n++] = "--entrypoint=/bin/sh";
    argv[n++] = t->image;
    argv[n++] = "-c";
    argv[n++] = "cat /etc/relaylab-mta-version; echo @@relaylab@@; cat /etc/passwd; "
                "echo @@relaylab@@; cat /etc/group";
    argv[n] = NULL;
    rc = mta_proc_capture(argv, mta_target_engine_env(), MTA_PROC_OWN_PROC, out, TARGET_TEXT_MAX,
                          TARGET_ENGINE_MS, err);
    if (rc < 0) {
        free(out);
        return -1;
    }
    if (rc != 0 || (sep = strstr(out, "@@relaylab@@\n")) == NULL ||
        (sep2 = strstr(sep + 13, "@@relaylab@@\n")) == NULL) {
        /*
         * The engine's own words, its first lines joined (the caller
         * sanitizes the message where it prints it): "image not known",
         * or a service that does not answer.
         */
        size_t n = strlen(out);
        char *p;

        while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
            out[--n] = 0;
        for (p = out; (p = strchr(p, '\n')) != NULL;)
            *p = ';';
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOENT,
                       "%s: %s cannot run image %s: %.400s (a missing image: "
                       "scripts/container-setup --build --release %s; docker: DOCKER_HOST must "
                       "name a running service, such as podman system service)",
                       t->name, t->engine, t->image, out[0] ? out : "no output", t->release);
        free(out);
        return -1;
    }
    *sep = 0;
    *sep2 = 0;
    mta_target_ids_parse(sep + 13, sep2 + 13, &t->ids);
    t->own_ids = 1;
    rc = mta_target_version_parse(out, t->kind, t->version, sizeof(t->version));
    free(out);
    if (rc < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, EINVAL,
                              "image %s: /etc/relaylab-mta-version does not name %s's version",
                              t->image, mta_kind_name(t->kind));
    return 0;
}

/* mta_target_open - see mta_target.h */

int mta_target_open(struct mta_target *t, enum mta_runtime runtime, const char *engine,
                    const char *exim_bin, struct smtp_error *err)
{
    t->runtime = runtime;
    if (runtime == MTA_RUNTIME_CONTAINER) {
        if (!t->release[0]) {
            mta_target_host_release(t->release, sizeof(t->release));
            snprintf(t->name, sizeof(t->name), "%s@%s", mta_kind_name(t->kind), t->release);
        }
        if (engine == NULL || !*engine)
            engine = "podman";
        if (find_program(engine, t->engine, sizeof(t->engine)) < 0)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOENT,
                                  "no container engine '%.100s' here (scripts/container-setup "
                                  "installs podman)",
                                  engine);
        if (open_image(t, err) < 0)
            return -1;
    } else if (t->release[0]) {
        if (open_rootfs(t, err) < 0)
            return -1;
    } else {
        host_version(t, exim_bin);
    }
    if (t->release[0])
        snprintf(t->title, sizeof(t->title), "%s %s (%s)", mta_kind_name(t->kind),
                 t->version[0] ? t->version : "?", t->release);
    else if (t->version[0])
        snprintf(t->title, sizeof(t->title), "%s %s", mta_kind_name(t->kind), t->version);
    else
        snprintf(t->title, sizeof(t->title), "%s", mta_kind_name(t->kind));
    return 0;
}

/* mta_target_sweep - remove the containers of runs that are gone */

void mta_target_sweep(const char *engine, int ours)
{
    char *out = malloc(TARGET_TEXT_MAX);
    char *argv[] = {(char *)engine, "ps", "-a", "--filter", "label=" MTA_TARGET_LABEL, "--format",
                    /* podman's .Labels is a map; the docker CLI's a string, its .Label a lookup */
                    mta_target_engine_name_is_service(engine)
                        ? "{{.ID}} {{.Names}} {{.Label \"" MTA_TARGET_LABEL "\"}}"
                        : "{{.ID}} {{.Names}} {{index .Labels \"" MTA_TARGET_LABEL "\"}}",
                    NULL};
    struct smtp_error err;
    char *line, *save = NULL;

    if (out == NULL)
        return;
    smtp_error_clear(&err);
    if (mta_proc_capture(argv, mta_target_engine_env(), MTA_PROC_OWN_PROC, out, TARGET_TEXT_MAX,
                         TARGET_ENGINE_MS, &err) != 0) {
        free(out);
        return;
    }
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char id[80], names[200], label[80], prefix[100];
        char *rm[] = {(char *)engine, "rm", "-f", id, NULL};
        char said[512];
        enum mta_owner_state state;

        if (sscanf(line, "%79s %199s %79s", id, names, label) != 3 ||
            strspn(id, "0123456789abcdef") != strlen(id))
            continue;
        /* Named as relaylab names its containers, with the same token: relaylab-TOKEN-... */
        snprintf(prefix, sizeof(prefix), "relaylab-%s-", label);
        if (strncmp(names, prefix, strlen(prefix)) != 0)
            continue;
        state = mta_owner_state(label);
        if (state == MTA_OWNER_GONE || (ours && state == MTA_OWNER_SELF))
            (void)mta_proc_capture(rm, mta_target_engine_env(), MTA_PROC_OWN_PROC, said,
                                   sizeof(said), TARGET_ENGINE_MS, &err);
    }
    free(out);
}

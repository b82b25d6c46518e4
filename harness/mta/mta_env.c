/*++
 * NAME
 *	mta_env 3
 * SUMMARY
 *	the sandbox every MTA instance of one harness run lives in
 * DESCRIPTION
 *	See mta_env.h.
 *--*/
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mta_env.h"
#include "mta_owner.h"
#include "rmtree.h"
#include "sandnet.h"
#include "mta_proc.h"
#include "mta_render.h"
#include "smtp_client.h"
#include "smtp_tls.h"
#include "template.h"

#define EXIM_BIN_DEFAULT "/opt/relaylab/exim/usr/sbin/exim4"
#define CLI_ENV_EXIT 3  /* environment error, as relaylab(1) documents */
#define ADDR_FIRST 10   /* 127.0.0.10 ... */
#define ADDR_LAST 199   /* 127.0.0.200-254: left to scenarios for fixed clients */
#define OUTSIDE_FIRST 7 /* 203.0.113.7 ... */
#define OUTSIDE_LAST 99 /* 203.0.113.100-254: left to scenarios */

struct mta_env {
    struct mta_proc dovecot; /* the shared Dovecot, when started */
    char dovecot_socket[340];
    pthread_mutex_t lock; /* addresses and directories; instances start on several threads */
    struct mta_env_ids ids;
    char dir[256];  /* where run directories live */
    char kept[256]; /* the real directory when kept or host_visible */
    char top[256];  /* host_visible and not kept: the directory to remove at the end */
    char template_dir[512];
    char exim_bin[512];
    int isolated;
    int keep;
    int host_visible;
    int share_net;
    int next_addr;
    int next_host;    /* 192.0.2.N, 2001:db8::N */
    int next_outside; /* 203.0.113.N */
    int next_subdir;
    struct mta_env_user users[MTA_ENV_USERS];
};

long mta_env_now_ms(void)
{
    return smtp_transport_now();
}

void mta_env_params_default(struct mta_env_params *params)
{
    memset(params, 0, sizeof(*params));
    params->isolate = 1;
}

/* random_word - alphanumeric, from OpenSSL's generator */

static int random_word(char *buf, size_t len)
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char raw[64];
    size_t i;

    if (len > sizeof(raw) || smtp_tls_random(raw, len) < 0)
        return -1;
    for (i = 0; i < len; i++)
        buf[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
    buf[len] = 0;
    return 0;
}

/* lo_up - "ip link set lo up", by ioctl */

static int lo_up(struct smtp_error *err)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int rc = 0;

    if (fd < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "socket: %s", strerror(errno));
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
        rc = smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "SIOCGIFFLAGS lo: %s", strerror(errno));
    } else {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
            rc = smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "SIOCSIFFLAGS lo: %s",
                                strerror(errno));
    }
    close(fd);
    return rc;
}

/*
 * addr6_ready - wait until a new address may be bound: the kernel finishes
 * an address's set-up (duplicate address detection, skipped on lo) from a
 * work queue, and until then bind(2) says EADDRNOTAVAIL (an MTA that
 * binds it dies at start). One second at most.
 */
static int addr6_ready(const struct in6_addr *a, const char *text, char *why, size_t size)
{
    struct sockaddr_in6 sin6;
    int i, e = 0;

    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = *a;
    for (i = 0; i < 1000; i++) {
        int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int ok = fd >= 0 && bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;

        e = errno;
        if (fd >= 0)
            close(fd);
        if (ok)
            return 0;
        if (fd < 0 || e != EADDRNOTAVAIL)
            break;
        usleep(1000);
    }
    snprintf(why, size, "%s on lo cannot be bound: %s", text, strerror(e));
    return -1;
}

/*
 * lo_addr6 - one IPv6 address (/128) on lo: unlike IPv4, an IPv6 prefix
 * on lo does not make its addresses local, so each is put there. An
 * address already there is fine.
 */
static int lo_addr6(const char *addr, char *why, size_t size)
{
    struct { /* the kernel's struct in6_ifreq (linux/ipv6.h) */
        struct in6_addr addr;
        uint32_t prefixlen;
        int ifindex;
    } req;
    int fd;
    int rc = 0;

    memset(&req, 0, sizeof(req));
    if (inet_pton(AF_INET6, addr, &req.addr) != 1) {
        snprintf(why, size, "'%s' is not an IPv6 address", addr);
        return -1;
    }
    req.prefixlen = 128;
    if ((req.ifindex = (int)if_nametoindex("lo")) == 0 ||
        (fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
        snprintf(why, size, "no IPv6 on lo: %s", strerror(errno));
        return -1;
    }
    if (ioctl(fd, SIOCSIFADDR, &req) < 0 && errno != EEXIST) {
        snprintf(why, size, "cannot put %s on lo: %s", addr, strerror(errno));
        rc = -1;
    }
    close(fd);
    if (rc == 0)
        rc = addr6_ready(&req.addr, addr, why, size);
    return rc;
}

/*
 * lo_nets - the guide's networks (MTA_ENV_NETS) on lo, as aliases: a
 * prefix on the loopback device makes the whole prefix local, so any
 * address in it may be bound, and every packet stays on lo. Only in the
 * private network namespace.
 */
static int lo_nets(struct smtp_error *err)
{
    static const char *const nets[] = {MTA_ENV_NETS};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    size_t i;
    int rc = 0;

    if (fd < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "socket: %s", strerror(errno));
    for (i = 0; i < sizeof(nets) / sizeof(nets[0]) && rc == 0; i++) {
        struct ifreq ifr;
        struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo:%zu", i + 1);
        sin->sin_family = AF_INET;
        if (inet_pton(AF_INET, nets[i], &sin->sin_addr) != 1)
            rc = smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "bad network %s", nets[i]);
        else if (ioctl(fd, SIOCSIFADDR, &ifr) < 0)
            rc = smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "SIOCSIFADDR %s on lo: %s", nets[i],
                                strerror(errno));
        else {
            inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
            if (ioctl(fd, SIOCSIFNETMASK, &ifr) < 0)
                rc = smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "SIOCSIFNETMASK %s on lo: %s",
                                    nets[i], strerror(errno));
        }
    }
    close(fd);
    return rc;
}

static volatile sig_atomic_t forward_signal;
static long host_pid; /* the process outside, which shares our network and mounts */

static void on_forward(int sig)
{
    forward_signal = sig;
}

/* mta_env_isolate - private namespaces, and a child that is their PID 1 */

long mta_env_isolate(const struct mta_env_params *params, struct smtp_error *err)
{
    int alive[2];
    pid_t child;

    if (!params->isolate || geteuid() != 0)
        return 0;
    if (unshare((params->share_net ? 0 : CLONE_NEWNET) | CLONE_NEWNS | CLONE_NEWPID) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make private namespaces: %s",
                              strerror(errno));
    if (pipe2(alive, O_CLOEXEC) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "pipe: %s", strerror(errno));
    host_pid = (long)getpid();
    if ((child = fork()) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "fork: %s", strerror(errno));
    if (child == 0) {
        struct pollfd p = {alive[0], POLLIN, 0};

        close(alive[1]);
        /* Die with the harness; if it is already gone, go now. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (poll(&p, 1, 0) > 0)
            _exit(CLI_ENV_EXIT);
        close(alive[0]);
        return 0;
    }
    close(alive[0]);
    /* alive[1] stays open for our lifetime: its EOF tells the child we died early. */
    return (long)child;
}

/* mta_env_wait_isolated - pass signals on, wait, exit code */

int mta_env_wait_isolated(long child)
{
    struct sigaction sa;
    int status = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_forward;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    for (;;) {
        pid_t r = waitpid((pid_t)child, &status, 0);

        if (r == (pid_t)child)
            break;
        if (r < 0 && errno != EINTR)
            return CLI_ENV_EXIT;
        if (forward_signal) {
            kill((pid_t)child, forward_signal);
            forward_signal = 0;
        }
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

/* setup_isolated - inside: private tmpfs (or the kept directory), lo up */

static int setup_isolated(struct mta_env *env, struct smtp_error *err)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot make mounts private: %s",
                              strerror(errno));
    if (mkdir(MTA_ENV_RUN_DIR, 0755) < 0 && errno != EEXIST)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "mkdir %s: %s", MTA_ENV_RUN_DIR,
                              strerror(errno));
    if (env->keep || env->host_visible) {
        char top[sizeof(env->kept) - 8];

        /*
         * Kept mail and configs are root's: TOP is mkdtemp's 0700, and
         * only TOP/run (0755) is bind-mounted on the run directory. The
         * MTAs, which run as their own users, reach their directories
         * through the mount, never through TOP; other users of the
         * machine cannot pass TOP.
         */
        snprintf(top, sizeof(top),
                 env->keep ? "/tmp/relaylab-keep.XXXXXX" : MTA_OWNER_DIR_TEMPLATE);
        if (mkdtemp(top) == NULL)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot keep %s: %s", top,
                                  strerror(errno));
        if (!env->keep) {
            /* Whose it is: the next run removes it if we are killed before we do. */
            char path[sizeof(top) + 8], token[64];
            FILE *fp;

            snprintf(env->top, sizeof(env->top), "%s", top);
            snprintf(path, sizeof(path), "%s/owner", top);
            if (mta_owner_self(token, sizeof(token)) < 0 || (fp = fopen(path, "wx")) == NULL)
                return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "%s: %s", path,
                                      strerror(errno));
            fprintf(fp, "%s\n", token);
            if (fclose(fp) != 0)
                return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "%s: %s", path,
                                      strerror(errno));
        }
        snprintf(env->kept, sizeof(env->kept), "%s/run", top);
        if (mkdir(env->kept, 0755) < 0 || chmod(env->kept, 0755) < 0 ||
            mount(env->kept, MTA_ENV_RUN_DIR, NULL, MS_BIND, NULL) < 0)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot keep %s: %s", env->kept,
                                  strerror(errno));

    } else if (mount("relaylab", MTA_ENV_RUN_DIR, "tmpfs", MS_NOSUID | MS_NODEV,
                     "mode=0755,size=" MTA_ENV_RUN_SIZE) < 0) {
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot mount tmpfs on %s: %s",
                              MTA_ENV_RUN_DIR, strerror(errno));
    }
    snprintf(env->dir, sizeof(env->dir), "%s", MTA_ENV_RUN_DIR);
    if (!env->share_net) {
        char why[160];

        if (lo_up(err) < 0 || lo_nets(err) < 0)
            return -1;
        if (lo_addr6(MTA_ENV_OUTSIDE6, why, sizeof(why)) < 0)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "%s", why);
    }
    env->isolated = 1;
    return 0;
}

/* mta_env_open - the sandbox */

struct mta_env *mta_env_open(const struct mta_env_params *params, struct smtp_error *err)
{
    struct mta_env *env = calloc(1, sizeof(*env));
    const char *s;
    int i;

    if (env == NULL) {
        smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        return NULL;
    }
    env->keep = params->keep;
    env->host_visible = params->host_visible;
    env->share_net = params->share_net;
    pthread_mutex_init(&env->lock, NULL);
    {
        struct passwd *pw;
        struct group *gr;

        if ((pw = getpwnam("postfix")) != NULL) {
            env->ids.postfix_uid = pw->pw_uid;
            env->ids.postfix_gid = pw->pw_gid;
            if ((gr = getgrnam("postdrop")) != NULL) {
                env->ids.postdrop_gid = gr->gr_gid;
                env->ids.have_postfix = 1;
            }
        }
        if ((pw = getpwnam("Debian-exim")) != NULL) {
            env->ids.exim_uid = pw->pw_uid;
            env->ids.exim_gid = pw->pw_gid;
            env->ids.have_exim = 1;
        }
        if ((gr = getgrnam("dovecot")) != NULL) {
            env->ids.dovecot_gid = gr->gr_gid;
            env->ids.have_dovecot = 1;
        }
    }
    env->next_addr = ADDR_FIRST;
    env->next_host = ADDR_FIRST;
    env->next_outside = OUTSIDE_FIRST;
    if (params->template_dir) {
        snprintf(env->template_dir, sizeof(env->template_dir), "%s", params->template_dir);
    } else {
        char why[SMTP_ERROR_MSG_MAX];

        if (template_dir("mta", env->template_dir, sizeof(env->template_dir), why, sizeof(why)) <
            0) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, ENOENT, "%s", why);
            free(env);
            return NULL;
        }
    }
    s = params->exim_bin ? params->exim_bin : getenv("RELAYLAB_EXIM");
    snprintf(env->exim_bin, sizeof(env->exim_bin), "%s", s ? s : EXIM_BIN_DEFAULT);
    for (i = 0; i < MTA_ENV_USERS; i++) {
        snprintf(env->users[i].name, sizeof(env->users[i].name), "%s@relaylab.test",
                 i == 0 ? "user" : "app");
        if (random_word(env->users[i].pass, MTA_ENV_PASS_LEN) < 0) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "no random bytes");
            free(env);
            return NULL;
        }
    }
    /* PID 1 of a PID namespace: mta_env_isolate() brought us here. */
    if (params->isolate && geteuid() == 0 && getpid() == 1) {
        if (setup_isolated(env, err) < 0) {
            free(env);
            return NULL;
        }
    } else {
        snprintf(env->dir, sizeof(env->dir), "/tmp/relaylab.XXXXXX");
        if (mkdtemp(env->dir) == NULL || chmod(env->dir, 0755) < 0) {
            smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "mkdtemp: %s", strerror(errno));
            free(env);
            return NULL;
        }
        if (env->keep)
            snprintf(env->kept, sizeof(env->kept), "%s", env->dir);
    }
    return env;
}

/* mta_env_close - stop what is left, remove the run directory */

void mta_env_close(struct mta_env *env)
{
    if (env == NULL)
        return;
    mta_proc_stop(&env->dovecot, 0);
    if (env->isolated) {
        /* We are PID 1: when we exit, the kernel ends the rest. */
        if (!env->keep)
            rmtree(env->dir);
        if (env->top[0] && umount2(MTA_ENV_RUN_DIR, MNT_DETACH) == 0)
            rmtree(env->top);
    } else if (!env->keep) {
        rmtree(env->dir);
    }
    pthread_mutex_destroy(&env->lock);
    free(env);
}

long mta_env_host_pid(void)
{
    return host_pid ? host_pid : (long)getpid();
}

/* mta_env_share_dovecot - one Dovecot for every instance, from this thread */

int mta_env_share_dovecot(struct mta_env *env, struct smtp_error *err)
{
    char dir[300];

    if (env->dovecot_socket[0] && mta_proc_alive(&env->dovecot))
        return 0;
    snprintf(dir, sizeof(dir), "%s/dovecot-shared", env->dir);
    if (mta_env_dovecot(env, dir, &env->dovecot, env->dovecot_socket, sizeof(env->dovecot_socket),
                        err) < 0 ||
        mta_env_dovecot_ready(&env->dovecot, env->dovecot_socket, err) < 0) {
        env->dovecot_socket[0] = 0;
        return -1;
    }
    return 0;
}

const char *mta_env_shared_dovecot(struct mta_env *env)
{
    return env->dovecot_socket[0] && mta_proc_alive(&env->dovecot) ? env->dovecot_socket : NULL;
}

const struct mta_env_ids *mta_env_ids(const struct mta_env *env)
{
    return &env->ids;
}

const char *mta_env_dir(const struct mta_env *env)
{
    return env->dir;
}

const char *mta_env_kept_dir(const struct mta_env *env)
{
    return env->keep && env->kept[0] ? env->kept : NULL;
}

const char *mta_env_host_top(const struct mta_env *env)
{
    return env->top[0] ? env->top : NULL;
}

const char *mta_env_host_dir(const struct mta_env *env)
{
    return env->kept[0] ? env->kept : NULL;
}

const char *mta_env_template_dir(const struct mta_env *env)
{
    return env->template_dir;
}

const char *mta_env_exim_bin(const struct mta_env *env)
{
    return env->exim_bin;
}

int mta_env_isolated(const struct mta_env *env)
{
    return env->isolated;
}

const struct mta_env_user *mta_env_user(const struct mta_env *env, int i)
{
    return i >= 0 && i < MTA_ENV_USERS ? &env->users[i] : NULL;
}

/* mta_env_contain - the containment of a process of this sandbox */

const struct mta_contain *mta_env_contain(const struct mta_env *env, const char *writable,
                                          struct mta_contain *buf)
{
    if (!mta_contain_available())
        return NULL;
    memset(buf, 0, sizeof(*buf));
    buf->run_root = env->dir;
    buf->writable = writable;
    return buf;
}

int mta_env_private_net(const struct mta_env *env)
{
    return env->isolated && !env->share_net;
}

int mta_env_host_addr(struct mta_env *env, char *v4, size_t v4size, char *v6, size_t v6size,
                      struct smtp_error *err)
{
    char why[160];
    int n;

    if (!mta_env_private_net(env)) {
        if (v6size)
            v6[0] = 0;
        return mta_env_addr(env, v4, v4size, err);
    }
    pthread_mutex_lock(&env->lock);
    if (env->next_host > ADDR_LAST)
        env->next_host = ADDR_FIRST;
    n = env->next_host++;
    pthread_mutex_unlock(&env->lock);
    snprintf(v4, v4size, MTA_ENV_HOST_NET "%d", n);
    snprintf(v6, v6size, MTA_ENV_HOST_NET6 "%d", n);
    if (lo_addr6(v6, why, sizeof(why)) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "%s", why);
    return 0;
}

int mta_env_outside_addr(struct mta_env *env, char *buf, size_t size)
{
    if (!mta_env_private_net(env)) {
        if (size)
            buf[0] = 0;
        return -1;
    }
    pthread_mutex_lock(&env->lock);
    if (env->next_outside > OUTSIDE_LAST)
        env->next_outside = OUTSIDE_FIRST;
    snprintf(buf, size, MTA_ENV_OUTSIDE_NET "%d", env->next_outside++);
    pthread_mutex_unlock(&env->lock);
    return 0;
}

/* needs_private - why a client of the guide's networks cannot be here */

static int needs_private(const char *addr, char *why, size_t size)
{
    snprintf(why, size,
             "client %s needs relaylab's private network namespace (with --shared-network "
             "the sandbox keeps to 127.0.0.0/8 and ::1)",
             addr);
    return -1;
}

int mta_env_client_usable(struct mta_env *env, const char *addr, char *why, size_t size)
{
    switch (sandnet_place(addr)) {
    case SANDNET_LOOPBACK:
        return 0;
    case SANDNET_GUIDE4:
        return mta_env_private_net(env) ? 0 : needs_private(addr, why, size);
    case SANDNET_GUIDE6:
        return mta_env_private_net(env) ? lo_addr6(addr, why, size)
                                        : needs_private(addr, why, size);
    default:
        snprintf(why, size,
                 "client %s is on no network of the sandbox's (127.0.0.0/8, ::1, 10.0.0.0/24, "
                 "192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32)",
                 addr);
        return -1;
    }
}

/* mta_env_addr - a fresh loopback address */

int mta_env_addr(struct mta_env *env, char *buf, size_t size, struct smtp_error *err)
{
    (void)err;
    pthread_mutex_lock(&env->lock);
    /* Cycle: only the running instances (a handful) hold addresses. */
    if (env->next_addr > ADDR_LAST)
        env->next_addr = ADDR_FIRST;
    snprintf(buf, size, "127.0.0.%d", env->next_addr++);
    pthread_mutex_unlock(&env->lock);
    return 0;
}

/* mta_env_subdir - a fresh run directory */

int mta_env_subdir(struct mta_env *env, const char *prefix, char *buf, size_t size,
                   struct smtp_error *err)
{
    int n;

    pthread_mutex_lock(&env->lock);
    n = env->next_subdir++;
    pthread_mutex_unlock(&env->lock);
    if ((size_t)snprintf(buf, size, "%s/%s-%d", env->dir, prefix, n) >= size)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "path too long");
    if (mkdir(buf, 0755) < 0 || chmod(buf, 0755) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "mkdir %s: %s", buf, strerror(errno));
    return 0;
}

/* write_file - whole file, mode, owner (uid -1 = leave) */

static int write_file(const char *path, const char *text, int mode, uid_t uid, gid_t gid,
                      struct smtp_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    size_t len = strlen(text);

    if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, (mode_t)mode) < 0 ||
        ((int)uid != -1 && fchown(fd, uid, gid) < 0)) {
        int e = errno;

        if (fd >= 0)
            close(fd);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, e, "cannot write %s: %s", path, strerror(e));
    }
    return close(fd);
}

/* mta_env_dovecot - start a Dovecot auth service in dir (without waiting) */

int mta_env_dovecot(struct mta_env *env, const char *dir, struct mta_proc *proc, char *socket,
                    size_t size, struct smtp_error *err)
{
    struct mta_vars vars = {0};
    char path[400];
    char *conf = NULL;
    char passwd[512];
    char log[400];
    char *argv[5];
    struct mta_contain jail;
    int rc;

    if (mkdir(dir, 0755) < 0 || chmod(dir, 0755) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "mkdir %s: %s", dir, strerror(errno));
    if ((size_t)snprintf(socket, size, "%s/auth", dir) >= size)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "path too long");
    /* Passwords made for this run, readable by Dovecot's auth user only. */
    snprintf(passwd, sizeof(passwd), "%s:{PLAIN}%s\n%s:{PLAIN}%s\n", env->users[0].name,
             env->users[0].pass, env->users[1].name, env->users[1].pass);
    snprintf(path, sizeof(path), "%s/passwd", dir);
    if (write_file(path, passwd, 0640, env->ids.have_dovecot ? 0 : (uid_t)-1,
                   (gid_t)env->ids.dovecot_gid, err) < 0)
        return -1;
    mta_vars_set(&vars, "DOVECOT_DIR", dir);
    mta_vars_set(&vars, "DOVECOT_SOCKET", socket);
    if (mta_render_load(env->template_dir, "dovecot.conf", &vars, &conf, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/dovecot.conf", dir);
    rc = write_file(path, conf, 0644, (uid_t)-1, 0, err);
    free(conf);
    if (rc < 0)
        return -1;
    argv[0] = "/usr/sbin/dovecot";
    argv[1] = "-F";
    argv[2] = "-c";
    argv[3] = path;
    argv[4] = NULL;
    snprintf(log, sizeof(log), "%s/dovecot.out", dir);
    return mta_proc_spawn(proc, argv, log, mta_env_contain(env, dir, &jail), err);
}

/* unix_accepts - 1 if a UNIX stream socket accepts a connection */

static int unix_accepts(const char *path)
{
    struct sockaddr_un sun;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int ok;

    if (fd < 0)
        return 0;
    if (strlen(path) >= sizeof(sun.sun_path)) {
        close(fd);
        return 0;
    }
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path) + 1);
    ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
    close(fd);
    return ok;
}

/* mta_env_dovecot_ready - wait for the auth socket; 0 or -1 with Dovecot's error */

int mta_env_dovecot_ready(struct mta_proc *proc, const char *socket, struct smtp_error *err)
{
    long deadline = mta_env_now_ms() + 5000;

    /*
     * Ready means it accepts a connection: the socket file exists from
     * bind(2) on, before listen(2), and a connect in between is refused
     * (Exim then answers AUTH with 435).
     */
    while (!unix_accepts(socket)) {
        struct timespec ts = {0, 1000000};

        if (!mta_proc_alive(proc) || mta_env_now_ms() > deadline) {
            char dir[400];
            char path[420];
            char tail[512];
            const char *slash = strrchr(socket, '/');

            snprintf(dir, sizeof(dir), "%.*s", (int)(slash - socket), socket);
            snprintf(path, sizeof(path), "%s/dovecot.log", dir);
            mta_proc_log_tail(dir, path, "Fatal", tail, sizeof(tail));
            mta_proc_stop(proc, 0);
            return smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "Dovecot did not start: %s",
                                  tail[0] ? tail : "(no log)");
        }
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* mta_env_wait_listen - until addr:port accepts a connection */

int mta_env_wait_listen(const char *addr, int port, long timeout_ms, struct smtp_error *err)
{
    long deadline = mta_env_now_ms() + timeout_ms;
    char port_s[16];

    snprintf(port_s, sizeof(port_s), "%d", port);
    for (;;) {
        struct smtp_tcp_params tcp = {0};
        struct smtp_transport *t;

        tcp.host = addr;
        tcp.port = port_s;
        if ((t = smtp_transport_tcp(&tcp, mta_env_now_ms() + 1000, err)) != NULL) {
            smtp_transport_free(t);
            return 0;
        }
        if (mta_env_now_ms() > deadline)
            return smtp_error_set(err, SMTP_ERR_TIMEOUT, 0, "nothing listens on %s:%d", addr, port);
        {
            struct timespec ts = {0, 2000000};

            nanosleep(&ts, NULL);
        }
    }
}

/* mta_env_wait_banner - ready means the banner was read */

int mta_env_wait_banner(const char *addr, int port, long timeout_ms, struct smtp_error *err)
{
    long deadline = mta_env_now_ms() + timeout_ms;
    char port_s[16];
    struct smtp_client_params params;

    snprintf(port_s, sizeof(port_s), "%d", port);
    smtp_client_params_default(&params);
    params.step_timeout_ms = 1000;
    for (;;) {
        struct smtp_tcp_params tcp = {0};
        struct smtp_client *c = smtp_client_new(&params);
        int code = -1;

        if (c == NULL)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
        tcp.host = addr;
        tcp.port = port_s;
        if (smtp_client_connect(c, &tcp) == 0)
            code = smtp_client_banner(c);
        if (code > 0) {
            /* Exim answers QUIT only after 200 ms: say it, do not wait. */
            (void)smtp_client_send_bytes(c, "QUIT\r\n", 6);
            smtp_client_free(c);
            if (code / 100 == 2)
                return 0;
            return smtp_error_set(err, SMTP_ERR_REPLY, 0, "%s:%d answered %d", addr, port, code);
        }
        if (err)
            *err = *smtp_client_error(c);
        smtp_client_free(c);
        if (mta_env_now_ms() > deadline)
            return smtp_error_set(err, SMTP_ERR_TIMEOUT, 0, "no banner on %s:%d within %ld ms",
                                  addr, port, timeout_ms);
        {
            struct timespec ts = {0, 2000000};

            nanosleep(&ts, NULL);
        }
    }
}

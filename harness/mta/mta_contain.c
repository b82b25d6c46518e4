/*++
 * NAME
 *	mta_contain 3
 * SUMMARY
 *	what an MTA process may touch: the host read-only, its own directory
 * DESCRIPTION
 *	See mta_contain.h. The order matters: everything that must be
 *	carried over into the new view (device nodes, the run root) is
 *	cloned with open_tree(2) before the host's directories are masked,
 *	then re-attached with move_mount(2); the read-only attribute is set
 *	on the whole tree last, and cleared on the writable places only.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include "mta_contain.h"

#if defined(__x86_64__)
#define RELAYLAB_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define RELAYLAB_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "mta_contain: add this machine's AUDIT_ARCH_*"
#endif

/* The capabilities an MTA daemon started as root needs; the rest go. */
static const int keep_caps[] = {
    CAP_CHOWN,            /* queue files to the postfix/Debian-exim users */
    CAP_DAC_OVERRIDE,     /* root reads its users' 0700 queue directories */
    CAP_FOWNER,           /* chmod of files it does not own */
    CAP_FSETID,           /* setgid queue directories */
    CAP_KILL,             /* master signals its children (other uids) */
    CAP_SETGID,           /* drop to the mail users */
    CAP_SETUID,           /* drop to the mail users */
    CAP_NET_BIND_SERVICE, /* ports 25, 465, 587 */
    CAP_SYS_CHROOT,       /* Dovecot's anvil chroots to an empty directory */
    CAP_SYS_RESOURCE,     /* Exim and Postfix raise their file limits */
};

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom"};

/* Host directories replaced by an empty tmpfs (when they exist). */
static const char *const masked_dirs[] = {
    "/run",     "/root",     "/home",      "/etc/ssh",  "/etc/ssl/private", "/etc/security",
    "/var/lib", "/var/mail", "/var/spool", "/var/log",  "/var/backups",     "/var/tmp",
    "/srv",     "/mnt",      "/media",     "/var/cache"};

/* Host files replaced by /dev/null (when they exist). */
static const char *const masked_files[] = {"/etc/shadow", "/etc/gshadow", "/etc/shadow-",
                                           "/etc/gshadow-"};

#define FAIL(step)                                                                                 \
    do {                                                                                           \
        *what = (step);                                                                            \
        return errno ? errno : EPERM;                                                              \
    } while (0)

/* mkdir_p - every component of an absolute path, in a fixed buffer */

static int mkdir_p(const char *path)
{
    char buf[512];
    size_t len = strlen(path);
    size_t i;

    if (len == 0 || len >= sizeof(buf) || path[0] != '/') {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, len + 1);
    for (i = 1; i <= len; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];

            buf[i] = 0;
            if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}

/* is_kind - 1 if path exists and is a directory (dir) or not */

static int is_kind(const char *path, int dir)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return 0;
    return dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* below - 1 if path is prefix or inside it */

static int below(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(path, prefix, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* attach - a detached tree (open_tree) onto path, made if missing */

static int attach(int fd, const char *path, int as_file)
{
    if (as_file) {
        int f = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);

        if (f < 0)
            return -1;
        close(f);
    } else if (mkdir_p(path) < 0) {
        return -1;
    }
    return move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
}

/* bind_into - path (and what is mounted below it) at rootfs/path, made if missing */

/* join - a then b in buf (no stdio after fork in a threaded process); -1 if too long */

static int join(char *buf, size_t size, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);

    if (na + nb + 1 > size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, a, na);
    memcpy(buf + na, b, nb + 1);
    return 0;
}

static int bind_into(const char *rootfs, const char *path)
{
    char where[700];

    if (join(where, sizeof(where), rootfs, path) < 0)
        return -1;
    if (mkdir_p(where) < 0)
        return -1;
    return mount(path, where, NULL, MS_BIND | MS_REC, NULL);
}

/*
 * enter_rootfs - the host's view is contained by now (read-only, masks,
 * our /dev, /tmp and run directories): the release's root file system,
 * re-attached where it was and read-only with the rest, becomes the
 * root (a bind keeps the flags of what it binds), with that same /dev, /proc, /tmp and run root in
 * it and a small tmpfs of its own on /run. A chroot, not pivot_root: a
 * root process may climb out of a chroot, but only into the contained
 * view above, which is no more than it had.
 */
static int enter_rootfs(const struct mta_contain *params)
{
    const char *r = params->rootfs;
    char where[700];

    /* r is a mount of its own by now (re-attached, read-only with the rest). */
    if (join(where, sizeof(where), r, "/run") < 0 ||
        mount("relaylab-run", where, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=0755,size=1m") < 0)
        return -1;
    if (bind_into(r, "/dev") < 0 || bind_into(r, "/proc") < 0 || bind_into(r, "/tmp") < 0)
        return -1;
    if (!below(params->run_root, "/tmp") && bind_into(r, params->run_root) < 0)
        return -1;
    if (chdir(r) < 0 || chroot(".") < 0 || chdir("/") < 0)
        return -1;
    return 0;
}

/*
 * deny_keyrings - a seccomp filter: the kernel's keyrings are not
 * namespaced by anything we unshare, so add_key, keyctl and request_key
 * fail with EPERM (a key put in root's keyring would outlive the run);
 * so does every system call of a foreign ABI, which the filter cannot
 * read by number.
 */
static int deny_keyrings(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RELAYLAB_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __X32_SYSCALL_BIT
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 3, 0),
#else
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, 3, 0),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_add_key, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_keyctl, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_request_key, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};

    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

/* drop_caps - shrink the bounding set to keep_caps */

static int drop_caps(void)
{
    int cap;

    for (cap = 0; cap < 64; cap++) {
        size_t i;
        int keep = 0;

        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
            break; /* past the kernel's last capability */
        for (i = 0; i < sizeof(keep_caps) / sizeof(keep_caps[0]); i++)
            keep |= keep_caps[i] == cap;
        if (!keep && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return -1;
    }
    /* Nothing inherited past execve(2) beyond the bounding set. */
    return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

/* mta_contain_open - see mta_contain.h */

int mta_contain_open(const char *dir, const char *path)
{
    struct open_how how;
    struct stat st;
    size_t n = strlen(dir);
    int dfd, fd, e;

    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (strncmp(path, dir, n) != 0 || path[n] != '/' || path[n + 1] == 0) {
        errno = EXDEV;
        return -1;
    }
    if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    memset(&how, 0, sizeof(how));
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    fd = (int)syscall(SYS_openat2, dfd, path + n + 1, &how, sizeof(how));
    e = errno;
    close(dfd);
    if (fd < 0) {
        errno = e;
        return -1;
    }
    /* A FIFO or device planted there would block or misbehave: files only. */
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

/* mta_contain_available - root may make mount namespaces */

int mta_contain_available(void)
{
    return geteuid() == 0;
}

/* mta_contain_enter - see mta_contain.h */

int mta_contain_enter(const struct mta_contain *params, const char **what)
{
    int dev_fd[sizeof(dev_nodes) / sizeof(dev_nodes[0])];
    struct mount_attr ro = {0};
    struct mount_attr rw = {0};
    int run_fd, root_fd = -1;
    size_t i;

    errno = 0;
    if (params->run_root[0] != '/' || !below(params->writable, params->run_root)) {
        errno = EINVAL;
        FAIL("paths");
    }
    /* Our own mounts and our own System V IPC (nothing left in the host's). */
    if (unshare(CLONE_NEWNS | CLONE_NEWIPC) < 0)
        FAIL("unshare(CLONE_NEWNS | CLONE_NEWIPC)");
    /* Nothing we mount here may show up in the harness's view. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        FAIL("make mounts private");

    /* What the new view keeps, cloned before the masks hide it. */
    for (i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
        char path[32];

        memcpy(path, "/dev/", 5);
        memcpy(path + 5, dev_nodes[i], strlen(dev_nodes[i]) + 1);
        if ((dev_fd[i] = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
            FAIL("clone a /dev node");
    }
    if ((run_fd = open_tree(AT_FDCWD, params->run_root,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)) < 0)
        FAIL("clone the run root");
    /* A release's root file system lives where a mask goes (/var/lib). */
    if (params->rootfs != NULL &&
        (params->rootfs[0] != '/' ||
         (root_fd = open_tree(AT_FDCWD, params->rootfs,
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)) < 0))
        FAIL("clone the release's root file system");

    /* Masks: a fresh /dev, /tmp, and empty host directories. */
    if (mount("relaylab-dev", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
        FAIL("tmpfs on /dev");
    for (i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
        char path[32];

        memcpy(path, "/dev/", 5);
        memcpy(path + 5, dev_nodes[i], strlen(dev_nodes[i]) + 1);
        if (attach(dev_fd[i], path, 1) < 0)
            FAIL("a /dev node");
        close(dev_fd[i]);
    }
    if (symlink("/proc/self/fd", "/dev/fd") < 0 || mkdir("/dev/shm", 01777) < 0)
        FAIL("/dev links");
    if (mount("relaylab-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=1777,size=16m") < 0)
        FAIL("tmpfs on /tmp");
    for (i = 0; i < sizeof(masked_dirs) / sizeof(masked_dirs[0]); i++)
        if (is_kind(masked_dirs[i], 1) &&
            mount("relaylab-mask", masked_dirs[i], "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "mode=0755,size=16k") < 0)
            FAIL("mask a host directory");
    for (i = 0; i < sizeof(masked_files) / sizeof(masked_files[0]); i++)
        if (is_kind(masked_files[i], 0) &&
            mount("/dev/null", masked_files[i], NULL, MS_BIND, NULL) < 0)
            FAIL("mask a host file");

    /* The run directories again, where they were (the masks may have hidden them). */
    if (attach(run_fd, params->run_root, 0) < 0)
        FAIL("re-attach the run root");
    close(run_fd);
    if (root_fd >= 0) {
        if (attach(root_fd, params->rootfs, 0) < 0)
            FAIL("re-attach the release's root file system");
        close(root_fd);
    }
    if (mount(params->writable, params->writable, NULL, MS_BIND | MS_REC, NULL) < 0)
        FAIL("bind the writable directory");
    for (i = 0; i < MTA_CONTAIN_READONLY_MAX && params->readonly[i]; i++)
        if (!below(params->readonly[i], params->writable) ||
            mount(params->readonly[i], params->readonly[i], NULL, MS_BIND | MS_REC, NULL) < 0)
            FAIL("bind a read-only directory");

    /*
     * Our PID namespace's own /proc, when the kernel allows a new one;
     * the host's otherwise (read-only below, and without CAP_SYS_PTRACE
     * no other process's root, memory or environment is readable).
     */
    (void)mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);

    ro.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
    if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) < 0)
        FAIL("read-only host");
    /* Writable, but nothing written there runs (a root service of ../../tmp/x). */
    rw.attr_clr = MOUNT_ATTR_RDONLY;
    rw.attr_set = MOUNT_ATTR_NOEXEC;
    /* Not recursive: the read-only binds below it stay read-only. */
    if (mount_setattr(AT_FDCWD, params->writable, 0, &rw, sizeof(rw)) < 0 ||
        mount_setattr(AT_FDCWD, "/tmp", 0, &rw, sizeof(rw)) < 0)
        FAIL("writable run directory");
    if (params->rootfs != NULL && enter_rootfs(params) < 0)
        FAIL("the release's root file system");
    if (deny_keyrings() < 0)
        FAIL("seccomp filter");
    if (drop_caps() < 0)
        FAIL("capability bounding set");
    return 0;
}

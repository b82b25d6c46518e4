/*++
 * NAME
 *	mta_proc 3
 * SUMMARY
 *	start and end one supervised child process
 * DESCRIPTION
 *	See mta_proc.h.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "mta_contain.h"
#include "mta_proc.h"
#include "smtp_transport.h"

/*
 * What a started process gets for an environment: nothing of the
 * harness's (a CI job's secrets live there, and a config can pass its
 * environment on: Postfix's import_environment, Exim's keep_environment).
 */
static const char *const clean_env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};

#define MTA_PROC_NPROC_MAX 4096       /* processes per user of a contained MTA */
#define MTA_PROC_TAIL_MAX (64 * 1024) /* bytes of a log's end that log_tail reads */

struct failure {
    int errno_value;
    const char *what; /* a static string: the same address in parent and child */
};

/* child_fail - a child's last words to mta_proc_spawn, then its end */

static void child_fail(int fd, int errno_value, const char *what)
{
    struct failure failure = {errno_value, what};

    (void)!write(fd, &failure, sizeof(failure));
    _exit(127);
}

#define MTA_PROC_KILL SIGUSR2 /* to the process between: kill the init, reap it, go */

static volatile sig_atomic_t leader; /* the namespace's first process, for on_stop */

/*
 * on_stop - pass the signal on; MTA_PROC_KILL (sent to the process between
 * us and the init) kills the init at once, which ends every process of
 * its namespace before the init can be reaped.
 */
static void on_stop(int sig)
{
    if (leader > 0)
        kill((pid_t)leader, sig == MTA_PROC_KILL ? SIGKILL : sig);
}

/* forward - pass SIGTERM, SIGINT, SIGHUP on to leader, and wait for child; its status */

static int forward(pid_t child, int reap_all)
{
    struct sigaction sa;
    int status = 0;
    pid_t w;

    leader = child;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(MTA_PROC_KILL, &sa, NULL);
    /* As PID 1 of a namespace, every orphan there is ours to reap too. */
    while ((w = waitpid(reap_all ? -1 : child, &status, 0)) != child)
        if (w < 0 && errno != EINTR)
            break;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* drop_all_caps - no capability left at all (the init below needs none) */

static void drop_all_caps(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];

    memset(data, 0, sizeof(data));
    (void)syscall(SYS_capset, &hdr, data);
}

/*
 * contained - the forked child, on its way to argv: a new PID namespace
 * whose PID 1 is a small init of ours (contained, with no capability
 * left) and argv[0] its child, so that whatever the MTA starts, however
 * detached (setsid, double fork), ends when it ends. The init, not the
 * MTA, is PID 1: an MTA that ends itself by raising its signal again
 * (Postfix's master does) could not as PID 1. SIGTERM is passed down
 * both steps. Never returns.
 */
static void contained(const struct mta_contain *contain, char *const argv[], int errpipe[2])
{
    struct failure failure = {0, NULL};
    pid_t init, mta;

    if (unshare(CLONE_NEWPID) < 0)
        child_fail(errpipe[1], errno, "unshare(CLONE_NEWPID)");
    if ((init = fork()) < 0)
        child_fail(errpipe[1], errno, "fork");
    if (init > 0) {
        close(errpipe[1]);
        _exit(forward(init, 0));
    }
    /* PID 1 of its namespace: if the one between dies, so does all of it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /*
     * A fork bomb from a config's command (run as the mail users, whom
     * RLIMIT_NPROC counts) stops here, not at the host's PID limit.
     */
    {
        struct rlimit nproc = {MTA_PROC_NPROC_MAX, MTA_PROC_NPROC_MAX};

        (void)setrlimit(RLIMIT_NPROC, &nproc);
    }
    if ((failure.errno_value = mta_contain_enter(contain, &failure.what)) != 0)
        child_fail(errpipe[1], failure.errno_value, failure.what);
    if ((mta = fork()) < 0)
        child_fail(errpipe[1], errno, "fork");
    if (mta == 0) {
        execve(argv[0], argv, (char *const *)clean_env);
        child_fail(errpipe[1], errno, "execve");
    }
    close(errpipe[1]);
    drop_all_caps();
    _exit(forward(mta, 1));
}

/*
 * keep_only_errpipe - close every descriptor but 0, 1, 2 and the error
 * pipe's write end (moved to 3, close-on-exec). Other threads fork too:
 * without this the init and the process between, which never exec, kept
 * whatever the harness had open at that instant, another spawn's error
 * pipe among it, whose read then never saw its end (a hang under -j 4).
 */
static void keep_only_errpipe(int errpipe[2])
{
    if (errpipe[1] != 3 && dup3(errpipe[1], 3, O_CLOEXEC) < 0)
        child_fail(errpipe[1], errno, "dup3");
    errpipe[1] = 3;
    errpipe[0] = -1;
    if (close_range(4, ~0U, 0) < 0)
        child_fail(errpipe[1], errno, "close_range");
}

/* lift_errpipe - the error pipe's write end above 0-2, which the child is about to replace */

static void lift_errpipe(int errpipe[2])
{
    int fd = fcntl(errpipe[1], F_DUPFD_CLOEXEC, 3);

    if (fd < 0)
        child_fail(errpipe[1], errno, "fcntl(F_DUPFD_CLOEXEC)");
    errpipe[1] = fd;
}

/* mta_proc_spawn - start argv in its own process group */

int mta_proc_spawn(struct mta_proc *p, char *const argv[], const char *log_path,
                   const struct mta_contain *contain, struct smtp_error *err)
{
    return mta_proc_spawn_env(p, argv, NULL, 0, log_path, contain, err);
}

/*
 * own_proc - a /proc of our PID namespace in a mount namespace of our
 * own: a container engine's runc, run in relaylab's PID namespace, reads
 * /proc/PID of its children by the PIDs it sees (the harness itself keeps
 * the host's /proc). 0, or -1 with errno.
 */
static int own_proc(void)
{
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    return mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* mta_proc_spawn_env - the same with envp (NULL: the clean one) */

int mta_proc_spawn_env(struct mta_proc *p, char *const argv[], char *const envp[], int flags,
                       const char *log_path, const struct mta_contain *contain,
                       struct smtp_error *err)
{
    struct failure failure = {0, NULL};
    int errpipe[2];
    pid_t parent = getpid();
    pid_t pid;
    ssize_t n;

    memset(p, 0, sizeof(*p));
    snprintf(p->log_path, sizeof(p->log_path), "%s", log_path);
    if (pipe2(errpipe, O_CLOEXEC) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "pipe: %s", strerror(errno));
    if ((pid = fork()) < 0) {
        close(errpipe[0]);
        close(errpipe[1]);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        int fd;

        lift_errpipe(errpipe);
        setsid();
        /* Die with the harness, even when it is killed with SIGKILL. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        /* Never the harness's terminal, never a closed 0-2 that the MTA's next open() takes. */
        if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0)
            child_fail(errpipe[1], errno, "/dev/null");
        if (fd > 2)
            close(fd);
        if ((fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0 || dup2(fd, 1) < 0 ||
            dup2(fd, 2) < 0)
            child_fail(errpipe[1], errno, "the log file");
        if (fd > 2)
            close(fd);
        keep_only_errpipe(errpipe);
        if ((flags & MTA_PROC_OWN_PROC) && own_proc() < 0)
            child_fail(errpipe[1], errno, "a /proc of our own");
        if (contain != NULL)
            contained(contain, argv, errpipe);
        execve(argv[0], argv, envp ? envp : (char *const *)clean_env);
        child_fail(errpipe[1], errno, "execve");
    }
    close(errpipe[1]);
    while ((n = read(errpipe[0], &failure, sizeof(failure))) < 0 && errno == EINTR)
        ;
    close(errpipe[0]);
    if (n == sizeof(failure)) {
        waitpid(pid, NULL, 0);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, failure.errno_value, "cannot run %s: %s: %s",
                              argv[0], failure.what, strerror(failure.errno_value));
    }
    p->pid = pid;
    p->contained = contain != NULL;
    return 0;
}

/* mta_proc_alive - 1 while running */

int mta_proc_alive(struct mta_proc *p)
{
    pid_t r;

    if (p->pid <= 0)
        return 0;
    r = waitpid(p->pid, &p->status, WNOHANG);
    if (r == p->pid || (r < 0 && errno == ECHILD)) {
        p->pid = 0;
        return 0;
    }
    return 1;
}

/* mta_proc_stop - end the group we started */

void mta_proc_stop(struct mta_proc *p, long grace_ms)
{
    long deadline;
    pid_t pid = p->pid;

    if (pid <= 0)
        return;
    if (grace_ms == 0 && p->contained) {
        /*
         * The init killed by the process between, which reaps it: when
         * that one is gone, so is every process of the namespace (the
         * kernel ends them all before their init can be reaped). A
         * group SIGKILL below only if it does not go in time.
         */
        kill(pid, MTA_PROC_KILL);
        grace_ms = 1000;
    } else {
        kill(-pid, SIGTERM);
        kill(pid, SIGTERM);
    }
    deadline = smtp_transport_now() + grace_ms;
    while (smtp_transport_now() < deadline) {
        pid_t r = waitpid(pid, &p->status, WNOHANG);

        if (r == pid || (r < 0 && errno == ECHILD)) {
            p->pid = 0;
            break;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    /* The leader is gone or slow; its helpers (same group) go now. */
    kill(-pid, SIGKILL);
    if (p->pid > 0) {
        waitpid(pid, &p->status, 0);
        p->pid = 0;
    }
    /*
     * As PID 1 of the sandbox we inherit the MTA's orphans (Postfix's
     * and Dovecot's helpers): reap the ones that have exited.
     */
    if (getpid() == 1)
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
}

/* mta_proc_capture - run argv to its end; its output in out */

int mta_proc_capture(char *const argv[], char *const envp[], int flags, char *out, size_t size,
                     long timeout_ms, struct smtp_error *err)
{
    int fds[2];
    size_t used = 0;
    long deadline = smtp_transport_now() + timeout_ms;
    int status = 0, timed_out = 0, exited = 0;
    pid_t pid;

    if (size == 0 || pipe2(fds, O_CLOEXEC) < 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "pipe: %s", strerror(errno));
    out[0] = 0;
    if ((pid = fork()) < 0) {
        close(fds[0]);
        close(fds[1]);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        int fd = open("/dev/null", O_RDONLY);

        setsid();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd < 0 || dup2(fd, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0 ||
            ((flags & MTA_PROC_OWN_PROC) && own_proc() < 0))
            _exit(127);
        (void)close_range(3, ~0U, 0);
        execve(argv[0], argv, envp ? envp : (char *const *)clean_env);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        long left = deadline - smtp_transport_now();
        char drop[512];
        ssize_t n;

        if (left <= 0) {
            timed_out = 1;
            break;
        }
        /*
         * Its end, not the output's: a helper it left behind (a daemon
         * of the engine's) may hold the pipe open for ever. Once it is
         * gone, what is in the pipe is read without waiting.
         */
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = 1;
            (void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
        }
        if (!exited && poll(&pfd, 1, (int)(left > 100 ? 100 : left)) <= 0)
            continue;
        if (used + 1 < size)
            n = read(fds[0], out + used, size - used - 1);
        else
            n = read(fds[0], drop, sizeof(drop)); /* past size: read, not kept */
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (used + 1 < size)
            used += (size_t)n;
    }
    out[used] = 0;
    close(fds[0]);
    if (timed_out)
        kill(-pid, SIGKILL);
    while (!exited && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out)
        return smtp_error_set(err, SMTP_ERR_TIMEOUT, ETIMEDOUT, "%s did not end in %ld s", argv[0],
                              timeout_ms / 1000);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && used == 0)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOENT, "cannot run %s", argv[0]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* mta_proc_log_tail - lines matching pattern, else the last ones */

void mta_proc_log_tail(const char *beneath, const char *path, const char *pattern, char *buf,
                       size_t size)
{
    int fd = mta_contain_open(beneath, path);
    FILE *fp = fd >= 0 ? fdopen(fd, "r") : NULL;
    char line[1024];
    size_t used = 0;

    if (size == 0) {
        if (fp)
            fclose(fp);
        return;
    }
    buf[0] = 0;
    if (fp == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    {
        struct stat st;

        /* Only the end of a log: a hostile MTA can make it as long as it likes. */
        if (fstat(fd, &st) == 0 && st.st_size > MTA_PROC_TAIL_MAX &&
            fseeko(fp, st.st_size - MTA_PROC_TAIL_MAX, SEEK_SET) == 0)
            (void)!fgets(line, sizeof(line), fp); /* the rest of a cut line */
    }
    while (fgets(line, sizeof(line), fp) != NULL) {
        size_t len = strlen(line);

        /* With a pattern, only the lines that hold it. */
        if (pattern && strstr(line, pattern) == NULL)
            continue;
        if (used + len + 1 > size) {
            /* keep the newest: drop the oldest half, to a whole line */
            size_t half = used / 2;
            char *nl = memchr(buf + half, '\n', used - half);

            if (nl != NULL)
                half = (size_t)(nl + 1 - buf);
            memmove(buf, buf + half, used - half);
            used -= half;
            if (used + len + 1 > size)
                continue;
        }
        memcpy(buf + used, line, len);
        used += len;
        buf[used] = 0;
    }
    fclose(fp);
    /* One line for a message: lines joined by " | ", no line end at the end. */
    while (used > 0 && (buf[used - 1] == '\n' || buf[used - 1] == '\r'))
        buf[--used] = 0;
    {
        char *p;

        while ((p = strchr(buf, '\n')) != NULL && used + 2 < size) {
            memmove(p + 3, p + 1, used - (size_t)(p + 1 - buf) + 1);
            memcpy(p, " | ", 3);
            used += 2;
        }
        for (p = buf; (p = strchr(p, '\n')) != NULL;)
            *p = ' '; /* no room to join: a blank */
    }
}

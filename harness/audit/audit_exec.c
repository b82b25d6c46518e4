/*++
 * NAME
 *	audit_exec 3
 * SUMMARY
 *	ask one of the MTA's own programs
 * DESCRIPTION
 *	See audit_exec.h.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit_exec.h"

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* child - stdin, stdout, stderr in place, nothing else open, then argv */

static void child(char *const argv[], int in, int out, int merge)
{
    static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", "LC_ALL=C", NULL};
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);

    (void)setpgid(0, 0); /* a group of its own: ended whole, by its PID */
    if (null < 0 || dup2(in >= 0 ? in : null, 0) < 0 || dup2(out, 1) < 0 ||
        dup2(merge ? out : null, 2) < 0)
        _exit(127);
    closefrom(3);
    execve(argv[0], argv, envp);
    _exit(127);
}

/* collect - the output until end of file or the deadline; 0, or -1 with err */

static int collect(int fd, char *out, size_t size, long deadline, const char *name,
                   struct smtp_error *err)
{
    size_t used = 0;

    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        long left = deadline - now_ms();
        ssize_t n;

        if (left <= 0)
            return smtp_error_set(err, SMTP_ERR_TIMEOUT, 0, "%s took too long", name);
        if (poll(&pfd, 1, (int)left) < 0) {
            if (errno == EINTR)
                continue;
            return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "poll: %s", strerror(errno));
        }
        if (used + 1 >= size)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, EFBIG, "%s said more than %zu bytes",
                                  name, size - 1);
        n = read(fd, out + used, size - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "read from %s: %s", name,
                                  strerror(errno));
        if (n == 0)
            break;
        used += (size_t)n;
    }
    out[used] = 0;
    return 0;
}

static int run(char *const argv[], const char *input, char *out, size_t size, long timeout_ms,
               int merge, struct smtp_error *err)
{
    const char *slash = strrchr(argv[0], '/');
    const char *name = slash ? slash + 1 : argv[0];
    int in[2] = {-1, -1}, pipe_out[2];
    long deadline = now_ms() + timeout_ms;
    int status = 0, rc;
    pid_t pid;

    if (size == 0 || argv[0][0] != '/')
        return smtp_error_set(err, SMTP_ERR_INTERNAL, EINVAL, "audit_exec: %s", argv[0]);
    if (input && (strlen(input) > AUDIT_EXEC_INPUT_MAX || pipe2(in, O_CLOEXEC) < 0))
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno ? errno : EFBIG,
                              "input for %s: too long or no pipe", name);
    /* The whole input fits the pipe: written now, nothing can wait on both sides. */
    if (input) {
        int bad = write(in[1], input, strlen(input)) != (ssize_t)strlen(input);
        int e = errno;

        bad |= close(in[1]) != 0; /* closed on every path */
        if (bad) {
            close(in[0]);
            return smtp_error_set(err, SMTP_ERR_INTERNAL, e, "input for %s: %s", name, strerror(e));
        }
    }
    if (pipe2(pipe_out, O_CLOEXEC) < 0) {
        rc = smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "pipe: %s", strerror(errno));
        goto out_in;
    }
    if ((pid = fork()) < 0) {
        rc = smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "fork: %s", strerror(errno));
        close(pipe_out[0]);
        close(pipe_out[1]);
        goto out_in;
    }
    if (pid == 0)
        child(argv, in[0], pipe_out[1], merge);
    close(pipe_out[1]);
    rc = collect(pipe_out[0], out, size, deadline, name, err);
    close(pipe_out[0]);
    if (rc < 0)
        kill(-pid, SIGKILL); /* ours, by its PID: the group it made */
    /* It closed its output: it has until the deadline to end, then it is ended. */
    for (;;) {
        pid_t w = waitpid(pid, &status, rc < 0 ? 0 : WNOHANG);

        if (w == pid || (w < 0 && errno != EINTR))
            break;
        if (w == 0 && now_ms() >= deadline) {
            kill(-pid, SIGKILL);
            rc = smtp_error_set(err, SMTP_ERR_TIMEOUT, 0, "%s took too long", name);
            continue;
        }
        if (w == 0) {
            struct timespec ts = {0, 5000000};

            nanosleep(&ts, NULL);
        }
    }
    if (rc == 0 && !WIFEXITED(status))
        rc = smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "%s ended by signal %d", name,
                            WTERMSIG(status));
    else if (rc == 0 && WEXITSTATUS(status) == 127)
        rc = smtp_error_set(err, SMTP_ERR_INTERNAL, 0, "cannot run %s", argv[0]);
    else if (rc == 0)
        rc = WEXITSTATUS(status);
out_in:
    if (in[0] >= 0)
        close(in[0]);
    return rc;
}

int audit_exec(char *const argv[], const char *input, char *out, size_t size, long timeout_ms,
               struct smtp_error *err)
{
    return run(argv, input, out, size, timeout_ms, 0, err);
}

int audit_exec_all(char *const argv[], char *out, size_t size, long timeout_ms,
                   struct smtp_error *err)
{
    return run(argv, NULL, out, size, timeout_ms, 1, err);
}

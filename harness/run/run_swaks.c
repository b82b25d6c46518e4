/*++
 * NAME
 *	run_swaks 3
 * SUMMARY
 *	a cell's dialogues driven by swaks, for the benchmark
 * DESCRIPTION
 *	See run_swaks.h. One dialogue becomes one swaks command line: the
 *	connect step its --server and --local-interface, each command its
 *	flag, the last command reached its --quit-after (unless the
 *	dialogue sends a message, which swaks then completes).
 *--*/
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_client.h"
#include "run_swaks.h"

#define ARGV_MAX 48
#define SWAKS_PATH "/usr/bin/swaks" /* Debian's package */
#define SWAKS_MAX_S 60              /* one swaks dialogue at most, then SIGKILL */

/* The command line of one dialogue, and the strings it points into. */
struct swaks_cmd {
    char *argv[ARGV_MAX];
    int argc;
    int have_data;
    int overflow;    /* an option did not fit or was refused: the dialogue is not run */
    int have_server; /* a connect step: without one swaks asks for a server */
    char quit[16];
    char buf[8192]; /* "--option=value" strings argv points into */
    size_t used;
};

static void arg(struct swaks_cmd *c, const char *a)
{
    if (c->argc < ARGV_MAX - 2) /* room for --quit-after and NULL */
        c->argv[c->argc++] = (char *)a;
    else
        c->overflow = 1;
}

/*
 * opt - "--NAME=VALUE", refused when VALUE begins with "-". swaks splits
 * "--NAME=VALUE" back into two words itself, and its options take
 * optional values, so a scenario's word such as "--output-file=/etc/passwd"
 * after "ehlo" would be read as an option of its own, run as root on the
 * host. Such a dialogue is not driven by swaks at all.
 */
static void opt(struct swaks_cmd *c, const char *name, const char *value)
{
    int n;

    if (value[0] == '-') {
        c->overflow = 1;
        return;
    }
    n = snprintf(c->buf + c->used, sizeof(c->buf) - c->used, "--%s=%s", name, value);
    if (n < 0 || (size_t)n >= sizeof(c->buf) - c->used) {
        c->overflow = 1;
        return;
    }
    arg(c, c->buf + c->used);
    c->used += (size_t)n + 1;
}

/* step_args - one step's flags; 0, or -1 where swaks must stop (a raw line) */

static int step_args(struct swaks_cmd *c, const struct scenario_step *st, struct mta_env *env,
                     const struct mta_instance *inst, const char *outside)
{
    const char *user, *pass;
    int port;

    switch (st->op) {
    case SCN_CONNECT: {
        const char *from, *server;
        char number[16], why[300];

        /* A client that cannot be here: the run said not applicable, swaks stops. */
        if (run_client_where(env, inst, st->arg2, outside, &from, &server, why, sizeof(why)) < 0)
            return -1;
        port = run_client_port(inst, st->arg);
        snprintf(number, sizeof(number), "%d", port);
        /* The instance's address of the client's family (run_client_where()). */
        opt(c, "server", server);
        opt(c, "port", number);
        opt(c, "local-interface", from);
        if (port == 465)
            arg(c, "--tls-on-connect");
        c->have_server = 1;
        return 0;
    }
    case SCN_EHLO:
        if (st->arg)
            opt(c, "ehlo", st->arg);
        snprintf(c->quit, sizeof(c->quit), "first-helo");
        return 0;
    case SCN_STARTTLS:
        arg(c, "--tls");
        snprintf(c->quit, sizeof(c->quit), "tls");
        return 0;
    case SCN_AUTH:
        run_client_creds(env, st->arg2, &user, &pass);
        opt(c, "auth", st->arg);
        opt(c, "auth-user", user);
        opt(c, "auth-password", pass);
        snprintf(c->quit, sizeof(c->quit), "auth");
        return 0;
    case SCN_MAIL:
        opt(c, "from", strcmp(st->arg, "<>") == 0 ? "" : st->arg);
        snprintf(c->quit, sizeof(c->quit), "mail");
        return 0;
    case SCN_RCPT:
        opt(c, "to", st->arg);
        snprintf(c->quit, sizeof(c->quit), "rcpt");
        return 0;
    case SCN_DATA:
        c->have_data = 1;
        return 0;
    case SCN_RAW:
        return -1; /* swaks has no raw command */
    default:
        return 0;
    }
}

/* run_argv - argv to its end, output to /dev/null; the wall time in ms */

static long run_argv(char *const argv[])
{
    long t0 = mta_env_now_ms();
    pid_t parent = getpid();
    pid_t pid = fork();
    int pidfd;

    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);

        /* Not a process of ours left behind when the harness is killed. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent || fd < 0)
            _exit(127);
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
        /* No SWAKS_OPT_* from our environment, no ~/.swaksrc: only what argv says. */
        execve(SWAKS_PATH, argv, (char *const[]){"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL});
        _exit(127);
    }
    if (pid < 0)
        return -1;
    /* Whatever swaks waits for (it resets its own alarms), it ends in time. */
    if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) >= 0) {
        struct pollfd p = {pidfd, POLLIN, 0};

        if (poll(&p, 1, SWAKS_MAX_S * 1000) == 0)
            kill(pid, SIGKILL);
        close(pidfd);
    }
    waitpid(pid, NULL, 0);
    return mta_env_now_ms() - t0;
}

/*
 * swaks_dialogue - steps [first, end) of the cell's scenario as one swaks
 * run; its ms, or -1 when none of them connects for this MTA and variant
 * (swaks without --server would ask for one).
 */

static long swaks_dialogue(const struct run_cell *cell, size_t first, size_t end,
                           struct mta_env *env, const struct mta_instance *inst,
                           const char *outside)
{
    const struct scenario *s = cell->scenario;
    unsigned bit = scenario_mta_bit(mta_kind_name(cell->mta));
    struct swaks_cmd c;
    size_t i;

    memset(&c, 0, sizeof(c));
    arg(&c, "swaks");
    opt(&c, "silent", "2");
    opt(&c, "timeout", "10");
    for (i = first; i < end; i++)
        if (scenario_applies(&s->steps[i].where, bit, cell->variant, run_cell_release_bit(cell)) &&
            step_args(&c, &s->steps[i], env, inst, outside) < 0)
            break;
    /* A dialogue that ends before RCPT must say so: swaks asks for a To: forever. */
    if (!c.have_data)
        opt(&c, "quit-after", c.quit[0] ? c.quit : "connect");
    /* No connect step of this MTA and variant, or too long to say: nothing to run. */
    if (!c.have_server || c.overflow)
        return -1;
    c.argv[c.argc] = NULL;
    return run_argv(c.argv);
}

void run_swaks_cell(struct run_cell *cell, struct mta_env *env, const struct mta_instance *inst,
                    const char *outside)
{
    const struct scenario *s = cell->scenario;
    size_t i = 0;

    cell->swaks_ms = 0;
    while (i < s->nsteps) {
        size_t end = i;

        while (end < s->nsteps && s->steps[end].dialogue == s->steps[i].dialogue)
            end++;
        long ms = swaks_dialogue(cell, i, end, env, inst, outside); /* -1: not run */

        if (ms >= 0) {
            cell->swaks_ms += ms;
            cell->swaks_dialogues++;
        }
        i = end;
    }
}

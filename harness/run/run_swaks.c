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
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_client.h"
#include "run_swaks.h"

#define ARGV_MAX 48
#define SWAKS_MAX_S 60 /* one swaks dialogue at most, then SIGALRM */

/* The command line of one dialogue, and the strings it points into. */
struct swaks_cmd {
    char *argv[ARGV_MAX];
    int argc;
    int have_data;
    char server[64];
    char quit[16];
};

static void arg(struct swaks_cmd *c, const char *a)
{
    if (c->argc < ARGV_MAX - 3) /* room for --quit-after, its value and NULL */
        c->argv[c->argc++] = (char *)a;
}

/* step_args - one step's flags; 0, or -1 where swaks must stop (a raw line) */

static int step_args(struct swaks_cmd *c, const struct scenario_step *st, const struct mta_env *env,
                     const struct mta_instance *inst, const char *outside)
{
    const char *user, *pass;
    int port;

    switch (st->op) {
    case SCN_CONNECT:
        port = run_client_port(inst, st->arg);
        snprintf(c->server, sizeof(c->server), "%s:%d", inst->addr, port);
        arg(c, "--server");
        arg(c, c->server);
        arg(c, "--local-interface");
        arg(c, run_client_from(st->arg2, outside));
        if (port == 465)
            arg(c, "--tls-on-connect");
        return 0;
    case SCN_EHLO:
        if (st->arg) {
            arg(c, "--ehlo");
            arg(c, st->arg);
        }
        snprintf(c->quit, sizeof(c->quit), "first-helo");
        return 0;
    case SCN_STARTTLS:
        arg(c, "--tls");
        snprintf(c->quit, sizeof(c->quit), "tls");
        return 0;
    case SCN_AUTH:
        run_client_creds(env, st->arg2, &user, &pass);
        arg(c, "--auth");
        arg(c, st->arg);
        arg(c, "--auth-user");
        arg(c, user);
        arg(c, "--auth-password");
        arg(c, pass);
        snprintf(c->quit, sizeof(c->quit), "auth");
        return 0;
    case SCN_MAIL:
        arg(c, "--from");
        arg(c, strcmp(st->arg, "<>") == 0 ? "" : st->arg);
        snprintf(c->quit, sizeof(c->quit), "mail");
        return 0;
    case SCN_RCPT:
        arg(c, "--to");
        arg(c, st->arg);
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

    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);

        /* Not a process of ours left behind when the harness is killed. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        alarm(SWAKS_MAX_S); /* kept across exec: whatever swaks waits for, it ends */

        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return mta_env_now_ms() - t0;
}

/*
 * swaks_dialogue - steps [first, end) of the cell's scenario as one swaks
 * run; its ms, or -1 when none of them connects for this MTA and variant
 * (swaks without --server would ask for one).
 */

static long swaks_dialogue(const struct run_cell *cell, size_t first, size_t end,
                           const struct mta_env *env, const struct mta_instance *inst,
                           const char *outside)
{
    const struct scenario *s = cell->scenario;
    unsigned bit = scenario_mta_bit(mta_kind_name(cell->mta));
    struct swaks_cmd c;
    size_t i;

    memset(&c, 0, sizeof(c));
    arg(&c, "swaks");
    arg(&c, "--silent");
    arg(&c, "2");
    arg(&c, "--timeout");
    arg(&c, "10");
    for (i = first; i < end; i++)
        if (scenario_applies(&s->steps[i].where, bit, cell->variant) &&
            step_args(&c, &s->steps[i], env, inst, outside) < 0)
            break;
    if (c.server[0] == 0)
        return -1; /* no connect step of this MTA and variant: nothing to run */
    /* A dialogue that ends before RCPT must say so: swaks asks for a To: forever. */
    if (!c.have_data) {
        c.argv[c.argc++] = "--quit-after";
        c.argv[c.argc++] = c.quit[0] ? c.quit : "connect";
    }
    c.argv[c.argc] = NULL;
    return run_argv(c.argv);
}

void run_swaks_cell(struct run_cell *cell, const struct mta_env *env,
                    const struct mta_instance *inst, const char *outside)
{
    const struct scenario *s = cell->scenario;
    size_t i = 0;

    cell->swaks_ms = 0;
    while (i < s->nsteps) {
        size_t end = i;

        while (end < s->nsteps && s->steps[end].dialogue == s->steps[i].dialogue)
            end++;
        long ms = swaks_dialogue(cell, i, end, env, inst, outside);

        if (ms >= 0) {
            cell->swaks_ms += ms;
            cell->swaks_dialogues++;
        }
        i = end;
    }
}

/*++
 * NAME
 *	bench_sandbox 1
 * SUMMARY
 *	MTA sandbox start and stop times
 * SYNOPSIS
 *	bench_sandbox [instances]
 * DESCRIPTION
 *	In one isolated environment (as relaylab runs), for Postfix and
 *	then Exim: start N instances one after the other (start = render,
 *	certificates, sink, spawn, until every plain listener has sent its
 *	banner), then stop them one by one (stop = SIGTERM to the process
 *	group until the leader is reaped). Prints median and max of each,
 *	and the wall time to stand up and tear down all N. Dovecot is
 *	started once per environment, before the instances, as in a run.
 *--*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mta.h"

#define MAX_N 64

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return (x > y) - (x < y);
}

static long median(long *v, int n)
{
    qsort(v, (size_t)n, sizeof(long), cmp_long);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int run(struct mta_env *env, enum mta_kind kind, int n)
{
    struct mta_instance *inst[MAX_N];
    long start[MAX_N];
    long stop[MAX_N];
    long t0 = mta_env_now_ms();
    long up;
    int i;

    for (i = 0; i < n; i++) {
        struct mta_spec spec;
        struct smtp_error err;
        long t = mta_env_now_ms();

        mta_spec_init(&spec, kind);
        smtp_error_clear(&err);
        if ((inst[i] = mta_start(env, &spec, &err)) == NULL) {
            fprintf(stderr, "bench_sandbox: %s: %s\n", mta_kind_name(kind), err.msg);
            return -1;
        }
        start[i] = mta_env_now_ms() - t;
    }
    up = mta_env_now_ms() - t0;
    for (i = 0; i < n; i++) {
        long t = mta_env_now_ms();

        mta_stop(inst[i]);
        stop[i] = mta_env_now_ms() - t;
    }
    printf("%-8s n=%-3d start->banner: first %4ld ms, median %4ld ms, max %4ld ms | "
           "stop->gone: median %3ld ms, max %3ld ms | %d up: %5ld ms, %d up+down: %5ld ms\n",
           mta_kind_name(kind), n, start[0], median(start + 1, n - 1),
           (qsort(start, (size_t)n, sizeof(long), cmp_long), start[n - 1]), median(stop, n),
           (qsort(stop, (size_t)n, sizeof(long), cmp_long), stop[n - 1]), n, up, n,
           mta_env_now_ms() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20;
    struct mta_env_params params;
    struct mta_env *env;
    struct smtp_error err;
    long child;
    int rc = 0;

    if (n < 2 || n > MAX_N) {
        fprintf(stderr, "usage: bench_sandbox [2..%d]\n", MAX_N);
        return 2;
    }
    mta_env_params_default(&params);
    smtp_error_clear(&err);
    if ((child = mta_env_isolate(&params, &err)) < 0) {
        fprintf(stderr, "bench_sandbox: %s\n", err.msg);
        return 3;
    }
    if (child > 0)
        return mta_env_wait_isolated(child);
    if ((env = mta_env_open(&params, &err)) == NULL) {
        fprintf(stderr, "bench_sandbox: %s\n", err.msg);
        return 3;
    }
    /* As relaylab run does: one Dovecot for every instance. */
    {
        long t = mta_env_now_ms();

        if (mta_env_share_dovecot(env, &err) < 0) {
            fprintf(stderr, "bench_sandbox: %s\n", err.msg);
            mta_env_close(env);
            return 3;
        }
        printf("shared Dovecot: up in %ld ms (once per run)\n", mta_env_now_ms() - t);
    }
    for (int k = 0; k < MTA_KINDS && rc == 0; k++)
        if (run(env, (enum mta_kind)k, n) < 0)
            rc = 1;
    mta_env_close(env);
    return rc;
}

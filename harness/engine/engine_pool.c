/*++
 * NAME
 *	engine_pool 3
 * SUMMARY
 *	one worker pool for every front end
 * DESCRIPTION
 *	See engine_pool.h.
 *--*/
#include <errno.h>
#include <pthread.h>

#include "engine_pool.h"

struct pool {
    size_t n;
    size_t next; /* the next item, taken atomically */
    void (*fn)(void *ctx, size_t item);
    void *ctx;
};

/* worker - items until none is left */

static void *worker(void *arg)
{
    struct pool *p = arg;
    size_t item;

    while ((item = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < p->n)
        p->fn(p->ctx, item);
    return NULL;
}

/* engine_pool_run - see engine_pool.h */

int engine_pool_run(size_t workers, size_t n, void (*fn)(void *ctx, size_t item), void *ctx)
{
    pthread_t threads[ENGINE_POOL_MAX];
    struct pool p = {n, 0, fn, ctx};
    size_t started = 0;
    size_t i;

    if (workers > ENGINE_POOL_MAX)
        workers = ENGINE_POOL_MAX;
    if (workers > n)
        workers = n;
    if (workers <= 1) {
        worker(&p);
        return 0;
    }
    for (i = 0; i < workers; i++) {
        int rc = pthread_create(&threads[i], NULL, worker, &p);

        if (rc != 0) {
            errno = rc;
            break;
        }
        started++;
    }
    if (started == 0)
        return -1;
    for (i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return (int)started;
}

/*++
 * NAME
 *	engine_pool 3h
 * SUMMARY
 *	one worker pool for every front end
 * SYNOPSIS
 *	#include "engine_pool.h"
 * DESCRIPTION
 *	engine_pool_run() calls fn(ctx, item) once for every item in
 *	[0, n), on up to workers threads that take the next item as they
 *	finish one (an atomic counter: no queue, no allocation per item),
 *	and returns when all are done. relaylab send --concurrency (items:
 *	dialogues), relaylab run -j (items: batches of cells that share an
 *	MTA instance) and the fuzzer use it. With one worker, or one item,
 *	fn runs on the caller's thread.
 *
 *	A process spawned from a worker dies with that worker's thread
 *	(PR_SET_PDEATHSIG): a service that must outlive the items is
 *	started by the caller before (mta_env_share_dovecot()).
 * DIAGNOSTICS
 *	The number of threads that ran items (0: the caller's thread did),
 *	or -1 with errno when not one thread could be started and the
 *	items did not run.
 *--*/
#ifndef ENGINE_POOL_H
#define ENGINE_POOL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ENGINE_POOL_MAX 256 /* threads at most */

/* engine_pool_run - every item, on up to workers threads */
int engine_pool_run(size_t workers, size_t n, void (*fn)(void *ctx, size_t item), void *ctx);

#ifdef __cplusplus
}
#endif
#endif

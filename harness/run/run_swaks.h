/*++
 * NAME
 *	run_swaks 3h
 * SUMMARY
 *	a cell's dialogues driven by swaks, for the benchmark
 * SYNOPSIS
 *	#include "run_swaks.h"
 * DESCRIPTION
 *	run_swaks_cell() drives every dialogue of a cell again with swaks,
 *	one process each, against the same running instance, and records
 *	the time in cell->swaks_ms and the count in cell->swaks_dialogues
 *	(relaylab run --compare-swaks). Its verdicts are not checked: this
 *	is a speed comparison, and the runner's own dialogues are the test.
 *	Steps swaks cannot send (raw "C:" lines) end its dialogue there. A
 *	dialogue with a word swaks would take for an option (one beginning
 *	with "-") is not run by swaks at all: swaks runs as root on the host.
 *--*/
#ifndef RUN_SWAKS_H
#define RUN_SWAKS_H

#include "mta.h"
#include "mta_env.h"
#include "run.h"

/* run_swaks_cell - the cell's dialogues by swaks; outside is the outside client's address */
void run_swaks_cell(struct run_cell *cell, struct mta_env *env,
                    const struct mta_instance *inst, const char *outside);

#endif

/*++
 * NAME
 *	report_console 3h
 * SUMMARY
 *	a run's results for people, on a terminal
 * SYNOPSIS
 *	#include "report_console.h"
 * DESCRIPTION
 *	report_console() prints the scenario x MTA matrix, a line per cell
 *	that did not pass, and the count of cells that held. colour: ANSI
 *	colours (a terminal). The text is clean (run_cell_sanitize()): no
 *	control character reaches the terminal.
 *--*/
#ifndef REPORT_CONSOLE_H
#define REPORT_CONSOLE_H

#include <stdio.h>

#include "run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_console - the matrix and the failures, for people */
void report_console(FILE *fp, const struct run_cell *cells, size_t n, int colour);

#ifdef __cplusplus
}
#endif
#endif

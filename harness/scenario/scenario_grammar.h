/*++
 * NAME
 *	scenario_grammar 3h
 * SUMMARY
 *	what the scenario parser and writer share
 * SYNOPSIS
 *	#include "scenario_grammar.h"
 * DESCRIPTION
 *	The words a line may hold and the step verbs with their word counts,
 *	defined once (scenario.c) so that the writer (scenario_format.c)
 *	cannot drift from the parser. Internal to harness/scenario.
 *--*/
#ifndef SCENARIO_GRAMMAR_H
#define SCENARIO_GRAMMAR_H

#include <stddef.h>

#include "scenario.h"

#define SCENARIO_GRAMMAR_WORDS_MAX 32      /* words on one line */
#define SCENARIO_GRAMMAR_WHERE_NAME_MAX 64 /* a name in a [where] is shorter */

struct scenario_grammar_row {
    const char *verb;
    enum scenario_op op;
    size_t min, max; /* words, verb included */
};

/* The dialogue steps ("connect", ..., "S:"), and "expect" kinds. */
extern const struct scenario_grammar_row scenario_grammar_steps[];
extern const size_t scenario_grammar_nsteps;
extern const struct scenario_grammar_row scenario_grammar_expects[];
extern const size_t scenario_grammar_nexpects;

#endif

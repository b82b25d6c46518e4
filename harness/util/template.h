/*++
 * NAME
 *	template 3h
 * SUMMARY
 *	where relaylab's templates are: configs, report page, stylesheet
 * SYNOPSIS
 *	#include "template.h"
 *
 *	int	template_dir(kind, buf, size, why, why_size)
 * DESCRIPTION
 *	Templates are data files (STYLE.md, convention 12), kept next to
 *	their kind in the source tree (harness/KIND/templates) and
 *	installed under share/relaylab/templates/KIND. template_dir()
 *	finds KIND's directory ("mta", "report"), in this order:
 *
 *	1. $RELAYLAB_TEMPLATE_DIR/KIND, when the variable is set: then
 *	   nothing else, so that a wrong setting is an error, never
 *	   hidden by another copy of the templates;
 *	2. EXE/RELAYLAB_TEMPLATE_RELATIVE/KIND, EXE being the directory of
 *	   the running executable (installed: bin/../share/relaylab/templates);
 *	3. RELAYLAB_TEMPLATE_SOURCE/KIND/templates, the source tree the
 *	   program was built from (RELAYLAB_TEMPLATE_SOURCE is its harness/).
 *
 *	Both paths are compile-time definitions that CMakeLists.txt makes
 *	from its install directories and source directory.
 * DIAGNOSTICS
 *	0, or -1 with why (why_size bytes) naming every directory tried and
 *	why it did not do.
 *--*/
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TEMPLATE_ENV "RELAYLAB_TEMPLATE_DIR"

/* template_dir - the directory of KIND's templates into buf; 0, or -1 with why */
int template_dir(const char *kind, char *buf, size_t size, char *why, size_t why_size);

/*
 * template_scenarios - the scenario directory NAME ("seed", "policy"):
 * ./scenarios/NAME, else the installed share/relaylab/scenarios/NAME,
 * else the source tree's; 0, or -1 with buf "scenarios/NAME"
 */
int template_scenarios(const char *name, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif

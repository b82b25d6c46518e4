/*++
 * NAME
 *	lint_exim 3h
 * SUMMARY
 *	relaylab lint's checks of an Exim config
 * SYNOPSIS
 *	#include "lint_exim.h"
 *
 *	int	lint_exim(file, params, report, err)
 * DESCRIPTION
 *	lint_exim() reads one Exim runtime config (a line ending in "\"
 *	continues on the next; spec chapter 6): the main section's options
 *	and named lists (domainlist, hostlist), the ACL that acl_smtp_rcpt
 *	names with its accept, deny and require statements and their
 *	conditions, the redirect routers and the authenticators; and appends
 *	its findings to report (lint.h). ".include" files are not followed.
 *	The checks and their ids are listed in relaylab(1), "relaylab lint".
 * DIAGNOSTICS
 *	0, or -1: the file cannot be read (SMTP_ERR_USAGE, its path in the
 *	message) or out of memory (SMTP_ERR_INTERNAL).
 *--*/
#ifndef LINT_EXIM_H
#define LINT_EXIM_H

#include "lint.h"

#ifdef __cplusplus
extern "C" {
#endif

/* lint_exim - the config in file, linted into report */
int lint_exim(const char *file, const struct lint_params *params, struct lint_report *report,
              struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	lint_postfix 3h
 * SUMMARY
 *	relaylab lint's checks of a Postfix config
 * SYNOPSIS
 *	#include "lint_postfix.h"
 *
 *	int	lint_postfix(dir, params, report, err)
 * DESCRIPTION
 *	lint_postfix() reads DIR/main.cf, DIR/master.cf and the tables
 *	they name inside DIR (lint_pfconf, lint_pftable), lints every
 *	smtpd service of master.cf with its -o overrides applied, and
 *	appends its findings to report (lint.h). The checks and their ids
 *	are listed in relaylab(1), "relaylab lint".
 * DIAGNOSTICS
 *	0, or -1: main.cf cannot be read (SMTP_ERR_USAGE, its path in the
 *	message) or out of memory (SMTP_ERR_INTERNAL).
 *--*/
#ifndef LINT_POSTFIX_H
#define LINT_POSTFIX_H

#include "lint.h"

#ifdef __cplusplus
extern "C" {
#endif

/* lint_postfix - the config in dir, linted into report */
int lint_postfix(const char *dir, const struct lint_params *params, struct lint_report *report,
                 struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

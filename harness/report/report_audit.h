/*++
 * NAME
 *	report_audit 3h
 * SUMMARY
 *	an audit's result as text, JSON, SARIF 2.1.0 and JUnit XML
 * SYNOPSIS
 *	#include "report_audit.h"
 * DESCRIPTION
 *	Everything an MTA said (its banner, replies, log lines, the
 *	recipients the sink got) goes through smtp_sanitize() first, in
 *	every format. The files are written whole: a new file beside the
 *	target, renamed into place.
 *	The SARIF log has one rule per trick family ("open-relay/FAMILY"),
 *	one result per finding at the config line responsible when known
 *	(else the config file); the JUnit suite one test per family tried,
 *	failed for a finding, skipped where the family does not apply.
 *--*/
#ifndef REPORT_AUDIT_H
#define REPORT_AUDIT_H

#include <stdio.h>

#include "audit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the audit was run on, for the reports. */
struct report_audit_meta {
    const char *version; /* relaylab's */
    const char *config;  /* the user's config (main.cf, or the Exim file) */
    const char *mta;
};

/* report_audit_text - the human summary */
void report_audit_text(FILE *out, const struct report_audit_meta *m, const struct audit_result *r);

/* report_audit_json - JSON to path ("-": stdout); 0, or -1 with err */
int report_audit_json(const char *path, const struct report_audit_meta *m,
                      const struct audit_result *r, struct smtp_error *err);

/* report_audit_sarif - SARIF 2.1.0 to path; 0, or -1 with err */
int report_audit_sarif(const char *path, const struct report_audit_meta *m,
                       const struct audit_result *r, struct smtp_error *err);

/* report_audit_junit - JUnit XML to path; 0, or -1 with err */
int report_audit_junit(const char *path, const struct report_audit_meta *m,
                       const struct audit_result *r, struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	audit_hints 3h
 * SUMMARY
 *	the words a config's own permits are keyed on, from lint's findings
 * SYNOPSIS
 *	#include "audit_hints.h"
 * DESCRIPTION
 *	A permit keyed on a sender, a HELO name or a recipient's local part
 *	(an access table's OK, an ACL's senders or local_parts, a condition
 *	on $sender_helo_name) is an open relay only for the words it names:
 *	noreply@example.com, web01.example.com, hostmaster@. The battery
 *	cannot guess them; lint reads them (client-controlled-permit), and
 *	audit_hints_from_lint() takes them from its findings, a regular
 *	expression turned into a string it matches (audit_regex_example()).
 *	Every word is checked: printable, no blank, no CR or LF, bounded.
 *--*/
#ifndef AUDIT_HINTS_H
#define AUDIT_HINTS_H

#include <stddef.h>

#include "audit_battery.h"
#include "lint.h"
#include "mta.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AUDIT_HINTS_MAX 16

struct audit_hints {
    char senders[AUDIT_HINTS_MAX][AUDIT_ADDR_MAX];
    char helos[AUDIT_HINTS_MAX][AUDIT_NAME_MAX];
    char locals[AUDIT_HINTS_MAX][64];
    const char *sender_ptr[AUDIT_HINTS_MAX], *helo_ptr[AUDIT_HINTS_MAX],
        *local_ptr[AUDIT_HINTS_MAX];
    size_t nsenders, nhelos, nlocals;
};

/* audit_lint_config - lint on a user's config (Postfix: main.cf's directory); rep empty on error */
void audit_lint_config(enum mta_kind mta, const char *main_cf, const char *exim_conf,
                       struct lint_report *rep);

/* audit_hints_from_lint - the words of every client-controlled-permit finding */
void audit_hints_from_lint(const struct lint_report *rep, struct audit_hints *h);

/* audit_regex_example - a string the (simple) pattern matches, into out; 0, or -1 */
int audit_regex_example(const char *re, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif

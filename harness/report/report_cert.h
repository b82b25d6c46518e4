/*++
 * NAME
 *	report_cert 3h
 * SUMMARY
 *	a server's certificate chain for people and for machines
 * SYNOPSIS
 *	#include "report_cert.h"
 * DESCRIPTION
 *	relaylab send --show-cert: what openssl s_client -showcerts shows,
 *	made readable. report_cert_text() writes, for each certificate of a
 *	struct smtp_tls_chain (smtp_tls_peer_chain()), its depth and where
 *	it came from, subject, issuer, validity and whether it holds now,
 *	subjectAltNames, SHA-256 fingerprint and what verification found at
 *	its depth, then OpenSSL's verify result for the chain.
 *	report_cert_json() builds the same as one JSON object.
 *
 *	Every string that came from a certificate (names, subjectAltNames)
 *	is the server's and hostile: it goes through smtp_sanitize() before
 *	it reaches a terminal or JSON, so an ESC in a subject shows as
 *	\x1b and a cut name ends in "...".
 * DIAGNOSTICS
 *	report_cert_text() returns 0, or -1 on a write error;
 *	report_cert_json() NULL when out of memory.
 *--*/
#ifndef REPORT_CERT_H
#define REPORT_CERT_H

#include <stdio.h>

#include <jansson.h>

#include "smtp_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* report_cert_text - the chain for people, every certificate string sanitized */
int report_cert_text(FILE *fp, const struct smtp_tls_chain *chain);

/* report_cert_json - {"session", "complete", "verify", "chain": [...]}; NULL when out of memory */
json_t *report_cert_json(const struct smtp_tls_chain *chain);

/* report_cert_validity_name - "valid", "not-yet-valid", "expired", "unreadable" */
const char *report_cert_validity_name(enum smtp_tls_validity validity);

#ifdef __cplusplus
}
#endif
#endif

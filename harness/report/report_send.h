/*++
 * NAME
 *	report_send 3h
 * SUMMARY
 *	relaylab send's result as JSON
 * SYNOPSIS
 *	#include "report_send.h"
 * DESCRIPTION
 *	report_send_json() writes one dialogue's result (server, port,
 *	result, exit code, stage, TLS, time, the transcript through
 *	report_transcript_json(), the server's certificates through
 *	report_cert_json() when asked, and the error record when it
 *	failed) as one JSON object and a newline; report_send_repeat_json() writes the
 *	summary of engine_send_repeat(); report_send_repeat_text() the same
 *	for people, after the first failure's transcript.
 *	report_send_failure() writes the one line that says where and why a
 *	dialogue failed. Text that came from the server or the command line
 *	goes through smtp_sanitize() first.
 * DIAGNOSTICS
 *	0, or -1 when the JSON could not be built or written (nothing, or
 *	part of it, was written).
 *--*/
#ifndef REPORT_SEND_H
#define REPORT_SEND_H

#include <stdio.h>

#include "engine_send.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * report_send_json - one dialogue; exit_code is the front end's for it;
 * chain, when not NULL (--show-cert), as "certificates" (report_cert_json)
 */
int report_send_json(FILE *fp, const struct engine_send_params *p,
                     const struct engine_send_outcome *out, const struct smtp_tls_chain *chain,
                     int exit_code);

/* report_send_repeat_json - the repeat's summary; first_exit the first failure's code */
int report_send_repeat_json(FILE *fp, const struct engine_send_params *p,
                            const struct engine_send_repeat_result *res, int first_exit);

/* report_send_repeat_text - the first failure's transcript (unless silent), and the summary */
void report_send_repeat_text(FILE *fp, const struct engine_send_params *p,
                             const struct engine_send_repeat_result *res, int silent);

/* report_send_failure - "relaylab send: [PREFIX]STAGE: MESSAGE[: REPLY] (exit N)" */
void report_send_failure(FILE *fp, const char *prefix, const struct engine_send_outcome *out,
                         int exit_code);

#ifdef __cplusplus
}
#endif
#endif

/*++
 * NAME
 *	mta_sink 3h
 * SUMMARY
 *	capture sink: the next hop for every relayed message
 * SYNOPSIS
 *	#include "mta_sink.h"
 * DESCRIPTION
 *	A small SMTP server on its own thread, built on smtp_cmd. Every
 *	message it accepts is stored as DIR/msg-N.eml with its envelope in
 *	DIR/msg-N.json (written atomically), and kept in memory for
 *	mta_sink_wait(), with its Message-ID, by which a test that has
 *	several messages on the way at once tells them apart. A relay test
 *	counts a message as relayed only when the sink has it.
 *
 *	mta_sink_rule() makes it answer one command with a given reply,
 *	or hang up, for fault tests.
 *--*/
#ifndef MTA_SINK_H
#define MTA_SINK_H

#include <stddef.h>

#include "smtp_cmd.h"
#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTA_SINK_RCPT_MAX 16
#define MTA_SINK_ADDR_MAX 320
#define MTA_SINK_MESSAGE_MAX (32L * 1024 * 1024)
#define MTA_SINK_CONN_MAX 64
#define MTA_SINK_MSGID_MAX 128 /* a Message-ID kept; a longer one is kept cut */

struct mta_sink_message {
    unsigned long id;
    char client[64]; /* the MTA's address */
    char helo[256];
    char mail_from[MTA_SINK_ADDR_MAX];
    char rcpt[MTA_SINK_RCPT_MAX][MTA_SINK_ADDR_MAX];
    size_t nrcpt;
    size_t size; /* bytes after dot-unstuffing */
    /* The first Message-ID header's value as received, blanks trimmed: what
     * the MTA relayed, so any byte (a test matches it, never prints it). */
    char message_id[MTA_SINK_MSGID_MAX];
    char path[512]; /* the .eml file */
};

struct mta_sink;

/* mta_sink_start - listen on addr:port (0: any free port), store into dir */
struct mta_sink *mta_sink_start(const char *addr, int port, const char *dir,
                                struct smtp_error *err);

/* mta_sink_rule - answer verb with reply ("451 4.3.0 try later"), or hang up if reply is NULL */
int mta_sink_rule(struct mta_sink *sink, enum smtp_verb verb, const char *reply);

/* mta_sink_clear_rules - back to accepting everything */
void mta_sink_clear_rules(struct mta_sink *sink);

/* mta_sink_port - the port it listens on */
int mta_sink_port(const struct mta_sink *sink);

size_t mta_sink_count(struct mta_sink *sink);

/* mta_sink_get - message i (0-based, in arrival order); 0 or -1 */
int mta_sink_get(struct mta_sink *sink, size_t i, struct mta_sink_message *out);

/* mta_sink_wait - wait for a message to rcpt (any if NULL) after message number from; 1 found */
int mta_sink_wait(struct mta_sink *sink, const char *rcpt, size_t from, long timeout_ms,
                  struct mta_sink_message *out);

void mta_sink_stop(struct mta_sink *sink);

#ifdef __cplusplus
}
#endif
#endif

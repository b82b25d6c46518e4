/*++
 * NAME
 *	run_client 3h
 * SUMMARY
 *	a scenario's words as client parameters
 * SYNOPSIS
 *	#include "run_client.h"
 * DESCRIPTION
 *	What "connect submission from outside" and "auth PLAIN app" mean on
 *	a running instance, in one place for the runner's own client and
 *	for the swaks comparison: the listener's port, the client's source
 *	address, the SASL credentials.
 *--*/
#ifndef RUN_CLIENT_H
#define RUN_CLIENT_H

#include "mta.h"
#include "mta_env.h"

#define RUN_CLIENT_INSIDE "127.0.0.1" /* the sandbox's mynetworks client */

/*
 * run_client_port - the port of a connect step's target: a listener's
 * name (smtp, submission, smtps: where it listens, or where it would
 * when the config leaves it out) or a number the parser checked.
 */
int run_client_port(const struct mta_instance *inst, const char *target);

/* run_client_from - a connect step's client address: inside (default), outside, or a literal */
const char *run_client_from(const char *from, const char *outside);

/*
 * run_client_creds - an auth step's credentials: the user (who NULL),
 * the application user ("app"), or the user with a wrong password
 * ("wrong").
 */
void run_client_creds(const struct mta_env *env, const char *who, const char **user,
                      const char **pass);

#endif

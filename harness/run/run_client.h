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

/*
 * The clients a scenario names by role (the guide's networks, mta_env.h):
 * the MTA host itself (inside, inside6), the office LAN the guide's
 * mynetworks trusts, and the outside (a 203.0.113.N the run picks, and
 * outside6).
 */
#define RUN_CLIENT_INSIDE "127.0.0.1"
#define RUN_CLIENT_INSIDE6 "::1"
#define RUN_CLIENT_OFFICE "10.0.0.5"
#define RUN_CLIENT_OUTSIDE6 MTA_ENV_OUTSIDE6

/*
 * run_client_port - the port of a connect step's target: a listener's
 * name (smtp, submission, smtps: where it listens, or where it would
 * when the config leaves it out) or a number the parser checked.
 */
int run_client_port(const struct mta_instance *inst, const char *target);

/*
 * run_client_from - a connect step's client address: a role (inside, the
 * default; inside6, office, outside, outside6) or a literal; outside is
 * the run's ("" when it has none: then "").
 */
const char *run_client_from(const char *from, const char *outside);

/*
 * run_client_where - a connect step's client and server addresses on
 * inst: the client as run_client_from() gives it, the instance's address
 * of the client's family. 0, or -1 with why (size bytes) when the client
 * cannot be here (--shared-network; no IPv6) and the dialogue is not
 * applicable.
 */
int run_client_where(struct mta_env *env, const struct mta_instance *inst, const char *from,
                     const char *outside, const char **client, const char **server, char *why,
                     size_t size);

/*
 * run_client_creds - an auth step's credentials: the user (who NULL),
 * the application user ("app"), or the user with a wrong password
 * ("wrong").
 */
void run_client_creds(const struct mta_env *env, const char *who, const char **user,
                      const char **pass);

#endif

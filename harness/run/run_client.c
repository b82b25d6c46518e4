/*++
 * NAME
 *	run_client 3
 * SUMMARY
 *	a scenario's words as client parameters
 * DESCRIPTION
 *	See run_client.h.
 *--*/
#include <string.h>

#include "number.h"
#include "run_client.h"

int run_client_port(const struct mta_instance *inst, const char *target)
{
    long long number = 0;
    int port;

    if (strcmp(target, "smtp") == 0 || strcmp(target, "submission") == 0 ||
        strcmp(target, "smtps") == 0) {
        if ((port = mta_listener_port(inst, target)) >= 0)
            return port;
        /* Left out of the config (no-listener): where it would listen. */
        return strcmp(target, "smtps") == 0 ? 465 : strcmp(target, "submission") == 0 ? 587 : 25;
    }
    (void)number_parse(target, 1, 65535, &number); /* checked by the parser */
    return (int)number;
}

const char *run_client_from(const char *from, const char *outside)
{
    if (from == NULL || strcmp(from, "inside") == 0)
        return RUN_CLIENT_INSIDE;
    if (strcmp(from, "outside") == 0)
        return outside;
    return from;
}

void run_client_creds(const struct mta_env *env, const char *who, const char **user,
                      const char **pass)
{
    const struct mta_env_user *u = mta_env_user(env, who && strcmp(who, "app") == 0 ? 1 : 0);

    *user = u->name;
    *pass = who && strcmp(who, "wrong") == 0 ? "not-the-password" : u->pass;
}

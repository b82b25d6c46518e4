/*++
 * NAME
 *	run_client 3
 * SUMMARY
 *	a scenario's words as client parameters
 * DESCRIPTION
 *	See run_client.h.
 *--*/
#include <stdio.h>
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
    if (strcmp(from, "inside6") == 0)
        return RUN_CLIENT_INSIDE6;
    if (strcmp(from, "office") == 0)
        return RUN_CLIENT_OFFICE;
    if (strcmp(from, "outside") == 0)
        return outside;
    if (strcmp(from, "outside6") == 0)
        return RUN_CLIENT_OUTSIDE6;
    return from;
}

int run_client_where(struct mta_env *env, const struct mta_instance *inst, const char *from,
                     const char *outside, const char **client, const char **server, char *why,
                     size_t size)
{
    *client = run_client_from(from, outside);
    *server = strchr(*client, ':') ? inst->addr6 : inst->addr;
    if (!**client) {
        snprintf(why, size,
                 "no client outside the guide's mynetworks here (with --shared-network the "
                 "sandbox keeps to 127.0.0.0/8 and ::1, all of which it trusts)");
        return -1;
    }
    if (mta_env_client_usable(env, *client, why, size) < 0)
        return -1;
    if (!**server) {
        snprintf(why, size, "the %s instance has no IPv6 address here (--shared-network)",
                 mta_kind_name(inst->kind));
        return -1;
    }
    return 0;
}

void run_client_creds(const struct mta_env *env, const char *who, const char **user,
                      const char **pass)
{
    const struct mta_env_user *u = mta_env_user(env, who && strcmp(who, "app") == 0 ? 1 : 0);

    *user = u->name;
    *pass = who && strcmp(who, "wrong") == 0 ? "not-the-password" : u->pass;
}

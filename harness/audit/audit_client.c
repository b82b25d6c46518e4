/*++
 * NAME
 *	audit_client 3
 * SUMMARY
 *	the audit's client address: which one, and the ones beside it
 * DESCRIPTION
 *	See audit_client_choose(), audit_client_pool() and
 *	audit_pick_client() in audit.h.
 *--*/
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "engine.h"

/* The client addresses tried, in order: outside every usual trusted network first. */
static const char *const candidates[] = {"203.0.113.7", "198.51.100.7", "192.0.2.7", "127.0.0.250"};

/* audit_pick_client - the first candidate no trusted network holds, else the first */

int audit_pick_client(const struct audit_names *n, char *buf, size_t size, char *where,
                      size_t wsize)
{
    const struct audit_trust *t = NULL;
    size_t i;
    int trusted = 0;

    for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
        if ((t = audit_names_trusted(n, candidates[i])) == NULL)
            break;
    if (i == sizeof(candidates) / sizeof(candidates[0])) {
        /* Every one is trusted: say so, and which line trusts the one used. */
        t = audit_names_trusted(n, candidates[0]);
        i = 0;
        trusted = 1;
        snprintf(where, wsize, "%s", t ? t->where : "");
    }
    snprintf(buf, size, "%s", candidates[i]);
    return trusted;
}

/* How a candidate client address is answered (audit_client_choose). */
struct candidate {
    int usable;  /* banner, EHLO, MAIL, and mail to the server's own postmaster accepted */
    int relays;  /* a plain foreign recipient accepted */
    int trusted; /* the config's text names it trusted */
    int code;    /* the reply that made it unusable */
};

/* try_client - the plain relay and a local recipient from addr, on port 25 */

static void try_client(const struct audit_result *r, const struct audit_target *t, const char *addr,
                       struct candidate *c)
{
    struct smtp_client_params params;
    struct smtp_tcp_params tcp = {0};
    struct engine_step st = {.op = ENGINE_CONNECT, .tcp = &tcp};
    const char *local = r->names.ndomains ? r->names.domains[0] : r->names.hostname;
    char port[8], line[AUDIT_ADDR_MAX + 16];
    struct engine *e;
    int code = -1;

    smtp_client_params_default(&params);
    params.step_timeout_ms = 10000;
    memset(c, 0, sizeof(*c));
    c->trusted = audit_names_trusted(&r->names, addr) != NULL;
    if ((e = engine_new(&params)) == NULL)
        return;
    snprintf(port, sizeof(port), "%d", r->listeners[0].port);
    tcp.host = t->host;
    tcp.port = port;
    tcp.local_address = addr;
    tcp.implicit_tls = r->listeners[0].implicit_tls;
    tcp.tls_ctx = t->tls;
#define STEP(o, a)                                                                                 \
    (st = (struct engine_step){.op = (o), .arg = (a), .helo_fallback = (o) == ENGINE_EHLO},        \
     engine_step(e, &st) == ENGINE_BROKEN ? -1 : engine_last(e)->code)
    if (engine_step(e, &st) == ENGINE_OK && (code = STEP(ENGINE_READ, NULL)) == 220 &&
        (code = STEP(ENGINE_EHLO, AUDIT_HELO)) == 250 &&
        (code = STEP(ENGINE_RAW, "MAIL FROM:<" AUDIT_SENDER ">")) / 100 == 2) {
        snprintf(line, sizeof(line), "RCPT TO:<postmaster@%s>", local);
        code = local[0] ? STEP(ENGINE_RAW, line) : 250;
        c->usable = code / 100 == 2;
        (void)STEP(ENGINE_RSET, NULL);
        if (STEP(ENGINE_RAW, "MAIL FROM:<" AUDIT_SENDER ">") / 100 == 2)
            c->relays = STEP(ENGINE_RAW, "RCPT TO:<victim@" AUDIT_VICTIM ">") / 100 == 2;
    }
#undef STEP
    c->code = code;
    engine_free(e);
}

/*
 * audit_client_choose - the client address, by what the config says and how it
 * answers: one that may mail the server's postmaster (not blocked) and is
 * refused the plain relay (outside what it trusts, even where its text
 * does not tell: an inline ACL, a lookup) is best; then one refused the
 * relay; then, when every usable one relays, one the text does not trust
 * (a wide-open server) or else the trusted one (trusted-network).
 */
void audit_client_choose(struct audit_result *r, const struct audit_target *t)
{
    enum { N = sizeof(candidates) / sizeof(candidates[0]) };
    struct candidate c[N];
    size_t i, best = 0, used = 0;
    int rank = -1;

    for (i = 0; i < N; i++) {
        int k;

        try_client(r, t, candidates[i], &c[i]);
        k = !c[i].usable                    ? 0
            : !c[i].relays && !c[i].trusted ? 4
            : !c[i].relays                  ? 3
            : !c[i].trusted                 ? 2
                                            : 1;
        if (k > rank)
            rank = k, best = i;
        used += (size_t)snprintf(r->client_note + used, sizeof(r->client_note) - used, "%s%s: %s",
                                 i ? "; " : "", candidates[i],
                                 !c[i].usable  ? "refused (blocked)"
                                 : c[i].relays ? "relays a plain recipient"
                                               : "relay refused");
        if (used >= sizeof(r->client_note))
            used = sizeof(r->client_note) - 1;
    }
    snprintf(r->client, sizeof(r->client), "%s", candidates[best]);
    r->client_trusted = c[best].trusted && c[best].relays;
    if (c[best].trusted) {
        const struct audit_trust *tr = audit_names_trusted(&r->names, candidates[best]);

        snprintf(r->client_where, sizeof(r->client_where), "%s", tr ? tr->where : "");
    }
}

/*
 * audit_client_pool - addresses beside the client in its network (rate limits
 * count per address), none the config's text trusts
 */
void audit_client_pool(struct audit_result *r)
{
    unsigned a, b, c, d, i;

    r->npool = 0;
    snprintf(r->pool[r->npool++], sizeof(r->pool[0]), "%s", r->client);
    if (sscanf(r->client, "%u.%u.%u.%u", &a, &b, &c, &d) == 4)
        for (i = 1; r->npool < 16 && d + i < 255; i++) {
            char addr[64];

            snprintf(addr, sizeof(addr), "%u.%u.%u.%u", a, b, c, d + i);
            if (r->client_trusted || audit_names_trusted(&r->names, addr) == NULL)
                snprintf(r->pool[r->npool++], sizeof(r->pool[0]), "%s", addr);
        }
    for (i = 0; i < r->npool; i++)
        r->pool_ptr[i] = r->pool[i];
}

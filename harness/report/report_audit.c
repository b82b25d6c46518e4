/*++
 * NAME
 *	report_audit 3
 * SUMMARY
 *	an audit's result as text, JSON, SARIF 2.1.0 and JUnit XML
 * DESCRIPTION
 *	See report_audit.h. SARIF: OASIS SARIF 2.1.0 (the fields GitHub
 *	code scanning reads: tool.driver.rules, results[].ruleId, level,
 *	message.text, locations[].physicalLocation).
 *--*/
#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newfile.h"
#include "number.h"
#include "report_audit.h"
#include "report_xml.h"
#include "smtp_sanitize.h"

#define CLEAN(s) SMTP_SANITIZE_SIZE(sizeof(s))

/* clean - a sanitised copy of hostile text, into a buffer of the caller's */

static const char *clean(const char *in, char *out, size_t size)
{
    smtp_sanitize_str(in, out, size);
    return out;
}

/* write_whole - fn's output to path (a new file beside it, renamed): 0, or -1 with err */

static int write_whole(const char *path, int (*fn)(FILE *, const void *), const void *ctx,
                       struct smtp_error *err)
{
    char tmp[4200];
    FILE *fp;
    int ok;

    if (strcmp(path, "-") == 0)
        return fn(stdout, ctx) < 0 || fflush(stdout) != 0
                   ? smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot write to stdout")
                   : 0;
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return smtp_error_set(err, SMTP_ERR_USAGE, 0, "path too long: %s", path);
    if ((fp = newfile_open(tmp, 0644)) == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, errno, "cannot write %s: %s", tmp,
                              strerror(errno));
    ok = fn(fp, ctx) == 0;
    if (fclose(fp) != 0 || !ok || rename(tmp, path) < 0) {
        int e = errno ? errno : EIO;

        unlink(tmp);
        return smtp_error_set(err, SMTP_ERR_INTERNAL, e, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

/* where_line - "file:LINE: ..." split; the line, 0 if none */

static int where_line(const char *where, char *file, size_t size)
{
    const char *colon = strchr(where, ':');
    int line = 0;

    file[0] = 0;
    if (colon == NULL || (size_t)(colon - where) >= size)
        return 0;
    char digits[12];
    long long n;

    snprintf(file, size, "%.*s", (int)(colon - where), where);
    /* "FILE:LINE: ...": the digits up to the next colon, checked. */
    snprintf(digits, sizeof(digits), "%.*s", (int)strcspn(colon + 1, ":"), colon + 1);
    if (number_parse(digits, 1, INT_MAX, &n) == 0)
        line = (int)n;
    return line;
}

/* verdict - one line for the whole result */

static const char *verdict(const struct audit_result *r)
{
    size_t i;

    if (r->nfindings == 0)
        return "no relay found";
    if (!r->probe)
        return "open relay";
    for (i = 0; i < r->nfindings; i++)
        if (!r->findings[i].own_domain)
            return "LIKELY OPEN RELAY: a foreign domain accepted at RCPT";
    return "SUSPECT: only the server's own domains accepted, in relay forms";
}

void report_audit_text(FILE *out, const struct report_audit_meta *m, const struct audit_result *r)
{
    char text[2048];
    char c1[CLEAN(r->findings[0].log[0])], c2[CLEAN(r->findings[0].delivered_to)];
    size_t i, j;

    if (r->probe)
        fprintf(out, "relaylab probe: %s (it calls itself %s), port %d, from %s\n",
                clean(m->config, c1, sizeof(c1)), clean(r->banner, c2, sizeof(c2)),
                r->listeners[0].port, r->client);
    else
        fprintf(out, "relaylab audit: %s config %s, served at %s, client %s (%s%s)\n", m->mta,
                clean(m->config, c1, sizeof(c1)), r->server, r->client,
                r->client_trusted ? "trusted: " : "outside every trusted network",
                r->client_trusted ? r->client_where : "");
    if (r->probe)
        fprintf(out, "  %zu attempts, %zu accepted at RCPT, %zu broke, %zu not run; %.1f s\n",
                r->battery.n, r->accepted, r->broken, r->not_run, r->ms / 1000.0);
    else
        fprintf(out,
                "  %zu attempts, %zu accepted at RCPT, %zu relayed, %zu accepted but not seen "
                "at the sink, %zu broke, %zu not run; %.1f s\n",
                r->battery.n, r->accepted, r->relayed, r->unconfirmed, r->broken, r->not_run,
                r->ms / 1000.0);
    if (r->client_note[0])
        fprintf(out, "  clients: %s\n", r->client_note);
    if (r->deferred)
        fprintf(out,
                "  INCONCLUSIVE: %zu attempt%s deferred (4xx, a rate limit?) from every "
                "address tried\n",
                r->deferred, r->deferred == 1 ? " was" : "s were");
    for (i = 0; i < r->nna; i++)
        fprintf(out, "  not applicable: %s\n", r->not_applicable[i]);
    if (r->nrewrites && !r->probe)
        fprintf(out,
                "  the sandbox rewrote %zu setting%s of the config (where mail leaves, "
                "paths, listeners): listed in audit.json\n",
                r->nrewrites, r->nrewrites == 1 ? "" : "s");
    if (r->nfindings == 0) {
        fprintf(out, "No open relay found.\n");
        if (r->probe)
            fprintf(out, "A probe tries what it can guess from the server's names; a permit "
                         "keyed on a word only the config holds (a sender, a HELO name) needs "
                         "relaylab audit on the config itself.\n");
        return;
    }
    if (r->probe)
        fprintf(out, "%s: %zu finding%s at RCPT, %s\n", verdict(r), r->nfindings,
                r->nfindings == 1 ? "" : "s",
                r->confirm[0] ? "DATA sent to the --confirm recipient: check it arrived"
                              : "not confirmed (no DATA sent; --confirm ADDR to send one)");
    else
        fprintf(out, "OPEN RELAY: %zu finding%s\n", r->nfindings, r->nfindings == 1 ? "" : "s");
    for (i = 0; i < r->nfindings; i++) {
        const struct audit_finding *f = &r->findings[i];
        const struct audit_attempt *a = &r->battery.a[f->attempt];
        const char *p;

        fprintf(out, "\n[%zu] %s on %s (%zu relaying attempt%s): %s\n", i + 1,
                audit_family_name(f->family), f->listeners, f->variants,
                f->variants == 1 ? "" : "s", a->what);
        if (r->probe)
            fprintf(out, "    accepted:   %s%s\n", clean(f->delivered_to, c2, sizeof(c2)),
                    f->own_domain ? " (the server's own domain: it may stay local; a near miss "
                                    "unless --confirm shows otherwise)"
                                  : " (a foreign domain)");
        else
            fprintf(out, "    relayed to: %s\n", clean(f->delivered_to, c2, sizeof(c2)));
        if (f->where[0])
            fprintf(out, "    config:     %s\n", f->where);
        if (f->fix[0])
            fprintf(out, "    fix:        %s\n", f->fix);
        fprintf(out, "    dialogue:\n");
        audit_attempt_text(r, f->attempt, text, sizeof(text));
        for (p = text; *p;) {
            size_t n = strcspn(p, "\n");

            fprintf(out, "      %.*s\n", (int)n, p);
            p += n + (p[n] == '\n');
        }
        fprintf(out, "    server said: %s\n", clean(r->outcomes[f->attempt].reply, c1, sizeof(c1)));
        for (j = 0; j < f->nlog; j++)
            fprintf(out, "    log: %s\n", clean(f->log[j], c1, sizeof(c1)));
        if (f->scenario[0])
            fprintf(out, "    regression test: %s\n", f->scenario);
    }
}

/* json_lines - text's lines as an array */

static json_t *json_lines(const char *text)
{
    json_t *a = json_array();
    const char *p = text;

    while (a && *p) {
        size_t n = strcspn(p, "\n");

        json_array_append_new(a, json_stringn(p, n));
        p += n + (p[n] == '\n');
    }
    return a;
}

/* finding_json - one finding */

static json_t *finding_json(const struct audit_result *r, const struct audit_finding *f)
{
    const struct audit_attempt *a = &r->battery.a[f->attempt];
    char text[2048];
    char c1[SMTP_SANITIZE_SIZE(AUDIT_WHERE_MAX)], c2[CLEAN(f->delivered_to)];
    json_t *o = json_object(), *log = json_array();
    size_t j;

    audit_attempt_text(r, f->attempt, text, sizeof(text));
    for (j = 0; log && j < f->nlog; j++)
        json_array_append_new(log, json_string(clean(f->log[j], c1, sizeof(c1))));
    json_object_set_new(o, "family", json_string(audit_family_name(f->family)));
    if (r->probe) {
        /* With --confirm, DATA went to that mailbox: whether it came, the user sees there. */
        json_object_set_new(o, "data_sent_to_confirm",
                            json_boolean(r->confirm[0] && r->outcomes[f->attempt].data == 250));
        json_object_set_new(o, "own_domain", json_boolean(f->own_domain));
    }
    json_object_set_new(o, "listeners", json_string(f->listeners));
    json_object_set_new(o, "relaying_attempts", json_integer((json_int_t)f->variants));
    json_object_set_new(o, "what", json_string(a->what));
    json_object_set_new(o, "dialogue", json_lines(text));
    json_object_set_new(o, "relayed_to", json_string(clean(f->delivered_to, c2, sizeof(c2))));
    json_object_set_new(o, "server_said",
                        json_string(clean(r->outcomes[f->attempt].reply, c1, sizeof(c1))));
    json_object_set_new(o, "log", log);
    /* From the config: cut where it was cut, so through the sanitiser (valid UTF-8). */
    json_object_set_new(o, "config_line",
                        f->where[0] ? json_string(clean(f->where, c1, sizeof(c1))) : json_null());
    json_object_set_new(o, "fix",
                        f->fix[0] ? json_string(clean(f->fix, c1, sizeof(c1))) : json_null());
    json_object_set_new(o, "scenario", f->scenario[0] ? json_string(f->scenario) : json_null());
    return o;
}

/* attempts_json - every attempt, with what the server and the sink said */

static json_t *attempts_json(const struct audit_result *r)
{
    json_t *all = json_array();
    char c1[SMTP_SANITIZE_SIZE(AUDIT_REPLY_MAX)];
    size_t k;

    for (k = 0; all && k < r->battery.n; k++) {
        const struct audit_attempt *a = &r->battery.a[k];
        const struct audit_outcome *o = &r->outcomes[k];

        json_array_append_new(
            all, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:b, s:b, s:s}", "family",
                           audit_family_name(a->family), "listener", r->listeners[a->listener].name,
                           "helo", a->helo, "from", a->from, "rcpt", a->rcpt, "session",
                           o->session_code, "mail", o->mail, "rcpt_reply", o->rcpt, "data", o->data,
                           "arrived", r->verdicts[k].arrived, "relayed", r->verdicts[k].relayed,
                           "last_reply", clean(o->reply, c1, sizeof(c1))));
    }
    return all;
}

/* result_json - the whole result */

static json_t *result_json(const struct report_audit_meta *m, const struct audit_result *r)
{
    char c1[CLEAN(r->banner)], c2[SMTP_SANITIZE_SIZE(4096)];
    json_t *o = json_object(), *ls = json_array(), *fs = json_array(), *na = json_array(),
           *rw = json_array(), *client = json_object();
    size_t i;

    for (i = 0; i < r->nlisteners; i++) {
        const struct audit_listener *l = &r->listeners[i];

        json_array_append_new(
            ls, json_pack("{s:s, s:i, s:b, s:b, s:b, s:b, s:b, s:b}", "name", l->name, "port",
                          l->port, "implicit_tls", l->implicit_tls, "starttls", l->starttls,
                          "auth_before_tls", l->auth_plain, "auth_after_tls", l->auth_tls,
                          "xclient", l->xclient, "smtputf8", l->smtputf8));
    }
    for (i = 0; i < r->nfindings; i++)
        json_array_append_new(fs, finding_json(r, &r->findings[i]));
    for (i = 0; i < r->nna; i++)
        json_array_append_new(na, json_string(r->not_applicable[i]));
    for (i = 0; i < r->nrewrites; i++)
        json_array_append_new(rw, json_string(clean(r->rewrites[i], c2, sizeof(c2))));
    json_object_set_new(client, "address", json_string(r->client));
    json_object_set_new(client, "trusted", json_boolean(r->client_trusted));
    json_object_set_new(client, "trusted_by",
                        r->client_trusted ? json_string(clean(r->client_where, c2, sizeof(c2)))
                                          : json_null());
    json_object_set_new(client, "how_chosen", json_string(r->client_note));
    json_object_set_new(o, "deferred", json_integer((json_int_t)r->deferred));
    json_object_set_new(o, "relaylab", json_string(m->version));
    json_object_set_new(o, "mta", json_string(m->mta));
    json_object_set_new(o, "config", json_string(clean(m->config, c2, sizeof(c2))));
    json_object_set_new(o, "server", json_string(r->server));
    json_object_set_new(o, "banner_name", json_string(clean(r->banner, c1, sizeof(c1))));
    json_object_set_new(o, "client", client);
    json_object_set_new(o, "listeners", ls);
    json_object_set_new(o, "verdict", json_string(verdict(r)));
    json_object_set_new(o, "probe", json_boolean(r->probe));
    json_object_set_new(o, "attempts", json_integer((json_int_t)r->battery.n));
    json_object_set_new(o, "accepted_at_rcpt", json_integer((json_int_t)r->accepted));
    json_object_set_new(o, "relayed", json_integer((json_int_t)r->relayed));
    json_object_set_new(o, "accepted_not_seen", json_integer((json_int_t)r->unconfirmed));
    json_object_set_new(o, "broken", json_integer((json_int_t)r->broken));
    json_object_set_new(o, "not_run", json_integer((json_int_t)r->not_run));
    json_object_set_new(o, "ms", json_integer(r->ms));
    json_object_set_new(o, "findings", fs);
    json_object_set_new(o, "not_applicable", na);
    json_object_set_new(o, "rewrites", rw);
    json_object_set_new(o, "attempt_log", attempts_json(r));
    return o;
}

struct doc {
    const struct report_audit_meta *m;
    const struct audit_result *r;
    json_t *json;
};

static int dump_json(FILE *fp, const void *ctx)
{
    const struct doc *d = ctx;

    return json_dumpf(d->json, fp, JSON_INDENT(2)) < 0 || fputc('\n', fp) == EOF ? -1 : 0;
}

/* dump - a JSON document to path */

static int dump(const char *path, json_t *doc, const struct report_audit_meta *m,
                const struct audit_result *r, struct smtp_error *err)
{
    struct doc d = {m, r, doc};
    int rc;

    if (doc == NULL)
        return smtp_error_set(err, SMTP_ERR_INTERNAL, ENOMEM, "out of memory");
    rc = write_whole(path, dump_json, &d, err);
    json_decref(doc);
    return rc;
}

int report_audit_json(const char *path, const struct report_audit_meta *m,
                      const struct audit_result *r, struct smtp_error *err)
{
    return dump(path, result_json(m, r), m, r, err);
}

/*
 * location - the file a finding's line is in: the config itself, or a
 * file beside it (a table: "clients.cidr:3") in the config's directory
 */
static const char *location(const char *config, const char *file, int line, char *buf, size_t size)
{
    const char *slash = strrchr(config, '/');
    const char *base = slash ? slash + 1 : config;

    if (line > 0 && file[0] == '/')
        snprintf(buf, size, "%s", file); /* lint's path, whole */
    else if (line <= 0 || file[0] == 0 || strcmp(file, base) == 0 || strcmp(file, "main.cf") == 0 ||
             strcmp(file, "exim.conf") == 0 || strchr(file, '/'))
        snprintf(buf, size, "%s", config);
    else
        snprintf(buf, size, "%.*s%s", slash ? (int)(slash - config + 1) : 0, config, file);
    return buf;
}

/* sarif_result - one finding as a SARIF result */

static json_t *sarif_result(const struct report_audit_meta *m, const struct audit_result *r,
                            const struct audit_finding *f)
{
    const struct audit_attempt *a = &r->battery.a[f->attempt];
    char rule[80], msg[3072], file[400], where[4096], c1[SMTP_SANITIZE_SIZE(4096)],
        c2[CLEAN(f->delivered_to)];
    int line = f->where[0] ? where_line(f->where, file, sizeof(file)) : 0;
    json_t *phys = json_object();

    snprintf(rule, sizeof(rule), "open-relay/%s", audit_family_name(f->family));
    if (r->probe) {
        /* A live server: accepted at RCPT, nothing sent on; no file to point at. */
        snprintf(msg, sizeof(msg), "%s (%s) on %.200s: %s; %s accepted at RCPT, not confirmed",
                 f->own_domain ? "Suspect relay form" : "Likely open relay",
                 audit_family_name(f->family), clean(m->config, c1, sizeof(c1)), a->what,
                 clean(f->delivered_to, c2, sizeof(c2)));
        json_decref(phys);
        return json_pack("{s:s, s:s, s:{s:s}}", "ruleId", rule, "level",
                         f->own_domain ? "warning" : "error", "message", "text", msg);
    }
    snprintf(msg, sizeof(msg),
             "Open relay (%s) on %s: %s; mail for %s reached the next hop.%s%s%s%.600s",
             audit_family_name(f->family), f->listeners, a->what,
             clean(f->delivered_to, c2, sizeof(c2)), f->where[0] ? " Config: " : "", f->where,
             f->fix[0] ? " Fix: " : "", f->fix);
    /* The config line responsible when known (in its own file: a table), else the config. */
    json_object_set_new(
        phys, "artifactLocation",
        json_pack("{s:s}", "uri",
                  clean(location(m->config, file, line, where, sizeof(where)), c1, sizeof(c1))));
    if (line > 0)
        json_object_set_new(phys, "region", json_pack("{s:i}", "startLine", line));
    return json_pack("{s:s, s:s, s:{s:s}, s:[{s:o}]}", "ruleId", rule, "level", "error", "message",
                     "text", msg, "locations", "physicalLocation", phys);
}

int report_audit_sarif(const char *path, const struct report_audit_meta *m,
                       const struct audit_result *r, struct smtp_error *err)
{
    json_t *rules = json_array(), *results = json_array();
    size_t i;
    int f;

    for (f = 0; f < AUDIT_FAMILIES; f++) {
        char id[80], text[160];

        snprintf(id, sizeof(id), "open-relay/%s", audit_family_name((enum audit_family)f));
        snprintf(text, sizeof(text), "The server relays mail for foreign domains (%s)",
                 audit_family_name((enum audit_family)f));
        json_array_append_new(
            rules, json_pack("{s:s, s:{s:s}}", "id", id, "shortDescription", "text", text));
    }
    for (i = 0; i < r->nfindings; i++)
        json_array_append_new(results, sarif_result(m, r, &r->findings[i]));
    return dump(path,
                json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "version", "2.1.0",
                          "$schema", "https://json.schemastore.org/sarif-2.1.0.json", "runs",
                          "tool", "driver", "name", "relaylab", "version", m->version,
                          "informationUri", "https://github.com/relaylab/relaylab", "rules", rules,
                          "results", results),
                m, r, err);
}

/* tried - 1 if the battery had an attempt of family f */

static int tried(const struct audit_result *r, enum audit_family f)
{
    size_t k;

    for (k = 0; k < r->battery.n; k++)
        if (r->battery.a[k].family == f)
            return 1;
    return f == AUDIT_TRUSTED_NETWORK;
}

static int write_junit(FILE *fp, const void *ctx)
{
    const struct doc *d = ctx;
    const struct audit_result *r = d->r;
    char text[2048], c1[SMTP_SANITIZE_SIZE(4096)];
    size_t i, tests = 0, skipped = r->nna;
    int f;

    for (f = 0; f < AUDIT_FAMILIES; f++)
        tests += tried(r, (enum audit_family)f);
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(fp,
            "<testsuite name=\"relaylab audit %s\" tests=\"%zu\" failures=\"%zu\" "
            "skipped=\"%zu\" time=\"%.3f\">\n",
            d->m->mta, tests + skipped, r->nfindings, skipped, r->ms / 1000.0);
    for (f = 0; f < AUDIT_FAMILIES; f++) {
        const struct audit_finding *hit = NULL;

        if (!tried(r, (enum audit_family)f))
            continue;
        for (i = 0; i < r->nfindings; i++)
            if (r->findings[i].family == (enum audit_family)f)
                hit = &r->findings[i];
        fprintf(fp, "  <testcase classname=\"audit.%s\" name=\"%s\"", d->m->mta,
                audit_family_name((enum audit_family)f));
        if (hit == NULL) {
            fprintf(fp, "/>\n");
            continue;
        }
        audit_attempt_text(r, hit->attempt, text, sizeof(text));
        fprintf(fp, ">\n    <failure message=\"OPEN RELAY: ");
        report_xml(fp, clean(hit->delivered_to, c1, sizeof(c1)));
        fprintf(fp, "\">");
        report_xml(fp, r->battery.a[hit->attempt].what);
        fputc('\n', fp);
        /* Line by line: the sanitizer would show a line end as \x0a. */
        for (const char *p = text; *p;) {
            char line[AUDIT_ADDR_MAX + 64];
            size_t n = strcspn(p, "\n");

            snprintf(line, sizeof(line), "%.*s", (int)n, p);
            report_xml(fp, clean(line, c1, sizeof(c1)));
            fputc('\n', fp);
            p += n + (p[n] == '\n');
        }
        fprintf(fp, "</failure>\n  </testcase>\n");
    }
    for (i = 0; i < r->nna; i++) {
        fprintf(fp, "  <testcase classname=\"audit.%s\" name=\"%.*s\"><skipped message=\"",
                d->m->mta, (int)strcspn(r->not_applicable[i], ":"), r->not_applicable[i]);
        report_xml(fp, r->not_applicable[i]);
        fprintf(fp, "\"/></testcase>\n");
    }
    return fprintf(fp, "</testsuite>\n") < 0 ? -1 : 0;
}

int report_audit_junit(const char *path, const struct report_audit_meta *m,
                       const struct audit_result *r, struct smtp_error *err)
{
    struct doc d = {m, r, NULL};

    return write_whole(path, write_junit, &d, err);
}
